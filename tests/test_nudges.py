"""Nudges: signals and their API keys, warnings that follow them, event counts, the digest,
the interruption budget, experiments, user attributes, What's new, and their console pages."""

from __future__ import annotations

import json
import re
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from sqlalchemy import select

from nudgelayer.experiences.targeting import experiment_arm, segment_matches
from nudgelayer.extensions import db, socketio
from nudgelayer.models import AuditLog, Event, Interruption, User, Workspace, now_utc
from nudgelayer.nudges import experiments, keys, throttle

from .conftest import PASSWORD

WARNING = {
    "kind": "banner",
    "name": "Backup overdue",
    "targeting": {"url": "https://ops.example.com/*"},
    "content": {
        "text": "Data loss risk increasing: backup overdue by {{signal.value}} days",
        "severity": "critical",
        "dismissible": False,
        "signal": {"key": "backup.overdue_days", "op": "gt", "value": 0},
    },
}
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def signals_key(app) -> dict[str, str]:
    with app.app_context():
        ws = db.session.scalar(select(Workspace).where(Workspace.slug == "acme"))
        plain, _ = keys.create(ws, "Backup monitor", "signals")
        db.session.commit()
    return {"Authorization": f"Bearer {plain}"}


def live(client, admin, body) -> dict:
    exp = client.post("/api/v1/experiences", json=body, headers=admin)
    assert exp.status_code == 201, exp.json
    resp = client.post(f"/api/v1/experiences/{exp.json['id']}/publish", headers=admin)
    assert resp.status_code == 200, resp.json
    return resp.json


def nudges(client, headers) -> dict:
    resp = client.get("/api/v1/client/nudges", headers=headers)
    assert resp.status_code == 200, resp.json
    return resp.json


def socket_for(app, client, who: str):
    token = client.post(
        "/api/v1/auth/login", json={"email": f"{who}@acme.test", "password": PASSWORD}
    ).json["token"]
    sock = socketio.test_client(app, namespace="/rt", auth={"token": token, "cursor": None})
    assert sock.is_connected("/rt")
    sock.get_received("/rt")  # the sync
    return sock


def received(sock, name: str) -> list[dict]:
    return [m["args"][0] for m in sock.get_received("/rt") if m["name"] == name]


# --- signals ---------------------------------------------------------------------------------


def test_a_signal_becomes_a_warning_for_the_scoped_team_only_and_clears(
    app, client, login, signals_key
):
    admin, staff = login("admin"), login("staff")  # admin is in team ops, staff in support
    exp = live(client, admin, WARNING)
    ops_socket, support_socket = socket_for(app, client, "admin"), socket_for(app, client, "staff")

    resp = client.post(
        "/api/v1/signals",
        json={"key": "backup.overdue_days", "value": 3, "scope": {"team": "ops"}},
        headers=signals_key,
    )
    assert resp.status_code == 200, resp.json
    assert resp.json["value"] == 3 and resp.json["scope"] == {"team": "ops"}

    # Pushed to the workspace after the commit; each browser keeps what its scope matches.
    pushed = received(ops_socket, "signal")
    assert [(m["key"], m["value"], m["scope"]) for m in pushed] == [
        ("backup.overdue_days", 3, {"team": "ops"})
    ]
    assert received(support_socket, "signal") == pushed

    ops = nudges(client, admin)
    assert [(s["key"], s["value"]) for s in ops["signals"]] == [("backup.overdue_days", 3)]
    warnings = [i for i in ops["digest"]["items"] if i["kind"] == "warning"]
    assert warnings == [
        {
            "kind": "warning",
            "experience_id": exp["id"],
            "title": "Data loss risk increasing: backup overdue by 3 days",
            "severity": "critical",
        }
    ]
    support = nudges(client, staff)
    assert support["signals"] == []
    assert not [i for i in support["digest"]["items"] if i["kind"] == "warning"]

    # The same value again changes nothing (a monitor repeating itself every minute).
    client.post(
        "/api/v1/signals",
        json={"key": "backup.overdue_days", "value": 3, "scope": {"team": "ops"}},
        headers=signals_key,
    )
    assert received(ops_socket, "signal") == []

    resp = client.delete("/api/v1/signals/backup.overdue_days", headers=signals_key)
    assert resp.status_code == 200 and resp.json == {"cleared": 1}
    assert [m["value"] for m in received(ops_socket, "signal")] == [None]
    ops = nudges(client, admin)
    assert ops["signals"] == [] and not [
        i for i in ops["digest"]["items"] if i["kind"] == "warning"
    ]


