"""Evaluation of targeting: URL globs and segment rules.

The extension has the same evaluator (extension/src/shared/targeting.js); both follow
shared-schemas/targeting.schema.json and must give the same answers.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1024)
def _glob_regex(pattern: str) -> re.Pattern[str]:
    return re.compile("^" + ".*".join(re.escape(part) for part in pattern.split("*")) + "$", re.S)


def url_matches(pattern: str, url: str) -> bool:
    """``*`` matches any run of characters; everything else is literal.

    The fragment is never compared, and the query only when the pattern has one.
    """
    url = url.split("#", 1)[0]
    if "?" not in pattern:
        url = url.split("?", 1)[0]
    return bool(_glob_regex(pattern).match(url))


def _compare(op: str, actual: Any, expected: Any) -> bool:
    if isinstance(actual, bool) or isinstance(expected, bool):
        return False
    if isinstance(actual, int | float) and isinstance(expected, int | float):
        a, b = actual, expected
    elif isinstance(actual, str) and isinstance(expected, str):
        a, b = actual, expected
    else:
        return False
    return {"gt": a > b, "gte": a >= b, "lt": a < b, "lte": a <= b}[op]


def segment_matches(rule: dict | None, attrs: dict[str, Any]) -> bool:
    """True when ``attrs`` satisfy ``rule``; no rule admits everyone."""
    if not rule:
        return True
    if "all" in rule:
        return all(segment_matches(r, attrs) for r in rule["all"])
    if "any" in rule:
        return any(segment_matches(r, attrs) for r in rule["any"])
    if "not" in rule:
        return not segment_matches(rule["not"], attrs)
    op, value = rule["op"], rule.get("value")
    present = rule["attr"] in attrs and attrs[rule["attr"]] is not None
    actual = attrs.get(rule["attr"])
    if op == "exists":
        return present == (value if value is not None else True)
    if not present:
        return op in ("neq", "nin")
    if op == "eq":
        return _same_scalar(actual, value)
    if op == "neq":
        return not _same_scalar(actual, value)
    if op == "in":
        return any(_same_scalar(actual, v) for v in value)
    if op == "nin":
        return not any(_same_scalar(actual, v) for v in value)
    if op == "contains":
        if isinstance(actual, list):
            return any(_same_scalar(a, value) for a in actual)
        return isinstance(actual, str) and isinstance(value, str) and value in actual
    return _compare(op, actual, value)


def _same_scalar(a: Any, b: Any) -> bool:
    """Equality without Python's True == 1 coercion, so JS and Python agree."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    return type(a) is type(b) and a == b
