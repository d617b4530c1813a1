"""When the database is locked or gone, the API says so (503) and nothing is half-written."""

import shutil
import sqlite3
import uuid

from nudgelayer import create_app

from .conftest import PASSWORD


def test_locked_database_answers_503_and_writes_nothing(tmp_path, monkeypatch, template_db):
    monkeypatch.setenv("NUDGELAYER_INSTANCE", str(tmp_path / "i"))
    db_path = tmp_path / "locked.db"
    shutil.copyfile(template_db, db_path)
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}",
            "SQLITE_BUSY_TIMEOUT_MS": 100,
            "RATELIMIT_ENABLED": False,
        }
    )
    client = app.test_client()
    token = client.post(
        "/api/v1/auth/login", json={"email": "staff@acme.test", "password": PASSWORD}
    ).json["token"]
    headers = {"Authorization": f"Bearer {token}"}
    blocker = sqlite3.connect(db_path, isolation_level=None)
    try:
        blocker.execute("BEGIN EXCLUSIVE")
        event = {"id": str(uuid.uuid4()), "type": "page.view", "ts": "2026-12-01T10:00:00Z"}
        resp = client.post("/api/v1/events", json={"events": [event]}, headers=headers)
        assert resp.status_code == 503
        assert resp.json["error"]["code"] == "unavailable"
        assert resp.headers["Retry-After"]
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    # Once the lock is gone, the retried batch is stored exactly once.
    again = client.post("/api/v1/events", json={"events": [event]}, headers=headers)
    assert again.status_code == 202 and again.json == {"accepted": 1, "duplicates": 0}


def test_unreachable_database_answers_503(tmp_path, monkeypatch):
    monkeypatch.setenv("NUDGELAYER_INSTANCE", str(tmp_path / "i"))
    app = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing-dir/x.db"}
    )
    resp = app.test_client().post(
        "/api/v1/auth/login", json={"email": "a@acme.test", "password": PASSWORD}
    )
    assert resp.status_code == 503
    assert resp.json["error"]["message"].startswith("The database is unavailable")
