"""parse_feed / read_feed on saved feeds: exact values out of real payload shapes."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest

from crawler.parsing import parse_feed, read_feed
from crawler.parsing.feeds import unwrap_redirect
from storage.repository import MentionData
from tests.crawler.conftest import fixture_bytes

BLOG = "https://gadgets.example.net/feed.xml"


def test_google_alerts_atom_entries() -> None:
    mentions = parse_feed(
        fixture_bytes("google_alerts.atom"), "https://www.google.com/alerts/feeds/1/2"
    )

    first = mentions[0]
    assert len(mentions) == 2
    assert first.external_id == "tag:google.com,2013:googlealerts/feed:13145657620290032035"
    assert first.url == "https://news.example.com/2024/03/04/acme-rocket-skates-recall"
    assert first.title == "Acme Rocket Skates recalled after wheel failures - Desert Daily"
    assert first.text == (
        "Owners of Acme Rocket Skates report wheels coming loose at speed; "
        "the company says a fix is coming ..."
    )
    assert first.author is None  # Google Alerts sends an empty <author><name/>
    assert first.published_at == datetime(2024, 3, 4, 8, 2, 11, tzinfo=UTC)
    assert first.rating is None
    assert mentions[1].text == (
        "Three years in, the Acme Rocket Skates are still the fastest thing on my street "
        "& the support team answered in an hour ..."
    )


def test_rss2_entry_with_guid_creator_and_content() -> None:
    mention = parse_feed(fixture_bytes("blog_rss2.xml"), BLOG)[0]

    assert mention == MentionData(
        external_id="gadget-corner-post-1842",
        url="https://gadgets.example.net/2024/03/acme-anvil-3000-review",
        title="Acme Anvil 3000: heavy, loud and broken in a week",
        text=(
            "The Acme Anvil 3000 looked solid. "
            "The handle cracked on day six & support never replied."
        ),
        author="Wile E. Coyote",
        lang="en",
        published_at=datetime(2024, 3, 5, 8, 30, tzinfo=UTC),
        raw_excerpt=mention.raw_excerpt,
    )
    assert '"id": "gadget-corner-post-1842"' in (mention.raw_excerpt or "")


def test_rss2_ids_fall_back_to_the_link_then_to_a_content_hash() -> None:
    _, no_guid, nothing = parse_feed(fixture_bytes("blog_rss2.xml"), BLOG)

    assert no_guid.external_id == "https://gadgets.example.net/2024/03/acme-giant-magnet"
    assert no_guid.url == no_guid.external_id  # relative link resolved against the feed URL
    assert no_guid.text == "Strong, cheap, a little too strong."
    title = "Reader mail: the Acme catalogue arrived"
    text = "A reader writes that the new catalogue arrived two weeks late."
    expected = hashlib.sha256(f"{title}\x1f{text}\x1f".encode()).hexdigest()
    assert nothing.external_id == f"sha256:{expected}"
    assert (nothing.url, nothing.published_at) == (None, None)


def test_a_malformed_feed_read_leniently_is_a_warning_and_its_entries_are_kept() -> None:
    page = read_feed(fixture_bytes("malformed_feed.xml"), "https://broken.example.com/rss")

    assert page.problems == []
    assert page.warnings == [
        "malformed feed: <unknown>:13:51: mismatched tag; read leniently (2 entries)"
    ]
    assert page.mentions[0].external_id == "broken-1"
    assert page.mentions[0].text == "It flies, mostly."
    assert page.mentions[1].title == "Acme Tornado Seeds: do not buy"


def test_external_entities_are_never_resolved() -> None:
    page = read_feed(fixture_bytes("xxe_feed.xml"), "https://xxe.example.com/rss")

    mention = page.mentions[0]
    assert mention.text == "before [&secret] after"
    assert mention.title == "Acme review"  # a plain-text entity is still expanded
    assert page.warnings == [
        "malformed feed: <unknown>:12:30: undefined entity; read leniently (1 entry)"
    ]


def test_an_html_page_is_not_a_feed() -> None:
    page = read_feed(b"<html><body><p>Please complete the CAPTCHA</p></body></html>", BLOG)

    assert page.mentions == []
    assert page.problems == [
        "not a feed: this is an HTML page; "
        "repwatch reads RSS 1.0/2.0 and Atom: use the site's feed URL"
    ]


def test_body_is_never_taken_for_a_url_or_a_path() -> None:
    assert read_feed(b"/etc/hostname", BLOG).mentions == []


def test_unwrap_redirect_only_touches_google_redirects() -> None:
    wrapped = "https://www.google.com/url?rct=j&sa=t&url=https://a.example/x&ct=ga"
    assert unwrap_redirect(wrapped) == "https://a.example/x"
    assert unwrap_redirect("https://www.google.com/url?url=javascript:alert(1)").startswith(
        "https://www.google.com/"
    )
    assert unwrap_redirect("https://a.example/url?url=https://b.example/") == (
        "https://a.example/url?url=https://b.example/"
    )


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("feedparser_chardet_euckr.xml", "EUC-KR 에서 TypeKey 한글닉네임 표시하기"),
        ("feedparser_chardet_shiftjis.xml", "DrecomRSSに記事投稿が反映されない…"),
        ("feedparser_chardet_eucjp.xml", "ゲーム三昧な正月"),
    ],
)
def test_a_feed_without_any_charset_declaration_is_detected(name: str, title: str) -> None:
    (mention,) = read_feed(fixture_bytes(name), BLOG).mentions

    assert mention.title == title


def test_a_thai_feed_without_a_declaration_is_detected() -> None:
    (mention,) = read_feed(fixture_bytes("feedparser_chardet_tis620.xml"), BLOG).mentions

    assert mention.text.startswith("สำนักงานส่งเสริมอุตสาหกรรมซอฟต์แวร์แห่งชาติ")


def test_the_xml_declaration_names_the_charset_of_the_bytes() -> None:
    feed = fixture_bytes("google_news_ko.xml").decode("utf-8")
    declared = '<?xml version="1.0" encoding="EUC-KR"?>\n' + feed

    (mention,) = read_feed(declared.encode("euc-kr", errors="replace"), BLOG).mentions

    assert mention.title is not None and "삼성전자" in mention.title


def test_a_blank_line_before_the_xml_declaration_is_not_an_error() -> None:
    # Real feeds have one, left by their template; XML forbids it, nothing is lost.
    body = b'\n\n<?xml version="1.0" encoding="UTF-8"?>' + fixture_bytes("techcrunch_feed.rss")

    page = read_feed(body, "https://techcrunch.com/feed/")

    assert (page.problems, page.warnings) == ([], [])
    assert [m.title for m in page.mentions] == [
        "What is wearable neurotech and why might we need it?"
    ]
    assert page.mentions[0].author == "Natasha Lomas"


def test_cdf_is_named_plainly() -> None:
    channel = b"<CHANNEL HREF='https://a.example/'><ABSTRACT>News</ABSTRACT></CHANNEL>"
    with_item = b"<CHANNEL><ITEM HREF='https://a.example/1'><TITLE>One</TITLE></ITEM></CHANNEL>"

    assert read_feed(channel, BLOG).problems == [
        "not an RSS or Atom feed: this is CDF (Channel Definition Format, <CHANNEL>); "
        "repwatch reads RSS 1.0/2.0 and Atom: use the site's feed URL"
    ]
    page = read_feed(with_item, BLOG)
    assert (len(page.mentions), page.problems) == (1, [])
    assert page.warnings == [
        "not an RSS or Atom feed: this is CDF (Channel Definition Format, <CHANNEL>); "
        "read leniently (1 entry)"
    ]


def test_an_empty_payload_says_so() -> None:
    assert read_feed(b"", BLOG).problems == [
        "not a feed: the payload is empty or holds no XML element; "
        "repwatch reads RSS 1.0/2.0 and Atom: use the site's feed URL"
    ]
