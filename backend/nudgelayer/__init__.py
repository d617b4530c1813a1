"""Nudgelayer backend: the Flask application factory."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask, jsonify


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app from defaults, then the environment, then test overrides."""
    instance = os.environ.get("NUDGELAYER_INSTANCE")
    app = Flask(__name__, instance_path=instance or None, instance_relative_config=True)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    from . import config

    app.config.from_mapping(config.from_environment(Path(app.instance_path)))
    if test_config:
        app.config.update(test_config)

    from . import db_setup, errors, ratelimits, realtime, security
    from .api import api, document_common_errors
    from .api_docs import document_experience_kinds
    from .extensions import db, limiter, migrate

    db.init_app(app)
    db_setup.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"))
    ratelimits.init_app(app)
    limiter.init_app(app)
    errors.init_app(app)
    security.init_app(app)

    app.config.setdefault(
        "API_SPEC_OPTIONS",
        {
            "components": {
                "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}
            }
        },
    )
    api.init_app(app)
    from .auth.api import blp as auth_blp
    from .events.api import blp as events_blp
    from .experiences.api import blp as experiences_blp

    for blp in (experiences_blp, events_blp):
        ratelimits.limit_writes(blp)
    for blp in (auth_blp, experiences_blp, events_blp):
        api.register_blueprint(blp)
    from .surveys import register as register_surveys

    register_surveys(app, api)
    from .tours import register as register_tours

    register_tours(api)
    from .privacy import register as register_privacy

    register_privacy(app, api)  # consent, retention, export/erasure, console user pages
    from .nudges import register as register_nudges

    register_nudges(app, api)  # signals, API keys, attributes, digests, What's new, throttling
    from .progress import register as register_progress

    register_progress(app, api)  # checklists, counters, goals, points, leaderboards
    document_common_errors(api.spec._paths)
    document_experience_kinds(api.spec)

    from .console import bp as console_bp

    app.register_blueprint(console_bp)
    realtime.init_app(app)

    from . import bench_support, cli

    cli.init_app(app)
    bench_support.init_app(app)  # benchmark-only routes, and only when NUDGELAYER_BENCH=1

    @app.get("/healthz")
    def healthz():
        return jsonify(status="ok")

    return app
