"""The web console (/console) through Flask's test client: sign-in, CSRF, roles, actions."""

from __future__ import annotations

import re
import time

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from nudgelayer.auth import service as auth
from nudgelayer.experiences import service
from nudgelayer.extensions import db, socketio
from nudgelayer.models import AuditLog, Experience, User

# Accounts come from tests/conftest.py (workspaces "acme" and "other").
PASSWORD = "correct-horse-battery"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(client: FlaskClient, path: str) -> str:
    resp = client.get(path)
    assert resp.status_code == 200, (path, resp.status_code)
    match = CSRF_RE.search(resp.text)
    assert match, f"no CSRF field on {path}"
    return match.group(1)


def sign_in(client: FlaskClient, who: str, password: str = PASSWORD, **extra):
    email = who if "@" in who else f"{who}@acme.test"
    token = csrf_from(client, "/console/login")
    data = {"email": email, "password": password, "csrf_token": token, **extra}
    return client.post("/console/login", data=data)


def user(email: str) -> User:
    found = db.session.scalar(select(User).where(User.email == email))
    assert found is not None
    return found


def make_tooltip(
    app: Flask, name="Explain the filter", publish=True, owner="admin@acme.test"
) -> int:
    with app.app_context():
        exp = service.create(
            user(owner),
            kind="tooltip",
            name=name,
            targeting={"url": "https://tickets.example.com/queue/*", "segment": None},
            content={
                "target": {"selector": "#filter"},
                "title": "Filter",
                "body": "Type **here**.",
            },
        )
        if publish:
            service.publish(user(owner), exp)
        db.session.commit()
        return exp.id


def experience(app: Flask, exp_id: int) -> Experience | None:
    with app.app_context():
        exp = db.session.get(Experience, exp_id)
        if exp is not None:
            # Touch what the assertions read, while the session is open.
            _ = exp.published_version, exp.draft_version, list(exp.versions)
            db.session.expunge_all()
        return exp


def audit_actions(app: Flask, exp_id: int) -> list[tuple[str, str | None]]:
    with app.app_context():
        rows = db.session.scalars(
            select(AuditLog).where(AuditLog.subject_id == exp_id).order_by(AuditLog.id)
        )
        return [(r.action, r.actor.email if r.actor else None) for r in rows]


def post_action(client: FlaskClient, exp_id: int, action: str, **data):
    token = csrf_from(client, f"/console/experiences/{exp_id}")
    return client.post(
        f"/console/experiences/{exp_id}/{action}",
        data={"csrf_token": token, **data},
        follow_redirects=True,
    )


# --- signing in and out ---------------------------------------------------------------


def test_login_page_has_labelled_fields_and_csp(client):
    resp = client.get("/console/login")
    assert resp.status_code == 200
    assert '<label for="email">Email</label>' in resp.text
    assert '<label for="password">Password</label>' in resp.text
    csp = resp.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    # The stylesheet is served by the blueprint and nothing is inline.
    assert "/console/static/console.css" in resp.text
    assert "<style" not in resp.text and "<script" not in resp.text and "style=" not in resp.text


def test_console_pages_carry_csp(client):
    sign_in(client, "admin")
    for path in ("/console/", "/console/audit", "/console/nothing-here"):
        resp = client.get(path)
        assert "script-src 'self'" in resp.headers["Content-Security-Policy"], path


def test_login_works_and_shows_who_is_signed_in(client):
    resp = sign_in(client, "admin")
    assert resp.status_code == 302 and resp.location == "/console/"
    page = client.get("/console/").text
    assert "admin@acme.test" in page
    assert ">admin</span>" in page
    assert "Sign out" in page


def test_session_cookie_is_httponly_and_lax(client):
    resp = sign_in(client, "admin")
    cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Expires=" in cookie  # session.permanent: it survives a browser restart


def test_wrong_password_shows_the_form_again_with_an_error(client):
    resp = sign_in(client, "admin", password="not-the-password")
    assert resp.status_code == 401
    assert "Wrong email or password." in resp.text
    assert 'value="admin@acme.test"' in resp.text  # the email is kept
    assert client.get("/console/").status_code == 302


