"""Hostile traffic for the fuzz test (tests/test_fuzz.py).

Hypothesis draws *actions* as plain data: someone writes a text somewhere, edits a message,
presses a button (real, forged or mutated) under some message. ``Traffic`` plays them through
the sandbox to the running bot and watches what it does: the error log, the answers to the
callback queries, the database.

Actions come in two kinds of rounds:

* ``loose``: anything, including updates that may legitimately write (``/start``, ``/name``,
  ``/deadline`` from an administrator, real buttons, the dialogues);
* ``strict``: only updates that must write nothing: forged or mutated callback data (data that
  is not on the keyboard of the message it is pressed under), unknown commands, known
  commands with malformed arguments or from someone who may not use them, chatter, and edited
  messages (an edit never re-runs a command, whatever the new text).
"""

from __future__ import annotations

import asyncio
import logging
import traceback
from collections import Counter
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st
from sqlalchemy import func, select
from telegram import Update

from bot.services import broadcast
from sandbox.keyboards import callback_datas
from storage.models import Base, Broadcast, Delivery, DialogueDraft
from tests.kit.harness import Harness

JSON = dict[str, Any]

# -- the cast --------------------------------------------------------------------------------
# Scene people (tests/kit/scene.py) plus: a stranger (started the bot, belongs to no unit), two
# ghosts (never known to the bot: they only ever send invalid updates) and an administrator
# named in the config only.
PRIVILEGED = ("admin", "sec_dx", "sec_dx01", "cfgadmin")
MEMBERS = ("m1", "m2", "m3", "m4", "m5", "m6", "plain")
GHOSTS = ("ghost1", "ghost2")
KNOWN = (*PRIVILEGED, *MEMBERS, "stranger")
EVERYONE = (*KNOWN, *GHOSTS)
UNPRIVILEGED = (*MEMBERS, "stranger", *GHOSTS)
SECRETARIES = ("sec_dx", "sec_dx01")

# Chats other than private ones, and who is in them. The scene links the BP-* groups; "odd"
# (a supergroup) and "basic" (a basic group) are not linked to any unit; the bot is an
# administrator of "channel".
GROUPS: dict[str, tuple[str, ...]] = {
    "BP-DX-01": ("sec_dx01", "m1", "m2", "m3", "sec_dx", "ghost1", "stranger"),
    "BP-DX-02": ("m4", "m5", "sec_dx"),
    "BP-BL-01": ("m6", "sec_dx"),
    "odd": ("plain", "ghost1", "ghost2", "stranger", "admin", "cfgadmin"),
    "basic": ("m1", "ghost2", "sec_dx01"),
}
PRIVATE = "private"
CHANNEL = "channel"
PLACES = (PRIVATE, *GROUPS, CHANNEL)

NUMBERS = ("1208-CV/BTGTU", "CT-2022/TU")  # published in the setup
UNIT_CODES = ("BP", "BP-DX", "BP-DX-01", "BP-DX-02", "BP-DX-03", "BP-BL-01", "BP-BTG")
COMMANDS = (
    "start", "help", "name", "pending", "publish", "status", "broadcast", "report",
    "deadline", "cancel", "link", "unlink", "mydata", "leave", "forget", "grant", "revoke",
)  # fmt: skip
PREFIXES = ("c", "p", "pub", "pv", "bd", "bs", "z", "sp", "sr", "join", "rl", "pr")

