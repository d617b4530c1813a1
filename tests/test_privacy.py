"""Privacy: consent defaults, retention and its purge, per-user export and erasure."""

from __future__ import annotations

import json
import re
import time
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import Text, cast, func, select

from nudgelayer.auth import service as auth
from nudgelayer.extensions import db
from nudgelayer.models import (
    AuditLog,
    Event,
    MaintenanceRun,
    SurveyResponse,
    User,
    Workspace,
    now_utc,
)
from nudgelayer.privacy import consent, scheduler, subject

from .conftest import PASSWORD, tooltip_body

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
ALL_OFF = {"analytics": False, "identified_surveys": False, "leaderboards": False}
SURVEY = {
    "kind": "survey",
    "name": "Queue survey",
    "targeting": {"url": "https://tickets.example.com/*"},
    "content": {
        "questions": [
            {"id": "nps", "type": "nps", "prompt": "Recommend the queue?"},
            {"id": "why", "type": "text", "prompt": "Anything else?"},
        ]
    },
}


def user_id(app, email: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.email == email))


def add_events(app, email: str, ages_days: list[float], received_days: float | None = None):
    """Store one event per age (days before now); ``received_days`` overrides arrival."""
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        now = now_utc()
        for age in ages_days:
            db.session.add(
                Event(
                    uuid=str(uuid.uuid4()),
                    workspace_id=user.workspace_id,
                    user_id=user.id,
                    type="experience.viewed",
                    ts=now - timedelta(days=age),
                    received_at=now
                    - timedelta(days=age if received_days is None else received_days),
                    data={},
                )
            )
        db.session.commit()


def count_events(app, email: str | None = None) -> int:
    with app.app_context():
        q = select(func.count()).select_from(Event)
        if email:
            q = q.join(User, User.id == Event.user_id).where(User.email == email)
        return db.session.scalar(q)


def publish(client, headers, body) -> int:
    resp = client.post("/api/v1/experiences", json=body, headers=headers)
    assert resp.status_code == 201, resp.json
    exp_id = resp.json["id"]
    assert client.post(f"/api/v1/experiences/{exp_id}/publish", headers=headers).status_code == 200
    return exp_id


# ---------------------------------------------------------------- consent


def test_consent_is_off_and_undecided_until_the_user_chooses(client, login):
    staff, analyst = login("staff"), login("analyst")
    assert client.get("/api/v1/me/consent", headers=staff).json == {**ALL_OFF, "decided_at": None}

    choice = {"analytics": True, "identified_surveys": False, "leaderboards": True}
    resp = client.put("/api/v1/me/consent", json=choice, headers=staff)
    assert resp.status_code == 200
    assert {k: resp.json[k] for k in choice} == choice
    assert resp.json["decided_at"].endswith("Z") or "+00:00" in resp.json["decided_at"]
    again = client.get("/api/v1/me/consent", headers=staff).json
    assert again == resp.json
    # One person's choice is theirs alone.
    assert client.get("/api/v1/me/consent", headers=analyst).json == {
        **ALL_OFF,
        "decided_at": None,
    }

    # Choosing "only essential" later is a decision too: everything off, decided.
    off = client.put("/api/v1/me/consent", json=ALL_OFF, headers=staff).json
    assert {k: off[k] for k in ALL_OFF} == ALL_OFF and off["decided_at"]


@pytest.mark.parametrize(
    "body, field",
    [
        ({"analytics": "yes", "identified_surveys": False, "leaderboards": False}, "analytics"),
        ({"analytics": 1, "identified_surveys": False, "leaderboards": False}, "analytics"),
        ({"analytics": True, "leaderboards": False}, "identified_surveys"),
        ({**ALL_OFF, "tracking": True}, "tracking"),
    ],
)
def test_consent_needs_every_choice_as_a_boolean(client, login, body, field):
    resp = client.put("/api/v1/me/consent", json=body, headers=login("staff"))
    assert resp.status_code == 422
    assert field in resp.json["error"]["details"]


def test_allows_is_false_for_anyone_who_did_not_agree(app, client, login):
    client.put(
        "/api/v1/me/consent",
        json={**ALL_OFF, "identified_surveys": True},
        headers=login("staff"),
    )
    staff, analyst = user_id(app, "staff@acme.test"), user_id(app, "analyst@acme.test")
    with app.app_context():
        assert consent.allows(staff, "identified_surveys") is True
        assert consent.allows(staff, "leaderboards") is False
        assert consent.allows(analyst, "identified_surveys") is False  # undecided
        assert consent.allows(None, "analytics") is False
        with pytest.raises(ValueError):
            consent.allows(staff, "everything")


