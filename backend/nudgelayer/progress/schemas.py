"""Marshmallow schemas of the progress API (bodies in, answers out)."""

from __future__ import annotations

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from ..experiences.schemas import (
    EVENT_NAME_PATTERN,
    SegmentRule,
    StrictBoolean,
    StrictInteger,
)
from ..fields import UtcDateTime

EVENT_TYPE = validate.Regexp(EVENT_NAME_PATTERN, error="Lowercase name, e.g. ticket.closed.")
MAX_COUNTER = 2**31 - 1


class Strict(Schema):
    class Meta:
        unknown = RAISE


# ---------------------------------------------------------------- client


class ChecklistStateOut(Schema):
    id = fields.Integer()
    version = fields.Integer(allow_none=True)
    total = fields.Integer()
    done = fields.List(fields.Integer(), metadata={"description": "Indices of done items."})
    ticked = fields.List(
        fields.Integer(), metadata={"description": "Done by hand only (the user may untick these)."}
    )
    complete = fields.Boolean()


class LiveCounterOut(Schema):
    source = fields.String()
    key = fields.String()
    scope = fields.String()
    value = fields.Integer(allow_none=True)
    ts = fields.String(metadata={"description": "When the value was true; keep the newest."})


class ProgressWatchOut(Schema):
    event = fields.String(metadata={"description": "page.view or click"})
    url = fields.String(metadata={"description": "URL glob of the pages to report it on."})
    selector = fields.String()


class ProgressSummaryOut(Schema):
    available = fields.Boolean(metadata={"description": "Is there a personal panel to show?"})
    reminders = fields.Integer(metadata={"description": "Committed goals close to their deadline."})


class ClientProgressOut(Schema):
    checklists = fields.List(fields.Nested(ChecklistStateOut))
    counters = fields.List(fields.Nested(LiveCounterOut))
    watch = fields.List(fields.Nested(ProgressWatchOut))
    variables = fields.Dict(keys=fields.String(), values=fields.String())
    summary = fields.Nested(ProgressSummaryOut)
    tz = fields.String()
    tz_set = fields.Boolean()


class ChecklistTickIn(Strict):
    done = StrictBoolean(load_default=True, metadata={"description": "false unticks a hand tick."})


class ProgressPreferencesIn(Strict):
    tz = fields.String(required=True, validate=validate.Length(min=1, max=64))


class ProgressPreferencesOut(Schema):
    tz = fields.String()


class GoalCommitIn(Strict):
    confirm = StrictBoolean(
        required=True, metadata={"description": "true: the user confirmed the commitment."}
    )


class GoalSeriesPoint(Schema):
    day = fields.String()
    value = fields.Integer()


class GoalStateOut(Schema):
    id = fields.Integer()
    title = fields.String()
    description = fields.String()
    event_type = fields.String()
    target = fields.Integer()
    scope = fields.String()
    team = fields.String(allow_none=True)
    starts_at = UtcDateTime()
    deadline = UtcDateTime()
    committed = fields.Boolean()
    committed_at = UtcDateTime(allow_none=True)
    value = fields.Integer()
    percent = fields.Integer()
    status = fields.String(metadata={"description": "upcoming, active, achieved or missed"})
    reminder = fields.String(allow_none=True)
    series = fields.List(fields.Nested(GoalSeriesPoint))


class GamificationPointsRuleOut(Schema):
    event_type = fields.String()
    points = fields.Integer()
    daily_cap = fields.Integer(allow_none=True)


class GamificationPointsOut(Schema):
    total = fields.Integer()
    week = fields.Integer()
    rules = fields.List(fields.Nested(GamificationPointsRuleOut))


class GamificationStreakOut(Schema):
    id = fields.Integer()
    name = fields.String()
    event_type = fields.String()
    current = fields.Integer()
    best = fields.Integer()
    active_today = fields.Boolean()


class GamificationAchievementOut(Schema):
    id = fields.Integer()
    name = fields.String()
    description = fields.String()
    metric = fields.String()
    event_type = fields.String(allow_none=True)
    threshold = fields.Integer()
    value = fields.Integer()
    unlocked = fields.Boolean()
    unlocked_at = UtcDateTime(allow_none=True)


class LeaderboardRow(Schema):
    rank = fields.Integer()
    name = fields.String(allow_none=True)
    points = fields.Integer()
    you = fields.Boolean()
    visible_to_others = fields.Boolean()


class LeaderboardTeamRow(Schema):
    team = fields.String()
    members = fields.Integer()
    points_per_member = fields.Float()
    yours = fields.Boolean()


class LeaderboardOut(Schema):
    team = fields.String(allow_none=True)
    period_days = fields.Integer()
    opted_in = fields.Boolean()
    min_group = fields.Integer()
    members = fields.List(fields.Nested(LeaderboardRow))
    teams = fields.List(fields.Nested(LeaderboardTeamRow))


class GamificationOut(Schema):
    tz = fields.String()
    points = fields.Nested(GamificationPointsOut)
    streaks = fields.List(fields.Nested(GamificationStreakOut))
    achievements = fields.List(fields.Nested(GamificationAchievementOut))
    goals = fields.List(fields.Nested(GoalStateOut))
    leaderboard = fields.Nested(LeaderboardOut)


