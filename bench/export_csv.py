"""export_csv: 1,000,000 survey responses exported to CSV through the real export code.

Seeds a SQLite database (migrated by the app, responses inserted with one executemany in
one transaction), then, each in a fresh subprocess so that peak memory is its own:

- export: ``nudgelayer.surveys.export.write(..., "csv", ...)`` — the code behind the API
  and the CLI — into /dev/null;
- baseline: a bare ``csv.writer`` over the same rows (same SELECT, same join for the
  e-mail, same order) read from the same database with ``sqlite3``, into /dev/null.

Each runs twice, alternating, and the faster run of each counts. ``ratio`` = export
rows/s ÷ baseline rows/s (goal ≥ 0.5); ``peak_rss_mb`` is the export process's VmHWM
(goal < 200 MB). The last line is the JSON object bench/run.py collects.

    .venv/bin/python bench/export_csv.py              # 1,000,000 rows
    .venv/bin/python bench/export_csv.py --rows 2000  # a quick check
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL_RATIO = 0.5
GOAL_RSS_MB = 200
QUESTIONS = [
    {"id": "nps", "type": "nps", "prompt": "How likely are you to recommend the queue?"},
    {"id": "sat", "type": "csat", "prompt": "How satisfied are you with search?"},
    {"id": "uses", "type": "multi", "prompt": "What do you use?", "options": ["Macros", "Views"]},
    {"id": "why", "type": "text", "prompt": "What would make it better?"},
]
TEXTS = [
    "Faster search, please",
    "The filter forgets my choice after a reload",
    '=HYPERLINK("https://evil.test")',  # neutralised on export
    "Fine as it is",
    "- more shortcuts\n- dark mode",
]
# The export's query, written out for the baseline: same columns, join and order.
BASELINE_SQL = """
SELECT response.uuid, response.created_at, response.version, response.completed,
       "user".email, response.url, response.answers
