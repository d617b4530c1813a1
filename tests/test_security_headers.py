"""Security headers on every kind of response, and CORS for the extension's origin only."""

from __future__ import annotations

import re

import pytest

from nudgelayer.config import DEFAULT_EXTENSION_ID

from .conftest import PASSWORD, tooltip_body

EXTENSION_ORIGIN = f"chrome-extension://{DEFAULT_EXTENSION_ID}"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
# Origins that must get nothing: other sites, other extensions, look-alikes, "null".
FOREIGN_ORIGINS = [
    "https://evil.example",
    "http://127.0.0.1:5000",
    "null",
    "chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    EXTENSION_ORIGIN + ".evil.example",
    EXTENSION_ORIGIN.upper(),
    EXTENSION_ORIGIN + "/",
]


def csp_directives(value: str) -> dict[str, list[str]]:
    parts = [p.strip().split() for p in value.split(";") if p.strip()]
    return {p[0]: p[1:] for p in parts}


def assert_common(resp) -> None:
    """What every response carries, API, console, static file or error alike."""
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert resp.headers["Referrer-Policy"] == "no-referrer"
    assert "Access-Control-Allow-Credentials" not in resp.headers


@pytest.fixture
def console(client):
    token = CSRF_RE.search(client.get("/console/login").text).group(1)
    resp = client.post(
        "/console/login",
        data={"email": "admin@acme.test", "password": PASSWORD, "csrf_token": token},
    )
    assert resp.status_code == 302
    return client


def test_console_pages_have_a_strict_csp_and_the_common_headers(console, login):
    exp_id = console.post("/api/v1/experiences", json=tooltip_body(), headers=login("admin")).json[
        "id"
    ]
    for path, status in [
        ("/console/", 200),
        (f"/console/experiences/{exp_id}", 200),
        ("/console/audit", 200),
        ("/console/users", 200),
        ("/console/experiences/999999", 404),
        ("/console/no-such-page", 404),
        ("/console/static/console.css", 200),
    ]:
        resp = console.get(path)
        assert resp.status_code == status, path
        assert_common(resp)
        csp = csp_directives(resp.headers["Content-Security-Policy"])
        assert csp["default-src"] == ["'self'"], path
        assert csp["script-src"] == ["'self'"], path
        assert csp["style-src"] == ["'self'"], path
        assert csp["frame-ancestors"] == ["'none'"], path
        assert csp["object-src"] == ["'none'"], path
        assert csp["base-uri"] == ["'none'"], path
        assert csp["form-action"] == ["'self'"], path
        joined = resp.headers["Content-Security-Policy"]
        assert "unsafe-inline" not in joined and "unsafe-eval" not in joined and "*" not in joined
        if not path.startswith("/console/static/"):
            assert resp.headers["Cache-Control"] == "no-store", path


def test_the_console_sign_in_page_has_them_too(client):
    resp = client.get("/console/login")
    assert resp.status_code == 200
    assert_common(resp)
    assert csp_directives(resp.headers["Content-Security-Policy"])["frame-ancestors"] == ["'none'"]
    # No inline script or style for the CSP to have to allow.
    assert "<script>" not in resp.text and " style=" not in resp.text
    assert "<style" not in resp.text


@pytest.mark.parametrize(
    "method, path, status",
    [
        ("GET", "/healthz", 200),
        ("GET", "/api/v1/openapi.json", 200),
        ("GET", "/api/v1/me", 401),
        ("GET", "/api/v1/experiences/999999", 401),
        ("POST", "/api/v1/auth/login", 422),
        ("PUT", "/api/v1/auth/login", 405),
        ("GET", "/api/v1/nowhere", 404),
    ],
)
def test_api_responses_carry_the_common_headers(client, method, path, status):
    resp = client.open(path, method=method, json={} if method != "GET" else None)
    assert resp.status_code == status
    assert_common(resp)
    assert resp.mimetype == "application/json"
    # The API's answers are data, not pages: no origin gets them without asking.
    assert "Access-Control-Allow-Origin" not in resp.headers


