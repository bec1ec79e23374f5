# /publish: added after the preview — replacing an older directive, questions
px-button-replace = ♻️ Replace an older directive
px-button-quiz = 📝 Questions
px-button-quiz-again = 📝 Write the questions again
px-button-no-replace = It replaces nothing
px-button-done = ✅ Done
px-button-drop-quiz = No questions
px-ask-replace = ♻️ Which directive does this one <b>replace</b>? Type the old number, e.g. <code>23-CT/TU</code>.
    When it is published, the old directive's posts are edited to say "replaced by …" with a link to the new post, their buttons are removed and its reminders stop.
px-replace-linked = ♻️ This directive will replace directive <b>{$number}</b> ({$title}): when it is published, the old posts are edited, their buttons removed and their reminders stopped.
px-replace-named = ♻️ Directive <b>{$number}</b> was never published through Chithi or is no longer in force: the new post only says "Replaces directive {$number}".
px-replace-dropped = This directive replaces no other.
px-ask-quiz = 📝 <b>Questions</b> (at most {$max}). A member who taps "📖 Studied" gets them in a private chat, and is recorded as having studied only with enough right answers (they may try again).
    Send each question in one message: the question on the first line, then one option per line ({$min} to {$options} options), with <code>*</code> in front of the right one. For example:
    <code>What is Directive 05 about?
    {"*"} Studying and following Ho Chi Minh's thought, ethics and style
    Fire prevention</code>
px-question-added = ✅ Question {$n} added: {$question}
    Right answer: {$answer}
px-ask-more = Send the next question, or tap <b>Done</b>.
px-ask-pass-mark = How many right answers (of {$total}) are needed to count as studied? Tap or type a number.
px-quiz-set = 📝 Questions: {$count}, {$mark} right answers needed.
px-quiz-dropped = This directive has no questions.
pq-shape = That is not a question yet: the question on the first line, one option per following line, with * in front of the right one.
pq-one-right = Put * in front of exactly one option: the right one.
pq-none = There are no questions yet. Send one, or tap "No questions".
pq-bad-pass-mark = Tap or type a number.
rule-supersedes-self = {$field}: a directive cannot replace itself (number {$number}).
