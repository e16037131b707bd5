"""parse_schemaorg / read_schemaorg on saved pages: JSON-LD, @graph, microdata, broken blocks."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

import pytest

from crawler.parsing import next_page_url, normalise_rating, parse_schemaorg, read_schemaorg
from tests.crawler.conftest import fixture_bytes

PRODUCT = "https://shop.example.com/acme-rocket-skates"
SONGKICK = "https://www.songkick.com/artists/6950919-years-and-years"


def _hash(author: str, date: str, text: str) -> str:
    return "sha256:" + hashlib.sha256(f"{author}\x1f{date}\x1f{text}".encode()).hexdigest()


def test_jsonld_product_reviews() -> None:
    ellie, lucas, _ = parse_schemaorg(fixture_bytes("product_jsonld.html"), PRODUCT)

    text = "The left wheel came off at 30 mph. Customer service took two weeks to answer."
    assert (ellie.author, ellie.title, ellie.text) == ("Ellie Marsh", "Wheels came off", text)
    assert ellie.rating == 1.0
    assert ellie.published_at == datetime(2024, 2, 11, tzinfo=UTC)
    assert ellie.url == PRODUCT
    assert ellie.external_id == _hash("Ellie Marsh", "2024-02-11T00:00:00+00:00", text)
    # author as a Person object, text from `description`, entities decoded
    assert (lucas.author, lucas.text, lucas.rating) == (
        "Lucas Grant",
        "Great skates for the price & they fit well.",
        4.0,
    )


def test_jsonld_graph_review_with_its_own_id_and_scale() -> None:
    review = parse_schemaorg(fixture_bytes("product_jsonld.html"), PRODUCT)[2]

    assert review.external_id == "https://shop.example.com/reviews/9001"
    assert review.url == "https://shop.example.com/reviews/9001"
    assert (review.author, review.title, review.text) == (
        "Kim Jae-won",
        "Decent",
        "Decent, but the brakes squeal.",
    )
    assert review.rating == 4.2  # 8 on a 0-10 scale
    assert review.lang == "en"
    assert review.published_at == datetime(2024, 2, 28, 12, 15, tzinfo=UTC)


def test_microdata_reviews() -> None:
    coyote, runner = parse_schemaorg(fixture_bytes("microdata_reviews.html"), PRODUCT)

    assert coyote.external_id == "https://shop.example.com/reviews/77"
    assert (coyote.author, coyote.title) == ("W. Coyote", "Shook the whole canyon")
    assert coyote.text == "Works as advertised. Do not take them near your own feet."
    assert coyote.rating == 4.6  # 90 on a 0-100 scale
    assert coyote.published_at == datetime(2024, 1, 20, tzinfo=UTC)
    assert (runner.author, runner.text, runner.rating) == (
        "R. Runner",
        "Meep meep. Nothing happened at all.",
        1.0,
    )
    assert runner.external_id == _hash(
        "R. Runner", "2024-01-18T00:00:00+00:00", "Meep meep. Nothing happened at all."
    )


def test_broken_jsonld_is_a_problem_and_microdata_reviews_are_kept() -> None:
    page = read_schemaorg(fixture_bytes("broken_jsonld.html"), PRODUCT)

    assert len(page.problems) == 1
    assert page.problems[0].startswith("JSON-LD block 1 is not valid JSON: Unterminated string")
    assert [(m.author, m.rating) for m in page.mentions] == [
        ("Hungry Bird", 5.0),
        ("Disappointed Coyote", 2.0),
    ]


def test_a_review_in_jsonld_and_microdata_is_kept_once() -> None:
    html = """<html><head><script type="application/ld+json">
    {"@context": "https://schema.org", "@type": "Review", "@id": "https://s.example/r/1",
     "reviewBody": "Same review."}</script></head><body>
    <div itemscope itemtype="https://schema.org/Review"><link itemprop="url" href="/r/1">
    <span itemprop="reviewBody">Same review.</span></div></body></html>"""

    assert len(parse_schemaorg(html, "https://s.example/p")) == 1


def test_next_page_url_is_absolute() -> None:
    page = read_schemaorg(fixture_bytes("product_jsonld.html"), PRODUCT)

    assert page.next_url == "https://shop.example.com/acme-rocket-skates?reviews=2"
    assert next_page_url(fixture_bytes("microdata_reviews.html"), PRODUCT) is None
    assert next_page_url('<a rel="nofollow next" href="p/2">2</a>', PRODUCT) == (
        "https://shop.example.com/p/2"
    )
    assert next_page_url('<a rel="next" href="javascript:go(2)">2</a>', PRODUCT) is None


def test_a_page_in_another_encoding_is_decoded() -> None:
    html = (
        '<html><head><meta charset="iso-8859-1"></head><body>'
        '<div itemscope itemtype="https://schema.org/Review">'
        '<span itemprop="reviewBody">Très déçu</span></div></body></html>'
    ).encode("iso-8859-1")

    assert parse_schemaorg(html, PRODUCT)[0].text == "Très déçu"


def test_a_page_without_reviews_has_no_mentions_and_no_problems() -> None:
    page = read_schemaorg(b"<html><body><p>Nothing to see</p></body></html>", PRODUCT)

    assert (page.mentions, page.problems, page.next_url) == ([], [], None)


@pytest.mark.parametrize(
    ("value", "best", "worst", "expected"),
    [
        ("1", None, None, 1.0),
        (5, None, None, 5.0),
        ("4,5", None, None, 4.5),
        (3, 5, 1, 3.0),
        (8, 10, 0, 4.2),
        (87, 100, None, 4.47),  # worst defaults to 1: 1 + 4 * 86 / 99
        (0, 10, 0, 1.0),
        (9, None, None, None),  # outside the default 1-5 scale: no guessing
        ("great", None, None, None),
        (3, 1, 5, None),  # an empty scale
        (None, None, None, None),
        (True, None, None, None),
    ],
)
def test_normalise_rating(
    value: object, best: object, worst: object, expected: float | None
) -> None:
    assert normalise_rating(value, best, worst) == expected


def test_a_non_http_id_is_the_stable_id_and_the_url_stays_the_link() -> None:
    review = (
        '{"@context": "https://schema.org", "@type": "Review",'
        ' "@id": "urn:shop:review:r7", "url": "http://127.0.0.1:8123/p#r7",'
        ' "reviewBody": "Leaks.", "reviewRating": {"ratingValue": 1}}'
    )
    page = f'<html><head><script type="application/ld+json">{review}</script></head></html>'
    for port_page in ("http://127.0.0.1:8123/p", "http://127.0.0.1:9999/p"):
        [mention] = parse_schemaorg(page, port_page)
        assert mention.external_id == "urn:shop:review:r7"
        assert mention.url == "http://127.0.0.1:8123/p#r7"


def test_one_review_in_json_ld_and_in_microdata_is_one_mention() -> None:
    # A real songkick page (extruct's test corpus) carries its review both ways; the
    # microdata text runs on into the page's "Read more Report as inappropriate".
    page = read_schemaorg(fixture_bytes("songkick_years_and_years.html"), SONGKICK)

    (review,) = page.mentions
    assert review.author == "benjolley1"
    assert review.text.startswith('"Thanks for coming out so early this morning')
    assert review.text.endswith("household names satus!")


def test_the_mention_is_completed_with_what_only_the_other_syntax_says() -> None:
    text = "The left wheel came off at 30 mph on the first ride."
    html = f"""<html><head><script type="application/ld+json">
        {{"@context": "https://schema.org", "@type": "Review", "author": "Ellie",
          "reviewBody": "{text}"}}</script></head><body>
        <div itemscope itemtype="https://schema.org/Review">
          <span itemprop="author">Ellie</span>
          <meta itemprop="datePublished" content="2024-02-11">
          <div itemprop="reviewRating" itemscope itemtype="https://schema.org/Rating">
            <meta itemprop="ratingValue" content="1"></div>
          <p itemprop="reviewBody">{text} Was this helpful?</p>
        </div></body></html>"""

    (review,) = read_schemaorg(html, PRODUCT).mentions

    assert (review.text, review.rating) == (text, 1.0)
    assert review.published_at == datetime(2024, 2, 11, tzinfo=UTC)


def test_two_reviews_by_one_author_stay_two() -> None:
    reviews = [
        {"@type": "Review", "author": "Ellie", "reviewBody": body, "datePublished": date}
        for body, date in [
            ("The left wheel came off at 30 mph.", "2024-02-11"),
            ("The left wheel came off at 30 mph. Again, with the replacement.", "2024-03-02"),
            ("Short.", "2024-03-09"),
            ("Short. And then some more words.", "2024-03-09"),
        ]
    ]
    html = f'<script type="application/ld+json">{json.dumps(reviews)}</script>'

    assert len(read_schemaorg(html, PRODUCT).mentions) == 4
