"""Guided tours end to end: an admin publishes a tour through the API; a staff browser with
the extension runs it on the Helpdesk Ops demo across two SPA routes — a late target waited
for, Next, Back, the arrow keys, the route change, a reload that resumes, Tab kept in the
step, Esc — and the funnel API shows what happened. Every step state passes an axe-core
audit without serious or critical violations."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from e2e.harness import (
    OPTIONS_PATH,
    STATUS_JS,
    Api,
    audit_overlay,
    open_page,
    options_url,
)

pytestmark = pytest.mark.e2e

ROW = "[data-testid='ticket-row'][data-ticket-id='HD-4103']"
DIALOG = "[role='dialog'][data-nudgelayer-kind='tour'][data-nudgelayer-experience-id='{id}']"


def dialog(page: Page, exp_id: int):
    return page.locator(DIALOG.format(id=exp_id))


audit = audit_overlay


def deep_focus(page: Page) -> str:
    """What has focus, looking into the overlay's shadow root: a short description."""
    return page.evaluate(
        """() => {
            let el = document.activeElement;
            while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
            if (!el) return "";
            const where = el.closest?.("[data-nudgelayer-kind='tour']") ? "tour:" : "page:";
            return where + (el.dataset?.nudgelayerAction || el.id || el.tagName);
        }"""
    )


def wait_sent(context: BrowserContext, timeout: float = 15.0) -> None:
    """Wait until the extension's event queue is empty (sent to the backend)."""
    page = context.new_page()
    try:
        page.goto(options_url(OPTIONS_PATH))
        deadline = time.monotonic() + timeout
        while True:
            status = page.evaluate(STATUS_JS)
            if status and status.get("queued") == 0:
                return
            assert time.monotonic() < deadline, f"events not sent: {status}"
            page.wait_for_timeout(200)
    finally:
        page.close()


