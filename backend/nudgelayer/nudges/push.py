"""Socket pushes of nudge state, emitted only after the commit that made them.

Two messages on /rt, to the workspace's room (docs/protocol.md, "Nudges"):
``signal`` {key, value, scope, updated_at} (value null: cleared), and ``nudges``
{reason, user_ids?}: "fetch GET /client/nudges again".
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from ..extensions import db, socketio
from ..realtime import NAMESPACE, room_for

_PENDING = "nudgelayer_nudge_pushes"


def queue(workspace_id: int, name: str, message: dict[str, Any]) -> None:
    db.session.info.setdefault(_PENDING, []).append((workspace_id, name, message))


def signal(workspace_id: int, message: dict[str, Any]) -> None:
    queue(workspace_id, "signal", message)


def nudges(workspace_id: int, reason: str, user_ids: list[int] | None = None) -> None:
    message: dict[str, Any] = {"reason": reason}
    if user_ids is not None:
        message["user_ids"] = sorted(set(user_ids))
    queue(workspace_id, "nudges", message)


@event.listens_for(Session, "after_commit")
def _emit_after_commit(session: Session) -> None:
    # SQLAlchemy fires after_commit for a SAVEPOINT's release too: wait for the real commit.
    if session.in_nested_transaction():
        return
    for workspace_id, name, message in session.info.pop(_PENDING, None) or ():
        socketio.emit(name, message, to=room_for(workspace_id), namespace=NAMESPACE)


@event.listens_for(Session, "after_rollback")
def _drop_after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)
