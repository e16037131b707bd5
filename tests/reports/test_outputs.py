"""CSV, console table and PNG chart from hand-made weekly figures."""

from __future__ import annotations

import csv
import io
import struct
from datetime import date
from pathlib import Path

import pytest
from rich.console import Console

from reports.chart import render_chart, week_ticks
from reports.outputs import CSV_COLUMNS, describe_change, render_summary_table, write_csv
from reports.trends import Delta
from reports.weekly import WeekRow, WeekTotal, weekly_totals

W47, W48 = date(2026, 11, 16), date(2026, 11, 23)
ROWS = [
    WeekRow(W47, 3, 1, 2, 2, -0.1, 3.0, "news", "Acme"),
    WeekRow.empty(W47, "reviews", "Acme"),
    WeekRow(W48, 2, 1, 2, 1, -0.3, 2.0, "news", "Acme"),
    WeekRow(W48, 2, 2, 2, 2, -0.75, 1.5, "reviews", "Acme"),
]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == PNG_MAGIC
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk comes first
    return width, height


def table_text(totals: list[WeekTotal]) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, width=120, color_system=None)
    render_summary_table(totals, console, title="Acme: weekly mentions")
    return buffer.getvalue()


def test_csv_has_one_line_per_week_and_source(tmp_path: Path) -> None:
    path = write_csv(ROWS, tmp_path / "weekly.csv")
    with path.open(newline="", encoding="utf-8") as handle:
        lines = list(csv.reader(handle))
    # W48 against W47 (the previous week is also the whole average of a two-week window):
    # news 2 vs 3 mentions (-33.3 %), 50 % vs 33.3 % negative (+16.7 pp), -0.3 vs -0.1;
    # reviews had no mentions in W47, so only the count changes.
    news_changes = ["-1", "16.7", "-0.200", "-33.3", "16.7", "-0.200"]
    first = ["2026-W47", "2026-11-16", "Acme"]
    second = ["2026-W48", "2026-11-23", "Acme"]
    assert lines == [
        list(CSV_COLUMNS),
        [*first, "news", "3", "1", "33.3", "-0.100", "3.00", *[""] * 6],
        [*first, "reviews", "0", "0", "0.0", "", "", *[""] * 6],
        [*second, "news", "2", "1", "50.0", "-0.300", "2.00", *news_changes],
        [*second, "reviews", "2", "2", "100.0", "-0.750", "1.50", "2", *[""] * 5],
    ]


def test_csv_without_rows_is_just_the_header(tmp_path: Path) -> None:
    path = write_csv([], tmp_path / "weekly.csv")
    assert path.read_bytes() == (",".join(CSV_COLUMNS) + "\r\n").encode()


def test_summary_table_shows_weeks_and_changes() -> None:
    output = table_text(weekly_totals(ROWS))
    assert "Acme: weekly mentions" in output
    assert "2026-W47" in output
    assert "2026-W48" in output
    assert "75.0%" in output
    assert "+1, neg +41.7pp" in output
    assert "no data" not in output


def test_summary_table_says_no_data() -> None:
    assert "no data" in table_text([])
    assert "no data" in table_text(weekly_totals([WeekRow.empty(W47, "news")]))


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (None, "–"),
        (Delta(2, None, None, None, None), "+2"),
        (Delta(-1, -0.5, -0.25, 0.1, None), "-1, neg -25.0pp"),
    ],
)
def test_describe_change(change: Delta | None, expected: str) -> None:
    assert describe_change(change) == expected


def test_chart_is_a_png(tmp_path: Path) -> None:
    path = render_chart(weekly_totals(ROWS), tmp_path / "weekly.png", "Acme")
    assert path == tmp_path / "weekly.png"
    assert png_size(path) == (800, 450)


def test_chart_without_data_is_still_drawn(tmp_path: Path) -> None:
    empty = render_chart([], tmp_path / "empty.png", "Acme")
    zeros = render_chart(weekly_totals([WeekRow.empty(W47, "news")]), tmp_path / "z.png", "Acme")
    assert png_size(empty) == png_size(zeros) == (800, 450)
    assert empty.stat().st_size > 0


def test_long_windows_label_every_few_weeks_ending_with_the_last() -> None:
    labels = [f"W{n:02d}" for n in range(1, 53)]
    positions, shown = week_ticks(labels)
    assert positions == list(range(3, 52, 4))
    assert (len(shown), shown[-1]) == (13, "W52")
    assert week_ticks(labels[:8]) == (list(range(8)), labels[:8])
    assert week_ticks([]) == ([], [])
