"""Selector resilience: does a tour still find its element after the host app changed?

A corpus of (element, DOM mutation) cases from realistic page templates (bench/fixtures/):
class names re-hashed, a look-alike sibling inserted before, text edited slightly, a
wrapper container added, identifying attributes removed, lists reordered, a framework
re-render (new nodes, new hashes), all at once, and elements truly removed (where the
right answer is "not found"). For each case the element is described with Nudgelayer's
describer before the change and resolved with its resolver after it, in headless
Chromium; the baseline is one CSS selector of the kind simple recorders generate
(id, else a tag.class / :nth-child path), resolved on the same changed page.

    .venv/bin/python bench/selector_recovery.py [--verbose]

Prints the share found correctly, matched wrongly (a wrong element is worse than none)
and not found, per mutation and overall; the last line is the JSON for bench/run.py.
Goal: at least 95% found correctly, under 1% wrong.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
EXTENSION = ROOT / "extension"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ESBUILD = EXTENSION / "node_modules" / ".bin" / "esbuild"
PAGES = ["helpdesk", "settings", "shop_admin", "crm_contact", "docs"]
MUTATIONS = [
    "rehash",
    "insert_sibling",
    "edit_text",
    "wrap",
    "remove_attr",
    "remove_all_attrs",
    "shuffle",
    "rerender",
    "combo",
]
TARGETS_PER_PAGE = 8
REMOVED_PER_PAGE = 5
SEED = int(os.environ.get("SELECTOR_BENCH_SEED", "20261203"))


def skip(reason: str) -> None:
    print(json.dumps({"selector_recovery": {"skipped": reason}}))
    sys.exit(0)


def bundle(out: Path) -> None:
    """describe.js + resolve.js as one script exposing window.NL (the extension's esbuild)."""
    entry = out.with_suffix(".entry.js")
    content = EXTENSION / "src" / "content"
    entry.write_text(
        f'import {{ describeElement }} from "{content / "describe.js"}";\n'
        f'import {{ resolve }} from "{content / "resolve.js"}";\n'
        "window.NL = { describeElement, resolve };\n"
    )
    subprocess.run(
        [str(ESBUILD), str(entry), "--bundle", "--format=iife", f"--outfile={out}"]
        + ["--log-level=warning"],
        check=True,
        cwd=EXTENSION,
    )


def make_cases(counts: list[int]) -> list[dict]:
    rnd = random.Random(SEED)
    cases = []
    for page, count in enumerate(counts):
        chosen = rnd.sample(range(count), min(count, TARGETS_PER_PAGE + REMOVED_PER_PAGE))
        for target in chosen[:TARGETS_PER_PAGE]:
            for mutation in MUTATIONS:
                seed = rnd.randrange(2**31)
                cases.append(
                    {"fixture": page, "target": target, "mutation": mutation, "seed": seed}
                )
        for target in chosen[TARGETS_PER_PAGE:]:
            seed = rnd.randrange(2**31)
            cases.append({"fixture": page, "target": target, "mutation": "remove", "seed": seed})
    return cases


def pct(n: int, total: int) -> float:
    return round(100.0 * n / total, 2) if total else 0.0


def main() -> None:
    verbose = "--verbose" in sys.argv
    if not Path(CHROMIUM).exists():
        skip(f"no Chromium at {CHROMIUM}")
    if not ESBUILD.exists():
        skip("extension/node_modules is missing (cd extension && npm ci)")
    from playwright.sync_api import sync_playwright

    fixtures = [(FIXTURES / f"{name}.html").read_text() for name in PAGES]
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "nl-bench.js"
        bundle(script)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
            )
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.set_content(
                "<!doctype html><html lang='en'><title>bench</title><body></body></html>"
            )
            page.add_script_tag(path=str(script))
            page.add_script_tag(path=str(FIXTURES / "harness.js"))
            page.evaluate("(f) => window.__bench.setFixtures(f)", fixtures)
            counts = page.evaluate("() => window.__bench.targetCounts()")
            cases = make_cases(counts)
            results = page.evaluate("(cases) => cases.map((c) => window.__bench.runCase(c))", cases)
            browser.close()

    total = len(results)
    ours = Counter(r["ours"] for r in results)
    base = Counter(r["baseline"] for r in results)
    by_mutation: dict[str, list[dict]] = defaultdict(list)
    for r in results:
        by_mutation[r["mutation"]].append(r)

    print(f"{total} cases on {len(PAGES)} page templates ({', '.join(PAGES)})")
    head = ("mutation", "cases", "found", "wrong", "missed", "baseline found", "wrong")
    print("{:<28}{:>6}{:>9}{:>8}{:>8}   {:>14}{:>8}".format(*head))

    def row(name: str, o: Counter, b: Counter, n: int) -> None:
        figures = [pct(o["found"], n), pct(o["wrong"], n), pct(o["not_found"], n)]
        figures += [pct(b["found"], n), pct(b["wrong"], n)]
        print(
            "{:<28}{:>6}{:>8.1f}%{:>7.1f}%{:>7.1f}%   {:>13.1f}%{:>7.1f}%".format(name, n, *figures)
        )

    for mutation in sorted(by_mutation):
        rows = by_mutation[mutation]
        row(
            mutation,
            Counter(r["ours"] for r in rows),
            Counter(r["baseline"] for r in rows),
            len(rows),
        )
    row("all", ours, base, total)
    times = sorted(r["ms"] for r in results)
    print(f"resolve time: median {times[len(times) // 2]:.2f} ms, max {times[-1]:.2f} ms")
    print("found = the same element, or correctly nothing when it was removed")
    if verbose:
        for r in results:
            if r["ours"] != "found":
                where = f"{PAGES[r['fixture']]}#{r['target']} <{r['tag']}>"
                print(
                    f"  {r['ours']:<10} {where} {r['mutation']} via={r['via']} reason={r['reason']}"
                )
    print(
        json.dumps(
            {
                "selector_recovery": {
                    "percent": pct(ours["found"], total),
                    "wrong_percent": pct(ours["wrong"], total),
                    "baseline_percent": pct(base["found"], total),
                    "baseline_wrong_percent": pct(base["wrong"], total),
                    "cases": total,
                }
            }
        )
    )


if __name__ == "__main__":
    main()