def test_value_null_clears_one_scope_and_the_most_specific_signal_wins(
    app, client, login, signals_key
):
    admin = login("admin")
    live(client, admin, WARNING)
    post = lambda body: client.post("/api/v1/signals", json=body, headers=signals_key)  # noqa: E731
    assert post({"key": "backup.overdue_days", "value": 1}).status_code == 200
    assert (
        post({"key": "backup.overdue_days", "value": 5, "scope": {"team": "ops"}}).status_code
        == 200
    )
    titles = [
        i["title"] for i in nudges(client, admin)["digest"]["items"] if i["kind"] == "warning"
    ]
    assert titles == ["Data loss risk increasing: backup overdue by 5 days"]
    # Support staff are outside the ops scope: the workspace-wide value applies to them.
    staff_titles = [
        i["title"]
        for i in nudges(client, login("staff"))["digest"]["items"]
        if i["kind"] == "warning"
    ]
    assert staff_titles == ["Data loss risk increasing: backup overdue by 1 days"]

    assert (
        post({"key": "backup.overdue_days", "value": None, "scope": {"team": "ops"}}).status_code
        == 200
    )
    titles = [
        i["title"] for i in nudges(client, admin)["digest"]["items"] if i["kind"] == "warning"
    ]
    assert titles == ["Data loss risk increasing: backup overdue by 1 days"]
    assert post({"key": "backup.overdue_days", "value": 0}).status_code == 200
    assert [i for i in nudges(client, admin)["digest"]["items"] if i["kind"] == "warning"] == []


def test_signal_changes_are_audited_with_the_key_that_made_them(app, client, signals_key):
    client.post("/api/v1/signals", json={"key": "disk.free_gb", "value": 12}, headers=signals_key)
    client.post("/api/v1/signals", json={"key": "disk.free_gb", "value": 9}, headers=signals_key)
    client.delete("/api/v1/signals/disk.free_gb", headers=signals_key)
    with app.app_context():
        rows = db.session.scalars(
            select(AuditLog).where(AuditLog.subject_type == "signal").order_by(AuditLog.id)
        ).all()
        assert [r.action for r in rows] == ["signal.set", "signal.set", "signal.clear"]
        assert rows[0].before is None and rows[0].after["value"] == 12
        assert rows[1].before["value"] == 12 and rows[1].after["value"] == 9
        assert rows[1].after["api_key"].startswith("Backup monitor (nlk_")
        assert rows[2].before["value"] == 9
    console_sign_in(client)
    page = client.get("/console/audit").text
    assert "API key Backup monitor (nlk_" in page and "signal.clear" in page


@pytest.mark.parametrize(
    "body",
    [
        {"key": "backup overdue", "value": 1},
        {"key": "k", "value": {"days": 3}},
        {"key": "k", "value": 1, "scope": {"team": ["ops"]}},
        {"key": "k"},
        {"key": "k", "value": 1, "ttl": 5},
    ],
)
def test_bad_signals_are_422(client, signals_key, body):
    resp = client.post("/api/v1/signals", json=body, headers=signals_key)
    assert resp.status_code == 422, body


def test_cli_creates_a_key_that_works_and_the_admin_api_revokes_it(app, runner, client, login):
    result = runner.invoke(args=["create-api-key", "acme", "--scope", "signals", "--label", "Cron"])
    assert result.exit_code == 0, result.output
    plain = result.stdout.strip().splitlines()[-1]
    assert plain.startswith("nlk_")
    headers = {"Authorization": f"Bearer {plain}"}
    assert (
        client.post("/api/v1/signals", json={"key": "k", "value": 1}, headers=headers).status_code
        == 200
    )
    admin = login("admin")
    listed = client.get("/api/v1/api-keys", headers=admin).json["items"]
    assert [k["label"] for k in listed] == ["Cron"] and "key" not in listed[0]
    with app.app_context():  # stored hashed: the plain key is nowhere in the database
        assert plain not in json.dumps([k.key_hash for k in keys.list_(1)])
    assert client.delete(f"/api/v1/api-keys/{listed[0]['id']}", headers=admin).status_code == 204
    assert (
        client.post("/api/v1/signals", json={"key": "k", "value": 2}, headers=headers).status_code
        == 401
    )


