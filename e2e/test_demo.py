"""The demo dashboard keeps the hooks the demo seed and the other e2e tests rely on,
and the demo seed shows on it."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from e2e.harness import open_page, sign_in

pytestmark = pytest.mark.e2e

DEMO_PASSWORD = "demo-password"  # the documented demo credential (DESIGN.md)


def test_demo_hooks_exist_on_their_routes(plain_page, demo_server):
    page = plain_page
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    page.goto(demo_server + "/")
    expect(page.get_by_test_id("queue-filter")).to_be_visible()
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()

    # A deep link: the server answers index.html, the client routes; the rows come late.
    page.goto(demo_server + "/tickets")
    expect(page.get_by_test_id("queue-filter")).to_be_visible()
    expect(page.get_by_test_id("bulk-assign")).to_be_visible()
    expect(page.get_by_test_id("ticket-row")).to_have_count(48)

    page.get_by_test_id("queue-filter").fill("HD-4103")
    expect(page.get_by_test_id("ticket-row")).to_have_count(1)
    page.get_by_test_id("ticket-row").click()
    expect(page).to_have_url(demo_server + "/tickets/HD-4103")
    expect(page.get_by_test_id("send-reply")).to_be_visible()

    page.get_by_role("navigation", name="Main").get_by_role("listitem").filter(
        has_text="Settings"
    ).click()
    expect(page).to_have_url(demo_server + "/settings")
    page.locator("#save").click()
    expect(page.get_by_test_id("save-status")).to_contain_text("Settings saved at")
    assert errors == []


def test_demo_seed_shows_on_the_demo_dashboard(browser, backend, demo_server):
    if not backend.demo_seeded:
        pytest.skip("the database already had users, so seed-demo did not run")
    sign_in(browser, backend.url, "staff@demo.local", DEMO_PASSWORD)
    page, _ = open_page(browser, demo_server + "/tickets")
    expect(
        page.locator("[data-nudgelayer-kind='tooltip']", has_text="Filter the queue")
    ).to_be_visible()
    expect(
        page.locator("[data-nudgelayer-kind='hotspot'][data-nudgelayer-part='beacon']")
    ).to_be_visible()
    # The seeded checklist ticks "Open the ticket queue" from this very page view, and
    # the seeded tour waits in the help launcher.
    checklist = page.locator("section[data-nudgelayer-kind=checklist]")
    expect(checklist).to_contain_text("Get started")
    expect(checklist).to_contain_text("1 of 3", timeout=10_000)
    expect(page.locator('button[aria-label="Help: tours on this page"]')).to_be_visible()
    if shots := os.environ.get("NUDGELAYER_SCREENSHOTS"):
        page.screenshot(path=f"{shots}/demo-seed.png")
