"""Thousands of browser-like Socket.IO clients in a few processes, for the push benchmarks.

Each client is one websocket speaking Engine.IO v4 / Socket.IO v5 by hand (what the
extension's socket.io-client sends: open, connect to /rt with {token, cursor}, answer
pings): an asyncio Protocol around the ``websockets`` library's sans-I/O state machine,
a few KB and no task per connection, so two processes hold thousands. Times are
``time.monotonic()``, one clock for every process of the machine, so the publisher's
start and each client's receipt compare directly.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import multiprocessing as mp
import time
from collections import defaultdict
from dataclasses import dataclass, field
from multiprocessing.connection import Connection

from websockets.client import ClientProtocol
from websockets.frames import Opcode
from websockets.http11 import Response
from websockets.typing import Origin
from websockets.uri import parse_uri

from nudgelayer.config import DEFAULT_EXTENSION_ID

ORIGIN = f"chrome-extension://{DEFAULT_EXTENSION_ID}"
HANDSHAKES_IN_FLIGHT = 50  # per process: a browser fleet reconnecting, not a SYN flood


@dataclass
class _State:
    url: str
    token: str
    clients: list[asyncio.Transport] = field(default_factory=list)
    connected: int = 0
    failed: list[str] = field(default_factory=list)
    # experience name -> receipt times of its `change` message, one per client.
    arrivals: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))


class _Client(asyncio.Protocol):
    """One browser's socket. The receipt time is taken as the bytes arrive, before any
    parsing, so that the client's own work stays out of the measured delay."""

    def __init__(self, state: _State, ready: asyncio.Future):
        self.state, self.ready = state, ready
        self.ws = ClientProtocol(parse_uri(state.url), origin=Origin(ORIGIN), max_size=1 << 20)
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport) -> None:
        self.transport = transport
        self.ws.send_request(self.ws.connect())
        self._flush()

    def data_received(self, data: bytes) -> None:
        now = time.monotonic()
        self.ws.receive_data(data)
        for event in self.ws.events_received():
            if isinstance(event, Response):
                if event.status_code != 101:
                    self._fail(f"handshake answered {event.status_code}")
            elif event.opcode is Opcode.TEXT:
                self._on_message(event.data.decode(), now)
        self._flush()

    def _on_message(self, msg: str, now: float) -> None:
        if msg.startswith("0"):  # Engine.IO open: join the namespace, signed in
            auth = json.dumps({"token": self.state.token, "cursor": None})
            self.ws.send_text(f"40/rt,{auth}".encode())
        elif msg == "2":  # Engine.IO ping
            self.ws.send_text(b"3")
        elif msg.startswith("42/rt,"):
            event, data = json.loads(msg[6:])[:2]
            if event == "change":
                self.state.arrivals[(data.get("experience") or {}).get("name")].append(now)
            elif event == "sync" and not self.ready.done():
                self.ready.set_result(True)
        elif msg.startswith("44/rt,"):
            self._fail(f"connect refused: {msg[:200]}")

    def _flush(self) -> None:
        for chunk in self.ws.data_to_send():
            if chunk and self.transport is not None:
                self.transport.write(chunk)

    def _fail(self, why: str) -> None:
        if not self.ready.done():
            self.ready.set_exception(RuntimeError(why))
        if self.transport is not None:
            self.transport.close()

    def connection_lost(self, exc) -> None:
        if not self.ready.done():
            self.ready.set_exception(exc or ConnectionError("closed before sync"))


async def _connect(state: _State, count: int) -> None:
    gate = asyncio.Semaphore(HANDSHAKES_IN_FLIGHT)
    loop = asyncio.get_running_loop()
    uri = parse_uri(state.url)

    async def one() -> None:
        async with gate:
            ready = loop.create_future()
            try:
                transport, _ = await loop.create_connection(
                    lambda: _Client(state, ready), uri.host, uri.port
                )
                state.clients.append(transport)
                await asyncio.wait_for(ready, 60)
                state.connected += 1
            except Exception as exc:
                state.failed.append(repr(exc)[:200])

    await asyncio.gather(*(one() for _ in range(count)))


async def _expect(state: _State, name: str, timeout: float) -> list[float]:
    deadline = time.monotonic() + timeout
    while len(state.arrivals[name]) < state.connected and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    return list(state.arrivals[name])


async def _serve(conn: Connection, url: str, token: str) -> None:
    state = _State(url, token)
    loop = asyncio.get_running_loop()
    inbox: asyncio.Queue = asyncio.Queue()
    loop.add_reader(conn.fileno(), lambda: inbox.put_nowait(conn.recv()))
    while True:
        cmd, *args = await inbox.get()
        if cmd == "connect":
            await _connect(state, args[0])
            conn.send((state.connected, state.failed[-5:], len(state.failed)))
        elif cmd == "expect":
            conn.send(await _expect(state, *args))
        elif cmd == "close":
            for transport in state.clients:
                transport.close()
            await asyncio.sleep(0.5)
            conn.send(True)
            return


