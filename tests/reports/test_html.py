"""The HTML page: structure, self-containment, escaping of web text, safe links."""

from __future__ import annotations

import base64
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from alerts.playbook import load_playbook
from reports.chart import render_chart
from reports.html import render_html, safe_href, write_html
from reports.report_data import WeeklyReport, collect_weekly_report
from tests.reports.conftest import HOSTILE_AUTHOR, NOW, W48

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
HTML_ESCAPED_AUTHOR = "&lt;b&gt;Mallory&lt;/b&gt;"


class Page(HTMLParser):
    """Every start tag with its attributes, and the text, as the browser would parse it."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]

    @property
    def plain(self) -> str:
        return " ".join(" ".join(self.text).split())


def collect(session: Session, brand: str | None = "Acme") -> WeeklyReport:
    return collect_weekly_report(
        session,
        title="Acme weekly report",
        week=W48,
        weeks=3,
        brand=brand,
        playbook=load_playbook(),
        now=NOW,
        brand_words=["Acme"],
    )


@pytest.fixture
def page(week: Session, tmp_path: Path) -> tuple[str, Page]:
    report = collect(week)
    chart = render_chart(report.totals, tmp_path / "weekly.png", "Acme")
    html = write_html(report, chart, tmp_path / "weekly.html").read_text(encoding="utf-8")
    return html, Page(html)


def test_hostile_text_is_escaped_and_runs_nothing(page: tuple[str, Page]) -> None:
    html, parsed = page
    assert parsed.all("script") == []
    assert '<script>alert("x")</script>' not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; worse" in html
    assert "<b>" not in html and HTML_ESCAPED_AUTHOR in html
    # The browser shows the words as written.
    assert 'leaking from the lid <script>alert("x")</script> & worse' in parsed.plain
    assert f"— {HOSTILE_AUTHOR}, forum" in parsed.plain
    assert "parse failed: <html> page" in parsed.plain


def test_links_are_http_only(page: tuple[str, Page]) -> None:
    html, parsed = page
    hrefs = [attrs["href"] for attrs in parsed.all("a")]
    assert hrefs == ["https://shop.example/1", "https://shop.example/6"]
    assert "javascript:" not in html
    assert all(attrs["rel"] == "noopener noreferrer nofollow" for attrs in parsed.all("a"))


def test_page_is_self_contained_and_fits_a_phone(page: tuple[str, Page]) -> None:
    _, parsed = page
    metas = {attrs.get("name") or attrs.get("http-equiv"): attrs for attrs in parsed.all("meta")}
    assert metas["viewport"]["content"] == "width=device-width, initial-scale=1"
    assert "default-src 'none'" in str(metas["Content-Security-Policy"]["content"])
    assert parsed.all("link") == [] and parsed.all("iframe") == []
    (image,) = parsed.all("img")
    src = str(image["src"])
    assert src.startswith("data:image/png;base64,")
    assert base64.b64decode(src.split(",", 1)[1])[:8] == PNG_MAGIC
    srcs = [attrs["src"] for _, attrs in parsed.tags if "src" in attrs]
    assert srcs == [src]


def test_page_has_every_section_with_the_figures(page: tuple[str, Page]) -> None:
    _, parsed = page
    headings = [text for text in parsed.text if text.strip()]
    for section in (
        "Volume and negative share",
        "Sources in 2026-W48",
        "Top negative themes",
        "Incidents",
        "Response",
        "Source health",
    ):
        assert section in headings
    plain = parsed.plain
    assert "MENTIONS" in plain.upper() and "60.0%" in plain and "6 of 10 mentions" in plain
    assert "vs last week +35.0 pp" in plain
    assert "leaking · lid · 3 mentions" in plain
    assert "고객센터 · 2 mentions" in plain
    assert "“고객센터 연락이 안 돼요.”" in plain
    assert "spike of negative mentions on forum" in plain
    assert "6 alerts raised this week; acknowledged in 25m (median), 30m (p90)" in plain
    assert "60.0% within the SLA" in plain
    assert "Open overdue alerts: 2" in plain
    assert "1 of 3 sources healthy this week." in plain


def test_empty_report_says_no_data(db_session: Session) -> None:
    parsed = Page(render_html(collect(db_session, brand=None), None))
    plain = parsed.plain
    assert "No data: no mentions were collected in these 3 weeks, and no source" in plain
    assert "No negative mentions this week." in plain
    assert "No incidents this week." in plain
    assert "No alerts were raised this week." in plain
    assert "Open overdue alerts: 0" in plain
    assert "No sources configured yet." in plain
    assert parsed.all("img") == []


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.com/a?b=1&c=2", "https://example.com/a?b=1&c=2"),
        ("HTTP://EXAMPLE.COM", "HTTP://EXAMPLE.COM"),
        ("javascript:alert(1)", None),
        ("data:text/html,<script>", None),
        ("//example.com/x", None),
        ("https:///nohost", None),
        ("https://exa mple.com", None),
        (None, None),
        ("", None),
    ],
)
def test_safe_href(url: str | None, expected: str | None) -> None:
    assert safe_href(url) == expected
