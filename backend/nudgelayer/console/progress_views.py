"""Console pages for progress: goals (with team charts), points, streak and achievement
rules, live counters, and forms that author checklists and badges.

Checklists and badges are experiences: the forms create and edit drafts through the
experience service (versioned, audited, published from the experience page). Goals and
rules are audited by the progress service, each edit a new version.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from marshmallow import ValidationError

from ..errors import DomainError
from ..experiences import service as experiences
from ..experiences.schemas import (
    CHECKLIST_MODES,
    COUNTER_SCOPES,
    COUNTER_SOURCES,
    PLACEMENTS,
    TargetingSchema,
    load_content,
)
from ..extensions import db
from ..models import Kind, Role
from ..progress import service
from ..progress.schemas import (
    METRICS,
    GamificationRuleIn,
    GamificationRulePatch,
    GoalCreateIn,
    GoalUpdateIn,
)
from . import bp
from .actions import _describe
from .session import admin_required, current_user

MAX_ITEMS = 30
RULE_TYPES = [
    ("", "Visiting the item's page, if it has one"),
    ("manual", "Ticked by hand only"),
    ("page", "Viewing a page (URL glob)"),
    ("click", "Clicking an element (CSS selector)"),
    ("tour", "Completing a tour (tour id)"),
    ("event", "An event (event type)"),
]


def _me():
    me = current_user()
    assert me is not None
    return me


def _is_admin() -> bool:
    return _me().role == Role.admin.value


# Content fields whose messages belong next to a form field of the same page.
CONTENT_FIELDS = {"label": "label", "title": "title", "placement": "placement", "mode": "mode", "target": "selector"}


def _field_errors(err: ValidationError | DomainError) -> dict[str, list[str]]:
    messages = err.messages if isinstance(err, ValidationError) else (err.details or {"": [err.message]})
    if not isinstance(messages, dict):
        return {"": [str(messages)]}
    if isinstance(messages.get("content"), dict):
        content = dict(messages.pop("content"))
        for key, field in CONTENT_FIELDS.items():
            if key in content:
                messages[field] = content.pop(key)
        if "counter" in content:
            messages["counter_key"] = [_describe(content.pop("counter"))]
        if content:
            messages["content"] = content
    out: dict[str, list[str]] = {}
    for key, value in messages.items():
        plain = isinstance(value, list) and all(isinstance(v, str) for v in value)
        out[str(key)] = value if plain else [_describe(value)]
    return out


def _when(value: str) -> str | None:
    """A datetime-local field (read as UTC) as ISO 8601 with an offset; None when empty."""
    value = value.strip()
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return value  # the schema reports it
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.isoformat()


def _local(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%dT%H:%M") if value else ""


# ---------------------------------------------------------------- overview


@bp.get("/progress")
def progress_index():
    me = _me()
    rules = service.list_rules(me.workspace_id)
    return render_template(
        "console/progress/index.html",
        active="progress",
        goals=service.list_goals(me.workspace_id),
        rules={
            kind: [r for r in rules if r.kind == kind]
            for kind in ("points", "streak", "achievement")
        },
        counters=service.list_counters(me.workspace_id),
        items=[
            e
            for e in experiences.list_(me.workspace_id)
            if e.kind in (Kind.checklist.value, Kind.badge.value)
        ],
        metrics=METRICS,
        is_admin=_is_admin(),
        errors={},
        form={},
    )


# ---------------------------------------------------------------- goals


def _goal_body(form) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": form.get("title", "").strip(),
        "description": form.get("description", "").strip(),
        "event_type": form.get("event_type", "").strip(),
        "scope": form.get("scope", "user"),
        "active": form.get("active") == "on",
    }
    target = form.get("target", "").strip()
    body["target"] = (
        int(target) if target.isascii() and target.isdigit() and len(target) < 10 else target
    )
    for field in ("starts_at", "deadline"):
        if (value := _when(form.get(field, ""))) is not None:
            body[field] = value
    segment = form.get("segment", "").strip()
    if segment:
        try:
            body["segment"] = json.loads(segment)
        except ValueError:
            body["segment"] = segment  # reported as invalid by the schema
    else:
        body["segment"] = None
    return body


def _goal_form(goal=None, form=None, errors=None, status=200):
    return (
        render_template(
            "console/progress/goal.html",
            active="progress",
            goal=goal,
            report=service.goal_report(goal) if goal else None,
            form=form or {},
            errors=errors or {},
            is_admin=_is_admin(),
            local=_local,
        ),
        status,
    )


@bp.route("/progress/goals/new", methods=["GET", "POST"])
@admin_required
def progress_goal_new():
    if request.method == "GET":
        return _goal_form(form={"scope": "user", "active": True})
    try:
        goal = service.create_goal(_me(), GoalCreateIn().load(_goal_body(request.form)))
        db.session.commit()
    except (ValidationError, DomainError) as err:
        db.session.rollback()
        return _goal_form(form=request.form, errors=_field_errors(err), status=422)
    flash(f"Goal “{goal.title}” created. People in its segment can commit to it now.", "success")
    return redirect(url_for("console.progress_goal", goal_id=goal.id))


@bp.get("/progress/goals/<int:goal_id>")
def progress_goal(goal_id: int):
    goal = service.get_goal(_me().workspace_id, goal_id)
    form = {
        "title": goal.title,
        "description": goal.description,
        "event_type": goal.event_type,
        "target": goal.target,
        "scope": goal.scope,
        "starts_at": _local(goal.starts_at),
        "deadline": _local(goal.deadline),
        "segment": json.dumps(goal.segment, indent=2) if goal.segment else "",
        "active": goal.active,
    }
    return _goal_form(goal, form)


@bp.post("/progress/goals/<int:goal_id>")
@admin_required
def progress_goal_save(goal_id: int):
    goal = service.get_goal(_me().workspace_id, goal_id)
    try:
        service.update_goal(_me(), goal, GoalUpdateIn().load(_goal_body(request.form)))
        db.session.commit()
    except (ValidationError, DomainError) as err:
        db.session.rollback()
        goal = service.get_goal(_me().workspace_id, goal_id)
        return _goal_form(goal, request.form, _field_errors(err), 422)
    flash(f"Saved as version {goal.version}.", "success")
    return redirect(url_for("console.progress_goal", goal_id=goal.id))


@bp.post("/progress/goals/<int:goal_id>/delete")
@admin_required
def progress_goal_delete(goal_id: int):
    goal = service.get_goal(_me().workspace_id, goal_id)
    title = goal.title
    service.delete_goal(_me(), goal)
    db.session.commit()
    flash(f"Deleted the goal “{title}” and its commitments.", "success")
    return redirect(url_for("console.progress_index"))


# ---------------------------------------------------------------- points, streak, achievement rules


def _rule_body(form, *, creating: bool) -> dict[str, Any]:
    """A rule form as the API body; on an edit, an emptied field is cleared (None)."""
    body: dict[str, Any] = {
        "name": form.get("name", "").strip(),
        "description": form.get("description", "").strip(),
        # A checkbox on the edit form (absent: unticked); a new rule is active.
        "active": form.get("active", "on" if creating else "") == "on",
    }
    if creating:
        body["kind"] = form.get("kind", "")
    for field in ("event_type", "metric", "points", "daily_cap", "threshold"):
        raw = form.get(field, "").strip()
        if (
            field in ("points", "daily_cap", "threshold")
            and raw.lstrip("-").isdigit()
            and len(raw) < 10
        ):
            value: Any = int(raw)
        else:
            value = raw or None
        if value is not None or not creating:
            body[field] = value
    return body


@bp.post("/progress/rules")
@admin_required
def progress_rule_new():
    kind = request.form.get("kind", "")
    try:
        rule = service.create_rule(
            _me(), GamificationRuleIn().load(_rule_body(request.form, creating=True))
        )
        db.session.commit()
    except (ValidationError, DomainError) as err:
        db.session.rollback()
        flash(f"The {kind or 'new'} rule was not saved: {_describe(_field_errors(err))}", "error")
        return redirect(url_for("console.progress_index"))
    flash(f"Rule “{rule.name}” created. It applies to past events too.", "success")
    return redirect(url_for("console.progress_index"))


@bp.post("/progress/rules/<int:rule_id>")
@admin_required
def progress_rule_save(rule_id: int):
    rule = service.get_rule(_me().workspace_id, rule_id)
    try:
        service.update_rule(
            _me(), rule, GamificationRulePatch().load(_rule_body(request.form, creating=False))
        )
        db.session.commit()
    except (ValidationError, DomainError) as err:
        db.session.rollback()
        flash(f"“{rule.name}” was not saved: {_describe(_field_errors(err))}", "error")
        return redirect(url_for("console.progress_index"))
    flash(f"Saved “{rule.name}” as version {rule.version}.", "success")
    return redirect(url_for("console.progress_index"))


@bp.post("/progress/rules/<int:rule_id>/delete")
@admin_required
def progress_rule_delete(rule_id: int):
    rule = service.get_rule(_me().workspace_id, rule_id)
    name = rule.name
    service.delete_rule(_me(), rule)
    db.session.commit()
    flash(f"Deleted the rule “{name}”.", "success")
    return redirect(url_for("console.progress_index"))


# ---------------------------------------------------------------- checklists and badges


def checklist_rows(content: dict[str, Any]) -> list[dict[str, str]]:
    """A checklist's items as form rows (the reverse of ``checklist_content``)."""
    rows = []
    for item in content.get("items") or []:
        rule = item.get("done_when")
        kind, value, count = "", "", ""
        if rule == {}:
            kind = "manual"
        elif isinstance(rule, dict):
            event = rule.get("event", "")
            if event == "page.view":
                kind, value = "page", rule.get("url", "")
            elif event == "click":
                kind, value = "click", rule.get("selector", "")
            elif event == "tour.completed" and "url" not in rule:
                kind, value = "tour", str(rule.get("experience_id", ""))
            else:
                kind, value = "event", event
            count = str(rule.get("count", "")) if rule.get("count", 1) != 1 else ""
        rows.append(
            {
                "title": item.get("title", ""),
                "rule": kind,
                "value": value,
                "count": count,
                "url": item.get("url", ""),
                "selector": item.get("selector", ""),
            }
        )
    return rows


