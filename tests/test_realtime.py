"""Live pushes over Socket.IO, against a real gunicorn + gevent server."""

from __future__ import annotations

import queue
import socket
import subprocess
import sys
import time

import pytest
import requests
import socketio

from nudgelayer.config import DEFAULT_EXTENSION_ID

from .conftest import MESSAGE_QUEUE, PASSWORD, clone_database, drop_database, tooltip_body

EXT_ORIGIN = f"chrome-extension://{DEFAULT_EXTENSION_ID}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


needs_queue = pytest.mark.skipif(
    not MESSAGE_QUEUE,
    reason="needs SOCKETIO_MESSAGE_QUEUE (Redis) and two processes: run `make test-scale`",
)


def start_gunicorn(root, name: str, env: dict) -> tuple[subprocess.Popen, str]:
    """One server process as production runs it (gevent, one worker); waits until healthy."""
    port = free_port()
    log_path = root / f"{name}.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(  # noqa: S603 - fixed argv, our own interpreter
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-k",
                "gevent",
                "-w",
                "1",
                "--worker-connections",
                "1000",
                "-b",
                f"127.0.0.1:{port}",
                "nudgelayer:create_app()",
            ],
            env={**env, "NUDGELAYER_INSTANCE": str(root / "instance")},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base}/healthz", timeout=1).ok:
                return proc, base
        except requests.RequestException:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(log_path.read_text())


@pytest.fixture(scope="module")
def servers(tmp_path_factory, db_template):
    """Base URLs of the running servers: one process on the default profile; two
    processes sharing one PostgreSQL database and the Redis queue on the scale profile."""
    root = tmp_path_factory.mktemp("live")
    db_url = clone_database(db_template, root)
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": db_url, "RATELIMIT_ENABLED": "0"}
    if MESSAGE_QUEUE:
        env["SOCKETIO_MESSAGE_QUEUE"] = MESSAGE_QUEUE
    count = 2 if MESSAGE_QUEUE else 1
    # Both processes share one instance folder, hence one secret key, as hosts sharing
    # SECRET_KEY would.
    started = []
    try:
        for name in ("a", "b")[:count]:
            started.append(start_gunicorn(root, name, env))
        yield [base for _, base in started]
    finally:
        for proc, _ in started:
            proc.terminate()
        for proc, _ in started:
            proc.wait(10)
        drop_database(db_url)


@pytest.fixture(scope="module")
def server(servers):
    return servers[0]


def login(base, who):
    r = requests.post(
        f"{base}/api/v1/auth/login",
        json={"email": f"{who}@acme.test", "password": PASSWORD},
        timeout=10,
    )
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
            base,
            namespaces=["/rt"],
            transports=["websocket"],
            auth={"token": token, "cursor": cursor},
            wait_timeout=10,
        )

    def close(self):
        self.sio.disconnect()


def publish(base, token, **body):
    h = {"Authorization": f"Bearer {token}"}
    exp = requests.post(
        f"{base}/api/v1/experiences", json=tooltip_body(**body), headers=h, timeout=10
    ).json()
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
        assert gone == {
            "cursor": gone["cursor"],
            "prev_cursor": change["cursor"],
            "op": "remove",
            "id": exp["id"],
        }
    finally:
        staff.close()


def test_reconnect_with_cursor_catches_up_on_missed_changes(servers):
    # On the scale profile the browser comes back through the other process.
    server, again_on = servers[0], servers[-1]
    admin = login(server, "admin")
    staff_token = login(server, "staff")
    first = Listener(server, staff_token)
    cursor = first.syncs.get(timeout=5)["cursor"]
    first.close()

    missed = publish(server, admin, name="while offline")
    removed = publish(server, admin, name="came and went")
    requests.delete(
        f"{server}/api/v1/experiences/{removed['id']}",
        headers={"Authorization": f"Bearer {admin}"},
        timeout=10,
    )

    again = Listener(again_on, staff_token, cursor=cursor)
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
        requests.post(
            f"{server}/api/v1/auth/logout", headers={"Authorization": f"Bearer {token}"}, timeout=10
        )
        assert listener.revoked.get(timeout=2) is True
    finally:
        listener.close()


def test_other_workspace_hears_nothing(server):
    r = requests.post(
        f"{server}/api/v1/auth/login",
        json={"email": "admin@other.test", "password": PASSWORD},
        timeout=10,
    )
    outsider = Listener(server, r.json()["token"])
    try:
        outsider.syncs.get(timeout=5)
        publish(server, login(server, "admin"), name="private")
        with pytest.raises(queue.Empty):
            outsider.changes.get(timeout=1)
    finally:
        outsider.close()


@needs_queue
def test_publish_through_one_process_reaches_socket_on_another(servers):
    """The balancer may send the admin to process A and the staff browser to B."""
    a, b = servers
    admin = login(a, "admin")
    staff = Listener(b, login(b, "staff"))
    try:
        first = staff.syncs.get(timeout=5)
        t0 = time.monotonic()
        exp = publish(a, admin, name="across processes")
        change = staff.changes.get(timeout=2)
        assert time.monotonic() - t0 < 2
        assert change["op"] == "upsert" and change["id"] == exp["id"]
        assert change["experience"]["name"] == "across processes"
        assert change["cursor"] > first["cursor"]
        # Exactly once: the emitting process must not also relay its own message back.
        with pytest.raises(queue.Empty):
            staff.changes.get(timeout=0.5)
    finally:
        staff.close()


@needs_queue
def test_logout_on_one_process_kicks_socket_on_another(servers):
    a, b = servers
    token = login(a, "staff")
    listener = Listener(b, token)
    try:
        listener.syncs.get(timeout=5)
        requests.post(
            f"{a}/api/v1/auth/logout", headers={"Authorization": f"Bearer {token}"}, timeout=10
        )
        assert listener.revoked.get(timeout=2) is True
    finally:
        listener.close()
