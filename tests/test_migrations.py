"""Migrations go up and down on the configured database (SQLite, or PostgreSQL in the
scale profile), one revision at a time, and leave the schema the models describe."""

from __future__ import annotations

import itertools
import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select

from nudgelayer import create_app
from nudgelayer.extensions import db, migrate
from nudgelayer.models import Workspace

from .conftest import ON_POSTGRES, _admin, _server_url

_names = itertools.count(1)


@pytest.fixture
def empty_app(tmp_path, monkeypatch):
    """An app on a brand-new, empty database of the configured kind."""
    monkeypatch.setenv("NUDGELAYER_INSTANCE", str(tmp_path / "instance"))
    if ON_POSTGRES:
        name = f"nl_migrations_{os.getpid()}_{next(_names)}"
        _admin(f'CREATE DATABASE "{name}"')
        url = _server_url(name).render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{tmp_path / 'empty.db'}"
    app = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SOCKETIO_MESSAGE_QUEUE": None}
    )
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    if ON_POSTGRES:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _revisions(app: Flask) -> list[str]:
    """Every revision, oldest first."""
    with app.app_context():
        config = migrate.get_config()
    script = ScriptDirectory.from_config(config)
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def _tables() -> set[str]:
    return set(inspect(db.engine).get_table_names()) - {"alembic_version"}


# SQLite cannot add a constraint to an existing table, so the foundation migration
# leaves out experience <-> experience_version's cyclic keys there (the ORM clears them).
_SQLITE_ONLY_MISSING = {("experience", "published_version_id"), ("experience", "draft_version_id")}


def _drift() -> list:
    """Differences between the migrated schema and the models (empty when they agree)."""
    with db.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), db.metadata)
    if db.engine.dialect.name == "sqlite":
        diffs = [
            d
            for d in diffs
            if not (
                d[0] == "add_fk"
                and {(d[1].table.name, c.name) for c in d[1].columns} <= _SQLITE_ONLY_MISSING
            )
        ]
    return diffs


def test_upgrade_downgrade_upgrade(empty_app):
    with empty_app.app_context():
        upgrade()
        created = _tables()
        assert {"workspace", "user", "experience", "event", "change_log"} <= created
        assert _drift() == []

        db.session.add(Workspace(name="Before", slug="before"))
        db.session.commit()
        db.session.remove()

        downgrade(revision="base")
        assert _tables() == set()

        upgrade()
        assert _tables() == created
        assert _drift() == []
        # Down to base dropped everything: the schema comes back empty.
        assert db.session.scalars(select(Workspace)).all() == []


def test_each_revision_goes_up_and_back_down(empty_app):
    """Step by step, so a broken downgrade of a middle revision cannot hide."""
    revisions = _revisions(empty_app)
    assert revisions, "no migrations found"
    with empty_app.app_context():
        seen: list[set[str]] = [set()]
        for rev in revisions:
            upgrade(revision=rev)
            seen.append(_tables())
        for expected in reversed(seen[:-1]):
            downgrade(revision="-1")
            assert _tables() == expected
