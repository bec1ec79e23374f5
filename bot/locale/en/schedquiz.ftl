## Scheduled publishing (publish_at, "Schedule", /scheduled) and proof of study (questions)

rule-field-publish_at = Scheduled publishing time (publish_at)
rule-field-quiz = Questions (quiz)
rule-field-pass_mark = Right answers needed (pass_mark)
rule-publish-at-past = {$field} ({$when}) has passed. Enter a time in the future, as day/month/year hour:minute.
rule-publish-at-after-deadline = {$field} ({$when}) must come before the { $deadline ->
    [receive_by] deadline to confirm receipt
    [study_by] study deadline
   *[report_by] report deadline
} of the directive. Choose an earlier time or move the deadline.
rule-pass-mark-without-quiz = {$field}: the directive has no questions, so it needs no pass mark.
rule-quiz-without-study = {$field}: only a directive to be studied can have questions.
rule-quiz-options = {$field}: question {$n} needs {$min} to {$max} options.
rule-quiz-answer = {$field}: the answer to question {$n} must be the number of one of its options (1 to {$max}).
rule-pass-mark = {$field} is {$value}; choose 1 to {$max} (the number of questions).

# /publish: "Schedule" after the preview
sq-button-schedule = ⏰ Schedule
sq-ask-time = When should it be published? Enter the local time as day/month/year hour:minute, e.g. <code>{$example}</code>.
sq-scheduled = ⏰ Directive <b>{$number}</b> will be published at {$at}. See or cancel it with /scheduled.
sq-cli-scheduled = Scheduled {$number} for {$at} (local time).

# /scheduled
sq-none = No directive is waiting for a scheduled publishing time.
sq-list-head = ⏰ Directives waiting for their publishing time ({$count}):
sq-list-line = • <b>{$number}</b> — {$title} — at {$at}
sq-button-cancel = Cancel {$number}
sq-cancelled = Schedule of {$number} cancelled.
sq-stale = This button no longer works. Send /scheduled for a fresh list.
sq-not-scheduled = This directive is no longer waiting (published or cancelled already).
sq-cancel-not-allowed = You may not cancel the schedule of {$number}.

# Proof of study: the questions in private
press-quiz-studied = 📝 {$number} comes with questions. They were sent to you in your private chat with @{$bot}.
press-quiz-private-studied = 📝 {$number} comes with questions. Please open @{$bot}, press Start, then press “Studied” again.
qz-question = 📝 <b>{$number}</b> — question {$n}/{$total}

{$question}
qz-passed = ✅ {$score}/{$total} right (needed {$mark}). Recorded: you have studied <b>{$number}</b>. Thank you!
qz-failed = {$score}/{$total} right, not enough (needed {$mark}). Please read <b>{$number}</b> again and retry.
qz-button-retry = 🔁 Try again
qz-passed-toast = Recorded: you have studied it.
qz-stale = This button no longer works.
qz-invalid = This answer is not valid or was recorded already.
qz-closed = Directive {$number} is closed and takes no more confirmations.
qz-done = You have already studied {$number}.
cmd-scheduled = Directives scheduled for publishing