# -- hostile pieces ---------------------------------------------------------------------------
NASTY = (
    "<b>", "</b>", "<i>x", "<b>x</i>", "&", "&amp;", "&#0;", "&lt", '<a href="javascript:1">',
    "<", ">", '"', "'", "\x00", "\x01", "\x07", "\x08", "\x1b[31m", "\x7f", "\x85", "\u200e",
    "\u200f", "\u202e", "\u2066", "\ufeff", "\u200b", "\u00ad", "\u2028", "\u0301", "😀",
    "👨\u200d👩\u200d👧\u200d👦", "🇻🇳", "𝕏", "\U0010fffd", "\U000e0041", "\ufffe", "Ǆ", "ﷺ",
    "%s", "{ $name }", "{ -brand }", "{", "}", "\\", "`", "*", "_", "~", "||", "@chithi_bot",
    "@other_bot", "/start", "/deadline", "\r\n", "\n\n", "\t", "  ", "ắ", "Đ", "İ", "ß",
)  # fmt: skip
NUMBERS_ODD = (
    "0", "-1", "-0", "1", "007", "2147483648", "9223372036854775808",
    "99999999999999999999999", "999999999999", "1e9", "NaN", "inf", "١٢٣", "²", "½", "0x1F",
    "+5", "3.5", "٣", "𝟙𝟚",
)  # fmt: skip
DATES = (
    "00/00/0000", "31/02/9999", "29/02/2027", "01/01/0001", "31/12/9999", "31/12/9999 23:59",
    "01/01/0001 00:00", "20/02/2027 17:00", "20/02/2027 25:61", "1/1/1", "99/99/99999",
    "2027-02-20", "20/02/2027 17:00:00", "bo", "bỏ", "hôm nay", "20.02.2027", "1/1/10000",
    "29/02/2028 17h", "31/12/1969", "19/01/2038 03:14",
)  # fmt: skip
WHICH = ("nhan", "hoc", "baocao", "nhận", "HOC", "x", "")
DIALOGUE = (
    "1208-CV/BTGTU", "99-CV/XX", "CV", "KH", "Tiêu đề", "Thành ủy", "Hôm nay", "bỏ qua",
    "skip", "BP-DX-01", "BP", "BP-DX BP-BL", "có", "không", "20/02/2027 17:00",
)  # fmt: skip
WRONG_IDS = (
    "0", "-1", "-0", "00", "1000000", "1000001", "999999999999", "1000000000000",
    "2147483648", "9223372036854775808", "18446744073709551616", "1" * 40, "١٢", "²",
)  # fmt: skip
SEGMENTS = ("r", "s", "x", "y", "n", "is", "td", "sk", "t1", "no", "send", "pin", "p", "stop")
LONG_PIECES = ("a", "<b>", "&", "😀", "\x00", "ă ", "word ", "\n", "ب")

TEXT_LIMIT = 4096  # UTF-16 code units a user may send in one message
DATA_LIMIT = 64  # bytes of callback data


def utf16_clip(text: str, limit: int = TEXT_LIMIT) -> str:
    """``text`` cut to at most ``limit`` UTF-16 code units, never inside a surrogate pair."""
    units = 0
    for i, ch in enumerate(text):
        units += 2 if ord(ch) > 0xFFFF else 1
        if units > limit:
            return text[:i]
    return text


def bytes_clip(data: str, limit: int = DATA_LIMIT) -> str:
    """``data`` cut to at most ``limit`` UTF-8 bytes (whole characters), never empty."""
    while len(data.encode("utf-8")) > limit:
        data = data[:-1]
    return data or "?"


def plain_chars(max_size: int) -> st.SearchStrategy[str]:
    # Lone surrogates cannot be sent as JSON; everything else can.
    return st.text(st.characters(blacklist_categories=("Cs",)), max_size=max_size)


# -- actions ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Say:
    """``who`` writes ``text`` in ``where`` (their private chat, a group, the channel)."""

    who: str
    where: str
    text: str


@dataclass(frozen=True)
class Edit:
    """``who`` edits their latest message in ``where`` so that it reads ``text``."""

    who: str
    where: str
    text: str


@dataclass(frozen=True)
class Press:
    """``who`` presses a button in ``where``.

    ``on``: ("keyboard", i) the i-th bot message with buttons there (-1: the latest), ("any", i) the i-th bot
    message, ("id", n) message id n (there or not). ``data``: ("forged", text), ("real", i)
    the i-th button of that message, ("mutant", i, op, junk) a mutation of the i-th button
    found in that chat.
    """

    who: str
    where: str
    on: tuple[str, int]
    data: tuple[Any, ...]


