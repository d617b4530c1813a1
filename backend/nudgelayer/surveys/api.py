"""Surveys for staff: answer, report displays, ask whether a survey may show; settings."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema
from webargs.fields import DelimitedList

from ..api import BEARER
from ..auth.decorators import current_user, require_roles
from ..experiences.schemas import QUESTION_ID, StrictBoolean, StrictInteger
from ..extensions import db
from ..fields import UtcDateTime
from . import fatigue, service

blp = Blueprint("surveys", __name__, url_prefix="/api/v1", description="Micro-surveys")
MAX_ID = 2**31 - 1


class Strict(Schema):
    class Meta:
        unknown = RAISE


def _no_nul(value: str) -> None:
    if "\x00" in value:
        raise ValidationError("Cannot contain NUL characters.")


class ResponseIn(Strict):
    id = fields.UUID(required=True, metadata={"description": "Made by the client; one row per id."})
    experience_id = StrictInteger(required=True, validate=validate.Range(min=1, max=MAX_ID))
    answers = fields.Dict(
        keys=fields.String(validate=QUESTION_ID),
        values=fields.Raw(allow_none=False),
        required=True,
        validate=validate.Length(max=20),
        metadata={"description": "{question_id: value}; checked against each question's type."},
    )
    completed = StrictBoolean(
        load_default=False, metadata={"description": "True once the respondent finished."}
    )
    version = StrictInteger(
        validate=validate.Range(min=1, max=MAX_ID),
        metadata={"description": "The survey version answered (default: the live one)."},
    )
    url = fields.String(validate=[validate.Length(max=4000), _no_nul], allow_none=True)


class ResponseStored(Schema):
    stored = fields.Boolean(
        metadata={"description": "False when this id was already stored with these answers."}
    )
    completed = fields.Boolean()


class DisplayIn(Strict):
    id = fields.UUID(required=True, metadata={"description": "Made by the client; counted once."})
    action = fields.String(required=True, validate=validate.OneOf(fatigue.ACTIONS))
    url = fields.String(validate=[validate.Length(max=4000), _no_nul], allow_none=True)
    snooze_days = StrictInteger(
        validate=validate.Range(min=1, max=90), metadata={"description": "For snoozed; default 1."}
    )

    @validates_schema
    def snooze_only(self, data, **kwargs):
        if "snooze_days" in data and data.get("action") != "snoozed":
            raise ValidationError({"snooze_days": ["Only with action snoozed."]})


class VerdictOut(Schema):
    id = fields.Integer()
    eligible = fields.Boolean()
    reason = fields.String(
        allow_none=True,
        metadata={
            "description": "not_live, not_started, ended, not_targeted, sampled_out, answered, "
            "dismissed, max_displays, snoozed or cooldown"
        },
    )
    until = UtcDateTime(allow_none=True, metadata={"description": "When a time-bound reason ends."})


class EligibilityOut(Schema):
    now = UtcDateTime()
    cooldown_days = fields.Integer()
    cooldown_until = UtcDateTime(
        allow_none=True,
        metadata={"description": "Until then, only the survey shown last may show."},
    )
    surveys = fields.List(fields.Nested(VerdictOut))


class DisplayOut(Schema):
    recorded = fields.Boolean(metadata={"description": "False when this id was already recorded."})
    eligibility = fields.Nested(EligibilityOut)


class EligibilityQuery(Strict):
    ids = DelimitedList(
        fields.Integer(validate=validate.Range(min=1, max=MAX_ID)),
        validate=validate.Length(max=100),
        metadata={"description": "Comma-separated survey ids; default every live survey."},
    )


class SettingsOut(Schema):
    cooldown_days = fields.Integer()


class SettingsIn(Strict):
    cooldown_days = StrictInteger(required=True, validate=validate.Range(min=0, max=365))


@blp.route("/responses")
class SurveyResponses(MethodView):
    @require_roles()
    @blp.arguments(ResponseIn)
    @blp.response(202, ResponseStored)
    @blp.doc(security=BEARER)
    def post(self, body):
        """Store answers under the client's id: sent again, they merge into the same row."""
        body["id"] = str(body["id"])
        result = service.submit(current_user(), body)
        db.session.commit()
        return {"stored": result.stored, "completed": result.response.completed}


@blp.route("/surveys/<int:exp_id>/display")
class SurveyDisplayAction(MethodView):
    @require_roles()
    @blp.arguments(DisplayIn)
    @blp.response(200, DisplayOut)
    @blp.doc(security=BEARER)
    def post(self, body, exp_id):
        """Record that the survey was shown, dismissed or snoozed, for every device."""
        user = current_user()
        exp = service.live_survey(user.workspace_id, exp_id)
        recorded = fatigue.record(
            user, exp, str(body["id"]), body["action"], body.get("url"), body.get("snooze_days", 1)
        )
        db.session.commit()
        return {"recorded": recorded, "eligibility": fatigue.eligibility(user, [exp_id])}


@blp.route("/client/surveys/eligibility")
class SurveyEligibility(MethodView):
    @require_roles()
    @blp.arguments(EligibilityQuery, location="query")
    @blp.response(200, EligibilityOut)
    @blp.doc(security=BEARER)
    def get(self, query):
        """May each survey show now? Dates, segment, sampling, caps, dismiss, snooze, cooldown."""
        return fatigue.eligibility(current_user(), query.get("ids"))


@blp.route("/surveys/settings")
class SurveySettingsView(MethodView):
    @require_roles("admin", "analyst")
    @blp.response(200, SettingsOut)
    @blp.doc(security=BEARER)
    def get(self):
        """Workspace-wide survey settings."""
        return {"cooldown_days": fatigue.cooldown_days(current_user().workspace_id)}

    @require_roles("admin")
    @blp.arguments(SettingsIn)
    @blp.response(200, SettingsOut)
    @blp.doc(security=BEARER)
    def patch(self, body):
        """Change the days that must pass between two different surveys for one user."""
        user = current_user()
        before = fatigue.cooldown_days(user.workspace_id)
        settings = fatigue.set_cooldown_days(user.workspace_id, body["cooldown_days"])
        fatigue.audit_settings(user, {"cooldown_days": before}, body)
        db.session.commit()
        return {"cooldown_days": settings.cooldown_days}