# ---------------------------------------------------------------- retention


def test_retention_defaults_to_a_year_and_only_admins_change_it(app, client, login):
    admin, analyst = login("admin"), login("analyst")
    assert client.get("/api/v1/privacy/settings", headers=analyst).json == {"retention_days": 365}
    assert (
        client.patch(
            "/api/v1/privacy/settings", json={"retention_days": 30}, headers=analyst
        ).status_code
        == 403
    )
    for bad in (0, 3651, "30", None, 30.5):
        resp = client.patch("/api/v1/privacy/settings", json={"retention_days": bad}, headers=admin)
        assert resp.status_code == 422, bad
        assert "retention_days" in resp.json["error"]["details"]
    resp = client.patch("/api/v1/privacy/settings", json={"retention_days": 30}, headers=admin)
    assert resp.json == {"retention_days": 30}
    assert client.get("/api/v1/privacy/settings", headers=analyst).json == {"retention_days": 30}
    # Another workspace keeps its own period.
    other = client.post(
        "/api/v1/auth/login", json={"email": "admin@other.test", "password": PASSWORD}
    ).json["token"]
    theirs = client.get("/api/v1/privacy/settings", headers={"Authorization": f"Bearer {other}"})
    assert theirs.json == {"retention_days": 365}
    with app.app_context():
        row = db.session.scalar(
            select(AuditLog).where(AuditLog.action == "privacy.settings_changed")
        )
        assert row.before == {"retention_days": 365} and row.after == {"retention_days": 30}


def test_purge_deletes_only_what_each_workspace_no_longer_keeps(app, client, login, runner):
    admin = login("admin")
    client.patch("/api/v1/privacy/settings", json={"retention_days": 30}, headers=admin)
    add_events(app, "staff@acme.test", [1, 29, 31, 400])
    # Happened "in the future" by a wrong client clock, but arrived 40 days ago.
    add_events(app, "staff@acme.test", [-3000], received_days=40)
    # The other workspace keeps the default year: 100 days old stays, 400 goes.
    add_events(app, "admin@other.test", [100, 400])

    exp_id = publish(client, admin, SURVEY)
    staff = login("staff")
    fresh, old = str(uuid.uuid4()), str(uuid.uuid4())
    for rid in (fresh, old):
        body = {"id": rid, "experience_id": exp_id, "answers": {"nps": 9}, "completed": True}
        assert client.post("/api/v1/responses", json=body, headers=staff).status_code == 202
    with app.app_context():
        row = db.session.scalar(select(SurveyResponse).where(SurveyResponse.uuid == old))
        row.created_at = row.updated_at = now_utc() - timedelta(days=45)
        db.session.commit()

    result = runner.invoke(args=["purge-expired"])
    assert result.exit_code == 0, result.output
    assert "purged 4 events, 1 responses" in result.output
    assert count_events(app, "staff@acme.test") == 2  # 1 and 29 days old
    assert count_events(app, "admin@other.test") == 1
    with app.app_context():
        assert db.session.scalars(select(SurveyResponse.uuid)).all() == [fresh]
        purged = db.session.scalars(
            select(AuditLog).where(AuditLog.action == "retention.purged")
        ).all()
        assert {(r.workspace_id, r.after["events"]) for r in purged} == {
            (r.workspace_id, 3 if r.after["retention_days"] == 30 else 1) for r in purged
        }
        assert len(purged) == 2 and all(r.actor_id is None for r in purged)

    # Running it again finds nothing: harmless from cron and the server together.
    again = runner.invoke(args=["purge-expired"])
    assert "purged 0 events, 0 responses" in again.output


def test_dead_tokens_are_purged_and_live_ones_kept(app, client, login, runner):
    live = login("staff")
    dead = login("analyst")
    client.post("/api/v1/auth/logout", headers=dead)
    with app.app_context():
        from nudgelayer.models import ApiToken

        revoked = db.session.scalar(select(ApiToken).where(ApiToken.revoked_at.is_not(None)))
        revoked.revoked_at = now_utc() - timedelta(days=31)
        db.session.commit()
    assert "and 1 dead tokens" in runner.invoke(args=["purge-expired"]).output
    assert client.get("/api/v1/me", headers=live).status_code == 200


def test_the_daily_run_happens_once_per_interval(app):
    every = timedelta(hours=24)
    start = now_utc()
    with app.app_context():
        assert scheduler.run_if_due(every, start) is not None
        # A second process (or a restarted server) within the day: the lease is taken.
        assert scheduler.run_if_due(every, start + timedelta(hours=1)) is None
        assert scheduler.run_if_due(every, start + timedelta(hours=23, minutes=59)) is None
        assert scheduler.run_if_due(every, start + timedelta(hours=24)) is not None
        run = db.session.get(MaintenanceRun, scheduler.JOB)
        assert run.finished_at is not None and "events" in run.result


