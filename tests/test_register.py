"""Vietnamese texts keep the register of a party organisation: members are "đồng chí", never
"bạn" or "anh/chị", and no English word stands in for a Vietnamese one ("link", "bot", "chat",
"OK"...). Commands, placeables, config keys and code spans are not prose and are skipped."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fluent.syntax import FluentParser
from fluent.syntax.ast import Message, Pattern, TextElement

VI = Path(__file__).resolve().parent.parent / "bot" / "locale" / "vi"

# Words a Vietnamese text must not use, and what to write instead.
FORBIDDEN = {
    r"bạn": "đồng chí",
    r"anh/chị|anh chị|quý vị": "đồng chí",
    r"link|links": "đường liên kết",
    r"bot": "Chithi",
    r"chat": "trò chuyện",
    r"ok|okay": "đồng ý / xong",
    r"click": "bấm",
    r"menu": "trình đơn",
    r"admin": "quản trị viên",
    r"online|offline": "trực tuyến",
    r"email": "thư điện tử",
    r"username": "tên Telegram",
    r"nơi ban hành": "cơ quan ban hành",
    # one term for one thing: a unit's link, and the units someone is in charge of
    r"đường dẫn": "đường liên kết",
    r"đồng chí quản lý|phạm vi đồng chí": "các đơn vị đồng chí phụ trách",
}
_FORBIDDEN = re.compile(r"(?<![\w/@.-])(" + "|".join(FORBIDDEN) + r")(?![\w-])", re.IGNORECASE)

# Not prose: a command (/link), an @name, code, a tag, a config key ([bot] token, --flag,
# CHITHI_...), an address, a CLI line ("chithi units links"), and Telegram's "Bot API" (a
# proper name, in operators' messages only).
_NOT_PROSE = re.compile(
    r"/[a-z_]+|@\w+|<code>.*?</code>|<[^>]+>|\[[a-z]+\](?: [a-z_]+)?|--[\w-]+|CHITHI_\w+"
    r"|https?://\S+|chithi [a-z]+(?: [a-z]+)?|\bBot API\b|@BotFather",
    re.DOTALL,
)


# Words that are values the user must type as they are, not prose: the CLI's role names and
# the TOML field names of a directive file.
ALLOWED = {
    ("roles-cli-bad-role", "admin"),
    ("rule-field-links", "links"),
}


def _prose(pattern: Pattern) -> str:
    """The text of a message with its placeables ({ $x }) left out."""
    return " ".join(e.value for e in pattern.elements if isinstance(e, TextElement))


def _messages() -> list[tuple[str, str, str]]:
    found = []
    for file in sorted(VI.glob("*.ftl")):
        resource = FluentParser().parse(file.read_text(encoding="utf-8"))
        for entry in resource.body:
            if isinstance(entry, Message) and entry.value is not None:
                text = _NOT_PROSE.sub(" ", _prose(entry.value))
                found.append((file.name, entry.id.name, text))
    return found


def _offences(text: str) -> list[str]:
    return [m.group(1) for m in _FORBIDDEN.finditer(text)]


def test_the_scan_reads_every_vietnamese_file() -> None:
    files = {name for name, _, _ in _messages()}
    assert files == {f.name for f in VI.glob("*.ftl")}
    assert len(_messages()) > 300


@pytest.mark.parametrize(
    "text",
    [
        "Bạn đã nhận văn bản.",
        "Hãy mở đường link do bí thư gửi.",
        "Thêm bot vào nhóm.",
        "Mở chat riêng.",
        "Bấm OK để tiếp tục.",
        "Click vào nút.",
        "Nơi ban hành: Tỉnh ủy",
        "Hãy dùng đường dẫn tham gia.",
        "Không có đơn vị trong các đơn vị đồng chí quản lý.",
    ],
)
def test_the_scan_catches_each_forbidden_word(text: str) -> None:
    assert _offences(_NOT_PROSE.sub(" ", text))


@pytest.mark.parametrize(
    "text",
    [
        "Gõ /link BP-DX-01 trong nhóm.",
        "Đặt [bot] token trong tệp cấu hình.",
        "Mở @chithi_bot rồi bấm Bắt đầu.",
        "Bot API tại máy này từ chối.",
        "chithi units links --out qr/",
        "Đồng chí bấm Đã nhận.",
    ],
)
def test_commands_names_and_config_keys_are_not_prose(text: str) -> None:
    assert _offences(_NOT_PROSE.sub(" ", text)) == []


def test_vietnamese_texts_use_the_register_of_a_party_organisation() -> None:
    bad = [
        f"{name} {key}: «{word}» (viết: {_hint(word)})"
        for name, key, text in _messages()
        for word in _offences(text)
        if (key, word) not in ALLOWED
    ]
    assert bad == []


def _hint(word: str) -> str:
    for pattern, instead in FORBIDDEN.items():
        if re.fullmatch(pattern, word, re.IGNORECASE):
            return instead
    return "?"
