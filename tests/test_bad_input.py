"""Bad input anywhere gets a clear JSON error with the right status, never a 500."""

from __future__ import annotations

import pytest

from .conftest import tooltip_body
from .test_authorization import _call, api_routes

JUNK = [None, [], "text", 42, True, {"": ""}, {"a": {"b": {"c": [1, 2, {"d": None}]}}}, [[[[[]]]]]]


@pytest.fixture
def published_id(client, login):
    h = login("admin")
    exp = client.post("/api/v1/experiences", json=tooltip_body(), headers=h).json
    client.post(f"/api/v1/experiences/{exp['id']}/publish", headers=h)
    return exp["id"]


def assert_error(resp, status):
    assert resp.status_code == status, (resp.status_code, resp.get_data(as_text=True)[:300])
    assert resp.is_json
    err = resp.json["error"]
    assert set(err) == {"code", "message", "details"}
    assert err["message"]


def test_junk_bodies_never_cause_500(app, client, login, published_id):
    h = login("admin")
    for rule, method, _ in api_routes(app):
        if method not in ("POST", "PATCH") or rule.endswith("/logout"):
            continue
        url = rule.replace("<int:exp_id>", str(published_id))
        for junk in JUNK:
            resp = client.open(url, method=method, json=junk, headers=h)
            assert resp.status_code < 500, (method, rule, junk, resp.json)
            assert resp.is_json and "error" in resp.json or resp.status_code < 300


def test_malformed_json_is_400(client, login):
    resp = client.post(
        "/api/v1/experiences",
        data='{"kind": "tooltip",',
        headers={**login("admin"), "Content-Type": "application/json"},
    )
    assert_error(resp, 400)
    assert "JSON" in resp.json["error"]["message"]


def test_wrong_content_type_is_415(client, login):
    resp = client.post("/api/v1/experiences", data="kind=tooltip", headers=login("admin"))
    assert_error(resp, 415)


def test_oversized_body_is_413(client, login):
    big = tooltip_body(name="x" * (2 * 1024 * 1024))
    assert_error(client.post("/api/v1/experiences", json=big, headers=login("admin")), 413)


def test_unknown_route_and_wrong_method_are_json(client, login):
    assert_error(client.get("/api/v1/nope", headers=login("admin")), 404)
    assert_error(client.put("/api/v1/experiences", json={}, headers=login("admin")), 405)


def test_wrong_types_name_the_field(client, login):
    body = tooltip_body(name=123, targeting={"url": ["x"], "segment": {"attr": "role", "op": "like", "value": 1}})
    resp = client.post("/api/v1/experiences", json=body, headers=login("admin"))
    assert_error(resp, 422)
    details = resp.json["error"]["details"]
    assert "name" in details and "url" in details["targeting"] and "segment" in details["targeting"]


def test_segment_rules_are_checked_deeply(client, login):
    h = login("admin")
    deep = {"attr": "role", "op": "eq", "value": "x"}
    for _ in range(10):
        deep = {"not": deep}
    cases = [
        deep,
        {"all": []},
        {"any": [{"attr": "role", "op": "in", "value": "admin"}]},
        {"attr": "tenure", "op": "gt", "value": True},
        {"attr": "role", "op": "eq"},
        {"attr": "role", "op": "eq", "value": "x", "extra": 1},
    ]
    for seg in cases:
        resp = client.post(
            "/api/v1/experiences", json=tooltip_body(targeting={"url": "*", "segment": seg}), headers=h
        )
        assert_error(resp, 422)


def test_ids_in_urls_are_validated(client, login):
    h = login("admin")
    assert_error(client.get("/api/v1/experiences/abc", headers=h), 404)
    assert_error(client.get("/api/v1/experiences/99999999999999999999", headers=h), 404)
    assert_error(client.post("/api/v1/experiences/1/rollback", json={"version": "one"}, headers=h), 422)


def test_writes_are_rate_limited_per_token(tmp_path, monkeypatch, template_db):
    import shutil

    from nudgelayer import create_app

    from .conftest import PASSWORD

    monkeypatch.setenv("NUDGELAYER_INSTANCE", str(tmp_path / "i"))
    shutil.copyfile(template_db, tmp_path / "rl.db")
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'rl.db'}",
            "WRITE_RATE_LIMIT": "3 per minute",
        }
    )
    c = app.test_client()

    def token(email):
        r = c.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
        return {"Authorization": f"Bearer {r.json['token']}"}

    staff, analyst = token("staff@acme.test"), token("analyst@acme.test")
    codes = [c.post("/api/v1/events", json={"events": []}, headers=staff).status_code for _ in range(4)]
    assert codes == [202, 202, 202, 429]
    limited = c.post("/api/v1/events", json={"events": []}, headers=staff)
    assert_error(limited, 429)
    assert int(limited.headers["Retry-After"]) > 0
    # Another token from the same address has its own allowance; reads are not limited.
    assert c.post("/api/v1/events", json={"events": []}, headers=analyst).status_code == 202
    assert c.get("/api/v1/me", headers=staff).status_code == 200
