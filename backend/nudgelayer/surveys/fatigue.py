"""Survey fatigue: may this user see this survey now?

The state lives on the server (one ``survey_display`` row per user and survey), so a
dismiss or snooze on one device holds on every other. Rules, in the order reported:

- ``not_started`` / ``ended``: outside the survey's ``starts_at`` … ``ends_at`` window;
- ``not_targeted``: the survey's segment does not admit the user;
- ``sampled_out``: outside ``sample_percent`` — a hash of (survey, user), so a user is
  consistently in or out, on every device and every day;
- ``answered``, ``dismissed``: never again; ``max_displays``: shown that often already;
- ``snoozed``: not before ``snoozed_until``;
- ``cooldown``: another survey was shown to the user less than the workspace's cooldown
  (default 7 days) ago. The survey shown last is exempt, so a half-answered one can return.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from ..experiences.targeting import segment_matches
from ..extensions import db
from ..models import Event, Experience, SurveyDisplay, SurveySettings, User, now_utc

DEFAULT_COOLDOWN_DAYS = 7
ACTIONS = ("shown", "dismissed", "snoozed")


def cooldown_days(workspace_id: int) -> int:
    settings = db.session.get(SurveySettings, workspace_id)
    return settings.cooldown_days if settings else DEFAULT_COOLDOWN_DAYS


def set_cooldown_days(workspace_id: int, days: int) -> SurveySettings:
    settings = db.session.get(SurveySettings, workspace_id)
    if settings is None:
        settings = SurveySettings(workspace_id=workspace_id)
        db.session.add(settings)
    settings.cooldown_days = days
    db.session.flush()
    return settings


def sampled_in(experience_id: int, user_id: int, percent: float) -> bool:
    """Deterministic sampling: the same user is in or out of a survey every time."""
    if percent >= 100:
        return True
    digest = hashlib.sha256(f"survey-sample:{experience_id}:{user_id}".encode()).digest()
    bucket = int.from_bytes(digest[:8], "big") % 10_000  # 0.01 % steps
    return bucket < round(percent * 100)


def _display(user: User, exp: Experience) -> SurveyDisplay:
    """The user's display row for ``exp``, created if missing (safe when requests race)."""
    from .service import insert_ignoring_duplicates

    insert_ignoring_duplicates(
        SurveyDisplay,
        {
            "workspace_id": exp.workspace_id,
            "experience_id": exp.id,
            "user_id": user.id,
            "shown_count": 0,
            "answered": False,
        },
        ["experience_id", "user_id"],
    )
    row = db.session.scalar(
        select(SurveyDisplay)
        .where(SurveyDisplay.experience_id == exp.id, SurveyDisplay.user_id == user.id)
        .with_for_update()
    )
    assert row is not None
    return row


def mark_answered(user: User, exp: Experience) -> None:
    _display(user, exp).answered = True


def record(
    user: User,
    exp: Experience,
    event_id: str,
    action: str,
    url: str | None = None,
    snooze_days: int = 1,
) -> bool:
    """Record a display action once per client-made ``event_id``; True if new.

    Each action is also stored as an event (``survey.shown`` …), which is what results
    count as "shown" for the response rate, filterable by date, team and page.
    """
    from .service import insert_ignoring_duplicates

    now = now_utc()
    anonymous = bool(exp.published_version and exp.published_version.content.get("anonymous"))
    new = insert_ignoring_duplicates(
        Event,
        {
            "uuid": event_id,
            "workspace_id": exp.workspace_id,
            "user_id": user.id,
            "type": f"survey.{action}",
            "ts": now,
            "url": None if anonymous else url,
            "experience_id": exp.id,
            "data": {},
            "received_at": now,
        },
        ["uuid"],
    )
    if not new:
        return False
    row = _display(user, exp)
    if action == "shown":
        row.shown_count += 1
        row.first_shown_at = row.first_shown_at or now
        row.last_shown_at = now
    elif action == "dismissed":
        row.dismissed_at = now
    elif action == "snoozed":
        row.snoozed_until = now + timedelta(days=snooze_days)
    db.session.flush()
    return True


