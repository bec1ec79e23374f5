"""The questions of the ``/publish`` dialogue: the text and the buttons of each step."""

from __future__ import annotations

import html
from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import Translator
from bot.services import publish_extras as px
from bot.services.directive_rules import OPTIONS_MAX, OPTIONS_MIN, QUIZ_MAX, describe
from bot.services.drafts import DraftError
from bot.services.publish_dialogue import Dialogue, example_deadline
from handlers.common import escaped

ROOT_BUTTONS = 8


def data(d: Dialogue, action: str) -> str:
    """Callback data of a dialogue button: ``pub:<serial>:<action>`` (well under 64 bytes)."""
    return f"pub:{d.serial}:{action}"


def cancel_row(t: Translator, d: Dialogue) -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(t("pd-button-cancel"), callback_data=data(d, "x"))]


def error_text(t: Translator, error: DraftError) -> str:
    """A refusal in the user's words; a deadline's name instead of its field name."""
    args, key = dict(error.args_), error.key
    if "which" in args:
        args["which"] = t(f"pd-deadline-{args['which']}")
        key = "pd-deadline-past" if key == "publish-deadline-past" else key
    return describe(t, DraftError(key, **args))


def refusal(t: Translator, error: DraftError) -> str:
    """The refusal as HTML (user input inside it is escaped)."""
    return f"⚠️ {error_text(t, escaped(error))}"


def question(
    t: Translator, d: Dialogue, step: str, now: datetime, tz: ZoneInfo
) -> tuple[str, InlineKeyboardMarkup]:
    """The HTML text and buttons asking ``step``; every step has a Cancel button."""
    rows: list[list[InlineKeyboardButton]] = []
    if step == "issuer" and d.home_name:
        text = t("pd-ask-issuer", unit=html.escape(d.home_name))
        rows.append([InlineKeyboardButton(d.home_name[:60], callback_data=data(d, "is"))])
    elif step == "issuer":
        text = t("pd-ask-issuer-free")
    elif step == "issued_on":
        text = t("pd-ask-issued_on", example=now.astimezone(tz).strftime("%d/%m/%Y"))
        rows.append([InlineKeyboardButton(t("pd-button-today"), callback_data=data(d, "td"))])
    elif step == "links":
        text = t("pd-ask-links")
        rows.append([InlineKeyboardButton(t("pd-button-skip"), callback_data=data(d, "sk"))])
    elif step == "targets":
        example = ", ".join(code for _id, code, _name in d.roots[:2])
        text = t("pd-ask-targets", example=html.escape(example))
        for unit_id, code, name in d.roots[:ROOT_BUTTONS]:
            label = f"{code} — {name}"[:60]
            rows.append([InlineKeyboardButton(label, callback_data=data(d, f"t{unit_id}"))])
    elif step == "requires_study":
        text = t("pd-ask-requires_study")
        rows.append(
            [
                InlineKeyboardButton(t("pd-button-yes"), callback_data=data(d, "y")),
                InlineKeyboardButton(t("pd-button-no"), callback_data=data(d, "n")),
            ]
        )
    elif step in ("receive_by", "study_by", "report_by"):
        text = t(f"pd-ask-{step}", example=example_deadline(now, tz))
        rows.append([InlineKeyboardButton(t("pd-button-skip"), callback_data=data(d, "sk"))])
    else:  # number, title, body
        text = t(f"pd-ask-{step}")
    rows.append(cancel_row(t, d))
    return text, InlineKeyboardMarkup(rows)


def confirm_keyboard(t: Translator, d: Dialogue) -> InlineKeyboardMarkup:
    """Ban hành / Huỷ, Hẹn giờ, then what may still be added: the directive it replaces and
    questions (for one to be studied)."""
    extras = [InlineKeyboardButton(t("px-button-replace"), callback_data=data(d, EXTRA_REPLACE))]
    if px.may_ask_questions(d):
        label = t("px-button-quiz-again" if px.questions(d) else "px-button-quiz")
        extras.append(InlineKeyboardButton(label, callback_data=data(d, EXTRA_QUIZ)))
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(t("pd-button-publish"), callback_data=data(d, "go")),
                InlineKeyboardButton(t("pd-button-cancel"), callback_data=data(d, "x")),
            ],
            [InlineKeyboardButton(t("sq-button-schedule"), callback_data=data(d, "sch"))],
            extras,
        ]
    )


# Actions of the extras' buttons (pub:<serial>:<action>); a pass mark is "pm<k>".
EXTRA_REPLACE, EXTRA_NO_REPLACE = "sup", "nosup"
EXTRA_QUIZ, EXTRA_QUIZ_DONE, EXTRA_NO_QUIZ, EXTRA_PASS = "qz", "qzd", "qzx", "pm"


def extra_question(t: Translator, d: Dialogue) -> tuple[str, InlineKeyboardMarkup]:
    """The HTML text and buttons asking the extra the dialogue awaits (handlers.publish_extras)."""
    rows: list[list[InlineKeyboardButton]] = []
    extra, quiz = px.awaiting(d), px.questions(d)
    if extra == px.QUIZ:
        if quiz:
            text = t("px-ask-more")
            rows.append(
                [InlineKeyboardButton(t("px-button-done"), callback_data=data(d, EXTRA_QUIZ_DONE))]
            )
        else:
            text = t("px-ask-quiz", max=QUIZ_MAX, min=OPTIONS_MIN, options=OPTIONS_MAX)
        rows.append(
            [InlineKeyboardButton(t("px-button-drop-quiz"), callback_data=data(d, EXTRA_NO_QUIZ))]
        )
    elif extra == px.PASS_MARK:
        text = t("px-ask-pass-mark", total=len(quiz))
        rows.append(
            [
                InlineKeyboardButton(str(k), callback_data=data(d, f"{EXTRA_PASS}{k}"))
                for k in range(1, len(quiz) + 1)
            ]
        )
    else:
        text = t("px-ask-replace")
        rows.append(
            [
                InlineKeyboardButton(
                    t("px-button-no-replace"), callback_data=data(d, EXTRA_NO_REPLACE)
                )
            ]
        )
    rows.append(cancel_row(t, d))
    return text, InlineKeyboardMarkup(rows)