def test_admin_api_creates_a_key_shown_once(client, login):
    admin = login("admin")
    made = client.post(
        "/api/v1/api-keys", json={"label": "Monitor", "scope": "signals"}, headers=admin
    )
    assert made.status_code == 201 and made.json["key"].startswith(made.json["prefix"])
    assert "key" not in client.get("/api/v1/api-keys", headers=admin).json["items"][0]
    bad = client.post("/api/v1/api-keys", json={"label": "x", "scope": "everything"}, headers=admin)
    assert bad.status_code == 422


# --- segments: event counts, variants --------------------------------------------------------


def add_events(app, email: str, type_: str, ages_days: list[float]) -> None:
    import uuid

    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        for age in ages_days:
            db.session.add(
                Event(
                    uuid=str(uuid.uuid4()),
                    workspace_id=user.workspace_id,
                    user_id=user.id,
                    type=type_,
                    ts=now_utc() - timedelta(days=age),
                )
            )
        db.session.commit()


def test_event_counts_reach_the_client_and_decide_the_segment(app, client, login):
    admin, staff = login("admin"), login("staff")
    rule = {"event": "ticket.closed", "count": {"gte": 3}, "within_days": 7}
    body = {
        **WARNING,
        "targeting": {"url": "*", "segment": rule},
        "content": {"text": "Pro tip", "severity": "info"},
    }
    exp = live(client, admin, body)
    add_events(app, "staff@acme.test", "ticket.closed", [0.1, 1, 6.5, 8, 30])

    counts = nudges(client, staff)["counts"]
    assert counts == {"ticket.closed": {"7": 3}}
    assert segment_matches(rule, {}, counts) is True
    assert segment_matches(rule, {}, nudges(client, admin)["counts"]) is False
    # The feed cannot know counts the extension decides with: it sends the experience
    # (the condition is unknown there) and the extension filters with the counts.
    feed = client.get("/api/v1/client/experiences", headers=admin).json["experiences"]
    assert exp["id"] in [e["id"] for e in feed]


def test_variants_are_checked_against_the_experience_kind(client, login):
    admin = login("admin")
    body = {
        **WARNING,
        "targeting": {
            "url": "*",
            "variants": [
                {"locale": "de", "content": {"title": "Hallo", "target": {"selector": "#a"}}}
            ],
        },
    }
    resp = client.post("/api/v1/experiences", json=body, headers=admin)
    assert resp.status_code == 422
    assert "variants" in json.dumps(resp.json["error"]["details"])
    good = {
        **body,
        "targeting": {
            "url": "*",
            "variants": [{"locale": "de", "content": {"text": "Hallo", "severity": "info"}}],
        },
    }
    made = client.post("/api/v1/experiences", json=good, headers=admin)
    assert made.status_code == 201
    assert (
        made.json["targeting"]["variants"][0]["content"]["dismissible"] is True
    )  # defaults filled
    bad_patch = {"targeting": body["targeting"]}
    assert (
        client.patch(
            f"/api/v1/experiences/{made.json['id']}", json=bad_patch, headers=admin
        ).status_code
        == 422
    )


# --- the digest ------------------------------------------------------------------------------


