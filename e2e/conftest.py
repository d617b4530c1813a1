"""End-to-end fixtures: one backend (gunicorn + gevent) and one demo dashboard per session,
the extension built once, and a fresh Chromium profile with the extension per test.

The CI box has two cores, so everything expensive is started once per session.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Playwright, Worker, sync_playwright

from e2e.harness import (
    CHROMIUM,
    EXTENSION_DIR,
    EXTENSION_ORIGIN,
    PASSWORD,
    ROOT,
    SERVERS,
    Api,
    free_port,
    run_cli,
    sign_in,
    start_server,
)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.failed and "e2e" in item.keywords:
        for server in SERVERS:
            report.sections.append((f"{server.name} log (tail)", server.tail()))
        console = getattr(item, "_browser_console", None)
        if console:
            report.sections.append(("browser console", "\n".join(console[-150:])))
    return report


def _cli() -> list[str]:
    """The installed `nudgelayer` command, or the same commands through flask."""
    exe = Path(sys.executable).with_name("nudgelayer")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "flask", "--app", "nudgelayer"]


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory) -> Iterator[str]:
    """Helpdesk Ops (demo/server.py) on its own origin."""
    port = free_port()
    log = tmp_path_factory.mktemp("demo") / "demo.log"
    server = start_server(
        "demo dashboard",
        [
            sys.executable,
            str(ROOT / "demo" / "server.py"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        url=f"http://127.0.0.1:{port}",
        ready_path="/healthz",
        log=log,
    )
    yield server.url
    server.stop()


class Backend:
    """The running backend and the accounts the e2e tests use."""

    def __init__(self, url: str, workspace: str, admin: str, staff: str, demo_seeded: bool):
        self.url = url
        self.workspace = workspace
        self.admin = admin
        self.staff = staff
        self.demo_seeded = demo_seeded
        # The `nudgelayer` command and its environment, for tests that need more accounts.
        self.cli: list[str] = []
        self.env: dict[str, str] = {}

    def run_cli(self, *args: str) -> str:
        return run_cli([*self.cli, *args], self.env)


@pytest.fixture(scope="session")
def backend(tmp_path_factory, demo_server, request) -> Iterator[Backend]:
    """A fresh backend under gunicorn with a gevent worker, as in production.

    The demo seed goes in first (it only runs on an empty database) so one test can
    check what `make run` shows; the tests' own workspace and accounts are separate,
    with unique names, so the suite also runs against a reused PostgreSQL database.
    """
    root = tmp_path_factory.mktemp("backend")
    env = {
        **os.environ,
        "NUDGELAYER_INSTANCE": str(root / "instance"),
        "RATELIMIT_ENABLED": "0",
        "PYTHONUNBUFFERED": "1",
    }
    cli = _cli()
    run_cli([*cli, "init-db"], env)
    slug = f"e2e-{uuid.uuid4().hex[:8]}"
    admin, staff = f"admin@{slug}.test", f"staff@{slug}.test"

    def accounts() -> None:
        run_cli([*cli, "create-workspace", slug, "--name", "End-to-end"], env)
        users = [
            [*cli, "create-user", slug, admin, "--role", "admin", "--password", PASSWORD],
            [
                *cli,
                "create-user",
                slug,
                staff,
                "--role",
                "staff",
                "--team",
                "support",
                "--password",
                PASSWORD,
            ],
        ]
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(lambda cmd: run_cli(cmd, env), users))

    # Seeding (slow password hashing) runs while gunicorn boots: two cores, both busy.
    with ThreadPoolExecutor(2) as pool:
        seed = pool.submit(run_cli, [*cli, "seed-demo", "--demo-url", demo_server], env)
        made = pool.submit(accounts)
        port = free_port()
        server = start_server(
            "backend",
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-k",
                "gevent",
                "-w",
                "1",
                "--worker-connections",
                "2000",
                "-b",
                f"127.0.0.1:{port}",
                "--graceful-timeout",
                "5",
                # gunicorn 27 opens ~/.gunicorn/gunicorn.ctl by default; a developer's
                # running server owns that path.
                "--no-control-socket",
                "nudgelayer:create_app()",
            ],
            url=f"http://127.0.0.1:{port}",
            ready_path="/healthz",
            log=root / "gunicorn.log",
            env=env,
            # SIGINT is gunicorn's quick shutdown: open websockets do not hold the run up.
            stop_signal=signal.SIGINT,
        )
        try:
            seeded = "seeded" in seed.result()
            made.result()
        except BaseException:
            server.stop()
            raise
    # The shared accounts have made their privacy choice (analytics allowed), so tests see
    # every event and no first-run consent dialog; e2e/test_consent.py covers undecided users.
    for email in (admin, staff):
        consent = {"analytics": True, "identified_surveys": True, "leaderboards": True}
        Api(server.url, email).call("PUT", "/me/consent", json=consent)
    # One staff member sees dozens of auto-started tours and surveys in one session: lift
    # the interruption budget (3 per period, 30 min apart by default) for the shared
    # workspace; tests of the budget itself set their own.
    budget = {
        "interruption_limit": 50,
        "interruption_period_hours": 1,
        "interruption_gap_minutes": 0,
    }
    Api(server.url, admin).call("PATCH", "/nudges/settings", json=budget)
    found = Backend(server.url, slug, admin, staff, seeded)
    found.cli, found.env = cli, env
    yield found
    server.stop()
    if request.session.testsfailed:
        sys.stderr.write(f"\n--- backend log ({server.log}) ---\n{server.tail(400)}\n")


@pytest.fixture(scope="session")
def backend_server(backend) -> str:
    """The backend's base URL."""
    return backend.url


