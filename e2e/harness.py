"""Helpers for the end-to-end tests: subprocess servers, the REST client, the browser.

Fixtures live in conftest.py; this module holds what tests import directly.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from playwright.sync_api import BrowserContext, Locator, Page, expect

ROOT = Path(__file__).resolve().parents[1]
EXTENSION_DIR = ROOT / "extension"
# Fixed by the public key in extension/manifest.json; the backend allows exactly this origin.
EXTENSION_ID = "jlogandglhkomcnabpoojofhddobippp"
EXTENSION_ORIGIN = f"chrome-extension://{EXTENSION_ID}"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
PASSWORD = "e2e-correct-horse-9"
CARD = "[data-nudgelayer-experience-id='{id}']"
BEACON = CARD + "[data-nudgelayer-part='beacon']"
OPTIONS_PATH = "options.html"


# Running servers; their log tails go into the report of any failing e2e test.
SERVERS: list[Server] = []


def free_port() -> int:
    """A port nobody listens on right now (the OS picks; the race until bind is accepted)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    """A server subprocess with its log, stopped by its own pid only."""

    name: str
    url: str
    proc: subprocess.Popen
    log: Path
    stop_signal: int = signal.SIGTERM

    def tail(self, lines: int = 150) -> str:
        try:
            text = self.log.read_text(errors="replace")
        except OSError as err:
            return f"({self.name} log unreadable: {err})"
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        if self in SERVERS:
            SERVERS.remove(self)
        if self.proc.poll() is None:
            self.proc.send_signal(self.stop_signal)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)


def start_server(
    name: str,
    cmd: Sequence[str],
    *,
    url: str,
    ready_path: str,
    log: Path,
    env: dict[str, str] | None = None,
    cwd: Path = ROOT,
    timeout: float = 30.0,
    stop_signal: int = signal.SIGTERM,
) -> Server:
    """Start ``cmd`` and return once ``url + ready_path`` answers 200."""
    with open(log, "wb") as out:
        proc = subprocess.Popen(list(cmd), stdout=out, stderr=subprocess.STDOUT, env=env, cwd=cwd)
    server = Server(name, url, proc, log, stop_signal)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{name} exited with {proc.returncode}:\n{server.tail()}")
        with contextlib.suppress(requests.RequestException):
            if requests.get(url + ready_path, timeout=2).status_code == 200:
                SERVERS.append(server)
                return server
        time.sleep(0.1)  # polling a port that is not open yet; there is no event to wait on
    server.stop()
    raise RuntimeError(f"{name} not ready after {timeout}s:\n{server.tail()}")


def run_cli(args: Sequence[str], env: dict[str, str]) -> str:
    """Run a command to completion; fail with its output if it fails."""
    done = subprocess.run(
        list(args), env=env, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"{' '.join(args)} failed ({done.returncode}):\n{done.stdout}{done.stderr}"
        )
    return done.stdout


class ApiError(AssertionError):
    pass


@dataclass
class Api:
    """A signed-in REST client for /api/v1 (docs/protocol.md)."""

    base: str
    email: str
    password: str = PASSWORD
    token: str = ""
    session: requests.Session = field(default_factory=requests.Session)
    created: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        body = self.call(
            "POST", "/auth/login", json={"email": self.email, "password": self.password}
        )
        self.token = body["token"]
        self.user = body["user"]
        self.session.headers["Authorization"] = f"Bearer {self.token}"

    def call(self, method: str, path: str, expect_status: Sequence[int] = (200, 201, 204), **kw):
        resp = self.session.request(method, f"{self.base}/api/v1{path}", timeout=15, **kw)
        if resp.status_code not in expect_status:
            raise ApiError(f"{method} {path} -> {resp.status_code}: {resp.text[:2000]}")
        return resp.json() if resp.content else None

    def create(self, kind: str, name: str, targeting: dict, content: dict) -> dict:
        exp = self.call(
            "POST",
            "/experiences",
            json={"kind": kind, "name": name, "targeting": targeting, "content": content},
        )
        self.created.append(exp["id"])
        return exp

    def publish(self, exp_id: int) -> dict:
        return self.call("POST", f"/experiences/{exp_id}/publish")

    def unpublish(self, exp_id: int) -> dict:
        return self.call("POST", f"/experiences/{exp_id}/unpublish")

    def patch(self, exp_id: int, **fields: Any) -> dict:
        return self.call("PATCH", f"/experiences/{exp_id}", json=fields)

    def delete(self, exp_id: int) -> None:
        self.call("DELETE", f"/experiences/{exp_id}", expect_status=(204, 404))

    def live(self, kind: str, name: str, targeting: dict, content: dict) -> dict:
        """Create and publish in one step; returns the published experience."""
        return self.publish(self.create(kind, name, targeting, content)["id"])

    def cleanup(self) -> None:
        """Delete what this client created, so the next test's browser syncs a clean set."""
        while self.created:
            self.delete(self.created.pop())


