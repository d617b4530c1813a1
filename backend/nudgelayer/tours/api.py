"""Tours: each user's progress (any role, own workspace) and the funnel (admins, analysts)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import EXCLUDE, RAISE, Schema, fields, validate

from ..api import BEARER
from ..auth.decorators import current_user, require_roles
from ..experiences.schemas import StrictInteger
from ..extensions import db
from ..fields import UtcDateTime
from . import service

blp = Blueprint("tours", __name__, url_prefix="/api/v1", description="Guided tours")
READERS = ("admin", "analyst")
MAX_ID = 2**31 - 1


class ProgressIn(Schema):
    class Meta:
        unknown = RAISE

    step = StrictInteger(
        required=True,
        validate=validate.Range(min=0, max=service.MAX_STEPS - 1),
        metadata={"description": "Index of the current step (0 is the first)."},
    )
    status = fields.String(required=True, validate=validate.OneOf(service.STATUSES))
    version = StrictInteger(
        validate=validate.Range(min=1, max=MAX_ID),
        metadata={"description": "The tour version the step index refers to."},
    )


class ProgressOut(Schema):
    tour_id = fields.Integer()
    step = fields.Integer()
    status = fields.String(
        metadata={"description": "not_started (never stored), active, completed or dismissed"}
    )
    version = fields.Integer(allow_none=True)
    updated_at = UtcDateTime(allow_none=True)


class FunnelQuery(Schema):
    """Unknown query parameters are ignored, as everywhere in the API."""

    class Meta:
        unknown = EXCLUDE

    version = fields.Integer(
        validate=validate.Range(min=1, max=MAX_ID),
        metadata={"description": "Only events of this version (default: all versions)."},
    )


class FunnelStep(Schema):
    step = fields.Integer(metadata={"description": "Step index, 0 for the first."})
    title = fields.String(allow_none=True)
    views = fields.Integer(metadata={"description": "People who saw this step."})
    drop_off = fields.Integer(
        metadata={"description": "People for whom this was the last step seen, without finishing."}
    )
    dismissed = fields.Integer(metadata={"description": "People who closed the tour here."})
    not_found = fields.Integer(metadata={"description": "People whose page lacked the target."})
    not_found_rate = fields.Float(metadata={"description": "not_found / views."})


class FunnelOut(Schema):
    experience_id = fields.Integer()
    name = fields.String()
    version = fields.Integer(allow_none=True)
    starts = fields.Integer()
    completions = fields.Integer()
    dismissals = fields.Integer()
    completion_rate = fields.Float()
    steps = fields.List(fields.Nested(FunnelStep))


def _progress_out(exp, row) -> dict:
    if row is None:
        return {
            "tour_id": exp.id,
            "step": 0,
            "status": "not_started",
            "version": None,
            "updated_at": None,
        }
    return {
        "tour_id": exp.id,
        "step": row.step,
        "status": row.status,
        "version": row.version,
        "updated_at": row.updated_at,
    }


@blp.route("/client/tours/<int:exp_id>/progress")
class TourProgressView(MethodView):
    @require_roles()
    @blp.response(200, ProgressOut)
    @blp.doc(security=BEARER)
    def get(self, exp_id):
        """Where the signed-in user is in this tour, on whichever device they were."""
        user = current_user()
        exp = service.get_tour(user.workspace_id, exp_id)
        return _progress_out(exp, service.progress_of(user, exp))

    @require_roles()
    @blp.arguments(ProgressIn)
    @blp.response(200, ProgressOut)
    @blp.doc(security=BEARER)
    def put(self, body, exp_id):
        """Record the signed-in user's step and status in this tour."""
        user = current_user()
        exp = service.get_tour(user.workspace_id, exp_id)
        row = service.save_progress(user, exp, body["step"], body["status"], body.get("version"))
        db.session.commit()
        return _progress_out(exp, row)


@blp.route("/experiences/<int:exp_id>/funnel")
class TourFunnel(MethodView):
    @require_roles(*READERS)
    @blp.arguments(FunnelQuery, location="query")
    @blp.response(200, FunnelOut)
    @blp.doc(security=BEARER)
    def get(self, query, exp_id):
        """The tour's funnel: starts, views and drop-off per step, completions, missing targets."""
        exp = service.get_tour(current_user().workspace_id, exp_id)
        return service.funnel(exp, query.get("version"))
