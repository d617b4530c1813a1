"""Audit rows for nudge objects: who (a user, or an API key named in the snapshot) changed what."""

from __future__ import annotations

from typing import Any

from ..extensions import db
from ..models import AuditLog, User


def audit(
    workspace_id: int,
    actor: User | None,
    action: str,
    subject_type: str,
    subject_id: int | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    db.session.add(
        AuditLog(
            workspace_id=workspace_id,
            actor_id=actor.id if actor else None,
            action=action,
            subject_type=subject_type,
            subject_id=subject_id,
            before=before,
            after=after,
        )
    )
