"""Nudges: banners' warnings from signals (with API keys), habit digests, What's new,
user attributes for segments, experiments, and the interruption budget.

``register`` wires it into the app: blueprints, CLI commands, console pages, pushes.
"""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api


def register(app: Flask, api: Api) -> None:
    """Register the nudge blueprints, commands and console pages on ``app``.

    Call before the console blueprint is registered: the console pages join it.
    """
    from .. import ratelimits
    from . import cli, console, push  # noqa: F401 - console and push register on import
    from .api_admin import blp as admin_blp
    from .api_client import blp as client_blp
    from .api_signals import blp as signals_blp

    for blp in (signals_blp, admin_blp, client_blp):
        ratelimits.limit_writes(blp)
        api.register_blueprint(blp)
    cli.init_app(app)