def checklist_content(form) -> dict[str, Any]:
    """The checklist content a submitted form describes (checked by load_content)."""
    items = []
    for i in range(MAX_ITEMS):
        title = form.get(f"item-{i}-title", "").strip()
        if not title:
            continue
        item: dict[str, Any] = {"title": title}
        kind = form.get(f"item-{i}-rule", "")
        value = form.get(f"item-{i}-value", "").strip()
        count = form.get(f"item-{i}-count", "").strip()
        rule: dict[str, Any] | None = None
        if kind == "manual":
            rule = {}
        elif kind == "page":
            rule = {"event": "page.view", **({"url": value} if value else {})}
        elif kind == "click":
            rule = {"event": "click", "selector": value}
        elif kind == "tour":
            rule = {"event": "tour.completed"}
            if value:
                rule["experience_id"] = (
                    int(value) if value.isascii() and value.isdigit() and len(value) < 11 else value
                )
        elif kind == "event":
            rule = {"event": value}
        if rule and count:
            rule["count"] = (
                int(count) if count.isascii() and count.isdigit() and len(count) < 6 else count
            )
        if rule is not None:
            item["done_when"] = rule
        for field in ("url", "selector"):
            if value := form.get(f"item-{i}-{field}", "").strip():
                item[field] = value
        items.append(item)
    content: dict[str, Any] = {"title": form.get("title", "").strip(), "items": items}
    if form.get("mode") in CHECKLIST_MODES:
        content["mode"] = form["mode"]
    milestones = []
    for line in form.get("milestones", "").splitlines():
        after, sep, message = line.partition(":")
        if not line.strip():
            continue
        after = after.strip()
        milestones.append(
            {
                "after": int(after)
                if after.isascii() and after.isdigit() and len(after) < 4
                else after,
                "message": message.strip() if sep else "",
            }
        )
    if milestones:
        content["milestones"] = milestones
    return content


