"""The webhook sender inside the server: one background loop per process.

Started lazily by the first request (so CLI commands and tests that do not want it
never start it), woken at once when a commit queues a delivery, and otherwise polling
every ``WEBHOOK_POLL_SECONDS`` for retries that came due. Under gunicorn's gevent worker
(monkey-patched) it is a greenlet; in an unpatched process, a daemon thread.
For deployments without a long-running server, ``nudgelayer deliver-webhooks`` in cron
does the same work.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..extensions import db, socketio

log = logging.getLogger(__name__)
KEY = "nudgelayer_webhook_sender"
QUEUED = "nudgelayer_webhooks_queued"


@dataclass
class Sender:
    wake: threading.Event = field(default_factory=threading.Event)
    stopping: bool = False
    started: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)


def _loop(app: Flask, sender: Sender) -> None:
    from . import service

    poll = app.config["WEBHOOK_POLL_SECONDS"]
    while not sender.stopping:
        try:
            with app.app_context():
                service.deliver_due()
        except Exception:  # the loop must outlive a bad round (database restart, …)
            log.exception("webhook delivery round failed")
        finally:
            with app.app_context():
                db.session.remove()
        sender.wake.wait(timeout=poll)
        sender.wake.clear()


def ensure_started(app: Flask) -> None:
    sender: Sender = app.extensions[KEY]
    if sender.started:
        return
    with sender.lock:
        if not sender.started:
            sender.started = True
            if _gevent_patched():
                socketio.start_background_task(_loop, app, sender)
            else:
                # Unpatched process (flask run, tests): a greenlet would never get to
                # run, because nothing yields to gevent's hub. Use a real thread.
                threading.Thread(target=_loop, args=(app, sender), daemon=True).start()


def _gevent_patched() -> bool:
    try:
        from gevent import monkey
    except ImportError:  # pragma: no cover - gevent is a dependency
        return False
    return monkey.is_module_patched("socket")


def stop(app: Flask) -> None:
    sender: Sender = app.extensions[KEY]
    sender.stopping = True
    sender.wake.set()


@event.listens_for(Session, "after_commit")
def _wake_after_commit(session: Session) -> None:
    if session.info.pop(QUEUED, None):
        try:
            sender = current_app.extensions.get(KEY)
        except RuntimeError:  # no app context: nothing runs a sender here
            return
        if sender is not None:
            sender.wake.set()


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(QUEUED, None)


def init_app(app: Flask) -> None:
    app.config.setdefault("WEBHOOK_SENDER", not app.testing)
    app.config.setdefault("WEBHOOK_POLL_SECONDS", 15)
    app.config.setdefault("WEBHOOK_MAX_ATTEMPTS", 10)
    app.config.setdefault("WEBHOOK_RETRY_BASE_SECONDS", 30)
    app.config.setdefault("WEBHOOK_TIMEOUT_SECONDS", 10)
    app.extensions[KEY] = Sender()
    if app.config["WEBHOOK_SENDER"]:
        app.before_request(lambda: ensure_started(app))
