"""Incident planning as pure functions: spike statistics, similar groups, the paging policy."""

from __future__ import annotations

import itertools
import random
from datetime import datetime, timedelta

import pytest

from alerts.incidents import (
    Item,
    KnownIncident,
    NewIncident,
    SpikeStats,
    Volume,
    plan_incidents,
    raise_one_level,
    similar_neighbours,
    spike_stats,
)
from alerts.severity import Severity
from alerts.similarity import required_overlap, similarity
from config.settings import IncidentsConfig
from sentiment.terms import theme_words
from tests.alerts.factories import NOW

CONFIG = IncidentsConfig()
_ids = itertools.count(1)
CHARGER = "The X200 charger overheats and stops charging"


def item(text: str, *, source: int = 1, new: bool = True, **overrides: object) -> Item:
    values: dict[str, object] = {
        "mention_id": next(_ids),
        "source_id": source,
        "at": NOW,
        "words": theme_words(text),
        "severity": Severity.P3,
        "new": new,
    }
    return Item(**(values | overrides))  # type: ignore[arg-type]


WATCHED = NOW - timedelta(days=30)


def daily(counts: list[int], window_count: int, watched: datetime | None = WATCHED) -> Volume:
    """`window_count` negatives in the last 24 h, then counts[i] on day i before it."""
    times = [NOW - timedelta(hours=1)] * window_count
    for day, number in enumerate(counts):
        times += [NOW - timedelta(hours=24 + 24 * day + 12)] * number
    return Volume(times, watched)


def stats_of(volume: Volume) -> SpikeStats:
    stats = spike_stats(volume, NOW, CONFIG)
    assert stats is not None
    return stats


def test_empty_baseline_needs_the_minimum_count() -> None:
    assert stats_of(daily([], 4)).is_spike is False
    stats = stats_of(daily([], 5))
    assert (stats.count, stats.mean, stats.stddev, stats.threshold) == (5, 0.0, 0.0, 5)
    assert stats.is_spike


def test_a_source_with_no_history_before_the_window_has_no_baseline() -> None:
    assert spike_stats(daily([], 50, watched=None), NOW, CONFIG) is None
    assert spike_stats(daily([], 50, watched=NOW - timedelta(hours=2)), NOW, CONFIG) is None


def test_only_days_with_history_make_the_baseline() -> None:
    two_days = daily([4, 4], 5, watched=NOW - timedelta(hours=24 + 47))
    stats = stats_of(two_days)
    assert (stats.mean, stats.stddev, stats.threshold, stats.is_spike) == (4.0, 0.0, 5, True)
    assert stats_of(daily([4, 4], 5)).mean == 8 / 7  # a week watched: five quiet days count


def test_spike_is_above_mean_plus_k_stddev_of_the_daily_baseline() -> None:
    counts = [2, 4, 2, 4, 2, 4, 3]  # mean 3, stddev ≈ 0.93: threshold ⌊3 + 2.78⌋ + 1 = 6
    assert stats_of(daily(counts, 5)).is_spike is False
    stats = stats_of(daily(counts, 6))
    assert (stats.threshold, stats.is_spike) == (6, True)
    assert stats.describe("24 hours") == (
        "6 negative mentions in the last 24 hours; baseline 3.0 ± 0.9 a day, threshold 6"
    )


def test_a_source_that_always_gets_ten_is_not_spiking_at_ten() -> None:
    assert stats_of(daily([10] * 7, 10)).is_spike is False
    assert stats_of(daily([10] * 7, 11)).is_spike is True


def test_mentions_older_than_the_baseline_are_ignored() -> None:
    volume = daily([], 0)
    old = Volume([*volume.times, *[NOW - timedelta(days=9)] * 50], WATCHED)
    assert stats_of(old).mean == 0


def test_similar_new_complaints_open_one_incident_and_page_nothing_alone() -> None:
    new = [item(f"{CHARGER}, customer {n}") for n in range(30)]
    plan = plan_incidents(new, [], [], {}, CONFIG, NOW)
    [incident] = plan.incidents
    assert (incident.kind, len(incident.members), incident.linked) == ("similar", 30, [])
    assert incident.severity is Severity.P2  # one level above the P3 members
    assert {"charger", "overheats", "x200"} <= set(incident.theme)
    assert plan.pages == []


def test_two_similar_complaints_are_not_yet_an_incident() -> None:
    new = [item(CHARGER), item(CHARGER + " again")]
    plan = plan_incidents(new, [], [], {}, CONFIG, NOW)
    assert plan.incidents == [] and plan.pages == new


def test_earlier_alerted_complaints_are_linked_not_paged_again() -> None:
    earlier = [item(CHARGER, new=False), item(CHARGER + " today", new=False)]
    third = item(CHARGER + " twice")
    plan = plan_incidents([third], earlier, [], {}, CONFIG, NOW)
    [incident] = plan.incidents
    assert incident.members == [third] and incident.linked == earlier
    assert plan.pages == []


def test_new_complaints_join_an_open_similar_incident() -> None:
    known = KnownIncident(7, "similar", 1, Severity.P2, "open", NOW, NOW)
    earlier = [item(CHARGER, new=False, incident_id=7)]
    new = [item(CHARGER + " again"), item(CHARGER, severity=Severity.P1)]
    plan = plan_incidents(new, earlier, [known], {}, CONFIG, NOW)
    assert plan.incidents == [] and plan.joined == {7: new}
    assert plan.pages == [new[1]]  # more severe than the incident: pages on its own too


