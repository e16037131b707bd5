"""Block Kit as plain dicts: escaping, link safety, Slack limits, the checklist."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from alerts.mention_blocks import alert_message, fallback_text
from alerts.playbook import load_playbook
from alerts.rules import decide
from alerts.severity import Severity
from alerts.view import AlertView, StepView, app_details, build_alert_view
from config.settings import RulesConfig
from crawler.parsing.googleplay import read_googleplay
from delivery.slack_text import (
    MAX_BLOCKS,
    MAX_SECTION_CHARS,
    context,
    escape,
    limit_blocks,
    link,
    safe_url,
    slack_date,
    truncate,
)
from tests.alerts.factories import NOW, make_mention, make_score
from tests.crawler.conftest import fixture_bytes

HOSTILE = "<!channel> call <@U123> now: <https://evil.example|click here> & win"


def make_view(**mention: Any) -> AlertView:
    values: dict[str, Any] = {"text": "The battery caught fire.", "rating": 1} | mention
    row = make_mention(**values)
    score = make_score(mention=row, prob_negative=0.97)
    decision = decide(row, score, RulesConfig())
    assert decision is not None
    return build_alert_view(row, score, decision, load_playbook(), brand="Acme", start=NOW)


def all_texts(blocks: list[dict[str, Any]]) -> list[str]:
    texts = []
    for block in blocks:
        texts += [block["text"]["text"]] if "text" in block else []
        texts += [item["text"] for item in block.get("fields", []) + block.get("elements", [])]
    return texts


def by_type(message: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [block for block in message["blocks"] if block["type"] == kind]


def test_escape_covers_slack_control_characters() -> None:
    assert escape("a & b <c> d") == "a &amp; b &lt;c&gt; d"


def test_hostile_web_text_shows_as_text_everywhere() -> None:
    view = make_view(text=HOSTILE, author=HOSTILE, title=HOSTILE)
    message = alert_message(view)
    dumped = json.dumps(message, ensure_ascii=False)
    for raw in ("<!channel>", "<@U123>", "<https://evil.example"):
        assert raw not in dumped
    quote = by_type(message, "section")[1]["text"]["text"]
    assert (
        "&lt;!channel&gt; call &lt;@U123&gt; now: &lt;https://evil.example|click here&gt; &amp; win"
        in quote
    )
    assert "&lt;!channel&gt;" in message["text"]


def test_every_mrkdwn_text_is_verbatim_so_names_are_not_linked() -> None:
    message = alert_message(make_view(text="ping @channel and #general"))
    objects = [b["text"] for b in message["blocks"] if b.get("text", {}).get("type") == "mrkdwn"]
    objects += [f for b in message["blocks"] for f in b.get("fields", []) + b.get("elements", [])]
    assert objects and all(item["verbatim"] is True for item in objects)


def test_message_does_not_unfurl_links() -> None:
    message = alert_message(make_view())
    assert message["unfurl_links"] is False and message["unfurl_media"] is False


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "ftp://example.com/x",
        "https://",
        "https://ex ample.com",
        "data:text/html,hi",
        "https://example.com/\nx",
        None,
        "",
    ],
)
def test_unsafe_urls_are_never_linked(url: str | None) -> None:
    assert safe_url(url) is None
    assert link(url, "Open") is None


def test_link_characters_that_would_break_out_are_encoded() -> None:
    target = "https://example.com/a|b<c>?x=1&y=2"
    assert (
        link(target, "Open <it>")
        == "<https://example.com/a%7Cb%3Cc%3E?x=1&amp;y=2|Open &lt;it&gt;>"
    )


def test_link_block_falls_back_to_text_for_an_unsafe_url() -> None:
    message = alert_message(make_view(url="javascript:alert(document.cookie)"))
    texts = " ".join(all_texts(message["blocks"]))
    assert "javascript" not in texts
    assert "No safe link to the original." in texts


def test_link_block_links_the_original() -> None:
    message = alert_message(make_view(url="https://reviews.example.com/acme/7"))
    assert (
        "<https://reviews.example.com/acme/7|Open the original> (reviews.example.com)"
        in all_texts(message["blocks"])
    )


def test_truncation_is_marked_and_never_splits_an_escape() -> None:
    assert truncate("x" * 10, 10) == "x" * 10
    assert truncate(escape("x" * 10 + "&"), 12) == "x" * 10 + "…"
    assert truncate("see <https://a.example|a>", 12) == "see…"


def test_long_quote_is_cut_within_limits_and_marked() -> None:
    message = alert_message(make_view(text="word & " * 3000))
    quote = by_type(message, "section")[1]["text"]["text"]
    assert quote.endswith("…") and len(quote) <= MAX_SECTION_CHARS
    assert all(len(text) <= MAX_SECTION_CHARS for text in all_texts(message["blocks"]))
    assert len(message["text"]) <= 300


def test_long_checklist_stays_within_the_section_limit() -> None:
    view = make_view()
    steps = [StepView(n, f"Step {n}", "g" * 400, NOW + timedelta(hours=n)) for n in range(1, 20)]
    message = alert_message(replace(view, steps=steps))
    checklist = by_type(message, "section")[3]["text"]["text"]
    assert len(checklist) <= MAX_SECTION_CHARS and checklist.endswith("…")


def test_block_count_is_capped_with_a_marker() -> None:
    blocks = [context(f"b{n}") for n in range(60)]
    kept = limit_blocks(blocks)
    assert len(kept) == MAX_BLOCKS
    assert kept[-1]["elements"][0]["text"] == "… 11 more blocks not shown"
    assert limit_blocks(blocks[:5]) == blocks[:5]


def test_checklist_shows_every_step_and_marks_the_current_one_with_its_deadline() -> None:
    view = make_view()
    checklist = by_type(alert_message(view), "section")[3]["text"]["text"]
    assert checklist.startswith("*Response playbook*\n▶ *1. Acknowledge fast* — *due <!date^")
    due = slack_date(NOW + timedelta(minutes=15))
    assert due in checklist and "2024-05-01 12:15 UTC" in due
    for step in load_playbook().steps:
        assert step.title["en"] in checklist
    assert checklist.count("☐") == 7


def test_done_steps_are_struck_out() -> None:
    view = replace(make_view(), current_step=3)
    checklist = by_type(alert_message(view), "section")[3]["text"]["text"]
    assert "☑ ~1. Acknowledge fast~" in checklist
    assert "▶ *3. Put someone with authority on it*" in checklist


def test_header_facts_reasons_and_reply() -> None:
    view = make_view(author="Dana", rating=1)
    message = alert_message(view)
    assert message["blocks"][0] == {
        "type": "header",
        "text": {
            "type": "plain_text",
            "text": f"🔴 P1 · negative mention on {view.source_name}",
            "emoji": True,
        },
    }
    fields = [item["text"] for item in message["blocks"][1]["fields"]]
    assert fields[1:3] == ["*Author*\nDana", "*Rating*\n★☆☆☆☆ 1/5"]
    texts = all_texts(message["blocks"])
    why = (
        "• negative sentiment 0.97 ≥ threshold 0.60\n• rating 1/5\n"
        "• safety risk: fire (P1 or higher, whatever the tone)\n• risk words: fire"
    )
    assert f"*Why this alert*\n{why}" in texts
    assert any(
        text.startswith("*Drafted first reply") and "```Hi Dana, thank you" in text
        for text in texts
    )


def test_korean_mention_gets_korean_labels_checklist_and_reply() -> None:
    view = make_view(text="배터리에서 화재가 났어요", lang="ko", author="김민지")
    texts = all_texts(alert_message(view)["blocks"])
    assert view.lang == "ko"
    assert any(text.startswith("*대응 플레이북*\n▶ *1. 신속하게 응답하기*") for text in texts)
    # A fire is a safety risk: the drafted reply says to stop using the product.
    assert any("```김민지님, 알려 주셔서 감사합니다" in text for text in texts)
    assert "지금 바로 제품 사용을 중단" in view.drafted_reply


def test_a_complaint_without_a_safety_risk_gets_the_general_reply() -> None:
    view = make_view(text="배송이 너무 늦어요", lang="ko", author="김민지")
    assert view.drafted_reply.startswith("김민지님, 소중한 의견을 남겨 주셔서 감사합니다.")


def test_mention_without_language_falls_back_to_english() -> None:
    view = make_view(lang=None, author=None)
    assert view.lang == "en"
    assert view.drafted_reply.startswith("Hi there,")


def test_fallback_text_names_severity_source_and_quote() -> None:
    view = replace(make_view(text="Broken <b>again</b>"), severity=Severity.P2)
    assert (
        fallback_text(view)
        == f"P2 negative mention on {view.source_name}: “Broken &lt;b&gt;again&lt;/b&gt;”"
    )


def test_a_google_play_review_shows_its_app_version_and_device() -> None:
    url = "https://androidpublisher.googleapis.com/androidpublisher/v3/applications/x.y/reviews"
    review = read_googleplay(fixture_bytes("googleplay_reviews.json"), url).mentions[0]
    view = make_view(raw_excerpt=review.raw_excerpt)

    assert view.app_details == "v1.0 · CPH1729 · Android API 25"
    texts = all_texts(alert_message(view)["blocks"])
    assert "*App version and device*\nv1.0 · CPH1729 · Android API 25" in texts


@pytest.mark.parametrize("excerpt", [None, "", "not json", "[1]", '{"title": "x"}'])
def test_other_mentions_show_no_app_details(excerpt: str | None) -> None:
    assert app_details(excerpt) is None
