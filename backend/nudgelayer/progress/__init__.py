"""Progress, goals and gamification: checklists, badges with live counters, goals and
commitments, points, streaks, achievements, leaderboards and social proof.

Progress is computed on the server from stored events (``engine``, ``gamification``,
``goals``, ``social``); ``hooks`` is the step event ingestion runs to push changes
(``push``) to open browsers; ``api`` serves staff browsers, ``admin_api`` admins and
other systems. The console pages live in console/progress_views.py.
"""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api


def register(app: Flask, api: Api) -> None:
    """Register the progress blueprints on ``app``."""
    from .. import ratelimits
    from .admin_api import blp as admin_blp
    from .api import blp as client_blp

    for blp in (client_blp, admin_blp):
        ratelimits.limit_writes(blp)
        api.register_blueprint(blp)
