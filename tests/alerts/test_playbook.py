"""The playbook is data: the default loads, bad files name the key, deadlines add up."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from alerts.exceptions import PlaybookError
from alerts.playbook import Playbook, deadline, load_playbook
from alerts.severity import Severity
from tests.alerts.factories import NOW

DEFAULT_FILE = Path(__file__).parents[2] / "alerts" / "playbook.yaml"


@pytest.fixture(scope="module")
def playbook() -> Playbook:
    return load_playbook()


def write_variant(tmp_path: Path, change: Callable[[dict[str, Any]], object]) -> Path:
    data = yaml.safe_load(DEFAULT_FILE.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "playbook.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_default_playbook_has_the_eight_steps_in_order(playbook: Playbook) -> None:
    assert [step.title["en"] for step in playbook.steps] == [
        "Acknowledge fast",
        "Listen, apologise, don't argue",
        "Put someone with authority on it",
        "Offer a concrete remedy",
        "Find the root cause",
        "Set expectations and over-communicate",
        "Follow up and thank",
        "Learn",
    ]
    assert playbook.languages == ["en", "ko"]
    assert all(step.title["ko"] and step.guidance["ko"] for step in playbook.steps)


@pytest.mark.parametrize(
    ("severity", "target"),
    [
        ("P1", timedelta(minutes=15)),
        ("P2", timedelta(hours=1)),
        ("P3", timedelta(hours=4)),
        ("P4", timedelta(hours=24)),
    ],
)
def test_acknowledge_deadline_per_severity(
    playbook: Playbook, severity: str, target: timedelta
) -> None:
    assert deadline(playbook.steps[0], severity, NOW) == NOW + target


def test_later_steps_are_never_due_before_earlier_ones(playbook: Playbook) -> None:
    for severity in Severity:
        dues = [deadline(step, severity, NOW) for step in playbook.steps]
        assert dues == sorted(dues)
        assert dues[-1] > dues[0]


def test_a_file_can_be_loaded_by_path(tmp_path: Path) -> None:
    path = write_variant(tmp_path, lambda data: data.update(name="acme"))
    assert load_playbook(path).name == "acme"


def test_missing_severity_target_names_the_key(tmp_path: Path) -> None:
    path = write_variant(tmp_path, lambda data: data["steps"][2]["due"].pop("P3"))
    with pytest.raises(PlaybookError, match=r"steps\.2\.due.*missing: \['P3'\]"):
        load_playbook(path)


def test_bad_duration_names_the_key_and_the_fix(tmp_path: Path) -> None:
    path = write_variant(tmp_path, lambda data: data["steps"][0]["due"].update(P1="soon"))
    with pytest.raises(
        PlaybookError, match=r"steps\.0\.due: .*'soon' is not a duration; write e\.g\. 90s"
    ):
        load_playbook(path)


def test_unknown_key_is_refused_by_name(tmp_path: Path) -> None:
    path = write_variant(tmp_path, lambda data: data["steps"][1].update(owner="me"))
    with pytest.raises(PlaybookError, match=r"steps\.1\.owner: unknown key"):
        load_playbook(path)


def test_missing_translation_is_refused(tmp_path: Path) -> None:
    path = write_variant(tmp_path, lambda data: data["steps"][4]["guidance"].pop("ko"))
    with pytest.raises(PlaybookError, match=r"steps\.4\.guidance: .*missing: \['ko'\]"):
        load_playbook(path)


def test_target_earlier_than_the_step_before_is_refused(tmp_path: Path) -> None:
    path = write_variant(tmp_path, lambda data: data["steps"][3]["due"].update(P2="5m"))
    with pytest.raises(PlaybookError, match=r"steps\.3\.due\.P2: target is earlier"):
        load_playbook(path)


def test_reply_template_may_only_use_author_and_brand(tmp_path: Path) -> None:
    path = write_variant(tmp_path, lambda data: data["reply"]["templates"].update(en="Hi ${name}"))
    with pytest.raises(PlaybookError, match=r"reply\.templates: .*en: use only"):
        load_playbook(path)


def test_not_yaml_and_missing_file_are_clear_errors(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("steps: [unclosed", encoding="utf-8")
    with pytest.raises(PlaybookError, match="is not valid YAML"):
        load_playbook(broken)
    with pytest.raises(PlaybookError, match="cannot read playbook"):
        load_playbook(tmp_path / "absent.yaml")


def test_drafted_reply_is_filled_in_the_mention_language(playbook: Playbook) -> None:
    english = playbook.draft_reply("en", "Dana", "Acme")
    korean = playbook.draft_reply("ko-KR", "김민지", "에이크미")
    assert english.startswith("Hi Dana, thank you") and "with Acme." in english
    assert korean.startswith("김민지님, 소중한 의견") and "에이크미 이용 중" in korean


def test_drafted_reply_falls_back_to_english_and_a_generic_name(playbook: Playbook) -> None:
    assert playbook.draft_reply(None, None, "Acme").startswith("Hi there, thank you")
    assert playbook.draft_reply("fr", "  Jean\n Dupont ", "Acme").startswith("Hi Jean Dupont,")
    assert playbook.draft_reply("ko", "", "Acme").startswith("고객님,")
