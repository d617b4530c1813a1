"""Console survey pages: authoring with preview, results with charts and filters, exports."""

from __future__ import annotations

import csv
import io
import json
import uuid

import openpyxl
import pytest
from sqlalchemy import select

from nudgelayer.extensions import db
from nudgelayer.models import AuditLog, Experience, User
from nudgelayer.privacy import consent

from .test_console import csrf_from, sign_in


@pytest.fixture(autouse=True)
def identified_consent(app):
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "staff@acme.test"))
        consent.set_(user, {"identified_surveys": True})
        db.session.commit()


def console(app, who):
    c = app.test_client()
    assert sign_in(c, who).status_code == 302
    return c


def survey_form(token, **overrides):
    data = {
        "csrf_token": token,
        "name": "Queue pulse",
        "url": "https://tickets.example.com/*",
        "trigger_type": "click",
        "trigger_selector": "#close-ticket",
        "delay_seconds": "2",
        "sample_percent": "50",
        "max_displays": "3",
        "starts_at": "2026-12-01T09:00",
        "anonymous": "on",
        "thank_you": "Merci!",
        "q0_id": "score",
        "q0_type": "nps",
        "q0_prompt": "How likely are you to recommend the queue?",
        "q0_next": "10 -> end\n0 -> why",
        "q1_id": "area",
        "q1_type": "single",
        "q1_prompt": "What should improve?",
        "q1_options": "Speed\nSearch",
        "q2_id": "why",
        "q2_type": "text",
        "q2_prompt": "Tell us more",
        "action": "save",
    }
    data.update(overrides)
    return data


def test_admin_writes_a_survey_with_branching_trigger_and_caps_saved_as_a_draft(app):
    c = console(app, "admin")
    token = csrf_from(c, "/console/surveys/new")
    # Preview first: the card shows, nothing is saved.
    preview = c.post("/console/surveys/new", data=survey_form(token, action="preview"))
    assert preview.status_code == 200
    assert "How likely are you to recommend the queue?" in preview.text
    assert "Anonymous" in preview.text and "Merci!" in preview.text
    with app.app_context():
        assert db.session.scalar(select(Experience).where(Experience.kind == "survey")) is None

    resp = c.post("/console/surveys/new", data=survey_form(token))
    assert resp.status_code == 302
    with app.app_context():
        exp = db.session.scalar(select(Experience).where(Experience.kind == "survey"))
        content = exp.current_version.content
        assert exp.status == "draft"
        assert [q["id"] for q in content["questions"]] == ["score", "area", "why"]
        assert content["questions"][0]["next"] == {"10": "end", "0": "why"}
        assert content["questions"][1]["options"] == ["Speed", "Search"]
        assert content["trigger"] == {"type": "click", "selector": "#close-ticket"}
        assert content["anonymous"] is True
        assert (content["delay_seconds"], content["sample_percent"], content["max_displays"]) == (
            2,
            50,
            3,
        )
        assert content["starts_at"].startswith("2026-12-01T09:00:00")
        exp_id = exp.id

    # The edit form comes back filled in; a change is a new draft version.
    edit = c.get(f"/console/surveys/{exp_id}/edit")
    assert "10 -&gt; end" in edit.text and "#close-ticket" in edit.text
    resp = c.post(f"/console/surveys/{exp_id}/edit", data=survey_form(token, name="Queue pulse 2"))
    assert resp.status_code == 302
    with app.app_context():
        assert db.session.get(Experience, exp_id).current_version.name == "Queue pulse 2"


def test_a_branch_backwards_or_to_nowhere_is_refused_and_nothing_is_saved(app):
    c = console(app, "admin")
    token = csrf_from(c, "/console/surveys/new")
    resp = c.post(
        "/console/surveys/new", data=survey_form(token, q2_next="", q1_next="Speed -> score")
    )
    assert resp.status_code == 422
    assert "later question" in resp.text
    resp = c.post("/console/surveys/new", data=survey_form(token, q0_next="eleven"))
    assert resp.status_code == 422 and "answer -&gt; question id" in resp.text
    with app.app_context():
        assert db.session.scalar(select(Experience).where(Experience.kind == "survey")) is None


