"""The weekly report as one self-contained HTML page: no scripts, no external assets.

Rendered with a Jinja2 template whose autoescaping is always on, so text from the web
(quotes, authors, titles, error messages) shows as written and cannot add markup; links
are kept only for http(s) URLs. A Content-Security-Policy meta tag forbids scripts and
any request outside the page, as a second line of defence. The chart is embedded as a
``data:`` URI, so the file can be mailed or opened offline, and the layout fits a phone.
"""

from __future__ import annotations

import base64
from pathlib import Path
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined

from reports import formatting as fmt
from reports.report_data import WeeklyReport

TEMPLATE = "weekly.html"  # next to this module, so setuptools ships it as package data


def safe_href(url: str | None) -> str | None:
    """`url` when it is an http(s) URL with a host, else None (no javascript:, data:…)."""
    if not url or any(ch.isspace() or ord(ch) < 32 for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme.lower() in ("http", "https") and parts.hostname else None


def png_data_uri(path: Path) -> str:
    """The PNG file at `path` as a ``data:image/png;base64,…`` URI."""
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("reports", "."),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        share=fmt.share,
        number=fmt.number,
        signed=fmt.signed,
        points=fmt.signed_points,
        percent=fmt.signed_percent,
        duration=fmt.duration,
        href=safe_href,
    )
    return env


def render_html(report: WeeklyReport, chart_path: Path | None) -> str:
    """The report page as text; without a chart the page says so."""
    template = _environment().get_template(TEMPLATE)
    chart = png_data_uri(chart_path) if chart_path is not None else None
    return template.render(report=report, chart=chart, unknown=fmt.UNKNOWN)


def write_html(report: WeeklyReport, chart_path: Path | None, path: Path) -> Path:
    """Write the report page to `path` (UTF-8)."""
    path.write_text(render_html(report, chart_path), encoding="utf-8")
    return path
