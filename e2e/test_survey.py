"""Micro-surveys end to end: an admin publishes a two-question survey (API); a staff browser
with the extension answers it on the demo dashboard with the keyboard only (Tab, arrows,
Space, Enter); an analyst signs in to the console, sees the response on the results page
and downloads CSV, JSON Lines and XLSX, which open in csv, json and openpyxl with the same
rows. Every state of the card passes an axe-core audit (no serious or critical issue)."""

from __future__ import annotations

import csv
import json
import time
import uuid

import openpyxl
import pytest
from playwright.sync_api import Page, expect

from e2e.harness import AXE, PASSWORD, Api, audit_overlay, open_page

pytestmark = pytest.mark.e2e

CARD = "section[data-nudgelayer-kind='survey'][data-nudgelayer-experience-id='{id}']"
# Answers go through the worker's queue; it sends at once, but allow for a slow machine.
SAVED_WITHIN_S = 15


audit = audit_overlay


def audit_console(page: Page, what: str) -> None:
    """axe-core over a whole console page: no serious or critical issue."""
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
            .filter((v) => ["serious", "critical"].includes(v.impact))
            .map((v) => `${v.id}: ${v.help} ` +
                v.nodes.map((n) => JSON.stringify(n.target)).join(", "))"""
    )
    assert found == [], f"{what}: {found}"


def focused_in_card(page: Page) -> str | None:
    """What has the keyboard focus inside the survey card ("input:radio:0", "textarea", ...)."""
    return page.evaluate(
        """() => {
            const host = document.querySelector("nudgelayer-root");
            const el = host && host.shadowRoot && host.shadowRoot.activeElement;
            if (!el || !el.closest("[data-nudgelayer-kind='survey']")) return null;
            if (el.tagName === "INPUT") return `input:${el.type}:${el.value}`;
            const action = el.dataset.nudgelayerAction;
            return action ? `button:${action}` : el.tagName.toLowerCase();
        }"""
    )


def tab_into_card(page: Page, limit: int = 120) -> str:
    """Press Tab until the focus reaches the card (it sits last in the page's tab order)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        where = focused_in_card(page)
        if where:
            return where
    raise AssertionError(f"Tab never reached the survey card in {limit} presses")


@pytest.fixture
def analyst(backend) -> str:
    email = f"analyst-{uuid.uuid4().hex[:6]}@{backend.workspace}.test"
    backend.run_cli(
        "create-user", backend.workspace, email, "--role", "analyst", "--password", PASSWORD
    )
    return email


@pytest.fixture
def console_page(_plain_chromium):
    """Chromium without the extension for the console; CSP bypassed only so axe-core can run."""
    context = _plain_chromium.new_context(
        viewport={"width": 1360, "height": 820}, bypass_csp=True, accept_downloads=True
    )
    yield context.new_page()
    context.close()


@pytest.fixture
def no_cooldown(admin_api):
    """Surveys of other runs against a reused database must not hold this one back."""
    before = admin_api.call("GET", "/surveys/settings")["cooldown_days"]
    admin_api.call("PATCH", "/surveys/settings", json={"cooldown_days": 0})
    yield
    admin_api.call("PATCH", "/surveys/settings", json={"cooldown_days": before})


def test_staff_answer_by_keyboard_and_the_analyst_downloads_the_same_rows(
    staff, admin_api, backend, demo_server, console_page, analyst, no_cooldown, tmp_path
):
    tag = uuid.uuid4().hex[:8]
    url = f"{demo_server}/settings?survey={tag}"
    exp = admin_api.live(
        "survey",
        f"Queue pulse {tag}",
        {"url": url},
        {
            "questions": [
                {
                    "id": "score",
                    "type": "nps",
                    "prompt": "How likely are you to recommend the queue?",
                },
                {"id": "why", "type": "text", "prompt": "What would make it better?"},
            ],
            "thank_you": "Thanks, that helps.",
        },
    )
    exp_id = exp["id"]

    # ---- staff: the card shows on the targeted page; keyboard only from here.
    page, dialogs = open_page(staff, url)
    card = page.locator(CARD.format(id=exp_id))
    expect(card).to_be_visible(timeout=15_000)
    expect(
        card.get_by_role("radiogroup", name="How likely are you to recommend the queue?")
    ).to_be_visible()
    audit(page, "question 1, nothing chosen")

    assert tab_into_card(page) == "input:radio:0"
    page.keyboard.press("Space")
    for _ in range(9):
        page.keyboard.press("ArrowRight")
    assert focused_in_card(page) == "input:radio:9"
    expect(card.get_by_role("radio", name="9")).to_be_checked()
    audit(page, "question 1, 9 chosen")
    page.keyboard.press("Tab")
    assert focused_in_card(page) == "button:next"
    page.keyboard.press("Enter")

    # Question 2: the focus moves to its text box; the partial answer is saved already.
    expect(card.get_by_label("What would make it better?")).to_be_focused()
    audit(page, "question 2")

    # A reload half way: the survey comes back at question 2 with the same response
    # (one row in the end, not a partial one plus a complete one).
    page.reload()
    expect(card).to_have_attribute("data-nudgelayer-question", "why", timeout=15_000)
    assert tab_into_card(page) == "textarea"
    page.keyboard.type("Faster =SUM(A1) search")
    page.keyboard.press("Tab")
    assert focused_in_card(page) == "button:back"
    page.keyboard.press("Tab")
    assert focused_in_card(page) == "button:next"
    expect(card.locator("[data-nudgelayer-action='next']")).to_have_text("Submit")
    page.keyboard.press("Enter")
    expect(card.get_by_text("Thanks, that helps.")).to_be_visible()
    audit(page, "thank-you step")
    assert focused_in_card(page) == "button:close"
    page.keyboard.press("Enter")
    expect(card).to_have_count(0)
    assert dialogs == []

    # One complete response with both answers reaches the server.
    deadline = time.monotonic() + SAVED_WITHIN_S
    while True:
        results = admin_api.call("GET", f"/experiences/{exp_id}/results")
        if results["completed"] == 1:
            break
        assert time.monotonic() < deadline, f"the response never arrived: {results}"
        time.sleep(0.3)
    assert results["responses"] == 1 and results["shown"] >= 2
    assert results["nps"]["promoters"] == 1

    # ---- analyst: the console shows it, and the three downloads hold the same row.
    console = console_page
    console.goto(f"{backend.url}/console/login")
    console.get_by_label("Email").fill(analyst)
    console.get_by_label("Password").fill(PASSWORD)
    console.get_by_role("button", name="Sign in").click()
    console.goto(f"{backend.url}/console/surveys/{exp_id}/results")
    expect(console.get_by_role("heading", name=f"Results: Queue pulse {tag}")).to_be_visible()
    expect(console.get_by_text("1 promoters (9–10)")).to_be_visible()
    expect(console.get_by_text("Faster =SUM(A1) search")).to_be_visible()
    audit_console(console, "results page")

    files = {}
    for fmt, label in (("csv", "CSV"), ("jsonl", "JSON Lines"), ("xlsx", "XLSX")):
        with console.expect_download() as download:
            console.get_by_role("link", name=label, exact=True).click()
        path = tmp_path / download.value.suggested_filename
        download.value.save_as(path)
        assert path.name == f"survey-{exp_id}-responses.{fmt}"
        files[fmt] = path
        # The byte count the analyst watched ends in "done".
        expect(console.locator("#export-status")).to_contain_text("done")

    with files["csv"].open(newline="", encoding="utf-8-sig") as fh:
        from_csv = list(csv.DictReader(fh))
    from_jsonl = [json.loads(line) for line in files["jsonl"].read_text("utf-8").splitlines()]
    sheet = openpyxl.load_workbook(files["xlsx"], read_only=True).active
    header, *values = [list(r) for r in sheet.iter_rows(values_only=True)]
    from_xlsx = [dict(zip(header, r, strict=True)) for r in values]

    assert len(from_csv) == len(from_jsonl) == len(from_xlsx) == 1
    row_csv, row_jsonl, row_xlsx = from_csv[0], from_jsonl[0], from_xlsx[0]
    assert row_csv["response_id"] == row_jsonl["response_id"] == row_xlsx["response_id"]
    assert (
        row_csv["user_email"] == row_jsonl["user_email"] == row_xlsx["user_email"] == backend.staff
    )
    assert row_csv["completed"] == "true" and row_jsonl["completed"] is True
    assert row_jsonl["answers"] == {"score": 9, "why": "Faster =SUM(A1) search"}
    assert int(row_csv["score"]) == int(row_xlsx["score"]) == 9
    # The text does not start with a formula sign, so all three keep it as typed.
    assert row_csv["why"] == row_xlsx["why"] == "Faster =SUM(A1) search"

    # Answered: the survey does not come back on the next visit.
    page.reload()
    page.wait_for_timeout(1500)
    expect(card).to_have_count(0)


def test_an_admin_writes_previews_and_publishes_a_survey_in_the_console(
    backend, admin_api, console_page
):
    tag = uuid.uuid4().hex[:8]
    page = console_page
    page.goto(f"{backend.url}/console/login")
    page.get_by_label("Email").fill(backend.admin)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Surveys").click()
    page.get_by_role("link", name="New survey").click()
    page.get_by_label("Name (for admins)").fill(f"Console pulse {tag}")
    page.get_by_label("Pages where it may show (URL glob)").fill(f"https://x.test/{tag}/*")
    page.get_by_label("Trigger", exact=True).select_option("time_on_page")
    page.get_by_label("Seconds on the page (for a time-on-page trigger)").fill("20")
    page.get_by_label("Anonymous").check()
    page.locator("#q0_prompt").fill("How likely are you to recommend us?")
    page.locator("#q0_next").fill("0 -> end")
    page.locator("#q1_type").select_option("multi")
    page.locator("#q1_prompt").fill("What do you use?")
    page.locator("#q1_options").fill("Macros\nViews")
    page.get_by_role("button", name="Preview").click()
    preview = page.get_by_role("region", name="Preview")
    expect(preview.get_by_text("What do you use?")).to_be_visible()
    expect(preview.get_by_text("Anonymous").first).to_be_visible()
    audit_console(page, "survey form with its preview")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Saved as a draft.")).to_be_visible()
    exp_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    admin_api.created.append(exp_id)
    page.get_by_role("button", name="Publish version 1").click()
    live = admin_api.call("GET", f"/experiences/{exp_id}")
    assert live["status"] == "published"
    content = live.get("content") or live["versions"][-1]["content"]
    assert content["trigger"] == {"type": "time_on_page", "seconds": 20}
    assert content["questions"][0]["next"] == {"0": "end"}
    assert content["questions"][1]["options"] == ["Macros", "Views"]


@pytest.mark.parametrize(("how", "reason"), [("snooze", "snoozed"), ("dismiss", "dismissed")])
def test_not_now_and_dont_ask_again_hold_on_the_server(
    staff, admin_api, backend, demo_server, no_cooldown, how, reason
):
    tag = uuid.uuid4().hex[:8]
    url = f"{demo_server}/settings?survey={tag}"
    exp_id = admin_api.live(
        "survey",
        f"Fatigue {tag}",
        {"url": url},
        {"questions": [{"id": "mood", "type": "csat", "prompt": "How was your day?"}]},
    )["id"]
    page, _ = open_page(staff, url)
    card = page.locator(CARD.format(id=exp_id))
    expect(card).to_be_visible(timeout=15_000)
    if how == "snooze":
        tab_into_card(page)
        page.keyboard.press("Escape")  # Esc is "Not now"
    else:
        card.get_by_role("button", name="Don't ask again").click()
    expect(card).to_have_count(0)
    # The server holds it for every device of this person.
    staff_api = Api(backend.url, backend.staff)
    deadline = time.monotonic() + SAVED_WITHIN_S
    while True:
        (verdict,) = staff_api.call("GET", f"/client/surveys/eligibility?ids={exp_id}")["surveys"]
        if verdict["reason"] == reason:
            break
        assert time.monotonic() < deadline, verdict
        time.sleep(0.3)
    page.reload()
    page.wait_for_timeout(1500)
    expect(card).to_have_count(0)
