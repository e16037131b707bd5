"""Floods become incidents: pure planning over negative mentions, no database here.

Two things open an incident (docs/alerts.md, "Incidents"):

* **Similar complaints** — negative mentions whose content words overlap
  (`alerts.similarity.similarity` ≥ ``incidents.similarity``) are linked; a linked group of
  at least ``similar_min_mentions`` mentions within ``similar_window`` is one incident.
* **A spike** — a source's negative mentions in the last ``spike_window`` reach
  ``max(spike_min_count, mean + spike_k · stddev)`` of its daily counts over the
  ``baseline_days`` before the window. Mentions already in a similar-complaints incident
  do not open a spike incident of their own.

The paging policy: members of an open incident do not page one by one; the incident
pages once. A new member more severe than its incident pages on its own too, so a
safety complaint is never hidden in a flood. Mentions that paged before their incident
opened are linked to it and listed in its evidence.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import fmean, pstdev

from alerts.severity import Severity
from alerts.similarity import Terms, common_words, required_overlap, similarity
from config.settings import IncidentsConfig

DAY = timedelta(days=1)


@dataclass(frozen=True)
class Item:
    """A negative mention as grouping sees it; `new` ones are decided in this pass."""

    mention_id: int
    source_id: int
    at: datetime
    words: Terms  # term → the word as written (sentiment.terms)
    severity: Severity
    incident_id: int | None = None
    new: bool = False


@dataclass(frozen=True)
class KnownIncident:
    """An incident already stored."""

    id: int
    kind: str
    source_id: int | None
    severity: Severity
    status: str
    opened_at: datetime
    last_seen_at: datetime


@dataclass(frozen=True)
class SpikeStats:
    """A source's negative volume in the window against its own daily baseline."""

    count: int
    mean: float
    stddev: float
    threshold: int

    @property
    def is_spike(self) -> bool:
        """Whether the window's count reaches the threshold."""
        return self.count >= self.threshold

    def describe(self, window: str) -> str:
        """The numbers in words, for the alert's reasons."""
        return (
            f"{self.count} negative mentions in the last {window}; baseline "
            f"{self.mean:.1f} ± {self.stddev:.1f} a day, threshold {self.threshold}"
        )


@dataclass(frozen=True)
class Volume:
    """A source's negative mention times, and since when anything of it is stored."""

    times: Sequence[datetime]
    watched_since: datetime | None


@dataclass(eq=False)
class NewIncident:
    """An incident this pass opens: its new members and the earlier mentions it links."""

    kind: str
    source_id: int | None
    members: list[Item]
    linked: list[Item]
    theme: list[str]
    severity: Severity
    stats: SpikeStats | None = None

    @property
    def mention_count(self) -> int:
        """Members and linked mentions together."""
        return len(self.members) + len(self.linked)


IncidentRef = int | NewIncident


@dataclass
class Plan:
    """What to do with the new items: incidents to open or join, and who pages alone."""

    incidents: list[NewIncident] = field(default_factory=list)
    joined: dict[int, list[Item]] = field(default_factory=dict)
    membership: dict[int, IncidentRef] = field(default_factory=dict)
    pages: list[Item] = field(default_factory=list)


def raise_one_level(severity: Severity) -> Severity:
    """A flood is worse than one complaint: P4 → P3 → P2 → P1."""
    return Severity(f"P{max(1, severity.priority - 1)}")


def most_severe(items: Sequence[Item]) -> Severity:
    """The most urgent severity among `items`."""
    return min((item.severity for item in items), key=lambda s: s.priority)


def observed_days(window_start: datetime, watched_since: datetime | None, limit: int) -> int:
    """Baseline days before the window for which the source has any history (0 to limit)."""
    if watched_since is None or watched_since >= window_start:
        return 0
    return min(limit, math.ceil((window_start - watched_since) / DAY))


def spike_stats(volume: Volume, now: datetime, config: IncidentsConfig) -> SpikeStats | None:
    """Count negatives in the window and compare them with the daily baseline before it.

    None when the source has no history before the window: no baseline, no spike.
    """
    start = now - config.spike_window
    days = observed_days(start, volume.watched_since, config.baseline_days)
    if days == 0:
        return None
    count = sum(1 for moment in volume.times if start <= moment <= now)
    daily = [0] * days
    for moment in volume.times:
        age = start - moment
        if timedelta(0) < age <= DAY * days:
            daily[min(int((age - timedelta(microseconds=1)) / DAY), days - 1)] += 1
    mean, stddev = fmean(daily), pstdev(daily)
    # More than mean + k·stddev: a source that always gets 10 a day is not spiking at 10.
    threshold = max(config.spike_min_count, math.floor(mean + config.spike_k * stddev) + 1)
    return SpikeStats(count, mean, stddev, threshold)


def similar_neighbours(words: Sequence[Terms], threshold: float) -> list[set[int]]:
    """For each word set, the indexes of the others at least `threshold` similar.

    Prefix filtering (Bayardo et al., "Scaling up all pairs similarity search", 2007):
    with every set's words ordered rarest first, two sets that reach the threshold share
    a word among the first ``len - required_overlap + 1`` of each. Only pairs sharing
    such a word are compared, so words that many mentions hold (a product name) do not
    make every pair a candidate; the result is the same as comparing all pairs.
    """
    frequency = Counter(word for item_words in words for word in item_words)
    prefixes = []
    for item_words in words:
        rarest_first = sorted(item_words, key=lambda word: (frequency[word], word))
        keep = len(rarest_first) - required_overlap(len(rarest_first), threshold) + 1
        prefixes.append(rarest_first[: max(keep, 0)])
    index: dict[str, list[int]] = defaultdict(list)
    for position, prefix in enumerate(prefixes):
        for word in prefix:
            index[word].append(position)
    neighbours: list[set[int]] = [set() for _ in words]
    for position, prefix in enumerate(prefixes):
        seen = {other for word in prefix for other in index[word] if other > position}
        for other in seen:
            if similarity(words[position], words[other]) >= threshold:
                neighbours[position].add(other)
                neighbours[other].add(position)
    return neighbours


