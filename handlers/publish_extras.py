"""/publish after the preview: **♻️ Thay thế văn bản cũ** (the directive this one replaces) and
**📝 Câu hỏi kiểm tra** (1-5 questions and a pass mark). The rules are
bot.services.publish_extras. These functions change the dialogue and return what to say;
handlers.publish saves it and shows what comes next: the question of the extra still awaited
(``publish_extras.awaiting``), or else the preview again with the extra in it.
"""

from __future__ import annotations

import html

from bot.context import Ctx
from bot.i18n import Translator
from bot.services import publish_extras as px
from bot.services.directive_rules import QUIZ_MAX
from bot.services.drafts import DraftError
from bot.services.publish_dialogue import Dialogue
from handlers.common import unit_of_work
from handlers.publish_prompts import (
    EXTRA_NO_QUIZ,
    EXTRA_NO_REPLACE,
    EXTRA_PASS,
    EXTRA_QUIZ,
    EXTRA_QUIZ_DONE,
    EXTRA_REPLACE,
    refusal,
)
from storage import queries


def note_lines(t: Translator, d: Dialogue) -> list[str]:
    """The preview note's lines for what was added (HTML)."""
    lines = []
    replaced = px.replaced(d)
    if replaced is not None:
        number = html.escape(replaced.number)
        if replaced.linked:
            title = html.escape(replaced.title or "")
            lines.append(t("px-replace-linked", number=number, title=title))
        else:
            lines.append(t("px-replace-named", number=number))
    if quiz := px.questions(d):
        mark = d.answers.get(px.PASS_MARK) or len(quiz)
        lines.append(t("px-quiz-set", count=len(quiz), mark=mark))
    return lines


def _quiz_set(t: Translator, d: Dialogue) -> str:
    return "\n".join(note_lines(t, d)[-1:])


async def on_text(ctx: Ctx, t: Translator, user_id: int, d: Dialogue, text: str) -> str | None:
    """A message while an extra is awaited: the old number, a question, or the pass mark;
    what to say (a refusal leaves the extra awaited: its question is asked again)."""
    extra = px.awaiting(d)
    try:
        if extra == px.SUPERSEDES:
            async with unit_of_work(ctx) as session:
                member = await queries.member_by_telegram_id(session, user_id)
                if member is None:
                    raise DraftError("publish-not-allowed")
                await px.replace(session, d, text, member, ctx.settings.bot.admins)
            return "\n".join(note_lines(t, d)[:1])
        if extra == px.QUIZ:
            count = px.add_question(d, text)
            item = px.questions(d)[-1]
            added = t(
                "px-question-added",
                n=count,
                question=html.escape(item["question"]),
                answer=html.escape(item["options"][item["answer"]]),
            )
            # Room for more: ask the next. The last there may be: Xong by itself (the pass mark).
            if count < QUIZ_MAX or px.finish_questions(d):
                return added
            return f"{added}\n{_quiz_set(t, d)}"
        px.set_pass_mark(d, px.parse_pass_mark(text))
        return _quiz_set(t, d)
    except DraftError as error:
        return refusal(t, error)


def on_action(t: Translator, d: Dialogue, action: str) -> tuple[str | None, str] | None:
    """A button of the extras pressed (with the preview shown, or an extra awaited): what to
    say and the label to leave on the pressed message; None if the button is not one of the
    extras' or no longer fits where the dialogue stands."""
    extra = px.awaiting(d)
    try:
        if action == EXTRA_REPLACE and extra is None:
            px.start(d, px.SUPERSEDES)
            return None, t("px-button-replace")
        if action == EXTRA_NO_REPLACE and extra == px.SUPERSEDES:
            px.drop_replace(d)
            return t("px-replace-dropped"), t("px-button-no-replace")
        if action == EXTRA_QUIZ and extra is None and px.may_ask_questions(d):
            px.start(d, px.QUIZ)
            return None, t("px-button-quiz")
        if action == EXTRA_QUIZ_DONE and extra == px.QUIZ:
            more = px.finish_questions(d)  # two or more: the pass mark is asked next
            return (None if more else _quiz_set(t, d)), t("px-button-done")
        if action == EXTRA_NO_QUIZ and extra in (px.QUIZ, px.PASS_MARK):
            px.drop_questions(d)
            return t("px-quiz-dropped"), t("px-button-drop-quiz")
        mark = action.removeprefix(EXTRA_PASS)
        if action.startswith(EXTRA_PASS) and mark.isdigit() and extra == px.PASS_MARK:
            px.set_pass_mark(d, int(mark))
            return _quiz_set(t, d), mark
    except DraftError as error:
        return refusal(t, error), ""
    return None
