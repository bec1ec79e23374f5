"""User-visible texts from Fluent files in ``bot/locale/<lang>/*.ftl`` (Vietnamese default)."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from fluent.runtime import FluentBundle, FluentResource
from fluent.syntax.ast import Junk

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("vi", "en")
_BCP47 = {"vi": "vi-VN", "en": "en-US"}
# Fluent refuses a placeable longer than 2,500 characters (fluent.runtime's MAX_PART_LENGTH);
# a longer string argument is put in after formatting instead (see Texts.__call__).
PLACEABLE_LIMIT = 2000


def pick_language(code: str | None, default: str = "vi") -> str:
    """Map a Telegram ``language_code`` (``en-GB``, ``vi``...) to a supported language."""
    if code:
        base = code.split("-")[0].lower()
        if base in LANGUAGES:
            return base
    return default


class Texts:
    """All bundles, loaded once; calling it with a language, a key and arguments formats one."""

    def __init__(self, default: str = "vi", locale_dir: Path = LOCALE_DIR) -> None:
        self.default = default
        self._bundles: dict[str, FluentBundle] = {}
        self._keys: dict[str, set[str]] = {}
        for lang in LANGUAGES:
            bundle = FluentBundle([_BCP47[lang]], use_isolating=False)
            keys: set[str] = set()
            for file in sorted((locale_dir / lang).glob("*.ftl")):
                resource = FluentResource(file.read_text(encoding="utf-8"))
                junk = [e for e in resource.body if isinstance(e, Junk)]
                if junk:  # a syntax error in a locale file must not pass silently
                    raise ValueError(f"{file}: cannot parse: {(junk[0].content or '')[:80]!r}")
                bundle.add_resource(resource)
                keys.update(entry.id.name for entry in resource.body if hasattr(entry, "id"))
            self._bundles[lang] = bundle
            self._keys[lang] = keys

    def keys(self, lang: str) -> set[str]:
        return set(self._keys[lang])

    def __call__(self, lang: str | None, key: str, /, **args: Any) -> str:
        # Positional-only: a text may have arguments called ``lang`` or ``key`` (a TOML
        # error names the offending key) without clashing with these parameters.
        bundle = self._bundles.get(lang or self.default) or self._bundles[self.default]
        if not bundle.has_message(key):
            bundle = self._bundles[self.default]
            if not bundle.has_message(key):
                raise KeyError(f"no text {key!r} in locale files")
        message = bundle.get_message(key)
        if message.value is None:
            raise KeyError(f"text {key!r} has no value")
        fluent_args = {k: _fluent_value(v) for k, v in args.items()}
        # fluent.runtime refuses a placeable longer than 2,500 characters: a long value goes in
        # as a marker (unguessable, so no other value can look like one), replaced afterwards.
        long = {
            k: str(v)
            for k, v in fluent_args.items()
            if isinstance(v, str) and len(v) > PLACEABLE_LIMIT
        }
        marks = {k: f"\ue000{secrets.token_hex(8)}\ue001" for k in long}
        fluent_args.update(marks)
        text, errors = bundle.format_pattern(message.value, fluent_args)
        if errors:
            raise ValueError(f"text {key!r}: {errors[0]}")
        text = str(text)
        # Plain replacement, not a regular expression of the marks: each mark is new, so
        # ``re`` would compile and cache a pattern per call (its cache of 512 filled with
        # dead patterns: a summary tick's memory grew by ~250 KiB once names passed 2,000
        # characters).
        for k, v in long.items():
            text = text.replace(marks[k], v)
        return text

    def for_lang(self, lang: str | None) -> Translator:
        return Translator(self, lang or self.default)


class Translator:
    """Texts bound to one language: call it with a key and the arguments."""

    def __init__(self, texts: Texts, lang: str) -> None:
        self.texts = texts
        self.lang = lang

    def __call__(self, key: str, /, **args: Any) -> str:
        return self.texts(self.lang, key, **args)

    def join(self, keys: Iterable[str], sep: str = "\n") -> str:
        return sep.join(self(k) for k in keys)


class RepeatingTranslator(Translator):
    """A translator for one long text that says the same few things many times (a province's
    /pending: "Chưa nhận (3)" for a thousand units): each key with the same arguments is
    formatted once. Kept for that one text, then dropped."""

    def __init__(self, t: Translator) -> None:
        super().__init__(t.texts, t.lang)
        self._formatted: dict[tuple[str, tuple[tuple[str, Any], ...]], str] = {}

    def __call__(self, key: str, /, **args: Any) -> str:
        found = (key, tuple(sorted(args.items())))
        try:
            return self._formatted[found]
        except KeyError:
            text = self._formatted[found] = super().__call__(key, **args)
            return text
        except TypeError:  # an argument that cannot be a key: formatted each time
            return super().__call__(key, **args)


def _fluent_value(value: Any) -> Any:
    # Fluent formats numbers itself; dates/datetimes are passed already formatted.
    if isinstance(value, datetime | date):
        return value.isoformat()
    if value is None:
        return ""
    return value
