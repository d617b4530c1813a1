"""Privacy in the browser: the first-run consent dialog, the preference centre in the
options page, and the events recorded before and after the user allows analytics."""

from __future__ import annotations

import json
import time
import uuid

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from e2e.harness import (
    EXTENSION_DIR,
    OPTIONS_PATH,
    PASSWORD,
    STATUS_JS,
    Api,
    audit_overlay,
    beacon,
    card,
    open_page,
    options_url,
    sign_in,
    tooltip,
)

pytestmark = pytest.mark.e2e

QUEUE_FILTER = "[data-testid='queue-filter']"
DIALOG_NAME = "Your privacy with Nudgelayer"
AXE = EXTENSION_DIR / "node_modules" / "axe-core" / "axe.min.js"


def new_user(backend) -> str:
    """A staff member who has never been asked about privacy."""
    email = f"fresh-{uuid.uuid4().hex[:8]}@{backend.workspace}.test"
    backend.run_cli(
        "create-user", backend.workspace, email, "--role", "staff", "--password", PASSWORD
    )
    return email


def consent_dialog(page: Page):
    return page.get_by_role("dialog", name=DIALOG_NAME)


def wait_sent(context: BrowserContext, timeout: float = 20.0) -> None:
    """Until the extension's event queue is empty (everything it kept reached the server)."""
    page = context.new_page()
    try:
        page.goto(options_url(OPTIONS_PATH))
        deadline = time.monotonic() + timeout
        while (status := page.evaluate(STATUS_JS)).get("queued") != 0:
            assert time.monotonic() < deadline, f"events still queued: {status}"
            page.wait_for_timeout(200)
    finally:
        page.close()


def event_types(admin_api: Api, user_id: int) -> list[str]:
    resp = admin_api.session.get(f"{admin_api.base}/api/v1/events/export", timeout=15)
    resp.raise_for_status()
    rows = [json.loads(line) for line in resp.text.splitlines() if line.strip()]
    return sorted(r["type"] for r in rows if r["user_id"] == user_id)


def test_first_run_dialog_records_only_essential_events_until_allowed(
    browser, backend, admin_api, demo_server
):
    email = new_user(backend)
    me = Api(backend.url, email)
    tip = admin_api.live(
        "tooltip", "Consent tip", {"url": f"{demo_server}/*"}, tooltip(QUEUE_FILTER, "Filter here")
    )
    spot = admin_api.live(
        "hotspot",
        "Consent hotspot",
        {"url": f"{demo_server}/settings"},
        tooltip("#save", "Saving", "Applies to everyone."),
    )
    sign_in(browser, backend.url, email)
    page, _ = open_page(browser, demo_server + "/")

    expect(card(page, tip["id"])).to_be_visible()
    dialog = consent_dialog(page)
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("button", name="Allow")).to_be_visible()
    expect(dialog.get_by_role("button", name="Only essential")).to_be_visible()
    expect(dialog.get_by_role("link", name="Privacy settings")).to_be_visible()
    if AXE.exists():
        audit_overlay(page, "first-run consent dialog")

    # The page cannot decide for the person: its script clicks "Allow" (the shadow root is
    # open), and nothing happens.
    page.evaluate(
        """() => document.querySelector('nudgelayer-root').shadowRoot
            .querySelector('[data-nudgelayer-action=consent-allow]').click()"""
    )
    page.wait_for_timeout(500)
    expect(dialog).to_be_visible()
    assert me.call("GET", "/me/consent")["decided_at"] is None

    # Undecided, seeing the tip (experience.viewed) was not recorded. Only essential:
    # still not, but closing the tip (experience.dismissed) is.
    dialog.get_by_role("button", name="Only essential").click()
    expect(dialog).to_have_count(0)
    assert me.call("GET", "/me/consent")["decided_at"]
    assert me.call("GET", "/me/consent")["analytics"] is False
    card(page, tip["id"]).get_by_role("button", name="Close").click()
    expect(card(page, tip["id"])).to_have_count(0)

    # A page where a hotspot shows, opened: not analytics-allowed, so not recorded either.
    page.goto(demo_server + "/settings")
    expect(beacon(page, spot["id"])).to_be_visible()
    beacon(page, spot["id"]).click()
    expect(card(page, spot["id"])).to_be_visible()
    expect(consent_dialog(page)).to_have_count(0)  # asked once: never again
    wait_sent(browser)
    assert event_types(admin_api, me.user["id"]) == ["experience.dismissed"]

    # The preference centre: the choice is there, and changing it is saved to the server.
    settings = browser.new_page()
    settings.goto(options_url(OPTIONS_PATH) + "#privacy")
    analytics = settings.get_by_label("Usage analytics")
    expect(analytics).not_to_be_checked()
    expect(settings.get_by_label("My name on survey answers")).not_to_be_checked()
    expect(settings.get_by_label("Team leaderboards")).not_to_be_checked()
    expect(settings.get_by_text("Chosen ")).to_be_visible()
    analytics.check()
    settings.get_by_role("button", name="Save privacy choices").click()
    expect(settings.get_by_role("status")).to_have_text("Saved.")
    assert me.call("GET", "/me/consent")["analytics"] is True

    # Now opening the hotspot is recorded.
    page.reload()
    beacon(page, spot["id"]).click()
    wait_sent(browser)
    types = event_types(admin_api, me.user["id"])
    assert "hotspot.opened" in types and "experience.viewed" in types


