"""Goals, points/streak/achievement rules (admins) and counters posted by other systems."""

from __future__ import annotations

import re

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import ValidationError

from ..api import BEARER
from ..auth.decorators import current_user, require_roles
from ..experiences.schemas import EVENT_NAME_PATTERN
from ..extensions import db
from . import service
from .schemas import (
    CounterValueIn,
    CounterValueList,
    CounterValueOut,
    GamificationRuleIn,
    GamificationRuleList,
    GamificationRuleOut,
    GamificationRulePatch,
    GamificationRuleQuery,
    GoalCreateIn,
    GoalList,
    GoalOut,
    GoalUpdateIn,
)

blp = Blueprint(
    "gamification",
    __name__,
    url_prefix="/api/v1",
    description="Goals, gamification rules, counters",
)
AUTHORS = ("admin",)
READERS = ("admin", "analyst")


@blp.route("/counters")
class Counters(MethodView):
    @require_roles(*READERS)
    @blp.response(200, CounterValueList)
    @blp.doc(security=BEARER)
    def get(self):
        """Every counter value other systems posted, per key and scope."""
        items = service.list_counters(current_user().workspace_id)
        return {"items": [{**_row(c), "applied": True} for c in items]}


def _row(c):
    return {
        "key": c.key,
        "scope": c.scope,
        "scope_value": c.scope_value,
        "value": c.value,
        "ts": c.ts,
    }


@blp.route("/counters/<key>")
class CounterByKey(MethodView):
    @require_roles(*AUTHORS)
    @blp.arguments(CounterValueIn)
    @blp.response(200, CounterValueOut)
    @blp.doc(security=BEARER)
    def post(self, body, key):
        """Set a live counter; badges counting it update in open tabs at once."""
        if not re.match(EVENT_NAME_PATTERN, key):
            raise ValidationError({"key": ["Lowercase name, e.g. queue.pending."]})
        return service.set_counter(
            current_user(), key, body["value"], body.get("scope"), body.get("ts")
        )


@blp.route("/goals")
class Goals(MethodView):
    @require_roles(*READERS)
    @blp.response(200, GoalList)
    @blp.doc(security=BEARER)
    def get(self):
        """The workspace's goals, latest deadline first."""
        return {"items": service.list_goals(current_user().workspace_id)}

    @require_roles(*AUTHORS)
    @blp.arguments(GoalCreateIn)
    @blp.response(201, GoalOut)
    @blp.doc(security=BEARER)
    def post(self, body):
        """Create a goal: a count of one event type to reach between a start and a deadline."""
        goal = service.create_goal(current_user(), body)
        db.session.commit()
        return goal


@blp.route("/goals/<int:goal_id>")
class GoalById(MethodView):
    @require_roles(*READERS)
    @blp.response(200, GoalOut)
    @blp.doc(security=BEARER)
    def get(self, goal_id):
        """One goal."""
        return service.get_goal(current_user().workspace_id, goal_id)

    @require_roles(*AUTHORS)
    @blp.arguments(GoalUpdateIn)
    @blp.response(200, GoalOut)
    @blp.doc(security=BEARER)
    def patch(self, body, goal_id):
        """Edit a goal (a new version; the audit log keeps before and after)."""
        goal = service.get_goal(current_user().workspace_id, goal_id)
        service.update_goal(current_user(), goal, body)
        db.session.commit()
        return goal

    @require_roles(*AUTHORS)
    @blp.response(204)
    @blp.doc(security=BEARER)
    def delete(self, goal_id):
        """Delete a goal and its commitments."""
        service.delete_goal(current_user(), service.get_goal(current_user().workspace_id, goal_id))
        db.session.commit()


@blp.route("/gamification/rules")
class Rules(MethodView):
    @require_roles(*READERS)
    @blp.arguments(GamificationRuleQuery, location="query")
    @blp.response(200, GamificationRuleList)
    @blp.doc(security=BEARER)
    def get(self, query):
        """Points, streak and achievement rules."""
        return {"items": service.list_rules(current_user().workspace_id, query.get("kind"))}

    @require_roles(*AUTHORS)
    @blp.arguments(GamificationRuleIn)
    @blp.response(201, GamificationRuleOut)
    @blp.doc(security=BEARER)
    def post(self, body):
        """Create a rule: points for an event type, a daily streak, or an achievement."""
        rule = service.create_rule(current_user(), body)
        db.session.commit()
        return rule


@blp.route("/gamification/rules/<int:rule_id>")
class RuleById(MethodView):
    @require_roles(*READERS)
    @blp.response(200, GamificationRuleOut)
    @blp.doc(security=BEARER)
    def get(self, rule_id):
        """One rule."""
        return service.get_rule(current_user().workspace_id, rule_id)

    @require_roles(*AUTHORS)
    @blp.arguments(GamificationRulePatch)
    @blp.response(200, GamificationRuleOut)
    @blp.doc(security=BEARER)
    def patch(self, body, rule_id):
        """Edit a rule (a new version; the audit log keeps before and after)."""
        rule = service.get_rule(current_user().workspace_id, rule_id)
        service.update_rule(current_user(), rule, body)
        db.session.commit()
        return rule

    @require_roles(*AUTHORS)
    @blp.response(204)
    @blp.doc(security=BEARER)
    def delete(self, rule_id):
        """Delete a rule."""
        service.delete_rule(current_user(), service.get_rule(current_user().workspace_id, rule_id))
        db.session.commit()
