"""Exports: CSV, JSON Lines and XLSX hold the same rows, formulas stay inert, access, audit."""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from nudgelayer.extensions import db
from nudgelayer.models import AuditLog

from .test_surveys import answer, displayed, identified_consent, publish_survey

QUESTIONS = [
    {"id": "nps", "type": "nps", "prompt": "Recommend?"},
    {"id": "uses", "type": "multi", "prompt": "Use?", "options": ["Macros", "Views"]},
    # A question whose id is also a fixed column name gets its own column.
    {"id": "url", "type": "text", "prompt": "Which page?"},
    {"id": "why", "type": "text", "prompt": "Why?"},
]
pytestmark = pytest.mark.usefixtures(identified_consent.__name__)
FORMULAS = [
    '=HYPERLINK("https://evil.test","click")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1",
    "\r=1",
]
FIXED = ["response_id", "created_at", "version", "completed", "user_email", "url"]


@pytest.fixture
def survey(client, login):
    """A published survey with answers from two users, free text full of formulas."""
    exp_id = publish_survey(client, login("admin"), QUESTIONS)
    staff, analyst = login("staff"), login("analyst")
    for i, text in enumerate(FORMULAS):
        resp = answer(
            client,
            staff if i % 2 else analyst,
            exp_id,
            {"nps": i, "uses": ["Views", "Macros"][: 1 + i % 2], "why": text},
            completed=i % 3 != 0,
            url=f"https://tickets.example.com/q/{i}",
        )
        assert resp.status_code == 202, resp.json
    answer(client, staff, exp_id, {"url": "=cmd|' /C calc'!A0", "why": "Ünïcode ✓ fine"})
    answer(client, staff, exp_id, {"why": "bell\x07and\x1bescape"}, completed=True)
    return exp_id


def download(client, headers, exp_id, fmt, query=""):
    resp = client.get(
        f"/api/v1/experiences/{exp_id}/responses/export?format={fmt}{query}", headers=headers
    )
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    assert resp.is_streamed
    assert f'filename="survey-{exp_id}-responses.{fmt}"' in resp.headers["Content-Disposition"]
    return resp


def read_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def read_xlsx(data: bytes) -> list[list]:
    book = load_workbook(io.BytesIO(data), read_only=True)
    sheet = book["Responses"]
    out = [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]
    book.close()
    return out