def test_cli_if_due_respects_the_servers_daily_run(runner):
    assert "purged" in runner.invoke(args=["purge-expired", "--if-due"]).output
    assert "not due" in runner.invoke(args=["purge-expired", "--if-due"]).output


def test_the_server_purges_by_itself(tmp_path, monkeypatch, template_db):
    """No cron: the server's own background loop runs the purge after its first request."""
    import shutil

    from nudgelayer import create_app

    monkeypatch.setenv("NUDGELAYER_INSTANCE", str(tmp_path / "i"))
    path = tmp_path / "db.sqlite"
    shutil.copyfile(template_db, path)
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
            "RATELIMIT_ENABLED": False,
            "PURGE_SCHEDULER": True,
            "PURGE_CHECK_SECONDS": 0.05,
            # A thread here; under gunicorn's gevent worker the same task is a greenlet.
            "SOCKETIO_ASYNC_MODE": "threading",
        }
    )
    add_events(app, "staff@acme.test", [1, 500])
    try:
        assert app.test_client().get("/healthz").status_code == 200
        deadline = time.monotonic() + 10
        while count_events(app, "staff@acme.test") != 1:
            assert time.monotonic() < deadline, "the server did not purge"
            time.sleep(0.05)
    finally:
        scheduler.stop(app)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


# ---------------------------------------------------------------- export and erasure


def _staff_with_data(app, client, login):
    """The Acme staff member with something in every kind of personal data we keep."""
    admin, staff = login("admin"), login("staff")
    client.put("/api/v1/me/consent", json={**ALL_OFF, "identified_surveys": True}, headers=staff)
    add_events(app, "staff@acme.test", [1, 2, 3])
    add_events(app, "analyst@acme.test", [1])
    # A webhook whose deliveries carry the respondent's email.
    hook = client.post("/api/v1/webhooks", json={"url": "http://127.0.0.1:9/hook"}, headers=admin)
    assert hook.status_code == 201, hook.json
    exp_id = publish(client, admin, SURVEY)
    body = {
        "id": str(uuid.uuid4()),
        "experience_id": exp_id,
        "answers": {"nps": 3, "why": "The queue is slow"},
        "completed": True,
    }
    assert client.post("/api/v1/responses", json=body, headers=staff).status_code == 202
    display = {"id": str(uuid.uuid4()), "action": "shown"}
    assert (
        client.post(f"/api/v1/surveys/{exp_id}/display", json=display, headers=staff).status_code
        == 200
    )
    return admin, staff


def test_export_holds_everything_about_the_user_and_no_secrets(app, client, login):
    admin, staff = _staff_with_data(app, client, login)
    uid = user_id(app, "staff@acme.test")
    resp = client.get(f"/api/v1/users/{uid}/export", headers=admin)
    assert resp.status_code == 200
    assert resp.mimetype == "application/json"
    assert "attachment" in resp.headers["Content-Disposition"]
    data = json.loads(resp.get_data(as_text=True))
    assert data["user"]["email"] == "staff@acme.test"
    assert data["user"]["attributes"] == {"tenure": 3}
    assert data["consent"]["identified_surveys"] is True
    tables = data["tables"]
    # The three added here, and what the survey calls recorded (the display...).
    assert len(tables["event"]) == count_events(app, "staff@acme.test") >= 3
    assert tables["response"][0]["answers"] == {"nps": 3, "why": "The queue is slow"}
    assert len(tables["survey_display"]) == 1
    assert tables["consent"][0]["identified_surveys"] is True
    assert len(tables["api_token"]) >= 1
    # Secrets are not facts about a person: neither hashes nor the token itself.
    text = resp.get_data(as_text=True)
    assert "password_hash" not in text and "token_hash" not in text
    assert staff["Authorization"].split()[1] not in text
    assert "$argon2" not in text
    # Someone else's events are not in it.
    assert {e["user_id"] for e in tables["event"]} == {uid}
    with app.app_context():
        row = db.session.scalar(select(AuditLog).where(AuditLog.action == "user.exported"))
        assert row.subject_id == uid and row.actor_id == user_id(app, "admin@acme.test")


