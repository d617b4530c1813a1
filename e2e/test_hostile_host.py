"""Host pages that fight back: global CSS resets, patched DOM prototypes, a flooded and
constantly mutating DOM, handlers that throw everywhere, a page that removes or hides
Nudgelayer's host element. Overlays still show (visible, readable, the right size,
on top, usable), and nothing of Nudgelayer reaches the page's console or its error hooks.

The pages are served by this module on their own origin.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from e2e.harness import beacon, card, free_port, tooltip

pytestmark = pytest.mark.e2e

TARGET = "#target"

# Every page: a target button (not a div: `div {display: none}` must not hide the
# target itself, only a naive overlay), the page's hostile part, and its error hook.
PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Hostile: {name}</title>
<style>{css}</style>
<script>
  window.__errors = [];
  window.onerror = (msg, src, line, col, err) => {{
    window.__errors.push(String(msg) + " " + (err && err.stack || ""));
  }};
  window.addEventListener("unhandledrejection", (e) => {{
    window.__errors.push("rejection " + String(e.reason && e.reason.stack || e.reason));
  }});
</script>
</head><body>
<header><h1>Hostile host page: {name}</h1></header>
<main>
  <p>A tool that does not want to be decorated.</p>
  <button id="target" type="button">Target</button>
  <div id="work"></div>
</main>
<script>{js}</script>
</body></html>"""

CSS_RESETS = """
* { all: unset !important; }
div { display: none !important; }
nudgelayer-root { display: none !important; visibility: hidden !important;
  opacity: 0 !important; width: 0 !important; height: 0 !important;
  position: static !important; z-index: -1 !important; transform: scale(0) !important;
  clip-path: inset(50%) !important; pointer-events: none !important; }
html > :last-child { display: none !important; }
[data-nudgelayer] { display: none !important; }
body * { font-family: "Comic Sans MS", cursive !important; font-size: 31px !important; }
button { display: inline-block !important; padding: 8px !important; margin: 80px 200px !important; }
"""

PATCH_PROTOTYPES = """
const boom = (name) => function () { throw new Error("host page broke " + name); };
Element.prototype.attachShadow = boom("attachShadow");
Node.prototype.appendChild = (function (orig) {
  return function (child) {
    if (child && child.nodeName && child.nodeName.includes("-")) throw new Error("no custom tags");
    return orig.call(this, child);
  };
})(Node.prototype.appendChild);
Element.prototype.append = boom("append");
Element.prototype.querySelector = function () { return null; };
Element.prototype.querySelectorAll = function () { return []; };
Document.prototype.querySelector = function () { return null; };
Document.prototype.createElement = boom("createElement");
Element.prototype.getBoundingClientRect = function () {
  return { x: -9999, y: -9999, width: 0, height: 0, top: -9999, left: -9999, right: 0, bottom: 0 };
};
window.addEventListener = function () {};
EventTarget.prototype.addEventListener = function () {};
window.MutationObserver = function () { throw new Error("no observers"); };
window.requestAnimationFrame = function () { return 0; };
window.getComputedStyle = function () { return {}; };
window.ResizeObserver = undefined;
window.fetch = boom("fetch");
Promise.prototype.then = (function (orig) {
  return function (a, b) { return orig.call(this, a, b); };
})(Promise.prototype.then);
JSON.parse = boom("JSON.parse");
Object.defineProperty(window, "CSSStyleSheet", { value: undefined });
"""

FLOOD = """
const work = document.getElementById("work");
const frag = document.createDocumentFragment();
for (let i = 0; i < 10000; i++) {
  const el = document.createElement(i % 3 ? "span" : "div");
  el.className = "n" + i;
  el.textContent = "row " + i;
  frag.appendChild(el);
}
work.appendChild(frag);
let tick = 0;
setInterval(() => {
  tick++;
  for (let i = 0; i < 200; i++) {
    const el = work.children[(tick * 37 + i * 53) % work.children.length];
    el.setAttribute("class", "n" + tick + "-" + i);
    el.setAttribute("data-testid", "t" + ((tick + i) % 7));
  }
  const extra = document.createElement("span");
  extra.textContent = "new " + tick;
  work.appendChild(extra);
  if (work.children.length > 10100) work.firstElementChild.remove();
  document.getElementById("target").setAttribute("aria-label", "Target " + (tick % 5));
}, 16);
"""

THROW_EVERYWHERE = """
const types = ["click", "mousedown", "mouseup", "pointerdown", "pointerup", "pointermove",
  "pointerenter", "pointerover", "mouseover", "mousemove", "keydown", "keyup", "focusin",
  "focusout", "focus", "blur", "scroll", "resize", "popstate", "hashchange", "message",
  "visibilitychange", "transitionend", "animationstart", "animationend", "wheel"];
for (const type of types) {
  for (const target of [window, document, document.documentElement, document.body]) {
    const capture = () => { throw new Error("host page handler exploded on " + type); };
    const bubble = () => { throw new Error("host page bubble handler exploded on " + type); };
    target.addEventListener(type, capture, true);
    target.addEventListener(type, bubble);
  }
}
setInterval(() => { throw new Error("host page timer exploded"); }, 250);
setInterval(() => { Promise.reject(new Error("host page promise exploded")); }, 300);
new MutationObserver(() => { throw new Error("host page observer exploded"); })
  .observe(document.documentElement, { childList: true, subtree: true, attributes: true });
"""

