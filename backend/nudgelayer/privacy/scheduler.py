"""The daily retention purge inside the server process.

A background loop (a greenlet under gunicorn's gevent worker) wakes every
``PURGE_CHECK_SECONDS`` and runs the purge when the last run began more than
``PURGE_INTERVAL_HOURS`` ago. The "last run" is a row in ``maintenance_run`` claimed
with a conditional UPDATE, so with several server processes (or hosts) exactly one
of them runs it per interval, and restarting a server does not run it again.
Deployments without a long-running server use ``nudgelayer purge-expired`` in cron.
"""

from __future__ import annotations

import logging
import os
import threading
from datetime import datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import or_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..extensions import db, socketio
from ..models import MaintenanceRun, now_utc
from . import retention

log = logging.getLogger(__name__)
JOB = "purge-expired"
KEY = "nudgelayer_purge_scheduler"


def claim(name: str, every: timedelta, now: datetime) -> bool:
    """Take the lease of job ``name`` if its last start is older than ``every``."""
    dialect = db.session.get_bind().dialect.name
    insert = (pg_insert if dialect == "postgresql" else sqlite_insert)(MaintenanceRun)
    db.session.execute(insert.values(name=name).on_conflict_do_nothing(index_elements=["name"]))
    taken = db.session.execute(
        update(MaintenanceRun)
        .where(
            MaintenanceRun.name == name,
            or_(MaintenanceRun.started_at.is_(None), MaintenanceRun.started_at <= now - every),
        )
        .values(started_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return taken.rowcount == 1


def run_if_due(every: timedelta, now: datetime | None = None) -> dict[str, Any] | None:
    """Purge when due; the counts, or None when another run holds the lease."""
    now = now or now_utc()
    if not claim(JOB, every, now):
        return None
    result = retention.purge_expired(now)
    db.session.execute(
        update(MaintenanceRun)
        .where(MaintenanceRun.name == JOB)
        .values(finished_at=now_utc(), result=result)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    log.info("retention purge: %s", result)
    return result


class Scheduler:
    def __init__(self) -> None:
        self.wake = threading.Event()
        self.started = False
        self.stopping = False
        self.lock = threading.Lock()


def _loop(app: Flask, scheduler: Scheduler) -> None:
    every = timedelta(hours=app.config["PURGE_INTERVAL_HOURS"])
    while not scheduler.stopping:
        try:
            with app.app_context():
                run_if_due(every)
        except Exception:  # a bad round (database restarting...) must not end the loop
            log.exception("retention purge failed")
        finally:
            with app.app_context():
                db.session.remove()
        scheduler.wake.wait(timeout=app.config["PURGE_CHECK_SECONDS"])
        scheduler.wake.clear()


def ensure_started(app: Flask) -> None:
    scheduler: Scheduler = app.extensions[KEY]
    if scheduler.started:
        return
    with scheduler.lock:
        if not scheduler.started:
            scheduler.started = True
            socketio.start_background_task(_loop, app, scheduler)


def stop(app: Flask) -> None:
    scheduler: Scheduler = app.extensions[KEY]
    scheduler.stopping = True
    scheduler.wake.set()


def init_app(app: Flask) -> None:
    # PURGE_SCHEDULER=0 leaves the purge to cron alone.
    default = "0" if app.testing else "1"
    app.config.setdefault("PURGE_SCHEDULER", os.environ.get("PURGE_SCHEDULER", default) != "0")
    app.config.setdefault("PURGE_INTERVAL_HOURS", 24)
    app.config.setdefault("PURGE_CHECK_SECONDS", 3600)
    app.extensions[KEY] = Scheduler()
    if app.config["PURGE_SCHEDULER"]:
        # Started by the first request, as the webhook sender: CLI commands never start it.
        app.before_request(lambda: ensure_started(app))
