"""push_fanout_1000: an admin publish (API call, commit, emit) reaching 1,000 sockets.

1,000 Socket.IO clients (two client processes) are connected to one server process;
an admin publishes through the API. The delay runs from just before the publish call
to each client's receipt of the `change` message; five rounds, 5,000 samples.
Goal: p99 ≤ 200 ms.

Baseline, alternating with those rounds: the same server fans a `change`-shaped
message out to the same clients without the publish (bench_support's bare broadcast);
``ratio`` = p99 publish ÷ p99 bare fan-out, i.e. what the API call and commit add.

    .venv/bin/python bench/push_fanout.py
"""

from __future__ import annotations

from _harness import (
    ADMIN,
    STAFF,
    bench_setup,
    cpu_seconds,
    percentile,
    profile,
    raise_open_files,
    report,
    stop_after,
)

try:
    from _swarm import Swarm, timed_broadcasts, timed_publishes
except ModuleNotFoundError as exc:  # the socket client is a benchmark-only dependency
    if exc.name != "websockets":
        raise
    report({"push_fanout_1000": {"skipped": "needs the websockets package"}})
    raise SystemExit(0) from None

CLIENTS = 1000
ROUNDS = 5


def main() -> None:
    stop_after(300)
    raise_open_files(CLIENTS + 1000)
    with bench_setup() as setup:
        server = setup.server
        swarm = Swarm(server.base, server.login(STAFF))
        try:
            connected, errors = swarm.grow_to(CLIENTS)
            if connected < CLIENTS:
                raise RuntimeError(f"only {connected} of {CLIENTS} connected: {errors}")
            admin = server.login(ADMIN)
            # Alternate so that a slow spell of the machine hits both alike.
            delays, bare, missing = [], [], 0
            cpu_publish = cpu_bare = 0.0  # the worker's CPU seconds, all rounds
            worker = server.worker_pid
            for r in range(ROUNDS):
                c0 = cpu_seconds(worker)
                d, m = timed_publishes(server.base, admin, swarm, 1, f"fanout {r}")
                c1 = cpu_seconds(worker)
                b, mb = timed_broadcasts(server.base, admin, swarm, 1, f"bare {r}")
                cpu_publish += c1 - c0
                cpu_bare += cpu_seconds(worker) - c1
                delays, bare, missing = delays + d, bare + b, missing + m + mb
        finally:
            swarm.close()
    report(
        {
            "push_fanout_1000": {
                "p50_ms": round(percentile(delays, 50), 1),
                "p99_ms": round(percentile(delays, 99), 1),
                "max_ms": round(max(delays), 1),
                "baseline_p99_ms": round(percentile(bare, 99), 1),
                "baseline_p50_ms": round(percentile(bare, 50), 1),
                "ratio": round(percentile(delays, 99) / percentile(bare, 99), 2),
                # Server CPU per round (create, edit and publish through the API, then
                # the fan-out; the bare round is the fan-out alone): not moved by other
                # load on the machine, unlike the delays.
                "server_cpu_ms_per_publish": round(cpu_publish / ROUNDS * 1000, 1),
                "baseline_cpu_ms_per_broadcast": round(cpu_bare / ROUNDS * 1000, 1),
                "clients": connected,
                "rounds": ROUNDS,
                "missing": missing,
                **profile(),
            }
        }
    )


if __name__ == "__main__":
    main()