FROM response LEFT OUTER JOIN "user" ON "user".id = response.user_id
WHERE response.workspace_id = ? AND response.experience_id = ?
ORDER BY response.created_at, response.id
"""


def _status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return round(int(line.split()[1]) / 1024, 1)
    raise RuntimeError(f"no {field}")


def peak_rss_mb() -> float:
    """Peak resident memory of this process (VmHWM): start-up included."""
    return _status_mb("VmHWM")


def rss_mb() -> float:
    return _status_mb("VmRSS")


# ---------------------------------------------------------------- seeding


def seed(workdir: Path, rows: int) -> tuple[str, int, int]:
    """Migrate a new SQLite database, create a published survey, insert ``rows`` answers."""
    db_path = workdir / "bench.db"
    os.environ["NUDGELAYER_INSTANCE"] = str(workdir / "instance")
    from flask_migrate import upgrade

    from nudgelayer import create_app
    from nudgelayer.auth import service as auth
    from nudgelayer.experiences import service
    from nudgelayer.extensions import db
    from nudgelayer.models import User

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}", "WEBHOOK_SENDER": False})
    with app.app_context():
        upgrade()
        ws = auth.create_workspace("Bench", "bench")
        # Nobody signs in here: a hash no password matches saves argon2's deliberate slowness.
        no_login = "!"
        users = [
            User(workspace_id=ws.id, email=f"{name}@bench.local", password_hash=no_login, role=role)
            for name, role in [("staff0", "staff"), ("staff1", "staff"), ("staff2", "staff")]
            + [("admin", "admin")]
        ]
        db.session.add_all(users)
        db.session.flush()
        admin = users.pop()
        exp = service.create(
            admin,
            "survey",
            "Queue survey",
            {"url": "https://tickets.example.com/*"},
            {"questions": QUESTIONS},
        )
        service.publish(admin, exp)
        db.session.commit()
        ids = (ws.id, exp.id, [u.id for u in users])
        db.engine.dispose()

    workspace_id, experience_id, user_ids = ids
    rng = random.Random(7)
    start = datetime(2026, 1, 1)

    def generate():
        for n in range(rows):
            # SQLAlchemy's own storage format for DateTime on SQLite.
            at = (start + timedelta(seconds=n * 3)).strftime("%Y-%m-%d %H:%M:%S.%f")
            answers = {"nps": rng.randrange(11), "sat": rng.randrange(1, 6)}
            if n % 3:
                answers["uses"] = ["Macros", "Views"][: 1 + n % 2]
            if n % 4 == 0:
                answers["why"] = TEXTS[n % len(TEXTS)]
            completed = n % 5 != 0
            yield (
                str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                workspace_id,
                experience_id,
                1,
                None if n % 10 == 0 else user_ids[n % len(user_ids)],  # some anonymous
                json.dumps(answers),
                completed,
                None if n % 10 == 0 else f"https://tickets.example.com/queue/{n % 500}",
                at,
                at,
                at if completed else None,
            )

    began = time.perf_counter()
    conn = sqlite3.connect(db_path)
    with conn:  # one transaction
        conn.executemany(
            "INSERT INTO response (uuid, workspace_id, experience_id, version, user_id, answers,"
            " completed, url, created_at, updated_at, completed_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            generate(),
        )
    conn.close()
    print(f"seeded {rows} responses in {time.perf_counter() - began:.1f} s", file=sys.stderr)
    return str(db_path), workspace_id, experience_id


# ---------------------------------------------------------------- the two measured children


def child_export(db_path: str, experience_id: int, out: str) -> dict:
    from nudgelayer import create_app
    from nudgelayer.extensions import db
    from nudgelayer.models import Experience
    from nudgelayer.surveys import export
    from nudgelayer.surveys.filters import Filters

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}", "WEBHOOK_SENDER": False})
    with app.app_context():
        exp = db.session.get(Experience, experience_id)
        before = rss_mb()
        began, cpu = time.perf_counter(), time.process_time()
        with open(out, "wb") as fh:
            written = export.write(exp, "csv", Filters(), fh)
        seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
    return {
        "rows": written,
        "seconds": seconds,
        "cpu_seconds": cpu,
        "peak_rss_mb": peak_rss_mb(),
        "rss_before_mb": before,
        "rss_after_mb": rss_mb(),
    }


def child_baseline(db_path: str, workspace_id: int, experience_id: int, out: str) -> dict:
    began, cpu = time.perf_counter(), time.process_time()
    conn = sqlite3.connect(db_path)
    cursor = conn.execute(BASELINE_SQL, (workspace_id, experience_id))
    written = 0
    with open(out, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(
            ["response_id", "created_at", "version", "completed", "user_email", "url", "answers"]
        )
        while batch := cursor.fetchmany(2000):
            writer.writerows(batch)
            written += len(batch)
    conn.close()
    return {
        "rows": written,
        "seconds": time.perf_counter() - began,
        "cpu_seconds": time.process_time() - cpu,
        "peak_rss_mb": peak_rss_mb(),
    }


def run_child(*args: str) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--child", *args],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "backend")},
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------- main


def measure(workdir: Path, rows: int, rounds: int) -> tuple[list[dict], list[dict]]:
    db_path, workspace_id, experience_id = seed(workdir, rows)
    exports, baselines = [], []
    for _ in range(rounds):
        baselines.append(
            run_child("baseline", db_path, str(workspace_id), str(experience_id), os.devnull)
        )
        exports.append(run_child("export", db_path, str(experience_id), os.devnull))
    # The export must really have written every row (header aside).
    sample = workdir / "sample.csv"
    check = run_child("export", db_path, str(experience_id), str(sample))
    with sample.open(encoding="utf-8", newline="") as fh:
        lines = sum(1 for _ in csv.reader(fh)) - 1
    sample.unlink()
    if not (lines == check["rows"] == rows):
        raise RuntimeError(f"exported {lines} rows of {rows}")
    return exports, baselines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="responses to seed")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each; the best counts")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        if kind == "export":
            result = child_export(rest[0], int(rest[1]), rest[2])
        else:
            result = child_baseline(rest[0], int(rest[1]), int(rest[2]), rest[3])
        print(json.dumps(result))
        return
    if args.rows < 1 or args.rounds < 1:
        parser.error("--rows and --rounds must be at least 1")

    with tempfile.TemporaryDirectory(prefix="nl-bench-export-") as tmp:
        exports, baselines = measure(Path(tmp), args.rows, args.rounds)

    best = min(exports, key=lambda r: r["seconds"])
    base = min(baselines, key=lambda r: r["seconds"])
    rows_per_s = args.rows / best["seconds"]
    baseline_per_s = args.rows / base["seconds"]
    # CPU seconds too: on a busy machine they show the work itself, wall time the wait.
    cpu = min(r["cpu_seconds"] for r in exports)
    base_cpu = min(r["cpu_seconds"] for r in baselines)
    rss = max(r["peak_rss_mb"] for r in exports)
    results = {
        "export_csv_1m": {
            "rows": args.rows,
            "rows_per_s": round(rows_per_s),
            "baseline_rows_per_s": round(baseline_per_s),
            "ratio": round(rows_per_s / baseline_per_s, 3),
            "goal_ratio": GOAL_RATIO,
            "seconds": round(best["seconds"], 2),
            "baseline_seconds": round(base["seconds"], 2),
            "cpu_ratio": round(base_cpu / cpu, 3),
            "cpu_seconds": round(cpu, 2),
            "baseline_cpu_seconds": round(base_cpu, 2),
            "rounds": args.rounds,
            "database": "sqlite",
        },
        "export_csv_1m_rss": {
            "peak_rss_mb": rss,
            "baseline_peak_rss_mb": max(r["peak_rss_mb"] for r in baselines),
            # Resident memory just before and after writing every row: the export's own
            # footprint. (The peak is set at start-up: importing the app hashes a dummy
            # password with argon2, 64 MiB, once.)
            "rss_before_export_mb": max(r["rss_before_mb"] for r in exports),
            "rss_after_export_mb": max(r["rss_after_mb"] for r in exports),
            "goal_mb": GOAL_RSS_MB,
            "rows": args.rows,
        },
    }
    print(
        f"export {rows_per_s:,.0f} rows/s, bare csv.writer {baseline_per_s:,.0f} rows/s, "
        f"ratio {rows_per_s / baseline_per_s:.2f} (CPU time {base_cpu / cpu:.2f}); "
        f"export peak RSS {rss} MB",
        file=sys.stderr,
    )
    print(json.dumps(results, separators=(",", ":")), flush=True)


if __name__ == "__main__":
    main()
