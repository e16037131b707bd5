"""Decoding payload bytes: the HTTP charset, the document's declaration, detection."""

from __future__ import annotations

import pytest

from crawler.parsing.payload import decode_text, utf8_payload, utf8_xml
from tests.crawler.conftest import fixture_bytes

KOREAN = "<p>삼성전자가 새로 낸 충전기가 이틀 만에 고장났어요. 환불해 주세요.</p>"
JAPANESE = "<p>この充電器はすぐに壊れました。サポートに連絡しても返事がありません。</p>"
THAI = "<p>สินค้าเสียหายมาก ไม่พอใจบริการเลย ส่งช้ามาก</p>"
FRENCH = "<p>Très déçu : le café était froid et le serveur impoli.</p>"


@pytest.mark.parametrize(
    ("text", "charset"),
    [
        (KOREAN, "euc-kr"),
        (KOREAN, "ks_c_5601-1987"),
        (JAPANESE, "shift_jis"),
        (JAPANESE, "euc-jp"),
        (THAI, "tis-620"),
        (FRENCH, "windows-1252"),
        ("<p>这个充电器很快就坏了，客服也不回复。</p>", "gb2312"),
    ],
)
def test_the_http_charset_is_honoured(text: str, charset: str) -> None:
    assert decode_text(text.encode(charset), declared=charset) == text


@pytest.mark.parametrize(
    ("text", "charset"), [(KOREAN, "euc-kr"), (JAPANESE, "shift_jis"), (JAPANESE, "euc-jp")]
)
def test_the_documents_own_declaration_comes_next(text: str, charset: str) -> None:
    html = f'<html><head><meta charset="{charset}"></head><body>{text}</body></html>'
    feed = f'<?xml version="1.0" encoding="{charset}"?><rss><title>{text}</title></rss>'

    assert decode_text(html.encode(charset)) == html
    assert decode_text(feed.encode(charset)) == feed


@pytest.mark.parametrize(
    ("text", "charset"), [(KOREAN, "euc-kr"), (JAPANESE, "shift_jis"), (THAI, "tis-620")]
)
def test_an_undeclared_charset_is_detected(text: str, charset: str) -> None:
    assert decode_text((text * 3).encode(charset)) == text * 3


def test_the_header_wins_over_the_documents_declaration() -> None:
    html = f'<html><head><meta charset="iso-8859-1"></head><body>{KOREAN}</body></html>'

    assert decode_text(html.encode("euc-kr"), declared="euc-kr") == html


def test_valid_utf8_wins_over_a_wrong_declaration() -> None:
    # Mislabelled UTF-8 ("charset=iso-8859-1" on UTF-8 bytes) is common.
    assert decode_text(KOREAN.encode("utf-8"), declared="iso-8859-1") == KOREAN


def test_a_codec_python_does_not_know_falls_back_instead_of_failing() -> None:
    assert decode_text("café".encode("cp1252"), declared="x-no-such-charset") == "café"


def test_utf8_payload_leaves_utf8_alone_and_transcodes_the_rest() -> None:
    body = KOREAN.encode("utf-8")

    assert utf8_payload(body, "euc-kr") is body
    assert utf8_payload(KOREAN.encode("euc-kr"), "euc-kr") == body


def test_utf8_xml_says_utf8_and_starts_with_its_declaration() -> None:
    feed = "\n\n<?xml version=\"1.0\" encoding='EUC-KR'?>\n<rss><title>삼성</title></rss>"

    assert utf8_xml(feed.encode("euc-kr")) == (
        "<?xml version=\"1.0\" encoding='utf-8'?>\n<rss><title>삼성</title></rss>".encode()
    )


def test_a_utf8_feed_without_a_declaration_is_left_as_it_is() -> None:
    body = fixture_bytes("techcrunch_feed.rss")

    assert utf8_xml(body) == body


def test_an_undeclared_western_page_is_windows_1252_not_a_detection_guess() -> None:
    # charset-normalizer alone says cp1250 here ("trčs") and UTF-16 for b"caf\xe9".
    assert decode_text(FRENCH.encode("cp1252")) == FRENCH
    assert decode_text("café".encode("cp1252")) == "café"