def test_a_resolved_incident_takes_no_new_members() -> None:
    known = KnownIncident(7, "similar", 1, Severity.P2, "resolved", NOW, NOW)
    earlier = [item(CHARGER, new=False, incident_id=7) for _ in range(3)]
    plan = plan_incidents([item(CHARGER)], earlier, [known], {}, CONFIG, NOW)
    assert plan.joined == {} and plan.incidents == [] and len(plan.pages) == 1


def test_a_spike_of_different_complaints_becomes_one_incident() -> None:
    texts = ["late delivery", "rude support agent", "wrong colour sent", "app crashes daily"]
    new = [item(f"{text} {n}") for n, text in enumerate(texts * 2)]
    plan = plan_incidents(new, [], [], {1: daily([], 8)}, CONFIG, NOW)
    [incident] = plan.incidents
    assert (incident.kind, incident.source_id, len(incident.members)) == ("spike", 1, 8)
    assert incident.stats is not None and incident.stats.count == 8
    assert plan.pages == []


def test_no_spike_against_a_busy_baseline() -> None:
    new = [item(f"complaint {n} number{n}") for n in range(8)]
    plan = plan_incidents(new, [], [], {1: daily([8, 9, 7, 8, 9, 7, 8], 8)}, CONFIG, NOW)
    assert plan.incidents == [] and plan.pages == new


def test_similar_incident_takes_precedence_over_the_spike() -> None:
    new = [item(f"{CHARGER} {n}") for n in range(10)]
    plan = plan_incidents(new, [], [], {1: daily([], 10)}, CONFIG, NOW)
    assert [incident.kind for incident in plan.incidents] == ["similar"]


def test_an_ongoing_spike_incident_takes_new_members() -> None:
    known = KnownIncident(3, "spike", 1, Severity.P3, "open", NOW - timedelta(hours=2), NOW)
    new = [item("late parcel"), item("rude agent")]
    plan = plan_incidents(new, [], [known], {1: daily([], 9)}, CONFIG, NOW)
    assert plan.joined == {3: new} and plan.pages == []


@pytest.mark.parametrize(("opened_hours_ago", "opens"), [(2, False), (7, True)])
def test_cooldown_holds_off_a_new_spike_incident(opened_hours_ago: int, opens: bool) -> None:
    opened = NOW - timedelta(hours=opened_hours_ago)
    old = KnownIncident(3, "spike", 1, Severity.P3, "resolved", opened, opened)
    new = [item(f"thing{n} broke{n}") for n in range(6)]
    plan = plan_incidents(new, [], [old], {1: daily([], 6)}, CONFIG, NOW)
    assert bool(plan.incidents) is opens
    assert len(plan.pages) == (0 if opens else 6)


def test_grouping_can_be_switched_off() -> None:
    new = [item(CHARGER) for _ in range(5)]
    plan = plan_incidents(new, [], [], {1: daily([], 5)}, IncidentsConfig(enabled=False), NOW)
    assert plan.incidents == [] and plan.pages == new


def test_severity_rises_one_level_and_stops_at_p1() -> None:
    assert [raise_one_level(s) for s in Severity] == [
        Severity.P1,
        Severity.P1,
        Severity.P2,
        Severity.P3,
    ]


def test_new_incident_counts_members_and_linked_mentions() -> None:
    members, linked = [item(CHARGER)], [item(CHARGER, new=False), item(CHARGER, new=False)]
    assert NewIncident("similar", 1, members, linked, [], Severity.P2).mention_count == 3


def _all_pairs(words: list[dict[str, str]], threshold: float) -> list[set[int]]:
    """Every pair compared: what the prefix filter must reproduce."""
    neighbours: list[set[int]] = [set() for _ in words]
    for i, first in enumerate(words):
        for j in range(i + 1, len(words)):
            if similarity(first, words[j]) >= threshold:
                neighbours[i].add(j)
                neighbours[j].add(i)
    return neighbours


@pytest.mark.parametrize("threshold", [0.1, 0.35, 0.5, 0.8, 1.0])
def test_the_prefix_filter_finds_exactly_the_pairs_all_pairs_would(threshold: float) -> None:
    generator = random.Random(7)
    # Skewed word frequencies: a few words (a product name) sit in most sets.
    vocabulary = [f"w{rank}" for rank in range(60)]
    weights = [1 / (rank + 1) for rank in range(60)]
    words = [
        {word: word for word in generator.choices(vocabulary, weights, k=generator.randint(0, 9))}
        for _ in range(300)
    ]
    words += [dict(words[5]), dict(words[9])]  # exact duplicates must pair at 1.0
    expected = _all_pairs(words, threshold)
    assert similar_neighbours(words, threshold) == expected
    assert sum(map(len, expected)) > 0


def test_required_overlap_is_exact_at_the_threshold() -> None:
    # 7 of 20 is a Jaccard of 0.35 exactly: 7 shared terms must be enough.
    assert required_overlap(20, 0.35) == 7
    assert required_overlap(3, 0.1) == 2  # never fewer than two shared terms
    assert similarity({str(i): "" for i in range(20)}, {str(i): "" for i in range(7)}) == 0.35
