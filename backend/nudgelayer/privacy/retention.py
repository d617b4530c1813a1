"""Retention: each workspace keeps events and survey answers for a number of days.

``purge_expired`` deletes what is older, in small chunks (a long delete would hold
SQLite's one write lock and stall ingestion), and notes each purge in the audit log.
It runs daily inside the server (scheduler.py) and from cron (``nudgelayer
purge-expired``); running it twice is harmless.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, or_, select

from ..extensions import db
from ..models import (
    ApiToken,
    AuditLog,
    Event,
    PrivacySettings,
    SurveyResponse,
    User,
    Webhook,
    WebhookDelivery,
    Workspace,
    now_utc,
)

DEFAULT_RETENTION_DAYS = 365
MIN_RETENTION_DAYS, MAX_RETENTION_DAYS = 1, 3650
# Expired or revoked tokens are useless; their rows go this long after they died.
DEAD_TOKEN_DAYS = 30
CHUNK = 2000


def retention_days(workspace_id: int) -> int:
    row = db.session.get(PrivacySettings, workspace_id)
    return row.retention_days if row else DEFAULT_RETENTION_DAYS


def set_retention_days(actor: User, days: int) -> int:
    """Change the actor's workspace's retention period; audited."""
    before = retention_days(actor.workspace_id)
    row = db.session.get(PrivacySettings, actor.workspace_id)
    if row is None:
        row = PrivacySettings(workspace_id=actor.workspace_id)
        db.session.add(row)
    row.retention_days = days
    db.session.add(
        AuditLog(
            workspace_id=actor.workspace_id,
            actor_id=actor.id,
            action="privacy.settings_changed",
            subject_type="workspace",
            subject_id=actor.workspace_id,
            before={"retention_days": before},
            after={"retention_days": days},
        )
    )
    db.session.flush()
    return days


def _delete_in_chunks(model, *conditions) -> int:
    """DELETE matching rows a chunk at a time, committing each; returns how many went."""
    total = 0
    while True:
        ids = select(model.id).where(*conditions).limit(CHUNK)
        stmt = delete(model).where(model.id.in_(ids.scalar_subquery()))
        gone = db.session.execute(stmt.execution_options(synchronize_session=False))
        db.session.commit()
        total += gone.rowcount or 0
        if (gone.rowcount or 0) < CHUNK:
            return total


def purge_workspace(workspace_id: int, days: int, now: datetime) -> dict[str, int]:
    cutoff = now - timedelta(days=days)
    # An event counts from when it happened, and also from when it arrived: a client
    # clock set in the future must not keep an event forever.
    events = _delete_in_chunks(
        Event,
        Event.workspace_id == workspace_id,
        or_(Event.ts < cutoff, Event.received_at < cutoff),
    )
    # A response counts from its last change (a partial answer completed later).
    responses = _delete_in_chunks(
        SurveyResponse,
        SurveyResponse.workspace_id == workspace_id,
        SurveyResponse.updated_at < cutoff,
    )
    # Webhook deliveries carry copies of answers in their payloads.
    hooks = select(Webhook.id).where(Webhook.workspace_id == workspace_id).scalar_subquery()
    deliveries = _delete_in_chunks(
        WebhookDelivery, WebhookDelivery.webhook_id.in_(hooks), WebhookDelivery.created_at < cutoff
    )
    counts = {"events": events, "responses": responses, "webhook_deliveries": deliveries}
    if any(counts.values()):
        db.session.add(
            AuditLog(
                workspace_id=workspace_id,
                actor_id=None,
                action="retention.purged",
                subject_type="workspace",
                subject_id=workspace_id,
                after={"retention_days": days, "before": cutoff.isoformat() + "Z", **counts},
            )
        )
        db.session.commit()
    return counts


def purge_expired(now: datetime | None = None) -> dict[str, Any]:
    """Purge every workspace by its own retention period; returns what went, in total."""
    now = now or now_utc()
    settings = dict(
        db.session.execute(
            select(PrivacySettings.workspace_id, PrivacySettings.retention_days)
        ).all()
    )
    workspace_ids = db.session.scalars(select(Workspace.id).order_by(Workspace.id)).all()
    totals = {
        "workspaces": len(workspace_ids),
        "events": 0,
        "responses": 0,
        "webhook_deliveries": 0,
    }
    for ws_id in workspace_ids:
        for key, n in purge_workspace(
            ws_id, settings.get(ws_id, DEFAULT_RETENTION_DAYS), now
        ).items():
            totals[key] += n
    dead = now - timedelta(days=DEAD_TOKEN_DAYS)
    totals["tokens"] = _delete_in_chunks(
        ApiToken, or_(ApiToken.expires_at < dead, ApiToken.revoked_at < dead)
    )
    return totals