Action = Say | Edit | Press


@dataclass(frozen=True)
class Refs:
    """Real references known once the scene is set up: join tokens of some units."""

    join_tokens: tuple[str, ...]


# -- strategies -------------------------------------------------------------------------------
def _token(refs: Refs) -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(NASTY),
        st.sampled_from(NUMBERS_ODD),
        st.sampled_from(DATES),
        plain_chars(12),
        st.sampled_from(NUMBERS + UNIT_CODES + refs.join_tokens),
    )


def _hostile_token() -> st.SearchStrategy[str]:
    """A token that is no real directive number, unit code or join token."""
    return st.one_of(
        st.sampled_from(NASTY),
        st.sampled_from(NUMBERS_ODD),
        st.sampled_from(DATES),
        plain_chars(12).filter(lambda s: s.strip() not in NUMBERS + UNIT_CODES),
    )


def _long() -> st.SearchStrategy[str]:
    return st.builds(
        lambda piece, n: piece * n, st.sampled_from(LONG_PIECES), st.integers(300, 4200)
    )


def _args(token: st.SearchStrategy[str], *, long: bool = True) -> st.SearchStrategy[str]:
    seps = st.sampled_from((" ", " ", " ", "\n", "\t", "  ", "\u00a0"))
    words = st.lists(st.tuples(seps, token), max_size=5).map(
        lambda pairs: "".join(s + t for s, t in pairs)
    )
    if not long:
        return words
    return st.one_of(words, words, words, st.builds(lambda a, b: a + " " + b, words, _long()))


def _command(
    names: Sequence[str] | st.SearchStrategy[str], args: st.SearchStrategy[str]
) -> st.SearchStrategy[str]:
    mention = st.sampled_from(("", "", "", "@chithi_bot", "@CHITHI_BOT"))
    name = names if isinstance(names, st.SearchStrategy) else st.sampled_from(names)
    return st.builds(lambda n, m, a: f"/{n}{m}{a}", name, mention, args)


def _unknown_name() -> st.SearchStrategy[str]:
    listed = st.sampled_from(
        ("foo", "startx", "start_", "publish_now", "a" * 32, "status2", "linkx", "x", "đ", "1")
    )
    drawn = st.from_regex(r"\A[a-zA-Z0-9_]{1,32}\Z")
    return st.one_of(listed, drawn).filter(lambda n: n.lower() not in COMMANDS)


