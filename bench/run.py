"""Run the benchmarks and write bench/results.json (`make bench`).

Every ``bench/*.py`` except this file and ``_*.py`` helpers is a benchmark: a
standalone script that prints one JSON object on its last stdout line, keyed by
benchmark name (a script may report several), e.g.
``{"ingest": {"events_per_s": 1, "baseline_per_s": 2, "ratio": 0.5}}``. A script whose
prerequisite is missing reports ``{"<name>": {"skipped": "<reason>"}}`` and exits 0.

    .venv/bin/python bench/run.py                 # every benchmark
    .venv/bin/python bench/run.py ingest          # some scripts, by file name
    .venv/bin/python bench/run.py --strict        # exit 1 when a goal is missed
    .venv/bin/python bench/run.py --results /tmp/pg.json   # elsewhere than bench/results.json

Results are merged into bench/results.json: benchmarks not run this time keep their
last figures. Each script runs under a time limit and is killed past it.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results.json"
SCRIPT_TIMEOUT_S = 900

# name -> [(figure, comparison, goal)]; the table of goals.
GOALS: dict[str, list[tuple[str, str, float]]] = {
    "ingest": [("ratio", ">=", 0.5)],
    "push_fanout_1000": [("p99_ms", "<=", 200)],
    "sockets_per_process": [
        ("clients", ">=", 3000),
        ("peak_rss_mb", "<=", 250),
        ("p99_ms", "<=", 500),
    ],
    "export_csv_1m": [("ratio", ">=", 0.5)],
    "export_csv_1m_rss": [("peak_rss_mb", "<=", 200)],
    "content_script": [("gzip_kb", "<=", 20)],
    "first_overlay": [("ms", "<=", 100)],
    "host_overhead": [("ratio", "<=", 1.02)],
    "selector_recovery": [("percent", ">=", 95)],
}


def scripts(names: list[str]) -> list[Path]:
    found = sorted(
        p for p in HERE.glob("*.py") if p.name != "run.py" and not p.name.startswith("_")
    )
    if not names:
        return found
    wanted = {n.removesuffix(".py") for n in names}
    unknown = wanted - {p.stem for p in found}
    if unknown:
        raise SystemExit(f"no benchmark script named {', '.join(sorted(unknown))}")
    return [p for p in found if p.stem in wanted]


def run_script(path: Path) -> tuple[dict, float]:
    """The script's report, or {stem: {"error": ...}} when it failed or timed out."""
    started = time.monotonic()
    # Own process group: a timeout kills the script's servers and client processes too.
    proc = subprocess.Popen(
        [sys.executable, str(path)],
        cwd=HERE.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=SCRIPT_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        return {path.stem: {"error": f"timed out after {SCRIPT_TIMEOUT_S} s"}}, SCRIPT_TIMEOUT_S
    elapsed = time.monotonic() - started
    lines = out.strip().splitlines()
    try:
        report = json.loads(lines[-1]) if lines else None
    except json.JSONDecodeError:
        report = None
    if proc.returncode != 0 or not isinstance(report, dict):
        tail = (err.strip().splitlines() or ["no output"])[-1][:300]
        return {path.stem: {"error": f"exit {proc.returncode}: {tail}"}}, elapsed
    return report, elapsed


def verdict(name: str, figures: dict) -> str:
    if "skipped" in figures:
        return "skipped"
    if "error" in figures:
        return "error"
    goals = GOALS.get(name)
    if not goals:
        return "-"
    for key, op, goal in goals:
        value = figures.get(key)
        if not isinstance(value, int | float):
            return "miss"
        if (op == ">=" and value < goal) or (op == "<=" and value > goal):
            return "miss"
    return "pass"


def shown(name: str, figures: dict) -> str:
    if "skipped" in figures:
        return f"skipped: {figures['skipped']}"
    if "error" in figures:
        return figures["error"]
    keys = [k for k, _, _ in GOALS.get(name, [])] or list(figures)
    extra = [k for k in ("events_per_s", "baseline_per_s", "p50_ms") if k in figures]
    return ", ".join(f"{k}={figures[k]}" for k in dict.fromkeys(keys + extra) if k in figures)


def goal_text(name: str) -> str:
    return ", ".join(f"{k} {op} {g:g}" for k, op, g in GOALS.get(name, [])) or "-"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="benchmark script names (default: all)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a goal is missed")
    parser.add_argument(
        "--results",
        type=Path,
        default=RESULTS,
        help="where to merge the figures (default: %(default)s)",
    )
    args = parser.parse_args()

    results = json.loads(args.results.read_text()) if args.results.exists() else {}
    ran: list[str] = []
    for path in scripts(args.names):
        print(f"running {path.name} …", file=sys.stderr, flush=True)
        report, elapsed = run_script(path)
        for name, figures in report.items():
            figures = dict(figures) if isinstance(figures, dict) else {"error": "not an object"}
            figures["measured_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
            figures["script_s"] = round(elapsed, 1)
            results[name] = figures
            ran.append(name)
        args.results.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")

    header = ("benchmark", "figures", "goal", "result")
    rows = [(n, shown(n, results[n]), goal_text(n), verdict(n, results[n])) for n in ran]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]
    for row in [header, *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    verdicts = [r[3] for r in rows]
    if "error" in verdicts or (args.strict and "miss" in verdicts):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
