"""Nudges in a real browser: banners with live countdowns, segment variants, warnings from
signals that another system posts with curl, progressive disclosure per segment, and
accessibility audits (axe-core) of banners and recommended markers."""

from __future__ import annotations

import json
import re
import subprocess
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
import requests
from playwright.sync_api import Page, expect

from e2e.harness import EXTENSION_DIR, PASSWORD, open_page, sign_in

pytestmark = pytest.mark.e2e

LIVE_TIMEOUT_MS = 2000  # the product promise: open tabs show a change within 2 s
AXE = EXTENSION_DIR / "node_modules" / "axe-core" / "axe.min.js"
ADVANCED = "[data-testid='settings-advanced']"


def banner(page: Page, exp_id: int):
    return page.locator(
        f"[data-nudgelayer-experience-id='{exp_id}'][data-nudgelayer-kind='banner']"
    )


def serious_axe_violations(page: Page, selector: str) -> list[str]:
    """axe-core's serious and critical findings inside ``selector`` (in the open shadow root)."""
    if not page.evaluate("() => Boolean(window.axe)"):
        page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        """async (sel) => {
            // One selector list per context: host, then the selector inside its shadow root.
            const r = await axe.run({include: [[["nudgelayer-root", sel]]]});
            const serious = r.violations.filter((v) => ["serious", "critical"].includes(v.impact));
            const where = (v) => v.nodes.map((n) => n.target.join(" ")).join(", ");
            return {checked: r.passes.length + r.violations.length,
                    violations: serious.map((v) => `${v.id}: ${v.help} (${where(v)})`)};
        }""",
        selector,
    )
    assert found["checked"] > 0, f"axe checked nothing in {selector}"
    return found["violations"]


def curl(*args: str) -> dict:
    done = subprocess.run(
        ["curl", "--silent", "--show-error", "--fail-with-body", *args],
        capture_output=True,
        text=True,
        timeout=15,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout) if done.stdout else {}


@pytest.fixture
def signals_key(admin_api):
    made = admin_api.call(
        "POST", "/api-keys", json={"label": "e2e backup monitor", "scope": "signals"}
    )
    yield made["key"]
    admin_api.call("DELETE", f"/api-keys/{made['id']}", expect_status=(204, 404))


@pytest.fixture
def admin_browser(browser, backend):
    """A second browser, signed in as the e2e admin (another segment than staff)."""
    sign_in(browser, backend.url, backend.admin)
    return browser


def test_a_banner_with_a_deadline_two_days_away_counts_down(staff, admin_api, demo_server):
    deadline = datetime.now(UTC) + timedelta(days=2, hours=3, minutes=30)
    exp = admin_api.live(
        "banner",
        "Quarter close",
        {"url": f"{demo_server}/*"},
        {
            "text": "Close your **open tickets** before the quarter ends.",
            "severity": "warning",
            "deadline": deadline.isoformat(timespec="seconds"),
            "action": {"label": "Open queue", "url": f"{demo_server}/tickets"},
        },
    )
    page, _ = open_page(staff, demo_server + "/")
    bar = banner(page, exp["id"])
    expect(bar).to_be_visible()
    expect(bar).to_have_attribute("role", "status")
    expect(bar).to_contain_text("Close your open tickets before the quarter ends.")
    expect(bar.locator(".nl-countdown")).to_have_text("Ends in 2 days 3 h")
    expect(bar.get_by_role("link", name="Open queue")).to_have_attribute(
        "href", f"{demo_server}/tickets"
    )
    # The page stays usable and the bar is really on top of it, not merely in the DOM.
    box = bar.bounding_box()
    assert box and box["y"] < 5 and box["width"] > 1000
    assert serious_axe_violations(page, ".nl-banners") == []

    # Dismissible (the default); dismissing is tested in a fresh profile below: the shared
    # staff profile must not remember a dismissal for an id a later test gets again.
    expect(bar.get_by_role("button", name="Dismiss")).to_be_visible()


