"""Events as JSON Lines for BI tools, streamed like response exports."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import select

from ..extensions import db
from ..models import AuditLog, Event, User
from .cooperative import pause
from .export import BATCH, CHUNK, iso_utc


def query(workspace_id: int, type_: str | None, start: datetime | None, end: datetime | None):
    q = select(
        Event.uuid,
        Event.type,
        Event.ts,
        Event.user_id,
        Event.url,
        Event.experience_id,
        Event.data,
        Event.received_at,
    ).where(Event.workspace_id == workspace_id)
    if type_:
        q = q.where(Event.type == type_)
    if start is not None:
        q = q.where(Event.ts >= start)
    if end is not None:
        q = q.where(Event.ts < end)
    return q.order_by(Event.ts, Event.id)


def jsonl_chunks(workspace_id: int, type_=None, start=None, end=None) -> Iterator[bytes]:
    stmt = query(workspace_id, type_, start, end)
    result = db.session.connection().execution_options(yield_per=BATCH).execute(stmt)
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    parts: list[str] = []
    size = 0
    try:
        for uuid, type_name, ts, user_id, url, experience_id, data, received_at in result:
            line = dumps(
                {
                    "id": uuid,
                    "type": type_name,
                    "ts": iso_utc(ts),
                    "user_id": user_id,
                    "url": url,
                    "experience_id": experience_id,
                    "data": data or {},
                    "received_at": iso_utc(received_at),
                }
            )
            parts.append(line)
            size += len(line)
            if size >= CHUNK:
                yield ("\n".join(parts) + "\n").encode()
                parts.clear()
                size = 0
                pause()
        if parts:
            yield ("\n".join(parts) + "\n").encode()
    finally:
        result.close()


def audit(actor: User, filters: dict) -> None:
    db.session.add(
        AuditLog(
            workspace_id=actor.workspace_id,
            actor_id=actor.id,
            action="events.export",
            subject_type="workspace",
            subject_id=actor.workspace_id,
            before=None,
            after={"format": "jsonl", "filters": filters, "via": "api"},
        )
    )