def test_unknown_email_reads_like_a_wrong_password(client):
    resp = sign_in(client, "nobody@acme.test")
    assert resp.status_code == 401
    assert "Wrong email or password." in resp.text


def test_empty_fields_ask_for_both(client):
    resp = sign_in(client, "", password="")
    assert resp.status_code == 400
    assert "Enter your email and password." in resp.text


def test_staff_are_refused(client):
    resp = sign_in(client, "staff")
    assert resp.status_code == 403
    assert "The console is for admins and analysts" in resp.text
    assert client.get("/console/").status_code == 302


def test_sign_out_ends_the_session(client):
    sign_in(client, "admin")
    token = csrf_from(client, "/console/")
    resp = client.post("/console/logout", data={"csrf_token": token}, follow_redirects=True)
    assert "You are signed out." in resp.text
    assert client.get("/console/").status_code == 302


def test_a_password_change_ends_console_sessions(app, client):
    sign_in(client, "admin")
    with app.app_context():
        user("admin@acme.test").password_hash = auth.hash_password("a-brand-new-password")
        db.session.commit()
    assert client.get("/console/").status_code == 302


def test_losing_the_console_role_ends_the_session(app, client):
    sign_in(client, "analyst")
    with app.app_context():
        user("analyst@acme.test").role = "staff"
        db.session.commit()
    assert client.get("/console/").status_code == 302


# --- redirects --------------------------------------------------------------------------


def test_no_session_redirects_to_login_with_next(client):
    resp = client.get("/console/audit?page=2")
    assert resp.status_code == 302
    assert resp.location == "/console/login?next=/console/audit?page%3D2"


def test_next_is_honoured_after_sign_in(client):
    resp = sign_in(client, "admin", next="/console/audit")
    assert resp.location == "/console/audit"


@pytest.mark.parametrize(
    "evil",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
        "/console/../../evil",
        "/elsewhere",
    ],
)
def test_next_off_the_console_is_ignored(client, evil):
    page = client.get("/console/login", query_string={"next": evil}).text
    assert "evil.example" not in page
    resp = sign_in(client, "admin", next=evil)
    assert resp.status_code == 302
    assert resp.location == "/console/"


# --- CSRF -------------------------------------------------------------------------------


def test_post_without_or_with_a_wrong_csrf_token_is_refused(app, client):
    exp_id = make_tooltip(app, publish=False)
    sign_in(client, "admin")
    for data in ({}, {"csrf_token": "forged"}, {"csrf_token": ""}):
        resp = client.post(f"/console/experiences/{exp_id}/publish", data=data)
        assert resp.status_code == 400
        assert "text/html" in resp.content_type
        assert "did not come from this console" in resp.text
    assert experience(app, exp_id).status == "draft"
    assert [a for a, _ in audit_actions(app, exp_id)] == ["experience.create"]


def test_sign_in_form_needs_its_csrf_token(client):
    resp = client.post("/console/login", data={"email": "admin@acme.test", "password": PASSWORD})
    assert resp.status_code == 400
    assert client.get("/console/").status_code == 302


def test_csrf_token_of_another_session_is_refused(app, client):
    exp_id = make_tooltip(app)
    other = app.test_client()
    sign_in(other, "admin")
    foreign = csrf_from(other, "/console/")
    sign_in(client, "admin")
    resp = client.post(f"/console/experiences/{exp_id}/unpublish", data={"csrf_token": foreign})
    assert resp.status_code == 400
    assert experience(app, exp_id).status == "published"


# --- the list and the details -----------------------------------------------------------


def test_list_shows_status_version_and_unpublished_changes(app, client):
    live = make_tooltip(app, name="Live one")
    make_tooltip(app, name="Still a draft", publish=False)
    with app.app_context():
        exp = db.session.get(Experience, live)
        service.update(user("admin@acme.test"), exp, {"name": "Live one, edited"})
        db.session.commit()
    sign_in(client, "analyst")
    page = client.get("/console/").text
    assert "Live one, edited" in page and "Still a draft" in page
    assert 'class="badge badge-published"' in page and 'class="badge badge-draft"' in page
    assert "Unpublished changes" in page
    assert ">v1<" in page


