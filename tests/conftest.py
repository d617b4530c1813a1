"""Shared fixtures: an app on a fresh migrated SQLite database, clients, accounts."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade

from nudgelayer import create_app
from nudgelayer.auth import service as auth
from nudgelayer.extensions import db

PASSWORD = "correct-horse-battery"


def _make_app(instance, db_path, **config) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}",
            "RATELIMIT_ENABLED": False,
            **config,
        }
    )


@pytest.fixture(scope="session")
def template_db(tmp_path_factory) -> Path:
    """A migrated database with two workspaces and their accounts, built once.

    Password hashing is deliberately slow, so each test copies this file instead.
    """
    root = tmp_path_factory.mktemp("template")
    path = root / "template.db"
    os.environ["NUDGELAYER_INSTANCE"] = str(root / "instance")
    app = _make_app(root / "instance", path)
    with app.app_context():
        upgrade()
        ws = auth.create_workspace("Acme", "acme")
        other = auth.create_workspace("Other Co", "other")
        auth.create_user(ws, "admin@acme.test", PASSWORD, "admin", team="ops")
        auth.create_user(ws, "analyst@acme.test", PASSWORD, "analyst", team="insights")
        auth.create_user(ws, "staff@acme.test", PASSWORD, "staff", team="support", tenure=3)
        auth.create_user(other, "admin@other.test", PASSWORD, "admin")
        db.session.commit()
        db.engine.dispose()
    return path


@pytest.fixture
def app(tmp_path, monkeypatch, template_db) -> Iterator[Flask]:
    monkeypatch.setenv("NUDGELAYER_INSTANCE", str(tmp_path / "instance"))
    db_path = tmp_path / "test.db"
    shutil.copyfile(template_db, db_path)
    app = _make_app(tmp_path / "instance", db_path)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


@pytest.fixture
def login(client: FlaskClient) -> Callable[[str], dict[str, str]]:
    """login("admin") → Authorization headers for that account of the Acme workspace."""

    def _login(who: str) -> dict[str, str]:
        email = who if "@" in who else f"{who}@acme.test"
        resp = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
        assert resp.status_code == 200, resp.json
        return {"Authorization": f"Bearer {resp.json['token']}"}

    return _login


def tooltip_body(**overrides) -> dict:
    body = {
        "kind": "tooltip",
        "name": "Explain the filter",
        "targeting": {"url": "https://tickets.example.com/queue/*"},
        "content": {"target": {"selector": "#filter"}, "title": "Filter", "body": "Type **here**."},
    }
    body.update(overrides)
    return body
