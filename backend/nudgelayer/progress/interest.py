"""Which event types the workspace's progress rules care about, and who must hear of them.

Asked after every event batch, so it is cached per workspace and keyed by a revision
that one small query reads: the change cursor (every publish, unpublish, rollback or
delete of an experience moves it) and the count and latest edit of goals and rules.
When nothing changed, the cached answer is reused; when something did, it is rebuilt.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from sqlalchemy import func, select

from ..extensions import db
from ..models import ChangeLog, Experience, GamificationRule, Goal, Kind, Status
from .engine import counter_spec
from .rules import CHECKLIST_COMPLETED, item_rule

_MAX_WORKSPACES = 256


@dataclass
class Interest:
    # Event types that change someone's checklist, goal, points, streak or achievement.
    progress_types: set[str] = field(default_factory=set)
    # Event type → the scopes of live badges counting it.
    counters: dict[str, set[str]] = field(default_factory=dict)


_cache: OrderedDict[int, tuple[tuple, Interest]] = OrderedDict()
_lock = threading.Lock()


def _revision(workspace_id: int) -> tuple:
    def count_and_latest(model):
        where = model.workspace_id == workspace_id
        return (
            select(func.count(model.id)).where(where).scalar_subquery(),
            select(func.max(model.updated_at)).where(where).scalar_subquery(),
        )

    cursor = (
        select(func.max(ChangeLog.id))
        .where(ChangeLog.workspace_id == workspace_id)
        .scalar_subquery()
    )
    row = db.session.execute(
        select(cursor, *count_and_latest(Goal), *count_and_latest(GamificationRule))
    ).one()
    return tuple(row)


def _build(workspace_id: int) -> Interest:
    interest = Interest()
    live = db.session.scalars(
        select(Experience).where(
            Experience.workspace_id == workspace_id,
            Experience.status == Status.published.value,
            Experience.kind.in_([Kind.checklist.value, Kind.badge.value]),
        )
    )
    for exp in live:
        version = exp.published_version
        if version is None:
            continue
        # Per-segment variants (targeting.variants) may carry other items or counters.
        variants = (version.targeting or {}).get("variants") or []
        contents = [version.content or {}]
        contents += [v.get("content") or {} for v in variants if isinstance(v, dict)]
        for c in contents:
            if exp.kind == Kind.checklist.value:
                for item in c.get("items") or []:
                    rule = item_rule(item)
                    if rule:
                        interest.progress_types.add(rule.event_type)
            elif isinstance(c.get("counter"), dict):
                source, key, scope = counter_spec(c["counter"])
                if source == "events":
                    interest.counters.setdefault(key, set()).add(scope)
    for (event_type,) in db.session.execute(
        select(Goal.event_type).where(Goal.workspace_id == workspace_id, Goal.active.is_(True))
    ):
        interest.progress_types.add(event_type)
    for (event_type,) in db.session.execute(
        select(GamificationRule.event_type).where(
            GamificationRule.workspace_id == workspace_id,
            GamificationRule.active.is_(True),
            GamificationRule.event_type.is_not(None),
        )
    ):
        interest.progress_types.add(event_type)
    # Social proof counts completions: a teammate's completion changes everyone's numbers,
    # but that is read on the next fetch, not pushed.
    interest.progress_types.discard(CHECKLIST_COMPLETED)
    return interest


def for_workspace(workspace_id: int) -> Interest:
    revision = _revision(workspace_id)
    with _lock:
        hit = _cache.get(workspace_id)
        if hit and hit[0] == revision:
            _cache.move_to_end(workspace_id)
            return hit[1]
    interest = _build(workspace_id)
    with _lock:
        _cache[workspace_id] = (revision, interest)
        _cache.move_to_end(workspace_id)
        while len(_cache) > _MAX_WORKSPACES:
            _cache.popitem(last=False)
    return interest
