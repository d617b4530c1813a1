"""Author mode, as an admin uses it: the toolbar button on the Helpdesk Ops demo, the
element picker, the step editor, preview, save, publish, version history and rollback,
all through the extension's own UI. Then a staff browser gets what was published.

The toolbar button is clicked the way Chromium's toolbar does it (CDP
``Extensions.triggerAction`` on the tab), which grants the extension ``activeTab`` just
like a real click.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from e2e.harness import EXTENSION_ID, ROOT, open_page, sign_in

pytestmark = pytest.mark.e2e

AXE = ROOT / "extension" / "node_modules" / "axe-core" / "axe.min.js"
PANEL = "aside[data-nudgelayer-author-panel]"
AUTHOR_HOST = "nudgelayer-author"
KPI = "[data-kpi='Open tickets']"
FILTER = "[data-testid='queue-filter']"
BULK = "[data-testid='bulk-assign']"

# Everything of the page a leftover of author mode could change, Nudgelayer's own
# runtime overlay left out (it comes and goes with live experiences).
PAGE_STATE_JS = """() => {
    const all = [...document.querySelectorAll('*')].filter((el) => !el.closest('nudgelayer-root'));
    const attrs = (el) => [...el.attributes].map((a) => a.name + '=' + a.value).sort().join(' ');
    return {
        elements: all.length,
        author: document.querySelectorAll('nudgelayer-author, [data-nudgelayer-author]').length,
        html: attrs(document.documentElement),
        body: attrs(document.body),
        styles: document.querySelectorAll('style, link[rel=stylesheet]').length,
        sheets: document.adoptedStyleSheets.length,
    };
}"""


def click_toolbar_button(context: BrowserContext, page: Page) -> None:
    """Click the extension's toolbar button for ``page``'s tab, as Chromium's toolbar does."""
    page.bring_to_front()
    cdp = context.browser.new_browser_cdp_session()
    try:
        # A click on the toolbar is a click for the active tab: wait until ours is.
        deadline = time.monotonic() + 5
        while True:
            tabs = cdp.send("Target.getTargets", {"filter": [{"type": "tab"}]})["targetInfos"]
            mine = [t for t in tabs if t["url"] == page.url]
            assert len(mine) == 1, f"expected one tab at {page.url}: {tabs}"
            if (
                mine[0].get("embedderData", {}).get("tabActive", True)
                or time.monotonic() > deadline
            ):
                break
            page.wait_for_timeout(100)
        cdp.send("Extensions.triggerAction", {"id": EXTENSION_ID, "targetId": mine[0]["targetId"]})
    finally:
        cdp.detach()


def panel(page: Page) -> Locator:
    return page.locator(PANEL)


def turn_on_author_mode(context: BrowserContext, page: Page) -> Locator:
    click_toolbar_button(context, page)
    side = panel(page)
    try:
        expect(side).to_be_visible(timeout=10_000)
    except AssertionError:
        # The button opens the settings instead when it does not see an admin on a web page.
        opened = [p.url for p in context.pages if p.url.endswith("options.html")]
        raise AssertionError(f"no author panel; settings pages opened: {opened}") from None
    expect(side).to_contain_text("Signed in as")
    return side


def pick(page: Page, side: Locator, selector: str) -> None:
    """Point at an element of the page and click it while the picker runs."""
    expect(side.get_by_role("button", name="Cancel picking")).to_be_visible()
    target = page.locator(selector).first
    target.hover()
    expect(page.locator(f"{AUTHOR_HOST} .pick-box")).to_be_visible()
    target.click()
    expect(side.get_by_role("button", name="Cancel picking")).to_have_count(0)


def add_step(page: Page, side: Locator, selector: str, title: str, body: str = "") -> None:
    side.get_by_role("button", name="Add a step").click()
    pick(page, side, selector)
    editor = side.locator(".step-editor")
    expect(editor.locator("[data-nla=check]")).to_have_text("Found ✓")
    expect(editor.locator("[data-nla=selector]")).not_to_be_empty()
    editor.get_by_label("Title").fill(title)
    if body:
        editor.get_by_label("Body", exact=True).fill(body)