def test_the_countdown_ticks_each_second_in_the_last_hour_and_the_banner_ends_on_time(
    staff, admin_api, demo_server
):
    deadline = datetime.now(UTC) + timedelta(seconds=15)
    exp = admin_api.live(
        "banner",
        "Flash maintenance",
        {"url": f"{demo_server}/*"},
        {
            "text": "Saving is paused for a moment.",
            "severity": "info",
            "deadline": deadline.isoformat(),
        },
    )
    page, _ = open_page(staff, demo_server + "/")
    countdown = banner(page, exp["id"]).locator(".nl-countdown")
    expect(countdown).to_have_text(re.compile(r"^Ends in [0-9]{1,2} s$"))
    first = countdown.text_content()
    expect(countdown).not_to_have_text(first, timeout=2500)
    expect(banner(page, exp["id"])).to_have_count(0, timeout=16_000)  # past the deadline: gone


def test_admin_content_stays_hidden_from_staff_while_the_staff_variant_shows(
    staff, admin_browser, admin_api, demo_server
):
    admins_only = admin_api.live(
        "banner",
        "Admins only",
        {"url": f"{demo_server}/*", "segment": {"attr": "role", "op": "eq", "value": "admin"}},
        {"text": "Admins: review the SLA policy draft.", "severity": "info"},
    )
    with_variant = admin_api.live(
        "banner",
        "Queue hours",
        {
            "url": f"{demo_server}/*",
            "variants": [
                {
                    "segment": {"attr": "role", "op": "eq", "value": "staff"},
                    "content": {"text": "Staff: the queue closes at 17:00.", "severity": "info"},
                }
            ],
        },
        {"text": "Everyone: the queue closes at 17:00.", "severity": "info"},
    )
    staff_page, _ = open_page(staff, demo_server + "/")
    expect(banner(staff_page, with_variant["id"]).locator(".nl-text")).to_have_text(
        "Staff: the queue closes at 17:00."
    )
    expect(banner(staff_page, admins_only["id"])).to_have_count(0)
    expect(staff_page.get_by_text("Everyone: the queue closes")).to_have_count(0)

    admin_page, _ = open_page(admin_browser, demo_server + "/")
    expect(banner(admin_page, admins_only["id"])).to_contain_text(
        "Admins: review the SLA policy draft."
    )
    everyone = banner(admin_page, with_variant["id"])
    expect(everyone).to_contain_text("Everyone: the queue closes at 17:00.")

    # Dismissed for this version: gone at once, and not back on the next page view.
    everyone.get_by_role("button", name="Dismiss").click()
    expect(everyone).to_have_count(0)
    admin_page.reload()
    expect(banner(admin_page, admins_only["id"])).to_be_visible()  # the overlay ran
    expect(everyone).to_have_count(0)


