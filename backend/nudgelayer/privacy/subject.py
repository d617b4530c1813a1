"""A user's data as a data subject: everything about them, exported or erased.

The tables are not listed by hand. Every column with a foreign key to ``user.id`` is
found in the models' metadata, so a table added later is exported and erased too:

- columns that record who *made* something the workspace keeps (``actor_id``,
  ``*_by_id``: audit rows, experience versions, webhooks) are cleared, the row stays;
- every other row that points at the user is theirs, and is deleted (events, survey
  responses, survey display state, tokens, consent, progress rows...).

Copies of the user's email inside JSON columns (audit snapshots, webhook payloads)
are scrubbed. Admin-authored experiences are configuration, not the user's data, and
are left as written (see docs/security.md).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Table, Text, cast, delete, select, update

from ..extensions import db
from ..models import AuditLog, User, now_utc
from ..realtime import kick_token
from . import consent


def is_secret(name: str) -> bool:
    """Never exported: hashes and secrets are not facts about the person."""
    return name.endswith(("_hash", "secret"))


# Authored configuration: not rewritten on erasure.
AUTHORED_TABLES = {"experience", "experience_version"}
ERASED = "(erased user)"
EXPORT_FORMAT = "nudgelayer-user-export/1"


def user_columns() -> list[tuple[Table, Column]]:
    """(table, column) for every foreign key to user.id, dependents first."""
    user_id = User.__table__.c.id
    found = []
    for table in reversed(db.metadata.sorted_tables):
        for fk in table.foreign_keys:
            if fk.column is user_id:
                found.append((table, fk.parent))
    return found


def keeps_row(column: Column) -> bool:
    """Does this column record authorship of something the workspace keeps?"""
    return column.name == "actor_id" or column.name.endswith("_by_id")


# --- export -----------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat() + ("Z" if value.tzinfo is None else "")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _row(table: Table, row) -> dict[str, Any]:
    return {c.name: _plain(row._mapping[c]) for c in table.c if not is_secret(c.name)}


def _profile(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "email": user.email,
        "role": user.role,
        "display_name": user.display_name,
        "team": user.team,
        "locale": user.locale,
        "attributes": user.attributes or {},
        "created_at": _plain(user.created_at),
        "workspace": {"id": user.workspace.id, "name": user.workspace.name},
    }


def export_chunks(user: User) -> Iterator[str]:
    """The user's data as one JSON document, produced piece by piece (events can be many).

    The profile is read now, the tables while the document streams, by id only: the
    ``user`` object may be expired or detached by then (the audit row's commit).
    """
    head = {
        "format": EXPORT_FORMAT,
        "exported_at": _plain(now_utc()),
        "user": _profile(user),
        "consent": {k: _plain(v) for k, v in consent.get(user).items()},
    }
    return _export_rest(head, user.id)


def _export_rest(head: dict[str, Any], uid: int) -> Iterator[str]:
    dumps = json.dumps
    yield dumps(head)[:-1] + ', "tables": {'
    first_table = True
    for table, column in sorted(user_columns(), key=lambda tc: (tc[0].name, tc[1].name)):
        key = table.name if not keeps_row(column) else f"{table.name}.{column.name}"
        yield ("" if first_table else ", ") + dumps(key) + ": ["
        first_table = False
        stmt = select(table).where(column == uid).order_by(*table.primary_key.columns)
        first_row = True
        for row in db.session.execute(stmt.execution_options(yield_per=500)):
            yield ("" if first_row else ", ") + dumps(_row(table, row))
            first_row = False
        yield "]"
    # Audit rows whose subject is this user (an export, a role change...).
    about = select(AuditLog.__table__).where(
        AuditLog.subject_type == "user", AuditLog.subject_id == uid
    )
    rows = [_row(AuditLog.__table__, r) for r in db.session.execute(about)]
    yield ("" if first_table else ", ") + '"audit_log.subject": ' + dumps(rows) + "}}"


# --- erasure ----------------------------------------------------------------------------------


def _scrub(value: Any, email: str) -> Any:
    """``value`` without the user: a dict naming them goes, the email in text is replaced."""
    if isinstance(value, dict):
        if isinstance(value.get("email"), str) and value["email"].lower() == email:
            return None
        return {k: _scrub(v, email) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v, email) for v in value]
    if isinstance(value, str) and email in value.lower():
        return _replace_ci(value, email, ERASED)
    return value


def _replace_ci(text: str, needle: str, replacement: str) -> str:
    out, lower, i = [], text.lower(), 0
    while (j := lower.find(needle, i)) != -1:
        out.append(text[i:j] + replacement)
        i = j + len(needle)
    return "".join(out) + text[i:]


def _scrub_json_copies(email: str) -> int:
    """Rewrite every JSON value outside authored content that mentions ``email``."""
    changed = 0
    for table in db.metadata.sorted_tables:
        if table.name in AUTHORED_TABLES or table.name == User.__tablename__:
            continue
        pk = list(table.primary_key.columns)
        for column in table.c:
            if not isinstance(column.type, JSON):
                continue
            hits = db.session.execute(
                select(*pk, column).where(
                    cast(column, Text).ilike(f"%{_like_escape(email)}%", escape="\\")
                )
            ).all()
            for hit in hits:
                key = dict(zip([c.name for c in pk], hit[: len(pk)], strict=True))
                cleaned = _scrub(hit[-1], email)
                db.session.execute(
                    update(table)
                    .where(*[c == key[c.name] for c in pk])
                    .values({column.name: cleaned})
                )
                changed += 1
    return changed


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def erase(actor: User | None, user: User) -> dict[str, int]:
    """Remove or anonymise everything about ``user``, the account included; audited.

    Returns how many rows each table lost (or had anonymised), nothing identifying.
    """
    uid, email = user.id, user.email.lower()
    from ..models import ApiToken

    # Open sockets signed in as the user are told after the commit.
    for token_id in db.session.scalars(select(ApiToken.id).where(ApiToken.user_id == uid)):
        kick_token(token_id)
    counts: dict[str, int] = {}
    for table, column in user_columns():
        if keeps_row(column):
            stmt = update(table).where(column == uid).values({column.name: None})
            label = f"{table.name}.{column.name} anonymised"
        else:
            stmt = delete(table).where(column == uid)
            label = table.name
        n = db.session.execute(stmt.execution_options(synchronize_session=False)).rowcount or 0
        if n:
            counts[label] = counts.get(label, 0) + n
    about = (
        update(AuditLog)
        .where(AuditLog.subject_type == "user", AuditLog.subject_id == uid)
        .values(subject_id=None)
        .execution_options(synchronize_session=False)
    )
    if n := db.session.execute(about).rowcount or 0:
        counts["audit_log.subject_id anonymised"] = n
    if n := _scrub_json_copies(email):
        counts["json copies scrubbed"] = n
    workspace_id = user.workspace_id
    db.session.execute(
        delete(User).where(User.id == uid).execution_options(synchronize_session=False)
    )
    db.session.expunge(user)
    counts["user"] = 1
    db.session.add(
        AuditLog(
            workspace_id=workspace_id,
            actor_id=actor.id if actor else None,
            action="user.erased",
            # The subject stays anonymous: this row must not undo the erasure.
            subject_type="user",
            subject_id=None,
            after={"removed": counts},
        )
    )
    db.session.flush()
    return counts


def audit_export(actor: User, user: User) -> None:
    db.session.add(
        AuditLog(
            workspace_id=user.workspace_id,
            actor_id=actor.id,
            action="user.exported",
            subject_type="user",
            subject_id=user.id,
        )
    )
