"""Typed, validated settings loaded from a TOML file with ``CHITHI_...`` overrides.

Every error is turned into :class:`ConfigError` whose message is one line naming the
file, the key and what was expected, so start-up never shows a traceback.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import tomllib
from collections.abc import Mapping
from datetime import time
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

ENV_PREFIX = "CHITHI_"
DEFAULT_CONFIG_PATH = Path("config.toml")
_DURATION = re.compile(r"^\s*(\d+)\s*([dhm])\s*$")
_DB_URL = re.compile(r"^(sqlite\+aiosqlite:///.*|postgresql\+asyncpg://[^/\s]+/\w[\w-]*(\?.*)?)$")


class ConfigError(Exception):
    """A configuration problem, already phrased as one line for the user."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BotSettings(_Section):
    token: SecretStr = SecretStr("")
    base_url: str = "https://api.telegram.org/bot"
    base_file_url: str = "https://api.telegram.org/file/bot"
    admins: list[int] = Field(default_factory=list)
    mode: Literal["polling", "webhook"] = "polling"

    @property
    def has_token(self) -> bool:
        return bool(self.token.get_secret_value().strip())


class WebhookSettings(_Section):
    """Webhook mode (``[bot] mode = "webhook"``): where the bot listens and what Telegram is told.

    Telegram POSTs updates to ``public_url`` + ``path`` (HTTPS, usually a reverse proxy that
    forwards to ``listen``:``port``), with ``secret_token`` in a header the bot checks.
    """

    listen: str = "127.0.0.1"
    port: int = Field(8080, ge=0, le=65535)
    path: str = "/telegram"
    public_url: str = ""
    secret_token: SecretStr = SecretStr("")
    max_connections: int = Field(40, ge=1, le=100)

    @field_validator("path")
    @classmethod
    def _absolute_path(cls, value: str) -> str:
        if not value.startswith("/") or value.startswith("/healthz"):
            raise ValueError("expected a path starting with / (not /healthz), e.g. /telegram")
        return value

    @field_validator("public_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if value and not re.match(r"^https?://[^/\s]+(/\S*)?$", value):
            raise ValueError("expected the public base URL, e.g. https://bot.example.org")
        return value.rstrip("/")

    @field_validator("secret_token")
    @classmethod
    def _secret_chars(cls, value: SecretStr) -> SecretStr:
        if value.get_secret_value() and not re.match(
            r"^[A-Za-z0-9_-]{1,256}$", value.get_secret_value()
        ):
            raise ValueError("expected 1-256 characters A-Z, a-z, 0-9, _ and -")
        return value

    @property
    def url(self) -> str:
        """Where Telegram sends the updates."""
        return f"{self.public_url}{self.path}"


class DatabaseSettings(_Section):
    url: str = "sqlite+aiosqlite:///data/chithi.db"
    echo: bool = False
    auto_upgrade: bool = True

    @field_validator("url")
    @classmethod
    def _url_is_supported(cls, value: str) -> str:
        if not _DB_URL.match(value):
            raise ValueError(
                "expected sqlite+aiosqlite:///path/to/file.db or "
                "postgresql+asyncpg://user@host:port/dbname"
            )
        return value


class LocaleSettings(_Section):
    default_language: Literal["vi", "en"] = "vi"
    timezone: str = "Asia/Ho_Chi_Minh"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("expected an IANA time zone such as Asia/Ho_Chi_Minh") from exc
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class FloodSettings(_Section):
    """Telegram's flood limits; the sender keeps under them, the sandbox enforces them.

    Rates are over Telegram's windows (1 s, 60 s); ``time_scale`` divides those windows, like
    the sandbox's ``FloodLimits(time_scale=...)``, for sped-up tests only.
    """

    global_per_second: float = Field(30, gt=0)
    per_chat_per_second: float = Field(1, gt=0)
    per_group_per_minute: float = Field(20, gt=0)
    time_scale: float = Field(1.0, gt=0)


class SandboxSettings(_Section):
    host: str = "127.0.0.1"
    port: int = Field(0, ge=0, le=65535)
    enforce_limits: bool = True
    time_scale: float = Field(1.0, gt=0)


class DeliverySettings(_Section):
    batch_size: int = Field(50, ge=1, le=1000)
    max_attempts: int = Field(8, ge=1)
    counter_refresh_seconds: float = Field(5.0, ge=0)
    poll_interval_seconds: float = Field(0.5, gt=0)
    retry_base_seconds: float = Field(1.0, gt=0)
    claim_lease_seconds: float = Field(20.0, ge=1)
    share_global_limit: bool = True


def _parse_duration(value: str) -> int:
    match = _DURATION.match(value)
    if not match:
        raise ValueError(f"expected durations like '3d', '1d', '2h' or '30m', got {value!r}")
    amount, unit = int(match.group(1)), match.group(2)
    return amount * {"d": 86400, "h": 3600, "m": 60}[unit]


class ReminderSettings(_Section):
    offsets: list[str] = Field(default_factory=lambda: ["3d", "1d", "2h"])
    quiet_start: time = time(21, 0)
    quiet_end: time = time(7, 0)
    escalation_threshold: float = Field(100.0, ge=0, le=100)
    tick_seconds: float = Field(30.0, gt=0)
    # Members read (and outbox rows written) per statement in a reminder or escalation tick:
    # the tick's memory depends on this, not on the number of members.
    chunk_size: int = Field(2000, ge=1, le=20_000)

    @field_validator("offsets")
    @classmethod
    def _valid_offsets(cls, value: list[str]) -> list[str]:
        for item in value:
            _parse_duration(item)
        return value

    @property
    def offset_seconds(self) -> list[int]:
        return sorted((_parse_duration(o) for o in self.offsets), reverse=True)


class LogSettings(_Section):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # The event loop held longer than this (one callback running without yielding) is logged
    # as a WARNING, at most one a half-minute; /healthz shows the lag's p50/p99/max always.
    loop_lag_warning_ms: float = Field(100.0, gt=0)


class Settings(_Section):
    bot: BotSettings = Field(default_factory=BotSettings)
    webhook: WebhookSettings = Field(default_factory=WebhookSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    locale: LocaleSettings = Field(default_factory=LocaleSettings)
    flood: FloodSettings = Field(default_factory=FloodSettings)
    sandbox: SandboxSettings = Field(default_factory=SandboxSettings)
    delivery: DeliverySettings = Field(default_factory=DeliverySettings)
    reminders: ReminderSettings = Field(default_factory=ReminderSettings)
    log: LogSettings = Field(default_factory=LogSettings)


def _env_value(raw: str) -> Any:
    """Env values are strings; lists and numbers may be given as JSON (``[1, 2]``)."""
    text = raw.strip()
    if text[:1] in "[{":
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            return raw
    return raw


def _apply_env(data: dict[str, Any], environ: Mapping[str, str]) -> dict[str, str]:
    """Overlay ``CHITHI_SECTION__KEY`` variables; returns key -> variable name for messages."""
    sources: dict[str, str] = {}
    for name, raw in environ.items():
        if not name.startswith(ENV_PREFIX) or name == f"{ENV_PREFIX}CONFIG":
            continue
        parts = name[len(ENV_PREFIX) :].lower().split("__")
        if len(parts) != 2 or not all(parts):
            continue
        section, key = parts
        target = data.setdefault(section, {})
        if isinstance(target, dict):
            target[key] = _env_value(raw)
            sources[f"{section}.{key}"] = name
    return sources


def _describe(error: Mapping[str, Any], data: Mapping[str, Any]) -> tuple[str, str]:
    loc = [str(p) for p in error["loc"]]
    section = loc[0] if loc else ""
    key = ".".join(loc[1:])
    where = f"[{section}] {key}".strip() if key else f"[{section}]"
    kind = error["type"]
    if kind == "extra_forbidden":
        known = _known_keys(section if key else "")
        guess = difflib.get_close_matches(loc[-1], known, n=1)
        hint = f" (did you mean '{guess[0]}'?)" if guess else ""
        what = "unknown section" if not key else "unknown key"
        return (f"[{section}]" if not key else where), f"{what}{hint}"
    msg = str(error["msg"])
    msg = msg.removeprefix("Value error, ")
    value = error.get("input")
    secret = section == "bot" or (section == "webhook" and key == "secret_token")
    shown = "" if isinstance(value, dict | SecretStr) or secret else f", got {value!r}"
    return where, f"{msg}{shown}"


def _known_keys(section: str) -> list[str]:
    if not section:
        return list(Settings.model_fields)
    field = Settings.model_fields.get(section)
    model = field.annotation if field else None
    if isinstance(model, type) and issubclass(model, BaseModel):
        return list(model.model_fields)
    return []


def load_settings(
    path: Path | str | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Read settings from ``path`` (or ``$CHITHI_CONFIG``, or ``./config.toml`` if present).

    Without any file the defaults apply (demo mode on the sandbox server).
    """
    env = os.environ if environ is None else environ
    explicit = path is not None or f"{ENV_PREFIX}CONFIG" in env
    file = Path(path if path is not None else env.get(f"{ENV_PREFIX}CONFIG", DEFAULT_CONFIG_PATH))
    data: dict[str, Any] = {}
    if file.exists():
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{file}: invalid TOML: {exc}") from None
        except OSError as exc:
            raise ConfigError(f"{file}: cannot read: {exc.strerror}") from None
    elif explicit:
        raise ConfigError(
            f"{file}: file not found; copy config.example.toml to {file} or pass --config PATH"
        )
    for section, value in data.items():
        if not isinstance(value, dict):
            raise ConfigError(f"{file}: [{section}]: expected a table of keys, got {value!r}")
    sources = _apply_env(data, env)
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where, what = _describe(first, data)
        dotted = where.strip("[]").replace("] ", ".")
        origin = f"{file} (via ${sources[dotted]})" if dotted in sources else str(file)
        raise ConfigError(f"{origin}: {where}: {what}") from None
