"""Socket.IO namespace /rt: live pushes of published experiences to open browsers.

A client connects with ``auth={"token": ..., "cursor": n|null}``. The server checks
the token, puts the socket in its workspace's room and answers with ``sync``: every
change after ``cursor`` (or a full snapshot). Later changes arrive as ``change``
messages, each carrying the new cursor. Pushes are emitted only after the database
commit that made them, so a client never sees a change that was rolled back.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, request
from flask_socketio import Namespace, disconnect, emit, join_room
from sqlalchemy import event
from sqlalchemy.orm import Session

from .extensions import db, socketio

log = logging.getLogger(__name__)
NAMESPACE = "/rt"
_PENDING = "nudgelayer_pending_push"


def room_for(workspace_id: int) -> str:
    return f"ws:{workspace_id}"


def token_room(token_id: int) -> str:
    return f"tok:{token_id}"


def queue_push(workspace_id: int, message: dict[str, Any]) -> None:
    """Send ``message`` to the workspace's browsers once the current transaction commits."""
    db.session.info.setdefault(_PENDING, []).append((workspace_id, message))


def kick_token(token_id: int) -> None:
    """Tell every socket signed in with this token that it is no longer valid."""
    db.session.info.setdefault(_PENDING, []).append((None, {"revoked_token": token_id}))


@event.listens_for(Session, "after_commit")
def _emit_after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        # Only a savepoint was released; the outer transaction may still roll back.
        return
    pending = session.info.pop(_PENDING, None)
    for workspace_id, message in pending or ():
        if workspace_id is None:
            socketio.emit("revoked", {}, to=token_room(message["revoked_token"]), namespace=NAMESPACE)
        else:
            socketio.emit("change", message, to=room_for(workspace_id), namespace=NAMESPACE)


@event.listens_for(Session, "after_rollback")
def _drop_after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


class RealtimeNamespace(Namespace):
    def __init__(self, namespace: str):
        super().__init__(namespace)
        # sid -> token, so every later message is checked against a still-valid token.
        self._tokens: dict[str, str] = {}

    def _user(self, token: Any):
        from .auth.service import user_for_token

        # No commit here: each handler removes its session when done. A commit made the
        # session expire the user and token just loaded, so that build_sync read them
        # from the database again (a fifth of a socket connect's time).
        return user_for_token(token if isinstance(token, str) else None)

    def on_connect(self, auth=None):
        auth = auth if isinstance(auth, dict) else {}
        try:
            found = self._user(auth.get("token"))
            if found is None:
                # Refused: the client gets connect_error and asks the user to sign in again.
                return False
            user, token = found
            self._tokens[request.sid] = auth["token"]
            join_room(room_for(user.workspace_id))
            join_room(token_room(token.id))
            emit("sync", build_sync(user, _cursor(auth.get("cursor"))))
            return True
        except Exception:
            # Flask-SocketIO would swallow this silently; the operator must see it.
            log.exception("socket connect failed")
            return False
        finally:
            db.session.remove()

    def on_disconnect(self, reason=None):
        self._tokens.pop(request.sid, None)

    def on_resume(self, data=None):
        """Everything after the client's cursor, e.g. after the browser slept."""
        try:
            found = self._user(self._tokens.get(request.sid))
            if found is None:
                disconnect()
                return {"error": "unauthorized"}
            data = data if isinstance(data, dict) else {}
            return build_sync(found[0], _cursor(data.get("cursor")))
        finally:
            db.session.remove()


def _cursor(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return None
    return value


def build_sync(user, cursor: int | None) -> dict[str, Any]:
    from .experiences import service
    from .experiences.targeting import segment_matches

    latest = service.current_cursor(user.workspace_id)
    if cursor is None or cursor > latest:
        # Unknown or future cursor (a new browser, or a database restored from backup).
        latest, live = service.live_for_user(user)
        return {
            "cursor": latest,
            "full": True,
            "changes": [
                {"op": "upsert", "id": e.id, "experience": service.published_payload(e)}
                for e in live
            ],
        }
    latest, changes = service.changes_since(user.workspace_id, cursor)
    attrs = user.segment_attributes()
    for ch in changes:
        exp = ch.get("experience")
        if exp and not segment_matches(exp["targeting"].get("segment"), attrs):
            ch.pop("experience")
            ch["op"] = "remove"
    return {"cursor": latest, "full": False, "changes": changes}


def init_app(app: Flask) -> None:
    socketio.init_app(
        app,
        async_mode=app.config.get("SOCKETIO_ASYNC_MODE"),
        message_queue=app.config.get("SOCKETIO_MESSAGE_QUEUE"),
        cors_allowed_origins=app.config["ALLOWED_ORIGINS"],
        # Only the websocket transport: no sticky sessions needed behind a balancer.
        transports=["websocket"],
        max_http_buffer_size=64 * 1024,
        ping_interval=20,
        ping_timeout=20,
    )
    socketio.on_namespace(RealtimeNamespace(NAMESPACE))
