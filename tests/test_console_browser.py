"""The console in a real browser: Debian Chromium driven by Playwright, against a real server."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect, sync_playwright
from sqlalchemy import select
from werkzeug.serving import make_server

from nudgelayer.experiences import service
from nudgelayer.extensions import db
from nudgelayer.models import Experience, User

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "correct-horse-battery"  # the accounts of tests/conftest.py

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium"),
]


@pytest.fixture
def live_url(app: Flask) -> Iterator[str]:
    """The app on a real HTTP server on a free local port, for as long as the test runs."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()


@pytest.fixture
def page() -> Iterator[Page]:
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            yield context.new_page()
        finally:
            browser.close()


@pytest.fixture
def edited_tooltip(app: Flask) -> int:
    """A tooltip published as v1, then edited: v2 is a draft waiting to be published."""
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.email == "admin@acme.test"))
        exp = service.create(
            admin,
            kind="tooltip",
            name="Explain the queue filter",
            targeting={"url": "https://tickets.example.com/queue/*", "segment": None},
            content={"target": {"selector": "#filter"}, "title": "Filter", "body": "Type here."},
        )
        service.publish(admin, exp)
        service.update(admin, exp, {"name": "Explain the queue filter, reworded"})
        db.session.commit()
        return exp.id


def _live_version(app: Flask, exp_id: int) -> tuple[str, int]:
    with app.app_context():
        exp = db.session.get(Experience, exp_id)
        return exp.status, exp.published_version.number


def _shot(page: Page, tmp_path: Path, name: str) -> None:
    # Kept under the test's tmp dir; NUDGELAYER_SCREENSHOTS=dir keeps them for a design review.
    target = Path(os.environ.get("NUDGELAYER_SCREENSHOTS") or tmp_path)
    target.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(target / f"console-{name}.png"), full_page=True)


def test_admin_signs_in_publishes_and_rolls_back(app, live_url, page, edited_tooltip, tmp_path):
    problems: list[str] = []
    # A CSP violation (an inline style or script slipping in) shows up as a console error.
    # "Failed to load resource" is the browser noting the expected 401 of a wrong password.
    page.on(
        "console",
        lambda msg: (
            msg.type == "error"
            and not msg.text.startswith("Failed to load resource")
            and problems.append(msg.text)
        ),
    )
    page.on("pageerror", lambda err: problems.append(str(err)))

    page.goto(f"{live_url}/console/")
    expect(page).to_have_url(f"{live_url}/console/login?next=/console/")
    page.get_by_label("Email").fill("admin@acme.test")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("Wrong email or password.")
    _shot(page, tmp_path, "login-error")

    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Experiences", level=1)).to_be_visible()
    expect(page.get_by_role("banner")).to_contain_text("admin@acme.test")
    # The stylesheet loaded (no CDN, allowed by the CSP): the system font stack applies.
    font = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert "system-ui" in font

    row = page.get_by_role("row").filter(has_text="Explain the queue filter, reworded")
    expect(row).to_contain_text("Published")
    expect(row).to_contain_text("Unpublished changes")
    _shot(page, tmp_path, "list")

    row.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Explain the queue filter, reworded")
    _shot(page, tmp_path, "details")

    page.get_by_role("button", name="Publish version 2").click()
    expect(page.get_by_role("status")).to_contain_text("Published.")
    expect(page.locator(".head-badges")).not_to_contain_text("Unpublished changes")
    live_row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="v2"))
    expect(live_row).to_contain_text("Live")
    assert _live_version(app, edited_tooltip) == ("published", 2)

    # Rolling back takes two steps: open the confirmation, then confirm.
    page.get_by_text("Roll back to v1…").click()
    confirm = page.get_by_role("button", name="Confirm roll back to v1")
    expect(confirm).to_be_visible()
    _shot(page, tmp_path, "rollback-confirm")
    confirm.click()
    expect(page.get_by_role("status")).to_contain_text("Rolled back: version 1 is live again")
    expect(page.get_by_role("heading", level=1)).to_have_text("Explain the queue filter")
    assert _live_version(app, edited_tooltip) == ("published", 3)

    page.get_by_role("link", name="Audit log").click()
    rollback_row = page.get_by_role("row").filter(has_text="experience.rollback")
    rollback_row.get_by_text("3 fields: name, version, restored").click()
    expect(rollback_row.get_by_role("rowheader", name="restored")).to_be_visible()
    _shot(page, tmp_path, "audit")

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("status")).to_have_text("You are signed out.")
    page.goto(f"{live_url}/console/audit")
    expect(page.get_by_role("heading", name="Sign in to the console")).to_be_visible()

    assert problems == []