def test_digest_lists_unanswered_surveys_and_drops_answered_ones(app, client, login):
    admin, staff = login("admin"), login("staff")
    survey = live(
        client,
        admin,
        {
            "kind": "survey",
            "name": "How is the new queue?",
            "targeting": {"url": "*"},
            "content": {"questions": [{"id": "q1", "type": "nps", "prompt": "Recommend?"}]},
        },
    )
    items = nudges(client, staff)["digest"]["items"]
    assert {
        "kind": "survey",
        "experience_id": survey["id"],
        "title": "How is the new queue?",
    } in items
    answer = {
        "id": "6f1c2b1e-8d1a-4b8e-9c39-0d9c3c1e2a70",
        "experience_id": survey["id"],
        "answers": {"q1": 9},
    }
    resp = client.post("/api/v1/responses", json=answer, headers=staff)
    assert resp.status_code in (200, 201, 202), resp.json
    with app.app_context():  # the survey feature marks it answered for the fatigue rules
        from nudgelayer.models import SurveyDisplay

        answered = db.session.scalar(
            select(SurveyDisplay.answered).where(SurveyDisplay.experience_id == survey["id"])
        )
    if answered:
        assert not [i for i in nudges(client, staff)["digest"]["items"] if i["kind"] == "survey"]


def test_digest_of_a_held_out_user_does_not_list_the_experiment(app, client, login):
    admin = login("admin")
    with app.app_context():
        staff_id = db.session.scalar(select(User.id).where(User.email == "staff@acme.test"))
    survey = {
        "kind": "survey",
        "name": "Experiment survey",
        "targeting": {"url": "*", "experiment": {"control_percent": 50, "conversion_event": "x.y"}},
        "content": {"questions": [{"id": "q1", "type": "nps", "prompt": "Recommend?"}]},
    }
    exp = live(client, admin, survey)
    arm = experiment_arm({"control_percent": 50}, exp["id"], staff_id)
    listed = [
        i
        for i in nudges(client, login("staff"))["digest"]["items"]
        if i.get("experience_id") == exp["id"]
    ]
    assert bool(listed) == (arm == "treatment")


class Hook(BaseHTTPRequestHandler):
    bodies: list[dict] = []
    status = 200

    def do_POST(self):  # noqa: N802 - http.server's naming
        length = int(self.headers["Content-Length"])
        Hook.bodies.append(json.loads(self.rfile.read(length)))
        self.send_response(Hook.status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def chat_hook():
    Hook.bodies, Hook.status = [], 200
    server = HTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook"
    server.shutdown()
    server.server_close()


def test_send_digests_posts_to_the_chat_channel_once_per_period(
    app, client, login, runner, chat_hook, signals_key
):
    admin = login("admin")
    live(client, admin, WARNING)
    client.post(
        "/api/v1/signals", json={"key": "backup.overdue_days", "value": 2}, headers=signals_key
    )
    resp = client.patch(
        "/api/v1/nudges/settings",
        json={"digest_webhook_url": chat_hook, "digest_frequency": "daily"},
        headers=admin,
    )
    assert resp.status_code == 200, resp.json

    Hook.status = 503
    first = runner.invoke(args=["send-digests"])
    assert "not sent (HTTP 503)" in first.output
    Hook.status = 200
    second = runner.invoke(args=["send-digests"])
    assert "acme: sent" in second.output, second.output
    third = runner.invoke(args=["send-digests"])
    assert "acme: not due" in third.output
    assert len(Hook.bodies) == 2
    text = Hook.bodies[-1]["text"]
    assert text.startswith("Nudgelayer daily digest for Acme")
    assert "admin@acme.test: 1 warning" in text
    people = {u["email"]: u["pending"] for u in Hook.bodies[-1]["digest"]["users"]}
    assert (
        people["staff@acme.test"][0]["title"]
        == "Data loss risk increasing: backup overdue by 2 days"
    )


# --- the interruption budget -----------------------------------------------------------------


def _interrupting(client, admin, n: int, severity: str = "info") -> list[dict]:
    body = {
        "kind": "banner",
        "name": "Announcement",
        "targeting": {"url": "*"},
        "content": {"text": "We moved the queue.", "severity": severity, "modal": True},
    }
    return [live(client, admin, {**body, "name": f"Announcement {i}"}) for i in range(n)]


def ask(client, headers, exp, priority=None):
    body = {"experience_id": exp["id"], "version": exp["version"]}
    if priority:
        body["priority"] = priority
    resp = client.post("/api/v1/client/interruptions", json=body, headers=headers)
    assert resp.status_code == 200, resp.json
    return resp.json


def test_budget_limits_interruptions_keeps_a_slot_for_high_priority_and_spaces_them(
    app, client, login
):
    admin, staff = login("admin"), login("staff")
    client.patch(
        "/api/v1/nudges/settings",
        json={"interruption_limit": 3, "interruption_gap_minutes": 0},
        headers=admin,
    )
    a, b, c, d, e = _interrupting(client, admin, 5)
    assert ask(client, staff, a)["allowed"] is True
    assert ask(client, staff, a)["allowed"] is True  # the same one again: free
    assert ask(client, staff, b, "low")["allowed"] is True  # 2 of 3 left: half the budget
    assert ask(client, staff, c, "low")["allowed"] is False  # 1 of 3 left: not for low
    third = ask(client, staff, c)  # normal: the last slot is kept for high
    assert third == {
        "allowed": False,
        "reason": "interruption budget used up",
        "retry_after_seconds": third["retry_after_seconds"],
    }
    assert 0 < third["retry_after_seconds"] <= 24 * 3600
    assert ask(client, staff, c, "high")["allowed"] is True  # the kept slot
    assert ask(client, staff, d, "high")["allowed"] is False
    assert ask(client, staff, e, "critical")["allowed"] is True  # safety first, but counted
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Interruption)) == 4
    # Admin's budget is their own.
    assert ask(client, admin, d)["allowed"] is True


