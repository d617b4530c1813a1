"""Console pages for admins: the workspace's people, one person's data (export,
erase), and the retention period.

A blueprint nested in the console's, so the console's session, CSRF check, error
pages and layout apply unchanged. Registered once, at import, before the console
blueprint is first registered on an app (``register`` runs before that in create_app).
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from sqlalchemy import func, select

from ..console import bp as console_bp
from ..console.session import admin_required, current_user
from ..errors import Conflict
from ..extensions import db
from ..models import Consent, Event, SurveyResponse, User
from . import consent, retention, subject

bp = Blueprint("privacy", __name__, template_folder="templates")


def _person(user_id: int) -> User:
    me = current_user()
    assert me is not None
    user = db.session.get(User, user_id)
    if user is None or user.workspace_id != me.workspace_id:
        from werkzeug.exceptions import NotFound

        raise NotFound()
    return user


@bp.get("/users")
@admin_required
def users():
    me = current_user()
    assert me is not None
    rows = db.session.execute(
        select(User, Consent.decided_at)
        .outerjoin(Consent, Consent.user_id == User.id)
        .where(User.workspace_id == me.workspace_id)
        .order_by(User.email)
    ).all()
    return render_template(
        "console/privacy/users.html",
        rows=rows,
        retention_days=retention.retention_days(me.workspace_id),
        min_days=retention.MIN_RETENTION_DAYS,
        max_days=retention.MAX_RETENTION_DAYS,
    )


@bp.post("/users/retention")
@admin_required
def set_retention():
    raw = request.form.get("retention_days", "").strip()
    days = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 6 else 0
    if not retention.MIN_RETENTION_DAYS <= days <= retention.MAX_RETENTION_DAYS:
        flash(
            f"Keep data for {retention.MIN_RETENTION_DAYS} to {retention.MAX_RETENTION_DAYS} days.",
            "error",
        )
        return redirect(url_for("console.privacy.users"))
    me = current_user()
    assert me is not None
    retention.set_retention_days(me, days)
    db.session.commit()
    flash(f"Events and survey answers are now kept for {days} days.", "success")
    return redirect(url_for("console.privacy.users"))


@bp.get("/users/<int:user_id>")
@admin_required
def user(user_id: int):
    person = _person(user_id)
    count = lambda model: db.session.scalar(  # noqa: E731
        select(func.count()).select_from(model).where(model.user_id == person.id)
    )
    return render_template(
        "console/privacy/user.html",
        person=person,
        choices=consent.get(person),
        events=count(Event),
        responses=count(SurveyResponse),
        is_self=person.id == current_user().id,
    )


@bp.get("/users/<int:user_id>/export")
@admin_required
def export(user_id: int):
    person = _person(user_id)
    me = current_user()
    assert me is not None
    subject.audit_export(me, person)
    db.session.commit()
    return Response(
        stream_with_context(subject.export_chunks(person)),
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="user-{person.id}-export.json"'},
    )


@bp.post("/users/<int:user_id>/erase")
@admin_required
def erase(user_id: int):
    person = _person(user_id)
    me = current_user()
    assert me is not None
    back = url_for("console.privacy.user", user_id=user_id)
    typed = request.form.get("confirm_email", "").strip().lower()
    if typed != person.email.lower():
        flash("Type the person's email address exactly to confirm the erasure.", "error")
        return redirect(back)
    if person.id == me.id:
        raise Conflict("You cannot erase your own account; ask another admin.")
    subject.erase(me, person)
    db.session.commit()
    flash("Erased: that person's data is gone and their sign-ins are ended.", "success")
    return redirect(url_for("console.privacy.users"))


_registered = False


def init() -> None:
    """Nest the pages in the console blueprint (once per process)."""
    global _registered
    if not _registered:
        console_bp.register_blueprint(bp)
        _registered = True