# ---------------------------------------------------------------- other systems and admins


class CounterScopeIn(Strict):
    team = fields.String(validate=validate.Length(min=1, max=64))
    user = fields.Email(validate=validate.Length(max=254))

    @validates_schema
    def one(self, data, **kwargs):
        if len(data) != 1:
            raise ValidationError("Give exactly one of team or user (or no scope: the workspace).")


class CounterValueIn(Strict):
    value = StrictInteger(
        required=True,
        allow_none=True,
        validate=validate.Range(min=-MAX_COUNTER, max=MAX_COUNTER),
        metadata={"description": "The new value; null clears it (badges show no number)."},
    )
    scope = fields.Nested(CounterScopeIn, metadata={"description": "Absent: the whole workspace."})
    ts = fields.AwareDateTime(
        format="iso",
        metadata={"description": "When the value was true (default now); older posts are ignored."},
    )


class CounterValueOut(Schema):
    key = fields.String()
    scope = fields.String()
    scope_value = fields.String()
    value = fields.Integer(allow_none=True)
    ts = UtcDateTime()
    applied = fields.Boolean(metadata={"description": "false: a newer value was already stored."})


class CounterValueList(Schema):
    items = fields.List(fields.Nested(CounterValueOut))


GOAL_SCOPES = ["user", "team"]


class GoalCreateIn(Strict):
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    description = fields.String(load_default="", validate=validate.Length(max=2000))
    event_type = fields.String(required=True, validate=EVENT_TYPE)
    target = StrictInteger(required=True, validate=validate.Range(min=1, max=1_000_000))
    scope = fields.String(load_default="user", validate=validate.OneOf(GOAL_SCOPES))
    starts_at = fields.AwareDateTime(format="iso", metadata={"description": "Default: now."})
    deadline = fields.AwareDateTime(required=True, format="iso")
    segment = SegmentRule(load_default=None, allow_none=True)
    active = StrictBoolean(load_default=True)


class GoalUpdateIn(Strict):
    title = fields.String(validate=validate.Length(min=1, max=200))
    description = fields.String(validate=validate.Length(max=2000))
    event_type = fields.String(validate=EVENT_TYPE)
    target = StrictInteger(validate=validate.Range(min=1, max=1_000_000))
    scope = fields.String(validate=validate.OneOf(GOAL_SCOPES))
    starts_at = fields.AwareDateTime(format="iso")
    deadline = fields.AwareDateTime(format="iso")
    segment = SegmentRule(allow_none=True)
    active = StrictBoolean()


class GoalOut(Schema):
    id = fields.Integer()
    title = fields.String()
    description = fields.String()
    event_type = fields.String()
    target = fields.Integer()
    scope = fields.String()
    starts_at = UtcDateTime()
    deadline = UtcDateTime()
    segment = fields.Dict(allow_none=True)
    active = fields.Boolean()
    version = fields.Integer()
    created_at = UtcDateTime()
    updated_at = UtcDateTime()


class GoalList(Schema):
    items = fields.List(fields.Nested(GoalOut))


RULE_KINDS = ["points", "streak", "achievement"]
METRICS = ["points", "events", "streak"]


class GamificationRuleIn(Strict):
    kind = fields.String(required=True, validate=validate.OneOf(RULE_KINDS))
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    description = fields.String(load_default="", validate=validate.Length(max=2000))
    event_type = fields.String(validate=EVENT_TYPE)
    points = StrictInteger(validate=validate.Range(min=-1000, max=1000))
    daily_cap = StrictInteger(validate=validate.Range(min=1, max=1_000_000))
    metric = fields.String(validate=validate.OneOf(METRICS))
    threshold = StrictInteger(validate=validate.Range(min=1, max=1_000_000))
    active = StrictBoolean(load_default=True)


class GamificationRulePatch(Strict):
    name = fields.String(validate=validate.Length(min=1, max=120))
    description = fields.String(validate=validate.Length(max=2000))
    event_type = fields.String(validate=EVENT_TYPE, allow_none=True)
    points = StrictInteger(validate=validate.Range(min=-1000, max=1000), allow_none=True)
    daily_cap = StrictInteger(validate=validate.Range(min=1, max=1_000_000), allow_none=True)
    metric = fields.String(validate=validate.OneOf(METRICS), allow_none=True)
    threshold = StrictInteger(validate=validate.Range(min=1, max=1_000_000), allow_none=True)
    active = StrictBoolean()


class GamificationRuleOut(Schema):
    id = fields.Integer()
    kind = fields.String()
    name = fields.String()
    description = fields.String()
    event_type = fields.String(allow_none=True)
    points = fields.Integer(allow_none=True)
    daily_cap = fields.Integer(allow_none=True)
    metric = fields.String(allow_none=True)
    threshold = fields.Integer(allow_none=True)
    active = fields.Boolean()
    version = fields.Integer()
    created_at = UtcDateTime()
    updated_at = UtcDateTime()


class GamificationRuleList(Schema):
    items = fields.List(fields.Nested(GamificationRuleOut))


class GamificationRuleQuery(Schema):
    class Meta:
        unknown = "exclude"

    kind = fields.String(validate=validate.OneOf(RULE_KINDS))