@dataclass
class Verdict:
    id: int
    eligible: bool
    reason: str | None = None
    until: datetime | None = None  # when a time-bound reason ends

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "eligible": self.eligible,
            "reason": self.reason,
            "until": self.until,
        }


def _naive_utc(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value).astimezone(UTC).replace(tzinfo=None)


def judge(
    user: User,
    exp: Experience,
    display: SurveyDisplay | None,
    others_last_shown: datetime | None,
    cooldown: timedelta,
    now: datetime,
) -> Verdict:
    version = exp.published_version
    if exp.kind != "survey" or exp.status != "published" or version is None:
        return Verdict(exp.id, False, "not_live")
    content = version.content
    starts, ends = _naive_utc(content.get("starts_at")), _naive_utc(content.get("ends_at"))
    if starts and now < starts:
        return Verdict(exp.id, False, "not_started", starts)
    if ends and now >= ends:
        return Verdict(exp.id, False, "ended")
    if not segment_matches(version.targeting.get("segment"), user.segment_attributes()):
        return Verdict(exp.id, False, "not_targeted")
    if not sampled_in(exp.id, user.id, content.get("sample_percent", 100)):
        return Verdict(exp.id, False, "sampled_out")
    if display is not None:
        if display.answered:
            return Verdict(exp.id, False, "answered")
        if display.dismissed_at:
            return Verdict(exp.id, False, "dismissed")
        limit = content.get("max_displays")
        if limit and display.shown_count >= limit:
            return Verdict(exp.id, False, "max_displays")
        if display.snoozed_until and now < display.snoozed_until:
            return Verdict(exp.id, False, "snoozed", display.snoozed_until)
    if others_last_shown and now < others_last_shown + cooldown:
        return Verdict(exp.id, False, "cooldown", others_last_shown + cooldown)
    return Verdict(exp.id, True)


def eligibility(user: User, ids: list[int] | None = None, now: datetime | None = None) -> dict:
    """The verdict for each live survey (or each of ``ids``), and when the cooldown ends.

    An id that is not a live survey of the user's workspace gets ``not_live``.
    """
    now = now or now_utc()
    surveys = live_surveys(user, ids)
    days = cooldown_days(user.workspace_id)
    cooldown = timedelta(days=days)
    displays = {
        d.experience_id: d
        for d in db.session.scalars(select(SurveyDisplay).where(SurveyDisplay.user_id == user.id))
    }
    shown = sorted(
        ((d.last_shown_at, d.experience_id) for d in displays.values() if d.last_shown_at),
        reverse=True,
    )
    verdicts = []
    for exp in surveys:
        # The most recent display of any *other* survey starts the cooldown.
        others = next((at for at, exp_id in shown if exp_id != exp.id), None)
        verdicts.append(judge(user, exp, displays.get(exp.id), others, cooldown, now).as_dict())
    found = {exp.id for exp in surveys}
    verdicts += [
        Verdict(i, False, "not_live").as_dict() for i in dict.fromkeys(ids or []) if i not in found
    ]
    last = shown[0][0] if shown else None
    return {
        "now": now,
        "cooldown_days": days,
        "cooldown_until": last + cooldown if last and now < last + cooldown else None,
        "surveys": verdicts,
    }


def live_surveys(user: User, ids: list[int] | None) -> list[Experience]:
    """The workspace's published surveys (those in ``ids`` when given), in id order."""
    q = select(Experience).where(
        Experience.workspace_id == user.workspace_id,
        Experience.kind == "survey",
        Experience.status == "published",
    )
    if ids is not None:
        q = q.where(Experience.id.in_(ids))
    return list(db.session.scalars(q.order_by(Experience.id)))


def audit_settings(actor: User, before: dict, after: dict) -> None:
    from ..models import AuditLog

    db.session.add(
        AuditLog(
            workspace_id=actor.workspace_id,
            actor_id=actor.id,
            action="surveys.settings",
            subject_type="workspace",
            subject_id=actor.workspace_id,
            before=before,
            after=after,
        )
    )
