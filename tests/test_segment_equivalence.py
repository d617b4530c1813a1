"""Property test: the backend and the extension evaluate segment rules identically.

Hypothesis generates random valid rules (conditions, event counts, all/any/not), random
attribute maps, event counts (or none: the three-valued mode of the feed and cache
filters), per-segment and per-locale variants, and experiment assignments. Each case goes
through backend/nudgelayer/experiences/targeting.py here and through
extension/src/shared/targeting.js in a `node` process, which reads cases as JSON lines.
Every answer must be the same; at least 1,000 cases run.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nudgelayer.experiences.schemas import check_segment_rule
from nudgelayer.experiences.targeting import experiment_arm, resolve_content, segment_matches

ROOT = Path(__file__).resolve().parents[1]
TARGETING_JS = ROOT / "extension" / "src" / "shared" / "targeting.js"
CASES = 1200

NODE_SCRIPT = f"""
import {{ createInterface }} from "node:readline";
import {{ experimentArm, resolveContent, segmentMatches }} from {json.dumps(TARGETING_JS.as_uri())};
const lines = createInterface({{ input: process.stdin }});
for await (const line of lines) {{
  const c = JSON.parse(line);
  const answer = {{
    with_counts: segmentMatches(c.rule, c.attrs, c.counts ?? {{}}),
    without_counts: segmentMatches(c.rule, c.attrs),
    variant: resolveContent(c.targeting, c.content, c.attrs, c.counts ?? {{}}).index,
    arm: experimentArm(c.experiment, c.experience_id, c.user_id),
  }};
  process.stdout.write(JSON.stringify(answer) + "\\n");
}}
"""

NAMES = ["role", "team", "tenure", "locale", "flags", "score", "missing", "é"]
EVENTS = ["ticket.closed", "report.exported", "tour.completed"]
DAYS = [1, 7, 30]
LOCALES = ["de", "de-AT", "de_at", "pt-BR", "PT", "en", "en-GB-oxendict"]
USER_LOCALES = [*LOCALES, "DE-at", "pt_br", "english", "", "Σ", "de-", "deu"]

text = st.text(alphabet=st.sampled_from(list("aAbS1 _-éΣς😀")), max_size=5)
scalar = st.one_of(
    text,
    st.sampled_from(["staff", "admin", "ops", "1", ""]),
    st.integers(-5, 5),
    st.floats(-10, 10, allow_nan=False, allow_infinity=False),
    st.booleans(),
)
attr_value = st.one_of(scalar, st.none(), st.lists(scalar, max_size=3), st.just({"a": 1}))


@st.composite
def condition(draw):
    attr = draw(st.sampled_from(NAMES))
    op = draw(
        st.sampled_from(["eq", "neq", "in", "nin", "contains", "gt", "gte", "lt", "lte", "exists"])
    )
    if op == "exists":
        return (
            {"attr": attr, "op": op}
            if draw(st.booleans())
            else {"attr": attr, "op": op, "value": draw(st.booleans())}
        )
    if op in ("in", "nin"):
        return {"attr": attr, "op": op, "value": draw(st.lists(scalar, max_size=4))}
    if op in ("gt", "gte", "lt", "lte"):
        value = draw(st.one_of(text, st.integers(-5, 5), st.floats(-10, 10, allow_nan=False)))
        return {"attr": attr, "op": op, "value": value}
    return {"attr": attr, "op": op, "value": draw(scalar)}


@st.composite
def event_condition(draw):
    bounds = draw(
        st.dictionaries(
            st.sampled_from(["eq", "gt", "gte", "lt", "lte"]), st.integers(0, 6), min_size=1
        )
    )
    return {
        "event": draw(st.sampled_from(EVENTS)),
        "count": bounds,
        "within_days": draw(st.sampled_from(DAYS)),
    }


rules = st.recursive(
    st.one_of(condition(), event_condition()),
    lambda children: st.one_of(
        st.builds(lambda xs: {"all": xs}, st.lists(children, min_size=1, max_size=3)),
        st.builds(lambda xs: {"any": xs}, st.lists(children, min_size=1, max_size=3)),
        st.builds(lambda x: {"not": x}, children),
    ),
    max_leaves=8,
)

attrs_maps = st.fixed_dictionaries(
    {},
    optional={
        **{name: attr_value for name in NAMES if name not in ("missing", "locale")},
        "locale": st.one_of(st.sampled_from(USER_LOCALES), st.none(), st.integers(0, 2)),
    },
)
counts_maps = st.one_of(
    st.none(),
    st.dictionaries(
        st.sampled_from(EVENTS),
        st.dictionaries(st.sampled_from([str(d) for d in DAYS]), st.integers(0, 8)),
    ),
)


@st.composite
def variant(draw):
    out: dict = {}
    if draw(st.booleans()):
        out["segment"] = draw(rules)
    if not out or draw(st.booleans()):
        out["locale"] = draw(st.sampled_from(LOCALES))
    out["content"] = {"text": draw(text)}
    return out


@st.composite
def case(draw):
    rule = draw(rules)
    return {
        "rule": rule,
        "attrs": draw(attrs_maps),
        "counts": draw(counts_maps),
        "targeting": {"url": "*", "variants": draw(st.lists(variant(), max_size=3))},
        "content": {"text": "base"},
        "experiment": draw(
            st.one_of(
                st.none(),
                st.builds(
                    lambda p: {"control_percent": p, "conversion_event": "x"}, st.integers(1, 99)
                ),
            )
        ),
        "experience_id": draw(st.integers(1, 2**31 - 1)),
        "user_id": draw(st.integers(1, 2**31 - 1)),
    }


def python_answer(c: dict) -> dict:
    counts = c["counts"] if c["counts"] is not None else {}
    return {
        "with_counts": segment_matches(c["rule"], c["attrs"], counts),
        "without_counts": segment_matches(c["rule"], c["attrs"]),
        "variant": resolve_content(c["targeting"], c["content"], c["attrs"], counts)[0],
        "arm": experiment_arm(c["experiment"], c["experience_id"], c["user_id"]),
    }


class Node:
    """One node process answering a JSON line per case."""

    def __init__(self):
        self.proc = subprocess.Popen(  # noqa: S603 - our own script, no outside input
            [shutil.which("node") or "node", "--input-type=module", "-e", NODE_SCRIPT],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        self.seen = 0

    def ask(self, c: dict) -> dict:
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(json.dumps(c, ensure_ascii=False) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        assert line, f"node stopped (exit {self.proc.poll()})"
        self.seen += 1
        return json.loads(line)

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        self.proc.wait(timeout=10)


@pytest.fixture(scope="module")
def node():
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    n = Node()
    yield n
    n.close()
    assert n.seen >= CASES, f"only {n.seen} cases ran"


@settings(
    max_examples=CASES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(c=case())
def test_backend_and_extension_give_the_same_answers(node, c):
    for r in [c["rule"], *(v["segment"] for v in c["targeting"]["variants"] if "segment" in v)]:
        check_segment_rule(r)  # every generated rule is one the API would store
    assert node.ask(c) == python_answer(c), json.dumps(c, ensure_ascii=False)


def test_unknown_event_counts_admit_and_known_ones_decide(node):
    """The three-valued mode, by hand: what the feed and the cache filters rely on."""
    rule = {
        "all": [
            {"attr": "role", "op": "eq", "value": "staff"},
            {"not": {"event": "ticket.closed", "count": {"gte": 3}, "within_days": 7}},
        ]
    }
    for attrs, counts, expected in [
        ({"role": "staff"}, None, True),  # unknown: admitted, decided later
        ({"role": "admin"}, None, False),  # false whatever the counts
        ({"role": "staff"}, {"ticket.closed": {"7": 3}}, False),
        ({"role": "staff"}, {}, True),  # known, and no events: 0 < 3
    ]:
        c = {
            "rule": rule,
            "attrs": attrs,
            "counts": counts,
            "targeting": {"url": "*"},
            "content": {},
            "experiment": None,
            "experience_id": 1,
            "user_id": 1,
        }
        key = "without_counts" if counts is None else "with_counts"
        assert python_answer(c)[key] is expected
        assert node.ask(c)[key] is expected