def test_gap_between_interruptions(app, client, login):
    admin, staff = login("admin"), login("staff")
    client.patch("/api/v1/nudges/settings", json={"interruption_gap_minutes": 30}, headers=admin)
    a, b = _interrupting(client, admin, 2)
    assert ask(client, staff, a)["allowed"] is True
    refused = ask(client, staff, b, "high")
    assert (
        refused["allowed"] is False and refused["reason"] == "too soon after the last interruption"
    )
    assert 1700 <= refused["retry_after_seconds"] <= 1801
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "staff@acme.test"))
        exp = db.session.get(__import__("nudgelayer").models.Experience, b["id"])
        later = now_utc() + timedelta(minutes=31)
        assert throttle.decide(user, exp, b["version"], "normal", now=later).allowed is True


def test_ambient_content_needs_no_permission(client, login):
    admin, staff = login("admin"), login("staff")
    banner = live(client, admin, {**WARNING, "content": {"text": "Hi", "severity": "info"}})
    resp = client.post(
        "/api/v1/client/interruptions",
        json={"experience_id": banner["id"], "version": 1},
        headers=staff,
    )
    assert resp.status_code == 422


# --- experiments -----------------------------------------------------------------------------


def test_assignment_is_deterministic_and_splits_near_the_percentage():
    arms = [experiment_arm({"control_percent": 30}, 42, uid) for uid in range(1, 5001)]
    assert arms == [experiment_arm({"control_percent": 30}, 42, uid) for uid in range(1, 5001)]
    share = arms.count("control") / len(arms)
    assert 0.27 < share < 0.33
    assert experiment_arm(None, 42, 1) is None


def test_wilson_interval_matches_reference_values():
    low, high = experiments.wilson(5, 10)
    assert (round(low, 4), round(high, 4)) == (0.2366, 0.7634)
    low, high = experiments.wilson(0, 20)
    assert low == 0.0 and round(high, 4) == 0.1611
    assert experiments.wilson(0, 0) == (0.0, 1.0)
    # Newcombe's example (Stat Med 1998, 17:873, method 10): 56/70 vs 48/80 → 0.0524 to 0.3339.
    low, high = experiments.newcombe(56, 70, 48, 80)
    assert (round(low, 4), round(high, 4)) == (0.0524, 0.3339)


