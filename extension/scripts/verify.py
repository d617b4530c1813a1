"""Check the built extension by hand in a real Chromium, against a real backend.

    cd /work/main && .venv/bin/python extension/scripts/verify.py [--keep-screenshots DIR]

Starts its own backend (gunicorn, fresh SQLite instance in a temporary directory) and a
tiny host page on free 127.0.0.1 ports, loads extension/dist/ (run `npm run build`
first) into Chromium, and walks through what a user would notice: signing in, a
tooltip appearing, live edits, re-rendered and late targets, SPA navigation, hotspots,
dismissals, events reaching the server, a stopped service worker, a server outage and
signing out. It prints one line per check and exits non-zero on the first failure.

Not part of `npm test` (it needs the Python venv and takes ~1 minute); the end-to-end
suite under e2e/ is the automated version.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
EXT = ROOT / "extension" / "dist"
EXT_ID = "jlogandglhkomcnabpoojofhddobippp"
OPTIONS = f"chrome-extension://{EXT_ID}/options.html"
PASSWORD = "demo-password"

# A host page that fights overlays a little: global CSS aimed at our host element, a
# target replaced every second, an element that appears late, SPA navigation.
HOST_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Helpdesk</title>
<style>
* { box-sizing: content-box; font: 13px/1.1 "Comic Sans MS", serif }
div { z-index: 10 } button { all: unset } p { margin: 0 !important }
nudgelayer-root { display: none !important; transform: scale(0.1) }
header { position: sticky; top: 0; background: #eee; padding: 8px }
main { height: 3000px; padding: 20px; position: relative }
#go-home { position: absolute; left: 700px; top: 20px }
#slot { margin-top: 260px; padding-left: 400px }
</style></head>
<body>
<header><span>Helpdesk</span> <input data-testid="queue-filter" aria-label="Filter tickets" style="width:300px"></header>
<main>
  <p>Queue</p>
  <a href="/tickets" id="go-tickets">Tickets</a> <a href="/" id="go-home">Home</a>
  <div id="slot"></div>
  <button data-testid="bulk-assign" id="bulk" hidden>Assign selected</button>
</main>
<script>
function route() {
  document.getElementById('bulk').hidden = !location.pathname.startsWith('/tickets');
}
for (const id of ['go-tickets', 'go-home']) {
  document.getElementById(id).addEventListener('click', (e) => {
    e.preventDefault(); history.pushState({}, '', e.target.getAttribute('href')); route();
  });
}
addEventListener('popstate', route);
route();
// Like a CSS-in-JS app: the filter box is replaced, with a new class, every second.
setInterval(() => {
  const old = document.querySelector('[data-testid=queue-filter]');
  const el = old.cloneNode(true);
  el.className = 'css-' + Math.random().toString(36).slice(2, 8);
  old.replaceWith(el);
}, 1000);
</script>
</body></html>
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Api:
    def __init__(self, base: str):
        self.base = base
        self.token = None

    def call(self, method: str, path: str, body=None, token=None):
        req = urllib.request.Request(
            f"{self.base}/api/v1{path}",
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {token or self.token}"},
        )
        with urllib.request.urlopen(req, timeout=10) as resp:
            raw = resp.read()
            return json.loads(raw) if raw else None

    def login(self, email: str):
        self.token = self.call("POST", "/auth/login", {"email": email, "password": PASSWORD})["token"]

    def publish_tooltip(self, name, selector, title, body, url, segment=None, kind="tooltip"):
        exp = self.call("POST", "/experiences", {
            "kind": kind, "name": name,
            "targeting": {"url": url, "segment": segment},
            "content": {"target": {"selector": selector}, "title": title, "body": body, "placement": "bottom"},
        })
        self.call("POST", f"/experiences/{exp['id']}/publish")
        return exp["id"]


@contextmanager
def host_page_server():
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's naming
            body = HOST_PAGE.encode() if self.path != "/favicon.ico" else b""
            self.send_response(200 if body else 204)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


class Backend:
    def __init__(self, instance: Path, demo_url: str):
        self.instance = instance
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "NUDGELAYER_INSTANCE": str(instance), "DEMO_URL": demo_url, "LOGIN_RATE_LIMIT": "100 per minute"}
        self.proc = None
        venv = ROOT / ".venv" / "bin"
        subprocess.run([venv / "nudgelayer", "init-db"], env=self.env, check=True, capture_output=True)
        subprocess.run([venv / "nudgelayer", "seed-demo"], env=self.env, check=True, capture_output=True)

    def cli(self, *args: str) -> None:
        subprocess.run([ROOT / ".venv" / "bin" / "nudgelayer", *args], env=self.env, check=True, capture_output=True)

    def start(self):
        venv = ROOT / ".venv" / "bin"
        self.proc = subprocess.Popen(
            [venv / "gunicorn", "-k", "gevent", "-w", "1", "--worker-connections", "200",
             "-b", f"127.0.0.1:{self.port}", "nudgelayer:create_app()"],
            env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{self.url}/healthz", timeout=1)
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("backend did not start")

    def stop(self):
        if self.proc:
            # INT is gunicorn's quick shutdown; TERM would wait for open websockets.
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None

    def events(self, type_: str) -> list[dict]:
        with sqlite3.connect(self.instance / "nudgelayer.db") as db:
            rows = db.execute("select uuid, experience_id, data from event where type = ?", (type_,)).fetchall()
        return [{"id": r[0], "experience_id": r[1], "data": json.loads(r[2] or "{}")} for r in rows]


def check(name: str):
    print(f"ok   {name}", flush=True)


def wait_until(fn, timeout=10.0, what="condition"):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = fn()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def stop_service_worker(ctx, page):
    cdp = ctx.new_cdp_session(page)
    for t in cdp.send("Target.getTargets")["targetInfos"]:
        if t["type"] == "service_worker" and EXT_ID in t["url"]:
            cdp.send("Target.closeTarget", {"targetId": t["targetId"]})
    cdp.detach()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--screenshots", default=tempfile.gettempdir(), help="where to write screenshots")
    args = parser.parse_args()
    if not (EXT / "manifest.json").exists():
        print("build the extension first: cd extension && npm run build", file=sys.stderr)
        return 2
    shots = Path(args.screenshots)
    with tempfile.TemporaryDirectory() as tmp, host_page_server() as page_url, sync_playwright() as pw:
        backend = Backend(Path(tmp) / "instance", page_url)
        backend.start()
        ctx = pw.chromium.launch_persistent_context(
            Path(tmp) / "profile", executable_path="/usr/bin/chromium", headless=True,
            args=[f"--disable-extensions-except={EXT}", f"--load-extension={EXT}", "--no-sandbox", "--disable-gpu",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        page_errors = []
        try:
            run(ctx, backend, page_url, shots, page_errors)
        finally:
            ctx.close()
            backend.stop()
        if page_errors:
            print("page errors:", page_errors)
            return 1
    print("all checks passed")
    return 0


def status(options):
    return options.evaluate("chrome.runtime.sendMessage({type: 'options:status'})")


def run(ctx, backend, page_url, shots, page_errors):
    admin = Api(backend.url)
    admin.login("admin@demo.local")

    # --- options page ---------------------------------------------------------------
    options = ctx.new_page()
    options.goto(OPTIONS)
    alert = options.get_by_role("alert").first
    options.get_by_label("Server URL").fill("ftp://example.com")
    options.get_by_label("Email").fill("staff@demo.local")
    options.get_by_label("Password").fill("wrong-password")
    options.get_by_role("button", name="Sign in").click()
    expect(alert).to_contain_text("http:// or https://")
    options.get_by_label("Server URL").fill(f"http://127.0.0.1:{free_port()}")
    options.get_by_role("button", name="Sign in").click()
    expect(alert).to_contain_text("Cannot reach the server")
    options.get_by_label("Server URL").fill(backend.url)
    options.get_by_role("button", name="Sign in").click()
    expect(alert).to_contain_text("Wrong email or password.")
    check("options: bad URL, unreachable server and wrong password each explained")
    options.get_by_label("Password").fill(PASSWORD)
    options.get_by_role("button", name="Sign in").click()
    expect(options.get_by_text("Signed in as staff@demo.local (staff)")).to_be_visible()
    wait_until(lambda: status(options)["connected"], what="socket connected")
    st = status(options)
    assert st["signedIn"] and st["user"]["email"] == "staff@demo.local" and st["cursor"] is not None, st
    check(f"options: signed in as staff, socket connected, cursor {st['cursor']}")

    # --- nothing on a page no experience targets ------------------------------------
    other = ctx.new_page()
    other.on("pageerror", lambda e: page_errors.append(str(e)))
    other.goto(page_url.replace("127.0.0.1", "localhost") + "/")
    time.sleep(1)
    assert other.evaluate("document.querySelector('nudgelayer-root')") is None
    check("a page no experience targets gets no host element")
    other.close()

    # --- the seeded tooltip ---------------------------------------------------------
    web = ctx.new_page()
    web.on("pageerror", lambda e: page_errors.append(str(e)))
    web.goto(page_url + "/")
    card = web.locator("[data-nudgelayer-kind=tooltip]", has_text="Filter the queue")
    expect(card).to_be_visible(timeout=5000)
    expect(card).to_contain_text("Filter the queue")
    assert card.get_attribute("role") == "dialog"
    assert web.evaluate("document.querySelector('nudgelayer-root').shadowRoot.mode") == "open"
    check("seeded tooltip shown next to the filter, in an open shadow root, despite hostile page CSS")

    def gap():
        t = web.locator("[data-testid=queue-filter]").bounding_box()
        c = card.bounding_box()
        return c["y"] - (t["y"] + t["height"]), abs(c["x"] + c["width"] / 2 - (t["x"] + t["width"] / 2))

    time.sleep(2.2)  # the page replaced the filter twice meanwhile
    dy, dx = gap()
    assert 0 <= dy <= 20 and dx <= 2, (dy, dx)
    web.evaluate("scrollTo(0, 300)")  # the header is sticky: the filter stays in view
    time.sleep(0.3)
    dy, dx = gap()
    assert 0 <= dy <= 20 and dx <= 2, (dy, dx)
    check("tooltip follows its target through re-renders (node replaced) and scrolling")
    web.evaluate("scrollTo(0, 0)")
    web.screenshot(path=str(shots / "nudgelayer-tooltip.png"))

    wait_until(lambda: backend.events("experience.viewed"), timeout=10, what="viewed event stored")
    check("experience.viewed reached the server (batched, ~3 s)")

    # --- live publish, edit, late element ---------------------------------------------
    late_id = admin.publish_tooltip("Late", "#late-target", "Late arrival", "First **version**", f"{page_url}/*")
    web.wait_for_timeout(800)
    web.evaluate("""setTimeout(() => { const b = document.createElement('button'); b.id = 'late-target';
        b.textContent = 'Late'; document.getElementById('slot').append(b); }, 500)""")
    late = web.locator(f"[data-nudgelayer-experience-id='{late_id}']")
    expect(late).to_contain_text("First version", timeout=5000)
    check("a tooltip published while the page is open waits for its late element and appears")
    web.evaluate(f"window.__card = document.querySelector('nudgelayer-root').shadowRoot.querySelector(\"[data-nudgelayer-experience-id='{late_id}']\")")
    started = time.monotonic()
    admin.call("PATCH", f"/experiences/{late_id}", {"content": {
        "target": {"selector": "#late-target"}, "title": "Late arrival", "body": "Second *version*", "placement": "bottom"}})
    admin.call("POST", f"/experiences/{late_id}/publish")
    expect(late).to_contain_text("Second version", timeout=2000)
    took = time.monotonic() - started
    same = web.evaluate(f"window.__card === document.querySelector('nudgelayer-root').shadowRoot.querySelector(\"[data-nudgelayer-experience-id='{late_id}']\")")
    assert same, "the card was rebuilt instead of updated in place"
    check(f"PATCH + publish changed the text in place, without reload, in {took:.2f} s")

    # --- segments ---------------------------------------------------------------------
    admin.publish_tooltip("Admins only", "#go-home", "For admins", "x", f"{page_url}/*",
                          segment={"attr": "role", "op": "eq", "value": "admin"})
    admin.publish_tooltip("Support team", "#go-tickets", "For support", "x", f"{page_url}/*",
                          segment={"attr": "team", "op": "eq", "value": "support"})
    expect(web.locator("[data-nudgelayer-kind=tooltip]", has_text="For support")).to_be_visible(timeout=3000)
    web.screenshot(path=str(shots / "nudgelayer-segments.png"))
    assert web.locator("[data-nudgelayer-kind=tooltip]", has_text="For admins").count() == 0
    check("segment rules: the support-team tooltip shows, the admins-only one does not")

    # --- dismiss ----------------------------------------------------------------------
    late.get_by_role("button", name="Close").click()
    expect(late).to_have_count(0)
    wait_until(lambda: any(e["experience_id"] == late_id for e in backend.events("experience.dismissed")),
               what="dismissed event stored")
    web.reload()
    expect(card).to_be_visible(timeout=5000)
    web.evaluate("""(() => { const b = document.createElement('button'); b.id = 'late-target';
        b.textContent = 'Late'; document.getElementById('slot').append(b); })()""")
    web.wait_for_timeout(1000)
    assert late.count() == 0, "a dismissed tooltip came back after reload"
    check("close button dismisses; the dismissal is stored and survives a reload")
    card.focus()
    web.keyboard.press("Escape")
    expect(card).to_have_count(0)
    check("Esc closes a focused tooltip")

    # --- SPA navigation and the hotspot ------------------------------------------------
    web.click("#go-tickets")
    beacon = web.locator("button[data-nudgelayer-kind=hotspot]")
    expect(beacon).to_be_visible(timeout=3000)
    assert beacon.get_attribute("aria-expanded") == "false" and beacon.get_attribute("aria-label")
    assert beacon.evaluate("(b) => getComputedStyle(b).animationName") == "nl-pulse"
    web.emulate_media(reduced_motion="reduce")
    assert beacon.evaluate("(b) => getComputedStyle(b).animationName") == "none"
    web.emulate_media(reduced_motion="no-preference")
    check("the beacon pulses, and stands still under prefers-reduced-motion")
    beacon.click()
    spot = web.locator("[role=dialog][data-nudgelayer-kind=hotspot]")
    expect(spot).to_be_visible()
    expect(spot).to_contain_text("Bulk assign is here")
    assert beacon.get_attribute("aria-expanded") == "true"
    web.screenshot(path=str(shots / "nudgelayer-hotspot.png"))
    web.keyboard.press("Escape")
    expect(spot).to_be_hidden()
    assert web.evaluate("document.querySelector('nudgelayer-root').shadowRoot.activeElement?.dataset.nudgelayerPart") == "beacon"
    check("SPA navigation shows the hotspot; beacon opens the card; Esc closes it and focus returns to the beacon")
    wait_until(lambda: backend.events("hotspot.opened"), what="hotspot.opened stored")
    check("hotspot.opened reached the server")
    web.click("#go-home")
    expect(beacon).to_have_count(0, timeout=3000)
    check("navigating away (pushState) removes the hotspot")

    # --- the worker is stopped and restarted --------------------------------------------
    stop_service_worker(ctx, options)
    time.sleep(0.5)
    st = status(options)  # wakes a new worker, which reloads its state
    assert st["signedIn"] and st["cursor"] is not None, st
    wait_until(lambda: status(options)["connected"], what="reconnect after worker restart")
    admin.publish_tooltip("After restart", "#go-home", "After restart", "pushed", f"{page_url}/*")
    expect(web.locator("[data-nudgelayer-kind=tooltip]", has_text="After restart")).to_be_visible(timeout=3000)
    check("a stopped worker restarts with its state, reconnects, and pushes arrive again")

    # --- server down: events wait in the queue -----------------------------------------
    backend.stop()
    time.sleep(0.5)
    web.locator("[data-nudgelayer-kind=tooltip]", has_text="After restart").get_by_role("button", name="Close").click()
    wait_until(lambda: status(options)["queued"] >= 1, what="event queued while the server is down")
    stop_service_worker(ctx, options)  # and the worker goes away with the event in the queue
    time.sleep(0.5)
    backend.start()
    wait_until(lambda: status(options)["queued"] == 0, timeout=70, what="queue drained after the outage")
    assert any(e["data"].get("version") for e in backend.events("experience.dismissed"))
    wait_until(lambda: status(options)["connected"], timeout=40, what="reconnect after the outage")
    check("events queued during an outage survive a worker restart and are sent when the server is back")

    # --- a cursor gap (another workspace's change) is caught up with resume ---------------
    backend.cli("create-workspace", "other")
    backend.cli("create-user", "other", "admin@other.local", "--role", "admin", "--password", PASSWORD)
    other_admin = Api(backend.url)
    other_admin.login("admin@other.local")
    other_admin.publish_tooltip("Elsewhere", "#go-home", "Other workspace", "x", f"{page_url}/*")
    cursor_before = status(options)["cursor"]
    admin.publish_tooltip("After gap", "#go-home", "After a gap", "x", f"{page_url}/*")
    expect(web.locator("[data-nudgelayer-kind=tooltip]", has_text="After a gap")).to_be_visible(timeout=3000)
    assert web.locator("[data-nudgelayer-kind=tooltip]", has_text="Other workspace").count() == 0
    wait_until(lambda: status(options)["cursor"] == cursor_before + 2, what="cursor caught up across the gap")
    check("a change after a cursor gap is fetched with resume; other workspaces' experiences never show")

    # --- unpublish and sign out remove what is shown -------------------------------------
    web.reload()
    support = web.locator("[data-nudgelayer-kind=tooltip]", has_text="For support")
    expect(support).to_be_visible(timeout=5000)
    assert card.count() == 0, "the tooltip closed with Esc came back"
    support_id = int(support.get_attribute("data-nudgelayer-experience-id"))
    admin.call("POST", f"/experiences/{support_id}/unpublish")
    expect(support).to_have_count(0, timeout=2000)
    check("unpublish removes the tooltip from the open page")
    admin.publish_tooltip("Last", "#go-tickets", "Still here", "until sign-out", f"{page_url}/*")
    expect(web.locator("[data-nudgelayer-kind=tooltip]", has_text="Still here")).to_be_visible(timeout=3000)
    options.bring_to_front()
    options.get_by_role("button", name="Sign out").click()
    expect(options.get_by_label("Password")).to_be_visible()
    expect(web.locator("[data-nudgelayer-kind]")).to_have_count(0, timeout=3000)
    assert web.evaluate("document.querySelector('nudgelayer-root')") is None
    check("signing out removes every overlay and the host element")

    # --- the server revokes the token ---------------------------------------------------
    options.get_by_label("Password").fill(PASSWORD)
    options.get_by_role("button", name="Sign in").click()
    expect(options.get_by_text("Signed in as staff@demo.local (staff)")).to_be_visible()
    expect(web.locator("[data-nudgelayer-kind=tooltip]", has_text="Still here")).to_be_visible(timeout=3000)
    wait_until(lambda: status(options)["connected"], what="socket connected")
    worker = ctx.service_workers[-1]
    token = worker.evaluate("chrome.storage.local.get('auth').then((s) => s.auth.token)")
    admin.call("POST", "/auth/logout", token=token)
    wait_until(lambda: not status(options)["signedIn"], timeout=5, what="signed out after revocation")
    expect(web.locator("[data-nudgelayer-kind]")).to_have_count(0, timeout=3000)
    check("a token revoked on the server signs the extension out (socket 'revoked') and clears the page")

    # --- revoked while the worker was stopped: the refused reconnect signs out ------------
    options.get_by_label("Password").fill(PASSWORD)
    options.get_by_role("button", name="Sign in").click()
    expect(options.get_by_text("Signed in as staff@demo.local (staff)")).to_be_visible()
    token = ctx.service_workers[-1].evaluate("chrome.storage.local.get('auth').then((s) => s.auth.token)")
    stop_service_worker(ctx, options)
    time.sleep(0.5)
    admin.call("POST", "/auth/logout", token=token)
    status(options)  # wakes the worker: it reconnects, is refused, asks /me, gets 401
    wait_until(lambda: not status(options)["signedIn"], timeout=10, what="signed out after a refused reconnect")
    check("a token revoked while the worker slept: the refused reconnect signs out")


if __name__ == "__main__":
    sys.exit(main())
