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
    if not types:
        return
    try:
        _queue_pushes(user, types)
        db.session.commit()  # nothing written: this commit only releases the queued pushes
    except Exception:
        db.session.rollback()
        log.exception("could not queue progress pushes; browsers catch up on their next fetch")


def _queue_pushes(user: User, types: set[str]) -> None:
    wanted = interest.for_workspace(user.workspace_id)
    if types & wanted.progress_types:
        push.queue_progress_hint([user.id], "events")
    for key in sorted(types & wanted.counters.keys()):
        for scope in sorted(wanted.counters[key]):
            scoped = {"workspace": "", "team": user.team, "user": str(user.id)}[scope]
            if scoped is None:
                continue  # a team counter and a user without a team: nobody to tell
            rooms = push.rooms_for_scope(user.workspace_id, scope, scoped)
            push.queue_events_counter(
                push.EventsCounter(user.workspace_id, key, scope, scoped, rooms)
            )
