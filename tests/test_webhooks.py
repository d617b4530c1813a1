"""Outgoing webhooks, received by a real HTTP server on 127.0.0.1 that checks signatures."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
import uuid
from collections import deque
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from nudgelayer.extensions import db
from nudgelayer.models import AuditLog, WebhookDelivery, now_utc
from nudgelayer.webhooks import sender, service

from .test_surveys import answer, identified_consent, publish_survey

pytestmark = pytest.mark.usefixtures(identified_consent.__name__)


class Receiver:
    """Records every POST; answers with the queued statuses, then 200."""

    def __init__(self):
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.statuses: deque[int] = deque()
        self.arrived = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.requests.append((dict(self.headers), body))
                status = outer.statuses.popleft() if outer.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")
                outer.arrived.set()

            def log_message(self, *args):  # keep test output clean
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/nudgelayer"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        if self.thread.is_alive():
            self.server.shutdown()
            self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def verify(secret: str, headers: dict[str, str], body: bytes) -> dict:
    """What a receiver does: check the HMAC over the raw body, then the timestamp."""
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["X-Nudgelayer-Signature"], expected)
    payload = json.loads(body)
    assert str(payload["timestamp"]) == headers["X-Nudgelayer-Timestamp"]
    assert abs(time.time() - payload["timestamp"]) < 60
    assert payload["id"] == headers["X-Nudgelayer-Delivery"]
    assert payload["event"] == headers["X-Nudgelayer-Event"] == "response.completed"
    return payload


def register(client, headers, url) -> dict:
    resp = client.post("/api/v1/webhooks", json={"url": url}, headers=headers)
    assert resp.status_code == 201, resp.json
    return resp.json


def deliveries(app) -> list[WebhookDelivery]:
    with app.app_context():
        found = list(db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))
        db.session.expunge_all()
        return found


def deliver(app, **kwargs) -> dict:
    with app.app_context():
        return service.deliver_due(**kwargs)


def test_admins_register_list_and_delete_webhooks(app, client, login):
    admin = login("admin")
    created = register(client, admin, "https://chat.example.com/hooks/1")
    assert len(created["secret"]) == 64 and created["events"] == ["response.completed"]
    listed = client.get("/api/v1/webhooks", headers=admin).json["items"]
    assert [h["url"] for h in listed] == ["https://chat.example.com/hooks/1"]
    assert "secret" not in listed[0] and listed[0]["secret_hint"].endswith(created["secret"][-4:])
    for who in ("staff", "analyst"):
        assert client.get("/api/v1/webhooks", headers=login(who)).status_code == 403
        assert (
            client.post(
                "/api/v1/webhooks", json={"url": "https://x.test"}, headers=login(who)
            ).status_code
            == 403
        )
    other = login("admin@other.test")
    assert client.get("/api/v1/webhooks", headers=other).json["items"] == []
    assert client.delete(f"/api/v1/webhooks?id={created['id']}", headers=other).status_code == 404
    assert client.delete(f"/api/v1/webhooks?id={created['id']}", headers=admin).status_code == 204
    assert client.get("/api/v1/webhooks", headers=admin).json["items"] == []
    with app.app_context():
        actions = db.session.scalars(
            select(AuditLog.action).where(AuditLog.subject_type == "webhook")
        ).all()
        assert actions == ["webhook.create", "webhook.delete"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "ftp://files.example.com/x"}, "url"),
        ({"url": "javascript:alert(1)"}, "url"),
        ({"url": "https://user:pw@example.com/"}, "url"),
        ({"url": "https://example.com/", "events": ["response.deleted"]}, "events"),
        ({"url": "https://example.com/", "events": []}, "events"),
        ({}, "url"),
    ],
)
def test_bad_webhooks_are_422_naming_the_field(client, login, body, field):
    resp = client.post("/api/v1/webhooks", json=body, headers=login("admin"))
    assert resp.status_code == 422 and field in resp.json["error"]["details"], resp.json


def test_a_completed_response_is_delivered_signed(app, client, login, receiver):
    admin = login("admin")
    hook = register(client, admin, receiver.url)
    exp_id = publish_survey(client, admin)
    staff = login("staff")
    rid = str(uuid.uuid4())
    answer(client, staff, exp_id, {"nps": 9}, rid, url="https://tickets.example.com/q/1")
    assert deliveries(app) == []  # partial: nothing yet
    answer(client, staff, exp_id, {"why": "quick"}, rid, completed=True)
    answer(client, staff, exp_id, {"why": "quick"}, rid, completed=True)  # a retry: no second event
    assert len(deliveries(app)) == 1
    assert deliver(app) == {"delivered": 1, "retrying": 0, "failed": 0}
    ((headers, body),) = receiver.requests
    payload = verify(hook["secret"], headers, body)
    response = payload["data"]["response"]
    assert response["id"] == rid and response["experience_id"] == exp_id
    assert response["answers"] == {"nps": 9, "why": "quick"}
    assert response["user"]["email"] == "staff@acme.test"
    assert response["url"] == "https://tickets.example.com/q/1"
    (row,) = deliveries(app)
    assert row.delivered_at and row.next_attempt_at is None and row.last_status == 200
    # Nothing is due any more.
    assert deliver(app) == {"delivered": 0, "retrying": 0, "failed": 0}
    listed = client.get("/api/v1/webhooks/deliveries", headers=admin).json["items"]
    assert [(d["state"], d["attempts"]) for d in listed] == [("delivered", 1)]


def test_anonymous_payloads_name_nobody(app, client, login, receiver):
    admin = login("admin")
    hook = register(client, admin, receiver.url)
    exp_id = publish_survey(client, admin, anonymous=True)
    answer(client, login("staff"), exp_id, {"nps": 3}, completed=True, url="https://x.test/1")
    deliver(app)
    payload = verify(hook["secret"], *receiver.requests[0])
    assert payload["data"]["response"]["user"] is None
    assert payload["data"]["response"]["url"] is None


def test_failures_are_retried_with_backoff_then_given_up(app, client, login, receiver):
    app.config.update(WEBHOOK_MAX_ATTEMPTS=3, WEBHOOK_RETRY_BASE_SECONDS=30)
    admin = login("admin")
    register(client, admin, receiver.url)
    exp_id = publish_survey(client, admin)
    staff = login("staff")
    receiver.statuses.extend([500, 503])
    answer(client, staff, exp_id, {"nps": 1}, completed=True)
    start = now_utc()
    assert deliver(app, now=start) == {"delivered": 0, "retrying": 1, "failed": 0}
    (row,) = deliveries(app)
    assert row.attempts == 1 and row.last_status == 500
    assert row.next_attempt_at == start + timedelta(seconds=30)
    # Not due yet: nothing is sent.
    assert deliver(app, now=start + timedelta(seconds=29))["retrying"] == 0
    assert deliver(app, now=start + timedelta(seconds=30))["retrying"] == 1
    (row,) = deliveries(app)
    assert row.attempts == 2 and row.next_attempt_at == start + timedelta(seconds=30 + 60)
    assert deliver(app, now=start + timedelta(seconds=90)) == {
        "delivered": 1,
        "retrying": 0,
        "failed": 0,
    }
    assert len(receiver.requests) == 3
    # The same delivery id on every attempt, so the receiver can drop repeats.
    assert len({h["X-Nudgelayer-Delivery"] for h, _ in receiver.requests}) == 1

    # An unreachable URL: attempts run out and the delivery is marked failed.
    receiver.close()
    answer(client, staff, exp_id, {"nps": 2}, completed=True)
    moment = now_utc()
    for step in range(3):
        counts = deliver(app, now=moment + timedelta(days=step))
    assert counts == {"delivered": 0, "retrying": 0, "failed": 1}
    failed = deliveries(app)[-1]
    assert failed.attempts == 3 and failed.next_attempt_at is None and failed.last_error
    states = [
        d["state"] for d in client.get("/api/v1/webhooks/deliveries", headers=admin).json["items"]
    ]
    assert states == ["failed", "delivered"]


def test_redirects_are_not_followed(app, client, login, receiver):
    admin = login("admin")
    register(client, admin, receiver.url)
    receiver.statuses.append(302)
    answer(client, login("staff"), publish_survey(client, admin), {"nps": 5}, completed=True)
    assert deliver(app)["retrying"] == 1
    assert deliveries(app)[0].last_status == 302


def test_cron_cli_delivers(app, client, login, receiver, runner):
    admin = login("admin")
    register(client, admin, receiver.url)
    answer(client, login("staff"), publish_survey(client, admin), {"nps": 5}, completed=True)
    result = runner.invoke(args=["deliver-webhooks"])
    assert result.exit_code == 0 and "delivered 1" in result.output
    assert len(receiver.requests) == 1


def test_the_server_sends_in_the_background_without_cron(app, client, login, receiver):
    app.config.update(WEBHOOK_SENDER=True, WEBHOOK_POLL_SECONDS=30)
    sender.init_app(app)  # as create_app does when the sender is on
    try:
        admin = login("admin")
        register(client, admin, receiver.url)
        exp_id = publish_survey(client, admin)
        answer(client, login("staff"), exp_id, {"nps": 10}, completed=True)
        # Woken by the commit: well before the 30-second poll.
        assert receiver.arrived.wait(timeout=10)
        assert len(receiver.requests) == 1
    finally:
        sender.stop(app)
