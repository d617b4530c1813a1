"""sockets_per_process: connected socket clients ONE server process holds while a
publish still reaches all of them.

Clients are added in steps of 1,000 up to 4,000 on a single gunicorn process (one
gevent worker, gunicorn.conf.py); after each step an admin publishes twice and every
client must receive both. Reported: ``clients``, the largest step every client heard;
``peak_rss_mb`` (the worker's VmHWM) and ``p99_ms`` when holding 3,000 (the goal's
operating point; the last step held if fewer); per step, the connect rate, delay and
memory; then the worker's CPU over one idle ping interval.
Goals: clients ≥ 3,000, peak_rss_mb ≤ 250, p99_ms ≤ 500.

    .venv/bin/python bench/sockets_per_process.py
"""

from __future__ import annotations

import time

from _harness import (
    ADMIN,
    STAFF,
    bench_setup,
    cpu_seconds,
    peak_rss_mb,
    percentile,
    profile,
    raise_open_files,
    report,
    stop_after,
)

try:
    from _swarm import Swarm, timed_publishes
except ModuleNotFoundError as exc:  # the socket client is a benchmark-only dependency
    if exc.name != "websockets":
        raise
    report({"sockets_per_process": {"skipped": "needs the websockets package"}})
    raise SystemExit(0) from None

STEPS = (1000, 2000, 3000, 4000)
GOAL_CLIENTS = 3000  # the goal's operating point: memory and delay are reported there
ROUNDS = 2
IDLE_S = 21  # a little over Socket.IO's 20 s ping interval: every socket pings once


def main() -> None:
    stop_after(480)
    limit = raise_open_files(max(STEPS) + 2000)
    if limit < max(STEPS) + 200:
        raise SystemExit(f"open-file limit {limit} is too low for {max(STEPS)} sockets")
    steps = []
    with bench_setup() as setup:
        server = setup.server
        worker = server.worker_pid
        swarm = Swarm(server.base, server.login(STAFF))
        admin = server.login(ADMIN)
        try:
            for target in STEPS:
                before, t0 = swarm.connected, time.monotonic()
                connected, errors = swarm.grow_to(target)
                connect_s = time.monotonic() - t0
                delays, missing = timed_publishes(
                    server.base, admin, swarm, ROUNDS, f"step {target}"
                )
                steps.append(
                    {
                        "clients": connected,
                        "connects_per_s": round((connected - before) / connect_s),
                        "p99_ms": round(percentile(delays, 99), 1) if delays else None,
                        "missing": missing,
                        "rss_mb": peak_rss_mb(worker),
                    }
                )
                if connected < target or missing:
                    break  # the process is full: later steps would only fail more
            # What idle sockets cost: Engine.IO pings and their answers, nothing else.
            cpu0 = cpu_seconds(worker)
            time.sleep(IDLE_S)
            idle_pct = (cpu_seconds(worker) - cpu0) / IDLE_S * 100
        finally:
            swarm.close()
    held = [s for s in steps if not s["missing"] and s["p99_ms"] is not None]
    if not held:
        raise RuntimeError(f"no step held: {steps}")
    at = next((s for s in held if s["clients"] >= GOAL_CLIENTS), held[-1])
    rss_slope = (held[-1]["rss_mb"] - held[0]["rss_mb"]) / max(
        1, held[-1]["clients"] - held[0]["clients"]
    )
    report(
        {
            "sockets_per_process": {
                "clients": held[-1]["clients"],
                "peak_rss_mb": at["rss_mb"],
                "p99_ms": at["p99_ms"],
                "at_clients": at["clients"],
                "rss_kb_per_socket": round(rss_slope * 1024, 1),
                "idle_cpu_pct_per_1000": round(idle_pct / steps[-1]["clients"] * 1000, 2),
                "steps": steps,
                **profile(),
            }
        }
    )


if __name__ == "__main__":
    main()
