# Pressing a confirmation button (toasts)
press-recorded-received = ✅ Recorded: you received {$number}. Thank you!
press-recorded-studied = 📖 Recorded: you studied {$number}. Thank you!
press-already-received = You already confirmed receiving {$number}.
press-already-studied = You already confirmed studying {$number}.
press-invalid = This button is no longer valid.
press-not-sent-here-received = {$number} was not sent to this chat.
press-not-sent-here-studied = {$number} was not sent to this chat.
press-closed-received = {$number} is closed and takes no more confirmations.
press-closed-studied = {$number} is closed and takes no more confirmations.
