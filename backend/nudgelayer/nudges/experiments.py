"""A/B experiments: who is in which arm, exposures, and conversion with confidence intervals.

An experience whose targeting has ``experiment: {control_percent, conversion_event}`` is
held out from the control arm (``targeting.experiment_arm``: FNV-1a of
"<experience id>:<user id>" mod 100, the same in Python and JavaScript). The extension
records an ``experiment.exposure`` event (``data.arm``) each time the experience would
show on a page, in both arms alike, so the arms are compared on the same footing.

A user converts when they send ``conversion_event`` at or after their first exposure.
Each arm's conversion rate has a 95% Wilson score interval; the difference (treatment
minus control) has Newcombe's hybrid score interval, built from the two Wilson intervals.
Both behave at small counts and near 0% or 100%, where the normal approximation does not.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from ..extensions import db
from ..models import Event, Experience

EXPOSURE = "experiment.exposure"
Z95 = 1.959963984540054


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of a proportion (0, 1 when n is 0)."""
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    denom = 1 + z * z / n
    center = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, center - half), min(1.0, center + half)


def newcombe(x1: int, n1: int, x2: int, n2: int) -> tuple[float, float] | None:
    """Newcombe's hybrid score interval of p1 - p2 (None when an arm is empty)."""
    if n1 == 0 or n2 == 0:
        return None
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = wilson(x1, n1)
    l2, u2 = wilson(x2, n2)
    d = p1 - p2
    return d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), d + math.sqrt(
        (u1 - p1) ** 2 + (p2 - l2) ** 2
    )


@dataclass
class Arm:
    name: str
    exposed: int
    converted: int

    @property
    def rate(self) -> float | None:
        return self.converted / self.exposed if self.exposed else None

    @property
    def interval(self) -> tuple[float, float]:
        return wilson(self.converted, self.exposed)


@dataclass
class Results:
    experience: Experience
    control_percent: int
    conversion_event: str
    control: Arm
    treatment: Arm

    @property
    def difference(self) -> tuple[float, float] | None:
        return newcombe(
            self.treatment.converted,
            self.treatment.exposed,
            self.control.converted,
            self.control.exposed,
        )


def experiment_of(exp: Experience) -> dict | None:
    version = exp.published_version or exp.current_version
    return (version.targeting or {}).get("experiment")


def results(exp: Experience) -> Results | None:
    experiment = experiment_of(exp)
    if not experiment:
        return None
    first: dict[int, tuple[datetime, str]] = {}
    rows = db.session.execute(
        select(Event.user_id, Event.ts, Event.data)
        .where(
            Event.workspace_id == exp.workspace_id,
            Event.type == EXPOSURE,
            Event.experience_id == exp.id,
            Event.user_id.is_not(None),
        )
        .order_by(Event.ts, Event.id)
    )
    for user_id, ts, data in rows:
        arm = (data or {}).get("arm")
        if user_id not in first and arm in ("control", "treatment"):
            first[user_id] = (ts, arm)
    last_conversion = dict(
        db.session.execute(
            select(Event.user_id, func.max(Event.ts))
            .where(
                Event.workspace_id == exp.workspace_id,
                Event.type == experiment["conversion_event"],
                Event.user_id.is_not(None),
            )
            .group_by(Event.user_id)
        ).all()
    )
    arms = {"control": Arm("control", 0, 0), "treatment": Arm("treatment", 0, 0)}
    for user_id, (exposed_at, arm) in first.items():
        arms[arm].exposed += 1
        converted_at = last_conversion.get(user_id)
        if converted_at is not None and converted_at >= exposed_at:
            arms[arm].converted += 1
    return Results(
        exp,
        experiment["control_percent"],
        experiment["conversion_event"],
        arms["control"],
        arms["treatment"],
    )


def running(workspace_id: int) -> list[Experience]:
    """Experiences whose shown version is an experiment, newest first."""
    rows = db.session.scalars(
        select(Experience)
        .where(Experience.workspace_id == workspace_id)
        .order_by(Experience.id.desc())
    )
    return [e for e in rows if experiment_of(e)]