def badge_content(form, previous: dict[str, Any] | None = None) -> dict[str, Any]:
    selector = form.get("selector", "").strip()
    old_target = (previous or {}).get("target") or {}
    # An element recorded in author mode keeps its candidates while its selector is unchanged.
    target = old_target if old_target.get("selector") == selector else {"selector": selector}
    content: dict[str, Any] = {"target": target, "label": form.get("label", "").strip()}
    if form.get("placement") in PLACEMENTS:
        content["placement"] = form["placement"]
    source = form.get("counter_source", "")
    if source:
        counter = {"source": source, "key": form.get("counter_key", "").strip()}
        if form.get("counter_scope") in COUNTER_SCOPES:
            counter["scope"] = form["counter_scope"]
        content["counter"] = counter
        if form.get("hide_when_zero") == "on":
            content["hide_when_zero"] = True
    for key in ("variant", "reason"):  # other features' badge fields survive an edit here
        if previous and key in previous:
            content[key] = previous[key]
    return content


def _experience_form(kind: str, exp=None, form=None, errors=None, status=200):
    content = exp.current_version.content if exp else {}
    if form is None:
        form = (
            {"name": exp.current_version.name, "url": exp.current_version.targeting.get("url", "")}
            if exp
            else {}
        )
        if kind == Kind.checklist.value:
            form |= {"title": content.get("title", ""), "mode": content.get("mode", "list")}
            form["milestones"] = "\n".join(
                f"{m['after']}: {m['message']}" for m in content.get("milestones") or []
            )
        else:
            counter = content.get("counter") or {}
            form |= {
                "selector": (content.get("target") or {}).get("selector", ""),
                "label": content.get("label", ""),
                "placement": content.get("placement", ""),
                "counter_source": counter.get("source", ""),
                "counter_key": counter.get("key", ""),
                "counter_scope": counter.get("scope", ""),
                "hide_when_zero": "on" if content.get("hide_when_zero") else "",
            }
    rows = checklist_rows(content) if exp and kind == Kind.checklist.value else []
    if request.method == "POST" and kind == Kind.checklist.value:
        rows = checklist_rows(checklist_content(request.form))
    rows += [{} for _ in range(max(3, 6 - len(rows)))]
    return (
        render_template(
            f"console/progress/{kind}_form.html",
            active="progress",
            exp=exp,
            form=form,
            rows=rows[:MAX_ITEMS],
            errors=errors or {},
            rule_types=RULE_TYPES,
            modes=CHECKLIST_MODES,
            placements=PLACEMENTS,
            sources=COUNTER_SOURCES,
            scopes=COUNTER_SCOPES,
        ),
        status,
    )


