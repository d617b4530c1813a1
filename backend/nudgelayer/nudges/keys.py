"""API keys for other systems: scoped to one API, hashed at rest, revocable.

A key is ``nlk_`` + 43 random characters. Only its sha256 is stored (like user tokens:
a leaked database holds no usable key); the plain key is shown once, when it is made.
A key acts for no user: ``auth.decorators.require_api_key`` admits it to the routes of
its scope and ``require_roles`` refuses it everywhere else.
"""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select

from ..errors import Conflict, Invalid, NotFound
from ..extensions import db
from ..models import ApiKey, User, Workspace, now_utc
from .audit import audit

PREFIX = "nlk_"
SCOPES = ("signals",)
MAX_KEYS = 50


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def snapshot(row: ApiKey) -> dict:
    """What the audit log and the API show of a key: never the key itself."""
    return {
        "name": row.label,
        "scope": row.scope,
        "prefix": row.prefix,
        "revoked": row.revoked_at is not None,
    }


def create(
    workspace: Workspace, label: str, scope: str, actor: User | None = None
) -> tuple[str, ApiKey]:
    """Make a key; returns (the plain key, to show once; its row)."""
    if scope not in SCOPES:
        raise Invalid(f"Unknown scope {scope!r}.", {"scope": [f"One of {', '.join(SCOPES)}."]})
    label = (label or "").strip()
    if not 1 <= len(label) <= 120:
        raise Invalid("Name the key (1 to 120 characters).", {"label": ["1 to 120 characters."]})
    active = db.session.scalar(
        select(db.func.count())
        .select_from(ApiKey)
        .where(ApiKey.workspace_id == workspace.id, ApiKey.revoked_at.is_(None))
    )
    if active >= MAX_KEYS:
        raise Conflict(f"A workspace has at most {MAX_KEYS} active API keys; revoke one first.")
    key = PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(
        workspace_id=workspace.id,
        key_hash=_digest(key),
        prefix=key[: len(PREFIX) + 6],
        label=label,
        scope=scope,
        created_by_id=actor.id if actor else None,
    )
    db.session.add(row)
    db.session.flush()
    audit(workspace.id, actor, "api_key.create", "api_key", row.id, None, snapshot(row))
    return key, row


def list_(workspace_id: int) -> list[ApiKey]:
    return list(
        db.session.scalars(
            select(ApiKey).where(ApiKey.workspace_id == workspace_id).order_by(ApiKey.id.desc())
        )
    )


def get(workspace_id: int, key_id: int) -> ApiKey:
    row = db.session.get(ApiKey, key_id) if 0 < key_id < 2**31 else None
    if row is None or row.workspace_id != workspace_id:
        raise NotFound(f"No API key {key_id}.")
    return row


def revoke(row: ApiKey, actor: User | None = None) -> ApiKey:
    if row.revoked_at is not None:
        return row
    before = snapshot(row)
    row.revoked_at = now_utc()
    db.session.flush()
    audit(row.workspace_id, actor, "api_key.revoke", "api_key", row.id, before, snapshot(row))
    return row


def key_for_token(token: str | None) -> ApiKey | None:
    """The active key a bearer value names, or None (unknown, revoked, not a key)."""
    if not token or not token.startswith(PREFIX) or len(token) > 200:
        return None
    row = db.session.scalar(select(ApiKey).where(ApiKey.key_hash == _digest(token)))
    if row is None or row.revoked_at is not None:
        return None
    return row


def touch(row: ApiKey) -> None:
    """Remember the last use, at most once a minute (a busy monitor must not write each call)."""
    now = now_utc()
    if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
        row.last_used_at = now