def axe_violations(page: Page, selector: str) -> list[dict]:
    if not page.evaluate("() => Boolean(window.axe)"):
        page.add_script_tag(path=str(AXE))
    results = page.evaluate(
        """async (sel) => {
            const r = await axe.run({include: [[sel]]});
            return {
                violations: r.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5)})),
                // Proof that the audit went into the shadow root: controls it checked.
                checked: r.passes
                    .filter((p) => ['button-name', 'label', 'color-contrast'].includes(p.id))
                    .reduce((n, p) => n + p.nodes.length, 0),
            };
        }""",
        selector,
    )
    assert results["checked"] >= 3, "axe did not see the panel's controls"
    return [v for v in results["violations"] if v["impact"] in ("serious", "critical")]


def experience_named(api, name: str) -> int:
    """The id of the experience the panel saved under ``name``."""
    return next(e["id"] for e in api.call("GET", "/experiences")["items"] if e["name"] == name)


@pytest.fixture
def unpublish_after(admin_api) -> Iterator[list[int]]:
    """Experiences a test published through the panel, taken off every page after it.

    Unpublished, not deleted: events keep their experience id, and on SQLite a deleted
    experience's id goes to the next one created, which would inherit this one's staff
    events (another test's tour funnel would count our tour's start).
    """
    ids: list[int] = []
    yield ids
    for exp_id in ids:
        admin_api.call("POST", f"/experiences/{exp_id}/unpublish", expect_status=(200, 409))


@pytest.fixture
def admin(browser, backend) -> BrowserContext:
    sign_in(browser, backend.url, backend.admin)
    return browser


