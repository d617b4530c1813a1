"""Console pages (admins): nudge settings and API keys, signals, user attributes (one by
one and CSV import), What's new entries, experiment results.

A blueprint nested in the console's, so its session, CSRF check, error pages and layout
apply; nested once, at import, before the console blueprint is first registered.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from marshmallow import ValidationError

from ..console import bp as console_bp
from ..console.session import admin_required, current_user
from ..errors import DomainError
from ..extensions import db
from . import experiments as experiments_service
from . import keys as keys_service
from . import settings as settings_service
from . import signals as signals_service
from . import users as users_service
from . import whatsnew as whatsnew_service
from .schemas import NudgeSettingsPatch

bp = Blueprint("nudges", __name__, template_folder="templates")


def _me():
    me = current_user()
    assert me is not None
    return me


# --- settings, API keys, signals -------------------------------------------------------------


def _settings_page(new_key: str | None = None, errors: dict | None = None, status: int = 200):
    me = _me()
    return (
        render_template(
            "console/nudges/settings.html",
            cfg=settings_service.get(me.workspace_id),
            keys=keys_service.list_(me.workspace_id),
            signals=signals_service.list_(me.workspace_id),
            scopes=keys_service.SCOPES,
            new_key=new_key,
            errors=errors or {},
            section="settings",
        ),
        status,
    )


@bp.get("/nudges")
@admin_required
def settings():
    return _settings_page()


def _form_int(name: str) -> Any:
    raw = request.form.get(name, "").strip()
    return int(raw) if raw.isascii() and raw.lstrip("-").isdigit() and len(raw) < 7 else raw


@bp.post("/nudges/settings")
@admin_required
def save_settings():
    body = {
        "overlay_url": request.form.get("overlay_url", "").strip() or None,
        "interruption_limit": _form_int("interruption_limit"),
        "interruption_period_hours": _form_int("interruption_period_hours"),
        "interruption_gap_minutes": _form_int("interruption_gap_minutes"),
        "digest_webhook_url": request.form.get("digest_webhook_url", "").strip() or None,
        "digest_frequency": request.form.get("digest_frequency", "off"),
    }
    try:
        changes = NudgeSettingsPatch().load(body)
    except ValidationError as err:
        return _settings_page(errors=err.messages, status=422)
    settings_service.update(_me(), changes)
    db.session.commit()
    flash("Nudge settings saved.", "success")
    return redirect(url_for("console.nudges.settings"))


@bp.post("/nudges/api-keys")
@admin_required
def create_key():
    me = _me()
    try:
        plain, _row = keys_service.create(
            me.workspace, request.form.get("label", ""), request.form.get("scope", ""), actor=me
        )
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
        return redirect(url_for("console.nudges.settings"))
    db.session.commit()
    # Shown in this answer only (never flashed: the session cookie is not a place for secrets).
    return _settings_page(new_key=plain)


@bp.post("/nudges/api-keys/<int:key_id>/revoke")
@admin_required
def revoke_key(key_id: int):
    me = _me()
    row = keys_service.revoke(keys_service.get(me.workspace_id, key_id), actor=me)
    db.session.commit()
    flash(f"API key “{row.label}” revoked.", "success")
    return redirect(url_for("console.nudges.settings"))


@bp.post("/nudges/signals/<int:signal_id>/clear")
@admin_required
def clear_signal(signal_id: int):
    me = _me()
    row = next((s for s in signals_service.list_(me.workspace_id) if s.id == signal_id), None)
    if row is None:
        from werkzeug.exceptions import NotFound

        raise NotFound()
    signals_service.clear(me.workspace_id, row.key, row.scope, actor=me)
    db.session.commit()
    flash(f"Signal {row.key} cleared; its warnings are gone from open pages.", "success")
    return redirect(url_for("console.nudges.settings"))


# --- user attributes -------------------------------------------------------------------------


@bp.get("/attributes")
@admin_required
def attributes():
    me = _me()
    return render_template(
        "console/nudges/attributes.html",
        users=users_service.list_(me.workspace_id),
        section="attributes",
        result=None,
    )


@bp.post("/attributes/import")
@admin_required
def import_attributes():
    me = _me()
    upload = request.files.get("file")
    data = upload.read(users_service.MAX_CSV_BYTES + 1) if upload else b""
    result = users_service.import_csv(me, me.workspace_id, data)
    if result.errors:
        db.session.rollback()
        status = 422
    else:
        db.session.commit()
        flash(f"Imported: {result.updated} updated, {result.unchanged} unchanged.", "success")
        return redirect(url_for("console.nudges.attributes"))
    return (
        render_template(
            "console/nudges/attributes.html",
            users=users_service.list_(me.workspace_id),
            section="attributes",
            result=result,
        ),
        status,
    )


def attribute_lines(attrs: dict[str, Any]) -> str:
    return "\n".join(
        f"{k} = {json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else v}"
        for k, v in sorted(attrs.items())
    )


def parse_attribute_lines(text: str, old: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """``key = value`` lines → the change set (keys no longer listed are removed)."""
    new: dict[str, Any] = {}
    errors = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        key, sep, raw = line.partition("=")
        key, raw = key.strip(), raw.strip()
        if not sep:
            errors.append(f"Line {n}: write key = value.")
            continue
        if raw.startswith("["):
            try:
                value = json.loads(raw)
            except ValueError:
                errors.append(f'Line {n}: a list is written as JSON, e.g. ["sql", "python"].')
                continue
        else:
            value = users_service.parse_cell(raw)
        if why := users_service.check_attribute(key, value):
            errors.append(f"Line {n} ({key}): {why}.")
            continue
        new[key] = value
    changes = {**new, **{k: None for k in old if k not in new}}
    return changes, errors


@bp.route("/attributes/<int:user_id>", methods=["GET", "POST"])
@admin_required
def user_attributes(user_id: int):
    me = _me()
    user = users_service.get(me.workspace_id, user_id)
    errors: list[str] = []
    form = {
        "role": user.role,
        "team": user.team or "",
        "locale": user.locale or "",
        "display_name": user.display_name or "",
        "attributes": attribute_lines(user.attributes or {}),
    }
    if request.method == "POST":
        form = {k: request.form.get(k, "") for k in form}
        attrs, errors = parse_attribute_lines(form["attributes"], user.attributes or {})
        changes = {
            "role": form["role"],
            "team": form["team"].strip() or None,
            "locale": form["locale"].strip() or None,
            "display_name": form["display_name"].strip() or None,
            "attributes": attrs,
        }
        problems = users_service.check_fields(changes)
        errors += [f"{field}: {' '.join(msgs)}" for field, msgs in problems.items()]
        if not errors:
            try:
                changed = users_service.apply(me, user, changes)
            except DomainError as err:
                errors.append(err.message)
            else:
                db.session.commit()
                flash(
                    "Saved; their open pages update now." if changed else "Nothing changed.",
                    "success",
                )
                return redirect(url_for("console.nudges.attributes"))
        db.session.rollback()
    return (
        render_template(
            "console/nudges/user.html",
            person=user,
            form=form,
            errors=errors,
            roles=users_service.ROLES,
            section="attributes",
        ),
        422 if errors else 200,
    )


# --- What's new ------------------------------------------------------------------------------


@bp.route("/whatsnew", methods=["GET", "POST"])
@admin_required
def whatsnew():
    me = _me()
    errors: dict = {}
    form = {"title": "", "body": ""}
    if request.method == "POST":
        form = {"title": request.form.get("title", ""), "body": request.form.get("body", "")}
        try:
            whatsnew_service.create(
                me, form["title"], form["body"], publish=request.form.get("publish") == "1"
            )
        except DomainError as err:
            db.session.rollback()
            errors = err.details or {"title": [err.message]}
        else:
            db.session.commit()
            flash("Entry saved.", "success")
            return redirect(url_for("console.nudges.whatsnew"))
    return (
        render_template(
            "console/nudges/whatsnew.html",
            entries=whatsnew_service.list_(me.workspace_id),
            form=form,
            errors=errors,
            section="whatsnew",
        ),
        422 if errors else 200,
    )


@bp.route("/whatsnew/<int:entry_id>", methods=["GET", "POST"])
@admin_required
def whatsnew_entry(entry_id: int):
    me = _me()
    entry = whatsnew_service.get(me.workspace_id, entry_id)
    errors: dict = {}
    form = {"title": entry.title, "body": entry.body}
    if request.method == "POST":
        form = {"title": request.form.get("title", ""), "body": request.form.get("body", "")}
        try:
            whatsnew_service.update(me, entry, form["title"], form["body"])
        except DomainError as err:
            db.session.rollback()
            errors = err.details or {"title": [err.message]}
        else:
            db.session.commit()
            flash("Entry saved.", "success")
            return redirect(url_for("console.nudges.whatsnew"))
    return (
        render_template(
            "console/nudges/entry.html", entry=entry, form=form, errors=errors, section="whatsnew"
        ),
        422 if errors else 200,
    )


@bp.post("/whatsnew/<int:entry_id>/<any(publish, unpublish, delete):action>")
@admin_required
def whatsnew_action(entry_id: int, action: str):
    me = _me()
    entry = whatsnew_service.get(me.workspace_id, entry_id)
    title = entry.title
    if action == "delete":
        whatsnew_service.delete(me, entry)
    else:
        whatsnew_service.set_published(me, entry, action == "publish")
    db.session.commit()
    done = {
        "publish": "Published: staff see it in What's new now.",
        "unpublish": "Unpublished.",
        "delete": "Deleted.",
    }
    flash(f"“{title}”: {done[action]}", "success")
    return redirect(url_for("console.nudges.whatsnew"))


# --- experiments -----------------------------------------------------------------------------


@bp.get("/experiments")
@admin_required
def experiments():
    me = _me()
    rows = [experiments_service.results(e) for e in experiments_service.running(me.workspace_id)]
    return render_template(
        "console/nudges/experiments.html", rows=[r for r in rows if r], section="experiments"
    )


@bp.app_template_filter("percent")
def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


console_bp.register_blueprint(bp)
