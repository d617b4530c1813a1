"""ingest: events/s through POST /api/v1/events, batches of 100, real server and database.

The baseline is a no-op endpoint of the same server (bench_support, present only with
NUDGELAYER_BENCH=1) fed the very same batches: same HTTP, same JSON parsing, nothing
validated or stored. ``ratio`` = events/s stored ÷ events/s through the no-op.

Clients: PROCESSES processes × THREADS keep-alive connections each, bodies built with
string joins so that the client stays cheap. Phases alternate no-op / ingest twice and
each endpoint's total counts, so a slow spell of the machine hits both alike.

    .venv/bin/python bench/ingest.py          # SQLite (or PostgreSQL when DATABASE_URL is set)
"""

from __future__ import annotations

import http.client
import multiprocessing as mp
import os
import threading
import time
from urllib.parse import urlsplit

from _harness import STAFF, bench_setup, cpu_seconds, profile, report, stop_after

BATCH = 100
PROCESSES = 2
THREADS = 4
PHASE_S = 5.0
WARMUP_S = 2.0
ROUNDS = 2
REAL = "/api/v1/events"
NOOP = "/api/v1/_bench/noop-events"


def make_batches():
    """Endless distinct batches. Event ids are random version-4 UUIDs, as the extension
    makes them (so the unique index sees random keys, as in production)."""
    ts = '"2026-12-03T10:00:00.000+00:00"'
    while True:
        parts = []
        for i in range(BATCH):
            h = os.urandom(16).hex()
            uid = f"{h[:8]}-{h[8:12]}-4{h[13:16]}-8{h[17:20]}-{h[20:]}"
            parts.append(
                f'{{"id":"{uid}","type":"page.view","ts":{ts},'
                f'"url":"https://tickets.example.com/queue/{i}","data":{{"n":{i}}}}}'
            )
        yield ('{"events":[' + ",".join(parts) + "]}").encode()


def client_process(base, token, path, start_at, stop_at, out):
    """THREADS connections posting batches back to back; counts those done in the window."""
    host = urlsplit(base)
    done = [0] * THREADS
    sent = [0] * THREADS  # in the window or finishing just after it
    errors = []

    def loop(k: int) -> None:
        conn = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
        batches = make_batches()
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        while time.monotonic() < start_at:
            time.sleep(0.001)
        while time.monotonic() < stop_at:
            conn.request("POST", path, body=next(batches), headers=headers)
            resp = conn.getresponse()
            body = resp.read()
            if resp.status != 202:
                errors.append(f"{resp.status} {body[:200]!r}")
                return
            sent[k] += 1
            if time.monotonic() <= stop_at:
                done[k] += 1
        conn.close()

    threads = [threading.Thread(target=loop, args=(k,)) for k in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.put((sum(done), sum(sent), errors))


def phase(server, token, path, seconds) -> tuple[float, float]:
    """Through ``path`` for ``seconds``, all client processes together: batches per
    second, and the server worker's CPU milliseconds per batch."""
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    start_at = time.monotonic() + 1.5  # after every process has started
    stop_at = start_at + seconds
    procs = [
        ctx.Process(
            target=client_process,
            args=(server.base, token, path, start_at, stop_at, out),
        )
        for _ in range(PROCESSES)
    ]
    for p in procs:
        p.start()
    cpu0 = cpu_seconds(server.worker_pid)
    in_window, total, errors = 0, 0, []
    for _ in procs:
        count, sent, errs = out.get(timeout=seconds + 60)
        in_window, total, errors = in_window + count, total + sent, errors + errs
    cpu = cpu_seconds(server.worker_pid) - cpu0
    for p in procs:
        p.join(10)
    if errors:
        raise RuntimeError(f"{path} answered: {errors[:3]}")
    return in_window / seconds, cpu * 1000 / max(1, total)


def main() -> None:
    stop_after(240)
    with bench_setup() as setup:
        server = setup.server
        token = server.login(STAFF)
        phase(server, token, REAL, WARMUP_S)  # warm caches, pools, the WAL
        stored_before = setup.count_rows("event")
        real, noop, real_cpu, noop_cpu = 0.0, 0.0, 0.0, 0.0
        for _ in range(ROUNDS):
            rate, cpu = phase(server, token, NOOP, PHASE_S)
            noop, noop_cpu = noop + rate, noop_cpu + cpu
            rate, cpu = phase(server, token, REAL, PHASE_S)
            real, real_cpu = real + rate, real_cpu + cpu
        stored = setup.count_rows("event") - stored_before
    events_per_s = real / ROUNDS * BATCH
    baseline_per_s = noop / ROUNDS * BATCH
    # Every accepted event must really be stored (counted in the window or just after).
    if stored < events_per_s * PHASE_S * ROUNDS:
        raise RuntimeError(f"only {stored} events stored")
    report(
        {
            "ingest": {
                "events_per_s": round(events_per_s),
                "baseline_per_s": round(baseline_per_s),
                "ratio": round(events_per_s / baseline_per_s, 3),
                # Server CPU per batch: unlike throughput, barely moved by other load
                # on the machine; cpu_ratio is the ratio a dedicated core would give.
                "server_cpu_ms_per_batch": round(real_cpu / ROUNDS, 2),
                "baseline_cpu_ms_per_batch": round(noop_cpu / ROUNDS, 2),
                "cpu_ratio": round(noop_cpu / real_cpu, 3),
                "batch": BATCH,
                "connections": PROCESSES * THREADS,
                "seconds_per_endpoint": PHASE_S * ROUNDS,
                **profile(),
            }
        }
    )


if __name__ == "__main__":
    main()
