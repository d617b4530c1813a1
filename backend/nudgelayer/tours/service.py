"""Tour progress per user, and the tour funnel computed from the events table."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import select

from ..errors import NotFound
from ..experiences import service as experiences
from ..extensions import db
from ..models import Event, Experience, Kind, TourProgress, User, now_utc

STATUSES = ("active", "completed", "dismissed")
MAX_STEPS = 50  # TourContent allows 1 to 50 steps
# What the extension's tour runtime sends (extension/src/content/tour/).
STARTED, VIEWED, COMPLETED, DISMISSED, NOT_FOUND = (
    "tour.started",
    "tour.step_viewed",
    "tour.completed",
    "tour.dismissed",
    "tour.target_not_found",
)
TOUR_EVENTS = (STARTED, VIEWED, COMPLETED, DISMISSED, NOT_FOUND)


def get_tour(workspace_id: int, exp_id: int) -> Experience:
    """The workspace's tour ``exp_id``; anything else (another kind, workspace) is absent."""
    exp = experiences.get(workspace_id, exp_id)
    if exp.kind != Kind.tour.value:
        raise NotFound(f"No tour {exp_id}.")
    return exp


def progress_of(user: User, exp: Experience) -> TourProgress | None:
    return db.session.scalar(
        select(TourProgress).where(
            TourProgress.experience_id == exp.id, TourProgress.user_id == user.id
        )
    )


def save_progress(
    user: User, exp: Experience, step: int, status: str, version: int | None
) -> TourProgress:
    """Record where ``user`` is in the tour; the last write wins (one person, few devices)."""
    row = progress_of(user, exp)
    if row is None:
        row = TourProgress(workspace_id=user.workspace_id, experience_id=exp.id, user_id=user.id)
        db.session.add(row)
    row.step, row.status, row.version = step, status, version
    row.updated_at = now_utc()
    db.session.flush()
    return row


def _step_of(value: Any) -> int | None:
    # data is free-form client JSON: only a plain integer in range is a step.
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < MAX_STEPS:
        return None
    return value


def funnel(exp: Experience, version: int | None = None) -> dict[str, Any]:
    """Starts, views per step, completions, drop-off, dismissals and "target not found" per step.

    Counts are people (distinct users), so a replayed tour or a reloaded step counts once;
    an event whose user was deleted counts as one person of its own.
    """
    q = select(
        Event.id, Event.type, Event.user_id, Event.data["step"], Event.data["version"]
    ).where(
        Event.workspace_id == exp.workspace_id,
        Event.experience_id == exp.id,
        Event.type.in_(TOUR_EVENTS),
    )
    per_type: dict[str, set] = defaultdict(set)
    per_step: dict[tuple[str, int], set] = defaultdict(set)
    furthest: dict[Any, int] = {}
    for event_id, type_, user_id, step_value, version_value in db.session.execute(
        q.execution_options(yield_per=2000)
    ):
        if version is not None and version_value != version:
            continue
        who = user_id if user_id is not None else ("event", event_id)
        per_type[type_].add(who)
        step = _step_of(step_value)
        if step is None:
            continue
        per_step[(type_, step)].add(who)
        if type_ == VIEWED:
            furthest[who] = max(step, furthest.get(who, -1))

    shown = exp.current_version
    if version is not None:
        shown = next((v for v in exp.versions if v.number == version), None) or shown
    titles = [s.get("title") for s in (shown.content or {}).get("steps", [])]
    seen_steps = [s for (_, s) in per_step]
    count = min(MAX_STEPS, max([len(titles), *(s + 1 for s in seen_steps)], default=0))
    completed = per_type[COMPLETED]
    drop = defaultdict(int)
    for who, step in furthest.items():
        if who not in completed:
            drop[step] += 1

    steps = []
    for i in range(count):
        views = len(per_step[(VIEWED, i)])
        missing = len(per_step[(NOT_FOUND, i)])
        steps.append(
            {
                "step": i,
                "title": titles[i] if i < len(titles) else None,
                "views": views,
                "drop_off": drop[i],
                "dismissed": len(per_step[(DISMISSED, i)]),
                "not_found": missing,
                "not_found_rate": round(missing / views, 4) if views else (1.0 if missing else 0.0),
            }
        )
    starts = len(per_type[STARTED])
    return {
        "experience_id": exp.id,
        "name": exp.current_version.name,
        "version": version,
        "starts": starts,
        "completions": len(completed),
        "dismissals": len(per_type[DISMISSED]),
        "completion_rate": round(len(completed) / starts, 4) if starts else 0.0,
        "steps": steps,
    }
