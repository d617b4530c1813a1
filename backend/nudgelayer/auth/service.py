"""Accounts, passwords and API tokens."""

from __future__ import annotations

import functools
import hashlib
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..errors import Conflict, Invalid, Unauthorized
from ..extensions import db
from ..models import ApiToken, Role, User, Workspace, now_utc

_hasher = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Verifying against this keeps a login for an unknown email as slow as a real one.

    Made on first use, not at import: hashing takes argon2's 64 MiB, which every
    process that merely imports this module (CLI exports, workers) would carry.
    """
    return _hasher.hash("not-a-real-password")

TOKEN_PREFIX = "nl_"


def hash_password(password: str) -> str:
    if len(password) < 8:
        raise Invalid("Password too short.", {"password": ["Use at least 8 characters."]})
    return _hasher.hash(password)


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_workspace(name: str, slug: str) -> Workspace:
    if db.session.scalar(select(Workspace).where(Workspace.slug == slug)):
        raise Conflict(f"Workspace {slug!r} already exists.")
    ws = Workspace(name=name, slug=slug)
    db.session.add(ws)
    db.session.flush()
    return ws


def create_user(workspace: Workspace, email: str, password: str, role: str = "staff", **attrs) -> User:
    email = email.strip().lower()
    if role not in {r.value for r in Role}:
        raise Invalid(f"Unknown role {role!r}.", {"role": [f"One of {[r.value for r in Role]}."]})
    if db.session.scalar(select(User).where(User.email == email)):
        raise Conflict(f"A user with email {email!r} already exists.")
    user = User(
        workspace_id=workspace.id,
        email=email,
        password_hash=hash_password(password),
        role=role,
        team=attrs.pop("team", None),
        locale=attrs.pop("locale", None),
        display_name=attrs.pop("display_name", None),
        attributes=attrs,
    )
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User:
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    try:
        _hasher.verify(user.password_hash if user else _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        user = None
    if user is None:
        raise Unauthorized("Wrong email or password.")
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return user


def issue_token(user: User, ttl_hours: int, label: str | None = None) -> tuple[str, ApiToken]:
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=user.id,
        token_hash=_token_digest(token),
        label=label,
        expires_at=now_utc() + timedelta(hours=ttl_hours),
    )
    db.session.add(row)
    db.session.flush()
    return token, row


def user_for_token(token: str | None) -> tuple[User, ApiToken] | None:
    """The user a bearer token belongs to, or None when it is unknown, revoked or expired."""
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    # Every authenticated call needs the user too: one query, not two.
    row = db.session.scalar(
        select(ApiToken)
        .options(joinedload(ApiToken.user))
        .where(ApiToken.token_hash == _token_digest(token))
    )
    if row is None or row.revoked_at is not None or row.expires_at <= now_utc():
        return None
    return row.user, row


def revoke_token(row: ApiToken) -> None:
    row.revoked_at = now_utc()
