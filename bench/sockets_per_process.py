"""sockets_per_process: connected socket clients ONE server process holds while a
publish still reaches all of them.

Clients are added in steps of 1,000 up to 4,000 on a single gunicorn process (one
gevent worker, gunicorn.conf.py); after each step an admin publishes twice and every
client must receive both. Reported: the largest step every client heard, its p99
delay, and the worker's peak resident memory (VmHWM) over the whole run.
Goals: clients ≥ 3,000, peak_rss_mb ≤ 250, p99_ms ≤ 500.

    .venv/bin/python bench/sockets_per_process.py
"""

from __future__ import annotations

from _harness import (
    ADMIN,
    STAFF,
    bench_setup,
    peak_rss_mb,
    percentile,
    profile,
    raise_open_files,
    report,
    stop_after,
)
from _swarm import Swarm, timed_publishes

STEPS = (1000, 2000, 3000, 4000)
ROUNDS = 2


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
                connected, errors = swarm.grow_to(target)
                delays, missing = timed_publishes(
                    server.base, admin, swarm, ROUNDS, f"step {target}"
                )
                steps.append(
                    {
                        "clients": connected,
                        "p99_ms": round(percentile(delays, 99), 1) if delays else None,
                        "missing": missing,
                        "rss_mb": peak_rss_mb(worker),
                    }
                )
                if connected < target or missing:
                    break  # the process is full: later steps would only fail more
            rss = peak_rss_mb(worker)
        finally:
            swarm.close()
    held = [s for s in steps if not s["missing"] and s["p99_ms"] is not None]
    best = held[-1] if held else {"clients": 0, "p99_ms": None}
    report(
        {
            "sockets_per_process": {
                "clients": best["clients"],
                "peak_rss_mb": rss,
                "p99_ms": best["p99_ms"],
                "steps": steps,
                **profile(),
            }
        }
    )


if __name__ == "__main__":
    main()
