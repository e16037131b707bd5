"""The risk taxonomy (alerts/risks.yaml) in English and Korean, and the severity floor it
sets whatever the sentiment score."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from alerts.exceptions import RiskTaxonomyError
from alerts.playbook import load_playbook
from alerts.risks import load_taxonomy
from alerts.rules import Decision, decide, is_safety_alert
from alerts.severity import Severity
from config.settings import RulesConfig
from tests.alerts.factories import make_mention, make_score

RULES = RulesConfig(negative_threshold=0.6, alert_max_rating=2.0)


def risks_in(text: str) -> list[tuple[str, str]]:
    return [(found.label, found.risk.category) for found in load_taxonomy().find(text)]


@pytest.mark.parametrize(
    ("text", "risk"),
    [
        ("The blade cut my finger when I opened it", ("injury", "safety")),
        ("My son was injured by the sharp edge", ("injury", "safety")),
        ("The handle burned my hand", ("burn", "safety")),
        ("The charger caught fire overnight", ("fire", "safety")),
        ("Smoke came out of the back of the TV", ("smoke", "safety")),
        ("There is a burning smell every time I use it", ("burning smell", "safety")),
        ("It smells like burnt plastic", ("burning smell", "safety")),
        ("The kettle gave me an electric shock", ("electric shock", "safety")),
        ("I found a hair in my soup", ("food contamination", "safety")),
        ("The bread was mouldy", ("food contamination", "safety")),
        ("The chicken gave us food poisoning", ("food contamination", "safety")),
        ("The bottle leaks all over my bag", ("leak", "hazard")),
        ("You charged me twice for one order", ("double charge", "money")),
        ("The update deleted all my photos", ("data loss", "data")),
        ("I lost all my data after the update", ("data loss", "data")),
        ("I'm going to sue you", ("lawsuit", "legal")),
        ("My lawyer will be in touch", ("lawsuit", "legal")),
        ("I reported this to the FTC", ("regulator", "legal")),
    ],
)
def test_english_risks_are_found(text: str, risk: tuple[str, str]) -> None:
    assert risk in risks_in(text)


@pytest.mark.parametrize(
    ("text", "risk"),
    [
        ("모서리에 손을 다쳤어요", ("부상", "safety")),
        ("아이 손가락이 베였어요", ("부상", "safety")),
        ("칼날에 베었어요", ("부상", "safety")),
        ("뜨거운 물에 화상을 입었어요", ("화상", "safety")),
        ("충전 중에 연기가 나요", ("연기", "safety")),
        ("사용할 때마다 타는 냄새가 나요", ("타는 냄새", "safety")),
        ("타는냄새가 심해요", ("타는 냄새", "safety")),
        ("만지다가 감전됐어요", ("감전", "safety")),
        ("음식에서 이물질이 나왔어요", ("이물질", "safety")),
        ("국에 머리카락이 들어 있었어요", ("이물질", "safety")),
        ("배터리에서 화재가 발생했습니다", ("화재", "safety")),
        ("물이 새요", ("누수", "hazard")),
        ("같은 주문이 이중 결제 됐어요", ("이중 결제", "money")),
        ("결제가 두 번 됐어요", ("이중 결제", "money")),
        ("업데이트 후 사진이 다 날아갔어요", ("데이터 손실", "data")),
        ("소송을 진행하겠습니다", ("소송", "legal")),
        ("소비자원에 신고했어요", ("신고", "legal")),
    ],
)
def test_korean_risks_are_found_whatever_ending_or_particle(
    text: str, risk: tuple[str, str]
) -> None:
    assert risk in risks_in(text)


@pytest.mark.parametrize(
    "text",
    [
        "No injuries, thankfully",
        "It never caught fire, unlike my old one",
        "Amazon Fire TV stick works fine",  # a product name, not a fire
        "The battery had to be charged twice a day",  # charging, not billing
        "Sue from support was great",
        "I don't recall the model number",
        "The leather is dangerously soft",
        "다치지 않았어요",
        "다행히 안 다쳤어요",
        "이물질은 없었어요",
        "배우들의 연기가 너무 좋았다",  # 연기: acting, not smoke
        "베이지색이 예뻐요",  # 베이지: beige, not 베이다
        "머리카락이 덜 빠지는 샴푸예요",
        "새 제품으로 바꿨어요",  # 새: new, not leaking
    ],
)
def test_denials_and_lookalikes_are_not_risks(text: str) -> None:
    assert [risk for risk in risks_in(text) if risk[1] != "refund"] == []


def decision(text: str, prob_negative: float, rating: float | None = None, **kw: Any) -> Decision:
    mention = make_mention(text=text, rating=rating, **kw)
    found = decide(mention, make_score(mention=mention, prob_negative=prob_negative), RULES)
    assert found is not None
    return found


def test_a_politely_worded_safety_complaint_pages_at_p1() -> None:
    polite = decision("Hello, the kettle gave me an electric shock. Could you advise?", 0.12)

    assert polite.severity is Severity.P1
    assert polite.reasons == [
        "safety risk: electric shock (P1 or higher, whatever the tone)",
        "risk words: electric shock",
    ]
    assert is_safety_alert(polite.reasons)


def test_mild_korean_safety_complaint_pages_at_p1() -> None:
    mild = decision("아이가 모서리에 베였어요. 확인 부탁드립니다.", 0.3, lang="ko")

    assert mild.severity is Severity.P1
    assert mild.reasons[0] == "safety risk: 부상 (P1 or higher, whatever the tone)"


def test_money_data_and_legal_risks_page_at_p2_at_least() -> None:
    assert decision("You charged me twice, please check.", 0.2).severity is Severity.P2
    assert decision("업데이트 후 사진이 다 날아갔어요", 0.4, lang="ko").severity is Severity.P2
    assert decision("I will contact my lawyer.", 0.55).severity is Severity.P2
    # A floor only raises: a furious legal threat with a 1-star rating is P1 by points.
    assert decision("Scam! My lawyer will sue you.", 0.98, rating=1).severity is Severity.P1


def test_praise_that_names_a_risk_does_not_page() -> None:
    row = make_mention(text="No more leaks with this one, love it", rating=5)
    assert decide(row, make_score(mention=row, prob_negative=0.05), RULES) is None


def test_a_safety_alert_drafts_the_stop_using_it_reply() -> None:
    playbook = load_playbook(None)

    reply = playbook.draft_reply("en", "Dana", "Acme", safety=True)

    assert reply.startswith("Hi Dana, thank you for telling us")
    assert "please stop using the product now" in reply
    assert "call our support line" in reply
    assert playbook.draft_reply("en", "Dana", "Acme").startswith("Hi Dana, thank you for telling")
    assert "stop using" not in playbook.draft_reply("en", "Dana", "Acme")


def test_users_add_their_own_risks(tmp_path: Path) -> None:
    extra = tmp_path / "risks.yaml"
    extra.write_text(
        "categories:\n  choking-hazard: {floor: P1, points: 3, denial: true}\n"
        "risks:\n"
        "  - name: {en: choking, ko: 질식}\n"
        "    category: choking-hazard\n"
        "    en: ['chok(e|ed|ing)']\n"
        "    ko: ['질식', '목에 걸']\n",
        encoding="utf-8",
    )
    rules = RulesConfig(risks_file=extra)
    row = make_mention(text="My toddler almost choked on the small part", rating=3)

    found = decide(row, make_score(mention=row, prob_negative=0.2), rules)

    assert found is not None and found.severity is Severity.P1
    assert found.risk_words == ["choking"]
    assert [f.label for f in load_taxonomy(extra).find("사탕이 목에 걸렸어요")] == ["질식"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("risks:\n  - {name: {en: x}, category: nope, en: [x]}\n", "unknown category 'nope'"),
        ("risks:\n  - {name: {en: x}, category: safety, en: ['(unclosed']}\n", "bad pattern"),
        ("risks: [1, 2\n", "is not valid YAML"),
        ("risks:\n  - {name: {en: x}, category: safety, colour: red}\n", "colour: Extra inputs"),
    ],
)
def test_a_bad_risk_file_says_what_is_wrong(tmp_path: Path, text: str, message: str) -> None:
    bad = tmp_path / f"bad-{abs(hash(text))}.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(RiskTaxonomyError, match=message):
        load_taxonomy(bad)
