"""The habit digest: what is pending for one user, from the real state of each feature.

- checklist items not done yet (progress engine, when the progress feature is installed);
- goals the user committed to that are close to their deadline and not reached (the
  progress panel's own reminder);
- active warnings: warning banners whose signal holds for the user;
- surveys the user may answer and has neither answered nor dismissed;
- a streak that ends tonight unless the user does something today.

Each source is optional: a feature whose tables or modules are missing is skipped, so
the digest never claims what it cannot check. Shown in the page on the first visit of
the day (GET /client/nudges carries it) and sent daily or weekly to a chat webhook
(``nudgelayer send-digests``).
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from ..experiences.targeting import experiment_arm, resolve_content, segment_matches
from ..extensions import db
from ..models import Experience, Status, SurveyDisplay, User, Workspace, now_utc
from . import counts as counts_service
from . import signals as signals_service

log = logging.getLogger(__name__)
MAX_ITEMS = 20


def _live_for(user: User, counts: dict) -> list[tuple[Experience, dict]]:
    """The published experiences this user sees, with the content they see (variant)."""
    attrs = user.segment_attributes()
    out = []
    rows = db.session.scalars(
        select(Experience)
        .where(
            Experience.workspace_id == user.workspace_id,
            Experience.status == Status.published.value,
        )
        .order_by(Experience.id)
    )
    for exp in rows:
        version = exp.published_version
        if version is None:
            continue
        targeting = version.targeting or {}
        if not segment_matches(targeting.get("segment"), attrs, counts):
            continue
        if experiment_arm(targeting.get("experiment"), exp.id, user.id) == "control":
            continue
        _, content = resolve_content(targeting, version.content, attrs, counts)
        out.append((exp, content))
    return out


def _warnings(user: User, live: list[tuple[Experience, dict]]) -> list[dict[str, Any]]:
    mine = signals_service.for_user(user)
    items = []
    for exp, content in live:
        cond = content.get("signal") if exp.kind == "banner" else None
        if not cond:
            continue
        row = mine.get(cond["key"])
        value = row.value if row else None
        if row is not None and signals_service.condition_holds(cond, value):
            items.append(
                {
                    "kind": "warning",
                    "experience_id": exp.id,
                    "title": signals_service.render_text(content["text"], value),
                    "severity": content.get("severity", "warning"),
                }
            )
    return items


def _surveys(user: User, live: list[tuple[Experience, dict]]) -> list[dict[str, Any]]:
    surveys = [(e, c) for e, c in live if e.kind == "survey"]
    if not surveys:
        return []
    done = {
        row.experience_id
        for row in db.session.scalars(
            select(SurveyDisplay).where(
                SurveyDisplay.user_id == user.id,
                SurveyDisplay.experience_id.in_([e.id for e, _ in surveys]),
            )
        )
        if row.answered or row.dismissed_at is not None
    }
    now = now_utc()
    items = []
    for exp, content in surveys:
        ends = _naive(content.get("ends_at"))
        starts = _naive(content.get("starts_at"))
        if exp.id in done or (ends and ends <= now) or (starts and starts > now):
            continue
        items.append({"kind": "survey", "experience_id": exp.id, "title": exp.name})
    return items


def _naive(value: Any) -> datetime | None:
    """An ISO time from content as naive UTC (how times are stored), or None."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.astimezone(UTC).replace(tzinfo=None) if parsed.tzinfo else parsed


def _checklists(user: User, live: list[tuple[Experience, dict]]) -> list[dict[str, Any]]:
    checklists = [(e, c) for e, c in live if e.kind == "checklist"]
    if not checklists:
        return []
    try:
        from ..progress.engine import checklists_progress
    except ImportError:  # the progress feature is not installed: nothing to claim
        return []
    items = []
    for (exp, content), state in zip(
        checklists, checklists_progress(user, checklists), strict=True
    ):
        total, done = state["total"], len(state["done"])
        if done < total:
            left = [content["items"][i]["title"] for i in range(total) if i not in state["done"]]
            items.append(
                {
                    "kind": "checklist",
                    "experience_id": exp.id,
                    "title": content.get("title", exp.name),
                    "detail": f"{done} of {total} done; next: {left[0]}",
                }
            )
    return items


def _progress(user: User, now: datetime) -> list[dict[str, Any]]:
    """Goals near their deadline and streaks at risk, as the progress panel computes them."""
    try:
        from ..progress.service import client_gamification
    except ImportError:  # the progress feature is not installed: nothing to claim
        return []
    panel = client_gamification(user, now)
    items = []
    for goal in panel["goals"]:
        # The panel's own reminder: committed, active, close to the deadline, not reached.
        if goal.get("reminder"):
            items.append(
                {
                    "kind": "goal",
                    "goal_id": goal["id"],
                    "title": goal["title"],
                    "detail": goal["reminder"],
                    "due_at": goal["deadline"],
                }
            )
    for streak in panel["streaks"]:
        # Alive until tonight and not yet extended today: one action keeps it.
        if streak["current"] > 0 and not streak["active_today"]:
            items.append(
                {
                    "kind": "streak",
                    "title": f"{streak['name']}: keep your {streak['current']}-day streak",
                    "detail": f"One {streak['event_type']} today keeps it going.",
                }
            )
    return items


