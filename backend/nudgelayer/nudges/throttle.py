"""The interruption budget: how often one user may be interrupted, across every kind.

Interruptions are what takes over the page without being asked for: auto-started tours,
surveys, modal announcements. Ambient content that waits on its element or in a corner
(tooltips, hotspots, badges, checklists, non-modal banners) is not counted; each of those
kinds caps its own displays.

Before showing an interruption, the extension asks ``POST /client/interruptions``. The
answer depends on the grants of the last ``period`` hours (workspace settings):

- the same experience and version granted in the period is allowed again, free (a
  reload, or a second tab, must not spend the budget twice nor hide a tour mid-way);
- ``critical`` (critical modal banners) is always allowed, and counted;
- otherwise nothing within ``gap`` minutes of the last grant (nudges never pile up), and
  at most ``limit`` grants per period, of which the last one is kept for ``high``:
  ``normal`` needs a free slot beyond it, ``low`` needs at least half the budget left.

Only grants are stored; a denial costs nothing and may be asked again later.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from ..extensions import db
from ..models import Experience, Interruption, User, now_utc
from . import settings as settings_service

PRIORITIES = ("low", "normal", "high", "critical")


@dataclass
class Decision:
    allowed: bool
    reason: str
    retry_after_seconds: int | None = None

    def as_dict(self) -> dict:
        out: dict = {"allowed": self.allowed, "reason": self.reason}
        if self.retry_after_seconds is not None:
            out["retry_after_seconds"] = self.retry_after_seconds
        return out


def interrupts(exp: Experience) -> bool:
    """Tours and surveys may interrupt; a banner only when it (or a variant of it) is modal."""
    if exp.kind in ("tour", "survey"):
        return True
    version = exp.published_version
    if exp.kind != "banner" or version is None:
        return False
    contents = [version.content] + [
        v.get("content") or {} for v in (version.targeting or {}).get("variants") or []
    ]
    return any(c.get("modal") for c in contents)


def default_priority(exp: Experience, content: dict) -> str:
    """Without an explicit priority: critical banners are critical, warnings high."""
    if exp.kind == "banner":
        return {"critical": "critical", "warning": "high"}.get(content.get("severity"), "normal")
    if exp.kind == "survey":
        return "low"
    return "normal"


def _seconds_until(moment: datetime, now: datetime) -> int:
    return max(1, int((moment - now).total_seconds()) + 1)


def decide(
    user: User, exp: Experience, version: int, priority: str, now: datetime | None = None
) -> Decision:
    """Grant (and record) or refuse one interruption for ``user``."""
    now = now or now_utc()
    cfg = settings_service.get(user.workspace_id)
    period = timedelta(hours=cfg.interruption_period_hours)
    gap = timedelta(minutes=cfg.interruption_gap_minutes)
    grants = list(
        db.session.scalars(
            select(Interruption)
            .where(Interruption.user_id == user.id, Interruption.granted_at > now - period)
            .order_by(Interruption.granted_at)
        )
    )
    if any(g.experience_id == exp.id and g.version == version for g in grants):
        return Decision(True, "already granted in this period")
    if priority != "critical":
        if grants and now - grants[-1].granted_at < gap:
            return Decision(
                False,
                "too soon after the last interruption",
                _seconds_until(grants[-1].granted_at + gap, now),
            )
        free = cfg.interruption_limit - len(grants)
        needed = {"high": 1, "normal": 2, "low": max(1, -(-cfg.interruption_limit // 2))}[priority]
        if cfg.interruption_limit < 2 and priority == "normal":
            needed = 1  # a budget of one has no slot to keep back
        if free < needed:
            oldest = grants[0].granted_at if grants else now
            return Decision(
                False, "interruption budget used up", _seconds_until(oldest + period, now)
            )
    db.session.add(
        Interruption(
            workspace_id=user.workspace_id,
            user_id=user.id,
            experience_id=exp.id,
            version=version,
            kind=exp.kind,
            priority=priority,
            granted_at=now,
        )
    )
    db.session.flush()
    return Decision(True, "granted")
