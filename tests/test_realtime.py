"""Live pushes over Socket.IO, against a real gunicorn + gevent server."""

from __future__ import annotations

import queue
import shutil
import socket
import subprocess
import sys
import time

import pytest
import requests
import socketio

from nudgelayer.config import DEFAULT_EXTENSION_ID

from .conftest import PASSWORD, tooltip_body

EXT_ORIGIN = f"chrome-extension://{DEFAULT_EXTENSION_ID}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory, template_db):
    root = tmp_path_factory.mktemp("live")
    db_path = root / "live.db"
    shutil.copyfile(template_db, db_path)
    port = free_port()
    env = {
        "PATH": "/usr/bin:/bin",
        "NUDGELAYER_INSTANCE": str(root / "instance"),
        "DATABASE_URL": f"sqlite:///{db_path}",
        "RATELIMIT_ENABLED": "0",
    }
    log = open(root / "server.log", "w")  # noqa: SIM115 - closed at teardown
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-k", "gevent", "-w", "1", "--worker-connections", "1000",
         "-b", f"127.0.0.1:{port}", "nudgelayer:create_app()"],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base}/healthz", timeout=1).ok:
                break
        except requests.RequestException:
            time.sleep(0.1)
    else:
        proc.kill()
        raise RuntimeError((root / "server.log").read_text())
    yield base
    proc.terminate()
    proc.wait(10)
    log.close()


def login(base, who):
    r = requests.post(f"{base}/api/v1/auth/login", json={"email": f"{who}@acme.test", "password": PASSWORD}, timeout=10)
    r.raise_for_status()
    return r.json()["token"]


class Listener:
    """A Socket.IO client that records what the server sends."""

    def __init__(self, base, token, cursor=None, origin=EXT_ORIGIN):
        # websocket-client sets Origin itself; pass the extension origin through it.
        self.sio = socketio.Client(reconnection=False, websocket_extra_options={"origin": origin})
        self.syncs: queue.Queue = queue.Queue()
        self.changes: queue.Queue = queue.Queue()
        self.revoked = queue.Queue()
        self.sio.on("sync", self.syncs.put, namespace="/rt")
        self.sio.on("change", self.changes.put, namespace="/rt")
        self.sio.on("revoked", lambda *_: self.revoked.put(True), namespace="/rt")
        self.sio.connect(
            base, namespaces=["/rt"], transports=["websocket"], auth={"token": token, "cursor": cursor},
            wait_timeout=10,
        )

    def close(self):
        self.sio.disconnect()


def publish(base, token, **body):
    h = {"Authorization": f"Bearer {token}"}
    exp = requests.post(f"{base}/api/v1/experiences", json=tooltip_body(**body), headers=h, timeout=10).json()
    r = requests.post(f"{base}/api/v1/experiences/{exp['id']}/publish", headers=h, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def test_publish_reaches_connected_browser(server):
    admin = login(server, "admin")
    staff = Listener(server, login(server, "staff"))
    try:
        first = staff.syncs.get(timeout=5)
        assert first["full"] is True
        t0 = time.monotonic()
        exp = publish(server, admin, name="live one")
        change = staff.changes.get(timeout=2)
        assert time.monotonic() - t0 < 2
        assert change["op"] == "upsert" and change["id"] == exp["id"]
        assert change["experience"]["content"]["title"] == "Filter"
        assert change["cursor"] > first["cursor"]

        h = {"Authorization": f"Bearer {admin}"}
        requests.post(f"{server}/api/v1/experiences/{exp['id']}/unpublish", headers=h, timeout=10)
        gone = staff.changes.get(timeout=2)
        assert gone == {"cursor": gone["cursor"], "op": "remove", "id": exp["id"]}
    finally:
        staff.close()


def test_reconnect_with_cursor_catches_up_on_missed_changes(server):
    admin = login(server, "admin")
    staff_token = login(server, "staff")
    first = Listener(server, staff_token)
    cursor = first.syncs.get(timeout=5)["cursor"]
    first.close()

    missed = publish(server, admin, name="while offline")
    removed = publish(server, admin, name="came and went")
    requests.delete(f"{server}/api/v1/experiences/{removed['id']}",
                    headers={"Authorization": f"Bearer {admin}"}, timeout=10)

    again = Listener(server, staff_token, cursor=cursor)
    try:
        sync = again.syncs.get(timeout=5)
        assert sync["full"] is False and sync["cursor"] > cursor
        by_id = {c["id"]: c for c in sync["changes"]}
        assert by_id[missed["id"]]["op"] == "upsert"
        assert by_id[missed["id"]]["experience"]["name"] == "while offline"
        assert by_id[removed["id"]] == {"op": "remove", "id": removed["id"]}
    finally:
        again.close()


def test_bad_token_and_foreign_origin_are_refused(server):
    with pytest.raises(socketio.exceptions.ConnectionError):
        Listener(server, "nl_not-a-real-token")
    with pytest.raises(socketio.exceptions.ConnectionError):
        Listener(server, login(server, "staff"), origin="https://evil.example")


def test_logout_kicks_open_socket(server):
    token = login(server, "staff")
    listener = Listener(server, token)
    try:
        listener.syncs.get(timeout=5)
        requests.post(f"{server}/api/v1/auth/logout", headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert listener.revoked.get(timeout=2) is True
    finally:
        listener.close()


def test_other_workspace_hears_nothing(server):
    r = requests.post(f"{server}/api/v1/auth/login", json={"email": "admin@other.test", "password": PASSWORD}, timeout=10)
    outsider = Listener(server, r.json()["token"])
    try:
        outsider.syncs.get(timeout=5)
        publish(server, login(server, "admin"), name="private")
        with pytest.raises(queue.Empty):
            outsider.changes.get(timeout=1)
    finally:
        outsider.close()
