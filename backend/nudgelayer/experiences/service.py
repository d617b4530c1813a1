"""Experience lifecycle: create, edit (drafts), publish, unpublish, roll back, delete.

A published version is immutable. Editing a published experience creates a new draft
version; publishing promotes the draft. Every change is audited, and every change that
staff browsers must see is written to the change log and pushed after the commit.
"""

from __future__ import annotations

import copy
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import func, select

from ..errors import Conflict, NotFound
from ..extensions import db
from ..models import ChangeLog, Experience, ExperienceVersion, Status, User, now_utc
from ..realtime import queue_push
from .schemas import check_variants, load_content
from .targeting import segment_matches


def _snapshot(exp: Experience) -> dict[str, Any]:
    v = exp.current_version
    return {
        "name": v.name,
        "status": exp.status,
        "version": v.number,
        "targeting": v.targeting,
        "content": v.content,
    }


def audit(actor: User | None, action: str, exp: Experience, before=None, after=None) -> None:
    from ..models import AuditLog

    db.session.add(
        AuditLog(
            workspace_id=exp.workspace_id,
            actor_id=actor.id if actor else None,
            action=action,
            subject_type="experience",
            subject_id=exp.id,
            before=before,
            after=after,
        )
    )


def published_payload(exp: Experience) -> dict[str, Any]:
    """The live form of an experience, as the extension receives it."""
    v = exp.published_version
    assert v is not None
    return {
        "id": exp.id,
        "kind": exp.kind,
        "name": v.name,
        "version": v.number,
        "targeting": v.targeting,
        "content": v.content,
    }


def _record_change(exp: Experience, op: str) -> None:
    # Change ids are one sequence for the whole server; prev_cursor lets a client tell
    # a change it missed in its own workspace from another workspace's change.
    prev = current_cursor(exp.workspace_id)
    change = ChangeLog(workspace_id=exp.workspace_id, experience_id=exp.id, op=op)
    db.session.add(change)
    db.session.flush()
    message: dict[str, Any] = {"cursor": change.id, "prev_cursor": prev, "op": op, "id": exp.id}
    if op == "upsert":
        message["experience"] = published_payload(exp)
    queue_push(exp.workspace_id, message)


MAX_ID = 2**31 - 1  # integer primary keys are 32-bit on PostgreSQL


def get(workspace_id: int, exp_id: int) -> Experience:
    exp = db.session.get(Experience, exp_id) if 0 < exp_id <= MAX_ID else None
    # Another workspace's experience is reported as absent, not forbidden: ids leak nothing.
    if exp is None or exp.workspace_id != workspace_id:
        raise NotFound(f"No experience {exp_id}.")
    return exp


def list_(workspace_id: int, kind: str | None = None, status: str | None = None) -> list[Experience]:
    q = select(Experience).where(Experience.workspace_id == workspace_id)
    if kind:
        q = q.where(Experience.kind == kind)
    if status:
        q = q.where(Experience.status == status)
    return list(db.session.scalars(q.order_by(Experience.updated_at.desc(), Experience.id.desc())))


def create(actor: User, kind: str, name: str, targeting: dict, content: dict) -> Experience:
    exp = Experience(workspace_id=actor.workspace_id, kind=kind, name=name, status=Status.draft.value)
    db.session.add(exp)
    db.session.flush()
    version = ExperienceVersion(
        experience_id=exp.id, number=1, name=name, targeting=targeting, content=content,
        created_by_id=actor.id,
    )
    db.session.add(version)
    db.session.flush()
    exp.draft_version = version
    db.session.flush()
    audit(actor, "experience.create", exp, None, _snapshot(exp))
    return exp


def update(actor: User, exp: Experience, changes: dict[str, Any]) -> Experience:
    if not changes:
        return exp
    if "content" in changes:
        changes["content"] = load_content(exp.kind, changes["content"])
    if "targeting" in changes:
        check_variants(exp.kind, changes["targeting"])
    before = _snapshot(exp)
    draft = exp.draft_version
    if draft is None:
        # The shown version is published and immutable: edit a new draft copied from it.
        base = exp.current_version
        draft = ExperienceVersion(
            experience_id=exp.id,
            number=_next_number(exp),
            name=base.name,
            targeting=base.targeting,
            content=base.content,
            created_by_id=actor.id,
        )
        db.session.add(draft)
        db.session.flush()
        exp.draft_version = draft
    for field in ("name", "targeting", "content"):
        if field in changes:
            setattr(draft, field, changes[field])
    if "name" in changes and exp.status == Status.draft.value:
        exp.name = changes["name"]
    exp.updated_at = now_utc()
    db.session.flush()
    audit(actor, "experience.update", exp, before, _snapshot(exp))
    return exp


