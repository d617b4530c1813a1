"""Admin actions on an experience: publish, unpublish, roll back, delete.

Each commits through the experience service, whose after-commit hook pushes the change
to open browsers, then redirects with a flash message. Domain errors become a flash
error on the experience page, never a 500.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import flash, redirect, request, url_for
from marshmallow import ValidationError

from ..errors import DomainError
from ..experiences import service
from ..extensions import db
from . import bp
from .session import admin_required, current_user, safe_next


def _run(exp_id: int, action: Callable, done: str, *, after_url: str | None = None):
    user = current_user()
    assert user is not None
    # Outside the try: an unknown or foreign id is a 404 page, not a flash message.
    exp = service.get(user.workspace_id, exp_id)
    back = url_for("console.experience", exp_id=exp_id)
    name = exp.current_version.name
    try:
        action(user, exp)
        db.session.commit()
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
        return redirect(back)
    except ValidationError as err:
        # publish() re-validates content that may predate a stricter schema.
        db.session.rollback()
        flash(f"This version cannot be published: {_describe(err.messages)}", "error")
        return redirect(back)
    flash(done.format(name=name), "success")
    # The list's quick actions send the list (with its filters) back as ``next``.
    return redirect(after_url or safe_next(request.form.get("next")) or back)


def _describe(messages, path: str = "") -> str:
    """Marshmallow's nested messages as one readable line: ``content.title: Missing data``."""
    if isinstance(messages, dict):
        return "; ".join(
            _describe(v, f"{path}.{k}" if path else str(k)) for k, v in messages.items()
        )
    if isinstance(messages, list):
        text = " ".join(str(m) for m in messages if not isinstance(m, dict | list))
        nested = [_describe(m, path) for m in messages if isinstance(m, dict | list)]
        return "; ".join(filter(None, [f"{path}: {text}" if text else "", *nested]))
    return f"{path}: {messages}"


@bp.post("/experiences/<int:exp_id>/publish")
@admin_required
def publish(exp_id: int):
    return _run(exp_id, service.publish, "Published. Open browsers show it now.")


@bp.post("/experiences/<int:exp_id>/unpublish")
@admin_required
def unpublish(exp_id: int):
    return _run(exp_id, service.unpublish, "Unpublished. It is gone from every page.")


@bp.post("/experiences/<int:exp_id>/rollback")
@admin_required
def rollback(exp_id: int):
    raw = request.form.get("version", "")
    number = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else 0
    if number < 1:
        flash("Choose a version to roll back to.", "error")
        return redirect(url_for("console.experience", exp_id=exp_id))
    return _run(
        exp_id,
        lambda user, exp: service.rollback(user, exp, number),
        f"Rolled back: version {number} is live again, as a new version.",
    )


@bp.post("/experiences/<int:exp_id>/delete")
@admin_required
def delete(exp_id: int):
    return _run(exp_id, service.delete, "Deleted “{name}”.", after_url=url_for("console.index"))