def test_admin_builds_a_tour_across_two_routes_and_publishes_it(
    admin, staff, admin_api, unpublish_after, demo_server
):
    page, dialogs = open_page(admin, demo_server + "/")
    expect(page.get_by_role("heading", name="Overview", level=1)).to_be_visible()
    side = turn_on_author_mode(admin, page)

    side.get_by_role("button", name="New tour").click()
    name = f"Helpdesk basics {uuid.uuid4().hex[:6]}"
    side.get_by_label("Name").fill(name)
    expect(side.get_by_label("Show on pages (URL pattern)")).to_have_value(f"{demo_server}/*")

    # Step 1 and 2 on the overview, step 3 on the queue, reached through the app's own
    # navigation between picks (the picker is off, so the click reaches the page).
    add_step(page, side, KPI, "Your open tickets", "The **open** count, live.")
    expect(side.locator(".md strong")).to_have_text("open")
    expect(side.get_by_label("Step page (URL pattern)")).to_have_value(f"{demo_server}/")
    add_step(page, side, FILTER, "Find a ticket", "Type an id like `HD-4100`.")
    side.get_by_label("Placement").select_option("bottom")

    page.get_by_role("navigation", name="Main").locator("a[href='/tickets']").click()
    expect(page).to_have_url(f"{demo_server}/tickets")
    expect(page.locator(BULK)).to_be_visible()
    # "Assign selected" is under the panel, docked on the right: move it aside.
    side.get_by_role("button", name="Dock left").click()
    add_step(page, side, BULK, "Assign in bulk")
    side.get_by_role("button", name="Dock right").click()
    expect(side.get_by_label("Step page (URL pattern)")).to_have_value(f"{demo_server}/tickets")
    side.get_by_label("When the element is clicked").check()

    steps = side.get_by_role("list", name="Steps").get_by_role("listitem")
    expect(steps).to_have_count(3)
    # Reorder, duplicate and delete, and end where we started.
    side.get_by_role("button", name="Move step 3 up").click()
    expect(steps.nth(1)).to_contain_text("Assign in bulk")
    side.get_by_role("button", name="Move step 2 down").click()
    expect(steps.nth(2)).to_contain_text("Assign in bulk")
    side.get_by_role("button", name="Duplicate step 1").click()
    expect(steps).to_have_count(4)
    expect(steps.nth(1)).to_contain_text("Your open tickets")
    side.get_by_role("button", name="Delete step 2").click()
    expect(steps).to_have_count(3)
    expect(steps.nth(0)).to_contain_text("1. Your open tickets")
    expect(steps.nth(1)).to_contain_text("2. Find a ticket")
    expect(steps.nth(2)).to_contain_text("3. Assign in bulk")

    # The server's validation shows next to the field: step 3 without a title.
    side.get_by_role("button", name="3. Assign in bulk").click()
    title = side.locator(".step-editor").get_by_label("Title")
    title.fill("")
    side.get_by_role("button", name="Save draft").click()
    expect(title).to_have_attribute("aria-invalid", "true")
    error_id = title.get_attribute("aria-describedby").split()[-1]
    expect(side.locator(f"#{error_id}")).to_contain_text("Length must be between 1 and 200")
    expect(side.get_by_role("status")).to_contain_text("need fixing")
    # The panel in its busiest state (steps, editor, an error) passes an axe-core audit.
    violations = axe_violations(page, AUTHOR_HOST)
    assert violations == [], violations
    title.fill("Assign in bulk")
    side.get_by_role("button", name="Save draft").click()
    expect(side.get_by_role("status")).to_contain_text("Draft saved: version 1")
    expect(title).not_to_have_attribute("aria-invalid", "true")

    exp_id = experience_named(admin_api, name)
    unpublish_after.append(exp_id)

    # Preview in place, from the start of the tour, on its first page.
    page.get_by_role("navigation", name="Main").locator("a[href='/']").click()
    expect(page).to_have_url(f"{demo_server}/")
    side.get_by_role("button", name="Preview").click()
    expect(side.get_by_role("status")).to_contain_text("Previewing")
    first = page.get_by_role("dialog", name="Your open tickets")
    expect(first).to_be_visible()
    expect(first).to_contain_text("Step 1 of 3")
    # Skipping the previewed tour ends the preview; the panel hears of it.
    first.get_by_role("button", name="Skip tour").click()
    expect(first).to_have_count(0)
    expect(side.get_by_role("status")).to_have_text("Preview ended.")
    expect(side.get_by_role("button", name="Preview", exact=True)).to_be_visible()

    side.get_by_role("button", name="Publish").click()
    expect(side.get_by_role("status")).to_contain_text("Published version 1")

    live = admin_api.call("GET", f"/experiences/{exp_id}")
    assert live["status"] == "published"
    assert live["targeting"] == {"url": f"{demo_server}/*", "segment": None}
    got = live["content"]["steps"]
    assert [s["title"] for s in got] == ["Your open tickets", "Find a ticket", "Assign in bulk"]
    assert [s["url"] for s in got] == [
        f"{demo_server}/",
        f"{demo_server}/",
        f"{demo_server}/tickets",
    ]
    assert got[1]["placement"] == "bottom"
    assert [s["advance"] for s in got] == ["next", "next", "click"]
    for step in got:
        # Resilient targets: several candidates and a fingerprint, not one selector.
        assert len(step["target"]["candidates"]) >= 2, step["target"]
        assert step["target"]["fingerprint"], step["target"]
    assert got[1]["target"]["selector"] == '[data-testid="queue-filter"]'
    assert dialogs == []

    # A staff browser gets the published tour.
    staff_page, _ = open_page(staff, demo_server + "/")
    expect(staff_page.get_by_role("dialog", name="Your open tickets")).to_be_visible(timeout=10_000)


