"""Admin side of nudges: user attributes, workspace nudge settings, experiment results."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from ..api import BEARER
from ..auth.api import UserOut
from ..auth.decorators import current_user, require_roles
from ..errors import Invalid, NotFound
from ..experiences import service as experiences
from ..extensions import db
from . import experiments as experiments_service
from . import settings as settings_service
from . import users as users_service
from .schemas import ExperimentOut, NudgeSettingsOut, NudgeSettingsPatch, UserList, UserPatch

blp = Blueprint(
    "nudges-admin",
    __name__,
    url_prefix="/api/v1",
    description="Segments, nudge settings, experiments",
)


@blp.route("/users")
class Users(MethodView):
    @require_roles("admin", "analyst")
    @blp.response(200, UserList)
    @blp.doc(security=BEARER)
    def get(self):
        """The workspace's users with the attributes segments see."""
        return {"items": users_service.list_(current_user().workspace_id)}


@blp.route("/users/<int:user_id>")
class UserById(MethodView):
    @require_roles("admin")
    @blp.arguments(UserPatch)
    @blp.response(200, UserOut)
    @blp.doc(security=BEARER)
    def patch(self, body, user_id):
        """Set a user's role, team, locale, display name or custom attributes (null removes one)."""
        actor = current_user()
        user = users_service.get(actor.workspace_id, user_id)
        problems = users_service.check_fields(body)
        if problems:
            raise Invalid("Check the attributes.", problems)
        users_service.apply(actor, user, body)
        db.session.commit()
        return user


@blp.route("/nudges/settings")
class Settings(MethodView):
    @require_roles("admin")
    @blp.response(200, NudgeSettingsOut)
    @blp.doc(security=BEARER)
    def get(self):
        """Interruption budget, where the What's new launcher shows, the chat digest."""
        return settings_service.get(current_user().workspace_id)

    @require_roles("admin")
    @blp.arguments(NudgeSettingsPatch)
    @blp.response(200, NudgeSettingsOut)
    @blp.doc(security=BEARER)
    def patch(self, body):
        """Change the workspace's nudge settings (audited)."""
        row = settings_service.update(current_user(), body)
        db.session.commit()
        return row


@blp.route("/experiences/<int:exp_id>/experiment")
class Experiment(MethodView):
    @require_roles("admin", "analyst")
    @blp.response(200, ExperimentOut)
    @blp.doc(security=BEARER)
    def get(self, exp_id):
        """Exposed and converted users per arm with 95% intervals (Wilson; Newcombe for the gap)."""
        exp = experiences.get(current_user().workspace_id, exp_id)
        res = experiments_service.results(exp)
        if res is None:
            raise NotFound(f"Experience {exp_id} is not an experiment.")

        def arm(a):
            return {
                "name": a.name,
                "exposed": a.exposed,
                "converted": a.converted,
                "rate": a.rate,
                "interval": list(a.interval),
            }

        diff = res.difference
        return {
            "experience_id": exp.id,
            "control_percent": res.control_percent,
            "conversion_event": res.conversion_event,
            "control": arm(res.control),
            "treatment": arm(res.treatment),
            "difference": list(diff) if diff else None,
        }
