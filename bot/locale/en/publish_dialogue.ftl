# /publish: publishing a directive in a private chat
pd-start = 📝 <b>Publish a new directive</b>
    I will ask for each item in turn. Nothing is saved or sent until you have seen the preview and pressed <b>Publish</b>. Type /cancel or press Cancel at any time to stop.
pd-ask-number = The directive's <b>number</b>? For example: 1208-CV/BTGTU
pd-ask-title = Its <b>title</b> (subject line)? For example: On promoting official pages on social networks
pd-ask-issuer = The <b>issuing body</b>? Press the button below if it is <b>{$unit}</b>, or type another name.
pd-ask-issuer-free = The <b>issuing body</b>? Type its name, for example: Provincial Propaganda Department
pd-ask-issued_on = The <b>date of issue</b>? Type it as day/month/year, for example {$example}, or press <b>Today</b>.
pd-ask-body = The <b>text</b> of the directive? Send it in one message; a long text may simply be pasted (Telegram splits it into several messages, I join them). Files (PDF, DOCX, images) can be sent too, then type a few lines of summary.
pd-ask-links = Any <b>links</b>? One per line, as <code>label | address</code>, for example:
    <code>Tự hào Bình Phước page | https://www.facebook.com/trangtuhaobinhphuoc/</code>
    Each link gets a QR code. If there are none, press <b>Skip</b>.
pd-ask-targets = <b>Send to</b> which units? Type unit codes separated by spaces or commas (for example: {$example}); the units below them receive it too. Or press one of the units you manage:
pd-ask-requires_study = Must members <b>study</b> it? (members then also get a 📖 Studied button)
pd-ask-receive_by = <b>Confirm receipt by</b>? Type day/month/year hour:minute (Vietnam time), for example {$example}. For no deadline, press <b>Skip</b>.
pd-ask-study_by = <b>Study by</b>? Type day/month/year hour:minute (Vietnam time), for example {$example}. For no deadline, press <b>Skip</b>.
pd-ask-report_by = <b>Report by</b>? Type day/month/year hour:minute (Vietnam time), for example {$example}. For no deadline, press <b>Skip</b>.
pd-deadline-receive_by = The receipt deadline
pd-deadline-study_by = The study deadline
pd-deadline-report_by = The report deadline
pd-empty = This item cannot be empty.
pd-too-long = That is too long ({$length} characters); at most {$max}.
pd-bad-number = The number "{$number}" is not valid: letters, digits and - / . only (no spaces), at most 64 characters.
pd-bad-date = I could not read that date. Type it as day/month/year, for example {$example}.
pd-future-date = The date of issue {$date} is in the future. Type the date the directive was signed.
pd-bad-link = The line "{$line}" is not valid. One link per line, as <code>label | https://address</code>.
pd-no-targets = Type at least one unit code.
pd-bad-yes-no = Please press <b>Yes</b> or <b>No</b>.
pd-bad-deadline = I could not read that date and time. Type it as day/month/year hour:minute, for example {$example}.
pd-deadline-past = {$which} ({$when}) has already passed. Enter a time in the future.
pd-text-only = At this step I need a text message.
pd-not-allowed = Sorry, publishing directives is for administrators and secretaries. If you need to send a directive to your unit, please ask your secretary.
pd-private-only = Send me /publish in a private chat to publish a directive.
pd-cancelled = Cancelled. Nothing was saved or sent.
pd-reminder = ✏️ You are still preparing a directive to publish. Answer the question below, or type /cancel to stop.
pd-confirm-wait = The preview is above: press <b>Publish</b> to send it, or <b>Cancel</b>.
pd-preview-note = ☝️ Above is the post exactly as members will see it (the buttons in the preview record nothing).
    Sent to: {$units}
    It will be posted in {$chats} groups and sent privately {$private} times.
    Press <b>Publish</b> to send it, or <b>Cancel</b>.
pd-preview-toast = This is a preview: pressing this button records nothing.
pd-published = ✅ Published {$number}: {$chats} groups, {$private} private copies. The bot is sending it now; see who has not confirmed with /pending {$number}
pd-published-toast = Published.
pd-not-published = Not published: {$reason}
pd-stale = This button is no longer in use.
pd-chosen = ➡️ {$value}
pd-button-cancel = ✖️ Cancel
pd-button-skip = Skip
pd-button-today = Today
pd-button-yes = Yes
pd-button-no = No
pd-button-publish = 📤 Publish