def test_picker_and_author_mode_leave_nothing_in_the_page(admin, demo_server):
    page, _ = open_page(admin, demo_server + "/settings")
    save = page.locator("#save")
    expect(save).to_be_visible()
    # The page is settled once its late open-ticket counter is in the navigation.
    expect(
        page.get_by_role("navigation", name="Main").locator("[aria-label$=' open']")
    ).to_be_visible()
    before = page.evaluate(PAGE_STATE_JS)

    side = turn_on_author_mode(admin, page)
    side.get_by_role("button", name="New tooltip").click()  # starts the picker at once
    expect(side.get_by_role("button", name="Cancel picking")).to_be_visible()

    # While picking, a click selects and does not reach the page.
    save.hover()
    label = page.locator(f"{AUTHOR_HOST} .pick-label")
    expect(label).to_have_text("button “Save”")
    page.keyboard.press("ArrowUp")  # the parent, then back to the button
    expect(label).not_to_have_text("button “Save”")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Escape")
    expect(page.locator(f"{AUTHOR_HOST} .pick-box")).to_have_count(0)
    expect(side.get_by_role("status")).to_have_text("Picking cancelled.")

    side.get_by_role("button", name="Pick element").click()
    save.click()
    expect(page.get_by_test_id("save-status")).to_be_empty()  # the app's Save did not run
    expect(side.locator("[data-nla=selector]")).to_have_text("#save")
    expect(side.locator("[data-nla=check]")).to_have_text("Found ✓")

    # By keyboard: the element under the pointer, its parent (ArrowUp), taken with Enter;
    # then the panel's "First child element" goes back down.
    side.get_by_role("button", name="Pick another element").click()
    save.hover()
    expect(label).to_have_text("button “Save”")
    page.keyboard.press("ArrowUp")
    expect(label).not_to_have_text("button “Save”")
    page.keyboard.press("Enter")
    expect(side.locator("[data-nla=selector]")).not_to_have_text("#save")
    expect(side.locator("[data-nla=check]")).to_have_text("Found ✓")
    side.get_by_role("button", name="First child element").click()
    expect(side.locator("[data-nla=selector]")).to_have_text("#save")
    side.get_by_role("button", name="Parent element").click()
    expect(side.locator("[data-nla=selector]")).not_to_have_text("#save")
    expect(page.get_by_test_id("save-status")).to_be_empty()

    # Turned off with the toolbar button again: the page is as it was, and its own
    # buttons work again.
    click_toolbar_button(admin, page)
    expect(side).to_have_count(0)
    after = page.evaluate(PAGE_STATE_JS)
    assert after == before
    save.click()
    expect(page.get_by_test_id("save-status")).to_contain_text("Settings saved")

    # On again and off with the panel's Close button, mid-pick.
    side = turn_on_author_mode(admin, page)
    side.get_by_role("button", name="New tooltip").click()
    expect(side.get_by_role("button", name="Cancel picking")).to_be_visible()
    side.get_by_role("button", name="Close").click()
    expect(side).to_have_count(0)
    assert page.evaluate(PAGE_STATE_JS) == before
    page.get_by_role("navigation", name="Main").locator("a[href='/tickets']").click()
    expect(page).to_have_url(f"{demo_server}/tickets")


