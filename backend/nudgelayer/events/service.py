"""Event ingestion: each client-made UUID is stored once, whatever the retries."""

from __future__ import annotations

import json
from datetime import UTC
from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..extensions import db
from ..models import Event, User, now_utc


def _insert_new_only():
    """INSERT … ON CONFLICT (uuid) DO NOTHING RETURNING id, for SQLite and PostgreSQL.

    Executed with a list of rows, SQLAlchemy sends it as a few multi-row statements
    from one cached compilation ("insertmanyvalues"); building one VALUES clause from
    the rows instead recompiled ~900 bind parameters per batch of 100, most of the
    endpoint's time. RETURNING counts what was really stored on both databases
    (PostgreSQL's rowcount is not kept for INSERTs).
    """
    dialect = db.session.get_bind().dialect.name
    table = Event.__table__
    stmt = (pg_insert if dialect == "postgresql" else sqlite_insert)(table)
    return stmt.on_conflict_do_nothing(index_elements=["uuid"]).returning(table.c.id)


def ingest(user: User, events: list[dict[str, Any]]) -> tuple[int, int]:
    """Store ``events``; return (stored now, already stored before)."""
    if not events:
        return 0, 0
    received = now_utc()
    rows, seen = [], set()
    for e in events:
        if e["id"] in seen:
            continue
        seen.add(e["id"])
        ts = e["ts"].astimezone(UTC).replace(tzinfo=None)
        rows.append(
            {
                "uuid": e["id"],
                "workspace_id": user.workspace_id,
                "user_id": user.id,
                "type": e["type"],
                "ts": ts,
                "url": e.get("url"),
                "experience_id": e.get("experience_id"),
                "data": e.get("data") or {},
                "received_at": received,
            }
        )
    stored = len(db.session.execute(_insert_new_only(), rows).all())
    db.session.commit()
    if stored:
        # Progress: push to the browsers whose checklists, goals or live counters these
        # events may change (progress/hooks.py). After the commit, so it never costs an event.
        from ..progress.hooks import after_ingest

        after_ingest(user, rows)
    return stored, len(events) - stored


def data_size_ok(data: dict) -> bool:
    return len(json.dumps(data, separators=(",", ":"))) <= 4096
