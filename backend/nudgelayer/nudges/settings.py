"""Workspace nudge settings: where the launcher shows, the interruption budget, digests."""

from __future__ import annotations

from typing import Any

from ..extensions import db
from ..models import NudgeSettings, User, now_utc
from . import push
from .audit import audit

FREQUENCIES = ("off", "daily", "weekly")
FIELDS = (
    "overlay_url",
    "interruption_limit",
    "interruption_period_hours",
    "interruption_gap_minutes",
    "digest_webhook_url",
    "digest_frequency",
)
# Fields the extension reads: changing one tells open browsers to fetch again.
CLIENT_FIELDS = {"overlay_url"}


def get(workspace_id: int) -> NudgeSettings:
    """The workspace's settings; defaults (not stored) until the first change."""
    row = db.session.get(NudgeSettings, workspace_id)
    if row is None:
        row = NudgeSettings(
            workspace_id=workspace_id,
            overlay_url=None,
            interruption_limit=3,
            interruption_period_hours=24,
            interruption_gap_minutes=30,
            digest_webhook_url=None,
            digest_frequency="off",
        )
    return row


def snapshot(row: NudgeSettings) -> dict[str, Any]:
    return {f: getattr(row, f) for f in FIELDS}


def update(actor: User, changes: dict[str, Any]) -> NudgeSettings:
    """Apply already-validated ``changes``; audited, and pushed if browsers need them."""
    row = get(actor.workspace_id)
    before = snapshot(row)
    for field, value in changes.items():
        setattr(row, field, value)
    after = snapshot(row)
    if after == before:
        return row
    row.updated_at = now_utc()
    if db.session.get(NudgeSettings, actor.workspace_id) is None:
        db.session.add(row)
    db.session.flush()
    audit(actor.workspace_id, actor, "nudge_settings.update", "nudge_settings", None, before, after)
    if any(before[f] != after[f] for f in CLIENT_FIELDS):
        push.nudges(actor.workspace_id, "settings")
    return row