def wait_funnel(admin_api, exp_id: int, ready, timeout: float = 15.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        funnel = admin_api.call("GET", f"/experiences/{exp_id}/funnel")
        if ready(funnel):
            return funnel
        assert time.monotonic() < deadline, f"funnel never got there: {funnel}"
        time.sleep(0.2)


def three_step_tour(demo: str) -> dict:
    return {
        "steps": [
            {
                "target": {"selector": ROW},
                "title": "Start with the oldest ticket",
                "body": "It breaches **SLA** first.",
                "url": f"{demo}/tickets",
                "placement": "bottom",
            },
            {
                "target": {"selector": "[data-testid='bulk-assign']"},
                "title": "Assign in bulk",
                "body": "Select rows, then assign them to yourself.",
                "url": f"{demo}/tickets",
                "placement": "bottom",
            },
            {
                "target": {"selector": "#save"},
                "title": "Save your settings",
                "body": "Changes apply to every queue.",
                "url": f"{demo}/settings",
                "placement": "top",
            },
        ]
    }


def test_staff_runs_a_tour_across_routes_and_the_funnel_shows_it(
    staff, admin_api, demo_server, backend
):
    exp = admin_api.live(
        "tour", "Queue onboarding", {"url": f"{demo_server}/*"}, three_step_tour(demo_server)
    )
    tour_id = exp["id"]
    page, dialogs = open_page(staff, demo_server + "/tickets")
    step = dialog(page, tour_id)

    # The first step's row arrives ~800 ms after the page: the tour waits for it rather
    # than pointing at nothing or saying it is missing.
    expect(page.locator(ROW)).to_be_visible()
    expect(step).to_be_visible()
    expect(step).to_contain_text("Step 1 of 3")
    expect(step.get_by_role("heading")).to_have_text("Start with the oldest ticket")
    expect(step.locator("strong")).to_have_text("SLA")
    expect(step).not_to_contain_text("couldn't find")
    assert step.get_attribute("aria-labelledby") and step.get_attribute("aria-describedby")
    assert deep_focus(page).startswith("tour:"), "focus moves into the step"
    # The cut-out: the dimmed backdrop leaves the row itself clickable.
    row_box = page.locator(ROW).bounding_box()
    assert row_box
    on_row = page.evaluate(
        "([x, y]) => document.elementFromPoint(x, y)?.closest('[data-testid=ticket-row]') !== null",
        [row_box["x"] + 40, row_box["y"] + row_box["height"] / 2],
    )
    assert on_row, "the highlighted target is not reachable through the backdrop"
    audit(page, "step 1 (late target, anchored)")

    step.get_by_role("button", name="Next").click()
    expect(step).to_contain_text("Step 2 of 3")
    expect(step.get_by_role("heading")).to_have_text("Assign in bulk")
    audit(page, "step 2 (anchored)")

    step.get_by_role("button", name="Back").click()
    expect(step).to_contain_text("Step 1 of 3")
    # Arrow keys move between steps while focus is in the step.
    page.keyboard.press("ArrowRight")
    expect(step).to_contain_text("Step 2 of 3")
    page.keyboard.press("ArrowLeft")
    expect(step).to_contain_text("Step 1 of 3")
    page.keyboard.press("ArrowRight")
    expect(step).to_contain_text("Step 2 of 3")

    # Step 3 is on another route: the tour says so and waits, without blocking the page.
    step.get_by_role("button", name="Next").click()
    expect(step).to_contain_text("Step 3 of 3")
    expect(step).to_contain_text("on another page")
    expect(step.get_by_role("link", name="Go to the page")).to_have_attribute(
        "href", f"{demo_server}/settings"
    )
    audit(page, "step 3 (waiting for its page)")
    page.get_by_role("navigation", name="Main").locator("a[href='/settings']").click()  # pushState
    expect(page).to_have_url(f"{demo_server}/settings")
    expect(step).not_to_contain_text("on another page")
    expect(step.get_by_role("heading")).to_have_text("Save your settings")
    expect(step.get_by_role("button", name="Done")).to_be_visible()
    audit(page, "step 3 (anchored after the route change)")

    # A reload resumes where the user was (progress is kept by the server), without a new start.
    page.reload()
    expect(step).to_be_visible()
    expect(step).to_contain_text("Step 3 of 3")
    expect(step.get_by_role("heading")).to_have_text("Save your settings")
    progress = Api(backend.url, backend.staff).call("GET", f"/client/tours/{tour_id}/progress")
    assert (progress["status"], progress["step"]) == ("active", 2)

    # Tab stays within the step and its target (#save).
    seen = set()
    for _ in range(8):
        page.keyboard.press("Tab")
        seen.add(deep_focus(page))
    assert all(s.startswith("tour:") or s == "page:save" for s in seen), seen
    assert "page:save" in seen and "tour:next" in seen, seen

    page.keyboard.press("Escape")
    expect(step).to_have_count(0)
    assert dialogs == []

    # Automatic start is once per user: after a reload it stays closed, in the launcher.
    page.reload()
    launcher = page.get_by_role("button", name="Help: tours on this page")
    expect(launcher).to_be_visible()
    launcher.click()
    expect(page.get_by_role("button", name="Queue onboarding")).to_be_visible()
    expect(step).to_have_count(0)

    wait_sent(staff)
    funnel = wait_funnel(admin_api, tour_id, lambda f: f["dismissals"] == 1)
    assert funnel["starts"] == 1
    assert funnel["completions"] == 0
    assert [s["views"] for s in funnel["steps"]] == [1, 1, 1]
    assert [s["dismissed"] for s in funnel["steps"]] == [0, 0, 1]
    assert [s["drop_off"] for s in funnel["steps"]] == [0, 0, 1]
    assert [s["not_found"] for s in funnel["steps"]] == [0, 0, 0]
    assert [s["title"] for s in funnel["steps"]][2] == "Save your settings"


def test_a_missing_target_is_reported_and_the_tour_goes_on(staff, admin_api, demo_server):
    content = {
        "steps": [
            {"target": {"selector": "[data-testid='no-such-thing']"}, "title": "Gone"},
            {"target": {"selector": "[data-testid='queue-filter']"}, "title": "Filter the queue"},
        ],
        "trigger": {"type": "launcher"},
    }
    exp = admin_api.live("tour", "Broken onboarding", {"url": f"{demo_server}/*"}, content)
    page, _ = open_page(staff, demo_server + "/")
    step = dialog(page, exp["id"])
    # A launcher tour does not start on its own; the help launcher lists it.
    launcher = page.get_by_role("button", name="Help: tours on this page")
    expect(launcher).to_be_visible()
    expect(step).to_have_count(0)
    audit(page, "launcher closed")
    launcher.click()
    expect(launcher).to_have_attribute("aria-expanded", "true")
    audit(page, "launcher open")
    page.get_by_role("button", name="Broken onboarding").click()

    # After the wait limit (8 s) the step shows in the middle, says so, and offers Next.
    expect(step).to_contain_text("We couldn't find this on the page", timeout=12_000)
    expect(step).to_contain_text("Step 1 of 2")
    audit(page, "step with a missing target")
    step.get_by_role("button", name="Next").click()
    expect(step).to_contain_text("Filter the queue")
    step.get_by_role("button", name="Done").click()
    expect(step).to_have_count(0)
    expect(launcher).to_be_visible()

    wait_sent(staff)
    funnel = wait_funnel(admin_api, exp["id"], lambda f: f["completions"] == 1)
    assert funnel["starts"] == 1
    assert funnel["steps"][0]["not_found"] == 1
    assert funnel["steps"][0]["not_found_rate"] == 1.0
    assert funnel["steps"][1]["not_found"] == 0
