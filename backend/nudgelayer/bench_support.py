"""Benchmark-only endpoints, present only when ``NUDGELAYER_BENCH=1`` at app start.
Production never sets the flag, so these routes do not exist there.

- ``POST /api/v1/_bench/noop-events``: the baseline of ``bench/ingest.py``. The same
  server, the same HTTP request and body as ``POST /api/v1/events``; the JSON is parsed,
  nothing is validated or stored.
- ``POST /api/v1/_bench/broadcast`` ``{name}``: the baseline of ``bench/push_fanout.py``.
  The bare Socket.IO fan-out of a `change`-shaped message to the caller's workspace,
  without the publish's authorization, writes and commit.
"""

from __future__ import annotations

import os

from flask import Blueprint, Flask, jsonify, request

bp = Blueprint("bench", __name__, url_prefix="/api/v1/_bench")


@bp.post("/noop-events")
def noop_events():
    body = request.get_json(silent=True)
    events = body.get("events") if isinstance(body, dict) else None
    count = len(events) if isinstance(events, list) else 0
    return jsonify(accepted=count, duplicates=0), 202


@bp.post("/broadcast")
def broadcast():
    from .auth.decorators import bearer_token
    from .auth.service import user_for_token
    from .extensions import db, socketio
    from .realtime import NAMESPACE, room_for

    found = user_for_token(bearer_token())
    workspace_id = found[0].workspace_id if found else None
    db.session.remove()
    body = request.get_json(silent=True)
    name = body.get("name") if isinstance(body, dict) else None
    if found is None or not isinstance(name, str):
        return jsonify(error={"code": "bad_request", "message": "token and name needed"}), 400
    message = {"cursor": 0, "op": "upsert", "id": 0, "experience": {"name": name}}
    socketio.emit("change", message, to=room_for(workspace_id), namespace=NAMESPACE)
    return "", 204


def init_app(app: Flask) -> None:
    if os.environ.get("NUDGELAYER_BENCH") == "1":
        app.register_blueprint(bp)
