"""Filters shared by results, listings and exports: date range, team, page URL.

``from`` and ``to`` are days (``2026-12-01``, UTC, both inclusive) or ISO datetimes with
an offset (``from`` inclusive, ``to`` exclusive). ``team`` is the respondent's team;
``url`` keeps responses whose page URL contains it. Anonymous responses carry neither a
team nor a URL, so those two filters leave them out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema
from sqlalchemy import Select, select

from ..models import SurveyResponse, User


class _Bound(fields.Field):
    """A day or an aware ISO datetime, as a naive UTC datetime (how they are stored)."""

    day_offset = 0

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or len(value) > 40:
            raise ValidationError("A date (YYYY-MM-DD) or an ISO datetime with offset.")
        try:
            if len(value) == 10:
                day = date.fromisoformat(value) + timedelta(days=self.day_offset)
                return datetime.combine(day, time())
            moment = datetime.fromisoformat(value)
        except ValueError as err:
            raise ValidationError("A date (YYYY-MM-DD) or an ISO datetime with offset.") from err
        if moment.tzinfo is None:
            raise ValidationError("A datetime needs its offset, e.g. 2026-12-01T09:00:00+01:00.")
        return moment.astimezone(UTC).replace(tzinfo=None)


class Start(_Bound):
    pass


class End(_Bound):
    # A day given as ``to`` includes that whole day.
    day_offset = 1


class FilterQuery(Schema):
    class Meta:
        unknown = RAISE

    start = Start(data_key="from", metadata={"description": "Day or ISO datetime (inclusive)."})
    end = End(
        data_key="to", metadata={"description": "Day (inclusive) or ISO datetime (exclusive)."}
    )
    team = fields.String(validate=validate.Length(min=1, max=64))
    url = fields.String(
        validate=validate.Length(min=1, max=2000),
        metadata={"description": "Keep responses whose page URL contains this."},
    )

    @validates_schema
    def ordered(self, data, **kwargs):
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            raise ValidationError({"to": ["Must be after from."]})


@dataclass(frozen=True)
class Filters:
    start: datetime | None = None
    end: datetime | None = None
    team: str | None = None
    url: str | None = None

    @classmethod
    def from_query(cls, query: dict[str, Any]) -> Filters:
        return cls(**{k: query.get(k) for k in ("start", "end", "team", "url")})

    def describe(self) -> dict[str, Any]:
        """The filters as JSON (for the audit log and the results answer)."""
        out: dict[str, Any] = {}
        for key, name in (("start", "from"), ("end", "to")):
            value = getattr(self, key)
            if value is not None:
                out[name] = value.isoformat() + "Z"
        out.update({k: getattr(self, k) for k in ("team", "url") if getattr(self, k)})
        return out


def responses(workspace_id: int, experience_id: int, f: Filters, *columns) -> Select:
    """SELECT ``columns`` of one survey's responses (joined to their user) matching ``f``."""
    q = (
        select(*columns)
        .select_from(SurveyResponse)
        .outerjoin(User, User.id == SurveyResponse.user_id)
        .where(
            SurveyResponse.workspace_id == workspace_id,
            SurveyResponse.experience_id == experience_id,
        )
    )
    if f.start is not None:
        q = q.where(SurveyResponse.created_at >= f.start)
    if f.end is not None:
        q = q.where(SurveyResponse.created_at < f.end)
    if f.team:
        q = q.where(User.team == f.team)
    if f.url:
        q = q.where(SurveyResponse.url.contains(f.url, autoescape=True))
    return q
