"""Live pushes of progress: ``counter`` values and ``progress`` hints over Socket.IO.

Like realtime.queue_push, nothing is emitted before the transaction that caused it has
committed. Counter values from events are computed *after* the commit, on a connection
of their own, so a value never misses the events its own request stored; each message
carries the time it is true as of (``ts``), and clients keep the newest per counter, so
two requests finishing in either order leave every tab with the right number.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from ..extensions import db, socketio
from ..models import ApiToken, User, now_utc
from ..realtime import NAMESPACE, room_for, token_room
from .engine import events_count

log = logging.getLogger(__name__)
_PENDING = "nudgelayer_pending_progress"


@dataclass(frozen=True)
class EventsCounter:
    """Recount ``key`` events for one scope after the commit, then send it to ``rooms``."""

    workspace_id: int
    key: str
    scope: str
    scoped: str
    rooms: tuple[str, ...]


def iso(ts: datetime) -> str:
    return ts.replace(tzinfo=UTC).isoformat().replace("+00:00", "Z")


def counter_message(
    source: str, key: str, scope: str, value: int | None, ts: datetime
) -> dict[str, Any]:
    return {"source": source, "key": key, "scope": scope, "value": value, "ts": iso(ts)}


def user_rooms(user_ids: list[int]) -> tuple[str, ...]:
    """The socket rooms of these users' live tokens (a socket joins its token's room)."""
    if not user_ids:
        return ()
    ids = db.session.scalars(
        select(ApiToken.id).where(
            ApiToken.user_id.in_(user_ids),
            ApiToken.revoked_at.is_(None),
            ApiToken.expires_at > now_utc(),
        )
    )
    return tuple(token_room(i) for i in ids)


def team_rooms(workspace_id: int, team: str) -> tuple[str, ...]:
    members = db.session.scalars(
        select(User.id).where(User.workspace_id == workspace_id, User.team == team)
    )
    return user_rooms(list(members))


def rooms_for_scope(workspace_id: int, scope: str, scoped: str) -> tuple[str, ...]:
    if scope == "workspace":
        return (room_for(workspace_id),)
    if scope == "team":
        return team_rooms(workspace_id, scoped)
    return user_rooms([int(scoped)])


def _queue(item: Any) -> None:
    db.session.info.setdefault(_PENDING, []).append(item)


def queue_counter(message: dict[str, Any], rooms: tuple[str, ...]) -> None:
    """Send a counter value (already known, e.g. one another system posted) after commit."""
    if rooms:
        _queue(("counter", message, rooms))


def queue_events_counter(item: EventsCounter) -> None:
    if item.rooms:
        _queue(item)


def queue_workspace_hint(workspace_id: int, reason: str) -> None:
    """Everyone's progress may have changed (a goal or a rule was edited)."""
    _queue(("progress", {"reason": reason}, (room_for(workspace_id),)))


def queue_progress_hint(user_ids: list[int], reason: str) -> None:
    """Tell these users' browsers that their progress changed: they fetch it again."""
    rooms = user_rooms(user_ids)
    if rooms:
        _queue(("progress", {"reason": reason}, rooms))


@event.listens_for(Session, "after_commit")
def _emit_after_commit(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    recount = [p for p in pending if isinstance(p, EventsCounter)]
    values: dict[EventsCounter, tuple[int, datetime]] = {}
    if recount:
        try:
            # A connection of its own: this session's transaction is over, and the count
            # must include everything committed so far, this request's events included.
            with db.engine.connect() as conn:
                for item in dict.fromkeys(recount):
                    ts = now_utc()
                    values[item] = (
                        events_count(item.workspace_id, item.key, item.scope, item.scoped, conn),
                        ts,
                    )
        except Exception:  # the data is committed; a missed push only delays the number
            log.exception("could not recount live counters")
    for p in pending:
        if isinstance(p, EventsCounter):
            if p in values:
                value, ts = values.pop(p)
                msg = counter_message("events", p.key, p.scope, value, ts)
                socketio.emit("counter", msg, to=list(p.rooms), namespace=NAMESPACE)
        else:
            name, message, rooms = p
            socketio.emit(name, message, to=list(rooms), namespace=NAMESPACE)


@event.listens_for(Session, "after_rollback")
def _drop_after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)
