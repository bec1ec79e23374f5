"""The /stats chart: received and studied shares of each child unit as horizontal bars, a PNG
sized for a phone (1080 px wide, large type). Pure: figures in, bytes out; the handler runs it
off the event loop (``asyncio.to_thread``). DejaVu Sans (shipped with matplotlib) carries every
Vietnamese letter."""

from __future__ import annotations

import io
import math
import textwrap
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")  # no display: must come before pyplot

from matplotlib import pyplot as plt
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from bot.services.rollup import Figures

WIDTH_PX = 1080
DPI = 120
MAX_BARS = 30  # the worst units; the title says how many there are in all
_RECEIVED = "#9ecae1"
_STUDIED = "#1f5fa8"
_RECEIVED_TEXT = "#4f7fa8"
_FONT = "DejaVu Sans"


@dataclass(frozen=True)
class ChartTexts:
    """Every word on the chart, already in the asker's language (plain text)."""

    title: str
    subtitle: str
    received: str
    studied: str
    axis: str
    empty: str  # the label of a unit with nobody in it


def _plain(text: str) -> str:
    """A label as matplotlib must see it: ``$`` would start mathtext."""
    return text.replace("$", r"\$")


def _label(f: Figures, width: int = 22) -> str:
    """A unit's name on at most two lines (cut with an ellipsis beyond)."""
    lines = textwrap.wrap(f.name, width) or [f.code]
    if len(lines) > 2:
        lines = [lines[0], lines[1][: width - 1] + "…"]
    return _plain("\n".join(lines))


def render_chart(units: list[Figures], texts: ChartTexts, study: bool) -> bytes:
    """A PNG of ``units`` (worst first, as given: at most :data:`MAX_BARS` are drawn, worst at
    the top), :data:`WIDTH_PX` pixels wide; its height grows with the number of units."""
    shown = units[:MAX_BARS]
    n = max(1, len(shown))
    row = 0.75 if study else 0.55  # inches per unit
    top, bottom = 1.75, 1.0  # inches above the bars (titles, legend) and below (axis)
    height = top + row * n + bottom
    width = WIDTH_PX / DPI
    fig: Figure = plt.figure(figsize=(width, height), dpi=DPI)
    try:
        with plt.rc_context({"font.family": _FONT, "font.size": 15}):
            ax = fig.add_axes((0.36, bottom / height, 0.50, row * n / height))
            ys = list(range(len(shown)))
            received = [f.received_pct or 0.0 for f in shown]
            studied = [f.studied_pct or 0.0 for f in shown]
            thick = 0.38 if study else 0.6
            if study:
                ax.barh([y - thick / 2 for y in ys], received, thick, color=_RECEIVED)
                ax.barh([y + thick / 2 for y in ys], studied, thick, color=_STUDIED)
                handles = [(texts.received, _RECEIVED), (texts.studied, _STUDIED)]
            else:
                ax.barh(ys, received, thick, color=_STUDIED)
                handles = [(texts.received, _STUDIED)]
            for y, f in zip(ys, shown, strict=True):  # the figures at the end of each row
                values = [(f.received_pct, _RECEIVED_TEXT, 14, "normal", -thick / 2)]
                values.append((f.studied_pct, "black", 16, "bold", thick / 2))
                if not study or f.members == 0:  # one figure (or one dash for nobody)
                    values = [(f.received_pct, "black", 16, "bold", 0.0)]
                for value, colour, size, weight, dy in values:
                    label = texts.empty if value is None else f"{math.floor(value)}%"
                    ax.text(
                        103,
                        y + dy,
                        label,
                        va="center",
                        ha="left",
                        color=colour,
                        fontsize=size,
                        fontweight=weight,
                        clip_on=False,
                    )
            ax.set_yticks(ys, [_label(f) for f in shown], fontsize=14)
            ax.set_ylim(len(shown) - 0.5, -0.5)  # worst at the top
            ax.set_xlim(0, 100)
            ax.set_xticks([0, 25, 50, 75, 100], ["0", "25", "50", "75", "100"], fontsize=13)
            ax.xaxis.grid(True, color="#dddddd")
            ax.set_axisbelow(True)
            for side in ("top", "right"):
                ax.spines[side].set_visible(False)
            ax.set_xlabel(_plain(texts.axis), fontsize=14)
            fig.text(
                0.03,
                1 - 0.3 / height,
                _plain(texts.title),
                fontsize=22,
                fontweight="bold",
                va="top",
            )
            fig.text(
                0.03,
                1 - 0.8 / height,
                _plain(texts.subtitle),
                fontsize=15,
                color="#444444",
                va="top",
            )
            x = 0.03
            for text, colour in handles:  # a legend of coloured squares on one line
                fig.patches.append(
                    Rectangle(
                        (x, 1 - 1.38 / height),
                        0.025,
                        0.2 / height,
                        color=colour,
                        transform=fig.transFigure,
                    )
                )
                fig.text(x + 0.035, 1 - 1.28 / height, _plain(text), fontsize=15, va="center")
                x += 0.3
            out = io.BytesIO()
            fig.savefig(out, format="png", dpi=DPI)
    finally:
        plt.close(fig)
    return out.getvalue()