def test_settings_link_opens_the_preference_centre_and_a_choice_there_closes_the_dialog(
    browser, backend, admin_api, demo_server
):
    email = new_user(backend)
    tip = admin_api.live(
        "tooltip", "Consent link", {"url": f"{demo_server}/*"}, tooltip(QUEUE_FILTER, "Filter")
    )
    sign_in(browser, backend.url, email)
    page, _ = open_page(browser, demo_server + "/")
    expect(card(page, tip["id"])).to_be_visible()
    dialog = consent_dialog(page)

    # Esc hides it for this page, without deciding anything: the next page asks again.
    dialog.get_by_role("button", name="Allow").focus()
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    page.reload()
    expect(consent_dialog(page)).to_be_visible()

    with browser.expect_page() as opened:
        consent_dialog(page).get_by_role("link", name="Privacy settings").click()
    settings = opened.value
    settings.wait_for_load_state()
    assert settings.url == options_url(OPTIONS_PATH) + "#privacy"
    expect(settings.get_by_role("heading", name="Privacy")).to_be_visible()
    expect(settings.get_by_text("You have not chosen yet.")).to_be_visible()
    settings.get_by_label("Team leaderboards").check()
    settings.get_by_role("button", name="Save privacy choices").click()
    expect(settings.get_by_role("status")).to_have_text("Saved.")

    # The open tab learns of the choice and closes its question, without a reload.
    expect(consent_dialog(page)).to_have_count(0, timeout=5000)
    choice = Api(backend.url, email).call("GET", "/me/consent")
    assert (choice["analytics"], choice["identified_surveys"], choice["leaderboards"]) == (
        False,
        False,
        True,
    )


def test_options_page_shows_its_form_at_once_in_a_fresh_browser(browser):
    """Chromium answers chrome.storage.managed only seconds after start; the form must not wait."""
    page = browser.new_page()
    started = time.monotonic()
    page.goto(options_url(OPTIONS_PATH))
    expect(page.get_by_label("Server URL")).to_be_visible(timeout=1500)
    expect(page.get_by_role("button", name="Sign in")).to_be_enabled(timeout=100)
    assert time.monotonic() - started < 1.5


def test_extension_pages_run_under_their_strict_csp(browser):
    """The manifest's CSP is in force: no eval, no inline script, no foreign script."""
    page = browser.new_page()
    page.goto(options_url(OPTIONS_PATH))
    expect(page.get_by_label("Server URL")).to_be_visible()
    outcome = page.evaluate(
        """async () => {
            const tried = {};
            // eval typed in DevTools is exempt; a string handed to a timer is not.
            window.__timer = false;
            setTimeout("window.__timer = true", 0);
            window.__inline = false;
            const inline = document.createElement("script");
            inline.textContent = "window.__inline = true";
            document.head.append(inline);
            const remote = document.createElement("script");
            remote.src = "https://xss.invalid/x.js";
            tried.remote = await new Promise((resolve) => {
                remote.onload = () => resolve("loaded");
                remote.onerror = () => resolve("blocked");
                document.head.append(remote);
            });
            tried.inline = window.__inline;
            await new Promise((resolve) => setTimeout(resolve, 100));
            tried.timer = window.__timer;
            return tried;
        }"""
    )
    assert outcome == {"timer": False, "inline": False, "remote": "blocked"}
