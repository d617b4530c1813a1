"""The demo workspace: accounts and experiences over the demo dashboard."""

from __future__ import annotations

from .auth.service import create_user, create_workspace
from .experiences import service

DEMO_PASSWORD = "demo-password"  # noqa: S105 - documented demo credential, demo seed only


def seed(demo_url: str) -> None:
    ws = create_workspace("Demo workspace", "demo")
    admin = create_user(ws, "admin@demo.local", DEMO_PASSWORD, "admin", team="ops", display_name="Ada Admin")
    create_user(ws, "analyst@demo.local", DEMO_PASSWORD, "analyst", team="insights", display_name="Ann Analyst")
    create_user(ws, "staff@demo.local", DEMO_PASSWORD, "staff", team="support", display_name="Sam Staff")

    tip = service.create(
        admin,
        kind="tooltip",
        name="Explain the queue filter",
        targeting={"url": f"{demo_url}/*", "segment": None},
        content={
            "target": {"selector": "[data-testid='queue-filter']"},
            "title": "Filter the queue",
            "body": "Type a customer or ticket id to **narrow** the queue. Press *Esc* to clear.",
            "placement": "bottom",
        },
    )
    service.publish(admin, tip)
    spot = service.create(
        admin,
        kind="hotspot",
        name="New: bulk assign",
        targeting={"url": f"{demo_url}/tickets*", "segment": None},
        content={
            "target": {"selector": "[data-testid='bulk-assign']"},
            "title": "Bulk assign is here",
            "body": "Select several tickets, then assign them in one go.",
            "placement": "left",
        },
    )
    service.publish(admin, spot)
