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


# Three-valued logic for event-count conditions: without the user's counts (the server's
# feed filter, the extension's cache) they are UNKNOWN, and an unknown rule admits; the
# final decision is made where the counts are known. With counts, nothing is unknown.
UNKNOWN = None


def segment_matches(
    rule: dict | None, attrs: dict[str, Any], counts: dict[str, Any] | None = None
) -> bool:
    """True when ``attrs`` (and, for event conditions, ``counts``) satisfy ``rule``.

    No rule admits everyone. ``counts`` maps an event type to ``{"<days>": n}``; a pair
    it lacks counts as 0. Without ``counts``, event conditions are unknown and a rule
    whose answer depends on them admits (see UNKNOWN).
    """
    if not rule:
        return True
    return _eval(rule, attrs, counts) is not False


def _eval(rule: dict, attrs: dict[str, Any], counts: dict[str, Any] | None) -> bool | None:
    if "all" in rule:
        answers = [_eval(r, attrs, counts) for r in rule["all"]]
        return False if False in answers else (UNKNOWN if UNKNOWN in answers else True)
    if "any" in rule:
        answers = [_eval(r, attrs, counts) for r in rule["any"]]
        return True if True in answers else (UNKNOWN if UNKNOWN in answers else False)
    if "not" in rule:
        inner = _eval(rule["not"], attrs, counts)
        return UNKNOWN if inner is UNKNOWN else not inner
    if "event" in rule:
        if counts is None:
            return UNKNOWN
        return count_holds(rule["count"], event_count(counts, rule["event"], rule["within_days"]))
    return _condition(rule, attrs)


def event_count(counts: dict[str, Any], event: str, within_days: int) -> int:
    """How many ``event`` events the user had in the last ``within_days`` days (0 if unknown)."""
    per_event = counts.get(event)
    n = per_event.get(str(within_days)) if isinstance(per_event, dict) else None
    return n if isinstance(n, int) and not isinstance(n, bool) else 0


COUNT_OPS = ("eq", "gt", "gte", "lt", "lte")


def count_holds(bounds: dict[str, int], n: int) -> bool:
    """Every bound of ``{op: number}`` holds for the count ``n``."""
    return all(
        _same_scalar(n, bound) if op == "eq" else _compare(op, n, bound)
        for op, bound in bounds.items()
    )


def _condition(rule: dict, attrs: dict[str, Any]) -> bool:
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


def event_conditions(rule: Any) -> list[tuple[str, int]]:
    """Every (event type, within_days) pair a rule counts, in order, without repeats."""
    found: list[tuple[str, int]] = []

    def walk(node: Any) -> None:
        if not isinstance(node, dict):
            return
        if "event" in node:
            pair = (node["event"], node["within_days"])
            if pair not in found:
                found.append(pair)
        for key in ("all", "any"):
            for sub in node.get(key) or []:
                walk(sub)
        walk(node.get("not"))

    walk(rule)
    return found


def _ascii_lower(text: str) -> str:
    # Not str.lower(): JavaScript's toLowerCase() differs from it outside ASCII (final sigma).
    return text.translate(_ASCII_LOWER)


_ASCII_LOWER = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}


def locale_matches(wanted: str, attrs: dict[str, Any]) -> bool:
    """``de`` matches a user locale ``de``, ``de-AT`` or ``de_at`` (ASCII case-insensitive)."""
    have = attrs.get("locale")
    if not isinstance(have, str):
        return False
    have = _ascii_lower(have).replace("_", "-")
    want = _ascii_lower(wanted).replace("_", "-")
    return have == want or have.startswith(want + "-")


def variant_matches(variant: dict, attrs: dict[str, Any], counts: dict | None = None) -> bool:
    if "locale" in variant and not locale_matches(variant["locale"], attrs):
        return False
    return segment_matches(variant.get("segment"), attrs, counts)


def resolve_content(
    targeting: dict, content: dict, attrs: dict[str, Any], counts: dict | None = None
) -> tuple[int | None, dict]:
    """The content this user sees: the first matching variant's, else the base content.

    Returns (index of the variant or None, content).
    """
    for i, variant in enumerate((targeting or {}).get("variants") or []):
        if variant_matches(variant, attrs, counts):
            return i, variant["content"]
    return None, content


def fnv1a32(text: str) -> int:
    """32-bit FNV-1a of the UTF-8 bytes: a stable hash both evaluators compute alike."""
    h = 0x811C9DC5
    for byte in text.encode():
        h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
    return h


def experiment_arm(experiment: dict | None, experience_id: int, user_id: int) -> str | None:
    """``"control"`` or ``"treatment"`` for an experience run as an A/B test, else None.

    Deterministic: the same user is always in the same arm of the same experience.
    """
    if not experiment:
        return None
    bucket = fnv1a32(f"{experience_id}:{user_id}") % 100
    return "control" if bucket < experiment["control_percent"] else "treatment"


def _same_scalar(a: Any, b: Any) -> bool:
    """Equality without Python's True == 1 coercion, so JS and Python agree."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    return type(a) is type(b) and a == b