def test_list_filters_by_kind_and_status(app, client):
    make_tooltip(app, name="Published tip")
    make_tooltip(app, name="Draft tip", publish=False)
    sign_in(client, "admin")
    page = client.get("/console/?status=draft").text
    assert "Draft tip" in page and "Published tip" not in page
    page = client.get("/console/?kind=survey").text
    assert "No experiences match these filters." in page
    # An unknown value is ignored rather than matching nothing.
    page = client.get("/console/?status=bogus&kind=<x>").text
    assert "Draft tip" in page and "Published tip" in page and "<x>" not in page


def test_details_show_targeting_content_and_history(app, client):
    exp_id = make_tooltip(app)
    with app.app_context():
        exp = db.session.get(Experience, exp_id)
        service.update(
            user("admin@acme.test"),
            exp,
            {
                "targeting": {
                    "url": "https://tickets.example.com/*",
                    "segment": {"attr": "team", "op": "eq", "value": "support"},
                }
            },
        )
        db.session.commit()
    sign_in(client, "analyst")
    page = client.get(f"/console/experiences/{exp_id}").text
    assert "https://tickets.example.com/*" in page
    assert "&#34;attr&#34;: &#34;team&#34;" in page  # the segment as readable JSON, escaped
    assert "<dt>Title</dt><dd>Filter</dd>" in page
    assert "Type **here**." in page
    assert "Version history" in page and ">v1<" in page and ">v2<" in page
    assert ">Live<" in page and ">Draft<" in page


def test_authored_text_is_escaped(app, client):
    exp_id = make_tooltip(app, name='<script>alert("x")</script>')
    sign_in(client, "admin")
    for path in ("/console/", f"/console/experiences/{exp_id}"):
        page = client.get(path).text
        assert '<script>alert("x")</script>' not in page
        assert "&lt;script&gt;" in page


def test_other_kinds_show_their_content_as_json(app, client):
    with app.app_context():
        exp = service.create(
            user("admin@acme.test"),
            kind="banner",
            name="Maintenance",
            targeting={"url": "https://ops.example.com/*"},
            content={"text": "Down at <b>noon</b>", "severity": "warning"},
        )
        db.session.commit()
        exp_id = exp.id
    sign_in(client, "admin")
    page = client.get(f"/console/experiences/{exp_id}").text
    assert '<pre class="json">' in page
    assert "Down at &lt;b&gt;noon&lt;/b&gt;" in page


def test_another_workspaces_experience_is_not_found(app, client):
    foreign = make_tooltip(app, owner="admin@other.test")
    sign_in(client, "admin")
    for method, path in (
        ("get", f"/console/experiences/{foreign}"),
        ("get", "/console/experiences/999999"),
        ("post", f"/console/experiences/{foreign}/unpublish"),
    ):
        data = {"csrf_token": csrf_from(client, "/console/")} if method == "post" else None
        resp = getattr(client, method)(path, data=data)
        assert resp.status_code == 404, path
        assert "text/html" in resp.content_type
        assert "Page not found" in resp.text and "Sign out" in resp.text  # in the layout
    assert experience(app, foreign).status == "published"


def test_unknown_console_path_is_an_html_404(client):
    sign_in(client, "admin")
    resp = client.get("/console/no/such/page")
    assert resp.status_code == 404
    assert resp.content_type.startswith("text/html")
    assert "Page not found" in resp.text


# --- admin actions ----------------------------------------------------------------------


def test_publish_via_the_console(app, client):
    exp_id = make_tooltip(app, publish=False)
    sign_in(client, "admin")
    resp = post_action(client, exp_id, "publish")
    assert resp.request.path == f"/console/experiences/{exp_id}"
    assert "Published. Open browsers show it now." in resp.text
    exp = experience(app, exp_id)
    assert exp.status == "published" and exp.published_version.number == 1
    assert audit_actions(app, exp_id)[-1] == ("experience.publish", "admin@acme.test")


