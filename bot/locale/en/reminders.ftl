# Deadline reminders (private, to members who have not confirmed)
reminder-receive_by =
    ⏰ <b>Reminder</b>: you have not confirmed receiving {$kind} {$number}.
    <i>{$title}</i>
    Deadline: {$when} ({$left}). Please press «Received» below once you have it.
reminder-study_by =
    ⏰ <b>Reminder</b>: you have not confirmed studying {$kind} {$number}.
    <i>{$title}</i>
    Deadline: {$when} ({$left}). Please press «Studied» below when you have studied it.
left-days = { $count ->
    [one] 1 day left
   *[other] {$count} days left
}
left-hours = { $count ->
    [one] 1 hour left
   *[other] {$count} hours left
}
left-minutes = { $count ->
    [one] 1 minute left
   *[other] {$count} minutes left
}
left-overdue = due now
button-snooze = 🔕 Remind me later
snooze-until = 🔕 No more reminders about {$number} for now. Next reminder: {$when}. The deadline stays the same.
snooze-last = 🔕 No more reminders about {$number} for now. The deadline stays the same: {$deadline}.
snooze-invalid = This button is no longer valid.
# Summaries for unit secretaries
summary-receive_by = 📋 <b>{$unit}</b>: {$pending}/{$total} have not received {$number} yet. Deadline: {$when} ({$left}).
summary-study_by = 📋 <b>{$unit}</b>: {$pending}/{$total} have not studied {$number} yet. Deadline: {$when} ({$left}).
summary-names = Not confirmed: {$names}
names-more = … and {$count} more
# Report reminders (to secretaries)
report-reminder =
    📝 <b>{$unit}</b> has not submitted report {$cycle} on {$kind} {$number}.
    Deadline: {$when} ({$left}).
    Type <code>/report {$number} your report</code>, or send a file with the caption <code>/report {$number}</code>.
# Deadline passed: to the parent units and the publisher
escalation-receive_by = 🚨 <b>Receiving deadline passed</b> for {$number} ({$deadline}). Units under <b>{$unit}</b> below {$threshold}% received:
escalation-study_by = 🚨 <b>Study deadline passed</b> for {$number} ({$deadline}). Units under <b>{$unit}</b> below {$threshold}% studied:
escalation-report_by = 🚨 <b>Report {$cycle} deadline passed</b> for {$number} ({$deadline}). Units under <b>{$unit}</b> with reports missing (units reported):
escalation-line = • {$name} ({$code}): {$done}/{$total} ({$percent}%)
escalation-more = … and {$count} more units
overall-receive_by = 📊 <b>Receiving deadline passed</b> for {$number} ({$deadline}): {$done}/{$total} people received it ({$percent}%). Units below {$threshold}%: {$below}.
overall-study_by = 📊 <b>Study deadline passed</b> for {$number} ({$deadline}): {$done}/{$total} people studied it ({$percent}%). Units below {$threshold}%: {$below}.
overall-report_by = 📊 <b>Report {$cycle} deadline passed</b> for {$number} ({$deadline}): {$done}/{$total} units reported ({$percent}%).
# /report: a secretary submits the unit's report
report-usage = To submit a report: type <code>/report number your report</code>, or send a file with the caption <code>/report number</code>.
report-unknown-number = No document numbered {$number}. Please check the number.
report-not-secretary = Only a unit's secretary can submit its report. If you are one, ask an administrator to update your role.
report-not-required = {$number} does not ask the units you manage for a report.
report-choose-unit = You manage several units ({$codes}). Please name one: <code>/report {$number} UNIT-CODE your report</code>.
report-empty = The report is empty. Type it right after the number, or send a file with the caption <code>/report {$number}</code>.
report-submitted = ✅ Report {$cycle} (due {$when}) of <b>{$unit}</b> on {$number} received. Thank you!
report-submitted-late = ✅ Report {$cycle} of <b>{$unit}</b> on {$number} received (after the deadline, {$when}). Thank you!
report-updated = ✅ Report {$cycle} of <b>{$unit}</b> on {$number} updated.
# /deadline and chithi deadline: changing a deadline
deadline-usage = To change a deadline: <code>/deadline number nhan|hoc|baocao dd/mm/yyyy hh:mm</code> (local time), or <code>bo</code> instead of the time to remove it. (nhan = receive, hoc = study, baocao = report)
deadline-bad-which = Unknown deadline "{$value}". Use nhan (receive), hoc (study) or baocao (report).
deadline-bad-time = Cannot read the time "{$value}". Use dd/mm/yyyy hh:mm, for example 20/02/2027 17:00.
deadline-past = {$when} is already past. Please give a time in the future.
deadline-no-study = {$number} does not require study, so it has no study deadline.
deadline-report-needed = {$number} asks for periodic reports, so its report deadline cannot be removed.
deadline-unknown-number = No document numbered {$number}.
deadline-changed = ✅ The {$label} deadline of {$number} changed: {$old} → {$new}. Reminders were rescheduled for the new deadline.
deadline-label-receive_by = receiving
deadline-label-study_by = study
deadline-label-report_by = report
deadline-not-allowed = Only administrators, the publisher, or a secretary over every unit {$number} went to can change its deadlines.
deadline-none = none
