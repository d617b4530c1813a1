"""Signals: values other systems post (``backup.overdue_days = 3`` for team ops).

A signal is keyed by (key, scope). ``scope`` picks users by attribute equality
(``{"team": "ops"}``; ``{}`` is the whole workspace). A user sees, per key, the value of
the most specific signal whose scope matches them (most scope entries; then the newest).
Warning banners (banner content ``signal: {key, op, value}``) show while it holds.
Every change is audited and pushed to open browsers after the commit; posting the value
a signal already has changes nothing (a monitor may repeat itself every minute).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..experiences.targeting import segment_matches
from ..extensions import db
from ..models import ApiKey, Signal, User, now_utc
from . import push
from .audit import audit


def scope_rule(scope: dict[str, Any] | None) -> dict | None:
    """A scope as the segment rule that means the same: every attribute equal."""
    if not scope:
        return None
    return {"all": [{"attr": k, "op": "eq", "value": v} for k, v in sorted(scope.items())]}


def scope_matches(scope: dict[str, Any] | None, attrs: dict[str, Any]) -> bool:
    return segment_matches(scope_rule(scope), attrs)


def _scope_hash(scope: dict[str, Any]) -> str:
    canonical = json.dumps(scope, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


def message(row: Signal, cleared: bool = False) -> dict[str, Any]:
    """The ``signal`` socket message (also one item of GET /client/nudges)."""
    from ..fields import UtcDateTime

    return {
        "key": row.key,
        "value": None if cleared else row.value,
        "scope": row.scope or {},
        "updated_at": UtcDateTime()._serialize(row.updated_at, None, None),
    }


def _who(api_key: ApiKey | None) -> dict[str, Any]:
    return {"api_key": f"{api_key.label} ({api_key.prefix}…)"} if api_key else {}


def _snapshot(row: Signal, api_key: ApiKey | None) -> dict[str, Any]:
    return {"name": row.key, "value": row.value, "scope": row.scope or {}, **_who(api_key)}


def _find(workspace_id: int, key: str, scope_hash: str) -> Signal | None:
    return db.session.scalar(
        select(Signal).where(
            Signal.workspace_id == workspace_id, Signal.key == key, Signal.scope_hash == scope_hash
        )
    )


def set_value(
    workspace_id: int,
    key: str,
    value: Any,
    scope: dict[str, Any] | None = None,
    *,
    api_key: ApiKey | None = None,
    actor: User | None = None,
) -> Signal | None:
    """Set (key, scope) to ``value``; None clears it. Returns the row (None once cleared)."""
    scope = dict(scope or {})
    if value is None:
        clear(workspace_id, key, scope, api_key=api_key, actor=actor)
        return None
    digest = _scope_hash(scope)
    row = _find(workspace_id, key, digest)
    if row is not None and _same(row.value, value):
        return row
    if row is None:
        row = Signal(
            workspace_id=workspace_id,
            key=key,
            scope=scope,
            scope_hash=digest,
            value=value,
            updated_by_key_id=api_key.id if api_key else None,
        )
        try:
            # Two first posts at once: the loser updates the winner's row instead.
            with db.session.begin_nested():
                db.session.add(row)
        except IntegrityError:
            row = _find(workspace_id, key, digest)
            assert row is not None
        else:
            audit(
                workspace_id, actor, "signal.set", "signal", row.id, None, _snapshot(row, api_key)
            )
            push.signal(workspace_id, message(row))
            return row
    before = _snapshot(row, None)
    row.value = value
    row.updated_at = now_utc()
    row.updated_by_key_id = api_key.id if api_key else None
    db.session.flush()
    audit(workspace_id, actor, "signal.set", "signal", row.id, before, _snapshot(row, api_key))
    push.signal(workspace_id, message(row))
    return row


def clear(
    workspace_id: int,
    key: str,
    scope: dict[str, Any] | None = None,
    *,
    api_key: ApiKey | None = None,
    actor: User | None = None,
) -> int:
    """Clear ``key`` for one scope, or for every scope when ``scope`` is None. Returns how many."""
    q = select(Signal).where(Signal.workspace_id == workspace_id, Signal.key == key)
    if scope is not None:
        q = q.where(Signal.scope_hash == _scope_hash(dict(scope)))
    rows = list(db.session.scalars(q))
    for row in rows:
        audit(
            workspace_id,
            actor,
            "signal.clear",
            "signal",
            row.id,
            _snapshot(row, None),
            _who(api_key) or None,
        )
        row.updated_at = now_utc()
        push.signal(workspace_id, message(row, cleared=True))
        db.session.delete(row)
    db.session.flush()
    return len(rows)


def list_(workspace_id: int) -> list[Signal]:
    return list(
        db.session.scalars(
            select(Signal)
            .where(Signal.workspace_id == workspace_id)
            .order_by(Signal.key, Signal.id)
        )
    )


def for_attrs(rows: list[Signal], attrs: dict[str, Any]) -> dict[str, Signal]:
    """Per key, the most specific matching signal (most scope entries, then the newest)."""
    best: dict[str, Signal] = {}
    for row in rows:
        if not scope_matches(row.scope, attrs):
            continue
        rank = (len(row.scope or {}), row.updated_at, row.id)
        current = best.get(row.key)
        if current is None or rank > (len(current.scope or {}), current.updated_at, current.id):
            best[row.key] = row
    return best


def for_user(user: User) -> dict[str, Signal]:
    return for_attrs(list_(user.workspace_id), user.segment_attributes())


def condition_holds(condition: dict[str, Any] | None, signal_value: Any) -> bool:
    """A banner's ``signal: {key, op, value}`` against the user's value (None: no signal).

    Evaluated as a segment condition on the signal's value, so both sides agree.
    """
    if not condition:
        return True
    rule = {"attr": "value", "op": condition["op"]}
    if "value" in condition:
        rule["value"] = condition["value"]
    return segment_matches(rule, {"value": signal_value})


def format_value(value: Any) -> str:
    """A signal's value as text in a warning: 3.0 reads "3" (as JavaScript's String(3.0))."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return str(value)


def render_text(text: str, signal_value: Any) -> str:
    return text.replace("{{signal.value}}", format_value(signal_value))
