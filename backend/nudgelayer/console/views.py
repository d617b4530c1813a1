"""Sign in and out; the experience list and the experience page."""

from __future__ import annotations

import json
from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for

from ..auth.service import authenticate
from ..errors import Unauthorized
from ..experiences import service
from ..extensions import db, limiter
from ..models import Experience, Kind, Role, Status
from ..tours import service as tours
from . import bp
from .session import CONSOLE_ROLES, current_user, safe_next, sign_in, sign_out

KINDS = [k.value for k in Kind]
STATUSES = [s.value for s in Status]
# Kinds whose content is shown as labelled fields; the others are shown as JSON.
FIELD_KINDS = {Kind.tooltip.value, Kind.hotspot.value}
MAX_EMAIL, MAX_PASSWORD = 254, 1024


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    next_url = safe_next(request.values.get("next"))
    if current_user() is not None:
        return redirect(next_url or url_for("console.index"))
    if request.method == "GET":
        return render_template("console/login.html", email="", error=None, next_url=next_url)

    email = request.form.get("email", "").strip()[:MAX_EMAIL]
    password = request.form.get("password", "")
    error, status = None, 200
    if not email or not password:
        error, status = "Enter your email and password.", 400
    elif len(password) > MAX_PASSWORD:
        error, status = "Wrong email or password.", 401
    else:
        try:
            user = authenticate(email, password)
        except Unauthorized:
            error, status = "Wrong email or password.", 401
        else:
            db.session.commit()  # authenticate() may have upgraded the password hash
            if user.role not in CONSOLE_ROLES:
                error, status = "The console is for admins and analysts.", 403
            else:
                sign_in(user)
                return redirect(next_url or url_for("console.index"))
    return (
        render_template("console/login.html", email=email, error=error, next_url=next_url),
        status,
    )


@bp.post("/logout")
def logout():
    sign_out()
    flash("You are signed out.", "success")
    return redirect(url_for("console.login"))


@bp.get("/")
def index():
    user = current_user()
    assert user is not None
    # Unknown filter values are ignored (shown as "All") rather than matching nothing.
    kind = request.args.get("kind") if request.args.get("kind") in KINDS else None
    status = request.args.get("status") if request.args.get("status") in STATUSES else None
    items = service.list_(user.workspace_id, kind=kind, status=status)
    return render_template(
        "console/experiences.html",
        items=items,
        kinds=KINDS,
        statuses=STATUSES,
        kind=kind,
        status=status,
        is_admin=user.role == Role.admin.value,
    )


def pretty_json(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=str)


def _version_rows(exp: Experience) -> list[dict[str, Any]]:
    live_id = exp.published_version_id if exp.status == Status.published.value else None
    rows = []
    for v in reversed(service.versions(exp)):  # newest first
        rows.append(
            {
                "number": v.number,
                "name": v.name,
                "created_at": v.created_at,
                "published_at": v.published_at,
                "is_live": v.id == live_id,
                "is_draft": v.id == exp.draft_version_id,
                # Any version that was published once can be restored, except the live one.
                "can_restore": v.published_at is not None and v.id != live_id,
            }
        )
    return rows


@bp.get("/experiences/<int:exp_id>")
def experience(exp_id: int):
    user = current_user()
    assert user is not None
    exp = service.get(user.workspace_id, exp_id)
    shown = exp.current_version
    segment = shown.targeting.get("segment") if isinstance(shown.targeting, dict) else None
    return render_template(
        "console/experience.html",
        exp=exp,
        shown=shown,
        url_glob=(shown.targeting or {}).get("url", ""),
        segment_json=pretty_json(segment) if segment else None,
        content=shown.content if isinstance(shown.content, dict) else {},
        content_json=pretty_json(shown.content),
        as_fields=exp.kind in FIELD_KINDS,
        versions=_version_rows(exp),
        is_admin=user.role == Role.admin.value,
        can_publish=exp.draft_version_id is not None or exp.status == Status.unpublished.value,
        can_unpublish=exp.status == Status.published.value,
        funnel=tours.funnel(exp) if exp.kind == Kind.tour.value else None,
    )


@bp.app_template_filter("console_time")
def console_time(value) -> str:
    """Stored times are naive UTC; show them to the minute, marked as UTC."""
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "—"
