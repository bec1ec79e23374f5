# Amending, recalling and replacing a published directive (/amend, /recall, supersedes)
cmd-amend = Amend a published directive
cmd-recall = Recall a published directive
lifecycle-not-allowed = Only administrators, the publisher, or a secretary responsible for every unit that received directive {$number} can amend, recall or replace it.
lifecycle-closed-recalled = Directive {$number} was recalled; it can no longer be amended or recalled.
lifecycle-closed-superseded = Directive {$number} was replaced by another one; it can no longer be amended or recalled.
lifecycle-closed-other = Directive {$number} is closed; it can no longer be amended or recalled.
lifecycle-amended-mark = ✏️ <i>Amended on {$date}</i>
lifecycle-recalled-mark = ⛔ <b>Recalled</b> on {$date}; no longer in force.
lifecycle-superseded-mark = 🔁 <b>Replaced by directive No. {$number}</b>
lifecycle-superseded-link = 🔁 <b>Replaced by directive No. <a href="{$url}">{$number}</a></b>
amend-part-dropped = <i>(This part was removed by an amendment.)</i>
amend-too-long = The amended text needs {$parts} messages but the directive was posted as {$posted}. Please shorten it, or publish a new directive that replaces this one.
amend-nothing = Nothing to amend yet. Choose the text, the links or a deadline to change.
amend-note = ✏️ Directive No. {$number} ({$title}), which you have studied, was amended. Please read the amended version in the group or in the earlier message.
press-recalled-received = Directive {$number} was recalled; confirmations are no longer taken.
press-recalled-studied = Directive {$number} was recalled; confirmations are no longer taken.
press-superseded-received = This directive was replaced by No. {$number}; please confirm on the new one.
press-superseded-studied = This directive was replaced by No. {$number}; please confirm on the new one.
amend-usage = How to amend: <code>/amend directive-number</code>, e.g. <code>/amend 45-CV/HU</code>.
recall-usage = How to recall: <code>/recall directive-number</code>, e.g. <code>/recall 45-CV/HU</code>.
lifecycle-private-only = Please send this command in your private chat with the bot.
amend-menu =
    ✏️ <b>Amending directive No. {$number}</b>
    Choose what to change; when done, press "Save amendment". Confirmations already given are kept.
    {$changes}
amend-changes-none = <i>Nothing changed yet.</i>
amend-change-body = • New text ({$length} characters)
amend-change-links = • New links: {$count}
amend-change-deadline = • {$label} deadline: {$when}
amend-button-body = Text
amend-button-links = Links
amend-button-receive_by = Receive by
amend-button-study_by = Study by
amend-button-report_by = Report by
amend-button-save = ✅ Save amendment
amend-button-cancel = Cancel
amend-ask-body = Please send the whole amended text of the directive.
amend-ask-links = Please send the links, one per line as <code>label | https://...</code>; send "skip" to remove all links.
amend-ask-deadline = Please send the new {$label} deadline as <code>{$example}</code>; send "skip" to remove this deadline.
amend-done = ✅ Directive {$number} amended: {$edits} messages will be edited, {$notes} members who studied it are told.
amend-cancelled = Amendment cancelled; the directive is unchanged.
amend-stale = This button is out of date; please type /amend again.
amend-not-saved = The amendment was not saved: {$reason}
recall-confirm = ⛔ Recall directive No. {$number} ({$title})? Its posts will say "recalled" and lose their buttons, reminders stop; confirmation figures are kept.
recall-button-go = ⛔ Recall
recall-button-cancel = Do not recall
recall-done = ⛔ Directive {$number} recalled: {$edits} messages will be edited.
recall-kept = Directive {$number} is kept; not recalled.
recall-stale = This button is out of date; please type /recall again.
lifecycle-report-recalled = ⛔ <b>Recalled</b>: figures frozen as they were when recalled.
lifecycle-report-superseded = 🔁 <b>Replaced</b>: figures frozen as they were when replaced.
amend-qr-outdated = ⚠️ Old QR code ({$label}): the link was amended on {$date}; please do not use this code.
lifecycle-carried-amended-mark = ✏️ <i>The enclosed directive {$number} was amended on {$date}</i>
