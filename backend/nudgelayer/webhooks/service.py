"""Webhooks: registration, queueing deliveries, signing and sending with backoff.

A delivery row is queued in the same transaction as the response it reports, so an
event is never lost and never invented. The sender claims due rows one at a time with
a conditional UPDATE, so several server processes (and the cron CLI) never send one
delivery twice at once. Each POST carries:

- ``X-Nudgelayer-Signature: sha256=<hex HMAC-SHA256 of the raw body, keyed by the secret>``
- ``X-Nudgelayer-Timestamp``: Unix seconds, also inside the signed body as ``timestamp``,
  so a receiver can refuse old replays;
- ``X-Nudgelayer-Delivery``: the delivery's UUID (the same on every retry), to drop repeats;
- ``X-Nudgelayer-Event``: e.g. ``response.completed``.

Any 2xx answer is success. Anything else (or no answer within the timeout) is retried
after ``base * 2**(attempts-1)`` seconds, up to ``WEBHOOK_MAX_ATTEMPTS`` attempts.
Redirects are not followed: the signature was made for the registered URL.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import time
import urllib.error
import urllib.request
import uuid
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select, update

from ..errors import Invalid, NotFound
from ..extensions import db
from ..models import (
    AuditLog,
    Experience,
    SurveyResponse,
    User,
    Webhook,
    WebhookDelivery,
    now_utc,
)
from .sender import QUEUED

log = logging.getLogger(__name__)
EVENTS = ("response.completed",)
MAX_WEBHOOKS = 20
# A claimed delivery whose sender died is retried after this long.
LEASE = timedelta(minutes=2)


def check_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Invalid("The URL must be http(s)://host/…", {"url": ["An http or https URL."]})
    if parts.username or parts.password:
        raise Invalid("Put no credentials in the URL.", {"url": ["No user:password@ part."]})
    return url


def create(actor: User, url: str, events: list[str]) -> Webhook:
    existing = db.session.scalar(
        select(db.func.count())
        .select_from(Webhook)
        .where(Webhook.workspace_id == actor.workspace_id)
    )
    if existing >= MAX_WEBHOOKS:
        raise Invalid(f"A workspace has at most {MAX_WEBHOOKS} webhooks.", {"url": ["Too many."]})
    hook = Webhook(
        workspace_id=actor.workspace_id,
        url=check_url(url),
        secret=secrets.token_hex(32),
        events=list(dict.fromkeys(events)),
        active=True,
        created_by_id=actor.id,
    )
    db.session.add(hook)
    db.session.flush()
    _audit(actor, "webhook.create", hook, None, {"url": hook.url, "events": hook.events})
    return hook


def list_(workspace_id: int) -> list[Webhook]:
    return list(
        db.session.scalars(
            select(Webhook).where(Webhook.workspace_id == workspace_id).order_by(Webhook.id)
        )
    )


def get(workspace_id: int, hook_id: int) -> Webhook:
    hook = db.session.get(Webhook, hook_id) if 0 < hook_id < 2**31 else None
    if hook is None or hook.workspace_id != workspace_id:
        raise NotFound(f"No webhook {hook_id}.")
    return hook


def delete(actor: User, hook_id: int) -> None:
    hook = get(actor.workspace_id, hook_id)
    _audit(actor, "webhook.delete", hook, {"url": hook.url, "events": hook.events}, None)
    db.session.delete(hook)
    db.session.flush()


def deliveries(workspace_id: int, hook_id: int | None, limit: int = 100) -> list[WebhookDelivery]:
    q = (
        select(WebhookDelivery)
        .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
        .where(Webhook.workspace_id == workspace_id)
    )
    if hook_id is not None:
        q = q.where(WebhookDelivery.webhook_id == hook_id)
    return list(db.session.scalars(q.order_by(WebhookDelivery.id.desc()).limit(limit)))


def _audit(actor: User, action: str, hook: Webhook, before, after) -> None:
    db.session.add(
        AuditLog(
            workspace_id=hook.workspace_id,
            actor_id=actor.id,
            action=action,
            subject_type="webhook",
            subject_id=hook.id,
            before=before,
            after=after,
        )
    )


def queue(workspace_id: int, event: str, payload: dict[str, Any]) -> int:
    """Queue ``event`` for every active webhook of the workspace that wants it."""
    hooks = [
        h
        for h in db.session.scalars(
            select(Webhook).where(Webhook.workspace_id == workspace_id, Webhook.active.is_(True))
        )
        if event in (h.events or [])
    ]
    now = now_utc()
    for hook in hooks:
        db.session.add(
            WebhookDelivery(
                uuid=str(uuid.uuid4()),
                webhook_id=hook.id,
                event=event,
                payload=payload,
                attempts=0,
                next_attempt_at=now,
            )
        )
    if hooks:
        db.session.info[QUEUED] = True
    return len(hooks)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") + "Z" if moment else None


def queue_response_completed(exp: Experience, resp: SurveyResponse, user: User | None) -> int:
    """``user`` is None for anonymous surveys: their payload names nobody."""
    payload = {
        "response": {
            "id": resp.uuid,
            "experience_id": exp.id,
            "survey_name": exp.name,
            "version": resp.version,
            "answers": resp.answers,
            "completed": True,
            "created_at": _iso(resp.created_at),
            "completed_at": _iso(resp.completed_at),
            "url": resp.url,
            "user": {"id": user.id, "email": user.email, "team": user.team} if user else None,
        }
    }
    return queue(exp.workspace_id, "response.completed", payload)


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 3xx becomes an HTTPError: a failed attempt


_opener = urllib.request.build_opener(_NoRedirects)


def post(hook: Webhook, delivery: WebhookDelivery, timeout: float) -> tuple[int | None, str | None]:
    """POST one delivery; return (HTTP status or None, error text or None)."""
    stamp = int(time.time())
    body = json.dumps(
        {
            "id": delivery.uuid,
            "event": delivery.event,
            "timestamp": stamp,
            "created_at": _iso(delivery.created_at),
            "data": delivery.payload,
        },
        separators=(",", ":"),
        ensure_ascii=False,
    ).encode()
    request = urllib.request.Request(  # noqa: S310 - check_url allows http(s) only
        hook.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "Nudgelayer-Webhooks/1",
            "X-Nudgelayer-Event": delivery.event,
            "X-Nudgelayer-Delivery": delivery.uuid,
            "X-Nudgelayer-Timestamp": str(stamp),
            "X-Nudgelayer-Signature": sign(hook.secret, body),
        },
    )
    try:
        with _opener.open(request, timeout=timeout) as answer:
            answer.read(1024)
            return answer.status, None
    except urllib.error.HTTPError as err:
        return err.code, f"HTTP {err.code}"
    except (urllib.error.URLError, OSError, ValueError) as err:
        reason = getattr(err, "reason", err)
        return None, str(reason)[:500]


def backoff(attempts: int) -> timedelta:
    base = current_app.config.get("WEBHOOK_RETRY_BASE_SECONDS", 30)
    return timedelta(seconds=base * 2 ** (attempts - 1))


def deliver_due(now: datetime | None = None, limit: int = 100) -> dict[str, int]:
    """Send every due delivery once; return counts of delivered, retrying and failed."""
    cfg = current_app.config
    max_attempts = cfg.get("WEBHOOK_MAX_ATTEMPTS", 10)
    timeout = cfg.get("WEBHOOK_TIMEOUT_SECONDS", 10)
    now = now or now_utc()
    counts = {"delivered": 0, "retrying": 0, "failed": 0}
    due = db.session.execute(
        select(WebhookDelivery.id, WebhookDelivery.next_attempt_at)
        .where(WebhookDelivery.next_attempt_at <= now)
        .order_by(WebhookDelivery.next_attempt_at)
        .limit(limit)
    ).all()
    db.session.commit()
    for delivery_id, due_at in due:
        # Claim: only one sender wins the row while the lease runs.
        claimed = db.session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id == delivery_id, WebhookDelivery.next_attempt_at == due_at)
            .values(next_attempt_at=now + LEASE, attempts=WebhookDelivery.attempts + 1)
        ).rowcount
        db.session.commit()
        if not claimed:
            continue
        delivery = db.session.get(WebhookDelivery, delivery_id)
        hook = db.session.get(Webhook, delivery.webhook_id) if delivery else None
        if delivery is None or hook is None:
            continue
        if not hook.active:
            delivery.next_attempt_at = None
            delivery.last_error = "webhook inactive"
            db.session.commit()
            continue
        status, error = post(hook, delivery, timeout)
        delivery.last_status = status
        delivery.last_error = error
        if status is not None and 200 <= status < 300:
            delivery.delivered_at = now_utc()
            delivery.next_attempt_at = None
            counts["delivered"] += 1
        elif delivery.attempts >= max_attempts:
            delivery.next_attempt_at = None
            counts["failed"] += 1
            log.warning("webhook %s gave up on delivery %s: %s", hook.id, delivery.uuid, error)
        else:
            delivery.next_attempt_at = now + backoff(delivery.attempts)
            counts["retrying"] += 1
        db.session.commit()
    return counts


def next_due() -> datetime | None:
    return db.session.scalar(select(db.func.min(WebhookDelivery.next_attempt_at)))