def _next_number(exp: Experience) -> int:
    current = db.session.scalar(
        select(func.max(ExperienceVersion.number)).where(ExperienceVersion.experience_id == exp.id)
    )
    return (current or 0) + 1


def publish(actor: User, exp: Experience) -> Experience:
    draft = exp.draft_version
    if draft is None:
        if exp.status == Status.published.value:
            raise Conflict("Nothing to publish: the published version is current.")
        draft = exp.published_version
        assert draft is not None
    # Re-validate: a version may predate a stricter schema.
    try:
        load_content(exp.kind, draft.content)
    except ValidationError as err:
        raise ValidationError({"content": err.messages}) from err
    check_variants(exp.kind, copy.deepcopy(draft.targeting))
    before = _snapshot(exp)
    draft.published_at = draft.published_at or now_utc()
    exp.published_version = draft
    exp.draft_version = None
    exp.name = draft.name
    exp.status = Status.published.value
    exp.updated_at = now_utc()
    db.session.flush()
    _record_change(exp, "upsert")
    audit(actor, "experience.publish", exp, before, _snapshot(exp))
    return exp


def unpublish(actor: User, exp: Experience) -> Experience:
    if exp.status != Status.published.value:
        raise Conflict("The experience is not published.")
    before = _snapshot(exp)
    exp.status = Status.unpublished.value
    exp.updated_at = now_utc()
    db.session.flush()
    _record_change(exp, "remove")
    audit(actor, "experience.unpublish", exp, before, _snapshot(exp))
    return exp


def rollback(actor: User, exp: Experience, number: int) -> Experience:
    """Publish a copy of an earlier version; history stays intact."""
    old = db.session.scalar(
        select(ExperienceVersion).where(
            ExperienceVersion.experience_id == exp.id, ExperienceVersion.number == number
        )
    )
    if old is None:
        raise NotFound(f"Experience {exp.id} has no version {number}.")
    if old.published_at is None:
        raise Conflict(f"Version {number} was never published; only published versions can be restored.")
    before = _snapshot(exp)
    copy = ExperienceVersion(
        experience_id=exp.id,
        number=_next_number(exp),
        name=old.name,
        targeting=old.targeting,
        content=old.content,
        created_by_id=actor.id,
        published_at=now_utc(),
    )
    db.session.add(copy)
    db.session.flush()
    exp.published_version = copy
    exp.draft_version = None
    exp.name = copy.name
    exp.status = Status.published.value
    exp.updated_at = now_utc()
    db.session.flush()
    _record_change(exp, "upsert")
    audit(actor, "experience.rollback", exp, before, {**_snapshot(exp), "restored": number})
    return exp


def delete(actor: User, exp: Experience) -> None:
    before = _snapshot(exp)
    was_live = exp.status == Status.published.value
    if was_live:
        _record_change(exp, "remove")
    audit(actor, "experience.delete", exp, before, None)
    exp.published_version = None
    exp.draft_version = None
    db.session.flush()
    db.session.delete(exp)
    db.session.flush()


def versions(exp: Experience) -> list[ExperienceVersion]:
    return list(exp.versions)


def live_for_user(user: User) -> tuple[int, list[Experience]]:
    """The cursor and the published experiences whose segment admits ``user``."""
    cursor = current_cursor(user.workspace_id)
    rows = db.session.scalars(
        select(Experience).where(
            Experience.workspace_id == user.workspace_id,
            Experience.status == Status.published.value,
        ).order_by(Experience.id)
    )
    attrs = user.segment_attributes()
    live = [
        e for e in rows
        if e.published_version and segment_matches(e.published_version.targeting.get("segment"), attrs)
    ]
    return cursor, live


def current_cursor(workspace_id: int) -> int:
    return db.session.scalar(
        select(func.coalesce(func.max(ChangeLog.id), 0)).where(ChangeLog.workspace_id == workspace_id)
    )


def changes_since(workspace_id: int, cursor: int) -> tuple[int, list[dict[str, Any]]]:
    """Every experience changed after ``cursor``, in its current state (one entry each)."""
    rows = db.session.execute(
        select(ChangeLog.experience_id, func.max(ChangeLog.id))
        .where(ChangeLog.workspace_id == workspace_id, ChangeLog.id > cursor)
        .group_by(ChangeLog.experience_id)
    ).all()
    latest = current_cursor(workspace_id)
    out: list[dict[str, Any]] = []
    for exp_id, _ in rows:
        exp = db.session.get(Experience, exp_id)
        if exp is not None and exp.status == Status.published.value and exp.published_version:
            out.append({"op": "upsert", "id": exp_id, "experience": published_payload(exp)})
        else:
            out.append({"op": "remove", "id": exp_id})
    return latest, out
