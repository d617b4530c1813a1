"""The live tooltip flow on a web app the project did not write: datasette."""

from __future__ import annotations

import re
import sqlite3
import sys
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from e2e.harness import card, free_port, open_page, start_server, tooltip

pytestmark = pytest.mark.e2e

FILTER_VALUE = "form.filters input[name='_filter_value']"  # datasette's row filter box


@pytest.fixture(scope="module")
def datasette(tmp_path_factory) -> Iterator[str]:
    """datasette serving a small incidents table; yields the table page's URL."""
    pytest.importorskip("datasette")
    root = tmp_path_factory.mktemp("datasette")
    db = root / "ops.db"
    with sqlite3.connect(db) as conn:
        conn.execute(
            "CREATE TABLE incidents"
            " (id INTEGER PRIMARY KEY, title TEXT, severity TEXT, opened TEXT)"
        )
        conn.executemany(
            "INSERT INTO incidents (title, severity, opened) VALUES (?, ?, ?)",
            [
                ("Disk 91% full on db-2", "high", "2025-03-01"),
                ("TLS certificate expires in 6 days", "medium", "2025-03-02"),
                ("Backup job skipped twice", "high", "2025-03-02"),
            ],
        )
    conn.close()
    port = free_port()
    server = start_server(
        "datasette",
        [
            sys.executable,
            "-m",
            "datasette",
            "serve",
            str(db),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        url=f"http://127.0.0.1:{port}",
        ready_path="/-/versions.json",
        log=root / "datasette.log",
    )
    yield f"{server.url}/ops/incidents"
    server.stop()


def test_live_tooltip_on_datasette(staff, admin_api, datasette):
    origin = datasette.rsplit("/", 2)[0]
    exp = admin_api.live(
        "tooltip",
        "Sorting incidents",
        {"url": f"{origin}/ops/*"},
        tooltip(FILTER_VALUE, "Filter incidents", "Pick a column, then type **high**.", "bottom"),
    )
    page, dialogs = open_page(staff, datasette)
    expect(page.get_by_role("heading", name="incidents", exact=True)).to_be_visible()

    tip = card(page, exp["id"])
    expect(tip).to_be_visible()
    expect(tip).to_contain_text("Filter incidents")
    expect(tip.locator("strong")).to_have_text("high")

    admin_api.patch(
        exp["id"], content=tooltip(FILTER_VALUE, "Only what is urgent", "Try **severity = high**.")
    )
    admin_api.publish(exp["id"])
    published = time.monotonic()
    expect(tip).to_contain_text("Only what is urgent", timeout=2000)
    assert time.monotonic() - published < 2.0

    # datasette itself still works with the overlay on it.
    page.locator("select[name='_filter_column']").select_option("severity")
    page.locator(FILTER_VALUE).fill("high")
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(r"severity__exact=high|severity=high"))
    expect(page.locator("table.rows-and-columns tbody tr")).to_have_count(2)

    admin_api.unpublish(exp["id"])
    expect(card(page, exp["id"])).to_have_count(0, timeout=2000)
    assert dialogs == []
