"""Shared by the backend benchmarks: a real server on loopback, a scratch database,
accounts, figures. Not a benchmark itself (bench/run.py skips files starting with _).

The server is production's: gunicorn with gunicorn.conf.py (one gevent worker). Its
database is a fresh SQLite file, or a scratch database on the PostgreSQL server of
DATABASE_URL when that is set; SOCKETIO_MESSAGE_QUEUE (Redis) is passed on when set.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PASSWORD = "bench-password-not-secret"  # noqa: S105 - throwaway accounts on loopback
ADMIN = "admin@bench.local"
STAFF = "staff@bench.local"


def stop_after(seconds: int) -> None:
    """Bound the whole benchmark: past ``seconds`` it raises, and cleanup still runs."""

    def expired(*_):
        raise TimeoutError(f"benchmark exceeded its {seconds} s budget")

    signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)


def raise_open_files(wanted: int) -> int:
    """Raise this process's open-file limit (children inherit it); returns the new limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile: the smallest value with ``pct`` % of values at or below it."""
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident set (VmHWM), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    raise RuntimeError(f"no VmHWM for pid {pid}")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def report(results: dict) -> None:
    """The runner's contract: one JSON object, keyed by benchmark name, as the last line."""
    print(json.dumps(results, separators=(",", ":")), flush=True)


def profile() -> dict:
    """What the figures were measured on."""
    url = os.environ.get("DATABASE_URL", "")
    return {
        "database": "postgresql" if url.startswith("postgres") else "sqlite",
        "queue": "redis" if os.environ.get("SOCKETIO_MESSAGE_QUEUE") else "in-process",
        # The machine may be shared: how busy it was when the run ended.
        "loadavg_1m": round(os.getloadavg()[0], 2),
        "cpus": os.cpu_count(),
    }


# --- database -------------------------------------------------------------------------


@contextlib.contextmanager
def scratch_database(workdir: Path) -> Iterator[str]:
    """A new, empty database for one run; removed afterwards."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        yield f"sqlite:///{workdir / 'bench.db'}"
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.pool import NullPool

    name = f"nl_bench_{os.getpid()}"
    server = make_url(url).set(drivername="postgresql+psycopg")
    admin = create_engine(
        server.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=NullPool
    )

    def run(sql: str) -> None:
        with admin.connect() as conn:
            conn.execute(text(sql))

    run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    run(f'CREATE DATABASE "{name}"')
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def server_env(workdir: Path, db_url: str, **extra: str) -> dict[str, str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "NUDGELAYER_INSTANCE": str(workdir / "instance"),
        "DATABASE_URL": db_url,
        # Throughput is the subject here, not the per-token write limits.
        "RATELIMIT_ENABLED": "0",
        "NUDGELAYER_BENCH": "1",
        "HOST": "127.0.0.1",
    }
    if queue := os.environ.get("SOCKETIO_MESSAGE_QUEUE"):
        env["SOCKETIO_MESSAGE_QUEUE"] = queue
    env.update(extra)
    return env


def seed(env: dict[str, str]) -> None:
    """Migrate, then create a workspace with one admin and one staff account (CLI)."""
    cli = str(BIN / "nudgelayer")

    def run(*args: str) -> None:
        done = subprocess.run([cli, *args], env=env, capture_output=True, text=True, timeout=120)
        if done.returncode:
            raise RuntimeError(f"nudgelayer {args[0]} failed:\n{done.stderr[-3000:]}")

    run("init-db")
    run("create-workspace", "bench", "--name", "Bench Co")
    run("create-user", "bench", ADMIN, "--role", "admin", "--password", PASSWORD)
    run(
        "create-user",
        "bench",
        STAFF,
        "--role",
        "staff",
        "--team",
        "support",
        "--password",
        PASSWORD,
    )


# --- server ---------------------------------------------------------------------------


@dataclass
class Server:
    proc: subprocess.Popen
    base: str
    log: Path

    @property
    def worker_pid(self) -> int:
        """The gevent worker: the process that holds the sockets and runs the app."""
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()
        if len(children) != 1:
            raise RuntimeError(f"expected one gunicorn worker, found {children}")
        return int(children[0])

    def login(self, email: str) -> str:
        r = requests.post(
            f"{self.base}/api/v1/auth/login",
            json={"email": email, "password": PASSWORD},
            timeout=30,
        )
        r.raise_for_status()
        return r.json()["token"]


@contextlib.contextmanager
def running_server(env: dict[str, str], workdir: Path) -> Iterator[Server]:
    """gunicorn -c gunicorn.conf.py on a free loopback port, until the block ends."""
    port = free_port()
    log_path = workdir / f"server-{port}.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "-c",
                str(ROOT / "gunicorn.conf.py"),
                "nudgelayer:create_app()",
            ],
            env={**env, "PORT": str(port)},
            cwd=workdir,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = Server(proc, f"http://127.0.0.1:{port}", log_path)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{server.base}/healthz", timeout=1).ok:
                    break
            except requests.RequestException:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server did not start:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.1)
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@dataclass
class Setup:
    server: Server
    workdir: Path
    db_url: str

    def count_rows(self, table: str) -> int:
        from sqlalchemy import create_engine, text
        from sqlalchemy.pool import NullPool

        engine = create_engine(self.db_url, poolclass=NullPool)
        try:
            with engine.connect() as conn:
                return conn.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one()  # noqa: S608
        finally:
            engine.dispose()


@contextlib.contextmanager
def bench_setup(**extra_env: str) -> Iterator[Setup]:
    """A seeded scratch database and a server on it, cleaned up afterwards."""
    with tempfile.TemporaryDirectory(prefix="nl-bench-") as tmp:
        workdir = Path(tmp)
        with scratch_database(workdir) as db_url:
            env = server_env(workdir, db_url, **extra_env)
            seed(env)
            with running_server(env, workdir) as server:
                yield Setup(server, workdir, db_url)
