"""Nothing acknowledged is lost when the server process is killed mid-ingestion.

A real gunicorn server (gevent worker, as in production) on a copy of the configured
database (SQLite in WAL mode, or PostgreSQL in the scale profile). Two clients post
batches of events and survey answers as fast as they can; the server's process group
is killed with SIGKILL while requests are in flight; a new server starts on the same
port and database. Every batch that got its 202 is stored, each batch is stored
entirely or not at all, and sending every batch again (the acknowledged ones too,
as a client that lost the answers would) stores nothing twice.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field

import pytest
import requests
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.pool import NullPool

from nudgelayer.models import Event, SurveyResponse

from .conftest import PASSWORD, clone_database, drop_database

BATCH = 200  # events per POST: big enough that a kill lands inside a request
SURVEY = {
    "kind": "survey",
    "name": "Crash survey",
    "targeting": {"url": "https://tickets.example.com/*"},
    "content": {"questions": [{"id": "nps", "type": "nps", "prompt": "Recommend us?"}]},
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn in a process group of its own, so SIGKILL reaches master and worker."""

    def __init__(self, root, env: dict[str, str], port: int):
        self.root, self.env, self.port = root, env, port
        self.base = f"http://127.0.0.1:{port}"
        self.proc: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        log = open(self.root / f"gunicorn-{self.starts}.log", "w")  # noqa: SIM115 - lives with the process
        self.proc = subprocess.Popen(  # noqa: S603 - fixed argv, our own interpreter
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-k",
                "gevent",
                "-w",
                "1",
                "-b",
                f"127.0.0.1:{self.port}",
                "--no-control-socket",
                "nudgelayer:create_app()",
            ],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, (self.root / f"gunicorn-{self.starts}.log").read_text()
            try:
                if requests.get(f"{self.base}/healthz", timeout=1).ok:
                    return
            except requests.RequestException:
                time.sleep(0.1)  # the port is not open yet: nothing to wait on but time
        raise AssertionError("gunicorn did not start")

    def kill(self) -> None:
        """SIGKILL the whole group: no graceful shutdown, no chance to finish a request."""
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)


@dataclass
class Sent:
    events: list[dict]
    response: dict
    events_status: int | None = None  # None: no answer (the server died)
    response_status: int | None = None


@dataclass
class Client:
    base: str
    token: str
    survey_id: int
    sent: list[Sent] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {self.token}"
        while not self.stop.is_set():
            now = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime())
            item = Sent(
                events=[
                    {"id": str(uuid.uuid4()), "type": "crash.test", "ts": now, "data": {"i": i}}
                    for i in range(BATCH)
                ],
                response={
                    "id": str(uuid.uuid4()),
                    "experience_id": self.survey_id,
                    "answers": {"nps": 7},
                    "completed": True,
                },
            )
            self.sent.append(item)
            try:
                r = session.post(
                    f"{self.base}/api/v1/events", json={"events": item.events}, timeout=10
                )
                item.events_status = r.status_code
                r = session.post(f"{self.base}/api/v1/responses", json=item.response, timeout=10)
                item.response_status = r.status_code
            except requests.RequestException:
                time.sleep(0.05)  # down: a real client backs off too


def login(base: str, email: str) -> str:
    r = requests.post(
        f"{base}/api/v1/auth/login", json={"email": email, "password": PASSWORD}, timeout=10
    )
    r.raise_for_status()
    return r.json()["token"]


@pytest.fixture
def crashable(tmp_path, db_template):
    url = clone_database(db_template, tmp_path)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DATABASE_URL": url,
        "NUDGELAYER_INSTANCE": str(tmp_path / "instance"),
        "RATELIMIT_ENABLED": "0",
        "PURGE_SCHEDULER": "0",
    }
    server = Server(tmp_path, env, free_port())
    server.start()
    yield server, url
    server.stop()
    drop_database(url)


def stored(url: str, model, uuids: list[str]) -> int:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            total = 0
            for i in range(0, len(uuids), 500):
                chunk = uuids[i : i + 500]
                total += conn.scalar(
                    select(func.count()).select_from(model).where(model.uuid.in_(chunk))
                )
            return total
    finally:
        engine.dispose()


def test_sigkill_mid_ingestion_loses_nothing_acknowledged_and_retries_store_once(crashable):
    server, url = crashable
    admin = {"Authorization": f"Bearer {login(server.base, 'admin@acme.test')}"}
    exp = requests.post(f"{server.base}/api/v1/experiences", json=SURVEY, headers=admin, timeout=10)
    survey_id = exp.json()["id"]
    requests.post(
        f"{server.base}/api/v1/experiences/{survey_id}/publish", headers=admin, timeout=10
    ).raise_for_status()
    clients = [
        Client(server.base, login(server.base, "staff@acme.test"), survey_id) for _ in range(2)
    ]
    threads = [threading.Thread(target=c.run, daemon=True) for c in clients]
    for t in threads:
        t.start()
    # Let some batches be acknowledged, then kill while the next ones are in flight.
    deadline = time.monotonic() + 30
    while sum(s.events_status == 202 for c in clients for s in c.sent) < 6:
        assert time.monotonic() < deadline, "the server acknowledged nothing"
        time.sleep(0.05)
    server.kill()
    time.sleep(0.5)  # the clients see refused connections for a while
    for c in clients:
        c.stop.set()
    for t in threads:
        t.join(15)

    sent = [s for c in clients for s in c.sent]
    acked = [s for s in sent if s.events_status == 202]
    unanswered = [s for s in sent if s.events_status is None]
    assert acked and unanswered, "the kill did not land during ingestion"

    server.start()  # same port, same database
    # Every acknowledged batch is there, whole; every batch is all-or-nothing.
    for s in sent:
        n = stored(url, Event, [e["id"] for e in s.events])
        if s.events_status == 202:
            assert n == BATCH
        else:
            assert n in (0, BATCH), f"a batch was half-written: {n} of {BATCH}"
        if s.response_status == 202:
            assert stored(url, SurveyResponse, [s.response["id"]]) == 1

    # A client that lost the answers sends everything again: nothing is stored twice.
    token = login(server.base, "staff@acme.test")
    headers = {"Authorization": f"Bearer {token}"}
    accepted = duplicates = 0
    for s in sent:
        r = requests.post(
            f"{server.base}/api/v1/events", json={"events": s.events}, headers=headers, timeout=30
        )
        assert r.status_code == 202, r.text
        accepted += r.json()["accepted"]
        duplicates += r.json()["duplicates"]
        r = requests.post(
            f"{server.base}/api/v1/responses", json=s.response, headers=headers, timeout=30
        )
        assert r.status_code == 202, r.text
    all_ids = [e["id"] for s in sent for e in s.events]
    assert accepted + duplicates == len(all_ids)
    assert duplicates >= len(acked) * BATCH
    assert stored(url, Event, all_ids) == len(all_ids)
    assert stored(url, SurveyResponse, [s.response["id"] for s in sent]) == len(sent)
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            rows = conn.scalar(text("SELECT count(*) FROM event WHERE type = 'crash.test'"))
            distinct = conn.scalar(
                text("SELECT count(DISTINCT uuid) FROM event WHERE type = 'crash.test'")
            )
    finally:
        engine.dispose()
    assert rows == distinct == len(all_ids)
