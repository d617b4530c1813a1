"""Helpdesk Ops: a stand-in third-party dashboard that Nudgelayer overlays in demos and tests.

It plays the part of an internal tool nobody on the Nudgelayer side controls, so it
depends on nothing from the backend package and uses only the standard library.

    python demo/server.py --host 127.0.0.1 --port 5001
"""

from __future__ import annotations

import argparse
import contextlib
import json
import mimetypes
import random
import re
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

STATIC = Path(__file__).resolve().parent / "static"
# Client-side routes: every one of them answers with index.html so deep links work.
APP_ROUTES = re.compile(r"^/(?:tickets(?:/[A-Za-z0-9-]{1,32})?|settings)?/?$")
TICKET_PATH = re.compile(r"^/api/tickets/(HD-\d{4})$")
MAX_BODY = 64 * 1024
SETTINGS_FIELDS = {
    "team_name": str,
    "timezone": str,
    "notify_email": bool,
    "notify_digest": bool,
    "sla_first_response_minutes": int,
    "auto_close_days": int,
    "webhook_url": str,
}

_FIRST = [
    "Ava",
    "Noah",
    "Mia",
    "Liam",
    "Zoe",
    "Omar",
    "Ines",
    "Kenji",
    "Lena",
    "Raj",
    "Sofia",
    "Tom",
]
_LAST = ["Okafor", "Schmidt", "Tanaka", "Rossi", "Novak", "Haddad", "Silva", "Berg", "Moreau"]
_COMPANIES = [
    "Acme Freight",
    "Bluefin Bank",
    "Northwind",
    "Globex",
    "Initech",
    "Umbrella Retail",
    "Stark Logistics",
    "Wayne Health",
    "Tyrell Energy",
    "Soylent Foods",
]
_SUBJECTS = [
    "Cannot export monthly invoice as PDF",
    "Password reset email never arrives",
    "Dashboard shows stale numbers after sync",
    "SSO login loops back to the start page",
    "Webhook deliveries failing with 502",
    "Request to add a second billing contact",
    "Bulk import stops at row 1,000",
    "Mobile app crashes when opening attachments",
    "Wrong timezone on scheduled reports",
    "API rate limit hit during nightly job",
    "Refund not reflected on the statement",
    "Need audit log for the last quarter",
    "Two-factor codes rejected after phone change",
    "Search does not find archived tickets",
]
_AGENTS = ["Priya N.", "Marco B.", "Hana K.", "Jonas W.", None]
_STATUSES = ["open", "open", "open", "pending", "pending", "solved"]
_PRIORITIES = ["low", "normal", "normal", "high", "urgent"]
_CHANNELS = ["email", "chat", "phone", "web"]


@lru_cache(maxsize=4)
def tickets(seed: int = 1729, count: int = 48) -> tuple[dict, ...]:
    """The same fake queue on every run (tests and screenshots depend on it)."""
    rng = random.Random(seed)
    base = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
    out = []
    for i in range(count):
        created = base - timedelta(minutes=rng.randint(5, 60 * 24 * 6))
        updated = created + timedelta(minutes=rng.randint(1, 600))
        name = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
        company = rng.choice(_COMPANIES)
        subject = rng.choice(_SUBJECTS)
        out.append(
            {
                "id": f"HD-{4100 + i}",
                "subject": subject,
                "customer": name,
                "company": company,
                "email": f"{name.split()[0].lower()}@{company.split()[0].lower()}.example",
                "priority": rng.choice(_PRIORITIES),
                "status": rng.choice(_STATUSES),
                "assignee": rng.choice(_AGENTS),
                "channel": rng.choice(_CHANNELS),
                "created_at": created.isoformat(),
                "updated_at": updated.isoformat(),
                "messages": [
                    {
                        "from": name,
                        "at": created.isoformat(),
                        "text": f"Hi team, {subject.lower()}. "
                        f"This is blocking our {company} rollout.",
                    },
                    {
                        "from": rng.choice(_AGENTS[:-1]),
                        "at": updated.isoformat(),
                        "text": "Thanks for the report. We are looking into it "
                        "and will update you shortly.",
                    },
                ],
            }
        )
    return tuple(out)


def validate_settings(payload: object) -> tuple[dict, dict]:
    """Return (clean settings, errors by field) for a settings form post."""
    if not isinstance(payload, dict):
        return {}, {"_": "expected a JSON object"}
    clean, errors = {}, {}
    for key, value in payload.items():
        kind = SETTINGS_FIELDS.get(key)
        # bool is a subclass of int: check it explicitly so `true` is not a number of minutes.
        if kind is None:
            errors[key] = "unknown field"
        elif kind is int and (isinstance(value, bool) or not isinstance(value, int)):
            errors[key] = "must be a whole number"
        elif not isinstance(value, kind):
            errors[key] = f"must be a {kind.__name__}"
        elif kind is str and len(value) > 200:
            errors[key] = "too long"
        else:
            clean[key] = value
    if (
        "sla_first_response_minutes" in clean
        and not 1 <= clean["sla_first_response_minutes"] <= 10080
    ):
        errors["sla_first_response_minutes"] = "between 1 and 10080"
    if (
        "webhook_url" in clean
        and clean["webhook_url"]
        and not clean["webhook_url"].startswith("https://")
    ):
        errors["webhook_url"] = "must start with https://"
    return clean, errors