def test_tooltip_versions_and_rollback_from_the_panel(admin, admin_api, demo_server):
    page, _ = open_page(admin, demo_server + "/settings")
    expect(page.locator("#save")).to_be_visible()
    side = turn_on_author_mode(admin, page)
    expect(side.get_by_role("heading", name="On this page")).to_be_visible()
    expect(side.get_by_text("Loading…")).to_have_count(0)

    side.get_by_role("button", name="New tooltip").click()
    pick(page, side, "#save")
    name = f"Save reminder {uuid.uuid4().hex[:6]}"
    side.get_by_label("Name").fill(name)
    side.get_by_label("Audience").select_option(label="Staff")
    side.get_by_label("Title").fill("Save before you leave")
    # The preview shows the tooltip to the admin too (its audience is staff): the
    # runtime's own card, next to the element, before anything is saved.
    side.get_by_role("button", name="Preview").click()
    card = page.get_by_role("dialog", name="Save before you leave")
    expect(card).to_be_visible()
    side.get_by_role("button", name="Stop preview").click()
    expect(card).to_have_count(0)
    side.get_by_role("button", name="Publish").click()  # saves the draft first
    expect(side.get_by_role("status")).to_contain_text("Published version 1")
    exp_id = experience_named(admin_api, name)
    admin_api.created.append(exp_id)

    side.get_by_label("Title").fill("Saving is automatic now")
    side.get_by_role("button", name="Publish").click()
    expect(side.get_by_role("status")).to_contain_text("Published version 2")
    assert (
        admin_api.call("GET", f"/experiences/{exp_id}")["content"]["title"]
        == "Saving is automatic now"
    )

    side.get_by_role("button", name="Show versions").click()
    history = side.get_by_role("region", name="Version history")
    expect(history.get_by_role("listitem")).to_have_count(2)
    expect(history.get_by_role("listitem").first).to_contain_text("Version 2 · live")
    history.get_by_role("button", name="Roll back to version 1").click()
    expect(side.get_by_role("status")).to_contain_text(
        "version 1's content is live again as version 3"
    )
    expect(history.get_by_role("listitem")).to_have_count(3)
    expect(side.get_by_label("Title")).to_have_value("Save before you leave")

    live = admin_api.call("GET", f"/experiences/{exp_id}")
    assert (live["status"], live["version"]) == ("published", 3)
    assert live["content"]["title"] == "Save before you leave"
    assert live["targeting"]["segment"] == {"attr": "role", "op": "eq", "value": "staff"}

    violations = axe_violations(page, AUTHOR_HOST)
    assert violations == [], violations

    # The list of this page's experiences has it now.
    side.get_by_role("button", name="All experiences on this page").click()
    item = side.get_by_role("listitem").filter(has_text=name)
    expect(item).to_contain_text("Tooltip · live · version 3")
    item.get_by_role("button", name=f"Edit {name}").click()
    expect(side.get_by_label("Name")).to_have_value(name)
    side.get_by_role("button", name="All experiences on this page").click()
    violations = axe_violations(page, AUTHOR_HOST)
    assert violations == [], violations

    # Closing with unsaved changes asks for a second press.
    side.get_by_role("button", name=f"Edit {name}").click()
    side.get_by_label("Title").fill("Never saved")
    side.get_by_role("button", name="Close").click()
    expect(side.get_by_role("status")).to_contain_text("Unsaved changes")
    side.get_by_role("button", name="Close").click()
    expect(side).to_have_count(0)
    assert (
        admin_api.call("GET", f"/experiences/{exp_id}")["content"]["title"]
        == "Save before you leave"
    )


def test_for_staff_the_toolbar_button_opens_the_settings_not_author_mode(staff, demo_server):
    page, _ = open_page(staff, demo_server + "/")
    expect(page.get_by_role("heading", name="Overview", level=1)).to_be_visible()
    with staff.expect_page() as opened:
        click_toolbar_button(staff, page)
    settings = opened.value
    expect(settings).to_have_url(f"chrome-extension://{EXTENSION_ID}/options.html")
    expect(settings.get_by_text("Signed in as")).to_be_visible()
    settings.close()
    # Author mode's bundle was never injected: no panel, no host element.
    assert page.evaluate("() => document.querySelectorAll('nudgelayer-author').length") == 0


def test_unsaved_work_survives_a_full_page_load(admin, demo_server):
    page, _ = open_page(admin, demo_server + "/settings")
    expect(page.locator("#save")).to_be_visible()
    side = turn_on_author_mode(admin, page)
    side.get_by_role("button", name="New tour").click()
    side.get_by_label("Name").fill("Settings walkthrough")
    add_step(page, side, "#save", "Save your changes")

    # A classic (non-SPA) navigation ends author mode with its document...
    page.reload()
    expect(page.locator("#save")).to_be_visible()
    expect(panel(page)).to_have_count(0)

    # ...and the next click of the toolbar button offers to go on.
    side = turn_on_author_mode(admin, page)
    kept = side.get_by_role("region", name="Unsaved changes")
    expect(kept).to_contain_text("“Settings walkthrough”")
    kept.get_by_role("button", name="Continue editing").click()
    expect(side.get_by_label("Name")).to_have_value("Settings walkthrough")
    expect(side.get_by_role("button", name="1. Save your changes")).to_be_visible()
    expect(side.locator("[data-nla=check]")).to_have_text("Found ✓")

    # Discarded on purpose (Close twice), it is not offered again.
    side.get_by_role("button", name="Close").click()
    side.get_by_role("button", name="Close").click()
    expect(side).to_have_count(0)
    side = turn_on_author_mode(admin, page)
    expect(side.get_by_role("heading", name="On this page")).to_be_visible()
    expect(side.get_by_role("region", name="Unsaved changes")).to_have_count(0)
