"""Request and response schemas of the nudges API (documented in OpenAPI from these)."""

from __future__ import annotations

import math

from marshmallow import Schema, ValidationError, fields, validate, validates, validates_schema

from ..auth.api import UserOut
from ..experiences.schemas import SIGNAL_KEY_RE, Strict
from ..fields import UtcDateTime
from .keys import SCOPES
from .settings import FREQUENCIES
from .throttle import PRIORITIES

SCOPE_VALUE_MAX = 500


def _check_scalar(value, allow_none: bool) -> None:
    if value is None and allow_none:
        return
    if isinstance(value, bool | int):
        return
    if isinstance(value, float) and math.isfinite(value):
        return
    if isinstance(value, str) and len(value) <= SCOPE_VALUE_MAX:
        return
    raise ValidationError(f"A number, true/false or text of at most {SCOPE_VALUE_MAX} characters.")


class SignalIn(Strict):
    key = fields.String(
        required=True,
        validate=validate.Regexp(SIGNAL_KEY_RE, error="Letters, digits and _ . : - (at most 128)."),
    )
    value = fields.Raw(
        required=True, allow_none=True, metadata={"description": "null clears the signal."}
    )
    scope = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1, max=64)),
        values=fields.Raw(),
        validate=validate.Length(max=10),
        metadata={
            "description": "User attributes that must all equal these values; absent: everyone."
        },
    )

    @validates("value")
    def scalar_value(self, value, **kwargs):
        _check_scalar(value, allow_none=True)

    @validates("scope")
    def scalar_scope(self, scope, **kwargs):
        for value in scope.values():
            _check_scalar(value, allow_none=False)


class SignalOut(Schema):
    key = fields.String()
    value = fields.Raw(allow_none=True)
    scope = fields.Dict()
    updated_at = fields.String()


class SignalList(Schema):
    items = fields.List(fields.Nested(SignalOut))


class SignalDeleteOut(Schema):
    cleared = fields.Integer(metadata={"description": "How many (key, scope) values were cleared."})


class ApiKeyIn(Strict):
    label = fields.String(required=True, validate=validate.Length(min=1, max=120))
    scope = fields.String(required=True, validate=validate.OneOf(SCOPES))


class ApiKeyOut(Schema):
    id = fields.Integer()
    label = fields.String()
    scope = fields.String()
    prefix = fields.String()
    created_at = UtcDateTime()
    revoked_at = UtcDateTime(allow_none=True)
    last_used_at = UtcDateTime(allow_none=True)


class ApiKeyCreated(ApiKeyOut):
    key = fields.String(metadata={"description": "The key itself: shown this once, never again."})


class ApiKeyList(Schema):
    items = fields.List(fields.Nested(ApiKeyOut))


LOCALE_RE = r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*\Z"


class NotEmpty(Strict):
    """A PATCH body must change something: an empty (or missing) one is a client's mistake."""

    @validates_schema
    def something(self, data, **kwargs):
        if not data:
            raise ValidationError("Send at least one field to change.")


class UserPatch(NotEmpty):
    role = fields.String(validate=validate.OneOf(["staff", "admin", "analyst"]))
    team = fields.String(allow_none=True, validate=validate.Length(max=64))
    locale = fields.String(
        allow_none=True, validate=[validate.Length(max=16), validate.Regexp(LOCALE_RE)]
    )
    display_name = fields.String(allow_none=True, validate=validate.Length(max=120))
    attributes = fields.Dict(
        keys=fields.String(),
        values=fields.Raw(allow_none=True),
        metadata={"description": "Custom attributes, merged; a null value removes one."},
    )

    @validates("attributes")
    def attribute_values(self, attributes, **kwargs):
        from .users import check_attribute

        problems = [f"{k}: {why}." for k, v in attributes.items() if (why := check_attribute(k, v))]
        if problems:
            raise ValidationError(problems)


class UserList(Schema):
    items = fields.List(fields.Nested(UserOut))


