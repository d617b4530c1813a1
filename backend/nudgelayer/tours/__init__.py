"""Guided tours on the server: each user's progress (resumed on any device) and the funnel."""

from __future__ import annotations

from flask_smorest import Api


def register(api: Api) -> None:
    """Register the tours blueprint (progress for everyone, the funnel for readers)."""
    from .. import ratelimits
    from .api import blp

    ratelimits.limit_writes(blp)
    api.register_blueprint(blp)
