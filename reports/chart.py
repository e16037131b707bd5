"""The weekly chart: mention volume as bars, the negative share as a line on a second axis.

Drawn with matplotlib's object API on the Agg canvas: no pyplot global state, no display.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

from matplotlib import rc_context
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator, PercentFormatter

from reports.weekly import WeekTotal

BAR_COLOUR = "#4c78a8"
LINE_COLOUR = "#e45756"
MAX_WEEK_LABELS = 13  # more would overlap: a long window labels every second week or so


def render_chart(totals: Sequence[WeekTotal], path: Path, title: str) -> Path:
    """Write the chart of `totals` to `path` as PNG; with no mentions it says "no data"."""
    # Text large enough to read when the 800 px image shrinks to a phone's width.
    with rc_context({"font.size": 13, "axes.titlesize": 15, "xtick.labelsize": 11}):
        figure = Figure(figsize=(8, 4.5), dpi=100, layout="constrained")
        FigureCanvasAgg(figure)
        volume = figure.add_subplot()
        volume.set_title(title)
        if any(total.mentions for total in totals):
            _draw(figure, volume, totals)
        else:
            _draw_no_data(volume)
        figure.savefig(path, format="png")
    return path


def _draw(figure: Figure, volume: Axes, totals: Sequence[WeekTotal]) -> None:
    labels = [total.iso_label for total in totals]
    bars = volume.bar(labels, [total.mentions for total in totals], color=BAR_COLOUR)
    volume.set_ylabel("mentions")
    volume.yaxis.set_major_locator(MaxNLocator(integer=True))
    volume.tick_params(axis="x", labelrotation=45)
    volume.set_xticks(*week_ticks(labels))
    line = _draw_share(volume.twinx(), labels, _shares(totals))
    figure.legend(
        [bars.patches[0], line], ["mentions", "% negative"], loc="outside lower center", ncols=2
    )


def week_ticks(labels: Sequence[str], limit: int = MAX_WEEK_LABELS) -> tuple[list[int], list[str]]:
    """Positions and labels of at most `limit` evenly spaced weeks, the last one included."""
    step = max(1, math.ceil(len(labels) / limit))
    first = (len(labels) - 1) % step
    positions = list(range(first, len(labels), step))
    return positions, [labels[position] for position in positions]


def _draw_share(share: Axes, labels: list[str], shares: list[float]) -> Line2D:
    (line,) = share.plot(labels, shares, color=LINE_COLOUR, marker="o", clip_on=False)
    share.set_ylim(0, 100)
    share.yaxis.set_major_formatter(PercentFormatter())
    share.set_ylabel("negative share", color=LINE_COLOUR)
    return line


def _shares(totals: Sequence[WeekTotal]) -> list[float]:
    # A week without mentions has no share: NaN leaves a gap instead of a false 0 %.
    return [total.negative_share * 100 if total.mentions else math.nan for total in totals]


def _draw_no_data(volume: Axes) -> None:
    volume.text(0.5, 0.5, "no data", ha="center", va="center", fontsize=18, color="grey")
    volume.set_xticks([])
    volume.set_yticks([])