class InterruptionIn(Strict):
    experience_id = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=1, max=2**31 - 1)
    )
    version = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=1, max=2**31 - 1)
    )
    priority = fields.String(validate=validate.OneOf(PRIORITIES))


class InterruptionOut(Schema):
    allowed = fields.Boolean()
    reason = fields.String()
    retry_after_seconds = fields.Integer()


class DigestItem(Schema):
    kind = fields.String(metadata={"description": "warning, goal, checklist, survey or streak."})
    title = fields.String()
    detail = fields.String()
    severity = fields.String()
    experience_id = fields.Integer()
    goal_id = fields.Integer()
    due_at = UtcDateTime()


class WhatsNewSummary(Schema):
    unread = fields.Integer()
    latest_at = UtcDateTime(allow_none=True)


class DigestOut(Schema):
    items = fields.List(fields.Nested(DigestItem))


class NudgesOut(Schema):
    user = fields.Nested(UserOut)
    counts = fields.Dict(
        keys=fields.String(),
        values=fields.Dict(keys=fields.String(), values=fields.Integer()),
        metadata={
            "description": (
                '{"<event type>": {"<within_days>": count}} for every event condition'
                " of a live experience."
            )
        },
    )
    signals = fields.List(fields.Nested(SignalOut))
    overlay_url = fields.String(allow_none=True)
    whatsnew = fields.Nested(WhatsNewSummary)
    digest = fields.Nested(DigestOut)


class EntryOut(Schema):
    id = fields.Integer()
    title = fields.String()
    body = fields.String()
    published_at = UtcDateTime()


class WhatsNewOut(Schema):
    entries = fields.List(fields.Nested(EntryOut))
    unread = fields.Integer()
    read_at = UtcDateTime(allow_none=True)


class NudgeSettingsOut(Schema):
    overlay_url = fields.String(allow_none=True)
    interruption_limit = fields.Integer()
    interruption_period_hours = fields.Integer()
    interruption_gap_minutes = fields.Integer()
    digest_webhook_url = fields.String(allow_none=True)
    digest_frequency = fields.String()
    digest_last_sent_at = UtcDateTime(allow_none=True)


class NudgeSettingsPatch(NotEmpty):
    overlay_url = fields.String(allow_none=True, validate=validate.Length(min=1, max=2000))
    interruption_limit = fields.Integer(strict=True, validate=validate.Range(min=0, max=50))
    interruption_period_hours = fields.Integer(
        strict=True, validate=validate.Range(min=1, max=24 * 30)
    )
    interruption_gap_minutes = fields.Integer(
        strict=True, validate=validate.Range(min=0, max=24 * 60)
    )
    digest_webhook_url = fields.String(allow_none=True, validate=validate.Length(min=1, max=2000))
    digest_frequency = fields.String(validate=validate.OneOf(FREQUENCIES))

    @validates("digest_webhook_url")
    def http_url(self, value, **kwargs):
        if value is not None:
            from ..errors import Invalid
            from ..webhooks.service import check_url

            try:
                check_url(value)
            except Invalid as err:
                raise ValidationError(err.message) from err

    @validates_schema
    def frequency_needs_url(self, data, **kwargs):
        if (
            data.get("digest_frequency") in ("daily", "weekly")
            and data.get("digest_webhook_url", "") is None
        ):
            raise ValidationError({"digest_webhook_url": ["A digest needs a webhook URL."]})


class ArmOut(Schema):
    name = fields.String()
    exposed = fields.Integer()
    converted = fields.Integer()
    rate = fields.Float(allow_none=True)
    interval = fields.List(fields.Float(), metadata={"description": "95% Wilson score interval."})


class ExperimentOut(Schema):
    experience_id = fields.Integer()
    control_percent = fields.Integer()
    conversion_event = fields.String()
    control = fields.Nested(ArmOut)
    treatment = fields.Nested(ArmOut)
    difference = fields.List(
        fields.Float(),
        allow_none=True,
        metadata={"description": "Treatment minus control, 95% Newcombe hybrid score interval."},
    )
