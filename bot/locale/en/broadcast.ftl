# /broadcast: administrators' announcements (no confirmation needed)
broadcast-not-admin = /broadcast is for administrators only.
broadcast-private-only = Please use /broadcast in your private chat with the bot.
broadcast-ask-content =
    📣 <b>New announcement</b>
    Send the announcement: a text message, or one photo or file with a caption.
    Type /cancel to stop at any time.
broadcast-content-unsupported = I can take text, a photo or a file. Send the announcement again, or type /cancel.
broadcast-empty = The announcement is empty. Send a text message.
broadcast-too-long = The announcement has {$length} characters; the limit is {$limit}. Shorten it and send it again.
broadcast-caption-too-long = The caption has {$length} characters; with a photo or file the limit is {$limit}. Shorten it and send it again.
broadcast-bad-media = Content of type "{$kind}" cannot be sent. Send text, a photo or a file.
broadcast-ask-targets = Send to which units? Press a button below, or type unit codes (separated by commas), e.g. BP-DX, BP-BL. Every linked chat of those units and the units under them gets it.
broadcast-no-targets = No unit code given. Type a unit code, e.g. BP-DX.
broadcast-unknown-target = There is no unit with code "{$code}". Check it and type the unit codes again.
broadcast-no-chats = {$targets} has no chat linked to the bot yet. Pick other units, or type /cancel.
broadcast-targets-chosen = Send to: {$targets}
broadcast-ask-pin = Sending to {$targets}. Pin the announcement in the chats? (The bot needs admin rights in a chat to pin.)
broadcast-pin-yes = 📌 Yes, pin
broadcast-pin-no = Don't pin
broadcast-pin-chosen-yes = 📌 The announcement will be pinned.
broadcast-pin-chosen-no = The announcement will not be pinned.
broadcast-preview-intro = 👀 Preview — the announcement will look exactly like this:
broadcast-preview-failed = Could not preview the announcement ({$reason}). Send the content again, or type /cancel.
broadcast-confirm = Send the announcement above to {$chats} chats of {$targets}?
broadcast-confirm-pinned = Send the announcement above to {$chats} chats of {$targets} and pin it?
broadcast-send-button = ✅ Send
broadcast-cancel-button = ✖️ Cancel
broadcast-use-buttons = Please choose with the buttons in the message above, or type /cancel.
broadcast-cancelled = Cancelled. No announcement was sent.
broadcast-stale = This button is no longer valid. Type /broadcast to write a new announcement.
broadcast-not-sent = Announcement not sent: {$reason} Type /broadcast to start again.
broadcast-started = Sending has started.
# Progress message
broadcast-progress =
    📣 Sending the announcement…
    Sent {$sent}/{$total} · failed {$failed}
broadcast-stopping =
    ⏹ Stopping…
    Sent {$sent}/{$total} · failed {$failed}
broadcast-done = ✅ Done: sent {$sent} · failed {$failed}
broadcast-stopped = ⏹ Stopped: sent {$sent} · failed {$failed} · cancelled {$cancelled}
broadcast-stop-button = ⏹ Stop
broadcast-stop-done = Stopped: nothing more will be sent. The final counts will show in the progress message.
broadcast-stop-finished = This announcement has already been sent.
broadcast-stop-already = This announcement has already been stopped.
broadcast-stop-not-allowed = Only the sender or an administrator can stop this announcement.
broadcast-stop-unknown = This button is no longer valid.
# Command line: chithi broadcast
cli-broadcast-queued = Announcement #{$id}: {$chats} chats queued. The running bot will send it.
cli-broadcast-bar = Sending
cli-broadcast-bar-failed = failed {$failed}
cli-broadcast-failed = Announcement not sent — {$reason}
cli-broadcast-file-missing = file {$file} not found.
cli-broadcast-ask-stop = Stop sending the rest? [y/N]:{" "}
cli-broadcast-yes = y yes
cli-broadcast-stopped-now = Stopped: nothing more will be sent.
cli-broadcast-continue = Sending continues.