def test_results_count_conversions_after_exposure_per_arm(app, client, login):
    admin = login("admin")
    body = {
        **WARNING,
        "targeting": {
            "url": "*",
            "experiment": {"control_percent": 50, "conversion_event": "ticket.closed"},
        },
        "content": {"text": "Close faster with bulk actions", "severity": "info"},
    }
    exp = live(client, admin, body)
    import uuid

    with app.app_context():
        users = db.session.scalars(
            select(User).where(User.workspace_id == 1).order_by(User.id)
        ).all()
        t0 = now_utc() - timedelta(hours=5)
        expected = {"control": [0, 0], "treatment": [0, 0]}
        for i, user in enumerate(users):
            arm = experiment_arm({"control_percent": 50}, exp["id"], user.id)
            rows = [
                ("experiment.exposure", t0, {"arm": arm}),
                ("experiment.exposure", t0 + timedelta(hours=1), {"arm": arm}),
            ]
            expected[arm][0] += 1
            if i % 2 == 0:  # converts after exposure
                rows.append(("ticket.closed", t0 + timedelta(hours=2), {}))
                expected[arm][1] += 1
            else:  # converted only before exposure: does not count
                rows.append(("ticket.closed", t0 - timedelta(hours=2), {}))
            for type_, ts, data in rows:
                db.session.add(
                    Event(
                        uuid=str(uuid.uuid4()),
                        workspace_id=1,
                        user_id=user.id,
                        type=type_,
                        ts=ts,
                        experience_id=exp["id"] if type_ == "experiment.exposure" else None,
                        data=data,
                    )
                )
        db.session.commit()
    resp = client.get(f"/api/v1/experiences/{exp['id']}/experiment", headers=login("analyst"))
    assert resp.status_code == 200, resp.json
    got = resp.json
    for arm in ("control", "treatment"):
        assert [got[arm]["exposed"], got[arm]["converted"]] == expected[arm]
        assert list(experiments.wilson(*reversed(expected[arm]))) == got[arm]["interval"]
    not_an_experiment = live(
        client, admin, {**WARNING, "content": {"text": "x", "severity": "info"}}
    )
    assert (
        client.get(
            f"/api/v1/experiences/{not_an_experiment['id']}/experiment", headers=admin
        ).status_code
        == 404
    )


# --- user attributes -------------------------------------------------------------------------


def test_admin_sets_attributes_through_the_api_audited_and_pushed(app, client, login):
    admin = login("admin")
    sock = socket_for(app, client, "staff")
    with app.app_context():
        staff_id = db.session.scalar(select(User.id).where(User.email == "staff@acme.test"))
    resp = client.patch(
        f"/api/v1/users/{staff_id}",
        json={
            "team": "ops",
            "locale": "de-AT",
            "attributes": {"expertise": "advanced", "tenure": None},
        },
        headers=admin,
    )
    assert resp.status_code == 200, resp.json
    assert resp.json["team"] == "ops" and resp.json["attributes"] == {"expertise": "advanced"}
    assert received(sock, "nudges") == [{"reason": "attributes", "user_ids": [staff_id]}]
    me = client.get("/api/v1/me", headers=login("staff")).json
    assert me["locale"] == "de-AT" and me["attributes"] == {"expertise": "advanced"}
    with app.app_context():
        row = db.session.scalars(select(AuditLog).where(AuditLog.action == "user.update")).one()
        assert row.before["team"] == "support" and row.after["team"] == "ops"
        assert row.before["attributes"] == {"tenure": 3}
    for bad in (
        {"attributes": {"Role": "x"}},
        {"attributes": {"role": "admin"}},
        {"locale": "german"},
        {"role": "owner"},
    ):
        assert (
            client.patch(f"/api/v1/users/{staff_id}", json=bad, headers=admin).status_code == 422
        ), bad
    assert (
        client.patch(
            f"/api/v1/users/{staff_id}", json={"team": "x"}, headers=login("analyst")
        ).status_code
        == 403
    )


def test_csv_import_is_all_or_nothing(app, runner, tmp_path):
    good = tmp_path / "good.csv"
    good.write_text(
        "email,team,tenure,expertise,beta\nSTAFF@acme.test,ops,5,advanced,true\nanalyst@acme.test,,2.5,,\n"
    )
    bad = tmp_path / "bad.csv"
    bad.write_text("email,tenure\nstaff@acme.test,9\nnobody@acme.test,1\nadmin@other.test,1\n")
    result = runner.invoke(args=["import-users", "acme", str(bad)])
    assert result.exit_code != 0
    assert "line 3: No user 'nobody@acme.test'" in result.output
    assert "line 4: No user 'admin@other.test'" in result.output  # another workspace's user
    result = runner.invoke(args=["import-users", "acme", str(good)])
    assert result.exit_code == 0, result.output
    assert "2 user(s) updated" in result.output
    with app.app_context():
        staff = db.session.scalar(select(User).where(User.email == "staff@acme.test"))
        assert staff.team == "ops"
        assert staff.attributes == {"tenure": 5, "expertise": "advanced", "beta": True}
        analyst = db.session.scalar(select(User).where(User.email == "analyst@acme.test"))
        assert analyst.team == "insights" and analyst.attributes == {"tenure": 2.5}


