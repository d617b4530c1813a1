"""Per-user consent: protective defaults, changed only by the user themselves.

Every purpose is off until the user says otherwise. A user without a row has not
decided yet; the extension then asks once (its first-run dialog) and records only
essential events meanwhile.
"""

from __future__ import annotations

from typing import Any

from ..extensions import db
from ..models import Consent, User, now_utc

PURPOSES = ("analytics", "identified_surveys", "leaderboards")


def get(user: User) -> dict[str, Any]:
    """The user's choices; all False and ``decided_at`` None when they have not chosen."""
    row = db.session.get(Consent, user.id)
    if row is None:
        return {**dict.fromkeys(PURPOSES, False), "decided_at": None}
    return {**{p: bool(getattr(row, p)) for p in PURPOSES}, "decided_at": row.decided_at}


def set_(user: User, choices: dict[str, bool]) -> dict[str, Any]:
    """Record a decision on every purpose (a purpose not given is refused: off)."""
    row = db.session.get(Consent, user.id)
    if row is None:
        row = Consent(user_id=user.id, workspace_id=user.workspace_id)
        db.session.add(row)
    for purpose in PURPOSES:
        setattr(row, purpose, bool(choices.get(purpose, False)))
    row.decided_at = now_utc()
    db.session.flush()
    return get(user)


def allows(user_id: int | None, purpose: str) -> bool:
    """Has this user agreed to ``purpose``? False for anyone undecided or unknown.

    For the modules that store optional personal data (identified survey answers,
    leaderboards): call this before storing, never assume.
    """
    if purpose not in PURPOSES:
        raise ValueError(f"unknown purpose {purpose!r}")
    if user_id is None:
        return False
    row = db.session.get(Consent, user_id)
    return bool(row is not None and getattr(row, purpose))
