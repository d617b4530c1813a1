"""Answers checked against their questions, and the path a respondent takes through branches.

Scales: nps 0–10, csat 1–5, rating 1–5 or 1–10 (the question's ``scale``, default 5).
A single answer is one option; a multi answer is a non-empty list of distinct options,
stored in the question's option order; a text answer is 1 to 5000 characters.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..experiences.schemas import BRANCH_END

MAX_TEXT = 5000
SCALES = {"nps": (0, 10), "csat": (1, 5)}


def scale_of(question: dict[str, Any]) -> tuple[int, int] | None:
    kind = question["type"]
    if kind == "rating":
        return 1, int(question.get("scale", 5))
    return SCALES.get(kind)


def check_value(question: dict[str, Any], value: Any) -> tuple[Any, str | None]:
    """Return (the value as stored, None) or (None, what is wrong with it)."""
    kind = question["type"]
    scale = scale_of(question)
    if scale is not None:
        low, high = scale
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            return None, f"A whole number from {low} to {high}."
        return value, None
    options = list(question.get("options") or [])
    if kind == "single":
        if not isinstance(value, str) or value not in options:
            return None, "One of the question's options."
        return value, None
    if kind == "multi":
        ok = isinstance(value, list) and value and all(isinstance(v, str) for v in value)
        if not ok or len(set(value)) != len(value) or not set(value) <= set(options):
            return None, "A non-empty list of distinct options of the question."
        chosen = set(value)
        return [o for o in options if o in chosen], None
    if kind == "text":
        if not isinstance(value, str) or not value.strip():
            return None, "Text of 1 to 5000 characters."
        if len(value) > MAX_TEXT:
            return None, f"At most {MAX_TEXT} characters."
        if "\x00" in value:
            return None, "Text cannot contain NUL characters."
        return value, None
    return None, "This question type cannot be answered."  # pragma: no cover


def check_answers(
    questions: list[dict[str, Any]], answers: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Return (answers as stored, errors by question id); unknown question ids are errors."""
    by_id = {q["id"]: q for q in questions}
    clean: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for qid, value in answers.items():
        question = by_id.get(qid)
        if question is None:
            errors[qid] = ["Unknown question."]
            continue
        stored, problem = check_value(question, value)
        if problem:
            errors[qid] = [problem]
        else:
            clean[qid] = stored
    return clean, errors


def branch_target(question: dict[str, Any], value: Any) -> str | None:
    """The question id (or "end") an answer leads to; None means "the next question"."""
    branches = question.get("next") or {}
    if not branches:
        return None
    if isinstance(value, list):
        # multi: the first chosen option, in option order, that has a branch decides.
        for option in value:
            if option in branches:
                return branches[option]
        return None
    return branches.get(str(value))


def walk(
    questions: list[dict[str, Any]], answers: dict[str, Any], completed: bool
) -> Iterator[tuple[str, bool]]:
    """(question id, answered) for each question a respondent reached, in order.

    An unanswered question on the path is where a partial response stopped; in a
    completed response it was skipped and the path goes on.
    """
    position = {q["id"]: i for i, q in enumerate(questions)}
    index = 0
    while index < len(questions):
        question = questions[index]
        value = answers.get(question["id"])
        if value is None:
            yield question["id"], False
            if not completed:
                return
            index += 1
            continue
        yield question["id"], True
        target = branch_target(question, value)
        if target == BRANCH_END:
            return
        # Branch targets are always later questions (checked when authored), so this ends.
        index = position[target] if target in position else index + 1
