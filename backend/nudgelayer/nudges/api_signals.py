"""Signals from other systems (API key scoped to signals) and the API keys themselves (admins)."""

from __future__ import annotations

import re

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint

from ..api import BEARER
from ..auth.decorators import current_user, require_api_key, require_roles
from ..errors import Invalid
from ..extensions import db
from . import keys as keys_service
from . import signals as signals_service
from .schemas import (
    ApiKeyCreated,
    ApiKeyIn,
    ApiKeyList,
    SignalDeleteOut,
    SignalIn,
    SignalList,
    SignalOut,
)

blp = Blueprint("signals", __name__, url_prefix="/api/v1", description="Signals and API keys")
KEY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}\Z")


@blp.route("/signals")
class Signals(MethodView):
    @require_api_key("signals")
    @blp.response(200, SignalList)
    @blp.doc(security=BEARER)
    def get(self):
        """Every signal of the key's workspace (each key and scope)."""
        rows = signals_service.list_(g.api_key.workspace_id)
        return {"items": [signals_service.message(r) for r in rows]}

    @require_api_key("signals")
    @blp.arguments(SignalIn)
    @blp.response(200, SignalOut)
    @blp.doc(security=BEARER)
    def post(self, body):
        """Set a signal for the users its scope picks (null clears it); open tabs update at once."""
        key = g.api_key
        scope = body.get("scope") or {}
        row = signals_service.set_value(
            key.workspace_id, body["key"], body["value"], scope, api_key=key
        )
        out = (
            signals_service.message(row)
            if row
            else {"key": body["key"], "value": None, "scope": scope}
        )
        db.session.commit()
        if row is None:
            out["updated_at"] = None
        return out


@blp.route("/signals/<signal_key>")
class SignalByKey(MethodView):
    @require_api_key("signals")
    @blp.response(200, SignalDeleteOut)
    @blp.doc(security=BEARER)
    def delete(self, signal_key):
        """Clear a signal for every scope; the warnings it drove disappear from open tabs."""
        if not KEY_RE.match(signal_key):
            raise Invalid(
                "Not a signal key.", {"key": ["Letters, digits and _ . : - (at most 128)."]}
            )
        cleared = signals_service.clear(g.api_key.workspace_id, signal_key, api_key=g.api_key)
        db.session.commit()
        return {"cleared": cleared}


def _key_out(row, plain: str | None = None) -> dict:
    out = {
        "id": row.id,
        "label": row.label,
        "scope": row.scope,
        "prefix": row.prefix,
        "created_at": row.created_at,
        "revoked_at": row.revoked_at,
        "last_used_at": row.last_used_at,
    }
    if plain:
        out["key"] = plain
    return out


@blp.route("/api-keys")
class ApiKeys(MethodView):
    @require_roles("admin")
    @blp.response(200, ApiKeyList)
    @blp.doc(security=BEARER)
    def get(self):
        """The workspace's API keys (never the keys themselves), newest first."""
        return {"items": [_key_out(r) for r in keys_service.list_(current_user().workspace_id)]}

    @require_roles("admin")
    @blp.arguments(ApiKeyIn)
    @blp.response(201, ApiKeyCreated)
    @blp.doc(security=BEARER)
    def post(self, body):
        """Create an API key for another system; the key is in this answer only."""
        user = current_user()
        plain, row = keys_service.create(user.workspace, body["label"], body["scope"], actor=user)
        db.session.commit()
        return _key_out(row, plain)


@blp.route("/api-keys/<int:key_id>")
class ApiKeyById(MethodView):
    @require_roles("admin")
    @blp.response(204)
    @blp.doc(security=BEARER)
    def delete(self, key_id):
        """Revoke an API key: it stops working at once."""
        user = current_user()
        keys_service.revoke(keys_service.get(user.workspace_id, key_id), actor=user)
        db.session.commit()
