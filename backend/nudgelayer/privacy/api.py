"""Privacy API: a user's own consent; retention; per-user export and erasure (admins)."""

from __future__ import annotations

from flask import Response, stream_with_context
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, fields, validate

from ..api import BEARER
from ..auth.decorators import current_user, require_roles
from ..errors import Conflict, NotFound
from ..experiences.schemas import StrictBoolean, StrictInteger
from ..extensions import db
from ..fields import UtcDateTime
from ..models import User
from . import consent, retention, subject

blp = Blueprint(
    "privacy", __name__, url_prefix="/api/v1", description="Consent, retention, data subjects"
)
MAX_ID = 2**31 - 1


class Strict(Schema):
    class Meta:
        unknown = RAISE


class ConsentIn(Strict):
    analytics = StrictBoolean(
        required=True, metadata={"description": "Usage events beyond the essential ones."}
    )
    identified_surveys = StrictBoolean(
        required=True, metadata={"description": "Survey answers stored with the user's id."}
    )
    leaderboards = StrictBoolean(
        required=True, metadata={"description": "Shown by name on team leaderboards."}
    )


class ConsentOut(Schema):
    analytics = fields.Boolean()
    identified_surveys = fields.Boolean()
    leaderboards = fields.Boolean()
    decided_at = UtcDateTime(
        allow_none=True, metadata={"description": "When the user chose; null until they have."}
    )


class RetentionIn(Strict):
    retention_days = StrictInteger(
        required=True,
        validate=validate.Range(min=retention.MIN_RETENTION_DAYS, max=retention.MAX_RETENTION_DAYS),
        metadata={"description": "Events and survey answers older than this are purged daily."},
    )


class RetentionOut(Schema):
    retention_days = fields.Integer()


class ErasedOut(Schema):
    erased = fields.Boolean()
    removed = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={"description": "Rows removed or anonymised, per table; nothing identifying."},
    )


EXPORT_DOC = {
    "200": {
        "description": "Everything stored about the user, as one JSON document (streamed)",
        "content": {"application/json": {"schema": {"type": "object"}}},
    }
}


def _user_in_workspace(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or user.workspace_id != current_user().workspace_id:
        raise NotFound(f"No user {user_id}.")
    return user


@blp.route("/me/consent")
class MyConsent(MethodView):
    @require_roles()
    @blp.response(200, ConsentOut)
    @blp.doc(security=BEARER)
    def get(self):
        """What the signed-in user agreed to; everything off until they choose."""
        return consent.get(current_user())

    @require_roles()
    @blp.arguments(ConsentIn)
    @blp.response(200, ConsentOut)
    @blp.doc(security=BEARER)
    def put(self, body):
        """Record the signed-in user's choices (all three, each on or off)."""
        result = consent.set_(current_user(), body)
        db.session.commit()
        return result


@blp.route("/privacy/settings")
class PrivacySettingsView(MethodView):
    @require_roles("admin", "analyst")
    @blp.response(200, RetentionOut)
    @blp.doc(security=BEARER)
    def get(self):
        """The workspace's retention period in days."""
        return {"retention_days": retention.retention_days(current_user().workspace_id)}

    @require_roles("admin")
    @blp.arguments(RetentionIn)
    @blp.response(200, RetentionOut)
    @blp.doc(security=BEARER)
    def patch(self, body):
        """Change the retention period; the next daily purge applies it. Audited."""
        days = retention.set_retention_days(current_user(), body["retention_days"])
        db.session.commit()
        return {"retention_days": days}


@blp.route("/users/<int:user_id>/export")
class UserExport(MethodView):
    @require_roles("admin")
    @blp.doc(security=BEARER, responses=EXPORT_DOC)
    def get(self, user_id):
        """Download everything stored about one user of the workspace, as JSON. Audited."""
        user = _user_in_workspace(user_id)
        subject.audit_export(current_user(), user)
        db.session.commit()
        return Response(
            stream_with_context(subject.export_chunks(user)),
            mimetype="application/json",
            headers={
                "Content-Disposition": f'attachment; filename="user-{user.id}-export.json"',
                "Cache-Control": "no-store",
            },
        )


@blp.route("/users/<int:user_id>/data")
class UserData(MethodView):
    @require_roles("admin")
    @blp.response(200, ErasedOut)
    @blp.alt_response(409, description="Admins cannot erase their own account")
    @blp.doc(security=BEARER)
    def delete(self, user_id):
        """Erase a user: their events, answers, tokens, progress, consent and account. Audited."""
        actor = current_user()
        user = _user_in_workspace(user_id)
        if user.id == actor.id:
            raise Conflict("You cannot erase your own account; ask another admin.")
        removed = subject.erase(actor, user)
        db.session.commit()
        return {"erased": True, "removed": removed}
