"""Per-user event counts for segment rules with event conditions.

Segment rules may say ``{event: "ticket.closed", count: {gte: 3}, within_days: 7}``. The
extension cannot count a user's events (other devices, other systems), so the server
sends each user the counts of every (event, days) pair that a live experience asks about,
as ``{"ticket.closed": {"7": 4}}`` (GET /client/nudges).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import case, func, select

from ..experiences.targeting import event_conditions
from ..extensions import db
from ..models import Event, Experience, Status, User, now_utc


def rules_of(targeting: dict[str, Any] | None) -> list[Any]:
    """The segment rules of one targeting: its segment and its variants' segments."""
    targeting = targeting or {}
    rules = [targeting.get("segment")]
    rules += [v.get("segment") for v in targeting.get("variants") or [] if isinstance(v, dict)]
    return [r for r in rules if r]


def live_pairs(workspace_id: int) -> list[tuple[str, int]]:
    """Every (event type, within_days) pair the workspace's published experiences count."""
    pairs: list[tuple[str, int]] = []
    rows = db.session.scalars(
        select(Experience).where(
            Experience.workspace_id == workspace_id, Experience.status == Status.published.value
        )
    )
    for exp in rows:
        if exp.published_version is None:
            continue
        for rule in rules_of(exp.published_version.targeting):
            for pair in event_conditions(rule):
                if pair not in pairs:
                    pairs.append(pair)
    return pairs


def for_user(user: User, pairs: list[tuple[str, int]], now=None) -> dict[str, dict[str, int]]:
    """``{event: {"<days>": n}}`` for ``user``: one query per event type."""
    now = now or now_utc()
    by_event: dict[str, list[int]] = {}
    for event, days in pairs:
        by_event.setdefault(event, []).append(days)
    out: dict[str, dict[str, int]] = {}
    for event, days_list in by_event.items():
        oldest = now - timedelta(days=max(days_list))
        sums = [
            func.coalesce(func.sum(case((Event.ts >= now - timedelta(days=d), 1), else_=0)), 0)
            for d in days_list
        ]
        row = db.session.execute(
            select(*sums).where(
                Event.workspace_id == user.workspace_id,
                Event.user_id == user.id,
                Event.type == event,
                Event.ts >= oldest,
            )
        ).one()
        out[event] = {str(d): int(n) for d, n in zip(days_list, row, strict=True)}
    return out
