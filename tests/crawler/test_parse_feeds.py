"""parse_feed / read_feed on saved feeds: exact values out of real payload shapes."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

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


def test_malformed_feed_is_a_problem_and_readable_entries_are_kept() -> None:
    page = read_feed(fixture_bytes("malformed_feed.xml"), "https://broken.example.com/rss")

    assert page.problems == ["malformed feed: <unknown>:13:51: mismatched tag"]
    assert page.mentions[0].external_id == "broken-1"
    assert page.mentions[0].text == "It flies, mostly."


def test_external_entities_are_never_resolved() -> None:
    page = read_feed(fixture_bytes("xxe_feed.xml"), "https://xxe.example.com/rss")

    mention = page.mentions[0]
    assert mention.text == "before [&secret] after"
    assert mention.title == "Acme review"  # a plain-text entity is still expanded
    assert page.problems == ["malformed feed: <unknown>:12:30: undefined entity"]


def test_an_html_page_is_not_a_feed() -> None:
    page = read_feed(b"<html><body><p>Please complete the CAPTCHA</p></body></html>", BLOG)

    assert page.mentions == []
    assert len(page.problems) == 1


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
