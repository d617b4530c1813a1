from nudgelayer.extensions import db
from nudgelayer.models import AuditLog, ChangeLog

from .conftest import tooltip_body


def create(client, headers, **overrides):
    resp = client.post("/api/v1/experiences", json=tooltip_body(**overrides), headers=headers)
    assert resp.status_code == 201, resp.json
    return resp.json


def test_create_is_a_draft_with_defaults_filled(client, login):
    exp = create(client, login("admin"))
    assert exp["status"] == "draft"
    assert exp["version"] == 1 and exp["published_version"] is None
    assert exp["content"]["placement"] == "auto"
    assert exp["targeting"] == {"url": "https://tickets.example.com/queue/*", "segment": None}


def test_publish_edit_publish_keeps_published_version_immutable(client, login):
    h = login("admin")
    exp = create(client, h)
    pub = client.post(f"/api/v1/experiences/{exp['id']}/publish", headers=h).json
    assert pub["status"] == "published" and pub["published_version"] == 1

    new_content = {**exp["content"], "title": "Filter faster"}
    edited = client.patch(f"/api/v1/experiences/{exp['id']}", json={"content": new_content}, headers=h)
    assert edited.status_code == 200
    assert edited.json["version"] == 2 and edited.json["has_unpublished_changes"] is True
    # Staff still get version 1 until the draft is published.
    feed = client.get("/api/v1/client/experiences", headers=login("staff")).json
    assert [e["content"]["title"] for e in feed["experiences"]] == ["Filter"]

    client.post(f"/api/v1/experiences/{exp['id']}/publish", headers=h)
    feed = client.get("/api/v1/client/experiences", headers=login("staff")).json
    assert [(e["version"], e["content"]["title"]) for e in feed["experiences"]] == [(2, "Filter faster")]

    versions = client.get(f"/api/v1/experiences/{exp['id']}/versions", headers=h).json["items"]
    assert [v["content"]["title"] for v in versions] == ["Filter", "Filter faster"]
    assert [v["is_published"] for v in versions] == [False, True]


def test_second_edit_updates_the_same_draft(client, login):
    h = login("admin")
    exp = create(client, h)
    client.post(f"/api/v1/experiences/{exp['id']}/publish", headers=h)
    client.patch(f"/api/v1/experiences/{exp['id']}", json={"name": "A"}, headers=h)
    again = client.patch(f"/api/v1/experiences/{exp['id']}", json={"name": "B"}, headers=h).json
    assert again["version"] == 2 and again["name"] == "B"


def test_publish_twice_is_a_conflict(client, login):
    h = login("admin")
    exp = create(client, h)
    client.post(f"/api/v1/experiences/{exp['id']}/publish", headers=h)
    resp = client.post(f"/api/v1/experiences/{exp['id']}/publish", headers=h)
    assert resp.status_code == 409 and resp.json["error"]["code"] == "conflict"


def test_unpublish_removes_from_feed_and_rollback_restores(client, login):
    h, staff = login("admin"), login("staff")
    exp = create(client, h)
    client.post(f"/api/v1/experiences/{exp['id']}/publish", headers=h)
    client.patch(
        f"/api/v1/experiences/{exp['id']}", json={"content": {**exp["content"], "title": "v2"}}, headers=h
    )
    client.post(f"/api/v1/experiences/{exp['id']}/publish", headers=h)
    un = client.post(f"/api/v1/experiences/{exp['id']}/unpublish", headers=h)
    assert un.json["status"] == "unpublished"
    assert client.get("/api/v1/client/experiences", headers=staff).json["experiences"] == []
    assert client.post(f"/api/v1/experiences/{exp['id']}/unpublish", headers=h).status_code == 409

    back = client.post(f"/api/v1/experiences/{exp['id']}/rollback", json={"version": 1}, headers=h)
    assert back.status_code == 200
    assert back.json["status"] == "published" and back.json["published_version"] == 3
    live = client.get("/api/v1/client/experiences", headers=staff).json["experiences"]
    assert [e["content"]["title"] for e in live] == ["Filter"]


def test_rollback_to_unknown_or_unpublished_version(client, login):
    h = login("admin")
    exp = create(client, h)
    missing = client.post(f"/api/v1/experiences/{exp['id']}/rollback", json={"version": 9}, headers=h)
    assert missing.status_code == 404
    draft = client.post(f"/api/v1/experiences/{exp['id']}/rollback", json={"version": 1}, headers=h)
    assert draft.status_code == 409


def test_delete_removes_and_logs_change(app, client, login):
    h = login("admin")
    exp = create(client, h)
    client.post(f"/api/v1/experiences/{exp['id']}/publish", headers=h)
    assert client.delete(f"/api/v1/experiences/{exp['id']}", headers=h).status_code == 204
    assert client.get(f"/api/v1/experiences/{exp['id']}", headers=h).status_code == 404
    with app.app_context():
        ops = [c.op for c in db.session.scalars(db.select(ChangeLog).order_by(ChangeLog.id))]
    assert ops == ["upsert", "remove"]


def test_every_admin_change_is_audited(app, client, login):
    h = login("admin")
    exp = create(client, h)
    client.patch(f"/api/v1/experiences/{exp['id']}", json={"name": "Renamed"}, headers=h)
    client.post(f"/api/v1/experiences/{exp['id']}/publish", headers=h)
    with app.app_context():
        rows = db.session.scalars(db.select(AuditLog).order_by(AuditLog.id)).all()
        assert [r.action for r in rows] == [
            "experience.create",
            "experience.update",
            "experience.publish",
        ]
        assert rows[1].before["name"] == "Explain the filter" and rows[1].after["name"] == "Renamed"
        assert all(r.actor.email == "admin@acme.test" for r in rows)


