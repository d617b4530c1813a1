"""Tours on the server: progress per user (any device) and the funnel from tour events."""

from __future__ import annotations

import re
import uuid

import pytest

from .conftest import PASSWORD

STEPS = [
    {"target": {"selector": "#queue"}, "title": "Your queue"},
    {"target": {"selector": "#filter"}, "title": "Filter it", "url": "https://t.example.com/q*"},
    {"target": {"selector": "#save"}, "title": "Save", "advance": "click"},
]


def tour_body(**content) -> dict:
    return {
        "kind": "tour",
        "name": "Onboarding",
        "targeting": {"url": "https://t.example.com/*"},
        "content": {"steps": STEPS, **content},
    }


@pytest.fixture
def tour_id(client, login):
    h = login("admin")
    exp = client.post("/api/v1/experiences", json=tour_body(), headers=h).json
    assert client.post(f"/api/v1/experiences/{exp['id']}/publish", headers=h).status_code == 200
    return exp["id"]


def progress(client, headers, tour_id, **body):
    url = f"/api/v1/client/tours/{tour_id}/progress"
    return client.put(url, json=body, headers=headers) if body else client.get(url, headers=headers)


def test_progress_starts_empty_and_follows_the_user_to_another_device(client, login, tour_id):
    laptop = login("staff")
    fresh = progress(client, laptop, tour_id)
    assert fresh.status_code == 200
    assert fresh.json == {
        "tour_id": tour_id,
        "step": 0,
        "status": "not_started",
        "version": None,
        "updated_at": None,
    }
    saved = progress(client, laptop, tour_id, step=1, status="active", version=1)
    assert saved.status_code == 200
    assert saved.json["step"] == 1 and saved.json["status"] == "active"
    # Another sign-in of the same person (another device) sees where they stopped.
    desktop = login("staff")
    again = progress(client, desktop, tour_id).json
    assert (again["step"], again["status"], again["version"]) == (1, "active", 1)
    assert again["updated_at"].endswith("+00:00")
    progress(client, desktop, tour_id, step=2, status="completed")
    assert progress(client, laptop, tour_id).json["status"] == "completed"


def test_progress_is_per_user(client, login, tour_id):
    progress(client, login("staff"), tour_id, step=2, status="dismissed")
    assert progress(client, login("admin"), tour_id).json["status"] == "not_started"


@pytest.mark.parametrize(
    "body",
    [
        {"step": -1, "status": "active"},
        {"step": 50, "status": "active"},
        {"step": "1", "status": "active"},
        {"step": True, "status": "active"},
        {"step": 1, "status": "paused"},
        {"step": 1},
        {"step": 1, "status": "active", "extra": 1},
        {"step": 1, "status": "active", "version": 0},
    ],
)
def test_invalid_progress_is_422(client, login, tour_id, body):
    resp = progress(client, login("staff"), tour_id, **body)
    assert resp.status_code == 422, resp.json
    assert resp.json["error"]["code"] == "invalid"


def test_progress_of_what_is_not_a_tour_is_404(client, login):
    h = login("admin")
    tip = client.post(
        "/api/v1/experiences",
        json={
            "kind": "tooltip",
            "name": "Tip",
            "targeting": {"url": "https://t.example.com/*"},
            "content": {"target": {"selector": "#a"}, "title": "A"},
        },
        headers=h,
    ).json
    staff = login("staff")
    assert progress(client, staff, tip["id"]).status_code == 404
    assert progress(client, staff, 999_999).status_code == 404
    assert progress(client, staff, 2**40).status_code == 404
    assert client.get(f"/api/v1/experiences/{tip['id']}/funnel", headers=h).status_code == 404


def test_the_tour_trigger_is_validated(client, login):
    h = login("admin")
    ok = client.post(
        "/api/v1/experiences",
        json=tour_body(trigger={"type": "click", "selector": "#help"}),
        headers=h,
    )
    assert ok.status_code == 201, ok.json
    assert ok.json["content"]["trigger"] == {"type": "click", "selector": "#help"}
    bad = client.post("/api/v1/experiences", json=tour_body(trigger={"type": "click"}), headers=h)
    assert bad.status_code == 422
    assert "selector" in str(bad.json["error"]["details"])