def test_a_signal_posted_with_curl_shows_a_warning_at_once_and_clears(
    staff, admin_api, demo_server, backend, signals_key
):
    exp = admin_api.live(
        "banner",
        "Backup overdue",
        {"url": f"{demo_server}/*"},
        {
            "text": "Data loss risk increasing: backup overdue by {{signal.value}} days",
            "severity": "critical",
            "dismissible": False,
            "signal": {"key": "backup.overdue_days", "op": "gt", "value": 0},
        },
    )
    page, _ = open_page(staff, demo_server + "/tickets")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    warning = banner(page, exp["id"])
    words = warning.locator(".nl-text")
    expect(warning).to_have_count(0)
    auth = ["-H", f"Authorization: Bearer {signals_key}", "-H", "Content-Type: application/json"]
    url = f"{backend.url}/api/v1/signals"

    curl(
        "-X",
        "POST",
        *auth,
        "-d",
        json.dumps({"key": "backup.overdue_days", "value": 3, "scope": {"team": "support"}}),
        url,
    )
    posted = time.monotonic()
    expect(words).to_have_text(
        "Data loss risk increasing: backup overdue by 3 days", timeout=LIVE_TIMEOUT_MS
    )
    assert time.monotonic() - posted < LIVE_TIMEOUT_MS / 1000
    expect(warning).to_have_attribute("role", "alert")
    expect(warning.get_by_role("button", name="Dismiss")).to_have_count(
        0
    )  # not dismissible: it is a risk
    assert serious_axe_violations(page, ".nl-banners") == []

    # Worse: the same warning, the new number, in place.
    curl(
        "-X",
        "POST",
        *auth,
        "-d",
        json.dumps({"key": "backup.overdue_days", "value": 4, "scope": {"team": "support"}}),
        url,
    )
    expect(words).to_have_text(
        "Data loss risk increasing: backup overdue by 4 days", timeout=LIVE_TIMEOUT_MS
    )

    # Another team's signal is not this user's risk.
    curl(
        "-X",
        "POST",
        *auth,
        "-d",
        json.dumps({"key": "backup.overdue_days", "value": 9, "scope": {"team": "ops"}}),
        url,
    )
    page.wait_for_timeout(700)
    expect(words).to_have_text("Data loss risk increasing: backup overdue by 4 days")

    assert curl(
        "-X", "DELETE", "-H", f"Authorization: Bearer {signals_key}", f"{url}/backup.overdue_days"
    ) == {"cleared": 2}
    cleared = time.monotonic()
    expect(warning).to_have_count(0, timeout=LIVE_TIMEOUT_MS)
    assert time.monotonic() - cleared < LIVE_TIMEOUT_MS / 1000


def test_a_host_element_is_collapsed_for_staff_and_not_for_admins(
    staff, admin_browser, admin_api, demo_server
):
    exp = admin_api.live(
        "badge",
        "Advanced settings behind a toggle",
        {
            "url": f"{demo_server}/settings",
            "segment": {"attr": "role", "op": "eq", "value": "staff"},
        },
        {"target": {"selector": ADVANCED}, "label": "Show advanced", "variant": "collapse"},
    )
    page, _ = open_page(staff, demo_server + "/settings")
    advanced = page.locator(ADVANCED)
    toggle = page.locator(
        f"button[data-nudgelayer-experience-id='{exp['id']}'][data-nudgelayer-variant='collapse']"
    )
    expect(toggle).to_be_visible()
    expect(toggle).to_have_text("Show advanced")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(advanced).to_be_hidden()
    # The host page's own behaviour is intact: its form still saves.
    page.get_by_label("Team name").fill("Tier 1")
    page.locator("#save").click()
    expect(page.get_by_test_id("save-status")).to_contain_text("Settings saved")

    toggle.click()
    expect(advanced).to_be_visible()
    expect(toggle).to_have_text("Hide advanced")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    advanced.locator("summary").click()  # the host's own <details> still opens
    expect(page.get_by_label("Auto-close pending tickets after (days)")).to_be_visible()
    toggle.click()
    expect(advanced).to_be_hidden()

    admin_page, _ = open_page(admin_browser, demo_server + "/settings")
    expect(admin_page.locator(ADVANCED)).to_be_visible()
    expect(admin_page.get_by_role("heading", name="Settings", level=1)).to_be_visible()
    expect(admin_page.locator("button[data-nudgelayer-variant='collapse']")).to_have_count(0)

    # Unpublished: restored exactly as the host had it, in the open tab, without a reload.
    admin_api.unpublish(exp["id"])
    expect(advanced).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    expect(toggle).to_have_count(0)
    assert advanced.get_attribute("style") is None