def as_text(value) -> str:
    """A cell as the CSV shows it: what each format should agree on."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds") + "Z"
    return str(value)


def jsonl_as_table(data: bytes) -> list[list[str]]:
    """JSON Lines → the CSV table (formulas neutralised the way CSV does, lists joined)."""
    from nudgelayer.surveys.export import neutralise

    header = FIXED + ["nps", "uses", "question:url", "why"]
    table = [header]
    for line in data.decode("utf-8").splitlines():
        record = json.loads(line)
        row = [as_text(record[k]) if record[k] is not None else "" for k in FIXED]
        for qid in ("nps", "uses", "url", "why"):
            value = record["answers"].get(qid)
            if isinstance(value, list):
                value = "; ".join(value)
            row.append("" if value is None else neutralise(str(value)))
        row[4], row[5] = neutralise(row[4]), neutralise(row[5])
        table.append(row)
    return table


def test_csv_jsonl_and_xlsx_hold_the_same_rows(client, login, survey):
    analyst = login("analyst")
    from_csv = read_csv(download(client, analyst, survey, "csv").data)
    from_jsonl = jsonl_as_table(download(client, analyst, survey, "jsonl").data)
    xlsx = download(client, analyst, survey, "xlsx")
    from_xlsx = [[as_text(v) for v in row] for row in read_xlsx(xlsx.data)]
    assert len(from_csv) == 1 + len(FORMULAS) + 2
    assert from_csv[0] == FIXED + ["nps", "uses", "question:url", "why"]
    # XLSX drops characters the file format cannot hold (the bell and escape) and keeps
    # line breaks as LF (an XML reader turns a CR into LF anyway).
    stripped = [
        [c.replace("\x07", "").replace("\x1b", "").replace("\r", "\n") for c in row]
        for row in from_csv
    ]
    assert from_xlsx == stripped
    assert from_jsonl == from_csv
    assert [r[0] for r in from_csv[1:]] == [r[0] for r in from_xlsx[1:]]
    emails = {r[4] for r in from_csv[1:]}
    assert emails == {"staff@acme.test", "analyst@acme.test"}
    assert xlsx.headers["X-Nudgelayer-Rows"] == str(len(FORMULAS) + 2)


def test_formulas_in_free_text_come_out_inert(client, login, survey):
    analyst = login("analyst")
    rows = read_csv(download(client, analyst, survey, "csv").data)[1:]
    texts = [r[-1] for r in rows[: len(FORMULAS)]]
    assert texts == ["'" + f for f in FORMULAS]
    assert rows[len(FORMULAS)][-2] == "'=cmd|' /C calc'!A0"
    book = load_workbook(io.BytesIO(download(client, analyst, survey, "xlsx").data))
    sheet = book["Responses"]
    column = [c for c in sheet[1] if c.value == "why"][0].column
    cells = [sheet.cell(row=r, column=column) for r in range(2, 2 + len(FORMULAS))]
    assert all(c.data_type == "s" for c in cells), [c.data_type for c in cells]
    assert [c.value for c in cells] == ["'" + f.replace("\r", "\n") for f in FORMULAS]
    # JSON Lines is for programs: the text is kept exactly as answered.
    jsonl = download(client, analyst, survey, "jsonl").data.decode().splitlines()
    assert [json.loads(line)["answers"]["why"] for line in jsonl[: len(FORMULAS)]] == FORMULAS


def test_staff_cannot_export_and_other_workspaces_see_nothing(client, login, survey):
    for fmt in ("csv", "jsonl", "xlsx"):
        url = f"/api/v1/experiences/{survey}/responses/export?format={fmt}"
        resp = client.get(url, headers=login("staff"))
        assert resp.status_code == 403 and resp.json["error"]["code"] == "forbidden"
        assert client.get(url, headers=login("admin@other.test")).status_code == 404
    assert (
        client.get(
            f"/api/v1/experiences/{survey}/responses/export?format=pdf", headers=login("admin")
        ).status_code
        == 422
    )


def test_each_export_is_audited_with_format_and_filters(app, client, login, survey):
    download(client, login("analyst"), survey, "jsonl", "&team=support&from=2020-01-01")
    with app.app_context():
        entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "responses.export"))
        assert entry.subject_id == survey and entry.actor.email == "analyst@acme.test"
        assert entry.after == {
            "format": "jsonl",
            "filters": {"from": "2020-01-01T00:00:00Z", "team": "support"},
            "rows": 5,
            "via": "api",
        }


def test_exports_are_filtered_like_the_console(client, login, survey):
    analyst = login("analyst")
    support = read_csv(download(client, analyst, survey, "csv", "&team=support").data)
    assert {r[4] for r in support[1:]} == {"staff@acme.test"}
    page = read_csv(download(client, analyst, survey, "csv", "&url=/q/3").data)
    assert len(page) == 2 and page[1][5] == "https://tickets.example.com/q/3"
    old = read_csv(download(client, analyst, survey, "csv", "&to=2000-01-01").data)
    assert old == [FIXED + ["nps", "uses", "question:url", "why"]]


def test_anonymous_responses_export_without_identity(client, login):
    exp_id = publish_survey(client, login("admin"), QUESTIONS, anonymous=True)
    answer(client, login("staff"), exp_id, {"nps": 10}, url="https://secret.example/x")
    (header, row) = read_csv(download(client, login("admin"), exp_id, "csv").data)
    assert row[header.index("user_email")] == "" and row[header.index("url")] == ""


def test_the_cli_exports_with_progress(app, client, login, survey, runner, tmp_path):
    out = tmp_path / "answers.csv"
    result = runner.invoke(
        args=["export-responses", str(survey), "--format", "csv", "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "Exporting 8 responses" in result.stderr
    assert "8 responses written" in result.stderr
    api = download(client, login("analyst"), survey, "csv").data
    assert out.read_bytes() == api
    xlsx = tmp_path / "answers.xlsx"
    result = runner.invoke(
        args=["export-responses", str(survey), "-o", str(xlsx), "--format", "xlsx"]
    )
    assert result.exit_code == 0 and len(read_xlsx(xlsx.read_bytes())) == 9
    bad = runner.invoke(args=["export-responses", "999", "-o", str(out)])
    assert bad.exit_code != 0 and "no survey 999" in bad.output
    with app.app_context():
        vias = db.session.scalars(
            select(AuditLog.after).where(AuditLog.action == "responses.export")
        ).all()
        assert [v["via"] for v in vias] == ["cli", "api", "cli"]


def test_events_export_streams_jsonl_filtered_by_type_and_date(app, client, login):
    staff = login("staff")
    events = [
        {"id": str(uuid.uuid4()), "type": "page.view", "ts": "2026-01-01T10:00:00+00:00"},
        {"id": str(uuid.uuid4()), "type": "page.view", "ts": "2026-01-03T10:00:00+00:00"},
        {"id": str(uuid.uuid4()), "type": "tour.done", "ts": "2026-01-02T10:00:00+00:00"},
    ]
    assert client.post("/api/v1/events", json={"events": events}, headers=staff).status_code == 202
    analyst = login("analyst")
    resp = client.get("/api/v1/events/export?type=page.view&to=2026-01-02", headers=analyst)
    assert resp.status_code == 200 and resp.is_streamed
    assert resp.mimetype == "application/x-ndjson"
    lines = [json.loads(line) for line in resp.data.decode().splitlines()]
    assert [e["id"] for e in lines] == [events[0]["id"]]
    assert lines[0]["ts"] == "2026-01-01T10:00:00Z" and lines[0]["user_id"]
    everything = client.get("/api/v1/events/export", headers=analyst).data.decode().splitlines()
    assert len(everything) == 3
    assert client.get("/api/v1/events/export", headers=staff).status_code == 403
    assert client.get("/api/v1/events/export?format=csv", headers=analyst).status_code == 422
    assert client.get("/api/v1/events/export?type=Bad!", headers=analyst).status_code == 422
    other = client.get("/api/v1/events/export", headers=login("admin@other.test"))
    assert other.data == b""
    with app.app_context():
        actions = db.session.scalars(
            select(AuditLog.action).where(AuditLog.action == "events.export")
        ).all()
        assert len(actions) == 3  # the refused and invalid requests are not


def test_display_events_are_in_the_events_export(client, login):
    exp_id = publish_survey(client, login("admin"), QUESTIONS)
    displayed(client, login("staff"), exp_id)
    resp = client.get("/api/v1/events/export?type=survey.shown", headers=login("analyst"))
    (line,) = resp.data.decode().splitlines()
    assert json.loads(line)["experience_id"] == exp_id


def test_the_benchmark_runs_tiny_and_reports_its_json_last():
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parents[1] / "bench" / "export_csv.py"
    done = subprocess.run(  # noqa: S603 - our own script, with our interpreter
        [sys.executable, str(script), "--rows", "50", "--rounds", "1"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["export_csv_1m"]["rows"] == 50 and result["export_csv_1m"]["ratio"] > 0
    assert 0 < result["export_csv_1m_rss"]["peak_rss_mb"] < 200


def test_a_failed_xlsx_export_leaves_no_temporary_files(app, client, login, survey):
    import glob
    import tempfile

    from nudgelayer.models import Experience
    from nudgelayer.surveys import export

    def broken():
        yield from export.partitions(exp, export.Filters())
        raise RuntimeError("database went away")

    pattern = tempfile.gettempdir() + "/openpyxl.*"
    before = set(glob.glob(pattern))
    with app.app_context():
        exp = db.session.get(Experience, survey)
        with pytest.raises(RuntimeError):
            b"".join(export.xlsx_chunks(exp, broken()))
    assert set(glob.glob(pattern)) - before == set()
