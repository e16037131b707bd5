"""The HTML report renders in a real browser: headless Chromium screenshots it at phone width."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest
from matplotlib import image

from alerts.playbook import load_playbook
from reports.chart import render_chart
from reports.html import write_html
from reports.report_data import collect_weekly_report
from storage.db import session_scope
from tests.reports.conftest import NOW, W48, build_week

CHROMIUM = Path("/usr/bin/chromium")
SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "screenshot_report.sh"

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="Debian's chromium is not installed at /usr/bin/chromium (apt-get install chromium)",
)


@pytest.fixture
def report_page(sqlite_url: str, tmp_path: Path) -> Path:
    with session_scope(sqlite_url) as session:
        build_week(session)
    with session_scope(sqlite_url) as session:
        report = collect_weekly_report(
            session,
            title="Acme weekly report",
            week=W48,
            weeks=3,
            brand="Acme",
            playbook=load_playbook(),
            now=NOW,
        )
    chart = render_chart(report.totals, tmp_path / "weekly.png", "Acme")
    return write_html(report, chart, tmp_path / "weekly.html")


def test_report_renders_at_phone_width(report_page: Path, tmp_path: Path) -> None:
    shot = tmp_path / "shot.png"
    subprocess.run(
        [str(SCRIPT), str(report_page), str(shot), "420", "1600"],
        check=True,
        timeout=120,
        capture_output=True,
    )
    pixels = image.imread(str(shot))
    assert pixels.shape[:2] == (1600, 420)
    grey = pixels[..., :3].mean(axis=2)
    # A blank or error page is (nearly) one colour; the report has text, cards and a chart.
    assert (grey < 0.5).mean() > 0.02  # dark ink: text
    assert (grey > 0.9).mean() > 0.5  # mostly a light page
    assert len(np.unique((pixels[..., :3] * 255).astype(int).reshape(-1, 3), axis=0)) > 50
    heading = grey[:60]  # the title sits at the top
    assert (heading < 0.5).any()
