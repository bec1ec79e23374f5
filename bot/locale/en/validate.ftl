# The rules of a directive (the /publish dialogue, a TOML file, any other way of publishing)
rule-field-number = Number (number)
rule-field-kind = Kind (kind)
rule-field-title = Title (title)
rule-field-issuer = Issuing body (issuer)
rule-field-body = Text (body)
rule-field-issued_on = Date of issue (issued_on)
rule-field-links = Links (links)
rule-field-attachments = Attachments (attachments)
rule-field-forwards = Number of the forwarded document (forwards)
rule-field-supersedes = Number of the replaced document (supersedes)
rule-field-depth = Depth (depth)
rule-field-receive_by = The receipt deadline (receive_by)
rule-field-study_by = The study deadline (study_by)
rule-field-report_by = The report deadline (report_by)
rule-empty = {$field} cannot be empty.
rule-too-long = {$field} is too long ({$length} characters); at most {$max}. Please shorten it.
rule-too-many = {$field}: {$count} items, at most {$max}. Please remove some.
rule-control-character = {$field} contains an invisible control character ({$code}). Please type it again as plain text.
rule-body-too-long = The text is too long ({$length} characters); at most {$max} (about 6 messages). Put the full text in an attachment (PDF) and a summary in the body.
rule-bad-number = {$field} "{$number}" is not valid: letters, digits and - / . only (no spaces), at most {$max} characters.
rule-link-scheme = The link "{$url}" is not allowed: only web addresses starting with http:// or https://.
rule-link-bad = The link "{$url}" is not a valid web address. Write it in full, for example https://www.facebook.com/trangtuhaobinhphuoc/
rule-link-credentials = The link "{$url}" contains a user name or password (the part before @). Give the page's address without an account.
rule-link-too-long = The link "{$url}" is too long; at most {$max} characters (so that its QR code can still be scanned).
rule-attachment-outside = The attachment {$file} is outside the TOML file's folder ({$folder}). Copy it into that folder and give its name.
rule-attachment-type = The attachment {$file} is not a kind of document that is sent ({$allowed}).
rule-attachment-empty = The attachment {$file} is empty (0 bytes).
rule-attachment-too-big = The attachment {$file} is {$size} MB; Telegram lets bots send files of at most {$max} MB. Compress or split it.
rule-issued-future = The date of issue {$date} is in the future. Give the date the directive was signed.
rule-issued-too-old = The date of issue {$date} is too far back; directives must be issued on {$first} or later. Please check the year.
rule-deadline-too-far = {$field} ({$when}) is too far ahead; {$latest} at the latest. Please check the year.
# Private copies come without QR codes (the links can be tapped in the message)
directive-links-no-qr = 🔗 Links:
# Command line: where in the file an error is
cli-file-line = {$file} (line {$line})
