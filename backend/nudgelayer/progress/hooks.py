"""The step events/service.py runs after storing a batch: queue the live pushes.

It only decides *who must hear* (browsers whose checklist, goal or badge counter may have
changed); what they see is computed from the stored events when they ask, or, for
counters, right after the commit (push.py). So it stays cheap on the ingest path: one
small revision query, then set arithmetic.
"""

from __future__ import annotations

import logging
from typing import Any

from ..extensions import db
from ..models import User
from . import interest, push

log = logging.getLogger(__name__)


def after_ingest(user: User, rows: list[dict[str, Any]]) -> None:
    """Called after the batch is committed: a failure here can never cost an event."""
    types = {r["type"] for r in rows}
    if not rows or not types:
        return
    # The ids come from the rows: reading them from ``user`` would reload it after the commit.
    workspace_id, user_id = rows[0]["workspace_id"], rows[0]["user_id"]
    try:
        if _queue_pushes(user, workspace_id, user_id, types):
            db.session.commit()  # nothing written: this commit only releases the queued pushes
    except Exception:
        db.session.rollback()
        log.exception("could not queue progress pushes; browsers catch up on their next fetch")


def _queue_pushes(user: User, workspace_id: int, user_id: int, types: set[str]) -> bool:
    """Queue what these event types change; False when nothing needs telling."""
    wanted = interest.for_workspace(workspace_id)
    hint = bool(types & wanted.progress_types)
    if hint:
        push.queue_progress_hint([user_id], "events")
    counted = sorted(types & wanted.counters.keys())
    for key in counted:
        for scope in sorted(wanted.counters[key]):
            scoped = {"workspace": "", "user": str(user_id)}.get(scope)
            if scope == "team":
                scoped = user.team
            if scoped is None:
                continue  # a team counter and a user without a team: nobody to tell
            rooms = push.rooms_for_scope(workspace_id, scope, scoped)
            push.queue_events_counter(push.EventsCounter(workspace_id, key, scope, scoped, rooms))
    return hint or bool(counted)
