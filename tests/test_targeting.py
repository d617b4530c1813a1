"""Targeting vectors shared with the extension: the backend evaluator gives every expected answer.

shared-schemas/examples/segment-cases.json and url-cases.json were worked out by hand
from docs/protocol.md; the extension's tests run the same files against its own
evaluator, so both sides show an experience to exactly the same people on the same pages.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nudgelayer.experiences.schemas import SEGMENT_OPS, check_segment_rule
from nudgelayer.experiences.targeting import segment_matches, url_matches

EXAMPLES = Path(__file__).resolve().parents[1] / "shared-schemas" / "examples"
SEGMENT_CASES = json.loads((EXAMPLES / "segment-cases.json").read_text())
URL_CASES = json.loads((EXAMPLES / "url-cases.json").read_text())


def _ops(rule) -> set[str]:
    if not isinstance(rule, dict):
        return set()
    if "op" in rule:
        return {rule["op"]}
    if "not" in rule:
        return _ops(rule["not"])
    return set().union(*(_ops(r) for r in rule.get("all", []) + rule.get("any", [])))


@pytest.mark.parametrize("case", SEGMENT_CASES, ids=[c["name"] for c in SEGMENT_CASES])
def test_segment_case(case):
    if case["rule"] is not None:
        # A vector must be a rule the backend would store; the evaluators may rely on it.
        check_segment_rule(case["rule"])
    # "counts" (event counts) is absent where the evaluator does not know them.
    assert segment_matches(case["rule"], case["attrs"], case.get("counts")) is case["expected"]


@pytest.mark.parametrize("case", URL_CASES, ids=[c["name"] for c in URL_CASES])
def test_url_case(case):
    assert url_matches(case["pattern"], case["url"]) is case["expected"]


def test_vectors_cover_the_protocol():
    assert len(SEGMENT_CASES) >= 60 and len(URL_CASES) >= 30
    names = [c["name"] for c in SEGMENT_CASES + URL_CASES]
    assert len(names) == len(set(names)), "case names are test ids: keep them unique"
    assert set().union(*(_ops(c["rule"]) for c in SEGMENT_CASES)) == set(SEGMENT_OPS)
    rules = json.dumps([c["rule"] for c in SEGMENT_CASES])
    assert all(f'"{key}":' in rules for key in ("all", "any", "not"))
    # Both answers occur for every op, so a constant evaluator cannot pass.
    for op in SEGMENT_OPS:
        answers = {c["expected"] for c in SEGMENT_CASES if op in _ops(c["rule"])}
        assert answers == {True, False}, op
    assert {c["expected"] for c in URL_CASES} == {True, False}