def _identifying_leftovers(app, uid: int, email: str) -> list[str]:
    """Every place in the database where the user's id or email is still found."""
    found = []
    with app.app_context():
        for table in db.metadata.sorted_tables:
            for column in table.c:
                points_at_user = any(fk.column.table.name == "user" for fk in column.foreign_keys)
                if points_at_user or column.name in ("user_id", "actor_id"):
                    n = db.session.scalar(
                        select(func.count()).select_from(table).where(column == uid)
                    )
                    if n:
                        found.append(f"{table.name}.{column.name} = {uid} ({n} rows)")
                is_the_user = table.name == "user" and column.name == "id"
                if is_the_user and db.session.get(User, uid) is not None:
                    found.append("the user row")
                try:
                    textual = column.type.python_type in (str, dict, list)
                except NotImplementedError:
                    textual = True
                if textual:
                    n = db.session.scalar(
                        select(func.count())
                        .select_from(table)
                        .where(cast(column, Text).ilike(f"%{email}%"))
                    )
                    if n:
                        found.append(f"{table.name}.{column.name} mentions {email} ({n} rows)")
        subject_rows = db.session.scalar(
            select(func.count())
            .select_from(AuditLog)
            .where(AuditLog.subject_type == "user", AuditLog.subject_id == uid)
        )
        if subject_rows:
            found.append(f"audit_log subject user {uid} ({subject_rows} rows)")
    return found


def test_erasure_leaves_nothing_identifying(app, client, login):
    admin, staff = _staff_with_data(app, client, login)
    uid = user_id(app, "staff@acme.test")
    client.get(f"/api/v1/users/{uid}/export", headers=admin)  # an audit row about them
    events = count_events(app, "staff@acme.test")
    assert _identifying_leftovers(app, uid, "staff@acme.test")  # the check can see them

    resp = client.delete(f"/api/v1/users/{uid}/data", headers=admin)
    assert resp.status_code == 200, resp.json
    removed = resp.json["removed"]
    assert resp.json["erased"] is True
    assert removed["event"] == events and removed["response"] == 1 and removed["user"] == 1
    assert "staff@acme.test" not in json.dumps(resp.json)

    assert _identifying_leftovers(app, uid, "staff@acme.test") == []
    # Signed out everywhere, and the account is gone.
    assert client.get("/api/v1/me", headers=staff).status_code == 401
    login_again = client.post(
        "/api/v1/auth/login", json={"email": "staff@acme.test", "password": PASSWORD}
    )
    assert login_again.status_code == 401
    # Everyone else's data is untouched; the survey's anonymous webhook copy remains.
    assert count_events(app, "analyst@acme.test") == 1
    with app.app_context():
        erased = db.session.scalar(select(AuditLog).where(AuditLog.action == "user.erased"))
        assert erased.actor_id == user_id(app, "admin@acme.test") and erased.subject_id is None
        from nudgelayer.models import WebhookDelivery

        # The copy sent to the webhook stays, as an anonymous answer.
        (delivery,) = db.session.scalars(select(WebhookDelivery)).all()
        assert delivery.payload["response"]["user"] is None


def test_erasing_an_author_keeps_their_work_but_not_their_name(app, client, login):
    with app.app_context():
        ws = db.session.scalar(select(Workspace).where(Workspace.slug == "acme"))
        auth.create_user(ws, "leaver@acme.test", PASSWORD, "admin")
        db.session.commit()
    leaver = login("leaver@acme.test")
    exp_id = publish(client, leaver, tooltip_body(name="Written by the leaver"))
    uid = user_id(app, "leaver@acme.test")

    resp = client.delete(f"/api/v1/users/{uid}/data", headers=login("admin"))
    assert resp.status_code == 200
    assert resp.json["removed"]["experience_version.created_by_id anonymised"] == 1
    assert resp.json["removed"]["audit_log.actor_id anonymised"] >= 2  # create, publish
    assert _identifying_leftovers(app, uid, "leaver@acme.test") == []
    # The tooltip stays live for everyone, and its history still says what happened.
    shown = client.get(f"/api/v1/experiences/{exp_id}", headers=login("analyst"))
    assert shown.status_code == 200 and shown.json["status"] == "published"
    with app.app_context():
        actions = db.session.scalars(
            select(AuditLog.action).where(
                AuditLog.subject_type == "experience", AuditLog.subject_id == exp_id
            )
        ).all()
        assert {"experience.create", "experience.publish"} <= set(actions)


