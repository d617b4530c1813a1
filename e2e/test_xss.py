"""Authored content is inert everywhere it is shown.

Every payload of e2e/xss_payloads.json (HTML, SVG, dangerous link schemes in Markdown,
entity-encoded and mutation XSS, template injection, CSS injection, Unicode tricks)
goes into every authored text field of every kind the extension renders today (read
from its renderer map, so a kind added later is tested without touching this file),
into the console's pages, and into the server error messages the options page echoes.
Nothing may run: no dialog, no ``window.__xss``, no request to the payloads' hosts, no
script/img/iframe/svg/javascript-link element in the overlay; and the text is shown as
the characters the author typed.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from e2e.harness import (
    EXTENSION_DIR,
    EXTENSION_ORIGIN,
    OPTIONS_PATH,
    PASSWORD,
    free_port,
    options_url,
)

pytestmark = pytest.mark.e2e

CORPUS = json.loads((Path(__file__).with_name("xss_payloads.json")).read_text("utf-8"))
PAYLOADS: list[dict] = CORPUS["payloads"]
# The kinds of the public contract (DESIGN.md), in the order the product added them.
KINDS = ("tooltip", "hotspot", "tour", "badge", "checklist", "banner", "survey")
TARGET = "#target"
# JavaScript's \s: what the Markdown renderer trims, and what a body's paragraphs and
# list items rearrange. Bodies are compared without it; titles and labels exactly.
JS_SPACE = re.compile("[\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]")

# Elements and attributes authored text must never become, in the overlay's shadow root
# (our own SVGs, like the tour's backdrop, carry data-nudgelayer-part).
FORBIDDEN_JS = """(root) => {
    const bad = [];
    const walk = (node) => {
        for (const el of node.querySelectorAll("*")) {
            const tag = el.localName;
            if (["script", "img", "image", "iframe", "frame", "frameset", "object", "embed",
                 "link", "meta", "base", "math", "template", "video", "audio", "marquee",
                 "portal", "noscript", "xmp", "listing"].includes(tag)) bad.push(tag);
            if (tag === "svg" && !el.hasAttribute("data-nudgelayer-part")) bad.push("svg");
            for (const attr of el.getAttributeNames()) {
                if (/^on/i.test(attr) || attr === "srcdoc" || attr === "formaction") {
                    bad.push(`${tag}[${attr}]`);
                }
            }
            const href = el.getAttribute("href") || el.getAttribute("xlink:href");
            const scheme = /^\\s*([a-z][a-z0-9+.-]*):/i.exec(href || "");
            const safe = ["http", "https", "mailto", "chrome-extension"];
            if (scheme && !safe.includes(scheme[1].toLowerCase())) {
                bad.push(`${tag}[href=${href.slice(0, 40)}]`);
            }
            if (/expression\\(|javascript:/i.test(el.getAttribute("style") || "")) {
                bad.push(`${tag}[style]`);
            }
            if (el.shadowRoot) walk(el.shadowRoot);
        }
    };
    if (root) walk(root);
    return bad;
}"""


def body_text(entry: dict) -> str:
    return entry.get("body_text", entry["payload"])


def squeeze(text: str | None) -> str:
    return JS_SPACE.sub("", text or "")


def rendered_kinds() -> list[str]:
    """The kinds the extension renders today: the keys of its renderer maps."""
    source = (EXTENSION_DIR / "src" / "content" / "runtime.js").read_text("utf-8")
    names: set[str] = set()
    for block in re.findall(r"const \w*RENDERERS\s*=\s*\{(.*?)\};", source, re.S):
        # "tooltip: initTooltip," or "banner: lazyRenderer(...)," or '"badge:recommended": ...'
        names |= set(re.findall(r'^\s*"?(\w+)(?::\w+)?"?\s*:', block, re.M))
    return [k for k in KINDS if k in names]


def chunks(items: list, size: int) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


class Watch:
    """What a page did that it must not: dialogs, requests to the payloads' hosts."""

    def __init__(self, page: Page):
        self.dialogs: list[str] = []
        self.requests: list[str] = []
        page.on("dialog", self._dialog)
        page.on("request", self._request)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def _request(self, request) -> None:
        if "xss.invalid" in request.url or request.url.startswith(("javascript:", "data:")):
            self.requests.append(request.url)

    def assert_clean(self, page: Page) -> None:
        page.wait_for_timeout(300)  # an onerror or a timer would have fired by now
        assert self.dialogs == []
        assert self.requests == []
        assert page.evaluate("window.__xss") is None
        assert page.evaluate("typeof window.polluted") == "undefined"
        assert page.evaluate("({}).polluted") is None


def shadow_problems(page: Page) -> list[str]:
    return page.evaluate(
        f"() => ({FORBIDDEN_JS})(document.querySelector('nudgelayer-root')?.shadowRoot)"
    )


# --------------------------------------------------------------- kinds and their fields


@dataclass
class Scenario:
    """How one kind carries the payloads, and how its shown text is read back."""

    # payload entries → (name, content) of one experience
    build: Callable[[list[dict]], tuple[str, dict]]
    # payloads per experience (1 unless the kind holds a list, like tour steps)
    per_experience: int
    # check what the page shows for these published experiences (with their entries)
    check: Callable[[Page, list[tuple[dict, list[dict]]]], None]
    # how many experiences may be live on one page at once
    per_page: int = 200
    # workspace settings the kind needs first (e.g. no cooldown between surveys); returns
    # what puts them back
    setup: Callable[[object], Callable[[], None]] | None = None


def _cards(page: Page, kind: str) -> dict[int, dict]:
    return {
        int(c["id"]): c
        for c in page.evaluate(
            """(kind) => {
                const root = document.querySelector('nudgelayer-root')?.shadowRoot;
                if (!root) return [];
                return [...root.querySelectorAll(`[role=dialog][data-nudgelayer-kind=${kind}]`)]
                  .map((el) => ({
                    id: el.dataset.nudgelayerExperienceId,
                    title: el.querySelector('.title')?.textContent,
                    body: el.querySelector('.body')?.textContent,
                    hidden: el.hidden,
                  }));
            }""",
            kind,
        )
    }


def _check_cards(kind: str, must_show: bool):
    def check(page: Page, published: list[tuple[dict, list[dict]]]) -> None:
        ids = [exp["id"] for exp, _ in published]
        page.wait_for_function(
            """([kind, n]) => {
                const root = document.querySelector('nudgelayer-root')?.shadowRoot;
                const sel = `[role=dialog][data-nudgelayer-kind=${kind}]`;
                return (root?.querySelectorAll(sel).length ?? 0) >= n;
            }""",
            arg=[kind, len(ids)],
            timeout=20_000,
        )
        cards = _cards(page, kind)
        for exp, (entry,) in published:
            shown = cards[exp["id"]]
            assert shown["title"] == entry["payload"], (kind, "title", entry)
            assert squeeze(shown["body"]) == squeeze(body_text(entry)), (kind, "body", entry)
            if must_show:
                assert not shown["hidden"], (kind, "hidden", entry)
        if kind == "hotspot":
            labels = page.evaluate(
                """() => {
                    const root = document.querySelector('nudgelayer-root').shadowRoot;
                    const beacons = [...root.querySelectorAll('[data-nudgelayer-part=beacon]')];
                    return Object.fromEntries(beacons.map(
                        (b) => [b.dataset.nudgelayerExperienceId, b.getAttribute('aria-label')]));
                }"""
            )
            for exp, (entry,) in published:
                assert labels[str(exp["id"])] == f"Tip: {entry['payload']}", entry

    return check


def _target_content(entry: dict) -> dict:
    return {
        "target": {"selector": TARGET},
        "title": entry["payload"],
        "body": entry["payload"],
        "placement": "bottom",
    }


def _check_tours(page: Page, published: list[tuple[dict, list[dict]]]) -> None:
    launcher = page.get_by_role("button", name="Help: tours on this page")
    for exp, entries in published:
        # The launcher lists each tour by its name: an authored text field too.
        if launcher.get_attribute("aria-expanded") != "true":
            launcher.click()
        start = page.locator(
            f"[data-nudgelayer-action=start-tour][data-nudgelayer-experience-id='{exp['id']}']"
        )
        assert start.text_content() == entries[0]["payload"]
        start.click()
        step = page.locator(
            f"[role=dialog][data-nudgelayer-kind=tour][data-nudgelayer-experience-id='{exp['id']}']"
        )
        for i, entry in enumerate(entries):
            expect(step).to_contain_text(f"Step {i + 1} of {len(entries)}")
            assert step.locator(".title").text_content() == entry["payload"], entry
            assert squeeze(step.locator(".body").text_content()) == squeeze(body_text(entry))
            step.get_by_role("button", name="Done" if i == len(entries) - 1 else "Next").click()
        expect(step).to_be_hidden()


SURVEY_CARD = "section[data-nudgelayer-kind='survey'][data-nudgelayer-experience-id='{id}']"


def _survey(entries: list[dict]) -> tuple[str, dict]:
    questions = [
        {
            "id": f"q{i}",
            "type": "single",
            "prompt": e["payload"],
            "options": [e["payload"], "other"],
        }
        for i, e in enumerate(entries)
    ]
    return entries[0]["payload"], {"questions": questions, "thank_you": entries[-1]["payload"]}


def _check_surveys(page: Page, published: list[tuple[dict, list[dict]]]) -> None:
    """One question at a time: its prompt and options, answered, then the thanks."""
    for exp, entries in published:
        card = page.locator(SURVEY_CARD.format(id=exp["id"]))
        for i, entry in enumerate(entries):
            expect(card).to_have_attribute("data-nudgelayer-question", f"q{i}", timeout=15_000)
            assert card.locator(".nl-survey-prompt").text_content() == entry["payload"], entry
            options = card.locator(".nl-choices label span").all_text_contents()
            assert options == [entry["payload"], "other"], entry
            card.locator("input[type=radio]").first.check()
            card.locator("[data-nudgelayer-action='next']").click()
        expect(card.locator(".nl-survey-thanks")).to_have_text(
            entries[-1]["payload"].replace("\r\n", "\n"), use_inner_text=False
        )
        assert card.locator(".nl-survey-thanks").text_content() == entries[-1]["payload"]


def _no_survey_cooldown(admin_api) -> Callable[[], None]:
    before = admin_api.call("GET", "/surveys/settings")["cooldown_days"]
    admin_api.call("PATCH", "/surveys/settings", json={"cooldown_days": 0})
    return lambda: admin_api.call("PATCH", "/surveys/settings", json={"cooldown_days": before})


def _generic_check(kind: str):
    """A kind without a scenario of its own: its experiences show (panels behind a
    launcher are opened), and every payload is in the overlay's text, literally."""

    def check(page: Page, published: list[tuple[dict, list[dict]]]) -> None:
        page.wait_for_function(
            """(kind) => document.querySelector('nudgelayer-root')?.shadowRoot
                ?.querySelector(`[data-nudgelayer-kind=${kind}], [data-nudgelayer-part]`)""",
            arg=kind,
            timeout=15_000,
        )
        page.wait_for_timeout(1000)  # lazily loaded renderers, late panels
        closed = page.locator("[data-nudgelayer-part*='launcher'][aria-expanded='false']")
        for i in range(closed.count()):
            closed.nth(i).click()
        text = squeeze(
            page.evaluate(
                """() => {
                    const all = (node) => [...node.childNodes].map((n) =>
                        n.nodeType === 3 ? n.data : n.nodeType === 1 && n.localName !== 'style'
                            ? all(n) + (n.shadowRoot ? all(n.shadowRoot) : '') : '').join('');
                    const root = document.querySelector('nudgelayer-root')?.shadowRoot;
                    return root ? all(root) : '';
                }"""
            )
        )
        missing = [
            entry["payload"]
            for _, entries in published
            for entry in entries
            if squeeze(entry["payload"]) not in text and squeeze(body_text(entry)) not in text
        ]
        assert not missing, (
            f"{kind}: {len(missing)} payloads not shown (first: {missing[:3]}); if this kind "
            "shows its experiences one at a time, give it a Scenario in e2e/test_xss.py"
        )

    return check


SCENARIOS: dict[str, Scenario] = {
    "tooltip": Scenario(
        build=lambda es: (es[0]["payload"], _target_content(es[0])),
        per_experience=1,
        check=_check_cards("tooltip", must_show=True),
    ),
    "hotspot": Scenario(
        build=lambda es: (es[0]["payload"], _target_content(es[0])),
        per_experience=1,
        check=_check_cards("hotspot", must_show=False),
    ),
    "tour": Scenario(
        build=lambda es: (
            es[0]["payload"],
            {
                "steps": [{**_target_content(e), "advance": "next"} for e in es],
                "trigger": {"type": "launcher"},
            },
        ),
        per_experience=50,
        check=_check_tours,
        per_page=3,
    ),
    "survey": Scenario(
        build=_survey,
        per_experience=20,
        check=_check_surveys,
        # Fatigue rules show one survey at a time.
        per_page=1,
        setup=_no_survey_cooldown,
    ),
}

# Contract shapes for the kinds that have no renderer yet; each gets its fields from the
# payloads, within the contract's lengths (a badge label holds 40 characters).
GENERIC_BUILDERS: dict[str, Callable[[dict], dict]] = {
    "badge": lambda e: {"target": {"selector": TARGET}, "label": e["payload"]},
    "checklist": lambda e: {"title": e["payload"], "items": [{"title": e["payload"]}]},
    "banner": lambda e: {"text": e["payload"], "severity": "info"},
    "survey": lambda e: {
        "questions": [
            {"id": "q", "type": "single", "prompt": e["payload"], "options": [e["payload"], "b"]}
        ]
    },
}
FIELD_LIMITS = {"badge": 40}


def scenario_for(kind: str) -> Scenario:
    if kind in SCENARIOS:
        return SCENARIOS[kind]
    builder = GENERIC_BUILDERS[kind]
    return Scenario(
        build=lambda es: (es[0]["payload"], builder(es[0])),
        per_experience=1,
        check=_generic_check(kind),
    )


# --------------------------------------------------------------- the pages


@pytest.fixture(scope="module")
def plain_site() -> Iterator[str]:
    """A page with one target, at http://127.0.0.1:<port>/<anything>."""
    body = (
        b"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>XSS target</title>"
        b"</head><body><main><h1>Target page</h1><button id='target' type='button'>Target"
        b"</button></main></body></html>"
    )

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_the_corpus_is_large_and_varied():
    assert len(PAYLOADS) >= 100
    assert len({e["payload"] for e in PAYLOADS}) == len(PAYLOADS)
    categories = {e["category"] for e in PAYLOADS}
    for needed in ("html-script", "svg", "markdown-link", "encoded", "mutation", "template"):
        assert needed in categories
    assert {"css", "unicode", "iframe"} <= categories
    assert all(len(e["payload"]) <= 200 for e in PAYLOADS)  # fits every title field


def test_the_extension_renders_at_least_the_foundation_kinds():
    kinds = rendered_kinds()
    assert {"tooltip", "hotspot"} <= set(kinds), kinds
    for kind in kinds:
        assert kind in SCENARIOS or kind in GENERIC_BUILDERS, kind


@pytest.mark.parametrize("kind", rendered_kinds())
def test_payloads_in_every_field_of_every_rendered_kind_stay_text(
    staff, admin_api, plain_site, kind
):
    scenario = scenario_for(kind)
    limit = FIELD_LIMITS.get(kind, 200)
    entries = [e for e in PAYLOADS if len(e["payload"]) <= limit]
    groups = list(chunks(entries, scenario.per_experience))
    url = f"{plain_site}/xss/{kind}"
    restore = scenario.setup(admin_api) if scenario.setup else None
    try:
        for batch in chunks(groups, scenario.per_page):
            published = []
            for group in batch:
                name, content = scenario.build(group)
                exp = admin_api.live(kind, name, {"url": url}, content)
                published.append((exp, group))
            page = staff.new_page()
            watch = Watch(page)
            page.goto(url)
            scenario.check(page, published)
            assert shadow_problems(page) == []
            watch.assert_clean(page)
            page.close()
            admin_api.cleanup()
    finally:
        if restore:
            restore()


def test_payloads_in_the_console_are_shown_escaped(backend, plain_page, admin_api):
    """Names, titles and bodies in the experience list, each experience page and the audit log."""
    made = []
    for entry in PAYLOADS:
        exp = admin_api.create(
            "tooltip",
            entry["payload"],
            {"url": "https://xss.invalid/*"},
            _target_content(entry),
        )
        made.append((exp["id"], entry["payload"]))
    page = plain_page
    watch = Watch(page)
    page.goto(f"{backend.url}/console/login")
    page.get_by_label("Email").fill(backend.admin)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Experiences")).to_be_visible()

    page.goto(f"{backend.url}/console/?kind=tooltip")
    names = page.evaluate(
        """() => {
            const links = [...document.querySelectorAll("main a[href*='/console/experiences/']")];
            return Object.fromEntries(
                links.map((a) => [a.getAttribute('href').split('/').pop(), a.textContent]));
        }"""
    )
    for exp_id, payload in made:
        assert names[str(exp_id)] == payload.replace("\r\n", "\n")
    watch.assert_clean(page)
    assert page.evaluate(f"() => ({FORBIDDEN_JS})(document.querySelector('main'))") == []

    for exp_id, payload in made:
        page.goto(f"{backend.url}/console/experiences/{exp_id}")
        shown = page.evaluate(
            """() => ({
                heading: document.querySelector('main h1').textContent,
                fields: Object.fromEntries([...document.querySelectorAll('dl.fields > div')]
                    .map((d) => [d.querySelector('dt').textContent,
                                 d.querySelector('dd').textContent])),
            })"""
        )
        # HTML parsing turns CR LF into LF, escaped or not: compare after it.
        payload = payload.replace("\r\n", "\n")
        assert shown["heading"] == payload
        assert shown["fields"]["Title"] == payload
        assert shown["fields"]["Body"] == payload
        assert page.evaluate(f"() => ({FORBIDDEN_JS})(document.querySelector('main'))") == []
    page.goto(f"{backend.url}/console/audit")
    assert page.evaluate(f"() => ({FORBIDDEN_JS})(document.querySelector('main'))") == []
    watch.assert_clean(page)


@pytest.fixture
def lying_server() -> Iterator[tuple[str, list[dict]]]:
    """A "Nudgelayer server" whose sign-in errors carry the payloads, one per attempt."""
    answers: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def _cors(self):
            self.send_header("Access-Control-Allow-Origin", EXTENSION_ORIGIN)
            self.send_header("Access-Control-Allow-Headers", "Content-Type, Accept, Authorization")
            self.send_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")

        def do_OPTIONS(self):
            self.send_response(204)
            self._cors()
            self.end_headers()

        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            answer = answers.pop(0) if answers else {"status": 401, "error": {"message": "?"}}
            body = json.dumps({"error": {"code": "x", "details": {}, **answer["error"]}}).encode()
            self.send_response(answer["status"])
            self._cors()
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", answers
    server.shutdown()
    server.server_close()


def test_server_error_messages_in_the_options_page_stay_text(browser, lying_server):
    url, answers = lying_server
    page = browser.new_page()
    watch = Watch(page)
    page.goto(options_url(OPTIONS_PATH))
    page.get_by_label("Server URL").fill(url)
    page.get_by_label("Email").fill("someone@example.com")
    page.get_by_label("Password").fill("not-the-password")
    error = page.locator("#sign-in-error")
    for i, entry in enumerate(PAYLOADS):
        payload = entry["payload"]
        if i % 5 == 4 or payload in ("__proto__", "constructor", "toString"):
            # A 422 names fields: both the field name and its message come from the server.
            answers.append(
                {"status": 422, "error": {"message": "bad", "details": {payload: [payload]}}}
            )
            expected = f"{payload}: {payload}"
        else:
            answers.append({"status": 401, "error": {"message": payload}})
            expected = payload
        page.get_by_role("button", name="Sign in").click()
        expect(error).to_have_text(expected, use_inner_text=False, timeout=10_000)
        assert error.text_content() == expected, entry
        assert error.evaluate("el => el.children.length") == 0
    # The sign-in section, where the messages went (the page's own logo is an <img>).
    assert page.evaluate(f"() => ({FORBIDDEN_JS})(document.querySelector('#signed-out'))") == []
    watch.assert_clean(page)
    # Still signed out: a lying server gets nothing stored.
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
