"""Authorization matrix, generated from the app's own route map.

Every API route × every role × another workspace's token. A route that declares
no rule fails here, so nobody can add an unguarded endpoint by accident.
"""

from __future__ import annotations

import re

import pytest

from nudgelayer.auth.decorators import ACCESS_RULES

from .conftest import PASSWORD, tooltip_body

ROLES = ("staff", "analyst", "admin")
# Routes anyone may call, and why.
PUBLIC = {
    "/healthz": "load balancer health check",
    "/api/v1/openapi.json": "the API's own documentation",
    "/api/v1/auth/login": "how a token is obtained",
}
BODIES = {
    ("POST", "/api/v1/experiences"): tooltip_body(),
    ("PATCH", "/api/v1/experiences/<int:exp_id>"): {"name": "Renamed"},
    ("POST", "/api/v1/experiences/<int:exp_id>/rollback"): {"version": 1},
    ("POST", "/api/v1/events"): {"events": []},
    ("PUT", "/api/v1/client/tours/<int:exp_id>/progress"): {"step": 0, "status": "active"},
    ("POST", "/api/v1/responses"): {
        "id": "6f1c2b1e-8d1a-4b8e-9c39-0d9c3c1e2a77",
        "experience_id": 2**31 - 1,
        "answers": {},
    },
    ("POST", "/api/v1/surveys/<int:exp_id>/display"): {
        "id": "0b5d7a9e-3f4c-4e61-8a2d-5c7e9f1b3d40",
        "action": "shown",
    },
    ("PATCH", "/api/v1/surveys/settings"): {"cooldown_days": 7},
    ("POST", "/api/v1/webhooks"): {"url": "http://127.0.0.1:9/hook"},
    ("PUT", "/api/v1/me/consent"): {
        "analytics": False,
        "identified_surveys": False,
        "leaderboards": False,
    },
    ("PATCH", "/api/v1/privacy/settings"): {"retention_days": 365},
    ("POST", "/api/v1/client/checklists/<int:exp_id>/items/<int:index>"): {"done": True},
    ("PUT", "/api/v1/client/progress/preferences"): {"tz": "Europe/Berlin"},
    ("POST", "/api/v1/client/goals/<int:goal_id>/commitment"): {"confirm": True},
    ("POST", "/api/v1/counters/<key>"): {"value": 3},
    ("POST", "/api/v1/goals"): {
        "title": "Close 10 tickets",
        "event_type": "ticket.closed",
        "target": 10,
        "deadline": "2030-01-31T17:00:00Z",
    },
    ("PATCH", "/api/v1/goals/<int:goal_id>"): {"target": 12},
    ("POST", "/api/v1/gamification/rules"): {
        "kind": "points",
        "name": "Closing",
        "event_type": "ticket.closed",
        "points": 5,
    },
    ("PATCH", "/api/v1/gamification/rules/<int:rule_id>"): {"points": 6},
    ("POST", "/api/v1/signals"): {"key": "backup.overdue_days", "value": 3, "scope": {"team": "ops"}},
    ("POST", "/api/v1/api-keys"): {"label": "Backup monitor", "scope": "signals"},
    ("PATCH", "/api/v1/users/<int:user_id>"): {"attributes": {"tenure": 4}},
    ("PATCH", "/api/v1/nudges/settings"): {"interruption_limit": 3},
    ("POST", "/api/v1/client/interruptions"): {"experience_id": 2**31 - 1, "version": 1},
}
# Ids of other resources (users...) name nobody: such calls pass or fail on the role alone.
NOBODY = str(2**31 - 1)


def api_routes(app):
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/") or rule.rule in PUBLIC:
            continue
        view = app.view_functions[rule.endpoint]
        cls = getattr(view, "view_class", None)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            name = f"{cls.__name__}.{method.lower()}" if cls else view.__qualname__
            yield rule.rule, method, name


@pytest.fixture
def published_id(client, login):
    h = login("admin")
    exp = client.post("/api/v1/experiences", json=tooltip_body(), headers=h).json
    client.post(f"/api/v1/experiences/{exp['id']}/publish", headers=h)
    return exp["id"]


