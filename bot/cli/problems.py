"""Start-up failures in one line: what is wrong and what to check, instead of a traceback.

Only failures of the outside world the operator can fix are explained: the database cannot be
reached, does not exist or refuses the login; the Bot API cannot be reached or refuses the
token. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

from collections.abc import Iterator
from types import TracebackType

from sqlalchemy.engine import make_url
from telegram.error import InvalidToken, NetworkError

from bot.config import Settings
from bot.i18n import Texts
from bot.logs import redact

# Modules whose OSError means "the database", not something else (a file, the Bot API).
_DATABASE_MODULES = ("asyncpg", "sqlalchemy", "aiosqlite", "sqlite3", "alembic", "storage")
# SQLSTATE classes: 08 connection exception, 28 invalid authorization, 3D invalid catalog name.
_SQLSTATE_KEYS = {
    "3D": "startup-db-missing",
    "28": "startup-db-login",
    "08": "startup-db-unreachable",
}
DETAIL_LIMIT = 160


class CliError(Exception):
    """A user mistake on the command line, phrased as one line."""


def explain(exc: BaseException, settings: Settings) -> str | None:
    """One line for a failure the operator can fix, in the configured language; else None."""
    t = Texts(settings.locale.default_language).for_lang(None)
    if isinstance(exc, InvalidToken):
        return t("startup-bad-token", url=_api_url(settings))
    if isinstance(exc, NetworkError):  # TimedOut included
        return t("startup-no-bot-api", url=_api_url(settings), detail=_detail(exc))
    database = make_url(settings.database.url)
    url = database.render_as_string(hide_password=True)
    for cause in _chain(exc):
        key = _SQLSTATE_KEYS.get(str(getattr(cause, "sqlstate", "") or "")[:2])
        if key is not None:
            return t(key, url=url, name=database.database or "", detail=_detail(cause))
    for cause in _chain(exc):
        if isinstance(cause, OSError) and _raised_in(cause.__traceback__, _DATABASE_MODULES):
            return t("startup-db-unreachable", url=url, name="", detail=_detail(cause))
    return None


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        yield cause
        cause = cause.__cause__ or cause.__context__


def _raised_in(tb: TracebackType | None, modules: tuple[str, ...]) -> bool:
    while tb is not None:
        name = str(tb.tb_frame.f_globals.get("__name__", ""))
        if name.split(".")[0] in modules:
            return True
        tb = tb.tb_next
    return False


def _detail(exc: BaseException) -> str:
    """The error's own words, first line only, bounded, without the token."""
    lines = str(exc).strip().splitlines()
    text = redact(lines[0]) if lines else exc.__class__.__name__
    return text if len(text) <= DETAIL_LIMIT else text[: DETAIL_LIMIT - 1] + "…"


def _api_url(settings: Settings) -> str:
    return settings.bot.base_url.rstrip("/")
