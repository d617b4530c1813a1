"""The progress engine: checklist progress and badge counters, computed from stored events.

Nothing here depends on the order events arrived in: progress is a function of the set
of stored events (each client-made uuid is stored once) plus the hand ticks (one row per
user and item). Two requests computing at once get the same answer; recording a
checklist's completion is an insert keyed by a uuid derived from (checklist, user), so
it happens once however many requests race to do it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from ..extensions import db
from ..models import ChecklistTick, CounterValue, Event, Experience, User, now_utc
from .rules import CHECKLIST_COMPLETED, Bucket, Rule, is_done, item_rule, matching

# uuid5 namespace of the events the server records itself.
SERVER_EVENTS = uuid.UUID("4d1b6a52-7f0e-4c55-9f5e-2f8d7c3a9b10")
SELECTOR = Event.data["selector"].as_string()


def user_buckets(user: User, types: Iterable[str]) -> list[Bucket]:
    """The user's events of ``types``, grouped so rules can be checked without the rows."""
    types = sorted(set(types))
    if not types:
        return []
    rows = db.session.execute(
        select(
            Event.type,
            Event.url,
            Event.experience_id,
            SELECTOR,
            func.count(Event.id),
            func.min(Event.ts),
        )
        .where(Event.user_id == user.id, Event.type.in_(types))
        .group_by(Event.type, Event.url, Event.experience_id, SELECTOR)
    ).all()
    return [Bucket(t, u, x, s, n, first) for t, u, x, s, n, first in rows]


def done_at(user: User, rule: Rule, buckets: list[Bucket]) -> datetime | None:
    """When the rule was met: the time of its ``count``-th matching event."""
    hits = matching(rule, buckets)
    if sum(b.count for b in hits) < rule.count:
        return None
    if rule.count == 1:
        return min(b.first for b in hits)
    q = select(Event.ts).where(Event.user_id == user.id, Event.type == rule.event_type)
    if rule.experience_id is not None:
        q = q.where(Event.experience_id == rule.experience_id)
    if rule.selector is not None:
        q = q.where(rule.selector == SELECTOR)
    if rule.url is not None:
        q = q.where(Event.url.in_(sorted({b.url for b in hits})))
    return db.session.scalar(q.order_by(Event.ts, Event.id).offset(rule.count - 1).limit(1))


def checklist_rules(content: dict[str, Any]) -> list[Rule | None]:
    return [item_rule(item) for item in content.get("items") or []]


def checklists_progress(
    user: User, checklists: list[tuple[Experience, dict]]
) -> list[dict[str, Any]]:
    """Per live checklist (experience, the content the user sees): which items are done."""
    if not checklists:
        return []
    rules = {exp.id: checklist_rules(content) for exp, content in checklists}
    buckets = user_buckets(user, {r.event_type for rs in rules.values() for r in rs if r})
    ticks: dict[int, set[int]] = {}
    for exp_id, index in db.session.execute(
        select(ChecklistTick.experience_id, ChecklistTick.item_index).where(
            ChecklistTick.user_id == user.id, ChecklistTick.experience_id.in_(list(rules))
        )
    ):
        ticks.setdefault(exp_id, set()).add(index)
    out = []
    for exp, _content in checklists:
        items = rules[exp.id]
        mine = {i for i in ticks.get(exp.id, set()) if i < len(items)}
        by_rule = {i for i, r in enumerate(items) if r is not None and is_done(r, buckets)}
        done = sorted(by_rule | mine)
        out.append(
            {
                "id": exp.id,
                "version": exp.published_version.number if exp.published_version else None,
                "total": len(items),
                "done": done,
                "ticked": sorted(mine - by_rule),
                "complete": len(done) == len(items),
            }
        )
    return out


def completion_uuid(experience_id: int, user_id: int) -> str:
    return str(uuid.uuid5(SERVER_EVENTS, f"{CHECKLIST_COMPLETED}:{experience_id}:{user_id}"))


def record_completions(user: User, states: list[dict[str, Any]]) -> int:
    """Store one ``checklist.completed`` event per complete checklist, once ever.

    Team statistics ("78% of your team finished onboarding") count these events rather
    than re-evaluating every teammate's checklist.
    """
    from ..events.service import _insert_new_only

    rows = [
        {
            "uuid": completion_uuid(s["id"], user.id),
            "workspace_id": user.workspace_id,
            "user_id": user.id,
            "type": CHECKLIST_COMPLETED,
            "ts": now_utc(),
            "url": None,
            "experience_id": s["id"],
            "data": {"version": s["version"], "source": "server"},
            "received_at": now_utc(),
        }
        for s in states
        if s["complete"]
    ]
    if not rows:
        return 0
    return len(db.session.execute(_insert_new_only(), rows).all())


# ---------------------------------------------------------------- counters

DEFAULT_SCOPE = {"events": "user", "signal": "workspace"}


def counter_spec(counter: dict[str, Any]) -> tuple[str, str, str]:
    source = counter["source"]
    return source, counter["key"], counter.get("scope") or DEFAULT_SCOPE[source]


def scope_value(scope: str, user: User) -> str | None:
    """Which stored counter a viewer sees: "" (workspace), their team, their user id."""
    if scope == "workspace":
        return ""
    if scope == "team":
        return user.team or None
    return str(user.id)


def events_count(workspace_id: int, key: str, scope: str, scoped: str, conn=None) -> int:
    q = select(func.count(Event.id)).where(Event.workspace_id == workspace_id, Event.type == key)
    if scope == "user":
        q = q.where(Event.user_id == int(scoped))
    elif scope == "team":
        members = select(User.id).where(User.workspace_id == workspace_id, User.team == scoped)
        q = q.where(Event.user_id.in_(members))
    runner = conn if conn is not None else db.session
    return int(runner.execute(q).scalar() or 0)


def counter_value(user: User, spec: tuple[str, str, str]) -> dict[str, Any]:
    source, key, scope = spec
    scoped = scope_value(scope, user)
    value, ts = None, now_utc()
    if scoped is not None:
        if source == "events":
            value = events_count(user.workspace_id, key, scope, scoped)
        else:
            row = db.session.scalar(
                select(CounterValue).where(
                    CounterValue.workspace_id == user.workspace_id,
                    CounterValue.key == key,
                    CounterValue.scope == scope,
                    CounterValue.scope_value == scoped,
                )
            )
            value, ts = (row.value, row.ts) if row else (None, datetime(2000, 1, 1))
    return {"source": source, "key": key, "scope": scope, "value": value, "ts": ts}