# --- What's new ------------------------------------------------------------------------------


def console_sign_in(client, who="admin"):
    page = client.get("/console/login")
    token = CSRF_RE.search(page.text).group(1)
    client.post(
        "/console/login",
        data={"email": f"{who}@acme.test", "password": PASSWORD, "csrf_token": token},
    )
    return lambda path: CSRF_RE.search(client.get(path).text).group(1)


def test_whatsnew_entries_count_as_unread_until_opened(app, client, login):
    csrf = console_sign_in(client)
    staff = login("staff")
    assert nudges(client, staff)["whatsnew"]["unread"] == 0
    resp = client.post(
        "/console/whatsnew",
        data={
            "title": "Bulk close",
            "body": "Close **many** tickets at once.",
            "publish": "1",
            "csrf_token": csrf("/console/whatsnew"),
        },
    )
    assert resp.status_code == 302
    client.post(
        "/console/whatsnew",
        data={
            "title": "Draft only",
            "body": "",
            "publish": "0",
            "csrf_token": csrf("/console/whatsnew"),
        },
    )
    assert nudges(client, staff)["whatsnew"]["unread"] == 1
    panel = client.get("/api/v1/client/whatsnew", headers=staff).json
    assert [e["title"] for e in panel["entries"]] == ["Bulk close"] and panel["unread"] == 1
    assert client.post("/api/v1/client/whatsnew/read", headers=staff).json["unread"] == 0
    assert nudges(client, staff)["whatsnew"]["unread"] == 0
    with app.app_context():
        actions = db.session.scalars(
            select(AuditLog.action).where(AuditLog.subject_type == "changelog_entry")
        ).all()
        assert actions == ["changelog.create", "changelog.publish", "changelog.create"]


# --- console pages ---------------------------------------------------------------------------


def test_console_settings_page_creates_a_key_shown_once_and_saves_settings(app, client):
    csrf = console_sign_in(client)
    page = client.get("/console/nudges")
    assert page.status_code == 200 and "Interruption budget" in page.text
    made = client.post(
        "/console/nudges/api-keys",
        data={"label": "Backup monitor", "scope": "signals", "csrf_token": csrf("/console/nudges")},
    )
    key = re.search(r"(nlk_[A-Za-z0-9_-]{43})", made.text)
    assert made.status_code == 200 and key
    assert key.group(1) not in client.get("/console/nudges").text
    bad = client.post(
        "/console/nudges/settings",
        data={
            "interruption_limit": "-1",
            "interruption_period_hours": "24",
            "interruption_gap_minutes": "0",
            "digest_frequency": "off",
            "csrf_token": csrf("/console/nudges"),
        },
    )
    assert bad.status_code == 422 and 'aria-invalid="true"' in bad.text
    ok = client.post(
        "/console/nudges/settings",
        data={
            "interruption_limit": "5",
            "interruption_period_hours": "12",
            "interruption_gap_minutes": "10",
            "overlay_url": "https://tickets.example.com/*",
            "digest_frequency": "off",
            "csrf_token": csrf("/console/nudges"),
        },
    )
    assert ok.status_code == 302
    with app.app_context():
        row = db.session.scalars(
            select(AuditLog).where(AuditLog.action == "nudge_settings.update")
        ).one()
        assert row.before["interruption_limit"] == 3 and row.after["interruption_limit"] == 5
        assert row.after["overlay_url"] == "https://tickets.example.com/*"


