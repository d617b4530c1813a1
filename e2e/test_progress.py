"""Progress in a staff browser on the demo dashboard: a badge and a checklist, page visits
that tick items ("2 of 3"), badge counters that other systems change in the open tab, a
goal the user commits to and its chart; an axe-core audit of each widget."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from e2e.harness import Api, audit_overlay, open_page

pytestmark = pytest.mark.e2e

QUEUE_FILTER = "[data-testid='queue-filter']"
CHECKLIST = "section[data-nudgelayer-kind='checklist'][data-nudgelayer-experience-id='{id}']"
BADGE = "[data-nudgelayer-kind='badge'][data-nudgelayer-experience-id='{id}']"
LAUNCHER = "[data-nudgelayer-part='progress-launcher']"
PANEL = "[data-nudgelayer-part='progress-panel']"
# Page views reach the server in the worker's next batch (about 3 s), then come back as
# a `progress` push: allow for both.
SERVER_ROUND_TRIP_MS = 15_000
LIVE_MS = 2_000  # a counter another system posts shows in an open tab within 2 s


audit = audit_overlay


@pytest.fixture(scope="module")
def staff_api(backend) -> Iterator[Api]:
    """The staff member's own REST client (their consent, their events)."""
    api = Api(backend.url, backend.staff)
    before = api.call("GET", "/me/consent")
    # The first-run privacy question is another feature's; decided here so it stays away.
    api.call(
        "PUT",
        "/me/consent",
        json={"analytics": False, "identified_surveys": False, "leaderboards": False},
    )
    yield api
    # The staff account is shared by the whole session: later tests (surveys) rely on
    # the choices it had, so put them back.
    api.call(
        "PUT",
        "/me/consent",
        json={k: before[k] for k in ("analytics", "identified_surveys", "leaderboards")},
    )


@pytest.fixture
def cleanup_rules(admin_api):
    """Goals and gamification rules a test made, deleted after it."""
    made: list[str] = []
    yield made
    for path in reversed(made):
        admin_api.call("DELETE", path, expect_status=(204, 404))


def unique() -> str:
    return uuid.uuid4().hex[:8]


def checklist(page: Page, exp_id: int):
    return page.locator(CHECKLIST.format(id=exp_id))


def test_visiting_two_pages_ticks_two_items_and_the_widget_shows_2_of_3(
    staff, staff_api, admin_api, demo_server
):
    tag = unique()
    exp = admin_api.live(
        "checklist",
        f"Onboarding {tag}",
        {"url": f"{demo_server}/*"},
        {
            "title": "Get started with Helpdesk Ops",
            "items": [
                {"title": "Open the ticket queue", "url": f"{demo_server}/tickets?tour={tag}"},
                {
                    "title": "Review your settings",
                    "done_when": {
                        "event": "page.view",
                        "url": f"{demo_server}/settings?tour={tag}",
                    },
                },
                {"title": "Say hello to your team"},
            ],
        },
    )
    badge = admin_api.live(
        "badge",
        f"New filter {tag}",
        {"url": f"{demo_server}/*"},
        {"target": {"selector": QUEUE_FILTER}, "label": "New"},
    )
    page, dialogs = open_page(staff, f"{demo_server}/")
    widget = checklist(page, exp["id"])
    expect(widget).to_be_visible()
    expect(widget.get_by_role("heading")).to_contain_text("Get started with Helpdesk Ops")
    expect(widget).to_contain_text("0 of 3")
    label = page.locator(BADGE.format(id=badge["id"]))
    expect(label).to_have_text("New")
    expect(label).to_be_visible()
    audit(page, "checklist at 0 of 3, badge")

    page.goto(f"{demo_server}/tickets?tour={tag}")
    expect(checklist(page, exp["id"])).to_contain_text("1 of 3", timeout=SERVER_ROUND_TRIP_MS)
    page.goto(f"{demo_server}/settings?tour={tag}")
    widget = checklist(page, exp["id"])
    expect(widget).to_contain_text("2 of 3", timeout=SERVER_ROUND_TRIP_MS)
    expect(widget.get_by_role("checkbox", name="Open the ticket queue")).to_be_checked()
    expect(widget.get_by_role("checkbox", name="Review your settings")).to_be_checked()
    expect(widget.get_by_role("checkbox", name="Say hello to your team")).not_to_be_checked()
    expect(widget.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "2")

    # The last item by hand: done, a celebration, and the server keeps it.
    widget.get_by_role("checkbox", name="Say hello to your team").check()
    expect(widget).to_contain_text("3 of 3")
    expect(widget.get_by_role("status")).to_have_text("All done. Well done!")
    audit(page, "checklist complete")
    state = staff_api.call("GET", "/client/progress")
    [mine] = [c for c in state["checklists"] if c["id"] == exp["id"]]
    assert mine["done"] == [0, 1, 2] and mine["complete"] is True

    # Collapsed stays collapsed on the next page.
    widget.get_by_role("button", name="Get started with Helpdesk Ops").click()
    expect(widget.get_by_role("checkbox", name="Say hello to your team")).to_be_hidden()
    page.goto(f"{demo_server}/")
    widget = checklist(page, exp["id"])
    expect(widget).to_contain_text("3 of 3")
    expect(widget.get_by_role("button", name="Get started with Helpdesk Ops")).to_have_attribute(
        "aria-expanded", "false"
    )
    assert dialogs == []