def _text(body: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """A sendable message text: at most 4,096 UTF-16 units and not blank."""
    return body.map(utf16_clip).map(lambda t: t if t.strip() else t + ".")


@st.composite
def _say(
    draw: st.DrawFn,
    text: st.SearchStrategy[str],
    *,
    who: Sequence[str] = EVERYONE,
    where: Sequence[str] = PLACES,
) -> Say:
    place = draw(st.sampled_from(where))
    if place in GROUPS:
        allowed = [w for w in who if w in GROUPS[place]]
        if not allowed:
            place, allowed = PRIVATE, list(who)
    else:
        allowed = list(who)
    return Say(draw(st.sampled_from(allowed)), place, draw(_text(text)))


def weighted(*choices: tuple[int, st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
    """One of the strategies with these weights (``one_of`` flattens nested ``one_of``s, so
    its weights follow the number of leaves, not the arguments)."""
    slots = [i for i, (weight, _) in enumerate(choices) for _ in range(weight)]
    return st.sampled_from(slots).flatmap(lambda i: choices[i][1])


def strict_says(refs: Refs) -> st.SearchStrategy[Say]:
    """Texts that must write nothing, whoever sends them where."""
    hostile, any_token = _args(_hostile_token()), _args(_token(refs))
    groups = tuple(GROUPS)
    chatter = st.builds(
        lambda first, rest: first + rest,
        st.sampled_from([t for t in NASTY if not t.startswith("/")] + list(DIALOGUE)),
        _args(_token(refs)),
    )
    readonly = [_say(_command((name,), any_token)) for name in ("help", "pending", "status")]
    return weighted(
        (3, _say(_command(_unknown_name(), any_token))),
        *[(2, say) for say in readonly],
        (1, _say(_command(("cancel",), any_token))),
        (2, _say(_command(("start", "broadcast", "publish"), any_token), where=(*groups, CHANNEL))),
        (2, _say(_command(("deadline",), any_token), who=UNPRIVILEGED)),
        (2, _say(_command(("deadline",), hostile))),
        (1, _say(_command(("report",), any_token), who=UNPRIVILEGED, where=(PRIVATE,))),
        (2, _say(_command(("report",), hostile), where=(PRIVATE,))),
        (1, _say(_command(("link",), any_token), who=UNPRIVILEGED)),
        (2, _say(_command(("link",), hostile))),
        (1, _say(_command(("link", "unlink"), any_token), where=(CHANNEL,))),
        (1, _say(_command(("unlink",), any_token), who=UNPRIVILEGED, where=groups)),
        (3, _say(_text(chatter))),
        # Known commands addressed to another bot are not ours.
        (
            1,
            _say(
                st.builds(lambda n, a: f"/{n}@other_bot{a}", st.sampled_from(COMMANDS), any_token)
            ),
        ),
    )


def loose_says(refs: Refs) -> st.SearchStrategy[Say]:
    """Texts that may legitimately write (never from a ghost)."""
    real_number = st.sampled_from(NUMBERS)
    deadline_args = st.builds(
        lambda n, w, d, rest: f" {n} {w} {d}{rest}",
        real_number,
        st.sampled_from(WHICH),
        st.sampled_from(DATES),
        _args(_token(refs), long=False),
    )
    report_args = st.builds(
        lambda n, code, rest: f" {n}{code}{rest}",
        real_number,
        st.sampled_from(("", " BP-DX-01", " BP-DX", " BP-XX")),
        _args(_token(refs)),
    )
    start_args = st.one_of(
        st.just(""),
        st.sampled_from(refs.join_tokens).map(lambda t: " " + t),
        _args(_token(refs)),
    )
    dialogue = st.one_of(
        st.sampled_from(DIALOGUE), _args(_token(refs)).map(lambda t: t.strip() or "x")
    )
    groups = tuple(GROUPS)
    return st.one_of(
        _say(_command(("start",), start_args), who=KNOWN, where=(PRIVATE,)),
        _say(_command(("name",), _args(_token(refs))), who=KNOWN),
        _say(_command(("publish", "broadcast"), st.just("")), who=KNOWN, where=(PRIVATE,)),
        _say(_command(("deadline",), deadline_args), who=PRIVILEGED),
        _say(_command(("report",), report_args), who=SECRETARIES, where=(PRIVATE,)),
        _say(
            _command(("link",), st.sampled_from(UNIT_CODES).map(lambda c: " " + c)),
            who=PRIVILEGED,
            where=groups,
        ),
        _say(_command(("unlink",), st.just("")), who=PRIVILEGED, where=groups),
        _say(_text(dialogue), who=KNOWN, where=(PRIVATE,)),
    )


def forged_data() -> st.SearchStrategy[str]:
    segment = st.one_of(
        st.sampled_from(WRONG_IDS), st.sampled_from(SEGMENTS), plain_chars(8), st.just("")
    )
    shaped = st.builds(
        lambda p, parts, sep: sep.join([p, *parts]),
        st.sampled_from(PREFIXES),
        st.lists(segment, max_size=4),
        st.sampled_from((":", ":", ":", "::", ";", " : ")),
    )
    return st.one_of(
        shaped,
        shaped,
        shaped,
        st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=64),
        st.binary(min_size=1, max_size=64).map(lambda b: b.decode("latin-1")),
        st.binary(min_size=1, max_size=64).map(lambda b: b.decode("utf-8", "replace")),
    ).map(bytes_clip)


@st.composite
def _press(draw: st.DrawFn, data: st.SearchStrategy[tuple[Any, ...]], who: Sequence[str]) -> Press:
    place = draw(st.sampled_from((PRIVATE, PRIVATE, *GROUPS, *GROUPS, CHANNEL)))
    allowed = [w for w in who if w in GROUPS[place]] if place in GROUPS else list(who)
    if not allowed:
        place, allowed = PRIVATE, list(who)
    on = draw(
        st.one_of(
            st.just(("keyboard", -1)),  # the latest message with buttons: dialogues go on
            st.tuples(st.just("keyboard"), st.integers(0, 50)),
            st.tuples(st.just("keyboard"), st.integers(0, 50)),
            st.tuples(st.just("any"), st.integers(0, 50)),
            st.tuples(
                st.just("id"),
                st.one_of(st.integers(1, 10**6), st.sampled_from((2**31 - 1, 2**31, 2**53))),
            ),
        )
    )
    return Press(draw(st.sampled_from(allowed)), place, on, draw(data))


def strict_presses() -> st.SearchStrategy[Press]:
    forged = st.tuples(st.just("forged"), forged_data())
    mutant = st.tuples(
        st.just("mutant"), st.integers(0, 200), st.integers(0, len(MUTATIONS) - 1), forged_data()
    )
    return st.one_of(_press(forged, EVERYONE), _press(mutant, EVERYONE))


def loose_presses() -> st.SearchStrategy[Press]:
    real = st.tuples(st.just("real"), st.integers(0, 10))
    return _press(real, KNOWN)


def edits(refs: Refs) -> st.SearchStrategy[Edit]:
    """Edited messages: the new text may be anything, a valid command included."""
    texts = st.one_of(strict_says(refs), loose_says(refs))
    return st.builds(
        lambda say, who: Edit(who if say.where == PRIVATE else say.who, say.where, say.text),
        texts,
        st.sampled_from(EVERYONE),
    )


def strict_actions(refs: Refs) -> st.SearchStrategy[Action]:
    return weighted((7, strict_says(refs)), (9, strict_presses()), (4, edits(refs)))


def loose_actions(refs: Refs) -> st.SearchStrategy[Action]:
    return weighted((7, loose_says(refs)), (5, loose_presses()), (8, strict_actions(refs)))


def rounds(refs: Refs, loose: int, strict: int) -> st.SearchStrategy[tuple[list[Action], ...]]:
    """One round: ``loose`` actions, then ``strict`` ones (fixed sizes, so the count of
    updates sent does not depend on how hypothesis sizes lists)."""
    return st.tuples(
        st.lists(loose_actions(refs), min_size=loose, max_size=loose),
        st.lists(strict_actions(refs), min_size=strict, max_size=strict),
    )


# -- mutations of real callback data -----------------------------------------------------------
def _digits_map(data: str, change: Any) -> str:
    out, run = [], ""
    for ch in data + "\0":
        if ch.isascii() and ch.isdigit():
            run += ch
            continue
        if run:
            out.append(str(change(int(run))))
            run = ""
        out.append(ch)
    return "".join(out)[:-1]


MUTATIONS = (
    lambda d, j: _digits_map(d, lambda n: n + 1),
    lambda d, j: _digits_map(d, lambda n: n * 10**9),
    lambda d, j: _digits_map(d, lambda n: -n),
    lambda d, j: d[: max(1, len(d) // 2)],
    lambda d, j: d + j,
    lambda d, j: d.replace(":", j[:3] or ";"),
    lambda d, j: d.swapcase(),
    lambda d, j: d.rsplit(":", 1)[0] + ":" + j,
    lambda d, j: d + ":" + d,
    lambda d, j: j + d,
    lambda d, j: d.replace(":", "::"),
    lambda d, j: d + "\x00",
)


def mutate(data: str, op: int, junk: str, forbidden: Sequence[str]) -> str:
    """A variant of ``data`` that is none of ``forbidden`` (the buttons where it is pressed)."""
    out = bytes_clip(MUTATIONS[op % len(MUTATIONS)](data, junk))
    return spoil(out, forbidden)


def spoil(data: str, forbidden: Sequence[str]) -> str:
    while data in forbidden:
        data = bytes_clip(data[:-1] + ("~" if not data.endswith("~") else "!"))
    return data


# -- playing actions --------------------------------------------------------------------------
class ErrorLog(logging.Handler):
    """Every record at ERROR or above, from any logger, while installed on the root logger."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def summaries(self) -> list[str]:
        """One line per distinct failure: logger, the exception's line, where it came from."""
        seen: Counter[str] = Counter()
        for record in self.records:
            text = record.getMessage()
            error = _exception_line(record) or text.splitlines()[0][:160]
            seen[f"{record.name}: {error[:300]} [{_origin(record)}]"] += 1
        return [f"{n}x {line}" for line, n in seen.most_common()]


def _exception_line(record: logging.LogRecord) -> str:
    if record.exc_info and record.exc_info[1] is not None:
        return traceback.format_exception_only(record.exc_info[1])[-1].strip()
    # The bot's error handler logs the formatted traceback inside the message: the
    # exception's line is the first unindented one after the last frame.
    lines = record.getMessage().splitlines()
    frames = [i for i, line in enumerate(lines) if line.startswith("  File ")]
    after = lines[frames[-1] + 1 :] if frames else []
    return next((line for line in after if line and not line[0].isspace()), "")


_OURS = ("/bot/", "/handlers/", "/storage/")


def _origin(record: logging.LogRecord) -> str:
    """Where in the project it happened: the outermost handler frame and the innermost frame
    of the project's code (``file:line``)."""
    frames: list[tuple[str, int | None]] = []
    if record.exc_info and record.exc_info[2] is not None:
        frames = [(f.filename, f.lineno) for f in traceback.extract_tb(record.exc_info[2])]
    else:  # the last traceback of the message (a chained one comes before it)
        text = record.getMessage()
        for line in text[text.rfind("Traceback (most recent call last)") :].splitlines():
            path, sep, rest = line.strip().removeprefix('File "').partition('", line ')
            if sep:
                frames.append((path, int(rest.split(",")[0])))
    ours = [
        f"{'/'.join(p.rsplit('/', 2)[-2:])}:{n}" for p, n in frames if any(o in p for o in _OURS)
    ]
    if not ours:
        return ""
    return ours[0] if len(ours) == 1 else f"{ours[0]} .. {ours[-1]}"


Snapshot = dict[str, dict[tuple[Any, ...], tuple[Any, ...]]]


# A half-written /publish or /broadcast is a row of ``dialogue_drafts``: strict rounds answer
# dialogues (their chatter includes dialogue answers) and send /cancel, which move a dialogue
# on or end it; that is the dialogue's own state, not a write by an invalid update.
UNCHECKED = {DialogueDraft.__tablename__}


async def snapshot(h: Harness) -> Snapshot:
    """Every row of every table (but dialogue drafts, see ``UNCHECKED``), keyed by primary key."""
    found: Snapshot = {}
    async with h.rt.sessions() as session:
        for table in Base.metadata.sorted_tables:
            if table.name in UNCHECKED:
                continue
            keys = list(table.primary_key.columns)
            rows = (await session.execute(select(table))).all()
            positions = [list(table.columns).index(k) for k in keys]
            found[table.name] = {tuple(r[i] for i in positions): tuple(r) for r in rows}
    return found


def differences(before: Snapshot, after: Snapshot) -> list[str]:
    lines = []
    for name, rows in after.items():
        old = before.get(name, {})
        added = [rows[k] for k in rows if k not in old]
        gone = [old[k] for k in old if k not in rows]
        changed = [(old[k], rows[k]) for k in rows if k in old and old[k] != rows[k]]
        if added or gone or changed:
            lines.append(
                f"{name}: {len(old)} -> {len(rows)} rows; added {added[:2]!r:.400}; "
                f"removed {gone[:2]!r:.200}; changed {changed[:2]!r:.400}"
            )
    return lines


@dataclass
class Traffic:
    """Plays actions through the sandbox and checks the bot's behaviour."""

    h: Harness
    users: dict[str, Any]
    chats: dict[str, Any]
    queries: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    handled: set[int] = field(default_factory=set)
    rounds_played: int = 0

    def __post_init__(self) -> None:
        # Count an update as handled once PTB's processing of it is over (every handler group,
        # error handlers included, whether or not a handler stopped the groups early).
        processor = self.h.app.update_processor
        process = processor.do_process_update

        async def tracked(update: object, coroutine: Awaitable[Any]) -> None:
            try:
                await process(update, coroutine)
            finally:
                if isinstance(update, Update):
                    self.handled.add(update.update_id)

        processor.do_process_update = tracked  # type: ignore[method-assign]

    @property
    def pushed(self) -> Counter[str]:
        return self.h.sandbox.bot(self.h.token).queue.pushed

    def _chat_id(self, who: str, where: str) -> int:
        return int(self.users[who].id if where == PRIVATE else self.chats[where].id)

    def _bot_messages(self, chat_id: int, keyboard: bool) -> list[JSON]:
        found = self.h.sandbox.messages(chat_id)
        return [m for m in found if callback_datas(m.get("reply_markup"))] if keyboard else found

    def _say(self, action: Say) -> None:
        sandbox, token = self.h.sandbox, self.h.token
        user = self.users[action.who]
        if action.where == PRIVATE:
            sandbox.send_text(token, user.id, action.text)
        else:
            sandbox.send_text(token, user.id, action.text, chat_id=self._chat_id("", action.where))

    def _edit(self, action: Edit) -> None:
        sandbox, token = self.h.sandbox, self.h.token
        user = self.users[action.who]
        chat_id = self._chat_id(action.who, action.where)
        chat = sandbox.chat(chat_id)
        bot = sandbox.bot(token)
        mine = [
            m
            for m in sandbox.conversation(chat, bot.id)
            if m.bot_id is None
            and not m.deleted
            and "text" in m.data
            and (action.where == CHANNEL or m.data.get("from", {}).get("id") == user.id)
        ]
        if mine:
            message_id = mine[-1].message_id
        else:  # nothing to edit yet: write something first
            where = None if action.where == PRIVATE else chat_id
            message_id = sandbox.send_text(token, user.id, "…", chat_id=where)["message_id"]
        sandbox.edit_text(token, user.id, chat_id, message_id, action.text)

    def _press(self, action: Press, *, strict: bool) -> bool:
        sandbox = self.h.sandbox
        user = self.users[action.who]
        chat_id = self._chat_id(action.who, action.where)
        how, index = action.on
        candidates = self._bot_messages(chat_id, keyboard=how == "keyboard") if how != "id" else []
        target = candidates[index % len(candidates)] if candidates else None
        message_id = int(target["message_id"]) if target is not None else max(1, index)
        buttons = callback_datas(target.get("reply_markup")) if target is not None else []
        kind = action.data[0]
        if kind == "real":
            if not buttons:
                return False
            data = buttons[int(action.data[1]) % len(buttons)]
        elif kind == "mutant":
            _, i, op, junk = action.data
            pool = [
                d
                for m in self._bot_messages(chat_id, True)
                for d in callback_datas(m.get("reply_markup"))
            ] or ["c:1:r", "p:1:0", "join:1:x"]
            data = mutate(pool[i % len(pool)], op, junk, buttons)
        else:
            data = spoil(str(action.data[1]), buttons)
        if strict and data in buttons:  # a genuine press has no place in a strict round
            return False
        query_id = sandbox.press_button(
            self.h.token, user.id, chat_id, message_id, data, forged=True
        )
        self.queries[query_id] = (data, action.who, action.where)
        return True

    def play(self, actions: Sequence[Action], *, strict: bool) -> list[JSON]:
        """Queue the updates of ``actions`` (no await: the bot sees none before all are
        queued); returns the queued updates."""
        before = sum(self.pushed.values())
        for action in actions:
            if isinstance(action, Say):
                self._say(action)
            elif isinstance(action, Edit):
                self._edit(action)
            else:
                self._press(action, strict=strict)
        count = sum(self.pushed.values()) - before
        pending = self.h.sandbox.pending_updates(self.h.token)
        return pending[len(pending) - count :] if count else []

    async def handled_all(self, updates: Sequence[JSON], timeout: float = 30.0) -> None:
        """Wait until PTB has run every handler group for each of ``updates`` (presses taken
        by the poller's fast lane: until the lane is idle)."""
        ptb_ids = {
            u["update_id"]
            for u in updates
            if not str((u.get("callback_query") or {}).get("data", "")).startswith("c:")
        }
        last = max((u["update_id"] for u in updates), default=0)
        runtime = self.h.rt
        poller, lane = runtime.poller, runtime.press_lane
        assert poller is not None and lane is not None

        def done() -> bool:
            fetched = poller.offset is not None and poller.offset > last
            return fetched and ptb_ids <= self.handled and lane.spawned == 0 and lane.in_flight == 0

        try:
            await self.h.sandbox.wait_for(done, timeout=timeout)
        except TimeoutError:
            missing = sorted(ptb_ids - self.handled)[:5]
            kinds = [
                next(k for k in u if k != "update_id") for u in updates if u["update_id"] in missing
            ]
            self.problems.append(f"updates not handled within {timeout:.0f} s: {missing} {kinds}")

    async def quiet(self, timeout: float = 30.0) -> None:
        """Nothing left for the workers: the outbox is idle, no post waits for a counters
        refresh, no broadcast is still open (its progress worker closes it)."""
        try:
            await self.h.outbox_idle(timeout=timeout)
        except TimeoutError as exc:
            self.problems.append(str(exc))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            async with self.h.rt.sessions() as session:
                dirty = await session.scalar(
                    select(func.count(Delivery.id)).where(
                        Delivery.counters_dirty.is_(True), Delivery.state == "sent"
                    )
                )
                open_ = await session.scalar(
                    select(func.count(Broadcast.id)).where(Broadcast.status.in_(broadcast.ACTIVE))
                )
            if not dirty and not open_:
                return
            if loop.time() > deadline:
                self.problems.append(
                    f"{dirty} posts wait for their counters, {open_} broadcasts open"
                )
                return
            await asyncio.sleep(0.05)

    async def round(self, loose: Sequence[Action], strict: Sequence[Action]) -> None:
        """Loose actions (may write), then strict ones (must write nothing)."""
        await self.handled_all(self.play(loose, strict=False))
        await self.quiet()
        before = await snapshot(self.h)
        await self.handled_all(self.play(strict, strict=True))
        await self.quiet()
        after = await snapshot(self.h)
        if changes := differences(before, after):
            # Edits first: the likeliest writers (a command run again from an edited message).
            suspects = sorted(strict, key=lambda a: not isinstance(a, Edit))[:25]
            shown = "\n    ".join(f"{a!r:.150}" for a in suspects)
            self.problems.append(
                "rows written by invalid updates:\n  "
                + "\n  ".join(changes)
                + f"\n  round {self.rounds_played}, among its invalid updates:\n    {shown}"
            )
        self.rounds_played += 1

    def unanswered(self) -> list[str]:
        callbacks = self.h.sandbox.callbacks
        return [
            f"{data!r} by {who} in {where}"
            for query_id, (data, who, where) in self.queries.items()
            if not callbacks[query_id].answered
        ]
