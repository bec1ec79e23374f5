# /export, chithi export: spreadsheets of the results
export-sheet-summary = Summary
export-sheet-members = Members
export-sheet-reports = Reports missing
export-col-directive = Document
export-col-level = Level
export-col-code = Unit code
export-col-unit = Unit
export-col-members = Members
export-col-received = Received
export-col-received-pct = Received (%)
export-col-studied = Studied
export-col-studied-pct = Studied (%)
export-col-press = Confirmed themselves
export-col-meeting = At a meeting
export-col-behalf = Recorded by the secretary
export-col-reports-owed = Units owing a report
export-col-reports-done = Units reported
export-col-forwarded = Documents issued
export-col-name = Full name
export-col-received-at = Received at
export-col-studied-at = Studied at
export-col-how = How
export-col-cycle = Cycle
export-col-due = Due
export-col-state = State
export-col-submitted-at = Submitted at
export-col-content = Report
export-col-quiz-score = Quiz score
export-col-quiz-attempts = Attempts
export-col-quiz-answers = Latest answers
export-quiz-answer = Question {$n}: {$option} ({$verdict})
export-quiz-right = right
export-quiz-wrong = wrong
export-how-press = confirmed themselves
export-how-meeting = at a meeting
export-how-behalf = recorded by the secretary
export-report-missing = missing
export-report-done = submitted
export-report-late = submitted late
export-report-file = File: {$name}
export-not-allowed = /export is for secretaries and administrators.
export-usage = Type /export with a document number (e.g. /export 1208-CV/BTGTU) or a month of issue (e.g. /export 11/2026).
export-none = No document issued in {$period} was sent to the units you manage.
export-caption-xlsx = 📊 Results {$label}: {$members} member rows, {$directives} document(s).
export-caption-csv = The member list (CSV, opens in Excel).
export-written = Wrote {$file}

# /report_draft, chithi report-draft: the draft report
draft-party = PARTY COMMITTEE …
draft-number = No.  …-BC/…
draft-place-date = …, {$day}/{$month}/{$year}
draft-country = COMMUNIST PARTY OF VIETNAM
draft-title = REPORT
draft-subtitle = Results of studying and carrying out {$kind} No. {$number}
draft-section-1 = I. How it was carried out
draft-deployment = On {$date}, {$issuer} issued {$kind} No. {$number} on {$title}. It was sent to {$units} units with {$members} members in all.
draft-section-2 = II. Results
draft-overall = 1. Members to study it: {$members}; received: {$received} ({$received_pct}%); studied: {$studied} ({$studied_pct}%).
draft-how = Of whom: {$press} confirmed themselves; {$meeting} studied at a meeting; {$behalf} recorded by the secretary.
draft-levels-head = 2. Results per level:
draft-level = - Level {$level}: {$units} units, {$members} members, {$studied} studied ({$pct}%); {$done} units at 100%.
draft-table-head = 3. Results per unit:
draft-col-unit = Unit
draft-col-members = Members
draft-col-received = Received
draft-col-studied = Studied
draft-col-pct = Share %
draft-issued-head = 4. Documents issued at each level to carry it out:
draft-issued-none = No document issued to carry it out has been recorded.
draft-issued-level = Level {$level}:
draft-issued-item = - {$unit}: {$kind} No. {$number} of {$date} on {$title}.
draft-section-3 = III. Assessment
draft-assessment = ……………………………………………………………………………………………
draft-recipients =
    To:
    - …,
    - Office archive.
draft-sign-for = ON BEHALF OF THE STANDING COMMITTEE
draft-sign-title = …
draft-sign-name = (signature, full name)
draft-not-admin = /report_draft is for administrators.
draft-usage = Type /report_draft with a document number, e.g. /report_draft 1208-CV/BTGTU.
draft-caption = 📝 Draft report on {$number}: finish the assessment, then submit it for signature.

# /reports: the reports units submitted
reports-not-allowed = /reports is for secretaries and administrators.
reports-usage = Type /reports with a document number, e.g. /reports 12-KH/TU.
reports-title = 📝 <b>Units' reports — {$number}</b>
reports-none-owed = This document asks no report of the units you manage.
reports-summary = Cycle {$cycle} (due {$due}): {$done}/{$total} units reported.
reports-unit-done = ✅ <b>{$unit}</b> ({$code}) — submitted {$when}
reports-unit-file = 📎 File {$n}: {$name}
reports-missing-head = ⏳ <b>Missing ({$count}):</b>
reports-file-button = 📎 File {$n}
reports-file-gone = This file is no longer available.

# /audit, chithi audit: the audit log
audit-not-admin = /audit is for administrators.
audit-title = 🗂 <b>Audit log</b>{$filters}
audit-empty = No event matches.
audit-page = Page {$page}
audit-bad-date = Cannot read the date "{$value}". Use dd/mm/yyyy, e.g. 01/11/2026.
audit-bad-action = The action name "{$value}" is too long.

cmd-export = Export the results as a spreadsheet
cmd-reports = Reports the units submitted
cmd-report_draft = Draft the results report (Word file)
cmd-audit = Read the audit log
