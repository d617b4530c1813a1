"""Shared fixtures: an app on a fresh migrated database, clients, accounts.

Two profiles, chosen by the environment:

- default: SQLite. A template file is migrated once; each test copies it.
- scale (``DATABASE_URL=postgresql+psycopg://…``, set by scripts/test-scale.sh): a
  template database is migrated once per session; each test gets its own database
  made with ``CREATE DATABASE … TEMPLATE``, dropped afterwards. The live-socket
  tests run two gunicorn processes sharing it and ``SOCKETIO_MESSAGE_QUEUE`` (Redis).

``template_db`` stays the SQLite template file in both profiles. For a private copy of
the configured database (e.g. for a server started in a subprocess) use
``clone_database(db_template, workdir)`` and ``drop_database(url)``.
"""

from __future__ import annotations

import functools
import itertools
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import NullPool

from nudgelayer import create_app
from nudgelayer.auth import service as auth
from nudgelayer.extensions import db

PASSWORD = "correct-horse-battery"

# The scale profile: a PostgreSQL server the tests may create databases on, and the
# Redis queue that the server processes of test_realtime.py share.
_SCALE_URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = _SCALE_URL.startswith(("postgresql", "postgres:"))
# Taken out of the environment before any test module builds an app (some do at import
# or in module fixtures): in-process apps must not get the queue. Their SocketIO object
# is shared and keeps the last queue it was given, and Flask-SocketIO's test client
# refuses to run with one. test_realtime.py hands the queue to its gunicorn servers.
MESSAGE_QUEUE = os.environ.pop("SOCKETIO_MESSAGE_QUEUE", None) or None
# Names are unique per pytest process, so two runs on one server do not collide.
_PREFIX = f"nl_test_{os.getpid()}"
_numbers = itertools.count(1)


def _make_app(instance, db_url: str, **config) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": db_url,
            "RATELIMIT_ENABLED": False,
            # Flask-SocketIO's test client refuses a message queue, and an in-process
            # app has no other process to reach: Redis is exercised by the gunicorn
            # servers of test_realtime.py instead.
            "SOCKETIO_MESSAGE_QUEUE": None,
            **config,
        }
    )


def _server_url(database: str) -> URL:
    return make_url(_SCALE_URL).set(drivername="postgresql+psycopg", database=database)


def _admin(sql: str) -> None:
    """Run one statement on the PostgreSQL server's maintenance database, outside a transaction."""
    engine = create_engine(
        _server_url("postgres"), isolation_level="AUTOCOMMIT", poolclass=NullPool
    )
    try:
        with engine.connect() as conn:
            conn.execute(text(sql))
    finally:
        engine.dispose()


@functools.cache
def _copy_strategy() -> str:
    # FILE_COPY (PostgreSQL 15+) clones a small database several times faster than
    # the default WAL_LOG; older servers only know file copy anyway.
    engine = create_engine(_server_url("postgres"), poolclass=NullPool)
    try:
        with engine.connect() as conn:
            version = int(conn.execute(text("SHOW server_version_num")).scalar_one())
    finally:
        engine.dispose()
    return " STRATEGY FILE_COPY" if version >= 150000 else ""


def clone_database(template: Path | str, workdir: Path) -> str:
    """A private copy of the template database; returns its SQLAlchemy URL."""
    if isinstance(template, Path):
        path = workdir / f"db{next(_numbers)}.sqlite"
        shutil.copyfile(template, path)
        return f"sqlite:///{path}"
    name = f"{_PREFIX}_{next(_numbers)}"
    source = make_url(template).database
    _admin(f'CREATE DATABASE "{name}" TEMPLATE "{source}"{_copy_strategy()}')
    return _server_url(name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    """Remove a copy made by clone_database (a SQLite file goes with its tmp dir)."""
    if url.startswith("postgresql"):
        # FORCE: a server a test started may still hold an idle connection.
        _admin(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')


def _seed(url: str, instance: Path) -> None:
    """Migrate the database at ``url`` and create the test workspaces and accounts."""
    app = _make_app(instance, url)
    with app.app_context():
        upgrade()
        ws = auth.create_workspace("Acme", "acme")
        other = auth.create_workspace("Other Co", "other")
        auth.create_user(ws, "admin@acme.test", PASSWORD, "admin", team="ops")
        auth.create_user(ws, "analyst@acme.test", PASSWORD, "analyst", team="insights")
        auth.create_user(ws, "staff@acme.test", PASSWORD, "staff", team="support", tenure=3)
        auth.create_user(other, "admin@other.test", PASSWORD, "admin")
        db.session.commit()
        db.session.remove()
        # A template must have no open connections while it is copied.
        db.engine.dispose()


@pytest.fixture(scope="session")
def template_db(tmp_path_factory) -> Path:
    """A migrated SQLite file with two workspaces and their accounts, built once.

    Password hashing is deliberately slow, so each test copies this file instead.
    Tests that need the configured database (PostgreSQL in the scale profile) use
    ``db_template`` with ``clone_database`` instead.
    """
    root = tmp_path_factory.mktemp("template")
    os.environ["NUDGELAYER_INSTANCE"] = str(root / "instance")
    path = root / "template.db"
    _seed(f"sqlite:///{path}", root / "instance")
    return path


@pytest.fixture(scope="session")
def db_template(request, tmp_path_factory) -> Iterator[Path | str]:
    """The template of the configured profile: ``template_db`` on SQLite, else the URL
    of a PostgreSQL template database seeded the same way (dropped after the session)."""
    if not ON_POSTGRES:
        yield request.getfixturevalue("template_db")
        return
    name = f"{_PREFIX}_template"
    url = _server_url(name).render_as_string(hide_password=False)
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{name}"')
    _seed(url, tmp_path_factory.mktemp("pg-template") / "instance")
    yield url
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def app(tmp_path, monkeypatch, db_template) -> Iterator[Flask]:
    monkeypatch.setenv("NUDGELAYER_INSTANCE", str(tmp_path / "instance"))
    url = clone_database(db_template, tmp_path)
    app = _make_app(tmp_path / "instance", url)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    drop_database(url)


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
