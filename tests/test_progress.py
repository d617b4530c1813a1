"""Progress, goals and gamification: the rules engine, points, streaks, goals, leaderboard
privacy, live counters, and events that arrive late, twice or at the same time."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask_socketio.test_client import SocketIOTestClient
from sqlalchemy import func, select

from nudgelayer import realtime
from nudgelayer.auth import service as auth
from nudgelayer.extensions import db, socketio
from nudgelayer.models import AuditLog, Consent, Event, User, Workspace
from nudgelayer.progress import gamification, rules
from nudgelayer.progress.clock import local_day

from .conftest import PASSWORD

APP_URL = "https://tickets.example.com"
NOW = datetime.now(UTC).replace(microsecond=0)


# ---------------------------------------------------------------- helpers


def event(type_: str, ts: datetime = NOW, url: str | None = None, **extra) -> dict:
    body = {"id": str(uuid.uuid4()), "type": type_, "ts": ts.isoformat(), **extra}
    if url is not None:
        body["url"] = url
    return body


def send(client, headers, *events, status=202):
    resp = client.post("/api/v1/events", json={"events": list(events)}, headers=headers)
    assert resp.status_code == status, resp.json
    return resp.json


def live(client, admin, kind, content, url=f"{APP_URL}/*", segment=None):
    body = {"kind": kind, "name": f"{kind} {uuid.uuid4().hex[:6]}", "content": content}
    body["targeting"] = {"url": url, "segment": segment}
    resp = client.post("/api/v1/experiences", json=body, headers=admin)
    assert resp.status_code == 201, resp.json
    exp_id = resp.json["id"]
    assert client.post(f"/api/v1/experiences/{exp_id}/publish", headers=admin).status_code == 200
    return exp_id


def progress(client, headers) -> dict:
    resp = client.get("/api/v1/client/progress", headers=headers)
    assert resp.status_code == 200, resp.json
    return resp.json


def checklist_state(client, headers, exp_id) -> dict:
    return next(c for c in progress(client, headers)["checklists"] if c["id"] == exp_id)


def panel(client, headers) -> dict:
    resp = client.get("/api/v1/client/gamification", headers=headers)
    assert resp.status_code == 200, resp.json
    return resp.json


def rule(client, admin, **body):
    resp = client.post("/api/v1/gamification/rules", json=body, headers=admin)
    assert resp.status_code == 201, resp.json
    return resp.json


def goal(client, admin, **body):
    body = {
        "title": "Close tickets",
        "event_type": "ticket.closed",
        "target": 5,
        "starts_at": (NOW - timedelta(days=5)).isoformat(),
        "deadline": (NOW + timedelta(days=5)).isoformat(),
        **body,
    }
    resp = client.post("/api/v1/goals", json=body, headers=admin)
    assert resp.status_code == 201, resp.json
    return resp.json


def set_tz(client, headers, tz):
    resp = client.put("/api/v1/client/progress/preferences", json={"tz": tz}, headers=headers)
    assert resp.status_code == 200, resp.json


@pytest.fixture
def admin(login):
    return login("admin")


@pytest.fixture
def staff(login):
    return login("staff")


ONBOARDING = {
    "title": "Get started",
    "items": [
        {"title": "Open the queue", "url": f"{APP_URL}/queue"},
        {
            "title": "Visit settings",
            "done_when": {"event": "page.view", "url": f"{APP_URL}/settings*"},
        },
        {"title": "Tell a colleague", "done_when": {}},
    ],
}


# ---------------------------------------------------------------- the rules engine (pure)


def bucket(type_, url=None, count=1, experience_id=None, selector=None):
    return rules.Bucket(type_, url, experience_id, selector, count, NOW)


def test_each_rule_form_is_met_by_the_events_it_names():
    page = rules.item_rule(
        {"title": "x", "done_when": {"event": "page.view", "url": f"{APP_URL}/s*"}}
    )
    assert rules.is_done(page, [bucket("page.view", f"{APP_URL}/settings?tab=2#top")])
    assert not rules.is_done(page, [bucket("page.view", f"{APP_URL}/queue")])
    assert not rules.is_done(page, [bucket("page.view", None)])

    click = rules.item_rule({"title": "x", "done_when": {"event": "click", "selector": "#save"}})
    assert click.event_type == "target.clicked"
    assert rules.is_done(click, [bucket("target.clicked", selector="#save")])
    assert not rules.is_done(click, [bucket("target.clicked", selector="#cancel")])

    tour = rules.item_rule(
        {"title": "x", "done_when": {"event": "tour.completed", "experience_id": 7}}
    )
    assert rules.is_done(tour, [bucket("tour.completed", experience_id=7)])
    assert not rules.is_done(tour, [bucket("tour.completed", experience_id=8)])

    three = rules.item_rule({"title": "x", "done_when": {"event": "ticket.closed", "count": 3}})
    assert not rules.is_done(three, [bucket("ticket.closed", count=2)])
    # Counts add up across pages and experiences: what matters is how many.
    assert rules.is_done(three, [bucket("ticket.closed", "a", 2), bucket("ticket.closed", "b", 1)])


def test_an_item_without_rule_is_ticked_by_hand_and_a_url_alone_means_visit_it():
    assert rules.item_rule({"title": "x"}) is None
    assert rules.item_rule({"title": "x", "done_when": {}}) is None
    assert rules.item_rule({"title": "x", "done_when": {}, "url": f"{APP_URL}/a"}) is None
    visit = rules.item_rule({"title": "x", "url": f"{APP_URL}/a"})
    assert visit == rules.Rule("page.view", url=f"{APP_URL}/a")


def test_the_extension_is_asked_to_report_only_what_rules_name():
    watch = rules.watch_entries(
        {
            "items": [
                {"title": "a", "done_when": {"event": "page.view"}},
                {
                    "title": "b",
                    "done_when": {"event": "click", "selector": "#go", "url": f"{APP_URL}/x"},
                },
                {"title": "c", "done_when": {"event": "ticket.closed"}},
                {"title": "d"},
            ]
        },
        f"{APP_URL}/*",
    )
    assert watch == [
        {"event": "page.view", "url": f"{APP_URL}/*"},
        {"event": "click", "selector": "#go", "url": f"{APP_URL}/x"},
    ]


# ---------------------------------------------------------------- points and streaks (pure)

UTC_TZ = ZoneInfo("UTC")
NEW_YORK = ZoneInfo("America/New_York")
TOKYO = ZoneInfo("Asia/Tokyo")


def at(text: str) -> datetime:
    """A stored time: naive UTC."""
    return datetime.fromisoformat(text)


def test_points_follow_the_rules_and_a_daily_cap_counts_per_local_day():
    close = gamification.PointsRule(1, "ticket.closed", 10, daily_cap=25)
    reply = gamification.PointsRule(2, "ticket.replied", 1)
    events = [
        ("ticket.closed", at("2026-03-10T22:00:00")),
        ("ticket.closed", at("2026-03-10T23:00:00")),
        ("ticket.closed", at("2026-03-11T03:30:00")),
        ("ticket.replied", at("2026-03-11T04:00:00")),
        ("page.view", at("2026-03-11T04:00:00")),
    ]
    # In UTC: 10 + 10 on the 10th, 10 on the 11th, +1 reply.
    assert gamification.total(gamification.award(events, [close, reply], UTC_TZ)) == 31
    # In New York all three closes fall on the 10th: the cap gives 10 + 10 + 5.
    assert gamification.total(gamification.award(events, [close, reply], NEW_YORK)) == 26
    # Arrival order changes nothing.
    assert gamification.award(events[::-1], [close, reply], NEW_YORK) == gamification.award(
        events, [close, reply], NEW_YORK
    )


def test_a_streak_counts_consecutive_local_days_and_survives_until_the_day_ends():
    days = [date(2026, 3, d) for d in (1, 2, 3, 5, 6)]
    s = gamification.streak(days, today=date(2026, 3, 6))
    assert (s.current, s.best, s.active_today) == (2, 3, True)
    # The next day, before any event: still a 2-day streak, not yet extended today.
    s = gamification.streak(days, today=date(2026, 3, 7))
    assert (s.current, s.active_today) == (2, False)
    # A whole day without: broken.
    assert gamification.streak(days, today=date(2026, 3, 8)).current == 0
    assert gamification.streak([], today=date(2026, 3, 8)).best == 0


def test_streaks_across_midnight_depend_on_the_users_time_zone():
    # 23:30 and 00:30 UTC: two days in London's winter (UTC), one evening in New York,
    # one morning in Tokyo.
    times = [at("2026-01-10T23:30:00"), at("2026-01-11T00:30:00")]
    in_zone = lambda tz: {local_day(t, tz) for t in times}  # noqa: E731
    assert gamification.streak(in_zone(UTC_TZ), date(2026, 1, 11)).current == 2
    assert gamification.streak(in_zone(NEW_YORK), date(2026, 1, 10)).current == 1
    assert gamification.streak(in_zone(TOKYO), date(2026, 1, 11)).current == 1
    # Daylight saving: New York's 02:00 → 03:00 jump does not split or merge a day.
    dst = [at("2026-03-08T04:30:00"), at("2026-03-08T07:30:00")]  # 23:30 EST, 03:30 EDT
    assert {local_day(t, NEW_YORK) for t in dst} == {date(2026, 3, 7), date(2026, 3, 8)}


def test_achievements_unlock_when_their_threshold_is_first_reached():
    rules_ = [gamification.PointsRule(1, "ticket.closed", 10)]
    times = [at(f"2026-03-0{d}T12:00:00") for d in (1, 2, 3)]
    awards = gamification.award([("ticket.closed", t) for t in times], rules_, UTC_TZ)
    streaks = {"ticket.closed": gamification.streak({t.date() for t in times}, date(2026, 3, 3))}
    by_type = {"ticket.closed": times}
    twenty = gamification.Achievement(1, "Twenty", "", "points", 20)
    assert gamification.unlocked_at(twenty, awards, by_type, streaks, UTC_TZ) == (30, times[1])
    third = gamification.Achievement(2, "Third", "", "events", 3, "ticket.closed")
    assert gamification.unlocked_at(third, awards, by_type, streaks, UTC_TZ) == (3, times[2])
    week = gamification.Achievement(3, "Week", "", "streak", 7, "ticket.closed")
    assert gamification.unlocked_at(week, awards, by_type, streaks, UTC_TZ) == (3, None)


# ---------------------------------------------------------------- checklists over the API


def test_visiting_pages_ticks_items_and_a_hand_tick_completes_the_checklist(client, admin, staff):
    exp_id = live(client, admin, "checklist", ONBOARDING)
    state = checklist_state(client, staff, exp_id)
    assert (state["done"], state["total"], state["complete"]) == ([], 3, False)
    watch = progress(client, staff)["watch"]
    assert {"event": "page.view", "url": f"{APP_URL}/queue"} in watch
    assert {"event": "page.view", "url": f"{APP_URL}/settings*"} in watch

    send(client, staff, event("page.view", url=f"{APP_URL}/queue"))
    send(client, staff, event("page.view", url=f"{APP_URL}/settings/profile?x=1"))
    send(client, staff, event("page.view", url="https://elsewhere.example/queue"))
    assert checklist_state(client, staff, exp_id)["done"] == [0, 1]

    resp = client.post(f"/api/v1/client/checklists/{exp_id}/items/2", json={}, headers=staff)
    assert resp.status_code == 200
    assert resp.json["done"] == [0, 1, 2] and resp.json["complete"] is True
    assert resp.json["ticked"] == [2]
    # The server records the completion once, for team statistics, however often asked.
    progress(client, staff)
    progress(client, staff)
    with client.application.app_context():
        completed = db.session.scalar(
            select(func.count(Event.id)).where(
                Event.type == "checklist.completed", Event.experience_id == exp_id
            )
        )
    assert completed == 1


def test_hand_ticks_are_idempotent_undoable_and_checked(client, admin, staff, login):
    exp_id = live(client, admin, "checklist", ONBOARDING)
    url = f"/api/v1/client/checklists/{exp_id}/items/2"
    for _ in range(3):
        assert client.post(url, json={"done": True}, headers=staff).json["done"] == [2]
    # Another device of the same user sees it.
    other_device = login("staff")
    assert checklist_state(client, other_device, exp_id)["done"] == [2]
    assert client.post(url, json={"done": False}, headers=staff).json["done"] == []
    # A rule-done item stays done: unticking removes only a hand tick.
    send(client, staff, event("page.view", url=f"{APP_URL}/queue"))
    client.post(f"/api/v1/client/checklists/{exp_id}/items/0", json={}, headers=staff)
    resp = client.post(
        f"/api/v1/client/checklists/{exp_id}/items/0", json={"done": False}, headers=staff
    )
    assert resp.json["done"] == [0]

    assert (
        client.post(
            f"/api/v1/client/checklists/{exp_id}/items/3", json={}, headers=staff
        ).status_code
        == 404
    )
    tooltip = live(
        client,
        admin,
        "tooltip",
        {"target": {"selector": "#a"}, "title": "Hi", "body": ""},
    )
    assert (
        client.post(
            f"/api/v1/client/checklists/{tooltip}/items/0", json={}, headers=staff
        ).status_code
        == 404
    )
    resp = client.post(url, json={"done": "yes"}, headers=staff)
    assert resp.status_code == 422


def test_a_checklist_outside_the_users_segment_cannot_be_ticked(client, admin, staff):
    exp_id = live(
        client,
        admin,
        "checklist",
        ONBOARDING,
        segment={"attr": "role", "op": "eq", "value": "admin"},
    )
    assert all(c["id"] != exp_id for c in progress(client, staff)["checklists"])
    resp = client.post(f"/api/v1/client/checklists/{exp_id}/items/2", json={}, headers=staff)
    assert resp.status_code == 404


def test_counted_and_click_rules_use_event_time_not_arrival_order(client, admin, staff):
    exp_id = live(
        client,
        admin,
        "checklist",
        {
            "title": "Habits",
            "items": [
                {"title": "Close 3", "done_when": {"event": "ticket.closed", "count": 3}},
                {"title": "Save", "done_when": {"event": "click", "selector": "#save"}},
                {"title": "Tour", "done_when": {"event": "tour.completed", "experience_id": 99}},
            ],
        },
    )
    late, early = NOW, NOW - timedelta(hours=5)
    # The latest event arrives first; two older ones a batch later; one is a retry.
    first = event("ticket.closed", late)
    send(client, staff, first)
    assert checklist_state(client, staff, exp_id)["done"] == []
    second = event("ticket.closed", early)
    assert send(client, staff, second, first) == {"accepted": 1, "duplicates": 1}
    assert checklist_state(client, staff, exp_id)["done"] == []
    send(client, staff, event("ticket.closed", early - timedelta(days=1)))
    assert checklist_state(client, staff, exp_id)["done"] == [0]

    send(client, staff, event("target.clicked", data={"selector": "#cancel"}))
    assert 1 not in checklist_state(client, staff, exp_id)["done"]
    send(client, staff, event("target.clicked", data={"selector": "#save"}))
    send(client, staff, event("tour.completed", experience_id=98))
    assert checklist_state(client, staff, exp_id)["done"] == [0, 1]
    send(client, staff, event("tour.completed", experience_id=99))
    assert checklist_state(client, staff, exp_id)["complete"] is True


def test_concurrent_batches_and_retries_count_each_event_once(app, client, admin, staff):
    exp_id = live(
        client,
        admin,
        "checklist",
        {
            "title": "Ten",
            "items": [{"title": "Close 10", "done_when": {"event": "ticket.closed", "count": 10}}],
        },
    )
    rule(client, admin, kind="points", name="Close", event_type="ticket.closed", points=3)
    events = [event("ticket.closed", NOW - timedelta(minutes=i)) for i in range(10)]
    # Four "devices" send overlapping batches at once, in different orders.
    batches = [events[:6], events[4:], events[::-1], events[2:8]]
    errors: list[BaseException] = []

    def post(batch):
        try:
            with app.test_client() as c:
                resp = c.post("/api/v1/events", json={"events": batch}, headers=staff)
                assert resp.status_code == 202, resp.json
        except BaseException as err:  # noqa: BLE001 - reported below
            errors.append(err)

    threads = [threading.Thread(target=post, args=(b,)) for b in batches]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with app.app_context():
        stored = db.session.scalar(
            select(func.count(Event.id)).where(Event.type == "ticket.closed")
        )
    assert stored == 10
    assert checklist_state(client, staff, exp_id)["complete"] is True
    assert panel(client, staff)["points"]["total"] == 30


def test_two_devices_ticking_at_once_make_one_tick(app, client, admin, staff):
    exp_id = live(client, admin, "checklist", ONBOARDING)
    results: list[int] = []

    def tick():
        with app.test_client() as c:
            results.append(
                c.post(
                    f"/api/v1/client/checklists/{exp_id}/items/2", json={}, headers=staff
                ).status_code
            )

    threads = [threading.Thread(target=tick) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [200] * 4
    assert checklist_state(client, staff, exp_id)["ticked"] == [2]


# ---------------------------------------------------------------- points, streaks, goals (API)


def test_the_panel_counts_points_streaks_and_achievements_in_the_users_zone(client, admin, staff):
    rule(
        client,
        admin,
        kind="points",
        name="Close",
        event_type="ticket.closed",
        points=10,
        daily_cap=20,
    )
    rule(client, admin, kind="streak", name="Daily closer", event_type="ticket.closed")
    rule(client, admin, kind="achievement", name="Fifty", metric="points", threshold=50)
    rule(
        client,
        admin,
        kind="achievement",
        name="Three days",
        metric="streak",
        event_type="ticket.closed",
        threshold=3,
    )
    # 03:00 UTC yesterday, today and the day before: one event per UTC day, but in
    # New York (UTC-4/5) these are the evenings of the day before each.
    today_3am = NOW.replace(hour=3, minute=0, second=0)
    if today_3am > NOW:
        today_3am -= timedelta(days=1)
    times = [today_3am - timedelta(days=d) for d in (2, 1, 0)]
    send(client, staff, *[event("ticket.closed", t) for t in times])
    send(client, staff, event("ticket.closed", times[0] + timedelta(minutes=5)))
    send(client, staff, event("ticket.closed", times[0] + timedelta(minutes=10)))

    data = panel(client, staff)
    assert data["tz"] == "UTC"
    assert data["points"]["total"] == 20 + 10 + 10  # the first day capped at 20
    [streak] = data["streaks"]
    assert (streak["current"], streak["best"]) == (3, 3)
    by_name = {a["name"]: a for a in data["achievements"]}
    assert by_name["Three days"]["unlocked"] is True
    assert by_name["Fifty"] == {**by_name["Fifty"], "unlocked": False, "value": 40}

    set_tz(client, staff, "Pacific/Kiritimati")  # UTC+14: 03:00 UTC is 17:00 the same day
    assert panel(client, staff)["tz"] == "Pacific/Kiritimati"
    set_tz(client, staff, "Asia/Tokyo")
    assert progress(client, staff)["tz_set"] is True
    assert (
        client.put(
            "/api/v1/client/progress/preferences", json={"tz": "Mars/Olympus"}, headers=staff
        ).status_code
        == 422
    )


def test_goal_progress_counts_the_window_and_needs_a_confirmed_commitment(client, admin, staff):
    g = goal(client, admin, target=4)
    send(
        client,
        staff,
        event("ticket.closed", NOW - timedelta(days=6)),  # before the start: not counted
        event("ticket.closed", NOW - timedelta(days=2)),
        event("ticket.closed", NOW - timedelta(hours=1)),
        event("ticket.opened", NOW),
    )
    [state] = panel(client, staff)["goals"]
    assert (state["value"], state["percent"], state["status"], state["committed"]) == (
        2,
        50,
        "active",
        False,
    )
    assert state["reminder"] is None
    assert state["series"][-1]["value"] == 2 and len(state["series"]) == 6
    assert [p["value"] for p in state["series"]] == sorted(p["value"] for p in state["series"])

    url = f"/api/v1/client/goals/{g['id']}/commitment"
    assert client.post(url, json={"confirm": False}, headers=staff).status_code == 422
    resp = client.post(url, json={"confirm": True}, headers=staff)
    assert resp.status_code == 200 and resp.json["committed"] is True
    assert client.post(url, json={"confirm": True}, headers=staff).status_code == 200

    # Close to the deadline, a committed goal that is not reached gets a reminder.
    client.patch(
        f"/api/v1/goals/{g['id']}",
        json={"deadline": (NOW + timedelta(hours=20)).isoformat()},
        headers=admin,
    )
    [state] = panel(client, staff)["goals"]
    assert state["reminder"] == "Due in 20 hours: 2 more to reach 4."
    assert progress(client, staff)["summary"] == {"available": True, "reminders": 1}
    send(client, staff, event("ticket.closed"), event("ticket.closed"))
    [state] = panel(client, staff)["goals"]
    assert (state["status"], state["reminder"], state["percent"]) == ("achieved", None, 100)

    assert client.delete(url, headers=staff).status_code == 204
    assert panel(client, staff)["goals"][0]["committed"] is False


def test_a_team_goal_counts_the_whole_team(app, client, admin, staff, login):
    with app.app_context():
        ws = db.session.scalar(select(Workspace).where(Workspace.slug == "acme"))
        auth.create_user(ws, "mate@acme.test", PASSWORD, "staff", team="support")
        db.session.commit()
    mate = login("mate")
    g = goal(client, admin, scope="team", target=3)
    send(client, staff, event("ticket.closed"))
    send(client, mate, event("ticket.closed"), event("ticket.closed"))
    send(client, admin, event("ticket.closed"))  # admin is in "ops"
    [state] = panel(client, staff)["goals"]
    assert (state["id"], state["value"], state["team"], state["status"]) == (
        g["id"],
        3,
        "support",
        "achieved",
    )


def test_goals_past_their_deadline_or_outside_the_segment(client, admin, staff):
    past = goal(
        client,
        admin,
        starts_at=(NOW - timedelta(days=9)).isoformat(),
        deadline=(NOW - timedelta(days=1)).isoformat(),
    )
    hidden = goal(client, admin, segment={"attr": "team", "op": "eq", "value": "ops"})
    states = {s["id"]: s for s in panel(client, staff)["goals"]}
    assert states[past["id"]]["status"] == "missed" and hidden["id"] not in states
    url = f"/api/v1/client/goals/{past['id']}/commitment"
    assert client.post(url, json={"confirm": True}, headers=staff).status_code == 409
    url = f"/api/v1/client/goals/{hidden['id']}/commitment"
    assert client.post(url, json={"confirm": True}, headers=staff).status_code == 404
    bad = client.post(
        "/api/v1/goals",
        json={
            "title": "x",
            "event_type": "a.b",
            "target": 1,
            "starts_at": NOW.isoformat(),
            "deadline": NOW.isoformat(),
        },
        headers=admin,
    )
    assert bad.status_code == 422


def test_rule_edits_are_versioned_audited_and_apply_to_past_events(app, client, admin, staff):
    send(client, staff, event("ticket.closed"), event("ticket.closed"))
    r = rule(client, admin, kind="points", name="Close", event_type="ticket.closed", points=5)
    assert panel(client, staff)["points"]["total"] == 10
    resp = client.patch(f"/api/v1/gamification/rules/{r['id']}", json={"points": 7}, headers=admin)
    assert resp.json["version"] == 2
    assert panel(client, staff)["points"]["total"] == 14
    bad = client.post(
        "/api/v1/gamification/rules",
        json={"kind": "achievement", "name": "x", "metric": "events", "threshold": 3},
        headers=admin,
    )
    assert bad.status_code == 422 and "event_type" in bad.json["error"]["details"]
    bad = client.post(
        "/api/v1/gamification/rules",
        json={"kind": "streak", "name": "x", "event_type": "a.b", "points": 3},
        headers=admin,
    )
    assert bad.status_code == 422 and "points" in bad.json["error"]["details"]
    assert client.delete(f"/api/v1/gamification/rules/{r['id']}", headers=admin).status_code == 204
    with app.app_context():
        actions = list(
            db.session.scalars(
                select(AuditLog.action)
                .where(AuditLog.subject_type == "gamification_rule")
                .order_by(AuditLog.id)
            )
        )
    assert actions == [
        "gamification_rule.create",
        "gamification_rule.update",
        "gamification_rule.delete",
    ]


# ---------------------------------------------------------------- leaderboards and social proof


def _team(app, n, team="support", opted_in=()):
    """n more members of ``team``; those whose number is in ``opted_in`` opted in."""
    emails = []
    with app.app_context():
        ws = db.session.scalar(select(Workspace).where(Workspace.slug == "acme"))
        for i in range(n):
            email = f"{team}{i}@acme.test"
            user = auth.create_user(
                ws, email, PASSWORD, "staff", team=team, display_name=f"Member {i}"
            )
            if i in opted_in:
                db.session.add(
                    Consent(user_id=user.id, workspace_id=ws.id, leaderboards=True, decided_at=NOW)
                )
            emails.append(email)
        db.session.commit()
    return emails


def test_nobody_appears_on_the_leaderboard_without_opting_in(app, client, admin, staff, login):
    rule(client, admin, kind="points", name="Close", event_type="ticket.closed", points=1)
    emails = _team(app, 3, opted_in={1})
    for i, email in enumerate(emails):
        send(client, login(email.split("@")[0]), *[event("ticket.closed") for _ in range(i + 2)])
    send(client, staff, event("ticket.closed"))

    board = panel(client, staff)["leaderboard"]
    assert board["opted_in"] is False
    # Only the opted-in member and the viewer; the two others are not even anonymous rows.
    assert [(r["name"], r["points"], r["you"]) for r in board["members"]] == [
        ("Member 1", 3, False),
        ("staff", 1, True),
    ]
    assert board["members"][1]["visible_to_others"] is False
    # The team average is shown: support has 4 members (>= 3).
    support = next(t for t in board["teams"] if t["team"] == "support")
    assert support == {"team": "support", "members": 4, "points_per_member": 2.5, "yours": True}
    # A one-person team ("ops", the admin) is not listed: its average is a person.
    assert all(t["team"] != "ops" for t in board["teams"])

    # A member who did not opt in sees themselves, never the others who did not.
    other = panel(client, login("support0"))["leaderboard"]
    assert [r["name"] for r in other["members"]] == ["Member 1", "Member 0"]
    # Opting out removes the name at once.
    with app.app_context():
        row = db.session.scalar(
            select(Consent).join(User, User.id == Consent.user_id).where(User.email == emails[1])
        )
        row.leaderboards = False
        db.session.commit()
    assert [r["name"] for r in panel(client, staff)["leaderboard"]["members"]] == ["staff"]


def test_team_statistics_and_template_variables_need_a_big_enough_group(
    app, client, admin, staff, login
):
    exp_id = live(
        client, admin, "checklist", {"title": "T", "items": [{"title": "Ask", "done_when": {}}]}
    )
    banner_text = (
        f"{{{{team.percent_completed:{exp_id}}}}} of your team finished onboarding "
        f"({{{{team.completed:{exp_id}}}}} of {{{{team.members}}}}); {{{{me.points}}}} points; "
        "{{signal.value}}"
    )
    live(
        client,
        admin,
        "tooltip",
        {"target": {"selector": "#a"}, "title": "Team", "body": banner_text},
    )
    # One person in "support": too few to say anything about the team.
    variables = progress(client, staff)["variables"]
    assert variables == {
        f"team.percent_completed:{exp_id}": "—",
        f"team.completed:{exp_id}": "—",
        "team.members": "—",
        "me.points": "0",
    }
    assert "signal.value" not in variables  # another feature's variable: left alone

    emails = _team(app, 2)
    client.post(f"/api/v1/client/checklists/{exp_id}/items/0", json={}, headers=staff)
    client.post(
        f"/api/v1/client/checklists/{exp_id}/items/0",
        json={},
        headers=login(emails[0].split("@")[0]),
    )
    rule(client, admin, kind="points", name="Close", event_type="ticket.closed", points=2)
    send(client, staff, event("ticket.closed"))
    variables = progress(client, staff)["variables"]
    # staff, support0 and support1: 2 of 3 completed.
    assert variables[f"team.percent_completed:{exp_id}"] == "67%"
    assert variables[f"team.completed:{exp_id}"] == "2"
    assert variables["team.members"] == "3"
    assert variables["me.points"] == "2"


# ---------------------------------------------------------------- live counters


@pytest.fixture
def sockets(app, client, login):
    """Connected socket test clients by email."""
    opened = []

    def connect(who: str) -> SocketIOTestClient:
        email = who if "@" in who else f"{who}@acme.test"
        token = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD}).json[
            "token"
        ]
        sock = socketio.test_client(
            app, namespace=realtime.NAMESPACE, auth={"token": token, "cursor": None}
        )
        assert sock.is_connected(realtime.NAMESPACE)
        sock.get_received(realtime.NAMESPACE)
        opened.append(sock)
        return sock

    yield connect
    for sock in opened:
        if sock.is_connected(realtime.NAMESPACE):
            sock.disconnect(namespace=realtime.NAMESPACE)


def received(sock, name):
    return [m["args"][0] for m in sock.get_received(realtime.NAMESPACE) if m["name"] == name]


def badge(counter, label="{{count}} closed"):
    return {"target": {"selector": "#queue"}, "label": label, "counter": counter}


def test_events_update_counters_for_exactly_the_people_the_scope_concerns(
    app, client, admin, staff, sockets, login
):
    _team(app, 2)  # support0, support1
    live(
        client, admin, "badge", badge({"source": "events", "key": "ticket.closed", "scope": "team"})
    )
    live(client, admin, "badge", badge({"source": "events", "key": "ticket.closed"}))
    staff_sock, mate_sock, admin_sock = sockets("staff"), sockets("support0"), sockets("admin")

    send(client, staff, event("ticket.closed"), event("ticket.closed"))
    mine = received(staff_sock, "counter")
    assert {(m["scope"], m["value"]) for m in mine} == {("team", 2), ("user", 2)}
    assert received(mate_sock, "counter") == [{**next(m for m in mine if m["scope"] == "team")}]
    assert received(admin_sock, "counter") == []  # another team
    assert received(staff_sock, "progress") == []  # no checklist or goal counts it

    send(client, login("support1"), event("ticket.closed"))
    [team] = received(staff_sock, "counter")
    assert (team["scope"], team["value"]) == ("team", 3)
    # What the feed says agrees with what was pushed.
    counters = {c["scope"]: c["value"] for c in progress(client, staff)["counters"]}
    assert counters == {"team": 3, "user": 2}


def test_counters_posted_by_another_system_reach_open_tabs_and_never_go_back_in_time(
    app, client, admin, staff, sockets
):
    live(
        client,
        admin,
        "badge",
        badge({"source": "signal", "key": "queue.pending"}, "{{count}} pending"),
    )
    staff_sock, admin_sock = sockets("staff"), sockets("admin")
    post = lambda body: client.post("/api/v1/counters/queue.pending", json=body, headers=admin)  # noqa: E731

    resp = post({"value": 3, "ts": NOW.isoformat()})
    assert resp.status_code == 200 and resp.json["applied"] is True
    [msg] = received(staff_sock, "counter")
    assert (msg["source"], msg["scope"], msg["value"]) == ("signal", "workspace", 3)
    assert received(admin_sock, "counter") == [msg]

    # A late delivery of an older value changes nothing and pushes nothing.
    resp = post({"value": 9, "ts": (NOW - timedelta(minutes=1)).isoformat()})
    assert (resp.json["applied"], resp.json["value"]) == (False, 3)
    assert received(staff_sock, "counter") == []
    assert progress(client, staff)["counters"][0]["value"] == 3

    # Per-team values go to that team only; clearing sends null.
    post({"value": 5, "scope": {"team": "ops"}})
    assert received(staff_sock, "counter") == []
    assert received(admin_sock, "counter")[0]["value"] == 5
    post({"value": None})
    assert received(staff_sock, "counter")[0]["value"] is None

    assert post({"value": "3"}).status_code == 422
    assert post({"value": 1, "scope": {"user": "nobody@acme.test"}}).status_code == 422
    assert post({"value": 1, "scope": {"team": "a", "user": "staff@acme.test"}}).status_code == 422
    assert (
        client.post("/api/v1/counters/Queue", json={"value": 1}, headers=admin).status_code == 422
    )
    assert (
        client.post("/api/v1/counters/queue.pending", json={"value": 1}, headers=staff).status_code
        == 403
    )


def test_checklist_events_and_ticks_tell_the_users_browsers_to_refresh(
    client, admin, staff, sockets
):
    exp_id = live(client, admin, "checklist", ONBOARDING)
    staff_sock, admin_sock = sockets("staff"), sockets("admin")
    send(client, staff, event("ticket.opened"))
    assert received(staff_sock, "progress") == []
    send(client, staff, event("page.view", url=f"{APP_URL}/queue"))
    assert received(staff_sock, "progress") == [{"reason": "events"}]
    client.post(f"/api/v1/client/checklists/{exp_id}/items/2", json={}, headers=staff)
    assert received(staff_sock, "progress") == [{"reason": "tick"}]
    assert received(admin_sock, "progress") == []


# ---------------------------------------------------------------- console authoring


def console_sign_in(client, who: str) -> str:
    """Sign in to the console; returns a CSRF token for its forms."""
    from .test_console import csrf_from, sign_in

    assert sign_in(client, who).status_code == 302
    return csrf_from(client, "/console/progress")


def test_admins_author_checklists_and_badges_as_versioned_drafts(app, client, admin):
    csrf = console_sign_in(client, "admin")
    form = {
        "csrf_token": csrf,
        "name": "Onboarding",
        "url": f"{APP_URL}/*",
        "title": "Get started",
        "mode": "list",
        "item-0-title": "Open the queue",
        "item-0-url": f"{APP_URL}/queue",
        "item-1-title": "Save settings",
        "item-1-rule": "click",
        "item-1-value": "#save",
        "item-2-title": "Close three",
        "item-2-rule": "event",
        "item-2-value": "ticket.closed",
        "item-2-count": "3",
        "item-4-title": "Ask a colleague",
        "item-4-rule": "manual",
        "milestones": "2: Halfway there",
    }
    resp = client.post("/console/progress/checklists/new", data=form)
    assert resp.status_code == 302
    exp_id = int(resp.headers["Location"].rsplit("/", 1)[1])
    exp = client.get(f"/api/v1/experiences/{exp_id}", headers=admin).json
    assert exp["status"] == "draft" and exp["version"] == 1
    assert exp["content"] == {
        "title": "Get started",
        "mode": "list",
        "items": [
            {"title": "Open the queue", "url": f"{APP_URL}/queue"},
            {"title": "Save settings", "done_when": {"event": "click", "selector": "#save"}},
            {"title": "Close three", "done_when": {"event": "ticket.closed", "count": 3}},
            {"title": "Ask a colleague", "done_when": {}},
        ],
        "milestones": [{"after": 2, "message": "Halfway there"}],
    }
    # The edit form shows what was saved; saving it again makes version 2, audited.
    page = client.get(f"/console/progress/experiences/{exp_id}/edit").text
    assert 'value="ticket.closed"' in page and "2: Halfway there" in page
    client.post(f"/api/v1/experiences/{exp_id}/publish", headers=admin)
    resp = client.post(
        f"/console/progress/experiences/{exp_id}/edit", data={**form, "title": "Start here"}
    )
    assert resp.status_code == 302
    exp = client.get(f"/api/v1/experiences/{exp_id}", headers=admin).json
    assert (exp["version"], exp["published_version"], exp["content"]["title"]) == (
        2,
        1,
        "Start here",
    )

    badge = {
        "csrf_token": csrf,
        "name": "Pending",
        "url": f"{APP_URL}/*",
        "selector": "#queue",
        "label": "{{count}} pending",
        "counter_source": "signal",
        "counter_key": "queue.pending",
        "hide_when_zero": "on",
    }
    resp = client.post("/console/progress/badges/new", data=badge)
    badge_id = int(resp.headers["Location"].rsplit("/", 1)[1])
    content = client.get(f"/api/v1/experiences/{badge_id}", headers=admin).json["content"]
    assert content["counter"] == {"source": "signal", "key": "queue.pending"}
    assert content["hide_when_zero"] is True

    # Invalid input: the form again, with the message next to its field, nothing saved.
    resp = client.post(
        "/console/progress/badges/new", data={**badge, "label": "x" * 41, "counter_key": "Bad"}
    )
    assert resp.status_code == 422
    assert 'id="label-error"' in resp.text and 'aria-invalid="true"' in resp.text
    assert "counter_key-error" in resp.text
    wizard = {**form, "mode": "wizard"}
    resp = client.post("/console/progress/checklists/new", data=wizard)
    assert resp.status_code == 422 and "A wizard step needs a url or a selector." in resp.text
    with app.app_context():
        actions = [
            a for a in db.session.scalars(select(AuditLog.action)) if a.startswith("experience.")
        ]
    assert actions.count("experience.create") == 2


def test_goals_and_rules_from_the_console_with_team_charts(app, client, staff):
    csrf = console_sign_in(client, "admin")
    resp = client.post(
        "/console/progress/goals/new",
        data={
            "csrf_token": csrf,
            "title": "Close 4 as a team",
            "event_type": "ticket.closed",
            "target": "4",
            "scope": "team",
            "starts_at": (NOW - timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
            "deadline": (NOW + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
            "active": "on",
        },
    )
    assert resp.status_code == 302
    goal_url = resp.headers["Location"]
    send(client, staff, event("ticket.closed", NOW - timedelta(days=1)), event("ticket.closed"))
    page = client.get(goal_url).text
    # One chart per team: support has 2 of 4, a line drawn; ops and insights none yet.
    assert page.count('class="goal-chart"') == 3
    assert "<strong>support</strong>: 2 of 4 (50%)" in page
    assert "<polyline" in page and "Team support: progress towards Close 4 as a team" in page

    bad = client.post(
        goal_url,
        data={"csrf_token": csrf, "title": "", "event_type": "x", "target": "0", "deadline": ""},
    )
    assert bad.status_code == 422 and 'id="title-error"' in bad.text

    resp = client.post(
        "/console/progress/rules",
        data={
            "csrf_token": csrf,
            "kind": "points",
            "name": "Closing",
            "event_type": "ticket.closed",
            "points": "5",
        },
    )
    assert resp.status_code == 302
    assert panel(client, staff)["points"]["total"] == 10
    # No CSRF token: refused, nothing changes.
    resp = client.post(
        "/console/progress/rules",
        data={"kind": "streak", "name": "Daily", "event_type": "ticket.closed"},
    )
    assert resp.status_code == 400
    assert panel(client, staff)["streaks"] == []

    # Analysts read the pages and charts but cannot change anything.
    client.post("/console/logout", data={"csrf_token": csrf})
    csrf = console_sign_in(client, "analyst")
    assert client.get(goal_url).status_code == 200
    assert "New goal" not in client.get("/console/progress").text
    resp = client.post(
        "/console/progress/rules",
        data={"csrf_token": csrf, "kind": "streak", "name": "x", "event_type": "a.b"},
    )
    assert resp.status_code == 403
