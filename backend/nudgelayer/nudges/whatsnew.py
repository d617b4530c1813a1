"""What's new: changelog entries admins write in the console; staff read them in the overlay.

An entry is a draft until published. What was published after a user last opened the
panel is unread. Publishing (or unpublishing, editing a published entry, deleting one)
tells open browsers to fetch their unread count again.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from ..errors import Invalid, NotFound
from ..extensions import db
from ..models import ChangelogEntry, NudgeUserState, User, now_utc
from . import push
from .audit import audit

MAX_TITLE, MAX_BODY = 200, 5000
SHOWN = 20  # entries in the panel


def snapshot(entry: ChangelogEntry) -> dict[str, Any]:
    return {
        "name": entry.title,
        "body": entry.body,
        "status": "published" if entry.published_at else "draft",
    }


def _check(title: str, body: str) -> tuple[str, str]:
    title, body = (title or "").strip(), (body or "").strip()
    errors = {}
    if not 1 <= len(title) <= MAX_TITLE:
        errors["title"] = [f"1 to {MAX_TITLE} characters."]
    if len(body) > MAX_BODY:
        errors["body"] = [f"At most {MAX_BODY} characters."]
    if errors:
        raise Invalid("Check the entry.", errors)
    return title, body


def get(workspace_id: int, entry_id: int) -> ChangelogEntry:
    entry = db.session.get(ChangelogEntry, entry_id) if 0 < entry_id < 2**31 else None
    if entry is None or entry.workspace_id != workspace_id:
        raise NotFound(f"No entry {entry_id}.")
    return entry


def list_(workspace_id: int) -> list[ChangelogEntry]:
    return list(
        db.session.scalars(
            select(ChangelogEntry)
            .where(ChangelogEntry.workspace_id == workspace_id)
            .order_by(
                ChangelogEntry.published_at.is_(None).desc(),
                ChangelogEntry.published_at.desc(),
                ChangelogEntry.id.desc(),
            )
        )
    )


def published(workspace_id: int, limit: int = SHOWN) -> list[ChangelogEntry]:
    return list(
        db.session.scalars(
            select(ChangelogEntry)
            .where(
                ChangelogEntry.workspace_id == workspace_id,
                ChangelogEntry.published_at.is_not(None),
            )
            .order_by(ChangelogEntry.published_at.desc(), ChangelogEntry.id.desc())
            .limit(limit)
        )
    )


def create(actor: User, title: str, body: str, publish: bool = False) -> ChangelogEntry:
    title, body = _check(title, body)
    entry = ChangelogEntry(
        workspace_id=actor.workspace_id, title=title, body=body, created_by_id=actor.id
    )
    db.session.add(entry)
    db.session.flush()
    audit(
        actor.workspace_id,
        actor,
        "changelog.create",
        "changelog_entry",
        entry.id,
        None,
        snapshot(entry),
    )
    if publish:
        set_published(actor, entry, True)
    return entry


def update(actor: User, entry: ChangelogEntry, title: str, body: str) -> ChangelogEntry:
    title, body = _check(title, body)
    before = snapshot(entry)
    entry.title, entry.body = title, body
    if snapshot(entry) == before:
        return entry
    entry.updated_at = now_utc()
    db.session.flush()
    audit(
        actor.workspace_id,
        actor,
        "changelog.update",
        "changelog_entry",
        entry.id,
        before,
        snapshot(entry),
    )
    if entry.published_at:
        push.nudges(actor.workspace_id, "whatsnew")
    return entry


def set_published(actor: User, entry: ChangelogEntry, on: bool) -> ChangelogEntry:
    if bool(entry.published_at) == on:
        return entry
    before = snapshot(entry)
    entry.published_at = now_utc() if on else None
    entry.updated_at = now_utc()
    db.session.flush()
    action = "changelog.publish" if on else "changelog.unpublish"
    audit(actor.workspace_id, actor, action, "changelog_entry", entry.id, before, snapshot(entry))
    push.nudges(actor.workspace_id, "whatsnew")
    return entry


def delete(actor: User, entry: ChangelogEntry) -> None:
    audit(
        actor.workspace_id,
        actor,
        "changelog.delete",
        "changelog_entry",
        entry.id,
        snapshot(entry),
        None,
    )
    was_live = entry.published_at is not None
    db.session.delete(entry)
    db.session.flush()
    if was_live:
        push.nudges(actor.workspace_id, "whatsnew")


def _state(user: User) -> NudgeUserState | None:
    return db.session.get(NudgeUserState, user.id)


def unread(user: User) -> int:
    state = _state(user)
    q = (
        select(func.count())
        .select_from(ChangelogEntry)
        .where(
            ChangelogEntry.workspace_id == user.workspace_id,
            ChangelogEntry.published_at.is_not(None),
        )
    )
    if state and state.whatsnew_read_at:
        q = q.where(ChangelogEntry.published_at > state.whatsnew_read_at)
    return db.session.scalar(q) or 0


def read_at(user: User):
    state = _state(user)
    return state.whatsnew_read_at if state else None


def mark_read(user: User) -> None:
    state = _state(user)
    if state is None:
        state = NudgeUserState(user_id=user.id)
        db.session.add(state)
    state.whatsnew_read_at = now_utc()
    db.session.flush()
    # The user's other devices drop their unread count too.
    push.nudges(user.workspace_id, "whatsnew", [user.id])
