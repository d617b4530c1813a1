"""Survey responses: each client-made id is one row, however often and in whatever order
its partial and complete versions arrive.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..errors import Conflict, Invalid, NotFound
from ..experiences import service as experiences
from ..extensions import db
from ..models import (
    Experience,
    ExperienceVersion,
    Kind,
    Status,
    SurveyResponse,
    User,
    now_utc,
)
from ..privacy import consent
from . import answers as checks
from . import fatigue


def insert_ignoring_duplicates(model, row: dict[str, Any], unique: list[str]) -> bool:
    """INSERT ``row`` unless a row with the same ``unique`` columns exists; True if inserted.

    ON CONFLICT DO NOTHING: the same statement on SQLite and PostgreSQL, and safe when two
    requests race (the loser inserts nothing instead of failing). Whether a row went in is
    read from RETURNING, not rowcount: with RETURNING (which SQLAlchemy adds on PostgreSQL
    to learn the new key) psycopg reports rowcount -1.
    """
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    key = model.__table__.primary_key.columns
    stmt = insert(model).values(row).on_conflict_do_nothing(index_elements=unique)
    return db.session.execute(stmt.returning(*key)).first() is not None


def survey(workspace_id: int, exp_id: int) -> Experience:
    """A survey of the workspace, in any state (results and exports outlive publishing)."""
    exp = experiences.get(workspace_id, exp_id)
    if exp.kind != Kind.survey.value:
        raise NotFound(f"No survey {exp_id}.")
    return exp


def live_survey(workspace_id: int, exp_id: int) -> Experience:
    """A published survey of the workspace; anything else is reported as absent."""
    exp = survey(workspace_id, exp_id)
    if exp.status != Status.published.value or exp.published_version is None:
        raise NotFound(f"No published survey {exp_id}.")
    return exp


def answered_version(exp: Experience, number: int | None) -> ExperienceVersion:
    """The published version the client rendered (if it says and it exists), else the live one.

    Answers queued offline may belong to a version published before the current one.
    """
    live = exp.published_version
    assert live is not None
    if number is None or number == live.number:
        return live
    version = db.session.scalar(
        select(ExperienceVersion).where(
            ExperienceVersion.experience_id == exp.id, ExperienceVersion.number == number
        )
    )
    if version is None or version.published_at is None:
        raise Invalid("That version of the survey was never published.", {"version": ["Unknown."]})
    return version


@dataclass
class Submitted:
    response: SurveyResponse
    stored: bool  # this call added a row or changed one
    newly_completed: bool


def submit(user: User, data: dict[str, Any]) -> Submitted:
    """Store or merge one response. Raises NotFound, Invalid (naming the question), Conflict."""
    exp = live_survey(user.workspace_id, data["experience_id"])
    version = answered_version(exp, data.get("version"))
    content = version.content
    clean, errors = checks.check_answers(content["questions"], data["answers"])
    if errors:
        raise Invalid("Some answers are invalid: see details.", {"answers": errors})
    # Identity is kept only on an identified survey and with the user's consent to that;
    # otherwise the answers are stored like an anonymous survey's.
    anonymous = bool(content.get("anonymous", False)) or not consent.allows(
        user.id, "identified_surveys"
    )
    completed = bool(data.get("completed", False))
    now = now_utc()
    row = {
        "uuid": data["id"],
        "workspace_id": exp.workspace_id,
        "experience_id": exp.id,
        "version": version.number,
        # Anonymous answers keep no identity at all: no user, no page.
        "user_id": None if anonymous else user.id,
        "url": None if anonymous else data.get("url"),
        "answers": clean,
        "completed": completed,
        "created_at": now,
        "updated_at": now,
        "completed_at": now if completed else None,
    }
    if insert_ignoring_duplicates(SurveyResponse, row, ["uuid"]):
        response = db.session.scalar(
            select(SurveyResponse).where(SurveyResponse.uuid == data["id"])
        )
        assert response is not None
        result = Submitted(response, stored=True, newly_completed=completed)
    else:
        result = _merge(user, exp, row, anonymous)
    if result.newly_completed:
        fatigue.mark_answered(user, exp)
        from ..webhooks import service as webhooks

        webhooks.queue_response_completed(exp, result.response, None if anonymous else user)
    return result


def _merge(user: User, exp: Experience, row: dict[str, Any], anonymous: bool) -> Submitted:
    # Lock the row (PostgreSQL): two POSTs of one id must not both see it incomplete.
    existing = db.session.scalar(
        select(SurveyResponse).where(SurveyResponse.uuid == row["uuid"]).with_for_update()
    )
    if existing is None:  # pragma: no cover - deleted between the insert and this read
        raise Conflict("The response was deleted meanwhile; send it again.")
    if existing.experience_id != exp.id or (
        existing.user_id is not None and existing.user_id != user.id
    ):
        raise Conflict("This response id belongs to another response.", {"id": ["Already used."]})
    merged = dict(existing.answers or {})
    for qid, value in row["answers"].items():
        # Once complete, answers are final: a late partial copy must not rewrite them.
        if existing.completed and qid in merged:
            continue
        merged[qid] = value
    newly_completed = row["completed"] and not existing.completed
    changed = merged != existing.answers or newly_completed
    if changed:
        existing.answers = merged
        existing.updated_at = row["updated_at"]
    if newly_completed:
        existing.completed = True
        existing.completed_at = row["updated_at"]
    if existing.url is None and existing.user_id is not None and row["url"] and not anonymous:
        existing.url = row["url"]
    db.session.flush()
    return Submitted(existing, stored=changed, newly_completed=newly_completed)
