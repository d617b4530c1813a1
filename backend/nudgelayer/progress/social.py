"""Leaderboards and social proof, with privacy rules that hold whatever the data.

- Nobody appears by name unless they opted in (the ``leaderboards`` consent, see
  privacy/consent.py). People who did not opt in are never listed, not even as an
  anonymous row: in a small team an anonymous row is a person anyway.
- Team statistics (percentages, team averages) are shown only for groups of at least
  ``MIN_GROUP`` people: below that, an aggregate would reveal individuals.
- The viewer always sees their own numbers, marked as visible to them alone when they
  have not opted in.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from ..extensions import db
from ..models import Event, User
from . import clock, gamification
from .rules import COMPLETION_EVENTS

MIN_GROUP = 3
LEADERBOARD_DAYS = 7
# {{team.percent_completed:12}}, {{workspace.completed:12}}, {{team.members}}, {{me.points}}
VARIABLE = re.compile(r"\{\{\s*((?:team|workspace|me)\.[a-z_]+(?::[0-9]{1,10})?)\s*\}\}")
UNAVAILABLE = "—"


def opted_in(user_ids: list[int]) -> set[int]:
    """Users who agreed to be shown by name on leaderboards."""
    from .. import models

    consent = getattr(models, "Consent", None)
    if consent is None or not user_ids:
        return set()
    return set(
        db.session.scalars(
            select(consent.user_id).where(
                consent.user_id.in_(user_ids), consent.leaderboards.is_(True)
            )
        )
    )


def display_name(user: User) -> str:
    return user.display_name or user.email.split("@", 1)[0]


def members(workspace_id: int, team: str | None) -> list[User]:
    q = select(User).where(User.workspace_id == workspace_id)
    if team is not None:
        q = q.where(User.team == team)
    return list(db.session.scalars(q.order_by(User.id)))


def completed_users(workspace_id: int, experience_id: int) -> set[int]:
    return set(
        db.session.scalars(
            select(Event.user_id)
            .where(
                Event.workspace_id == workspace_id,
                Event.type.in_(COMPLETION_EVENTS),
                Event.experience_id == experience_id,
                Event.user_id.is_not(None),
            )
            .distinct()
        )
    )


def completion_stat(user_ids: list[int], done: set[int]) -> dict[str, Any] | None:
    """{members, completed, percent}, or None for a group too small to be anonymous."""
    if len(user_ids) < MIN_GROUP:
        return None
    completed = len(done.intersection(user_ids))
    return {
        "members": len(user_ids),
        "completed": completed,
        "percent": round(100 * completed / len(user_ids)),
    }


def variable_names(texts: list[str]) -> set[str]:
    return {m.group(1) for text in texts for m in VARIABLE.finditer(text)}


def _strings(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for v in node.values() for s in _strings(v)]
    if isinstance(node, list):
        return [s for v in node for s in _strings(v)]
    return []


def variables(user: User, contents: list[Any], my_points: int | None) -> dict[str, str]:
    """Values of every template variable the user's live content uses, as display text.

    A value that would describe a group smaller than MIN_GROUP (or an unknown variable)
    is "—": the sentence stays readable and reveals nobody.
    """
    names = variable_names([s for c in contents for s in _strings(c)])
    out: dict[str, str] = {}
    groups: dict[str, list[int]] = {}
    done_cache: dict[int, set[int]] = {}
    for name in sorted(names):
        base, _, arg = name.partition(":")
        group_name, _, what = base.partition(".")
        value = UNAVAILABLE
        if group_name == "me":
            if what == "points" and my_points is not None and not arg:
                value = str(my_points)
        else:
            if group_name not in groups:
                team = user.team if group_name == "team" else None
                groups[group_name] = (
                    [u.id for u in members(user.workspace_id, team)]
                    if group_name == "workspace" or team
                    else []
                )
            ids = groups[group_name]
            if what == "members" and not arg and len(ids) >= MIN_GROUP:
                value = str(len(ids))
            elif what in ("percent_completed", "completed") and arg:
                exp_id = int(arg)
                if exp_id not in done_cache:
                    done_cache[exp_id] = completed_users(user.workspace_id, exp_id)
                stat = completion_stat(ids, done_cache[exp_id])
                if stat:
                    value = (
                        f"{stat['percent']}%"
                        if what == "percent_completed"
                        else str(stat["completed"])
                    )
        out[name] = value
    return out


def recent_points(
    workspace_id: int, rules: list[gamification.PointsRule], users: list[User], now: datetime
) -> dict[int, int]:
    """Points each user earned in the last LEADERBOARD_DAYS days (daily caps in their zone)."""
    if not rules or not users:
        return {u.id: 0 for u in users}
    since = now - timedelta(days=LEADERBOARD_DAYS)
    # A day's cap counts from that day's start, so look back one extra day for it.
    rows = db.session.execute(
        select(Event.user_id, Event.type, Event.ts).where(
            Event.workspace_id == workspace_id,
            Event.user_id.in_([u.id for u in users]),
            Event.type.in_(sorted({r.event_type for r in rules})),
            Event.ts >= since - timedelta(days=1),
            Event.ts <= now,
        )
    ).all()
    by_user: dict[int, list] = defaultdict(list)
    for user_id, type_, ts in rows:
        by_user[user_id].append((type_, ts))
    return {
        u.id: gamification.total(
            gamification.award(by_user[u.id], rules, clock.user_zone(u)), since=since
        )
        for u in users
    }


def leaderboard(
    viewer: User, rules: list[gamification.PointsRule], now: datetime
) -> dict[str, Any]:
    """The viewer's team ranked by recent points (opted-in people only), and team averages."""
    everyone = members(viewer.workspace_id, None)
    points = recent_points(viewer.workspace_id, rules, everyone, now)
    named = opted_in([u.id for u in everyone])
    team = [u for u in everyone if viewer.team and u.team == viewer.team]
    listed = sorted(
        (u for u in team if u.id in named or u.id == viewer.id),
        key=lambda u: (-points[u.id], display_name(u).lower(), u.id),
    )
    rows, rank, previous = [], 0, None
    for position, u in enumerate(listed, start=1):
        if points[u.id] != previous:
            rank, previous = position, points[u.id]
        rows.append(
            {
                "rank": rank,
                "name": display_name(u) if u.id in named or u.id == viewer.id else None,
                "points": points[u.id],
                "you": u.id == viewer.id,
                "visible_to_others": u.id in named,
            }
        )
    by_team: dict[str, list[int]] = defaultdict(list)
    for u in everyone:
        if u.team:
            by_team[u.team].append(u.id)
    teams = [
        {
            "team": name,
            "members": len(ids),
            "points_per_member": round(sum(points[i] for i in ids) / len(ids), 1),
            "yours": name == viewer.team,
        }
        for name, ids in by_team.items()
        if len(ids) >= MIN_GROUP
    ]
    teams.sort(key=lambda t: (-t["points_per_member"], t["team"]))
    return {
        "team": viewer.team,
        "period_days": LEADERBOARD_DAYS,
        "opted_in": viewer.id in named,
        "min_group": MIN_GROUP,
        "members": rows,
        "teams": teams,
    }


def team_member_count(workspace_id: int, team: str) -> int:
    return (
        db.session.scalar(
            select(func.count(User.id)).where(User.workspace_id == workspace_id, User.team == team)
        )
        or 0
    )
