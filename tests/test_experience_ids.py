"""A deleted experience's id is never given to a new one."""

import sqlite3

import pytest

from flask_migrate import downgrade, upgrade

from nudgelayer.extensions import db

from .conftest import tooltip_body


def test_ids_are_not_reused_after_delete(client, login):
    h = login("admin")
    first = client.post("/api/v1/experiences", json=tooltip_body(), headers=h).json["id"]
    assert client.delete(f"/api/v1/experiences/{first}", headers=h).status_code == 204
    second = client.post("/api/v1/experiences", json=tooltip_body(), headers=h).json["id"]
    assert second > first


def test_migration_keeps_every_version(app, client, login):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("PostgreSQL sequences never reuse ids; the migration is SQLite's")
    h = login("admin")
    ids = [client.post("/api/v1/experiences", json=tooltip_body(), headers=h).json["id"] for _ in range(3)]
    for i in ids:
        client.post(f"/api/v1/experiences/{i}/publish", headers=h)
    with app.app_context():
        downgrade(revision="d8f3a1c7e942")
        upgrade()
        db.engine.dispose()
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    con = sqlite3.connect(path)
    try:
        versions = con.execute("select count(*) from experience_version").fetchone()[0]
        ddl = con.execute("select sql from sqlite_master where name='experience'").fetchone()[0]
    finally:
        con.close()
    assert versions == 3
    assert "AUTOINCREMENT" in ddl.upper()
    live = client.get("/api/v1/client/experiences", headers=login("staff")).json["experiences"]
    assert sorted(e["id"] for e in live) == ids