def test_recommended_marker_sits_by_its_element_and_passes_axe(staff, admin_api, demo_server):
    exp = admin_api.live(
        "badge",
        "Recommend the save button",
        {"url": f"{demo_server}/settings"},
        {
            "target": {"selector": "#save"},
            "label": "Recommended",
            "variant": "recommended",
            "reason": "Saves for the whole team at once.",
        },
    )
    page, _ = open_page(staff, demo_server + "/settings")
    marker = page.locator(
        f"[data-nudgelayer-experience-id='{exp['id']}'][data-nudgelayer-variant='recommended']"
    )
    expect(marker).to_be_visible()
    expect(marker).to_have_attribute("role", "note")
    expect(marker).to_contain_text("Recommended")
    expect(marker).to_contain_text("Saves for the whole team at once.")
    save_box, marker_box = page.locator("#save").bounding_box(), marker.bounding_box()
    assert save_box and marker_box
    assert marker_box["y"] + marker_box["height"] <= save_box["y"] + 2  # above it
    assert (
        abs((marker_box["x"] + marker_box["width"] / 2) - (save_box["x"] + save_box["width"] / 2))
        < save_box["width"]
    )
    # It never takes the host's clicks.
    page.locator("#save").click()
    expect(page.get_by_test_id("save-status")).to_contain_text("Settings saved")
    assert serious_axe_violations(page, ".nl-rec") == []


def console_session(backend) -> tuple[requests.Session, Callable[[str], str]]:
    """The e2e admin signed in to the web console; csrf(path) reads a page's form token."""
    session = requests.Session()

    def csrf(path: str) -> str:
        page = session.get(f"{backend.url}{path}", timeout=15)
        return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)

    session.post(
        f"{backend.url}/console/login",
        data={"email": backend.admin, "password": PASSWORD, "csrf_token": csrf("/console/login")},
        timeout=15,
    )
    return session, csrf


def test_whats_new_launcher_and_the_daily_digest_card(
    staff, admin_api, backend, demo_server, signals_key
):
    admin_api.live(
        "banner",
        "Backup overdue (digest)",
        {"url": f"{demo_server}/never-shown"},
        {
            "text": "Data loss risk increasing: backup overdue by {{signal.value}} days",
            "severity": "critical",
            "signal": {"key": "backup.digest_days", "op": "gt", "value": 0},
        },
    )
    auth = {"Authorization": f"Bearer {signals_key}"}
    signal = {"key": "backup.digest_days", "value": 2, "scope": {"team": "support"}}
    requests.post(
        f"{backend.url}/api/v1/signals", json=signal, headers=auth, timeout=15
    ).raise_for_status()
    session, csrf = console_session(backend)
    entry = {
        "title": "Bulk close is here",
        "body": "Close **many** tickets at once.",
        "publish": "1",
    }
    made = session.post(
        f"{backend.url}/console/whatsnew",
        data={**entry, "csrf_token": csrf("/console/whatsnew")},
        timeout=15,
        allow_redirects=False,
    )
    assert made.status_code == 302, made.text[:500]
    try:
        # Where the launcher and the digest appear; the change reaches open browsers at once.
        admin_api.call("PATCH", "/nudges/settings", json={"overlay_url": f"{demo_server}/*"})
        page, _ = open_page(staff, demo_server + "/")
        launcher = page.locator("[data-nudgelayer-part='launcher']")
        expect(launcher).to_have_accessible_name("What's new 1 unread", timeout=5000)
        card = page.locator(".nl-digest")
        expect(card).to_contain_text("Pending for you today")
        expect(card).to_contain_text("Warning: Data loss risk increasing: backup overdue by 2 days")
        assert serious_axe_violations(page, ".nl-corner") == []

        launcher.click()
        panel = page.locator("[data-nudgelayer-part='panel']")
        expect(panel.get_by_role("heading", name="Bulk close is here")).to_be_visible()
        expect(panel.locator("strong")).to_have_text("many")
        expect(launcher).to_have_accessible_name("What's new")  # read on the server
        assert serious_axe_violations(page, ".nl-corner") == []
        page.keyboard.press("Escape")
        expect(panel).to_be_hidden()

        card.get_by_role("button", name="Dismiss for today").click()
        expect(card).to_have_count(0)
        page.reload()
        expect(launcher).to_have_accessible_name("What's new")
        expect(card).to_have_count(0)  # once a day
    finally:
        admin_api.call("PATCH", "/nudges/settings", json={"overlay_url": None})
        requests.delete(
            f"{backend.url}/api/v1/signals/backup.digest_days", headers=auth, timeout=15
        )