@pytest.fixture(scope="session")
def _admin_session(backend) -> Api:
    return Api(backend.url, backend.admin)


@pytest.fixture
def admin_api(_admin_session) -> Iterator[Api]:
    """The admin's REST client; what a test creates is deleted after it."""
    yield _admin_session
    _admin_session.cleanup()


def _newest_source_mtime() -> float:
    newest = 0.0
    for base in ("src", "manifest.json", "build.mjs", "package.json", "package-lock.json"):
        path = EXTENSION_DIR / base
        files = path.rglob("*") if path.is_dir() else [path]
        for f in files:
            if f.is_file() and "node_modules" not in f.parts:
                newest = max(newest, f.stat().st_mtime)
    return newest


@pytest.fixture(scope="session")
def extension_path() -> Path:
    """extension/dist, built once if missing or older than its sources."""
    dist = EXTENSION_DIR / "dist"
    manifest = dist / "manifest.json"
    if not manifest.exists() or manifest.stat().st_mtime < _newest_source_mtime():
        if not (EXTENSION_DIR / "node_modules").exists():
            subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=EXTENSION_DIR, check=True)
        subprocess.run(["npm", "run", "build"], cwd=EXTENSION_DIR, check=True)
    if not manifest.exists():
        pytest.fail(f"the extension build did not produce {manifest}")
    return dist


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as pw:
        yield pw


def launch(playwright: Playwright, profile: Path, extension: Path) -> BrowserContext:
    """Chromium with the built extension, in a profile of its own."""
    return playwright.chromium.launch_persistent_context(
        str(profile),
        executable_path=CHROMIUM,
        headless=True,
        viewport={"width": 1360, "height": 820},
        args=[
            f"--disable-extensions-except={extension}",
            f"--load-extension={extension}",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    )


def _wait_for_worker(context: BrowserContext) -> Worker:
    """The extension's service worker: it is up once the extension has loaded."""
    return next(
        (w for w in context.service_workers if w.url.startswith(EXTENSION_ORIGIN)), None
    ) or context.wait_for_event(
        "serviceworker", predicate=lambda w: w.url.startswith(EXTENSION_ORIGIN), timeout=15_000
    )


@contextmanager
def _recording(context: BrowserContext, request) -> Iterator[None]:
    """Keep the browser's and the service worker's console for the failure report."""
    console: list[str] = []
    request.node._browser_console = console

    def on_console(msg) -> None:
        console.append(f"[{msg.type}] {msg.location.get('url', '')}: {msg.text}")

    def on_error(err) -> None:
        console.append(f"[pageerror] {err.error}")

    def on_worker_console(msg) -> None:
        console.append(f"[sw {msg.type}] {msg.text}")

    worker = _wait_for_worker(context)
    context.on("console", on_console)
    context.on("weberror", on_error)
    worker.on("console", on_worker_console)
    try:
        yield
    finally:
        context.remove_listener("console", on_console)
        context.remove_listener("weberror", on_error)
        worker.remove_listener("console", on_worker_console)


@pytest.fixture
def browser(playwright, extension_path, tmp_path, request) -> Iterator[BrowserContext]:
    """A fresh profile with the extension loaded, signed out.

    About 3 s each: Chromium answers the extension's first chrome.storage.managed read
    only ~3 s after start, and signing in waits for it. Tests that only need the
    usual staff account share one signed-in profile instead (``staff``).
    """
    context = launch(playwright, tmp_path / "profile", extension_path)
    with _recording(context, request):
        yield context
    context.close()


@pytest.fixture(scope="session")
def _staff_context(playwright, extension_path, backend, tmp_path_factory):
    context = launch(playwright, tmp_path_factory.mktemp("staff-profile"), extension_path)
    _wait_for_worker(context)
    sign_in(context, backend.url, backend.staff)
    yield context
    context.close()


@pytest.fixture
def staff(_staff_context, request) -> Iterator[BrowserContext]:
    """The extension signed in as the e2e staff member through its options page.

    One profile for the session; the tabs a test opens are closed after it, and what the
    admin published is deleted (``admin_api``), so each test starts from a clean page set.
    """
    before = set(_staff_context.pages)
    with _recording(_staff_context, request):
        yield _staff_context
    for page in _staff_context.pages:
        if page not in before:
            page.close()


@pytest.fixture(scope="session")
def _plain_chromium(playwright):
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
    )
    yield browser
    browser.close()


@pytest.fixture
def plain_page(_plain_chromium):
    """A page in Chromium without the extension: the host app on its own."""
    context = _plain_chromium.new_context(viewport={"width": 1360, "height": 820})
    page = context.new_page()
    yield page
    context.close()