def test_analysts_read_results_but_cannot_author(app, client, login):
    from .test_surveys import answer, displayed, publish_survey

    admin, staff = login("admin"), login("staff")
    questions = [
        {"id": "score", "type": "nps", "prompt": "Recommend us?"},
        {"id": "why", "type": "text", "prompt": "Why?"},
    ]
    exp_id = publish_survey(client, admin, questions=questions)
    for score, text in ((10, "Fast search"), (9, None), (3, "Slow exports")):
        displayed(client, staff, exp_id)
        answers = {"score": score} | ({"why": text} if text else {})
        assert (
            answer(
                client, staff, exp_id, answers, completed=True, url="https://tickets.example.com/q"
            ).status_code
            == 202
        )

    c = console(app, "analyst")
    page = c.get(f"/console/surveys/{exp_id}/results")
    assert page.status_code == 200
    # NPS: 2 promoters, 1 detractor of 3 → 33.
    assert "2 promoters (9–10), 0 passives (7–8), 1 detractors (0–6)" in page.text
    assert "<svg" in page.text and "Responses over time" in page.text
    assert "Fast search" in page.text and "Slow exports" in page.text
    found = c.get(f"/console/surveys/{exp_id}/results?q=slow")
    assert "Slow exports" in found.text and "Fast search" not in found.text
    # Filters: another team sees nothing; a bad date is reported, not a crash.
    assert (
        "No responses with these filters."
        in c.get(f"/console/surveys/{exp_id}/results?team=ops").text
    )
    bad = c.get(f"/console/surveys/{exp_id}/results?from=yesterday")
    assert bad.status_code == 200 and 'role="alert"' in bad.text
    assert c.get("/console/surveys/new").status_code == 403
    assert c.get(f"/console/surveys/{exp_id}/edit").status_code == 403


def test_console_downloads_match_the_api_exports_and_are_audited(app, client, login):
    from .test_surveys import answer, publish_survey

    admin, staff = login("admin"), login("staff")
    questions = [
        {"id": "score", "type": "csat", "prompt": "Happy?"},
        {"id": "why", "type": "text", "prompt": "Why?"},
    ]
    exp_id = publish_survey(client, admin, questions=questions)
    for i in range(5):
        answer(
            client,
            staff,
            exp_id,
            {"score": 1 + i % 5, "why": f"=cmd|{i}"},
            rid=str(uuid.uuid4()),
            completed=True,
        )

    c = console(app, "analyst")
    analyst = login("analyst")
    for fmt in ("csv", "jsonl", "xlsx"):
        # Each streamed body is read before the next request (one request context at a time).
        mine = c.get(f"/console/surveys/{exp_id}/export?format={fmt}")
        mine_data = mine.get_data()
        assert mine.status_code == 200 and mine.headers["X-Nudgelayer-Rows"] == "5"
        assert f"survey-{exp_id}-responses.{fmt}" in mine.headers["Content-Disposition"]
        api = client.get(
            f"/api/v1/experiences/{exp_id}/responses/export?format={fmt}", headers=analyst
        )
        api_data = api.get_data()
        if fmt == "csv":
            got = list(csv.DictReader(io.StringIO(mine_data.decode("utf-8-sig"))))
            assert got == list(csv.DictReader(io.StringIO(api_data.decode("utf-8-sig"))))
            assert all(r["why"].startswith("'=") for r in got), "formulas come out inert"
        elif fmt == "jsonl":
            got = [json.loads(line) for line in mine_data.decode().splitlines()]
            assert got == [json.loads(line) for line in api_data.decode().splitlines()]
        else:
            sheet = openpyxl.load_workbook(io.BytesIO(mine_data), read_only=True).active
            got = [list(r) for r in sheet.iter_rows(values_only=True)][1:]
        assert len(got) == 5
    with app.app_context():
        vias = [
            a.after["via"]
            for a in db.session.scalars(
                select(AuditLog).where(AuditLog.action == "responses.export")
            )
        ]
        assert vias.count("console") == 3
    assert c.get(f"/console/surveys/{exp_id}/export?format=pdf").status_code == 400
    # The results page offers the three downloads with the filters applied.
    page = c.get(f"/console/surveys/{exp_id}/results?team=support")
    assert f"/console/surveys/{exp_id}/export?format=xlsx&amp;team=support" in page.text
    assert "survey-export.js" in page.text
