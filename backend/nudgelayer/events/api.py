"""Events from browsers and other systems."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate, validates

from ..api import BEARER
from ..auth.decorators import current_user, require_roles
from . import service

blp = Blueprint("events", __name__, url_prefix="/api/v1", description="Collect events")

EVENT_TYPE = validate.Regexp(r"^[a-z][a-z0-9_.:-]{0,63}\Z", error="Lowercase name, e.g. tour.started.")


class EventIn(Schema):
    class Meta:
        unknown = "raise"

    id = fields.UUID(required=True, metadata={"description": "Made by the client; stored once."})
    type = fields.String(required=True, validate=EVENT_TYPE)
    ts = fields.AwareDateTime(required=True, format="iso")
    url = fields.String(validate=validate.Length(max=4000), allow_none=True)
    experience_id = fields.Integer(strict=True, allow_none=True, validate=validate.Range(min=1))
    data = fields.Dict(keys=fields.String(validate=validate.Length(max=64)))

    @validates("ts")
    def plausible_time(self, value, **kwargs):
        # Far-off years overflow when converted to UTC; no real event is from then.
        if not 2000 <= value.year <= 2100:
            raise ValidationError("Must be between the years 2000 and 2100.")

    @validates("data")
    def small(self, value, **kwargs):
        if not service.data_size_ok(value):
            raise ValidationError("At most 4096 bytes of JSON.")


class BatchIn(Schema):
    class Meta:
        unknown = "raise"

    events = fields.List(fields.Nested(EventIn), required=True, validate=validate.Length(max=500))


class BatchOut(Schema):
    accepted = fields.Integer(metadata={"description": "Events stored by this call."})
    duplicates = fields.Integer(metadata={"description": "Events already stored before."})


@blp.route("/events")
class Events(MethodView):
    @require_roles()
    @blp.arguments(BatchIn)
    @blp.response(202, BatchOut)
    @blp.doc(security=BEARER)
    def post(self, body):
        """Store a batch of events; an id sent again is stored once."""
        for e in body["events"]:
            e["id"] = str(e["id"])
        stored, dupes = service.ingest(current_user(), body["events"])
        return {"accepted": stored, "duplicates": dupes}
