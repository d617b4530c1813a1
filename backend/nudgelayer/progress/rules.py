"""Progress rules, as pure functions: which stored events complete a rule.

A rule is the ``done_when`` form of checklist items (docs/protocol.md, "Progress"):
``{event, url?, selector?, experience_id?, count?}``. It is evaluated against *buckets*:
a user's events grouped by (type, url, experience_id, selector), with their count and
first time. Grouping makes evaluation independent of the order events arrived in and of
how often a batch was retried (each event is stored once, by its uuid).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..experiences.targeting import url_matches

# The extension reports clicks on watched selectors as this event type.
CLICK_EVENT = "target.clicked"
PAGE_VIEW_EVENT = "page.view"
# The event the server itself records (once) when a user's checklist is complete; team
# statistics count these, tour.completed and the like.
CHECKLIST_COMPLETED = "checklist.completed"
COMPLETION_EVENTS = (
    CHECKLIST_COMPLETED,
    "tour.completed",
    "survey.completed",
    "experience.completed",
)


@dataclass(frozen=True)
class Rule:
    event_type: str  # as stored: "target.clicked" for a click rule
    url: str | None = None
    selector: str | None = None
    experience_id: int | None = None
    count: int = 1


@dataclass(frozen=True)
class Bucket:
    type: str
    url: str | None
    experience_id: int | None
    selector: str | None
    count: int
    first: datetime


def item_rule(item: dict[str, Any]) -> Rule | None:
    """The rule that ticks a checklist item, or None when only a person can tick it.

    ``done_when`` wins; ``{}`` means "by hand". Without ``done_when``, an item with a
    ``url`` is done once the user has viewed that page.
    """
    raw = item.get("done_when")
    if raw is None:
        url = item.get("url")
        return Rule(PAGE_VIEW_EVENT, url=url) if isinstance(url, str) and url else None
    if not isinstance(raw, dict) or not raw.get("event"):
        return None
    event = raw["event"]
    return Rule(
        event_type=CLICK_EVENT if event == "click" else event,
        url=raw.get("url"),
        selector=raw.get("selector"),
        experience_id=raw.get("experience_id"),
        count=int(raw.get("count", 1)),
    )


def bucket_matches(rule: Rule, bucket: Bucket) -> bool:
    if bucket.type != rule.event_type:
        return False
    if rule.experience_id is not None and bucket.experience_id != rule.experience_id:
        return False
    if rule.selector is not None and bucket.selector != rule.selector:
        return False
    return rule.url is None or (bucket.url is not None and url_matches(rule.url, bucket.url))


def matching(rule: Rule, buckets: Iterable[Bucket]) -> list[Bucket]:
    return [b for b in buckets if bucket_matches(rule, b)]


def is_done(rule: Rule, buckets: Iterable[Bucket]) -> bool:
    return sum(b.count for b in matching(rule, buckets)) >= rule.count


def watch_entries(content: dict[str, Any], page_glob: str) -> list[dict[str, str]]:
    """What the extension must report for a checklist's rules: page views and clicks.

    The extension records nothing else: a page view only on pages some rule names (the
    checklist's own pages when a rule names none), a click only on a named selector.
    """
    out = []
    for item in content.get("items") or []:
        rule = item_rule(item)
        if rule is None:
            continue
        url = rule.url or page_glob
        if rule.event_type == PAGE_VIEW_EVENT:
            out.append({"event": PAGE_VIEW_EVENT, "url": url})
        elif rule.event_type == CLICK_EVENT and rule.selector:
            out.append({"event": "click", "selector": rule.selector, "url": url})
    return out
