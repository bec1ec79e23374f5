"""The /stats chart: 📊 Biểu đồ sends a PNG 1080 px wide of the child units' completion."""

from __future__ import annotations

import io

from PIL import Image

from bot.services.chart import DPI, MAX_BARS, WIDTH_PX, ChartTexts, render_chart
from bot.services.rollup import Figures
from tests.kit.harness import Harness, buttons_of
from tests.kit.publishing import NUMBER, publish_sample
from tests.kit.scene import build_scene

TEXTS = ChartTexts("Văn bản 23-CT/TU", "Tỉnh ủy", "Đã nhận", "Đã học tập", "Tỷ lệ (%)", "—")


def _units(n: int) -> list[Figures]:
    out = []
    for i in range(n):
        f = Figures(i + 2, f"U{i}", f"Huyện ủy Bù Đăng {i} $x$", f"/1/{i + 2}/", 1, 1)
        f.members, f.received, f.studied = (0, 0, 0) if i == 3 else (100, 90 - i, 50 - i)
        out.append(f)
    return out


def test_the_chart_is_1080_pixels_wide_and_grows_with_the_units() -> None:
    sizes = {}
    for n in (1, 12, MAX_BARS + 20):
        png = render_chart(_units(n), TEXTS, study=True)
        with Image.open(io.BytesIO(png)) as image:
            assert image.format == "PNG"
            sizes[n] = image.size
    assert all(width == WIDTH_PX for width, _h in sizes.values())
    # 1.75 in above the bars, 1 in below, 0.75 in a unit (two bars); at most MAX_BARS drawn.
    assert sizes[12][1] == round((2.75 + 0.75 * 12) * DPI)
    assert (
        sizes[MAX_BARS + 20]
        == sizes[MAX_BARS + 20]
        == (WIDTH_PX, round((2.75 + 0.75 * MAX_BARS) * DPI))
    )
    with Image.open(io.BytesIO(render_chart(_units(5), TEXTS, study=False))) as image:
        assert image.size == (WIDTH_PX, round((2.75 + 0.55 * 5) * DPI))


async def test_chart_button_sends_the_png(harness: Harness) -> None:
    h = harness
    scene = await build_scene(h)
    await publish_sample(h, scene)
    admin = scene.users["admin"]
    [stats] = await h.send(admin, f"/stats {NUMBER}")
    [chart] = [b["callback_data"] for b in buttons_of(stats) if b["text"] == "📊 Biểu đồ"]
    before = len(h.bot_messages(admin.id))
    await h.press(admin, admin.id, stats["message_id"], chart)
    await h.settle(lambda: len(h.bot_messages(admin.id)) > before)
    photo = h.bot_messages(admin.id)[-1]
    assert photo["caption"] == f"📊 {NUMBER} — Tỉnh ủy Bình Phước"
    biggest = photo["photo"][-1]
    data = h.sandbox.files[biggest["file_id"]].data
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (WIDTH_PX, round((2.75 + 0.75 * 12) * DPI))  # 12 child units