def _optional(source, *args) -> list[dict[str, Any]]:
    """One source of the digest; a feature whose tables are missing is skipped."""
    try:
        with db.session.begin_nested():
            return source(*args)
    except SQLAlchemyError as err:
        log.warning("digest source %s skipped: %s", source.__name__, err.__class__.__name__)
        return []


def for_user(
    user: User, counts: dict | None = None, now: datetime | None = None
) -> list[dict[str, Any]]:
    """The user's pending items, most urgent first (warnings, goals, checklists, surveys)."""
    now = now or now_utc()
    if counts is None:
        counts = counts_service.for_user(user, counts_service.live_pairs(user.workspace_id), now)
    live = _live_for(user, counts)
    items = _warnings(user, live)
    items += _optional(_progress, user, now)
    items += _optional(_checklists, user, live)
    items += _surveys(user, live)
    return items[:MAX_ITEMS]


# --- the chat digest ---------------------------------------------------------------------

LABELS = {
    "warning": "warning",
    "goal": "goal",
    "checklist": "checklist",
    "survey": "survey",
    "streak": "streak",
}


def _summary(items: list[dict[str, Any]]) -> str:
    counts: dict[str, int] = {}
    for item in items:
        counts[item["kind"]] = counts.get(item["kind"], 0) + 1
    return ", ".join(f"{n} {LABELS[k]}{'s' if n != 1 else ''}" for k, n in counts.items())


def chat_text(
    workspace: Workspace, per_user: list[tuple[User, list[dict[str, Any]]]], frequency: str
) -> str:
    """One plain-text message for the channel: a line per user with something pending."""
    lines = [f"Nudgelayer {frequency} digest for {workspace.name}"]
    pending = [(u, items) for u, items in per_user if items]
    if not pending:
        lines.append("Nothing is pending. Well done, everyone.")
    for user, items in pending[:50]:
        who = user.display_name or user.email
        lines.append(f"• {who}: {_summary(items)}")
    if len(pending) > 50:
        lines.append(f"…and {len(pending) - 50} more people.")
    return "\n".join(lines)


def due(frequency: str, last_sent: datetime | None, now: datetime) -> bool:
    if frequency not in ("daily", "weekly"):
        return False
    if last_sent is None:
        return True
    # A little slack, so a cron job at the same hour every day is never one second early.
    period = timedelta(days=1 if frequency == "daily" else 7) - timedelta(minutes=30)
    return now - last_sent >= period


def post_json(url: str, payload: dict[str, Any], timeout: float = 10.0) -> int:
    """POST ``payload`` as JSON; returns the HTTP status (raises OSError on no answer)."""
    if urlsplit(url).scheme not in ("http", "https"):  # settings allow no other; be sure
        raise OSError(f"not an http(s) URL: {url!r}")
    body = json.dumps(payload, ensure_ascii=False).encode()
    request = urllib.request.Request(  # noqa: S310 - http(s) only, checked above
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "User-Agent": "Nudgelayer-digest"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:  # noqa: S310 - checked above
            return resp.status
    except urllib.error.HTTPError as err:
        return err.code


def send_due(
    now: datetime | None = None, *, force: bool = False, workspace_slug: str | None = None
) -> list[str]:
    """Send every digest that is due (or all configured ones with ``force``).

    Returns one line per workspace for the CLI. ``digest_last_sent_at`` moves only after
    a 2xx answer, so a channel that was down gets the digest on the next run.
    """
    from ..models import NudgeSettings

    now = now or now_utc()
    q = select(NudgeSettings, Workspace).join(Workspace, Workspace.id == NudgeSettings.workspace_id)
    q = q.where(
        NudgeSettings.digest_webhook_url.is_not(None), NudgeSettings.digest_frequency != "off"
    )
    if workspace_slug:
        q = q.where(Workspace.slug == workspace_slug)
    report = []
    for cfg, workspace in db.session.execute(q).all():
        if not force and not due(cfg.digest_frequency, cfg.digest_last_sent_at, now):
            report.append(f"{workspace.slug}: not due")
            continue
        pairs = counts_service.live_pairs(workspace.id)
        users = db.session.scalars(
            select(User).where(User.workspace_id == workspace.id).order_by(User.email)
        )
        per_user = [(u, for_user(u, counts_service.for_user(u, pairs, now), now)) for u in users]
        payload = {
            "text": chat_text(workspace, per_user, cfg.digest_frequency),
            "digest": {
                "workspace": workspace.slug,
                "generated_at": now.replace(tzinfo=UTC).isoformat(),
                "users": [
                    {
                        "email": u.email,
                        "pending": [{k: v for k, v in i.items() if k != "due_at"} for i in items],
                    }
                    for u, items in per_user
                    if items
                ],
            },
        }
        try:
            status = post_json(cfg.digest_webhook_url, payload)
        except OSError as err:
            report.append(f"{workspace.slug}: not sent ({err})")
            continue
        if 200 <= status < 300:
            cfg.digest_last_sent_at = now
            db.session.commit()
            report.append(
                f"{workspace.slug}: sent ({sum(1 for _, i in per_user if i)} people with items)"
            )
        else:
            report.append(f"{workspace.slug}: not sent (HTTP {status})")
    return report
