# Figures over the unit's roster; study at a meeting; confirmations on someone's behalf
pending-not-using = Not using Chithi yet, reach in person ({$count})
summary-not-using = Not using Chithi yet, reach in person or by phone: {$names}
cmd-meeting = Record study at a meeting
cmd-mark = Confirm for a member
meeting-usage =
    Usage: /meeting number [unit-code] [dd/mm/yyyy]
    Example: /meeting 1208-CV/BTGTU BP-DX-01 15/01/2027. Without a date, today.
meeting-not-secretary = This command is for secretaries: you can record only for the units you manage.
meeting-which-unit = Please add the unit code, e.g. /meeting {$number} unit-code
meeting-not-sent = Directive {$number} was not sent to {$unit}, so nothing can be recorded for it there.
meeting-bad-date = Invalid date. Please write day/month/year, e.g. {$example}.
meeting-future-date = {$date} has not come yet. Please give the day of the meeting.
meeting-empty = Nobody is on the list of {$unit} yet.
meeting-checklist =
    📖 <b>Studied at a meeting</b> — directive {$number}
    {$unit} ({$code}), {$date}
    Present: {$present}/{$total}. Tap a name to untick an absentee, then tap «Save».
meeting-save = 💾 Save
meeting-cancel = Cancel
meeting-cancelled = Cancelled; nothing recorded.
meeting-stale = This list was already saved or cancelled.
meeting-refused = Not saved: you no longer manage this unit, or the directive is closed.
meeting-saved = ✅ Meeting of {$unit} on {$date} recorded: {$attendees}/{$total} present studied directive {$number}.
meeting-saved-received = ✅ Meeting of {$unit} on {$date} recorded: {$attendees}/{$total} present received directive {$number}.
mark-usage =
    Usage: /mark number full-name (or part of it)
    Example: /mark 1208-CV/BTGTU Nguyễn Văn An
mark-no-match = Nobody named «{$name}» in the units you manage.
mark-choose = Confirm for whom (directive {$number})?
mark-received = ✅ Received — {$name}
mark-studied = 📖 Studied — {$name}
mark-done-received = ✅ Recorded on their behalf: {$name} received {$number}.
mark-done-studied = 📖 Recorded on their behalf: {$name} studied {$number}.
mark-already = {$name} was already recorded.
