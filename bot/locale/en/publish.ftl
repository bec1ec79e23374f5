# Publishing: errors and results
draft-file-not-found = file {$file} not found
draft-invalid-toml = {$file} is not valid TOML: {$detail}
draft-no-directive = {$file} has no [[directive]] table
draft-unknown-key = directive {$index}: unknown field "{$key}"
draft-missing = directive {$index}: field "{$key}" is missing
draft-bad-type = directive {$index}: field "{$key}" must be {$expected}
publish-bad-number = The number "{$number}" is not valid (at most 64 characters: letters, digits, - / .).
publish-unknown-target = There is no unit with code "{$code}".
publish-deadline-past = The {$which} deadline ({$when}) has passed. Enter a time in the future.
publish-bad-report-every = Report cycle "{$value}" is not valid; use quarter, half-year or year.
publish-report-every-needs-deadline = Periodic reports need a first report deadline (report_by).
publish-attachment-missing = Attachment {$file} not found.
publish-duplicate = {$number} from {$issuer} has already been published.
publish-not-allowed = Only administrators and secretaries may publish.
publish-outside-subtree = You may only send to the units you manage; "{$code}" is outside them.
cli-publish-failed = {$file}: nothing was published — {$reason}
cli-published = Published {$number}: {$chats} groups, {$private} private copies, {$messages} messages queued.