def _call(client, method, rule, exp_id, headers):
    url = re.sub(r"<int:exp_id>", str(exp_id), rule)
    url = re.sub(r"<int:\w+>", NOBODY, url)
    url = url.replace("<signal_key>", "backup.overdue_days")
    return client.open(url, method=method, json=BODIES.get((method, rule)), headers=headers)


def test_every_api_route_declares_who_may_call_it(app):
    missing = [(r, m, n) for r, m, n in api_routes(app) if n not in ACCESS_RULES]
    assert missing == [], f"routes without an access rule: {missing}"


def test_no_token_is_401_everywhere(app, client, published_id):
    for rule, method, _ in api_routes(app):
        resp = _call(client, method, rule, published_id, {})
        assert resp.status_code == 401, (method, rule)
        assert resp.json["error"]["code"] == "unauthorized"


@pytest.mark.parametrize("role", ROLES)
def test_roles_get_exactly_what_their_rule_allows(app, client, login, published_id, role):
    headers = login(role)
    for rule, method, name in api_routes(app):
        if rule == "/api/v1/auth/logout":
            continue  # would revoke the token the rest of the loop uses
        resp = _call(client, method, rule, published_id, headers)
        if role in ACCESS_RULES[name]:
            assert resp.status_code not in (401, 403), (role, method, rule, resp.json)
        else:
            assert resp.status_code == 403, (role, method, rule, resp.status_code)
            assert resp.json["error"]["code"] == "forbidden"


def test_another_workspace_sees_404_not_403(app, client, published_id):
    token = client.post(
        "/api/v1/auth/login", json={"email": "admin@other.test", "password": PASSWORD}
    ).json["token"]
    headers = {"Authorization": f"Bearer {token}"}
    for rule, method, _ in api_routes(app):
        if "<int:exp_id>" in rule:
            resp = _call(client, method, rule, published_id, headers)
            assert resp.status_code == 404, (method, rule, resp.status_code)
    feed = client.get("/api/v1/client/experiences", headers=headers).json
    assert feed["experiences"] == []
    listed = client.get("/api/v1/experiences", headers=headers).json
    assert listed["items"] == []


@pytest.fixture
def signals_key(app):
    """A signals-scoped API key of the Acme workspace (plain text)."""
    from nudgelayer.extensions import db
    from nudgelayer.models import Workspace
    from nudgelayer.nudges import keys

    with app.app_context():
        ws = db.session.query(Workspace).filter_by(slug="acme").one()
        plain, _ = keys.create(ws, "matrix", "signals")
        db.session.commit()
    return plain


def test_a_signals_key_gets_exactly_what_its_scope_allows(app, client, published_id, signals_key):
    """An API key acts for no user: its scope's routes, and a 403 on every other route."""
    headers = {"Authorization": f"Bearer {signals_key}"}
    allowed = []
    for rule, method, name in api_routes(app):
        resp = _call(client, method, rule, published_id, headers)
        if "key:signals" in ACCESS_RULES[name]:
            assert resp.status_code not in (401, 403), (method, rule, resp.json)
            allowed.append((method, rule))
        else:
            assert resp.status_code == 403, (method, rule, resp.status_code)
            assert resp.json["error"]["code"] == "forbidden"
    assert ("POST", "/api/v1/signals") in allowed


def test_a_revoked_or_unknown_key_is_401(client, login, signals_key):
    body = BODIES[("POST", "/api/v1/signals")]
    admin = login("admin")
    key_id = client.get("/api/v1/api-keys", headers=admin).json["items"][0]["id"]
    assert client.delete(f"/api/v1/api-keys/{key_id}", headers=admin).status_code == 204
    for token in (signals_key, "nlk_" + "x" * 43):
        headers = {"Authorization": f"Bearer {token}"}
        assert client.post("/api/v1/signals", json=body, headers=headers).status_code == 401
        assert client.get("/api/v1/me", headers=headers).status_code == 401
