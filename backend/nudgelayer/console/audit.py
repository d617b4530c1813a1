"""The workspace's audit log (admins only): newest first, 50 a page."""

from __future__ import annotations

from typing import Any

from flask import render_template, request
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import AuditLog
from . import bp
from .session import admin_required, current_user
from .views import pretty_json

PER_PAGE = 50
# Snapshot fields in the order people read them; any other key follows, sorted.
FIELD_ORDER = ["name", "status", "version", "restored", "targeting", "content"]


def diff_rows(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[dict[str, Any]]:
    """One row per top-level field that differs: its name and both values as JSON."""
    before, after = before or {}, after or {}
    keys = [k for k in FIELD_ORDER if k in before or k in after]
    keys += sorted(k for k in {*before, *after} if k not in FIELD_ORDER)
    missing = object()
    rows = []
    for key in keys:
        old, new = before.get(key, missing), after.get(key, missing)
        if old == new:
            continue
        rows.append(
            {
                "field": key,
                "before": None if old is missing else pretty_json(old),
                "after": None if new is missing else pretty_json(new),
            }
        )
    return rows


def _subject(row: AuditLog) -> str:
    snapshot = row.after or row.before or {}
    name = snapshot.get("name") if isinstance(snapshot, dict) else None
    label = f"{row.subject_type} #{row.subject_id}" if row.subject_id else row.subject_type
    return f"{label} “{name}”" if name else label


def _no_user(row: AuditLog) -> str:
    """Who acted when no user did: an API key (named in the snapshot), or the command line."""
    for snapshot in (row.after, row.before):
        if isinstance(snapshot, dict) and isinstance(snapshot.get("api_key"), str):
            return f"API key {snapshot['api_key']}"
    return "(command line, or a deleted user)"


@bp.get("/audit")
@admin_required
def audit_log():
    user = current_user()
    assert user is not None
    total = (
        db.session.scalar(
            select(func.count(AuditLog.id)).where(AuditLog.workspace_id == user.workspace_id)
        )
        or 0
    )
    pages = max(1, -(-total // PER_PAGE))
    raw = request.args.get("page", "1")
    page = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 7 else 1
    page = min(max(page, 1), pages)
    rows = db.session.scalars(
        select(AuditLog)
        .options(joinedload(AuditLog.actor))  # the actor's email on every row: one query
        .where(AuditLog.workspace_id == user.workspace_id)
        .order_by(AuditLog.created_at.desc(), AuditLog.id.desc())
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    )
    entries = [
        {
            "row": row,
            "actor": row.actor.email if row.actor else _no_user(row),
            "subject": _subject(row),
            "changes": diff_rows(row.before, row.after),
        }
        for row in rows
    ]
    return render_template(
        "console/audit.html", entries=entries, page=page, pages=pages, total=total
    )
