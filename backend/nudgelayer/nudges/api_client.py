"""What the extension asks besides experiences: nudge state, the interruption budget, What's new."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from ..api import BEARER
from ..auth.decorators import current_user, require_roles
from ..errors import Invalid, NotFound
from ..experiences import service as experiences
from ..extensions import db
from ..models import Status
from . import throttle
from . import whatsnew as whatsnew_service
from .client import nudges_for
from .schemas import InterruptionIn, InterruptionOut, NudgesOut, WhatsNewOut

blp = Blueprint(
    "nudges-client", __name__, url_prefix="/api/v1", description="Nudges for the extension"
)


@blp.route("/client/nudges")
class Nudges(MethodView):
    @require_roles()
    @blp.response(200, NudgesOut)
    @blp.doc(security=BEARER)
    def get(self):
        """Event counts, signals, fresh attributes, What's new and the digest of the user."""
        return nudges_for(current_user())


@blp.route("/client/interruptions")
class Interruptions(MethodView):
    @require_roles()
    @blp.arguments(InterruptionIn)
    @blp.response(200, InterruptionOut)
    @blp.doc(security=BEARER)
    def post(self, body):
        """May this interruption (auto-started tour, survey, modal banner) show now? Yes counts."""
        user = current_user()
        exp = experiences.get(user.workspace_id, body["experience_id"])
        if exp.status != Status.published.value or exp.published_version is None:
            raise NotFound(f"No live experience {exp.id}.")
        if not throttle.interrupts(exp):
            raise Invalid(
                f"A {exp.kind} does not interrupt; it needs no permission.",
                {"experience_id": ["Not an interrupting kind."]},
            )
        priority = body.get("priority") or throttle.default_priority(
            exp, exp.published_version.content
        )
        decision = throttle.decide(user, exp, body["version"], priority)
        db.session.commit()
        return decision.as_dict()


@blp.route("/client/whatsnew")
class WhatsNew(MethodView):
    @require_roles()
    @blp.response(200, WhatsNewOut)
    @blp.doc(security=BEARER)
    def get(self):
        """The latest published What's new entries and how many the user has not read."""
        user = current_user()
        return {
            "entries": whatsnew_service.published(user.workspace_id),
            "unread": whatsnew_service.unread(user),
            "read_at": whatsnew_service.read_at(user),
        }


@blp.route("/client/whatsnew/read")
class WhatsNewRead(MethodView):
    @require_roles()
    @blp.response(200, WhatsNewOut)
    @blp.doc(security=BEARER)
    def post(self):
        """Mark every published entry read (the user opened the panel)."""
        user = current_user()
        whatsnew_service.mark_read(user)
        db.session.commit()
        return {
            "entries": whatsnew_service.published(user.workspace_id),
            "unread": 0,
            "read_at": whatsnew_service.read_at(user),
        }
