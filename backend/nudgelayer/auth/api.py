"""Sign in, sign out, who am I."""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from ..api import BEARER
from ..fields import UtcDateTime
from ..extensions import db, limiter
from ..realtime import kick_token
from . import service
from .decorators import current_token, current_user, require_roles

blp = Blueprint("auth", __name__, url_prefix="/api/v1", description="Sign in and tokens")


class LoginIn(Schema):
    class Meta:
        unknown = "raise"

    email = fields.Email(required=True, validate=validate.Length(max=254))
    password = fields.String(required=True, validate=validate.Length(min=1, max=1024))


class UserOut(Schema):
    id = fields.Integer()
    email = fields.String()
    role = fields.String()
    workspace_id = fields.Integer()
    display_name = fields.String(allow_none=True)
    team = fields.String(allow_none=True)
    locale = fields.String(allow_none=True)
    attributes = fields.Dict()


class LoginOut(Schema):
    token = fields.String()
    expires_at = UtcDateTime()
    user = fields.Nested(UserOut)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@blp.route("/auth/login")
class Login(MethodView):
    decorators = [limiter.limit(_login_limit)]

    @blp.arguments(LoginIn)
    @blp.response(200, LoginOut)
    @blp.alt_response(401, description="Wrong email or password")
    def post(self, body):
        """Exchange email and password for a bearer token."""
        user = service.authenticate(body["email"], body["password"])
        token, row = service.issue_token(user, current_app.config["TOKEN_TTL_HOURS"], "login")
        db.session.commit()
        return {"token": token, "expires_at": row.expires_at, "user": user}


@blp.route("/auth/logout")
class Logout(MethodView):
    @require_roles()
    @blp.response(204)
    @blp.doc(security=BEARER)
    def post(self):
        """Revoke the token used for this call; open sockets using it are closed."""
        token = current_token()
        service.revoke_token(token)
        kick_token(token.id)
        db.session.commit()


@blp.route("/me")
class Me(MethodView):
    @require_roles()
    @blp.response(200, UserOut)
    @blp.doc(security=BEARER)
    def get(self):
        """The signed-in user, with the attributes segments are evaluated against."""
        return current_user()