def test_signed_in_api_answers_are_not_shared_with_caches_or_other_origins(client, login):
    resp = client.get("/api/v1/me", headers=login("staff"))
    assert resp.status_code == 200
    assert_common(resp)
    assert "Access-Control-Allow-Origin" not in resp.headers


def test_cors_is_granted_to_the_extension_origin_only(client, login):
    headers = login("staff")
    mine = client.get("/api/v1/me", headers={**headers, "Origin": EXTENSION_ORIGIN})
    assert mine.status_code == 200
    assert mine.headers["Access-Control-Allow-Origin"] == EXTENSION_ORIGIN
    assert "Origin" in mine.headers["Vary"]
    for origin in FOREIGN_ORIGINS:
        resp = client.get("/api/v1/me", headers={**headers, "Origin": origin})
        assert "Access-Control-Allow-Origin" not in resp.headers, origin
    # Errors too: the extension must read a 401's JSON, nobody else may.
    denied = client.get("/api/v1/me", headers={"Origin": EXTENSION_ORIGIN})
    assert denied.status_code == 401
    assert denied.headers["Access-Control-Allow-Origin"] == EXTENSION_ORIGIN
    # The console is not an API: no CORS there whatever the origin.
    page = client.get("/console/login", headers={"Origin": EXTENSION_ORIGIN})
    assert "Access-Control-Allow-Origin" not in page.headers


@pytest.mark.parametrize(
    "path", ["/api/v1/events", "/api/v1/auth/login", "/api/v1/experiences/1", "/api/v1/me/consent"]
)
def test_preflight_from_the_extension_works_and_from_others_does_not(client, path):
    ask = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type",
    }
    resp = client.options(path, headers={**ask, "Origin": EXTENSION_ORIGIN})
    assert resp.status_code in (200, 204), resp.status_code
    assert resp.headers["Access-Control-Allow-Origin"] == EXTENSION_ORIGIN
    allowed_headers = {
        h.strip().lower() for h in resp.headers["Access-Control-Allow-Headers"].split(",")
    }
    assert {"authorization", "content-type"} <= allowed_headers
    allowed_methods = {m.strip() for m in resp.headers["Access-Control-Allow-Methods"].split(",")}
    assert {"GET", "POST", "PATCH", "DELETE"} <= allowed_methods
    assert_common(resp)
    for origin in FOREIGN_ORIGINS:
        other = client.options(path, headers={**ask, "Origin": origin})
        assert "Access-Control-Allow-Origin" not in other.headers, origin
        assert "Access-Control-Allow-Headers" not in other.headers, origin


def test_session_cookie_is_http_only_and_same_site(client):
    token = CSRF_RE.search(client.get("/console/login").text).group(1)
    resp = client.post(
        "/console/login",
        data={"email": "admin@acme.test", "password": PASSWORD, "csrf_token": token},
    )
    cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_the_socket_checks_its_token_on_connect_and_on_every_resume(app, client, login):
    """A revoked token is refused on connect, and a socket that ignores "revoked" and keeps
    asking gets nothing more (realtime.py checks the token again on each message)."""
    from nudgelayer.extensions import socketio

    headers = login("staff")
    token = headers["Authorization"].split()[1]
    sock = socketio.test_client(app, namespace="/rt", auth={"token": token, "cursor": None})
    assert sock.is_connected("/rt")
    assert any(m["name"] == "sync" for m in sock.get_received("/rt"))
    answer = sock.emit("resume", {"cursor": None}, namespace="/rt", callback=True)
    assert "changes" in answer

    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    again = sock.emit("resume", {"cursor": None}, namespace="/rt", callback=True)
    assert again == {"error": "unauthorized"}
    assert not sock.is_connected("/rt")

    refused = socketio.test_client(app, namespace="/rt", auth={"token": token, "cursor": None})
    assert not refused.is_connected("/rt")
    nobody = socketio.test_client(app, namespace="/rt", auth={"token": "nl_forged", "cursor": 0})
    assert not nobody.is_connected("/rt")