# Once, like an app re-rendering its document, the page throws away every element it
# did not make itself, then hides whatever comes back.
REMOVE_AND_HIDE = """
const mine = new Set([document.head, document.body]);
const sweep = () => {
  for (const el of [...document.documentElement.children]) if (!mine.has(el)) el.remove();
};
let hid = false;
const hide = () => {
  for (const el of [...document.documentElement.children]) {
    if (mine.has(el) || hid) continue;
    el.style.setProperty("display", "none", "important");
    el.setAttribute("hidden", "");
    el.setAttribute("inert", "");
    hid = true;
  }
};
setTimeout(sweep, 1200);
setTimeout(hide, 2400);
"""

PAGES = {
    "css-resets": (CSS_RESETS, ""),
    "patched-prototypes": ("", PATCH_PROTOTYPES),
    "flood": ("", FLOOD),
    "throw-everywhere": ("", THROW_EVERYWHERE),
    "remove-and-hide": ("", REMOVE_AND_HIDE),
    "everything": (CSS_RESETS, THROW_EVERYWHERE + FLOOD + REMOVE_AND_HIDE + PATCH_PROTOTYPES),
}


@pytest.fixture(scope="module")
def hostile_site() -> Iterator[str]:
    """The pages above at http://127.0.0.1:<port>/<name>."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            name = self.path.strip("/").split("?")[0]
            if name not in PAGES:
                self.send_error(404)
                return
            css, js = PAGES[name]
            body = PAGE.format(name=name, css=css, js=js).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def mentions_us(text: str) -> bool:
    return "nudgelayer" in text.lower()


@pytest.mark.parametrize("name", list(PAGES))
def test_overlays_show_and_work_on_a_hostile_page(staff, admin_api, hostile_site, name):
    tip = admin_api.live(
        "tooltip",
        f"Hostile {name}",
        {"url": f"{hostile_site}/{name}"},
        tooltip(TARGET, "Still readable", "Whatever the **page** does.", placement="bottom"),
    )
    spot = admin_api.live(
        "hotspot",
        f"Hostile hotspot {name}",
        {"url": f"{hostile_site}/{name}"},
        tooltip(TARGET, "A hotspot too", "Opened by its beacon.", placement="right"),
    )
    page = staff.new_page()
    console: list[str] = []
    page.on("console", lambda msg: console.append(f"{msg.type}: {msg.text}"))
    page.on("pageerror", lambda err: console.append(f"pageerror: {err}"))
    page.goto(f"{hostile_site}/{name}")

    shown = card(page, tip["id"])
    expect(shown).to_be_visible()
    expect(shown.get_by_role("heading")).to_have_text("Still readable")
    expect(shown.locator("strong")).to_have_text("page")
    if REMOVE_AND_HIDE in PAGES[name][1]:
        # After the page threw the host away (1.2 s) and hid what came back (2.4 s).
        page.wait_for_timeout(3000)
        expect(shown).to_be_visible()

    # The card looks as designed: its own font and size, on top of the page. Measured
    # with Playwright's own means (its utility world, the protocol): the page patched
    # getComputedStyle and getBoundingClientRect in its own world.
    expect(shown).to_have_css("font-size", "14px")
    expect(shown).not_to_have_css("font-family", '"Comic Sans MS", cursive')
    expect(shown).to_have_css("opacity", "1")
    box = shown.bounding_box()
    assert box and 200 <= box["width"] <= 340 and 40 <= box["height"] <= 300, box
    on_top = page.evaluate(
        "([x, y]) => document.elementFromPoint(x, y)?.matches('[data-nudgelayer]')",
        [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
    )
    assert on_top, f"the tooltip is covered on {name}"
    target_box = page.locator(TARGET).bounding_box()
    assert target_box and box["y"] >= target_box["y"] + target_box["height"] - 2, (
        "the tooltip is not below its target",
        target_box,
        box,
    )

    # The hotspot's beacon is a working button; its card opens and closes.
    dot = beacon(page, spot["id"])
    expect(dot).to_be_visible()
    dot.click()
    expect(card(page, spot["id"])).to_be_visible()
    expect(card(page, spot["id"])).to_contain_text("Opened by its beacon.")
    page.keyboard.press("Escape")
    expect(card(page, spot["id"])).to_be_hidden()

    # Closing the tooltip works through the page's throwing handlers.
    shown.get_by_role("button", name="Close").click()
    expect(shown).to_have_count(0)

    page.wait_for_timeout(500)  # let late errors (timers, observers) arrive
    hooked = page.evaluate("window.__errors || []")
    ours = [line for line in console + hooked if mentions_us(line)]
    assert ours == [], f"Nudgelayer reached the page's console on {name}: {ours[:5]}"