def _worker(conn: Connection, url: str, token: str) -> None:
    asyncio.run(_serve(conn, url, token))


class Swarm:
    """Socket clients spread over ``processes`` worker processes."""

    def __init__(self, base: str, token: str, processes: int = 2):
        url = base.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
        ctx = mp.get_context("spawn")
        self._pipes: list[Connection] = []
        self._procs = []
        for _ in range(processes):
            ours, theirs = ctx.Pipe()
            proc = ctx.Process(target=_worker, args=(theirs, url, token), daemon=True)
            proc.start()
            self._pipes.append(ours)
            self._procs.append(proc)
        self.connected = 0

    def _ask_all(self, message: tuple, timeout: float) -> list:
        for pipe in self._pipes:
            pipe.send(message)
        answers = []
        for pipe in self._pipes:
            if not pipe.poll(timeout):
                raise TimeoutError(f"socket clients did not answer {message[0]!r} in {timeout} s")
            answers.append(pipe.recv())
        return answers

    def grow_to(self, total: int, timeout: float = 300) -> tuple[int, list[str]]:
        """Connect clients until ``total`` are connected (evenly over the processes)."""
        more = max(0, total - self.connected)
        k = len(self._pipes)
        share = [more // k + (i < more % k) for i in range(k)]
        for pipe, n in zip(self._pipes, share, strict=True):
            pipe.send(("connect", n))
        self.connected, errors = 0, []
        for pipe in self._pipes:
            if not pipe.poll(timeout):
                raise TimeoutError(f"connecting {total} clients took over {timeout} s")
            connected, sample, _failed = pipe.recv()
            self.connected += connected
            errors += sample
        return self.connected, errors

    def arrivals(self, name: str, timeout: float) -> list[float]:
        """Receipt times of the `change` naming ``name``: one per client that got it."""
        times: list[float] = []
        for part in self._ask_all(("expect", name, timeout), timeout + 30):
            times += part
        return times

    def close(self) -> None:
        with contextlib.suppress(TimeoutError, OSError, EOFError):
            self._ask_all(("close",), 60)
        for proc in self._procs:
            proc.join(10)
            if proc.is_alive():
                proc.kill()


def timed_publishes(base: str, admin_token: str, swarm: Swarm, rounds: int, label: str):
    """Publish ``rounds`` times through the API; per round, each client's delay from just
    before the publish call to its receipt of the `change`. Returns (delays in ms, number
    of (client, round) receipts missing after 10 s)."""
    import requests

    h = {"Authorization": f"Bearer {admin_token}"}
    body = {
        "kind": "banner",
        "name": f"{label} 0",
        "targeting": {"url": "https://tickets.example.com/*"},
        "content": {"text": "Maintenance tonight at 22:00", "severity": "info"},
    }
    created = requests.post(f"{base}/api/v1/experiences", json=body, headers=h, timeout=30)
    created.raise_for_status()
    exp_id = created.json()["id"]
    delays: list[float] = []
    missing = 0
    for r in range(1, rounds + 1):
        name = f"{label} {r}"
        # Editing makes a new draft; the publish below makes it live and pushes it.
        edit = requests.patch(
            f"{base}/api/v1/experiences/{exp_id}", json={"name": name}, headers=h, timeout=30
        )
        edit.raise_for_status()
        time.sleep(0.3)  # let the sockets settle between rounds
        t0 = time.monotonic()
        resp = requests.post(f"{base}/api/v1/experiences/{exp_id}/publish", headers=h, timeout=30)
        resp.raise_for_status()
        got = swarm.arrivals(name, timeout=10)
        missing += swarm.connected - len(got)
        delays += [(t - t0) * 1000 for t in got]
    return delays, missing


def timed_broadcasts(base: str, token: str, swarm: Swarm, rounds: int, label: str):
    """The baseline of timed_publishes: the same fan-out of a `change` to the same
    clients, from the same server, without the API's publish (bench_support)."""
    import requests

    h = {"Authorization": f"Bearer {token}"}
    delays: list[float] = []
    missing = 0
    for r in range(1, rounds + 1):
        name = f"{label} {r}"
        time.sleep(0.3)
        t0 = time.monotonic()
        resp = requests.post(
            f"{base}/api/v1/_bench/broadcast", json={"name": name}, headers=h, timeout=30
        )
        resp.raise_for_status()
        got = swarm.arrivals(name, timeout=10)
        missing += swarm.connected - len(got)
        delays += [(t - t0) * 1000 for t in got]
    return delays, missing
