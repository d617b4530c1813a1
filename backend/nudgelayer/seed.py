"""The demo workspace: accounts and experiences over the demo dashboard."""

from __future__ import annotations

from .auth.service import create_user, create_workspace
from .experiences import service
from .experiences.schemas import load_content

DEMO_PASSWORD = "demo-password"  # noqa: S105 - documented demo credential, demo seed only


def seed(demo_url: str) -> None:
    ws = create_workspace("Demo workspace", "demo")
    admin = create_user(
        ws, "admin@demo.local", DEMO_PASSWORD, "admin", team="ops", display_name="Ada Admin"
    )
    create_user(
        ws,
        "analyst@demo.local",
        DEMO_PASSWORD,
        "analyst",
        team="insights",
        display_name="Ann Analyst",
    )
    create_user(
        ws, "staff@demo.local", DEMO_PASSWORD, "staff", team="support", display_name="Sam Staff"
    )

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

    def publish(kind: str, name: str, url: str, content: dict) -> None:
        exp = service.create(
            admin,
            kind=kind,
            name=name,
            targeting={"url": url, "segment": None},
            content=load_content(kind, content),
        )
        service.publish(admin, exp)

    publish(
        "tour",
        "Tour of Helpdesk Ops",
        f"{demo_url}/*",
        {
            # Started from the "?" launcher, so it never gets in the way of the demo.
            "trigger": {"type": "launcher"},
            "steps": [
                {
                    "target": {"selector": "[data-testid='queue-filter']"},
                    "title": "Find any ticket",
                    "body": "Filter the queue by customer, subject or ticket id.",
                    "url": f"{demo_url}/",
                },
                {
                    "target": {"selector": "[data-testid='bulk-assign']"},
                    "title": "Assign in bulk",
                    "body": "Select rows, then assign them to a teammate in one go.",
                    "url": f"{demo_url}/tickets*",
                },
                {
                    "target": {"selector": "#save"},
                    "title": "Save your settings",
                    "body": "Changes apply to your whole team once saved.",
                    "url": f"{demo_url}/settings*",
                },
            ],
        },
    )
    publish(
        "checklist",
        "Get started with Helpdesk Ops",
        f"{demo_url}/*",
        {
            "title": "Get started",
            "items": [
                {
                    "title": "Open the ticket queue",
                    "done_when": {"event": "page.view", "url": f"{demo_url}/tickets*"},
                },
                {
                    "title": "Visit your settings",
                    "done_when": {"event": "page.view", "url": f"{demo_url}/settings*"},
                },
                {
                    "title": "Save your settings",
                    "done_when": {"event": "click", "selector": "#save"},
                },
            ],
        },
    )