class DemoHandler(BaseHTTPRequestHandler):
    server_version = "HelpdeskOps/1.0"
    api_delay = 0.8  # seconds; the queue table must arrive after the page, like a slow backend
    settings: dict = {"team_name": "Tier 1 Support", "timezone": "Europe/Berlin"}
    settings_lock = threading.Lock()
    quiet = False

    def log_message(self, fmt, *args):  # noqa: D401 - http.server hook
        if not self.quiet:
            sys.stderr.write(f"demo {self.address_string()} {fmt % args}\n")

    # -- helpers -----------------------------------------------------------------------------
    def _send(self, status: int, body: bytes, ctype: str, cache: str = "no-store") -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", cache)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if self.command != "HEAD":
            # A browser that navigated away mid-request is normal for an SPA; not an error.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)

    def _json(self, status: int, data: object) -> None:
        self._send(status, json.dumps(data).encode(), "application/json")

    def _static(self, rel: str) -> None:
        path = (STATIC / rel).resolve()
        # Refuse anything that escapes the static folder (../, symlinks).
        if STATIC not in path.parents or not path.is_file():
            self._json(404, {"error": "not found"})
            return
        ctype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if ctype.startswith("text/") or ctype.endswith("javascript"):
            ctype += "; charset=utf-8"
        self._send(200, path.read_bytes(), ctype)

    # -- routes ------------------------------------------------------------------------------
    def do_HEAD(self):  # noqa: N802 - http.server naming
        self.do_GET()

    def do_GET(self):  # noqa: N802
        path = urlsplit(self.path).path
        if path.startswith("/static/"):
            self._static(path.removeprefix("/static/"))
        elif path == "/favicon.ico":
            self._static("favicon.svg")
        elif path == "/api/tickets":
            time.sleep(self.api_delay)
            rows = [{k: v for k, v in t.items() if k != "messages"} for t in tickets()]
            self._json(200, {"tickets": rows, "generated_at": datetime.now(UTC).isoformat()})
        elif m := TICKET_PATH.match(path):
            time.sleep(self.api_delay / 2)
            found = next((t for t in tickets() if t["id"] == m.group(1)), None)
            self._json(200, found) if found else self._json(404, {"error": "no such ticket"})
        elif path == "/api/settings":
            with self.settings_lock:
                self._json(200, dict(self.settings))
        elif path == "/healthz":
            self._json(200, {"status": "ok"})
        elif APP_ROUTES.match(path):
            self._static("index.html")
        else:
            self._json(404, {"error": "not found"})

    def do_POST(self):  # noqa: N802
        if urlsplit(self.path).path != "/api/settings":
            self._json(404, {"error": "not found"})
            return
        if not self.headers.get("Content-Type", "").startswith("application/json"):
            self._json(415, {"error": "send JSON"})
            return
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_BODY:
            self._json(413, {"error": "body too large"})
            return
        try:
            payload = json.loads(self.rfile.read(length) or b"null")
        except (ValueError, UnicodeDecodeError):
            self._json(400, {"error": "malformed JSON"})
            return
        clean, errors = validate_settings(payload)
        if errors:
            self._json(422, {"error": "invalid settings", "fields": errors})
            return
        with self.settings_lock:
            self.settings.update(clean)
            saved = dict(self.settings)
        self._json(200, {"settings": saved, "saved_at": datetime.now(UTC).isoformat()})


def make_server(host: str, port: int, api_delay: float = 0.8, quiet: bool = False):
    handler = type(
        "Handler",
        (DemoHandler,),
        {
            "api_delay": api_delay,
            "quiet": quiet,
            "settings": dict(DemoHandler.settings),
        },
    )
    # ThreadingHTTPServer uses daemon threads, so a slow /api/tickets never blocks shutdown.
    return ThreadingHTTPServer((host, port), handler)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5001)
    parser.add_argument(
        "--api-delay",
        type=float,
        default=0.8,
        help="seconds before /api/tickets answers (default 0.8)",
    )
    parser.add_argument("--quiet", action="store_true", help="no request log")
    args = parser.parse_args(argv)
    server = make_server(args.host, args.port, args.api_delay, args.quiet)
    host, port = server.server_address[:2]
    # A line the e2e harness and humans can wait on; flushed so pipes see it at once.
    print(f"Helpdesk Ops demo on http://{host}:{port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