def test_counters_posted_by_other_systems_update_the_open_tab(
    staff, staff_api, admin_api, demo_server
):
    tag = unique()
    key = f"queue.pending.{tag}"
    escalated = f"ticket.escalated.{tag}"
    pending = admin_api.live(
        "badge",
        f"Pending {tag}",
        {"url": f"{demo_server}/*"},
        {
            "target": {"selector": QUEUE_FILTER},
            "label": "{{count}} pending",
            "counter": {"source": "signal", "key": key},
            "hide_when_zero": True,
        },
    )
    escalations = admin_api.live(
        "badge",
        f"Escalations {tag}",
        {"url": f"{demo_server}/*"},
        {
            "target": {"selector": "a[aria-label='Helpdesk Ops home']"},
            "label": "escalated",
            "counter": {"source": "events", "key": escalated, "scope": "workspace"},
            "placement": "right",
        },
    )
    page, _ = open_page(staff, f"{demo_server}/tickets")
    page.evaluate("window.__e2eSamePage = true")
    label = page.locator(BADGE.format(id=pending["id"]))
    events_label = page.locator(BADGE.format(id=escalations["id"]))
    expect(events_label).to_have_text("0 escalated")
    expect(label).to_be_hidden()  # no value yet: no claim

    admin_api.call("POST", f"/counters/{key}", json={"value": 3})
    posted = time.monotonic()
    expect(label).to_have_text("3 pending", timeout=LIVE_MS)
    assert time.monotonic() - posted < LIVE_MS / 1000
    expect(label).to_be_visible()
    audit(page, "counter badge")

    # Another system's events (its own token) move the workspace's count at once.
    now = datetime.now(UTC).isoformat()
    batch = [{"id": str(uuid.uuid4()), "type": escalated, "ts": now} for _ in range(2)]
    admin_api.call("POST", "/events", json={"events": batch}, expect_status=(202,))
    expect(events_label).to_have_text("2 escalated", timeout=LIVE_MS)

    admin_api.call("POST", f"/counters/{key}", json={"value": 0})
    expect(label).to_be_hidden(timeout=LIVE_MS)
    assert page.evaluate("window.__e2eSamePage") is True


def test_a_user_commits_to_a_goal_and_sees_its_chart(
    staff, staff_api, admin_api, demo_server, cleanup_rules
):
    tag = unique()
    event_type = f"ticket.closed.{tag}"
    now = datetime.now(UTC)
    goal = admin_api.call(
        "POST",
        "/goals",
        json={
            "title": f"Close 5 tickets ({tag})",
            "event_type": event_type,
            "target": 5,
            "starts_at": (now - timedelta(days=2)).isoformat(),
            "deadline": (now + timedelta(hours=20)).isoformat(),
        },
    )
    cleanup_rules.append(f"/goals/{goal['id']}")
    rule = admin_api.call(
        "POST",
        "/gamification/rules",
        json={"kind": "points", "name": f"Closing {tag}", "event_type": event_type, "points": 10},
    )
    cleanup_rules.append(f"/gamification/rules/{rule['id']}")
    batch = [
        {"id": str(uuid.uuid4()), "type": event_type, "ts": (now - timedelta(days=d)).isoformat()}
        for d in (1, 0)
    ]
    staff_api.call("POST", "/events", json={"events": batch}, expect_status=(202,))
    admin_api.live(
        "badge",
        f"Anchor {tag}",
        {"url": f"{demo_server}/*"},
        {"target": {"selector": QUEUE_FILTER}, "label": "New"},
    )

    page, _ = open_page(staff, f"{demo_server}/")
    launcher = page.locator(LAUNCHER)
    expect(launcher).to_be_visible(timeout=SERVER_ROUND_TRIP_MS)
    launcher.click()
    panel = page.locator(PANEL)
    expect(panel).to_be_visible()
    expect(panel.get_by_role("heading", name="Your progress")).to_be_visible()
    card = panel.locator(f"[data-nudgelayer-goal-id='{goal['id']}']")
    expect(card).to_contain_text("2 of 5")
    expect(card).not_to_contain_text("Due in")  # reminders are for commitments
    expect(card.locator("[data-nudgelayer-part='goal-chart']")).to_have_count(0)
    audit(page, "panel before committing")

    card.get_by_role("button", name="Commit to this goal").click()
    expect(card.get_by_role("group")).to_contain_text("You will see a reminder here")
    audit(page, "commitment confirmation")
    card.get_by_role("button", name="Yes, I commit").click()
    chart = card.locator("[data-nudgelayer-part='goal-chart']")
    expect(chart).to_be_visible()
    expect(chart.locator("title")).to_have_text(f"Progress towards Close 5 tickets ({tag})")
    expect(chart.locator("polyline")).to_have_count(1)
    expect(card).to_contain_text("You committed on")
    expect(card).to_contain_text("Due in 20 hours: 3 more to reach 5.")
    # The launcher now counts the committed goal that is close to its deadline.
    expect(launcher).to_contain_text("1")
    audit(page, "panel with a committed goal and its chart")
    [state] = [
        g for g in staff_api.call("GET", "/client/gamification")["goals"] if g["id"] == goal["id"]
    ]
    assert state["committed"] is True and state["value"] == 2

    page.keyboard.press("Escape")
    expect(panel).to_have_count(0)
    expect(launcher).to_be_focused()
