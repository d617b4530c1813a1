"""Benchmark-only endpoints, present only when ``NUDGELAYER_BENCH=1`` at app start.

``POST /api/v1/_bench/noop-events`` is the baseline of ``bench/ingest.py``: the same
server, the same HTTP request and body as ``POST /api/v1/events``, with the JSON parsed
and nothing validated or stored. Production never sets the flag, so the route does not
exist there.
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


def init_app(app: Flask) -> None:
    if os.environ.get("NUDGELAYER_BENCH") == "1":
        app.register_blueprint(bp)
