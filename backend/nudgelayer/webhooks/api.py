"""Webhooks (admins): register a URL, list them, delete one, see recent deliveries."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, fields, validate

from ..api import BEARER
from ..auth.decorators import current_user, require_roles
from ..extensions import db
from ..fields import UtcDateTime
from . import service

blp = Blueprint("webhooks", __name__, url_prefix="/api/v1", description="Outgoing webhooks")
ADMINS = ("admin",)


class WebhookIn(Schema):
    class Meta:
        unknown = RAISE

    url = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    events = fields.List(
        fields.String(validate=validate.OneOf(service.EVENTS)),
        load_default=lambda: list(service.EVENTS),
        validate=validate.Length(min=1, max=len(service.EVENTS)),
    )


class WebhookOut(Schema):
    id = fields.Integer()
    url = fields.String()
    events = fields.List(fields.String())
    active = fields.Boolean()
    created_at = UtcDateTime()
    secret_hint = fields.String(metadata={"description": "The secret's last 4 characters."})


class WebhookCreated(WebhookOut):
    secret = fields.String(
        metadata={"description": "Signs every delivery (HMAC-SHA256). Shown only now: keep it."}
    )


class WebhookList(Schema):
    items = fields.List(fields.Nested(WebhookOut))


class WebhookIdQuery(Schema):
    class Meta:
        unknown = RAISE

    id = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1))


class DeliveryQuery(Schema):
    class Meta:
        unknown = RAISE

    webhook_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))


class DeliveryOut(Schema):
    id = fields.String(attribute="uuid")
    webhook_id = fields.Integer()
    event = fields.String()
    attempts = fields.Integer()
    last_status = fields.Integer(allow_none=True)
    last_error = fields.String(allow_none=True)
    delivered_at = UtcDateTime(allow_none=True)
    next_attempt_at = UtcDateTime(allow_none=True)
    created_at = UtcDateTime()
    state = fields.Method("_state")

    def _state(self, d) -> str:
        if d.delivered_at:
            return "delivered"
        return "pending" if d.next_attempt_at else "failed"


class DeliveryList(Schema):
    items = fields.List(fields.Nested(DeliveryOut))


def _out(hook, with_secret: bool = False) -> dict:
    out = {
        "id": hook.id,
        "url": hook.url,
        "events": hook.events,
        "active": hook.active,
        "created_at": hook.created_at,
        "secret_hint": "…" + hook.secret[-4:],
    }
    if with_secret:
        out["secret"] = hook.secret
    return out


@blp.route("/webhooks")
class Webhooks(MethodView):
    @require_roles(*ADMINS)
    @blp.response(200, WebhookList)
    @blp.doc(security=BEARER)
    def get(self):
        """The workspace's webhooks (secrets are not shown again)."""
        return {"items": [_out(h) for h in service.list_(current_user().workspace_id)]}

    @require_roles(*ADMINS)
    @blp.arguments(WebhookIn)
    @blp.response(201, WebhookCreated)
    @blp.doc(security=BEARER)
    def post(self, body):
        """Register a URL to receive signed POSTs; the answer holds the signing secret."""
        hook = service.create(current_user(), body["url"], body["events"])
        db.session.commit()
        return _out(hook, with_secret=True)

    @require_roles(*ADMINS)
    @blp.arguments(WebhookIdQuery, location="query")
    @blp.response(204)
    @blp.doc(security=BEARER)
    def delete(self, query):
        """Delete a webhook (``?id=``); its pending deliveries are dropped."""
        service.delete(current_user(), query["id"])
        db.session.commit()


@blp.route("/webhooks/deliveries")
class WebhookDeliveries(MethodView):
    @require_roles(*ADMINS)
    @blp.arguments(DeliveryQuery, location="query")
    @blp.response(200, DeliveryList)
    @blp.doc(security=BEARER)
    def get(self, query):
        """The latest 100 deliveries (of one webhook with ``?webhook_id=``), newest first."""
        items = service.deliveries(current_user().workspace_id, query.get("webhook_id"))
        return {"items": items}