def test_publish_pushes_the_change_to_open_browsers(app, client):
    """The console's commit reaches a staff browser's socket, like an API publish does."""
    exp_id = make_tooltip(app, publish=False)
    api = app.test_client()
    token = api.post(
        "/api/v1/auth/login", json={"email": "staff@acme.test", "password": PASSWORD}
    ).json["token"]
    browser = socketio.test_client(app, namespace="/rt", auth={"token": token, "cursor": None})
    try:
        assert browser.is_connected("/rt")
        browser.get_received("/rt")  # the initial sync
        sign_in(client, "admin")
        post_action(client, exp_id, "publish")
        pushed: list[dict] = []
        # With a Redis message queue (the scale profile) the push arrives a moment later.
        deadline = time.monotonic() + 5
        while not pushed and time.monotonic() < deadline:
            pushed = [m for m in browser.get_received("/rt") if m["name"] == "change"]
            if not pushed:
                time.sleep(0.05)
        assert [m["args"][0]["id"] for m in pushed] == [exp_id]
        assert pushed[0]["args"][0]["op"] == "upsert"
    finally:
        browser.disconnect(namespace="/rt")


def test_unpublish_via_the_console(app, client):
    exp_id = make_tooltip(app)
    sign_in(client, "admin")
    resp = post_action(client, exp_id, "unpublish")
    assert "Unpublished." in resp.text
    assert experience(app, exp_id).status == "unpublished"
    assert audit_actions(app, exp_id)[-1] == ("experience.unpublish", "admin@acme.test")


def test_rollback_via_the_console(app, client):
    exp_id = make_tooltip(app)
    with app.app_context():
        exp = db.session.get(Experience, exp_id)
        service.update(user("admin@acme.test"), exp, {"name": "Second wording"})
        service.publish(user("admin@acme.test"), exp)
        db.session.commit()
    sign_in(client, "admin")
    page = client.get(f"/console/experiences/{exp_id}").text
    assert "Roll back to v1" in page and "Roll back to v2" not in page  # v2 is live
    resp = post_action(client, exp_id, "rollback", version="1")
    assert "Rolled back: version 1 is live again" in resp.text
    exp = experience(app, exp_id)
    assert exp.published_version.number == 3 and exp.published_version.name == "Explain the filter"
    assert audit_actions(app, exp_id)[-1] == ("experience.rollback", "admin@acme.test")


def test_rollback_to_a_bad_version_is_a_flash_error(app, client):
    exp_id = make_tooltip(app)
    sign_in(client, "admin")
    for version in ("", "abc", "-1", "42", "²"):
        resp = post_action(client, exp_id, "rollback", version=version)
        assert resp.status_code == 200
        assert 'class="flash flash-error"' in resp.text, version
    assert experience(app, exp_id).published_version.number == 1


def test_delete_via_the_console(app, client):
    exp_id = make_tooltip(app, name="Going away")
    sign_in(client, "admin")
    page = client.get(f"/console/experiences/{exp_id}").text
    assert "Delete permanently" in page  # behind a <details> confirmation step
    resp = post_action(client, exp_id, "delete")
    assert resp.request.path == "/console/"
    assert "Deleted “Going away”." in resp.text
    assert experience(app, exp_id) is None
    assert audit_actions(app, exp_id)[-1] == ("experience.delete", "admin@acme.test")


def test_a_conflict_is_a_flash_message_not_a_500(app, client):
    exp_id = make_tooltip(app, publish=False)
    sign_in(client, "admin")
    resp = post_action(client, exp_id, "unpublish")
    assert resp.status_code == 200
    assert "The experience is not published." in resp.text
    assert experience(app, exp_id).status == "draft"


def test_quick_action_returns_to_the_filtered_list(app, client):
    exp_id = make_tooltip(app, publish=False)
    sign_in(client, "admin")
    token = csrf_from(client, "/console/?status=draft")
    resp = client.post(
        f"/console/experiences/{exp_id}/publish",
        data={"csrf_token": token, "next": "/console/?status=draft"},
    )
    assert resp.location == "/console/?status=draft"
    resp = client.post(
        f"/console/experiences/{exp_id}/unpublish",
        data={"csrf_token": token, "next": "https://evil.example/"},
    )
    assert resp.location == f"/console/experiences/{exp_id}"


# --- analysts ---------------------------------------------------------------------------


