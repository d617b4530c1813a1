"""Goals: progress in the goal's window, a day-by-day series for charts, reminders."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from ..extensions import db
from ..models import Event, Goal, GoalCommitment, User
from .clock import days_between, local_day

MAX_POINTS = 92  # series points in a chart; longer goals are sampled


def window_times(goal: Goal, user: User) -> list[datetime]:
    """Times of the events that count for ``user``: theirs, or their whole team's."""
    if goal.scope == "team":
        return team_times(goal, user.team) if user.team else []
    return _times(goal, Event.user_id == user.id)


def team_times(goal: Goal, team: str) -> list[datetime]:
    members = select(User.id).where(User.workspace_id == goal.workspace_id, User.team == team)
    return _times(goal, Event.user_id.in_(members))


def _times(goal: Goal, whose) -> list[datetime]:
    q = select(Event.ts).where(
        Event.workspace_id == goal.workspace_id,
        Event.type == goal.event_type,
        Event.ts >= goal.starts_at,
        Event.ts < goal.deadline,
        whose,
    )
    return sorted(db.session.scalars(q))


def series(times: list[datetime], goal: Goal, now: datetime, tz: ZoneInfo) -> list[dict[str, Any]]:
    """Cumulative count at the end of each local day, from the start to today (or the deadline)."""
    first = local_day(goal.starts_at, tz)
    last = local_day(min(now, goal.deadline - timedelta(microseconds=1)), tz)
    if last < first:
        return []
    days = days_between(first, last)
    step = -(-len(days) // MAX_POINTS)
    per_day: dict = {}
    for ts in times:
        day = local_day(ts, tz)
        per_day[day] = per_day.get(day, 0) + 1
    out, running = [], 0
    for i, day in enumerate(days):
        running += per_day.get(day, 0)
        if i % step == 0 or i == len(days) - 1:
            out.append({"day": day.isoformat(), "value": running})
    return out


def _span(delta: timedelta) -> str:
    hours = max(1, round(delta.total_seconds() / 3600))
    if hours < 24:
        return f"{hours} hour{'s' if hours != 1 else ''}"
    days = round(hours / 24)
    return f"{days} day{'s' if days != 1 else ''}"


def status(goal: Goal, value: int, now: datetime) -> str:
    if value >= goal.target:
        return "achieved"
    if now < goal.starts_at:
        return "upcoming"
    if now >= goal.deadline:
        return "missed"
    return "active"


def reminder(goal: Goal, value: int, now: datetime, committed: bool) -> str | None:
    """A nudge for a committed goal that is close to its deadline and not reached yet.

    Close means within 30% of the goal's period, at most 3 days and at least 1 day before.
    """
    if not committed or status(goal, value, now) != "active":
        return None
    left = goal.deadline - now
    period = goal.deadline - goal.starts_at
    window = max(timedelta(days=1), min(timedelta(days=3), period * 0.3))
    if left > window:
        return None
    more = goal.target - value
    return f"Due in {_span(left)}: {more} more to reach {goal.target}."


def state(
    goal: Goal, user: User, commitment: GoalCommitment | None, now: datetime, tz: ZoneInfo
) -> dict[str, Any]:
    times = window_times(goal, user)
    value = len(times)
    committed = commitment is not None
    return {
        "id": goal.id,
        "title": goal.title,
        "description": goal.description,
        "event_type": goal.event_type,
        "target": goal.target,
        "scope": goal.scope,
        "team": user.team if goal.scope == "team" else None,
        "starts_at": goal.starts_at,
        "deadline": goal.deadline,
        "committed": committed,
        "committed_at": commitment.committed_at if commitment else None,
        "value": value,
        "percent": min(100, round(100 * value / goal.target)) if goal.target else 100,
        "status": status(goal, value, now),
        "reminder": reminder(goal, value, now, committed),
        "series": series(times, goal, now, tz),
    }