def tooltip(selector: str, title: str, body: str = "", placement: str = "bottom") -> dict:
    return {"target": {"selector": selector}, "title": title, "body": body, "placement": placement}


def card(page: Page, exp_id: int) -> Locator:
    """The card (role=dialog) of one experience, inside the overlay's open shadow root."""
    return page.locator(CARD.format(id=exp_id) + "[role='dialog']")


def beacon(page: Page, exp_id: int) -> Locator:
    """A hotspot's beacon: the button next to its target that opens its card."""
    return page.locator(BEACON.format(id=exp_id))


def options_url(path: str) -> str:
    return f"{EXTENSION_ORIGIN}/{path.lstrip('/')}"


STATUS_JS = "() => chrome.runtime.sendMessage({type: 'options:status'})"


def wait_connected(page: Page, timeout: float = 10.0) -> dict:
    """Poll the worker's status (from an extension page) until its socket is connected."""
    deadline = time.monotonic() + timeout
    while True:
        status = page.evaluate(STATUS_JS)  # evaluate awaits the promise; wait_for_function not
        if status and status.get("signedIn") and status.get("connected"):
            return status
        if time.monotonic() > deadline:
            raise AssertionError(f"extension not connected after {timeout}s: {status}")
        page.wait_for_timeout(100)


def sign_in(context: BrowserContext, server_url: str, email: str, password: str = PASSWORD) -> None:
    """Sign the extension in through its options page, as a person would."""
    page = context.new_page()
    try:
        page.goto(options_url(OPTIONS_PATH))
        page.get_by_label("Server URL").fill(server_url)
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_text(f"Signed in as {email}")).to_be_visible(timeout=10_000)
        # The extension's readiness signal: the socket is up, so live pushes will arrive.
        wait_connected(page)
    finally:
        page.close()


# Finds elements in the document and in every open shadow root beneath it: the overlay
# lives in a shadow root that plain querySelectorAll does not enter. A JS statement,
# composed into the page functions below and in tests.
DEEP_ALL_JS = """
const deepAll = (selector, root = document) => {
  const found = [...root.querySelectorAll(selector)];
  for (const el of root.querySelectorAll("*")) {
    if (el.shadowRoot) found.push(...deepAll(selector, el.shadowRoot));
  }
  return found;
};
"""


def page_fn(params: str, body: str) -> str:
    """A page function with ``deepAll`` in scope: ``page_fn("sel", "return ...")``."""
    return f"({params}) => {{ {DEEP_ALL_JS} {body} }}"


def deep_count(page: Page, selector: str) -> int:
    return page.evaluate(page_fn("sel", "return deepAll(sel).length;"), selector)


def open_page(context: BrowserContext, url: str) -> tuple[Page, list[str]]:
    """A new tab on ``url`` that records (and dismisses) every dialog the page opens."""
    page = context.new_page()
    dialogs: list[str] = []

    def on_dialog(dialog) -> None:
        dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto(url)
    return page, dialogs


def boxes_near(a: dict | None, b: dict | None, slack: float = 32.0) -> bool:
    """True when two bounding boxes overlap or lie within ``slack`` px of each other."""
    if not a or not b:
        return False
    return not (
        a["x"] > b["x"] + b["width"] + slack
        or b["x"] > a["x"] + a["width"] + slack
        or a["y"] > b["y"] + b["height"] + slack
        or b["y"] > a["y"] + a["height"] + slack
    )


AXE = EXTENSION_DIR / "node_modules" / "axe-core" / "axe.min.js"


def audit_overlay(page, what: str) -> None:
    """axe-core over Nudgelayer's overlay (its open shadow root): no serious or critical issue."""
    import pytest

    if not AXE.exists():
        pytest.skip("axe-core is not installed (cd extension && npm ci)")
    if not page.evaluate("() => !!window.axe"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => {
            const host = document.querySelector("nudgelayer-root");
            const r = await axe.run(host, {resultTypes: ["violations"]});
            return {
                checked: r.passes.length + r.violations.length,
                violations: r.violations
                    .filter((v) => ["serious", "critical"].includes(v.impact))
                    .map((v) => `${v.id} (${v.impact}): ${v.help} ` +
                        v.nodes.map((n) => JSON.stringify(n.target)).join(", ")),
            };
        }"""
    )
    assert result["checked"] > 0, f"{what}: axe found nothing to check in the overlay"
    assert result["violations"] == [], f"{what}: {result['violations']}"