def test_analyst_sees_no_action_buttons(app, client):
    exp_id = make_tooltip(app)
    make_tooltip(app, name="Draft", publish=False)
    sign_in(client, "analyst")
    for path in ("/console/", f"/console/experiences/{exp_id}"):
        page = client.get(path).text
        # The only form that changes anything is "Sign out".
        assert page.count('method="post"') == 1, path
        assert "Roll back" not in page and "Delete" not in page
    assert "Audit log" not in client.get("/console/").text


@pytest.mark.parametrize(
    "action,data",
    [
        ("publish", {}),
        ("unpublish", {}),
        ("rollback", {"version": "1"}),
        ("delete", {}),
    ],
)
def test_analyst_posts_are_forbidden(app, client, action, data):
    exp_id = make_tooltip(app)
    sign_in(client, "analyst")
    token = csrf_from(client, "/console/")
    resp = client.post(
        f"/console/experiences/{exp_id}/{action}", data={"csrf_token": token, **data}
    )
    assert resp.status_code == 403
    assert "Only admins can do this." in resp.text
    exp = experience(app, exp_id)
    assert exp.status == "published" and len(exp.versions) == 1
    assert len(audit_actions(app, exp_id)) == 2  # create and publish only


def test_analyst_cannot_open_the_audit_log(client):
    sign_in(client, "analyst")
    resp = client.get("/console/audit")
    assert resp.status_code == 403
    assert "text/html" in resp.content_type


# --- audit log --------------------------------------------------------------------------


def test_audit_log_lists_changes_newest_first_with_a_diff(app, client):
    exp_id = make_tooltip(app, name="Audited")
    sign_in(client, "admin")
    post_action(client, exp_id, "unpublish")
    page = client.get("/console/audit").text
    actions = re.findall(r"<code>(experience\.\w+)</code>", page)
    assert actions == ["experience.unpublish", "experience.publish", "experience.create"]
    assert "admin@acme.test" in page
    assert f"experience #{exp_id} “Audited”" in page
    # The unpublish row shows the status field going from published to unpublished.
    assert '<pre class="json before">&#34;published&#34;</pre>' in page
    assert '<pre class="json after">&#34;unpublished&#34;</pre>' in page


def test_audit_log_shows_only_this_workspace(app, client):
    make_tooltip(app, name="Theirs", owner="admin@other.test")
    sign_in(client, "admin")
    page = client.get("/console/audit").text
    assert "Theirs" not in page
    assert "Nothing has been changed yet." in page


def test_audit_log_pages_by_50(app, client):
    exp_id = make_tooltip(app, publish=False)  # one audit row
    with app.app_context():
        ws_id = user("admin@acme.test").workspace_id
        db.session.add_all(
            AuditLog(
                workspace_id=ws_id,
                action=f"test.row{i}",
                subject_type="experience",
                subject_id=exp_id,
            )
            for i in range(54)
        )
        db.session.commit()
    sign_in(client, "admin")
    first = client.get("/console/audit").text
    assert first.count("<code>test.row") + first.count("<code>experience.") == 50
    assert "Page 1 of 2" in first and "Older →" in first
    second = client.get("/console/audit?page=2").text
    assert second.count("<code>test.row") + second.count("<code>experience.") == 5
    assert "← Newer" in second
    # Out-of-range or garbage pages land on a real page, not an error.
    assert "Page 2 of 2" in client.get("/console/audit?page=99").text
    assert "Page 1 of 2" in client.get("/console/audit?page=x").text
    assert "Page 1 of 2" in client.get("/console/audit?page=²").text


def test_sign_in_attempts_are_rate_limited(tmp_path, monkeypatch):
    """Password guessing through the console is throttled like the API's login."""
    from flask_migrate import upgrade

    from nudgelayer import create_app

    monkeypatch.setenv("NUDGELAYER_INSTANCE", str(tmp_path / "limited-instance"))
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'limited.db'}",
            "LOGIN_RATE_LIMIT": "2 per minute",
        }
    )
    with app.app_context():
        upgrade()
    client = app.test_client()
    statuses = [sign_in(client, "admin", password="guess").status_code for _ in range(3)]
    assert statuses == [401, 401, 429]
    resp = sign_in(client, "admin", password="guess")
    assert "Too many attempts" in resp.text and "text/html" in resp.content_type
