"""Results of one survey: counts, response rate, NPS, CSAT, distributions, drop-off, trend.

One streaming pass over the responses (``yield_per``), aggregated in Python: the same
code on SQLite and PostgreSQL, and memory bounded by the number of distinct answers.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from sqlalchemy import func, select

from ..extensions import db
from ..models import Event, Experience, ExperienceVersion, SurveyResponse, User
from . import answers as checks
from .cooperative import pause
from .filters import Filters, responses

BATCH = 500  # see export.BATCH
TEXT_PAGE_SIZE = 50


def published_questions(exp: Experience) -> tuple[dict[int, list[dict]], list[dict]]:
    """(questions by version number, every question id ever published, newest wording first)."""
    versions = db.session.scalars(
        select(ExperienceVersion)
        .where(
            ExperienceVersion.experience_id == exp.id, ExperienceVersion.published_at.is_not(None)
        )
        .order_by(ExperienceVersion.number.desc())
    ).all()
    by_version = {v.number: v.content.get("questions", []) for v in versions}
    union: dict[str, dict] = {}
    for v in versions:
        for q in v.content.get("questions", []):
            union.setdefault(q["id"], q)
    if not union and exp.current_version:  # never published: show the draft's questions
        union = {q["id"]: q for q in exp.current_version.content.get("questions", [])}
    return by_version, list(union.values())


def shown_count(exp: Experience, f: Filters) -> int:
    q = (
        select(func.count())
        .select_from(Event)
        .outerjoin(User, User.id == Event.user_id)
        .where(
            Event.workspace_id == exp.workspace_id,
            Event.type == "survey.shown",
            Event.experience_id == exp.id,
        )
    )
    if f.start is not None:
        q = q.where(Event.ts >= f.start)
    if f.end is not None:
        q = q.where(Event.ts < f.end)
    if f.team:
        q = q.where(User.team == f.team)
    if f.url:
        q = q.where(Event.url.contains(f.url, autoescape=True))
    return db.session.scalar(q) or 0


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _distribution(question: dict, counts: Counter) -> list[dict[str, Any]]:
    """Every possible value in order (zeros included), then any value older versions allowed."""
    scale = checks.scale_of(question)
    if scale is not None:
        values: list[Any] = list(range(scale[0], scale[1] + 1))
    elif question["type"] in ("single", "multi"):
        values = list(question.get("options") or [])
    else:
        return []
    extra = [v for v in counts if v not in set(values)]
    return [{"value": v, "count": counts.get(v, 0)} for v in values + sorted(extra, key=str)]


def _nps(question_id: str, counts: Counter) -> dict[str, Any]:
    total = sum(n for v, n in counts.items() if isinstance(v, int))
    promoters = sum(n for v, n in counts.items() if isinstance(v, int) and v >= 9)
    detractors = sum(n for v, n in counts.items() if isinstance(v, int) and v <= 6)
    return {
        "question_id": question_id,
        "responses": total,
        "score": round(100 * (promoters - detractors) / total) if total else None,
        "promoters": promoters,
        "passives": total - promoters - detractors,
        "detractors": detractors,
    }


def _csat(question_id: str, counts: Counter) -> dict[str, Any]:
    total = sum(n for v, n in counts.items() if isinstance(v, int))
    weighted = sum(v * n for v, n in counts.items() if isinstance(v, int))
    satisfied = sum(n for v, n in counts.items() if isinstance(v, int) and v >= 4)
    return {
        "question_id": question_id,
        "responses": total,
        "average": round(weighted / total, 2) if total else None,
        "satisfied_percent": round(100 * satisfied / total, 1) if total else None,
    }


def compute(exp: Experience, f: Filters) -> dict[str, Any]:
    by_version, questions = published_questions(exp)
    latest = by_version[max(by_version)] if by_version else questions
    free_text = {q["id"] for q in questions if q["type"] == "text"}
    counts: dict[str, Counter] = defaultdict(Counter)
    reached: Counter = Counter()
    answered_q: Counter = Counter()
    dropped: Counter = Counter()
    per_day: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    total = answered = completed = 0

    stmt = responses(
        exp.workspace_id,
        exp.id,
        f,
        SurveyResponse.created_at,
        SurveyResponse.version,
        SurveyResponse.completed,
        SurveyResponse.answers,
    ).execution_options(yield_per=BATCH)
    for created_at, version, done, values in db.session.execute(stmt):
        values = values or {}
        total += 1
        if total % BATCH == 0:
            pause()
        day = per_day[created_at.date().isoformat()]
        if values:
            answered += 1
            day[0] += 1
        if done:
            completed += 1
            day[1] += 1
        for qid, value in values.items():
            answered_q[qid] += 1
            if isinstance(value, list):
                counts[qid].update(value)
            elif qid not in free_text:  # free text is listed, not counted
                counts[qid][value] += 1
        last = None
        for qid, was_answered in checks.walk(by_version.get(version, latest), values, done):
            reached[qid] += 1
            last = (qid, was_answered)
        if last and not last[1] and not done:
            dropped[last[0]] += 1

    nps = csat = None
    per_question = []
    for q in questions:
        qid = q["id"]
        item: dict[str, Any] = {
            "id": qid,
            "type": q["type"],
            "prompt": q["prompt"],
            "reached": reached[qid],
            "answered": answered_q[qid],
            "dropped": dropped[qid],
            "distribution": _distribution(q, counts[qid]),
        }
        if q["type"] == "nps":
            item["nps"] = _nps(qid, counts[qid])
            nps = nps or item["nps"]
        elif q["type"] in ("csat", "rating"):
            item["csat" if q["type"] == "csat" else "rating"] = _csat(qid, counts[qid])
            if q["type"] == "csat":
                csat = csat or item["csat"]
        per_question.append(item)

    shown = shown_count(exp, f)
    return {
        "experience_id": exp.id,
        "filters": f.describe(),
        "shown": shown,
        "responses": total,
        "answered": answered,
        "completed": completed,
        "response_rate": _ratio(answered, shown),
        "completion_rate": _ratio(completed, answered),
        "nps": nps,
        "csat": csat,
        "questions": per_question,
        "per_day": [
            {"date": day, "answered": a, "completed": c} for day, (a, c) in sorted(per_day.items())
        ],
    }


def text_answers(
    exp: Experience, f: Filters, q: str | None, page: int, per_page: int = TEXT_PAGE_SIZE
) -> dict[str, Any]:
    """Free-text answers, newest first, optionally those containing ``q`` (case-folded).

    The search runs in Python over the streamed rows: stored JSON escapes non-ASCII text,
    so a SQL LIKE would miss "strasse" in "Straße". Linear in the survey's responses.
    """
    _, questions = published_questions(exp)
    text_ids = [qu["id"] for qu in questions if qu["type"] == "text"]
    needle = q.casefold() if q else None
    stmt = responses(
        exp.workspace_id,
        exp.id,
        f,
        SurveyResponse.uuid,
        SurveyResponse.created_at,
        SurveyResponse.completed,
        SurveyResponse.answers,
        User.email,
    ).order_by(SurveyResponse.created_at.desc(), SurveyResponse.id.desc())
    stmt = stmt.execution_options(yield_per=BATCH)
    skip = (page - 1) * per_page
    items: list[dict[str, Any]] = []
    total = 0
    for n, (uuid, created_at, done, values, email) in enumerate(db.session.execute(stmt)):
        if n % BATCH == BATCH - 1:
            pause()
        for qid in text_ids:
            text = (values or {}).get(qid)
            if not isinstance(text, str) or (needle and needle not in text.casefold()):
                continue
            total += 1
            if skip < total <= skip + per_page:
                items.append(
                    {
                        "response_id": uuid,
                        "question_id": qid,
                        "text": text,
                        "created_at": created_at,
                        "completed": done,
                        "user_email": email,
                    }
                )
    return {"items": items, "page": page, "per_page": per_page, "total": total}
