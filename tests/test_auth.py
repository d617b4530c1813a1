from datetime import timedelta

from nudgelayer.extensions import db
from nudgelayer.models import ApiToken, now_utc

from .conftest import PASSWORD


def test_login_returns_token_and_user(client):
    resp = client.post("/api/v1/auth/login", json={"email": "Admin@Acme.test", "password": PASSWORD})
    assert resp.status_code == 200
    body = resp.json
    assert body["token"].startswith("nl_")
    assert body["user"]["email"] == "admin@acme.test"
    assert body["user"]["role"] == "admin"
    assert isinstance(body["user"]["workspace_id"], int)
    assert body["expires_at"].endswith("+00:00")


def test_wrong_password_and_unknown_email_look_the_same(client):
    a = client.post("/api/v1/auth/login", json={"email": "admin@acme.test", "password": "nope-nope"})
    b = client.post("/api/v1/auth/login", json={"email": "ghost@acme.test", "password": "nope-nope"})
    assert a.status_code == b.status_code == 401
    assert a.json == b.json
    assert a.json["error"]["code"] == "unauthorized"


def test_login_validates_fields(client):
    resp = client.post("/api/v1/auth/login", json={"email": "not-an-email", "extra": 1})
    assert resp.status_code == 422
    details = resp.json["error"]["details"]
    assert set(details) == {"email", "password", "extra"}


def test_tokens_are_stored_hashed(app, client):
    token = client.post(
        "/api/v1/auth/login", json={"email": "admin@acme.test", "password": PASSWORD}
    ).json["token"]
    with app.app_context():
        stored = [t.token_hash for t in db.session.scalars(db.select(ApiToken))]
    assert token not in stored
    assert all(len(h) == 64 for h in stored)


def test_me_and_logout_revokes_token(client, login):
    headers = login("staff")
    me = client.get("/api/v1/me", headers=headers)
    assert me.status_code == 200 and me.json["team"] == "support"
    assert me.json["attributes"] == {"tenure": 3}
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    again = client.get("/api/v1/me", headers=headers)
    assert again.status_code == 401


def test_expired_token_is_refused(app, client, login):
    headers = login("staff")
    with app.app_context():
        for t in db.session.scalars(db.select(ApiToken)):
            t.expires_at = now_utc() - timedelta(seconds=1)
        db.session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_malformed_authorization_headers(client):
    for value in ["", "Bearer", "Basic abc", "Bearer nl_" + "x" * 500, "Bearer not-a-token"]:
        resp = client.get("/api/v1/me", headers={"Authorization": value})
        assert resp.status_code == 401, value
        assert resp.json["error"]["code"] == "unauthorized"


def test_login_is_rate_limited(tmp_path, monkeypatch):
    from flask_migrate import upgrade

    from nudgelayer import create_app

    monkeypatch.setenv("NUDGELAYER_INSTANCE", str(tmp_path / "i"))
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'rl.db'}",
            "LOGIN_RATE_LIMIT": "3 per minute",
        }
    )
    with app.app_context():
        upgrade()
    c = app.test_client()
    codes = [
        c.post("/api/v1/auth/login", json={"email": "a@b.test", "password": "x"}).status_code
        for _ in range(4)
    ]
    assert codes == [401, 401, 401, 429]
    last = c.post("/api/v1/auth/login", json={"email": "a@b.test", "password": "x"})
    assert last.json["error"]["code"] == "rate_limited"
    assert int(last.headers["Retry-After"]) > 0
