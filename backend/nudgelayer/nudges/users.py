"""User attributes for segments: set one user at a time (console, API) or by CSV import.

Segment rules see ``role``, ``team``, ``locale``, ``email`` and the free-form
``attributes`` (``tenure``, ``expertise`` and any custom key). Every change is audited
with before/after and tells the user's open browsers to fetch their attributes again.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from ..errors import Invalid, NotFound
from ..extensions import db
from ..models import Role, User
from . import push
from .audit import audit

ROLES = tuple(r.value for r in Role)
ATTR_KEY = re.compile(r"^[a-z][a-z0-9_]{0,63}\Z")
LOCALE = re.compile(r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*\Z")
# Set as columns of their own; as free-form keys they would be silently overridden.
RESERVED = {"role", "team", "locale", "email", "display_name"}
MAX_ATTRS, MAX_LIST, MAX_TEXT = 50, 50, 500
MAX_ROWS, MAX_CSV_BYTES = 10_000, 1024 * 1024


def snapshot(user: User) -> dict[str, Any]:
    return {
        "name": user.email,
        "role": user.role,
        "team": user.team,
        "locale": user.locale,
        "display_name": user.display_name,
        "attributes": dict(user.attributes or {}),
    }


def _scalar_ok(v: Any) -> bool:
    if isinstance(v, bool | int):
        return True
    if isinstance(v, float):
        return math.isfinite(v)
    return isinstance(v, str) and len(v) <= MAX_TEXT


def check_attribute(key: Any, value: Any) -> str | None:
    """Why ``key: value`` cannot be a custom attribute, or None when it can (null removes)."""
    if not isinstance(key, str) or not ATTR_KEY.match(key):
        return "names are lowercase letters, digits and _, starting with a letter (at most 64)"
    if key in RESERVED:
        return f"{key} is set on its own, not as a custom attribute"
    if value is None or _scalar_ok(value):
        return None
    if isinstance(value, list) and len(value) <= MAX_LIST and all(_scalar_ok(v) for v in value):
        return None
    return (
        f"text (at most {MAX_TEXT}), a number, true/false, or a list of up to {MAX_LIST} of those"
    )


def check_fields(changes: dict[str, Any]) -> dict[str, list[str]]:
    """Per-field problems of a change set (empty when it is valid)."""
    errors: dict[str, list[str]] = {}
    if "role" in changes and changes["role"] not in ROLES:
        errors["role"] = [f"One of {', '.join(ROLES)}."]
    for name, limit in (("team", 64), ("display_name", 120)):
        value = changes.get(name)
        if (
            name in changes
            and value is not None
            and (not isinstance(value, str) or len(value) > limit)
        ):
            errors[name] = [f"Text of at most {limit} characters, or null."]
    locale = changes.get("locale")
    if (
        "locale" in changes
        and locale is not None
        and (not isinstance(locale, str) or not LOCALE.match(locale) or len(locale) > 16)
    ):
        errors["locale"] = ["A locale such as en, de-AT or pt_BR, or null."]
    attrs = changes.get("attributes")
    if "attributes" in changes:
        if not isinstance(attrs, dict):
            errors["attributes"] = ["An object of attribute: value."]
        else:
            problems = {k: why for k, v in attrs.items() if (why := check_attribute(k, v))}
            if problems:
                errors["attributes"] = [f"{k}: {why}." for k, why in problems.items()]
    return errors


def apply(actor: User | None, user: User, changes: dict[str, Any], *, notify: bool = True) -> bool:
    """Apply validated ``changes`` (attributes merge; a null attribute is removed).

    Returns whether anything changed. Raises Invalid when the result has too many keys.
    """
    before = snapshot(user)
    for name in ("role", "team", "locale", "display_name"):
        if name in changes:
            value = changes[name]
            if isinstance(value, str) and name != "role":
                value = value.strip() or None  # blank text clears team, locale, name
            setattr(user, name, value)
    if "attributes" in changes:
        merged = dict(user.attributes or {})
        for key, value in changes["attributes"].items():
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = value
        if len(merged) > MAX_ATTRS:
            raise Invalid(
                f"A user has at most {MAX_ATTRS} custom attributes.", {"attributes": ["Too many."]}
            )
        user.attributes = merged
    after = snapshot(user)
    if after == before:
        return False
    db.session.flush()
    audit(user.workspace_id, actor, "user.update", "user", user.id, before, after)
    if notify:
        push.nudges(user.workspace_id, "attributes", [user.id])
    return True


def get(workspace_id: int, user_id: int) -> User:
    user = db.session.get(User, user_id) if 0 < user_id < 2**31 else None
    if user is None or user.workspace_id != workspace_id:
        raise NotFound(f"No user {user_id}.")
    return user


def list_(workspace_id: int) -> list[User]:
    return list(
        db.session.scalars(
            select(User).where(User.workspace_id == workspace_id).order_by(User.email)
        )
    )


# --- CSV import --------------------------------------------------------------------------

INT = re.compile(r"^-?[0-9]{1,15}\Z")
FLOAT = re.compile(r"^-?[0-9]{1,15}\.[0-9]{1,15}\Z")
KNOWN_COLUMNS = ("role", "team", "locale", "display_name")


def parse_cell(text: str) -> Any:
    """A CSV cell as JSON: whole numbers, decimals and true/false become typed values,
    so that ``tenure gt 2`` compares numbers; anything else stays text."""
    if INT.match(text):
        return int(text)
    if FLOAT.match(text):
        return float(text)
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    return text


@dataclass
class ImportResult:
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


def import_csv(actor: User | None, workspace_id: int, data: bytes) -> ImportResult:
    """Set attributes from CSV: an ``email`` column names each user; ``role``, ``team``,
    ``locale``, ``display_name`` set those; any other column is a custom attribute. An
    empty cell leaves the value as it is. All rows are checked first; nothing is changed
    unless every row is valid (the result lists each problem with its line number)."""
    result = ImportResult()
    if len(data) > MAX_CSV_BYTES:
        result.errors.append((0, f"The file is larger than {MAX_CSV_BYTES // 1024} KiB."))
        return result
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        result.errors.append((0, "The file is not UTF-8 text."))
        return result
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in next(reader, [])]
    if "email" not in header:
        result.errors.append((1, "The first line must name the columns, one of them email."))
        return result
    if len(set(header)) != len(header):
        result.errors.append((1, "A column name appears twice."))
        return result
    for name in header:
        if name != "email" and name not in KNOWN_COLUMNS and (why := check_attribute(name, None)):
            result.errors.append((1, f"Column {name!r}: {why}."))
    if result.errors:
        return result
    users = {u.email: u for u in list_(workspace_id)}
    planned: list[tuple[User, dict[str, Any]]] = []
    seen: set[str] = set()
    for line, row in enumerate(reader, start=2):
        if line - 1 > MAX_ROWS:
            result.errors.append((line, f"At most {MAX_ROWS} rows per file."))
            break
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            result.errors.append((line, f"{len(row)} cells where the header has {len(header)}."))
            continue
        cells = dict(zip(header, (c.strip() for c in row), strict=True))
        email = cells.pop("email").lower()
        user = users.get(email)
        if user is None:
            result.errors.append((line, f"No user {email!r} in this workspace."))
            continue
        if email in seen:
            result.errors.append((line, f"{email} appears twice."))
            continue
        seen.add(email)
        changes: dict[str, Any] = {}
        custom = {k: parse_cell(v) for k, v in cells.items() if v and k not in KNOWN_COLUMNS}
        changes.update({k: v for k, v in cells.items() if v and k in KNOWN_COLUMNS})
        if custom:
            changes["attributes"] = custom
        problems = check_fields(changes)
        if problems:
            result.errors += [(line, f"{f}: {' '.join(m)}") for f, m in problems.items()]
            continue
        planned.append((user, changes))
    if result.errors:
        return result
    changed_ids = []
    for user, changes in planned:
        if apply(actor, user, changes, notify=False):
            result.updated += 1
            changed_ids.append(user.id)
        else:
            result.unchanged += 1
    if changed_ids:
        push.nudges(workspace_id, "attributes", changed_ids)
    return result