def test_erasure_is_for_admins_of_the_same_workspace_and_not_of_oneself(app, client, login):
    staff_id = user_id(app, "staff@acme.test")
    admin_id = user_id(app, "admin@acme.test")
    other = client.post(
        "/api/v1/auth/login", json={"email": "admin@other.test", "password": PASSWORD}
    ).json["token"]
    foreign = {"Authorization": f"Bearer {other}"}
    assert client.delete(f"/api/v1/users/{staff_id}/data", headers=foreign).status_code == 404
    assert client.get(f"/api/v1/users/{staff_id}/export", headers=foreign).status_code == 404
    assert (
        client.delete(f"/api/v1/users/{staff_id}/data", headers=login("analyst")).status_code == 403
    )
    assert client.get(f"/api/v1/users/{staff_id}/export", headers=login("staff")).status_code == 403
    mine = client.delete(f"/api/v1/users/{admin_id}/data", headers=login("admin"))
    assert mine.status_code == 409
    assert client.delete("/api/v1/users/999999/data", headers=login("admin")).status_code == 404
    assert user_id(app, "staff@acme.test") == staff_id  # nothing happened


def test_every_table_that_points_at_a_user_is_covered(app):
    """A table added later with a key to user.id is exported and erased without more code."""
    with app.app_context():
        covered = {(t.name, c.name) for t, c in subject.user_columns()}
        for table in db.metadata.sorted_tables:
            for column in table.c:
                if any(fk.column.table.name == "user" for fk in column.foreign_keys):
                    assert (table.name, column.name) in covered


# ---------------------------------------------------------------- console


def console_sign_in(client, email: str) -> None:
    token = CSRF_RE.search(client.get("/console/login").text).group(1)
    resp = client.post(
        "/console/login", data={"email": email, "password": PASSWORD, "csrf_token": token}
    )
    assert resp.status_code == 302, resp.text


def test_console_user_page_erases_after_typed_confirmation(app, client, login):
    _staff_with_data(app, client, login)
    uid = user_id(app, "staff@acme.test")
    console_sign_in(client, "admin@acme.test")
    people = client.get("/console/users")
    assert people.status_code == 200
    # Reached from the console's navigation, marked as the current page.
    assert 'href="/console/users" aria-current="page">People</a>' in people.text
    assert "staff@acme.test" in people.text and "analyst@acme.test" in people.text
    assert "admin@other.test" not in people.text
    page = client.get(f"/console/users/{uid}")
    assert page.status_code == 200
    assert "Erase their data" in page.text and "Export their data" in page.text
    stored = count_events(app, "staff@acme.test")
    assert f"Events stored</dt><dd>{stored}<" in page.text
    token = CSRF_RE.search(page.text).group(1)

    download = client.get(f"/console/users/{uid}/export")
    assert download.status_code == 200
    assert json.loads(download.get_data(as_text=True))["user"]["id"] == uid

    # Without the CSRF token: refused, nothing erased.
    no_csrf = client.post(f"/console/users/{uid}/erase", data={"confirm_email": "staff@acme.test"})
    assert no_csrf.status_code == 400
    # A wrong confirmation: nothing erased, the page says why.
    wrong = client.post(
        f"/console/users/{uid}/erase",
        data={"confirm_email": "someone@acme.test", "csrf_token": token},
        follow_redirects=True,
    )
    assert "Type the person" in wrong.text
    assert user_id(app, "staff@acme.test") == uid

    done = client.post(
        f"/console/users/{uid}/erase",
        data={"confirm_email": "Staff@acme.test ", "csrf_token": token},
        follow_redirects=True,
    )
    assert done.status_code == 200 and "Erased" in done.text
    assert "staff@acme.test" not in done.text
    assert _identifying_leftovers(app, uid, "staff@acme.test") == []


def test_console_people_pages_are_for_admins_only(app, client):
    console_sign_in(client, "analyst@acme.test")
    assert 'href="/console/users"' not in client.get("/console/").text
    assert client.get("/console/users").status_code == 403
    uid = user_id(app, "staff@acme.test")
    assert client.get(f"/console/users/{uid}").status_code == 403
    assert client.get(f"/console/users/{uid}/export").status_code == 403


def test_console_admin_of_another_workspace_gets_404(app, client):
    console_sign_in(client, "admin@other.test")
    uid = user_id(app, "staff@acme.test")
    assert client.get(f"/console/users/{uid}").status_code == 404
    assert client.get(f"/console/users/{uid}/export").status_code == 404


def test_console_retention_form(app, client):
    console_sign_in(client, "admin@acme.test")
    page = client.get("/console/users")
    token = CSRF_RE.search(page.text).group(1)
    bad = client.post(
        "/console/users/retention",
        data={"retention_days": "0", "csrf_token": token},
        follow_redirects=True,
    )
    assert "Keep data for 1 to 3650 days" in bad.text
    ok = client.post(
        "/console/users/retention",
        data={"retention_days": "90", "csrf_token": token},
        follow_redirects=True,
    )
    assert "kept for 90 days" in ok.text
    assert 'value="90"' in ok.text