def test_list_filters(client, login):
    h = login("admin")
    a = create(client, h, name="one")
    create(client, h, name="two")
    client.post(f"/api/v1/experiences/{a['id']}/publish", headers=h)
    names = lambda q: [e["name"] for e in client.get(f"/api/v1/experiences{q}", headers=h).json["items"]]  # noqa: E731
    assert sorted(names("")) == ["one", "two"]
    assert names("?status=published") == ["one"]
    assert names("?kind=tour") == []
    bad = client.get("/api/v1/experiences?status=weird", headers=h)
    assert bad.status_code == 422 and "status" in bad.json["error"]["details"]


def test_segment_filters_the_client_feed(client, login):
    h = login("admin")
    admins_only = create(
        client, h, name="admins", targeting={"url": "*", "segment": {"attr": "role", "op": "eq", "value": "admin"}}
    )
    veterans = create(
        client, h, name="veterans", targeting={"url": "*", "segment": {"attr": "tenure", "op": "gte", "value": 2}}
    )
    for e in (admins_only, veterans):
        client.post(f"/api/v1/experiences/{e['id']}/publish", headers=h)
    staff_feed = client.get("/api/v1/client/experiences", headers=login("staff")).json
    admin_feed = client.get("/api/v1/client/experiences", headers=h).json
    assert [e["name"] for e in staff_feed["experiences"]] == ["veterans"]
    assert [e["name"] for e in admin_feed["experiences"]] == ["admins"]
    assert staff_feed["cursor"] == admin_feed["cursor"] > 0


def test_every_contract_kind_can_be_created(client, login):
    h = login("admin")
    target = {"selector": "#x"}
    contents = {
        "hotspot": {"target": target, "title": "T", "body": "B"},
        "tour": {"steps": [{"target": target, "title": "S1", "body": "b"}, {"target": target, "title": "S2", "url": "https://x/*"}]},
        "badge": {"target": target, "label": "3 pending"},
        "checklist": {"title": "Start", "items": [{"title": "One"}, {"title": "Two", "done_when": {"event": "x"}}]},
        "banner": {"text": "Backup overdue", "severity": "warning", "deadline": "2030-01-01T00:00:00+00:00"},
        "survey": {"questions": [{"id": "q1", "type": "nps", "prompt": "How likely?"}, {"id": "q2", "type": "single", "prompt": "Which?", "options": ["a", "b"]}]},
    }
    for kind, content in contents.items():
        resp = client.post(
            "/api/v1/experiences", json={"kind": kind, "name": kind, "targeting": {"url": "*"}, "content": content}, headers=h
        )
        assert resp.status_code == 201, (kind, resp.json)


def test_content_must_match_kind(client, login):
    h = login("admin")
    resp = client.post(
        "/api/v1/experiences",
        json={"kind": "banner", "name": "b", "targeting": {"url": "*"}, "content": {"text": "x", "severity": "loud"}},
        headers=h,
    )
    assert resp.status_code == 422
    assert "severity" in resp.json["error"]["details"]["content"]


def test_bad_patch_changes_nothing(client, login):
    h = login("admin")
    exp = create(client, h)
    client.post(f"/api/v1/experiences/{exp['id']}/publish", headers=h)
    bad = client.patch(
        f"/api/v1/experiences/{exp['id']}", json={"content": {"title": "no target"}}, headers=h
    )
    assert bad.status_code == 422
    after = client.get(f"/api/v1/experiences/{exp['id']}", headers=h).json
    assert after["version"] == 1 and after["has_unpublished_changes"] is False
    assert len(client.get(f"/api/v1/experiences/{exp['id']}/versions", headers=h).json["items"]) == 1


def test_pushed_changes_chain_within_a_workspace(app, client, login):
    """prev_cursor skips other workspaces' changes, so clients see no false gaps."""
    from nudgelayer.extensions import socketio

    staff_token = login("staff")["Authorization"].split()[1]
    listener = socketio.test_client(app, namespace="/rt", auth={"token": staff_token, "cursor": None})
    start = listener.get_received("/rt")[0]["args"][0]["cursor"]
    h, outsider = login("admin"), login("admin@other.test")
    ours = create(client, h)
    theirs = create(client, outsider)
    client.post(f"/api/v1/experiences/{ours['id']}/publish", headers=h)
    client.post(f"/api/v1/experiences/{theirs['id']}/publish", headers=outsider)
    client.post(f"/api/v1/experiences/{ours['id']}/unpublish", headers=h)
    changes = [m["args"][0] for m in listener.get_received("/rt") if m["name"] == "change"]
    assert [c["op"] for c in changes] == ["upsert", "remove"]
    assert changes[0]["prev_cursor"] == start
    assert changes[1]["prev_cursor"] == changes[0]["cursor"]
    assert changes[1]["cursor"] > changes[0]["cursor"] + 1  # the other workspace's change is between


def test_pushes_wait_for_the_real_commit_not_a_savepoint(app, monkeypatch):
    from nudgelayer import realtime
    from nudgelayer.extensions import db

    sent = []
    monkeypatch.setattr(realtime.socketio, "emit", lambda *a, **k: sent.append(a))
    with app.app_context():
        db.session.execute(db.text("select 1"))
        savepoint = db.session.begin_nested()
        realtime.queue_push(1, {"op": "upsert"})
        savepoint.commit()
        assert sent == []
        db.session.rollback()
        assert sent == []
        realtime.queue_push(1, {"op": "upsert"})
        db.session.commit()
        assert sent == [("change", {"op": "upsert"})]
