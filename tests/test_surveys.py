"""Micro-surveys: answers stored once, validation, anonymity, fatigue rules, results."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from nudgelayer.extensions import db
from nudgelayer.models import Event, SurveyDisplay, SurveyResponse, User, now_utc
from nudgelayer.privacy import consent
from nudgelayer.surveys import fatigue

QUESTIONS = [
    {"id": "nps", "type": "nps", "prompt": "Recommend the queue?", "next": {"10": "end"}},
    {"id": "sat", "type": "csat", "prompt": "How satisfied?"},
    {"id": "stars", "type": "rating", "prompt": "Rate the filter", "scale": 10},
    {"id": "team", "type": "single", "prompt": "Your team?", "options": ["Support", "Ops"]},
    {"id": "uses", "type": "multi", "prompt": "You use", "options": ["Macros", "Views", "Reports"]},
    {"id": "why", "type": "text", "prompt": "Anything else?"},
]


@pytest.fixture(autouse=True)
def identified_consent(app):
    """Staff and analyst agreed to identified survey answers (off until a user chooses)."""
    with app.app_context():
        for email in ("staff@acme.test", "analyst@acme.test"):
            user = db.session.scalar(select(User).where(User.email == email))
            consent.set_(user, {"identified_surveys": True})
        db.session.commit()


def publish_survey(client, headers, questions=None, **settings) -> int:
    body = {
        "kind": "survey",
        "name": settings.pop("name", "Queue survey"),
        "targeting": settings.pop("targeting", {"url": "https://tickets.example.com/*"}),
        "content": {"questions": questions or QUESTIONS, **settings},
    }
    resp = client.post("/api/v1/experiences", json=body, headers=headers)
    assert resp.status_code == 201, resp.json
    exp_id = resp.json["id"]
    assert client.post(f"/api/v1/experiences/{exp_id}/publish", headers=headers).status_code == 200
    return exp_id


def answer(client, headers, exp_id, answers, rid=None, **extra):
    body = {"id": rid or str(uuid.uuid4()), "experience_id": exp_id, "answers": answers, **extra}
    return client.post("/api/v1/responses", json=body, headers=headers)


def rows(app, exp_id=None):
    with app.app_context():
        q = select(SurveyResponse).order_by(SurveyResponse.id)
        if exp_id:
            q = q.where(SurveyResponse.experience_id == exp_id)
        found = list(db.session.scalars(q))
        db.session.expunge_all()
        return found


def displayed(client, headers, exp_id, action="shown", **extra):
    body = {"id": str(uuid.uuid4()), "action": action, **extra}
    return client.post(f"/api/v1/surveys/{exp_id}/display", json=body, headers=headers)


def verdict(client, headers, exp_id):
    resp = client.get(f"/api/v1/client/surveys/eligibility?ids={exp_id}", headers=headers)
    assert resp.status_code == 200, resp.json
    (only,) = resp.json["surveys"]
    return only


# ---------------------------------------------------------------- stored once


def test_300_answers_with_every_tenth_sent_twice_are_300_rows(app, client, login):
    exp_id = publish_survey(client, login("admin"))
    staff = login("staff")
    stored = []
    for i in range(300):
        rid = str(uuid.uuid4())
        body = {"nps": i % 11, "why": f"answer {i}"}
        first = answer(client, staff, exp_id, body, rid, completed=True)
        assert first.status_code == 202 and first.json == {"stored": True, "completed": True}
        stored.append(rid)
        if i % 10 == 0:
            again = answer(client, staff, exp_id, body, rid, completed=True)
            assert again.status_code == 202 and again.json["stored"] is False
    found = rows(app, exp_id)
    assert len(found) == 300
    assert sorted(r.uuid for r in found) == sorted(stored)


def test_partial_then_complete_is_one_row_with_both_answers(app, client, login):
    exp_id = publish_survey(client, login("admin"))
    staff = login("staff")
    rid = str(uuid.uuid4())
    partial = answer(client, staff, exp_id, {"nps": 7}, rid, url="https://tickets.example.com/q")
    assert partial.json == {"stored": True, "completed": False}
    done = answer(client, staff, exp_id, {"sat": 4, "why": "faster please"}, rid, completed=True)
    assert done.json == {"stored": True, "completed": True}
    (row,) = rows(app, exp_id)
    assert row.answers == {"nps": 7, "sat": 4, "why": "faster please"}
    assert row.completed and row.completed_at is not None
    assert row.url == "https://tickets.example.com/q"
    # A late, queued copy of the partial cannot rewrite a finished response.
    late = answer(client, staff, exp_id, {"nps": 2}, rid)
    assert late.json == {"stored": False, "completed": True}
    assert rows(app, exp_id)[0].answers["nps"] == 7


def test_a_response_id_cannot_be_taken_over_by_another_user(client, login):
    exp_id = publish_survey(client, login("admin"))
    rid = str(uuid.uuid4())
    assert answer(client, login("staff"), exp_id, {"nps": 5}, rid).status_code == 202
    stolen = answer(client, login("analyst"), exp_id, {"nps": 0}, rid)
    assert stolen.status_code == 409
    assert "id" in stolen.json["error"]["details"]


def test_anonymous_survey_stores_no_user_and_no_page(app, client, login):
    exp_id = publish_survey(client, login("admin"), anonymous=True)
    staff = login("staff")
    rid = str(uuid.uuid4())
    answer(client, staff, exp_id, {"nps": 9}, rid, url="https://tickets.example.com/q/42")
    answer(client, staff, exp_id, {"why": "fine"}, rid, completed=True)
    displayed(client, staff, exp_id, url="https://tickets.example.com/q/42")
    (row,) = rows(app, exp_id)
    assert row.user_id is None and row.url is None
    assert row.answers == {"nps": 9, "why": "fine"}
    with app.app_context():
        shown = db.session.scalar(select(Event).where(Event.type == "survey.shown"))
        assert shown.url is None
    # The user still is not asked again: the display state knows it was answered (no time).
    assert verdict(client, staff, exp_id)["reason"] == "answered"


def test_without_consent_identified_answers_are_stored_anonymously(app, client, login):
    exp_id = publish_survey(client, login("admin"))
    staff = login("staff")
    refused = {"analytics": False, "identified_surveys": False, "leaderboards": False}
    assert client.put("/api/v1/me/consent", json=refused, headers=staff).status_code == 200
    answer(client, staff, exp_id, {"nps": 4}, url="https://tickets.example.com/q/7")
    (row,) = rows(app, exp_id)
    assert row.user_id is None and row.url is None
    agreed = {**refused, "identified_surveys": True}
    client.put("/api/v1/me/consent", json=agreed, headers=staff)
    answer(client, staff, exp_id, {"nps": 5}, url="https://tickets.example.com/q/8")
    assert rows(app, exp_id)[1].user_id is not None


# ---------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("answers", "question"),
    [
        ({"nps": 11}, "nps"),
        ({"nps": -1}, "nps"),
        ({"nps": True}, "nps"),
        ({"nps": "7"}, "nps"),
        ({"nps": 7.5}, "nps"),
        ({"sat": 0}, "sat"),
        ({"sat": 6}, "sat"),
        ({"stars": 11}, "stars"),
        ({"team": "Sales"}, "team"),
        ({"team": ["Ops"]}, "team"),
        ({"uses": []}, "uses"),
        ({"uses": ["Macros", "Macros"]}, "uses"),
        ({"uses": ["Macros", "Sales"]}, "uses"),
        ({"uses": "Macros"}, "uses"),
        ({"why": "x" * 5001}, "why"),
        ({"why": "   "}, "why"),
        ({"why": 42}, "why"),
        ({"why": "nul\x00byte"}, "why"),
        ({"ghost": 1}, "ghost"),
    ],
)
def test_an_invalid_answer_is_422_naming_the_question(app, client, login, answers, question):
    exp_id = publish_survey(client, login("admin"))
    resp = answer(client, login("staff"), exp_id, {"sat": 5, **answers})
    assert resp.status_code == 422, resp.json
    assert set(resp.json["error"]["details"]["answers"]) == {question}
    assert rows(app) == []


def test_valid_answers_of_every_type_are_stored_normalised(app, client, login):
    exp_id = publish_survey(client, login("admin"))
    answers = {
        "nps": 0,
        "sat": 5,
        "stars": 10,
        "team": "Ops",
        "uses": ["Reports", "Macros"],
        "why": "x" * 5000,
    }
    resp = answer(client, login("staff"), exp_id, answers, completed=True)
    assert resp.status_code == 202, resp.json
    # Multi answers are kept in the question's option order.
    assert rows(app)[0].answers == {**answers, "uses": ["Macros", "Reports"]}


def test_rating_scale_defaults_to_five(client, login):
    exp_id = publish_survey(
        client, login("admin"), [{"id": "r", "type": "rating", "prompt": "Rate"}]
    )
    staff = login("staff")
    assert answer(client, staff, exp_id, {"r": 5}).status_code == 202
    assert answer(client, staff, exp_id, {"r": 6}).status_code == 422


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"experience_id": 1, "answers": {}}, "id"),
        ({"id": "not-a-uuid", "experience_id": 1, "answers": {}}, "id"),
        ({"id": str(uuid.uuid4()), "answers": {}}, "experience_id"),
        ({"id": str(uuid.uuid4()), "experience_id": "one", "answers": {}}, "experience_id"),
        ({"id": str(uuid.uuid4()), "experience_id": 2**40, "answers": {}}, "experience_id"),
        ({"id": str(uuid.uuid4()), "experience_id": 1}, "answers"),
        ({"id": str(uuid.uuid4()), "experience_id": 1, "answers": []}, "answers"),
        ({"id": str(uuid.uuid4()), "experience_id": 1, "answers": {"bad id!": 1}}, "answers"),
        ({"id": str(uuid.uuid4()), "experience_id": 1, "answers": {}, "url": "x" * 4001}, "url"),
        ({"id": str(uuid.uuid4()), "experience_id": 1, "answers": {}, "extra": 1}, "extra"),
    ],
)
def test_bad_response_bodies_are_422_naming_the_field(client, login, body, field):
    resp = client.post("/api/v1/responses", json=body, headers=login("staff"))
    assert resp.status_code == 422, resp.json
    assert field in resp.json["error"]["details"]


def test_only_published_surveys_of_ones_own_workspace_take_answers(client, login):
    admin = login("admin")
    staff = login("staff")
    draft = client.post(
        "/api/v1/experiences",
        json={
            "kind": "survey",
            "name": "draft",
            "targeting": {"url": "*"},
            "content": {"questions": QUESTIONS},
        },
        headers=admin,
    ).json["id"]
    tooltip = client.post(
        "/api/v1/experiences",
        json={
            "kind": "tooltip",
            "name": "t",
            "targeting": {"url": "*"},
            "content": {"target": {"selector": "#a"}, "title": "T"},
        },
        headers=admin,
    ).json["id"]
    client.post(f"/api/v1/experiences/{tooltip}/publish", headers=admin)
    live = publish_survey(client, admin)
    for exp_id in (draft, tooltip, 999_999):
        assert answer(client, staff, exp_id, {}).status_code == 404
    other = login("admin@other.test")
    assert answer(client, other, live, {"nps": 1}).status_code == 404
    client.post(f"/api/v1/experiences/{live}/unpublish", headers=admin)
    assert answer(client, staff, live, {"nps": 1}).status_code == 404


def test_answers_to_an_earlier_published_version_are_checked_against_it(app, client, login):
    admin = login("admin")
    exp_id = publish_survey(client, admin, [{"id": "old", "type": "nps", "prompt": "Old?"}])
    client.patch(
        f"/api/v1/experiences/{exp_id}",
        json={"content": {"questions": [{"id": "new", "type": "text", "prompt": "New?"}]}},
        headers=admin,
    )
    client.post(f"/api/v1/experiences/{exp_id}/publish", headers=admin)
    staff = login("staff")
    # Queued offline while version 1 was live.
    assert answer(client, staff, exp_id, {"old": 3}, version=1).status_code == 202
    assert answer(client, staff, exp_id, {"old": 3}).status_code == 422
    assert answer(client, staff, exp_id, {"new": "hi"}, version=2).status_code == 202
    assert answer(client, staff, exp_id, {"new": "hi"}, version=9).status_code == 422
    assert sorted(r.version for r in rows(app, exp_id)) == [1, 2]


@pytest.mark.parametrize(
    ("content", "where"),
    [
        ({"questions": [{"id": "a", "type": "nps", "prompt": "?", "next": {"11": "end"}}]}, "a"),
        ({"questions": [{"id": "a", "type": "text", "prompt": "?", "next": {"x": "end"}}]}, "a"),
        (
            {
                "questions": [
                    {"id": "a", "type": "nps", "prompt": "?"},
                    {"id": "b", "type": "csat", "prompt": "?", "next": {"1": "a"}},
                ]
            },
            "b",
        ),
        ({"questions": [{"id": "a", "type": "nps", "prompt": "?", "next": {"1": "zz"}}]}, "a"),
    ],
)
def test_branches_must_name_a_possible_answer_and_a_later_question(client, login, content, where):
    resp = client.post(
        "/api/v1/experiences",
        json={"kind": "survey", "name": "s", "targeting": {"url": "*"}, "content": content},
        headers=login("admin"),
    )
    assert resp.status_code == 422
    assert where in resp.json["error"]["details"]["content"]["questions"]


def test_survey_settings_are_validated(client, login):
    base = {"questions": [{"id": "a", "type": "nps", "prompt": "?"}]}
    bad = [
        ({"trigger": {"type": "click"}}, "trigger"),
        ({"trigger": {"type": "shake"}}, "trigger"),
        ({"sample_percent": 101}, "sample_percent"),
        ({"anonymous": "yes"}, "anonymous"),
        ({"max_displays": 0}, "max_displays"),
        ({"delay_seconds": 3601}, "delay_seconds"),
        (
            {"starts_at": "2030-01-02T00:00:00Z", "ends_at": "2030-01-01T00:00:00Z"},
            "ends_at",
        ),
    ]
    h = login("admin")
    for extra, field in bad:
        resp = client.post(
            "/api/v1/experiences",
            json={
                "kind": "survey",
                "name": "s",
                "targeting": {"url": "*"},
                "content": {**base, **extra},
            },
            headers=h,
        )
        assert resp.status_code == 422, extra
        assert field in resp.json["error"]["details"]["content"], (extra, resp.json)


# ---------------------------------------------------------------- fatigue


def test_cooldown_holds_across_two_surveys(client, login):
    admin = login("admin")
    first = publish_survey(client, admin, name="first")
    second = publish_survey(client, admin, name="second")
    staff = login("staff")
    assert verdict(client, staff, first)["eligible"] and verdict(client, staff, second)["eligible"]
    shown = displayed(client, staff, first)
    assert shown.status_code == 200 and shown.json["recorded"] is True
    # The other survey waits out the workspace cooldown (7 days by default)...
    blocked = verdict(client, staff, second)
    assert blocked["eligible"] is False and blocked["reason"] == "cooldown"
    resp = client.get("/api/v1/client/surveys/eligibility", headers=staff).json
    assert resp["cooldown_days"] == 7 and resp["cooldown_until"] == blocked["until"]
    # ...while the one on screen may come back (e.g. after a reload mid-answer).
    assert verdict(client, staff, first)["eligible"] is True
    # Another device of the same user is held by the same cooldown.
    other_device = login("staff")
    assert verdict(client, other_device, second)["reason"] == "cooldown"
    # Other users are not.
    assert verdict(client, login("analyst"), second)["eligible"] is True


def test_cooldown_ends_after_the_configured_days(app, client, login):
    admin = login("admin")
    first = publish_survey(client, admin, name="first")
    second = publish_survey(client, admin, name="second")
    staff = login("staff")
    displayed(client, staff, first)
    assert client.patch(
        "/api/v1/surveys/settings", json={"cooldown_days": 2}, headers=admin
    ).json == {"cooldown_days": 2}
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "staff@acme.test"))
        later = fatigue.eligibility(user, [second], now=now_utc() + timedelta(days=2, minutes=1))
        sooner = fatigue.eligibility(user, [second], now=now_utc() + timedelta(days=1))
    assert later["surveys"][0]["eligible"] is True
    assert sooner["surveys"][0]["reason"] == "cooldown"
    assert (
        client.patch(
            "/api/v1/surveys/settings", json={"cooldown_days": 7}, headers=login("staff")
        ).status_code
        == 403
    )


def test_dismiss_and_snooze_hold_on_every_device(client, login):
    admin = login("admin")
    dismissed = publish_survey(client, admin, name="dismiss me")
    laptop, phone = login("staff"), login("staff")
    displayed(client, laptop, dismissed)
    displayed(client, laptop, dismissed, "dismissed")
    assert verdict(client, phone, dismissed)["reason"] == "dismissed"

    snoozed = publish_survey(client, admin, name="snooze me")
    analyst_laptop, analyst_phone = login("analyst"), login("analyst")
    resp = displayed(client, analyst_laptop, snoozed, "snoozed", snooze_days=3)
    assert resp.status_code == 200
    seen = verdict(client, analyst_phone, snoozed)
    assert seen["reason"] == "snoozed" and seen["until"]


def test_max_displays_and_repeated_display_ids(client, login):
    exp_id = publish_survey(client, login("admin"), max_displays=2)
    staff = login("staff")
    once = {"id": str(uuid.uuid4()), "action": "shown"}
    for _ in range(3):  # the same display sent three times counts once
        client.post(f"/api/v1/surveys/{exp_id}/display", json=once, headers=staff)
    assert verdict(client, staff, exp_id)["eligible"] is True
    displayed(client, staff, exp_id)
    assert verdict(client, staff, exp_id)["reason"] == "max_displays"


def test_dates_and_sampling(app, client, login):
    admin = login("admin")
    future = publish_survey(client, admin, starts_at="2999-01-01T00:00:00+00:00", name="later")
    past = publish_survey(client, admin, ends_at="2000-01-01T00:00:00Z", name="over")
    nobody = publish_survey(client, admin, sample_percent=0, name="nobody")
    staff = login("staff")
    later = verdict(client, staff, future)
    assert later["reason"] == "not_started" and later["until"].startswith("2999-01-01T00:00:00")
    assert verdict(client, staff, past)["reason"] == "ended"
    assert verdict(client, staff, nobody)["reason"] == "sampled_out"
    # Half the users: the same user always lands on the same side.
    decisions = [fatigue.sampled_in(7, user_id, 50) for user_id in range(2000)]
    assert 900 < sum(decisions) < 1100
    assert decisions == [fatigue.sampled_in(7, user_id, 50) for user_id in range(2000)]


def test_segment_and_unknown_ids_in_eligibility(client, login):
    admin = login("admin")
    admins_only = publish_survey(
        client,
        admin,
        name="admins",
        targeting={"url": "*", "segment": {"attr": "role", "op": "eq", "value": "admin"}},
    )
    staff = login("staff")
    assert verdict(client, staff, admins_only)["reason"] == "not_targeted"
    assert verdict(client, staff, 424242)["reason"] == "not_live"
    bad = client.get("/api/v1/client/surveys/eligibility?ids=1,x", headers=staff)
    assert bad.status_code == 422 and "ids" in bad.json["error"]["details"]


def test_display_body_is_validated(client, login):
    exp_id = publish_survey(client, login("admin"))
    staff = login("staff")
    for body, field in [
        ({"action": "shown"}, "id"),
        ({"id": str(uuid.uuid4()), "action": "liked"}, "action"),
        ({"id": str(uuid.uuid4()), "action": "shown", "snooze_days": 2}, "snooze_days"),
        ({"id": str(uuid.uuid4()), "action": "snoozed", "snooze_days": 91}, "snooze_days"),
    ]:
        resp = client.post(f"/api/v1/surveys/{exp_id}/display", json=body, headers=staff)
        assert resp.status_code == 422 and field in resp.json["error"]["details"], body


# ---------------------------------------------------------------- results


def test_results_count_nps_csat_distributions_drop_off_and_days(app, client, login):
    admin = login("admin")
    questions = [
        {"id": "nps", "type": "nps", "prompt": "Recommend?", "next": {"10": "end"}},
        {"id": "sat", "type": "csat", "prompt": "Satisfied?"},
        {"id": "uses", "type": "multi", "prompt": "Use?", "options": ["A", "B", "C"]},
        {"id": "why", "type": "text", "prompt": "Why?"},
    ]
    exp_id = publish_survey(client, admin, questions)
    staff = login("staff")
    for _ in range(8):
        displayed(client, staff, exp_id)
    answers = [
        ({"nps": 10}, True),  # promoter; branch ends the survey
        ({"nps": 9, "sat": 5, "uses": ["A", "B"], "why": "good"}, True),  # promoter
        ({"nps": 7, "sat": 4, "uses": ["B"]}, False),  # passive, stopped at "why"
        ({"nps": 3, "sat": 1}, False),  # detractor, stopped at "uses"
        ({"nps": 0}, False),  # detractor, stopped at "sat"
    ]
    for values, done in answers:
        assert answer(client, staff, exp_id, values, completed=done).status_code == 202
    resp = client.get(f"/api/v1/experiences/{exp_id}/results", headers=login("analyst"))
    assert resp.status_code == 200, resp.json
    r = resp.json
    assert (r["shown"], r["responses"], r["answered"], r["completed"]) == (8, 5, 5, 2)
    assert r["response_rate"] == 0.625 and r["completion_rate"] == 0.4
    assert r["nps"] == {
        "question_id": "nps",
        "responses": 5,
        "score": 0,  # 2 promoters, 2 detractors of 5
        "promoters": 2,
        "passives": 1,
        "detractors": 2,
    }
    assert r["csat"] == {
        "question_id": "sat",
        "responses": 3,
        "average": 3.33,
        "satisfied_percent": 66.7,
    }
    by_id = {q["id"]: q for q in r["questions"]}
    assert [d["count"] for d in by_id["nps"]["distribution"]] == [1, 0, 0, 1, 0, 0, 0, 1, 0, 1, 1]
    assert by_id["uses"]["distribution"] == [
        {"value": "A", "count": 1},
        {"value": "B", "count": 2},
        {"value": "C", "count": 0},
    ]
    assert by_id["why"]["distribution"] == [] and by_id["why"]["answered"] == 1
    # Drop-off: who reached each question (the 10 ended at nps) and where partials stopped.
    assert [(by_id[q]["reached"], by_id[q]["dropped"]) for q in ("nps", "sat", "uses", "why")] == [
        (5, 0),
        (4, 1),
        (3, 1),
        (2, 1),
    ]
    today = now_utc().date().isoformat()
    assert r["per_day"] == [{"date": today, "answered": 5, "completed": 2}]


def test_results_filters_and_access(app, client, login):
    admin = login("admin")
    exp_id = publish_survey(client, admin)
    answer(client, login("staff"), exp_id, {"nps": 8}, url="https://tickets.example.com/a")
    answer(client, login("analyst"), exp_id, {"nps": 2}, url="https://tickets.example.com/b")
    analyst = login("analyst")
    url = f"/api/v1/experiences/{exp_id}/results"
    assert client.get(url + "?team=support", headers=analyst).json["responses"] == 1
    assert client.get(url + "?url=/b", headers=analyst).json["nps"]["detractors"] == 1
    assert (
        client.get(url + "?from=2000-01-01&to=2000-01-02", headers=analyst).json["responses"] == 0
    )
    today = now_utc().date().isoformat()
    assert client.get(url + f"?from={today}&to={today}", headers=analyst).json["responses"] == 2
    for bad in ("?from=yesterday", "?to=2026-12-01T10:00:00", "?from=2026-02-01&to=2026-01-01"):
        resp = client.get(url + bad, headers=analyst)
        assert resp.status_code == 422, bad
        assert set(resp.json["error"]["details"]) & {"from", "to"}, bad
    assert client.get(url, headers=login("staff")).status_code == 403
    assert client.get(url, headers=login("admin@other.test")).status_code == 404


def test_free_text_answers_are_listed_and_searched(app, client, login):
    exp_id = publish_survey(client, login("admin"))
    staff = login("staff")
    texts = ["The Filter is slow", "love the new filter", "Straße names break search", "ok"]
    for text in texts:
        answer(client, staff, exp_id, {"why": text}, completed=True)
    analyst = login("analyst")
    url = f"/api/v1/experiences/{exp_id}/responses"
    everything = client.get(url, headers=analyst).json
    assert everything["total"] == 4 and everything["items"][0]["text"] == "ok"  # newest first
    found = client.get(url + "?q=FILTER", headers=analyst).json
    assert sorted(i["text"] for i in found["items"]) == sorted(texts[:2])
    assert client.get(url + "?q=strasse", headers=analyst).json["total"] == 1
    assert found["items"][0]["user_email"] == "staff@acme.test"
    assert client.get(url + "?page=2", headers=analyst).json["items"] == []
    assert client.get(url + "?page=0", headers=analyst).status_code == 422
    assert client.get(url, headers=staff).status_code == 403


def test_deleting_a_survey_deletes_its_responses_and_displays(app, client, login):
    admin = login("admin")
    exp_id = publish_survey(client, admin)
    staff = login("staff")
    answer(client, staff, exp_id, {"nps": 1}, completed=True)
    displayed(client, staff, exp_id)
    assert client.delete(f"/api/v1/experiences/{exp_id}", headers=admin).status_code == 204
    with app.app_context():
        for model in (SurveyResponse, SurveyDisplay):
            assert db.session.scalar(select(func.count()).select_from(model)) == 0
