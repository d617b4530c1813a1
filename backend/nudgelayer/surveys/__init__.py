"""Micro-surveys: answers, fatigue rules, results and exports; registers webhooks too."""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api


def register(app: Flask, api: Api) -> None:
    """Register the survey and webhook blueprints and the webhook sender on ``app``."""
    from .. import ratelimits
    from ..webhooks import sender
    from ..webhooks.api import blp as webhooks_blp
    from .api import blp as surveys_blp
    from .results_api import blp as results_blp

    for blp in (surveys_blp, results_blp, webhooks_blp):
        ratelimits.limit_writes(blp)
        api.register_blueprint(blp)
    sender.init_app(app)
