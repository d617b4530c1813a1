"""The progress API for staff browsers: progress, ticks, the personal panel, commitments."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from ..api import BEARER
from ..auth.decorators import current_user, require_roles
from . import service
from .schemas import (
    ChecklistStateOut,
    ChecklistTickIn,
    ClientProgressOut,
    GamificationOut,
    GoalCommitIn,
    GoalStateOut,
    ProgressPreferencesIn,
    ProgressPreferencesOut,
)

blp = Blueprint(
    "progress",
    __name__,
    url_prefix="/api/v1",
    description="Progress, goals and gamification (staff)",
)


@blp.route("/client/progress")
class Progress(MethodView):
    @require_roles()
    @blp.response(200, ClientProgressOut)
    @blp.doc(security=BEARER)
    def get(self):
        """The user's checklist progress, live counters, what to report, template variables."""
        return service.client_progress(current_user())


@blp.route("/client/checklists/<int:exp_id>/items/<int:index>")
class ChecklistItemTick(MethodView):
    @require_roles()
    @blp.arguments(ChecklistTickIn)
    @blp.response(200, ChecklistStateOut)
    @blp.doc(security=BEARER)
    def post(self, body, exp_id, index):
        """Tick a checklist item by hand (done: false unticks it); answers the checklist."""
        return service.tick(current_user(), exp_id, index, body["done"])


@blp.route("/client/progress/preferences")
class Preferences(MethodView):
    @require_roles()
    @blp.arguments(ProgressPreferencesIn)
    @blp.response(200, ProgressPreferencesOut)
    @blp.doc(security=BEARER)
    def put(self, body):
        """Set the user's time zone (the tz attribute): streaks and daily caps count its days."""
        service.set_timezone(current_user(), body["tz"])
        return {"tz": body["tz"]}


@blp.route("/client/gamification")
class Gamification(MethodView):
    @require_roles()
    @blp.response(200, GamificationOut)
    @blp.doc(security=BEARER)
    def get(self):
        """The personal panel: points, streaks, achievements, goals, team leaderboard."""
        return service.client_gamification(current_user())


@blp.route("/client/goals/<int:goal_id>/commitment")
class Commitment(MethodView):
    @require_roles()
    @blp.arguments(GoalCommitIn)
    @blp.response(200, GoalStateOut)
    @blp.doc(security=BEARER)
    def post(self, body, goal_id):
        """Commit to a goal (after the user confirmed); committing twice changes nothing."""
        return service.commit_to_goal(current_user(), goal_id, body["confirm"])

    @require_roles()
    @blp.response(204)
    @blp.doc(security=BEARER)
    def delete(self, goal_id):
        """Withdraw a commitment."""
        service.withdraw_from_goal(current_user(), goal_id)