def test_console_attribute_pages_edit_and_import(app, client):
    csrf = console_sign_in(client)
    with app.app_context():
        staff_id = db.session.scalar(select(User.id).where(User.email == "staff@acme.test"))
    page = client.get(f"/console/attributes/{staff_id}")
    assert page.status_code == 200 and "tenure = 3" in page.text
    resp = client.post(
        f"/console/attributes/{staff_id}",
        data={
            "role": "staff",
            "team": "ops",
            "locale": "en-GB",
            "display_name": "Kim",
            "attributes": 'expertise = novice\nskills = ["sql"]',
            "csrf_token": csrf(f"/console/attributes/{staff_id}"),
        },
    )
    assert resp.status_code == 302
    with app.app_context():
        staff = db.session.get(User, staff_id)
        assert staff.attributes == {"expertise": "novice", "skills": ["sql"]}  # tenure line removed
    import io

    upload = client.post(
        "/console/attributes/import",
        data={
            "file": (
                io.BytesIO(b"email,tenure\nstaff@acme.test,abc\nghost@acme.test,1\n"),
                "people.csv",
            ),
            "csrf_token": csrf("/console/attributes"),
        },
        content_type="multipart/form-data",
    )
    assert upload.status_code == 422 and "Line 3: No user" in upload.text
    with app.app_context():
        assert "tenure" not in db.session.get(User, staff_id).attributes


def test_console_experiments_page_shows_arms_with_intervals(app, client, login):
    admin = login("admin")
    live(
        client,
        admin,
        {
            **WARNING,
            "targeting": {
                "url": "*",
                "experiment": {"control_percent": 20, "conversion_event": "ticket.closed"},
            },
            "content": {"text": "Try bulk close", "severity": "info"},
        },
    )
    console_sign_in(client)
    page = client.get("/console/experiments")
    assert page.status_code == 200
    assert (
        "Control (held out)" in page.text and "20% held out" in page.text and "Wilson" in page.text
    )


def test_deadline_is_stored_with_its_offset(client, login):
    admin = login("admin")
    deadline = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0).isoformat()
    exp = live(
        client,
        admin,
        {**WARNING, "content": {"text": "Ends soon", "severity": "warning", "deadline": deadline}},
    )
    assert datetime.fromisoformat(exp["content"]["deadline"]) == datetime.fromisoformat(deadline)


def test_digest_lists_a_goal_near_its_deadline_and_a_streak_at_risk(app, client, login):
    admin, staff = login("admin"), login("staff")
    deadline = (datetime.now(UTC) + timedelta(days=1, hours=12)).replace(microsecond=0)
    goal = client.post(
        "/api/v1/goals",
        json={
            "title": "Close 10 tickets",
            "event_type": "ticket.closed",
            "target": 10,
            "starts_at": (deadline - timedelta(days=7)).isoformat(),
            "deadline": deadline.isoformat(),
        },
        headers=admin,
    )
    assert goal.status_code == 201, goal.json
    assert client.post(
        f"/api/v1/client/goals/{goal.json['id']}/commitment", json={"confirm": True}, headers=staff
    ).status_code in (200, 201)
    rule = client.post(
        "/api/v1/gamification/rules",
        json={"kind": "streak", "name": "Daily closer", "event_type": "ticket.closed"},
        headers=admin,
    )
    assert rule.status_code == 201, rule.json
    add_events(app, "staff@acme.test", "ticket.closed", [1.0, 2.0])  # yesterday and the day before

    items = {i["kind"]: i for i in nudges(client, staff)["digest"]["items"]}
    assert items["goal"]["title"] == "Close 10 tickets"
    assert "8 more to reach 10" in items["goal"]["detail"]
    assert items["streak"]["title"].startswith("Daily closer: keep your ")
    add_events(app, "staff@acme.test", "ticket.closed", [0.0])  # done today: the streak is safe
    items = {i["kind"]: i for i in nudges(client, staff)["digest"]["items"]}
    assert "streak" not in items


def test_an_empty_patch_is_a_mistake_not_a_no_op(client, login):
    admin = login("admin")
    for path in ("/api/v1/nudges/settings", "/api/v1/users/1"):
        resp = client.patch(path, json={}, headers=admin)
        assert resp.status_code == 422, path
        assert resp.json["error"]["details"] == {"_schema": ["Send at least one field to change."]}
