"""Points, streaks and achievements as pure functions of a user's events.

Everything here is recomputed from the stored events on every read, so it is the same
whatever order the events arrived in, and an admin's change to a rule applies to the
past as well as the future (one honest number, never two ledgers that disagree).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from .clock import local_day


@dataclass(frozen=True)
class PointsRule:
    id: int
    event_type: str
    points: int
    daily_cap: int | None = None  # most points this rule gives in one local day


@dataclass(frozen=True)
class Achievement:
    id: int
    name: str
    description: str
    metric: str  # "points" | "events" | "streak"
    threshold: int
    event_type: str | None = None


@dataclass
class Streak:
    current: int = 0
    best: int = 0
    active_today: bool = False
    # The day each run of at least n days was first reached, for achievements.
    reached: dict[int, date] = field(default_factory=dict)


def award(events: Sequence[tuple[str, datetime]], rules: Iterable[PointsRule], tz: ZoneInfo):
    """[(time, points)] in time order: what each event earned under ``rules``.

    A daily cap is counted per rule and per local day: the event that crosses it earns
    what is left, later ones that day earn nothing.
    """
    by_type: dict[str, list[PointsRule]] = defaultdict(list)
    for rule in rules:
        by_type[rule.event_type].append(rule)
    given: dict[tuple[int, date], int] = defaultdict(int)
    out: list[tuple[datetime, int]] = []
    for event_type, ts in sorted(events, key=lambda e: e[1]):
        earned = 0
        for rule in by_type.get(event_type, ()):
            points = rule.points
            if rule.daily_cap is not None:
                key = (rule.id, local_day(ts, tz))
                points = max(0, min(points, rule.daily_cap - given[key]))
                given[key] += points
            earned += points
        if earned:
            out.append((ts, earned))
    return out


def total(awards: Iterable[tuple[datetime, int]], since: datetime | None = None) -> int:
    return sum(p for ts, p in awards if since is None or ts >= since)


def streak(days: Iterable[date], today: date) -> Streak:
    """Consecutive local days with at least one event.

    The current streak still counts until today ends: a streak that reached yesterday is
    alive (not yet extended today), one that ended the day before yesterday is 0.
    """
    ordered = sorted(set(days))
    result = Streak()
    run, previous = 0, None
    for day in ordered:
        if day > today:  # an event stamped in the future (a fast client clock): not yet
            break
        run = run + 1 if previous is not None and day - previous == timedelta(days=1) else 1
        previous = day
        result.reached.setdefault(run, day)
        result.best = max(result.best, run)
    if previous is not None and today - previous <= timedelta(days=1):
        result.current = run
        result.active_today = previous == today
    return result


def unlocked_at(
    achievement: Achievement,
    awards: Sequence[tuple[datetime, int]],
    event_times: dict[str, list[datetime]],
    streaks: dict[str, Streak],
    tz: ZoneInfo,
) -> tuple[int, datetime | date | None]:
    """(the metric's value now, when the threshold was first reached or None)."""
    if achievement.metric == "points":
        running = 0
        when = None
        for ts, points in awards:
            running += points
            if when is None and running >= achievement.threshold:
                when = ts
        return running, when
    if achievement.metric == "events":
        times = sorted(event_times.get(achievement.event_type or "", []))
        n = achievement.threshold
        return len(times), (times[n - 1] if len(times) >= n else None)
    found = streaks.get(achievement.event_type or "")
    if found is None:
        return 0, None
    return found.best, found.reached.get(achievement.threshold)
