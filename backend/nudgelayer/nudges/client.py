"""What the extension needs besides experiences: GET /client/nudges, in one answer.

``counts`` (event counts for segment rules), ``signals`` (those whose scope matches the
user), ``user`` (fresh attributes: an admin may have changed them), ``overlay_url`` (where
the What's new launcher and the digest card appear), ``whatsnew`` (unread count) and
``digest`` (pending items).
"""

from __future__ import annotations

from typing import Any

from ..models import User
from . import counts as counts_service
from . import digest as digest_service
from . import settings as settings_service
from . import signals as signals_service
from . import whatsnew as whatsnew_service


def nudges_for(user: User) -> dict[str, Any]:
    attrs = user.segment_attributes()
    counts = counts_service.for_user(user, counts_service.live_pairs(user.workspace_id))
    signals = [
        signals_service.message(row)
        for row in signals_service.list_(user.workspace_id)
        if signals_service.scope_matches(row.scope, attrs)
    ]
    latest = whatsnew_service.published(user.workspace_id, limit=1)
    return {
        "user": user,
        "counts": counts,
        "signals": signals,
        "overlay_url": settings_service.get(user.workspace_id).overlay_url,
        "whatsnew": {
            "unread": whatsnew_service.unread(user),
            "latest_at": latest[0].published_at if latest else None,
        },
        "digest": {"items": digest_service.for_user(user, counts)},
    }