def _components(neighbours: list[set[int]]) -> list[list[int]]:
    """Connected groups of indexes, each sorted."""
    group_of: dict[int, int] = {}
    groups: list[list[int]] = []
    for start in range(len(neighbours)):
        if start in group_of:
            continue
        group_of[start] = len(groups)
        stack, group = [start], []
        while stack:
            node = stack.pop()
            group.append(node)
            for other in neighbours[node] - group_of.keys():
                group_of[other] = len(groups)
                stack.append(other)
        groups.append(sorted(group))
    return groups


def similar_groups(items: Sequence[Item], threshold: float) -> list[list[Item]]:
    """Linked groups of similar items that hold at least one new item."""
    neighbours = similar_neighbours([item.words for item in items], threshold)
    groups = [[items[i] for i in group] for group in _components(neighbours)]
    return [group for group in groups if len(group) > 1 and any(i.new for i in group)]


def plan_incidents(
    new: Sequence[Item],
    recent: Sequence[Item],
    incidents: Sequence[KnownIncident],
    volumes: Mapping[int, Volume],
    config: IncidentsConfig,
    now: datetime,
) -> Plan:
    """Decide which new items open or join an incident and which page on their own."""
    plan = Plan()
    if config.enabled:
        known = {incident.id: incident for incident in incidents}
        _plan_similar(plan, [*new, *recent], known, config)
        _plan_spikes(plan, new, recent, incidents, volumes, config, now)
    severities = {incident.id: incident.severity for incident in incidents}
    plan.pages = [
        item for item in new if _pages(item, plan.membership.get(item.mention_id), severities)
    ]
    return plan


def _pages(item: Item, ref: IncidentRef | None, severities: Mapping[int, Severity]) -> bool:
    if ref is None:
        return True
    severity = ref.severity if isinstance(ref, NewIncident) else severities[ref]
    return item.severity.priority < severity.priority


def _join(plan: Plan, incident_id: int, items: Sequence[Item]) -> None:
    fresh = [item for item in items if item.mention_id not in plan.membership]
    if fresh:
        plan.joined.setdefault(incident_id, []).extend(fresh)
        plan.membership.update({item.mention_id: incident_id for item in fresh})


def _open(plan: Plan, incident: NewIncident) -> None:
    plan.incidents.append(incident)
    for item in [*incident.members, *incident.linked]:
        plan.membership[item.mention_id] = incident


def _plan_similar(
    plan: Plan, items: Sequence[Item], known: Mapping[int, KnownIncident], config: IncidentsConfig
) -> None:
    for group in similar_groups(items, config.similarity):
        fresh = [item for item in group if item.new and item.incident_id is None]
        held = [
            known[i.incident_id]
            for i in group
            if i.incident_id is not None and i.incident_id in known
        ]
        open_ones = [i for i in held if i.kind == "similar" and i.status == "open"]
        if open_ones:
            latest = max(open_ones, key=lambda incident: incident.last_seen_at)
            _join(plan, latest.id, fresh)
            continue
        free = [item for item in group if item.incident_id is None]
        if len(free) >= config.similar_min_mentions and fresh:
            _open(plan, _new_incident("similar", free, None))


def _new_incident(kind: str, free: Sequence[Item], stats: SpikeStats | None) -> NewIncident:
    sources = {item.source_id for item in free}
    return NewIncident(
        kind=kind,
        source_id=sources.pop() if len(sources) == 1 else None,
        members=[item for item in free if item.new],
        linked=[item for item in free if not item.new],
        theme=common_words(item.words for item in free),
        severity=raise_one_level(most_severe(free)),
        stats=stats,
    )


def _plan_spikes(
    plan: Plan,
    new: Sequence[Item],
    recent: Sequence[Item],
    incidents: Sequence[KnownIncident],
    volumes: Mapping[int, Volume],
    config: IncidentsConfig,
    now: datetime,
) -> None:
    unclaimed: dict[int, list[Item]] = defaultdict(list)
    for item in new:
        if item.mention_id not in plan.membership:
            unclaimed[item.source_id].append(item)
    for source_id, items in unclaimed.items():
        stats = spike_stats(volumes.get(source_id, Volume((), None)), now, config)
        if stats is None or not stats.is_spike:
            continue
        spikes = [i for i in incidents if i.kind == "spike" and i.source_id == source_id]
        ongoing = [
            i for i in spikes if i.status == "open" and i.last_seen_at >= now - config.spike_window
        ]
        if ongoing:
            _join(plan, max(ongoing, key=lambda i: i.last_seen_at).id, items)
        elif not any(i.opened_at > now - config.cooldown for i in spikes):
            earlier = _earlier_in_window(recent, source_id, now - config.spike_window, plan)
            _open(plan, _new_incident("spike", [*items, *earlier], stats))


def _earlier_in_window(
    recent: Sequence[Item], source_id: int, start: datetime, plan: Plan
) -> list[Item]:
    """Earlier negatives of the source in the window that no incident holds yet."""
    return [
        item
        for item in recent
        if item.source_id == source_id
        and item.at >= start
        and item.incident_id is None
        and item.mention_id not in plan.membership
    ]
