import uuid

from nudgelayer.extensions import db
from nudgelayer.models import Event


def event(**overrides):
    e = {"id": str(uuid.uuid4()), "type": "page.view", "ts": "2026-12-01T10:00:00+01:00", "url": "https://x.test/a"}
    e.update(overrides)
    return e


def count(app):
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(Event))


def test_batch_is_stored_once_even_when_retried(app, client, login):
    h = login("staff")
    batch = [event() for _ in range(30)]
    first = client.post("/api/v1/events", json={"events": batch}, headers=h)
    assert first.status_code == 202 and first.json == {"accepted": 30, "duplicates": 0}
    again = client.post("/api/v1/events", json={"events": batch + [event()]}, headers=h)
    assert again.json == {"accepted": 1, "duplicates": 30}
    assert count(app) == 31


def test_timestamps_are_stored_in_utc(app, client, login):
    e = event()
    client.post("/api/v1/events", json={"events": [e]}, headers=login("staff"))
    with app.app_context():
        row = db.session.scalar(db.select(Event).where(Event.uuid == e["id"]))
        assert row.ts.isoformat() == "2026-12-01T09:00:00"
        assert row.user_id is not None


def test_invalid_event_rejects_the_batch_and_names_the_field(app, client, login):
    h = login("staff")
    bad = [
        event(),
        event(id="not-a-uuid"),
        event(type="Bad Type!"),
        event(ts="yesterday"),
        event(ts="2026-12-01T10:00:00"),  # no offset: ambiguous
        event(data={"k": "x" * 5000}),
        {**event(), "surprise": 1},
    ]
    resp = client.post("/api/v1/events", json={"events": bad}, headers=h)
    assert resp.status_code == 422
    details = resp.json["error"]["details"]["events"]
    assert set(details) == {"1", "2", "3", "4", "5", "6"}
    assert "id" in details["1"] and "type" in details["2"] and "ts" in details["3"]
    assert count(app) == 0


def test_batch_size_is_capped(client, login):
    resp = client.post("/api/v1/events", json={"events": [event() for _ in range(501)]}, headers=login("staff"))
    assert resp.status_code == 422


def test_implausible_timestamps_are_rejected_not_crashed_on(client, login):
    for ts in ["9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59", "1970-01-01T00:00:00Z"]:
        resp = client.post("/api/v1/events", json={"events": [event(ts=ts)]}, headers=login("staff"))
        assert resp.status_code == 422, ts
        assert "ts" in resp.json["error"]["details"]["events"]["0"]