def send(client, headers, tour_id, *events, version=1):
    batch = [
        {
            "id": str(uuid.uuid4()),
            "type": type_,
            "ts": "2026-12-03T10:00:00+00:00",
            "experience_id": tour_id,
            "data": {
                "kind": "tour",
                "version": version,
                **({} if step is None else {"step": step}),
            },
        }
        for type_, step in events
    ]
    resp = client.post("/api/v1/events", json={"events": batch}, headers=headers)
    assert resp.status_code == 202, resp.json


def test_funnel_counts_people_per_step(client, login, tour_id):
    admin = login("admin")
    staff = login("staff")
    analyst = login("analyst")
    # staff: starts, sees every step (step 1 twice: Back), step 2's target is missing, completes.
    send(
        client,
        staff,
        tour_id,
        ("tour.started", None),
        ("tour.step_viewed", 0),
        ("tour.step_viewed", 1),
        ("tour.step_viewed", 0),
        ("tour.step_viewed", 1),
        ("tour.target_not_found", 2),
        ("tour.step_viewed", 2),
        ("tour.completed", None),
    )
    # analyst: starts, stops at step 1 with Esc.
    send(
        client,
        analyst,
        tour_id,
        ("tour.started", None),
        ("tour.step_viewed", 0),
        ("tour.step_viewed", 1),
        ("tour.dismissed", 1),
    )
    # admin: starts, sees step 0 only, leaves; plus junk a client might send.
    send(client, admin, tour_id, ("tour.started", None), ("tour.step_viewed", 0))
    send(client, admin, tour_id, ("tour.step_viewed", 99), ("experience.viewed", None))
    send(client, admin, tour_id, ("tour.step_viewed", 2), version=7)

    f = client.get(f"/api/v1/experiences/{tour_id}/funnel?version=1", headers=analyst)
    assert f.status_code == 200, f.json
    f = f.json
    assert (f["starts"], f["completions"], f["dismissals"]) == (3, 1, 1)
    assert f["completion_rate"] == pytest.approx(1 / 3, abs=1e-3)
    assert [s["title"] for s in f["steps"]] == ["Your queue", "Filter it", "Save"]
    assert [s["views"] for s in f["steps"]] == [3, 2, 1]
    assert [s["drop_off"] for s in f["steps"]] == [1, 1, 0]
    assert [s["dismissed"] for s in f["steps"]] == [0, 1, 0]
    assert [s["not_found"] for s in f["steps"]] == [0, 0, 1]
    assert f["steps"][2]["not_found_rate"] == 1.0

    every = client.get(f"/api/v1/experiences/{tour_id}/funnel", headers=admin).json
    assert every["version"] is None
    assert [s["views"] for s in every["steps"]] == [3, 2, 2]  # version 7's view of step 2 counts
    assert client.get(f"/api/v1/experiences/{tour_id}/funnel", headers=staff).status_code == 403


def test_console_shows_the_funnel_of_a_tour(client, login, tour_id):
    staff = login("staff")
    send(client, staff, tour_id, ("tour.started", None), ("tour.step_viewed", 0))
    send(client, staff, tour_id, ("tour.target_not_found", 1), ("tour.step_viewed", 1))
    form = client.get("/console/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    resp = client.post(
        "/console/login",
        data={"email": "analyst@acme.test", "password": PASSWORD, "csrf_token": token},
    )
    assert resp.status_code in (302, 303)
    page = client.get(f"/console/experiences/{tour_id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Tour funnel" in html
    assert "Filter it" in html
    assert "target not found" in html.lower()
    assert 'class="funnel-bar w-100"' in html  # step 1: everyone who started saw it
    assert "funnel-broken" in html  # step 2's element was missing for everyone