def _save_experience(kind: str, exp=None):
    form = request.form
    name = form.get("name", "").strip()
    try:
        # Only the pages are edited here; a segment or variants set elsewhere are kept.
        targeting = dict(exp.current_version.targeting) if exp else {}
        targeting = TargetingSchema().load({**targeting, "url": form.get("url", "").strip()})
        if kind == Kind.checklist.value:
            content = load_content(kind, checklist_content(form))
        else:
            content = load_content(
                kind, badge_content(form, exp.current_version.content if exp else None)
            )
        if not name or len(name) > 200:
            raise ValidationError({"name": ["A name of 1 to 200 characters."]})
        if exp is None:
            exp = experiences.create(
                _me(), kind=kind, name=name, targeting=targeting, content=content
            )
        else:
            experiences.update(
                _me(), exp, {"name": name, "targeting": targeting, "content": content}
            )
        db.session.commit()
    except (ValidationError, DomainError) as err:
        db.session.rollback()
        return _experience_form(kind, exp, form, _field_errors(err), 422)
    flash("Saved as a draft. Publish it to show it in open browsers.", "success")
    return redirect(url_for("console.experience", exp_id=exp.id))


@bp.route("/progress/checklists/new", methods=["GET", "POST"])
@admin_required
def progress_checklist_new():
    if request.method == "GET":
        return _experience_form(Kind.checklist.value, form={"mode": "list"})
    return _save_experience(Kind.checklist.value)


@bp.route("/progress/badges/new", methods=["GET", "POST"])
@admin_required
def progress_badge_new():
    if request.method == "GET":
        return _experience_form(Kind.badge.value, form={})
    return _save_experience(Kind.badge.value)


@bp.route("/progress/experiences/<int:exp_id>/edit", methods=["GET", "POST"])
@admin_required
def progress_experience_edit(exp_id: int):
    exp = experiences.get(_me().workspace_id, exp_id)
    if exp.kind not in (Kind.checklist.value, Kind.badge.value):
        return redirect(url_for("console.experience", exp_id=exp.id))
    if request.method == "GET":
        return _experience_form(exp.kind, exp)
    return _save_experience(exp.kind, exp)
