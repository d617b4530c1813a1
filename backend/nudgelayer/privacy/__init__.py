"""Privacy: consent, retention and its daily purge, per-user export and erasure.

``register`` adds the API blueprint, the console's user pages and the purge
scheduler; the CLI commands are added by nudgelayer.cli.
"""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api


def register(app: Flask, api: Api) -> None:
    """Register the privacy API, console pages and purge scheduler on ``app``."""
    from .. import ratelimits
    from . import console, scheduler
    from .api import blp

    ratelimits.limit_writes(blp)
    api.register_blueprint(blp)
    console.init()
    scheduler.init_app(app)
