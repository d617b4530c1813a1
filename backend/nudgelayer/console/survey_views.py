"""Console pages for micro-surveys: authoring (admins), results and exports (admins, analysts).

Surveys are experiences: the form builds SurveyContent and saves a draft through the
experience service (versioned, audited, published from the experience page). Results
come from ``surveys.results``; exports call the same ``surveys.export`` functions as
the API (one implementation, one audit entry per download, ``via: "console"``).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from marshmallow import ValidationError

from ..errors import DomainError
from ..experiences import service as experiences
from ..experiences.schemas import QUESTION_TYPES, TRIGGER_TYPES, TargetingSchema, load_content
from ..extensions import db
from ..models import Kind, Role
from ..surveys import export, results, service
from ..surveys.filters import FilterQuery, Filters
from . import bp
from .session import admin_required, current_user

MAX_QUESTIONS = 20
BLANK_ROWS = 2
FILTER_KEYS = ("from", "to", "team", "url")
TYPE_LABELS = {
    "nps": "NPS (0–10)",
    "csat": "CSAT (1–5)",
    "rating": "Rating (stars or numbers)",
    "single": "Single choice",
    "multi": "Multiple choice",
    "text": "Free text",
}
TRIGGER_LABELS = {
    "page_view": "Page view (as soon as a targeted page opens)",
    "click": "Click on an element (CSS selector)",
    "event": "A custom event (event type)",
    "nth_visit": "The Nth visit to a targeted page",
    "time_on_page": "Time on the page (seconds)",
    "tour_completed": "After a tour completes (tour id, or any tour)",
}
# Which trigger field each form input fills, and how it is read.
TRIGGER_FIELDS = {"selector": str, "event": str, "n": int, "seconds": int, "tour_id": int}
BRANCH_LINE = re.compile(r"^(.+?)\s*(?:->|→)\s*(\S+)$")


def _me():
    me = current_user()
    assert me is not None
    return me


# ---------------------------------------------------------------- form <-> content


def _int(value: str, field: str, errors: dict[str, list[str]]) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        errors.setdefault(field, []).append("A whole number.")
        return None


def _when(value: str, field: str, errors: dict[str, list[str]]) -> str | None:
    """A datetime-local value (read as UTC) as ISO with an offset, as SurveyContent wants."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        errors.setdefault(field, []).append("A date and time, e.g. 2026-12-01T09:00.")
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()


def question_rows(content: dict[str, Any]) -> list[dict[str, str]]:
    """SurveyContent's questions as form rows (options and branches one per line)."""
    rows = []
    for q in content.get("questions") or []:
        rows.append(
            {
                "id": q.get("id", ""),
                "type": q.get("type", ""),
                "prompt": q.get("prompt", ""),
                "options": "\n".join(q.get("options") or []),
                "scale": str(q.get("scale", "")),
                "style": q.get("style", ""),
                "next": "\n".join(f"{k} -> {v}" for k, v in (q.get("next") or {}).items()),
            }
        )
    return rows


def posted_rows(form) -> list[dict[str, str]]:
    rows = []
    for i in range(MAX_QUESTIONS):
        row = {
            k: form.get(f"q{i}_{k}", "")
            for k in ("id", "type", "prompt", "options", "scale", "style", "next")
        }
        if any(row[k].strip() for k in ("id", "prompt", "options", "next")):
            rows.append(row)
    return rows


def survey_content(form, errors: dict[str, list[str]]) -> dict[str, Any]:
    """SurveyContent from the posted form; schema checks happen in load_content."""
    questions = []
    for n, row in enumerate(posted_rows(form), start=1):
        q: dict[str, Any] = {
            "id": row["id"].strip() or f"q{n}",
            "type": row["type"] or "single",
            "prompt": row["prompt"].strip(),
        }
        options = [line.strip() for line in row["options"].splitlines() if line.strip()]
        if q["type"] in ("single", "multi"):
            q["options"] = options
        if q["type"] == "rating":
            q["scale"] = 10 if row["scale"] == "10" else 5
            if row["style"] in ("stars", "numbers"):
                q["style"] = row["style"]
        branches = {}
        for line in row["next"].splitlines():
            if not line.strip():
                continue
            match = BRANCH_LINE.match(line.strip())
            if not match:
                errors.setdefault(f"q{n - 1}_next", []).append(
                    f"“{line.strip()}”: write one branch a line, as answer -> question id (or end)."
                )
                continue
            branches[match.group(1)] = match.group(2)
        if branches:
            q["next"] = branches
        questions.append(q)
    content: dict[str, Any] = {"questions": questions}
    if form.get("anonymous") == "on":
        content["anonymous"] = True
    if form.get("thank_you", "").strip():
        content["thank_you"] = form["thank_you"].strip()
    trigger_type = form.get("trigger_type", "page_view")
    if trigger_type and trigger_type != "page_view":
        trigger: dict[str, Any] = {"type": trigger_type}
        for field, kind in TRIGGER_FIELDS.items():
            raw = form.get(f"trigger_{field}", "").strip()
            if not raw:
                continue
            value = raw if kind is str else _int(raw, f"trigger_{field}", errors)
            if value is not None:
                trigger[field] = value
        content["trigger"] = trigger
    for field in ("delay_seconds", "max_displays"):
        value = _int(form.get(field, ""), field, errors)
        if value is not None:
            content[field] = value
    sample = form.get("sample_percent", "").strip()
    if sample:
        try:
            content["sample_percent"] = float(sample) if "." in sample else int(sample)
        except ValueError:
            errors.setdefault("sample_percent", []).append("A number from 0 to 100.")
    for field in ("starts_at", "ends_at"):
        value = _when(form.get(field, ""), field, errors)
        if value:
            content[field] = value
    return content


def form_from(exp) -> dict[str, str]:
    version = exp.current_version
    c = version.content
    trigger = c.get("trigger") or {}
    form = {
        "name": version.name,
        "url": (version.targeting or {}).get("url", ""),
        "anonymous": "on" if c.get("anonymous") else "",
        "thank_you": c.get("thank_you", ""),
        "trigger_type": trigger.get("type", "page_view"),
        "delay_seconds": str(c.get("delay_seconds", "") or ""),
        "sample_percent": str(c.get("sample_percent", "")),
        "max_displays": str(c.get("max_displays", "")),
    }
    for field in TRIGGER_FIELDS:
        form[f"trigger_{field}"] = str(trigger.get(field, ""))
    for field in ("starts_at", "ends_at"):
        if c.get(field):
            moment = datetime.fromisoformat(c[field]).astimezone(UTC)
            form[field] = moment.strftime("%Y-%m-%dT%H:%M")
    return form


def _flatten(messages: Any, prefix: str = "") -> list[str]:
    if isinstance(messages, dict):
        out = []
        for key, value in messages.items():
            out.extend(
                _flatten(value, f"{prefix}{key}: " if key not in ("_schema", "") else prefix)
            )
        return out
    if isinstance(messages, list):
        return [m for item in messages for m in _flatten(item, prefix)]
    return [f"{prefix}{messages}"]


def _errors(err: ValidationError | DomainError) -> dict[str, list[str]]:
    """Schema messages as {form field: [text]}; question messages name the question."""
    messages = (
        err.messages if isinstance(err, ValidationError) else (err.details or {"": [err.message]})
    )
    if not isinstance(messages, dict):
        return {"": [str(messages)]}
    out: dict[str, list[str]] = {}
    content = messages.pop("content", None)
    targeting = messages.pop("targeting", None)
    if isinstance(targeting, dict) and "url" in targeting:
        out["url"] = _flatten(targeting.pop("url"))
    if targeting:
        out.setdefault("", []).extend(_flatten(targeting))
    if isinstance(content, dict):
        for field in (
            "thank_you",
            "delay_seconds",
            "sample_percent",
            "max_displays",
            "starts_at",
            "ends_at",
        ):
            if field in content:
                out[field] = _flatten(content.pop(field))
        if isinstance(content.get("trigger"), dict):
            for key, value in content.pop("trigger").items():
                out[f"trigger_{key}" if key != "type" else "trigger_type"] = _flatten(value)
        questions = content.pop("questions", None)
        if questions is not None:
            out.setdefault("questions", []).extend(_flatten(questions, "Question "))
        if content:
            out.setdefault("", []).extend(_flatten(content))
    for key, value in messages.items():
        out.setdefault(key or "", []).extend(_flatten(value))
    return out


def _form_page(exp=None, form=None, rows=None, errors=None, preview=None, status=200):
    if form is None:
        form = form_from(exp) if exp else {"trigger_type": "page_view"}
    if rows is None:
        rows = question_rows(exp.current_version.content) if exp else []
    if preview is None and exp:
        preview = exp.current_version.content
    rows = rows + [{} for _ in range(BLANK_ROWS if rows else 2)]
    return (
        render_template(
            "console/surveys/form.html",
            active="surveys",
            exp=exp,
            form=form,
            rows=rows[:MAX_QUESTIONS],
            errors=errors or {},
            preview=preview,
            question_types=[(t, TYPE_LABELS[t]) for t in QUESTION_TYPES],
            trigger_types=[(t, TRIGGER_LABELS[t]) for t in TRIGGER_TYPES],
        ),
        status,
    )


def _save(exp=None):
    form = request.form
    name = form.get("name", "").strip()
    errors: dict[str, list[str]] = {}
    content_in = survey_content(form, errors)
    rows = posted_rows(form)
    try:
        targeting = dict(exp.current_version.targeting) if exp else {}
        targeting = TargetingSchema().load({**targeting, "url": form.get("url", "").strip()})
        content = load_content(Kind.survey.value, content_in)
        if not name or len(name) > 200:
            raise ValidationError({"name": ["A name of 1 to 200 characters."]})
        if errors:
            raise ValidationError(errors)
        if form.get("action") == "preview":
            # Nothing saved: the same page, with the card as it would look.
            return _form_page(exp, form, rows, preview=content)
        if exp is None:
            exp = experiences.create(
                _me(), kind=Kind.survey.value, name=name, targeting=targeting, content=content
            )
        else:
            experiences.update(
                _me(), exp, {"name": name, "targeting": targeting, "content": content}
            )
        db.session.commit()
    except (ValidationError, DomainError) as err:
        db.session.rollback()
        merged = _errors(err)
        for key, value in errors.items():
            merged.setdefault(key, []).extend(m for m in value if m not in merged.get(key, []))
        return _form_page(exp, form, rows, merged, status=422)
    flash("Saved as a draft. Publish it to show it in open browsers.", "success")
    return redirect(url_for("console.experience", exp_id=exp.id))


# ---------------------------------------------------------------- pages


@bp.get("/surveys")
def surveys_index():
    items = experiences.list_(_me().workspace_id, kind=Kind.survey.value, status=None)
    return render_template(
        "console/surveys/index.html",
        active="surveys",
        items=items,
        is_admin=_me().role == Role.admin.value,
    )


@bp.route("/surveys/new", methods=["GET", "POST"])
@admin_required
def survey_new():
    if request.method == "GET":
        return _form_page()
    return _save()


@bp.route("/surveys/<int:exp_id>/edit", methods=["GET", "POST"])
@admin_required
def survey_edit(exp_id: int):
    exp = service.survey(_me().workspace_id, exp_id)
    if request.method == "GET":
        return _form_page(exp)
    return _save(exp)


def _filters() -> tuple[Filters, dict[str, str], dict[str, list[str]]]:
    """The results filters from the query string (GET form); invalid ones are reported."""
    raw = {k: request.args[k].strip() for k in FILTER_KEYS if request.args.get(k, "").strip()}
    try:
        return Filters.from_query(FilterQuery().load(raw)), raw, {}
    except ValidationError as err:
        return Filters(), raw, {k: _flatten(v) for k, v in err.messages.items()}


@bp.get("/surveys/<int:exp_id>/results")
def survey_results(exp_id: int):
    exp = service.survey(_me().workspace_id, exp_id)
    f, raw, errors = _filters()
    q = request.args.get("q", "").strip()[:200] or None
    try:
        page = max(1, min(100_000, int(request.args.get("page", "1"))))
    except ValueError:
        page = 1
    data = results.compute(exp, f)
    texts = results.text_answers(exp, f, q, page)
    query = urlencode(raw)
    return render_template(
        "console/surveys/results.html",
        active="surveys",
        exp=exp,
        name=exp.current_version.name,
        r=data,
        texts=texts,
        q=q or "",
        filters=raw,
        errors=errors,
        query=query,
        exports=[
            (fmt, label, url_for("console.survey_export", exp_id=exp.id, format=fmt, **raw))
            for fmt, label in (("csv", "CSV"), ("jsonl", "JSON Lines"), ("xlsx", "XLSX"))
        ],
        day_chart=day_chart(data["per_day"]),
        bars=bar_rows,
        dropoff=bar_rows([{"value": q["id"], "count": q["dropped"]} for q in data["questions"]]),
    )


@bp.get("/surveys/<int:exp_id>/export")
def survey_export(exp_id: int):
    """The same streamed file as the API's export, for a console session; audited."""
    user = _me()
    exp = service.survey(user.workspace_id, exp_id)
    fmt = request.args.get("format", "csv")
    if fmt not in export.FORMATS:
        abort(400, "Choose CSV, JSON Lines or XLSX.")
    f, _, errors = _filters()
    if errors:
        abort(400, "; ".join(m for ms in errors.values() for m in ms))
    total = export.count(exp, f)
    try:
        export.check_size(fmt, total)
    except DomainError as err:
        abort(422, err.message)
    export.audit(user, exp, fmt, f, total, via="console")
    db.session.commit()
    return Response(
        stream_with_context(export.stream(exp, fmt, f)),
        mimetype=export.FORMATS[fmt],
        headers={
            "Content-Disposition": f'attachment; filename="{export.filename(exp, fmt)}"',
            "X-Nudgelayer-Rows": str(total),
            "Cache-Control": "no-store",
        },
    )


# ---------------------------------------------------------------- charts (server-side SVG)

CHART_W, CHART_H, CHART_PAD = 640, 180, 28


def day_chart(per_day: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Bars per day (answered) with the completed part darker; coordinates for the SVG."""
    if not per_day:
        return None
    top = max(d["answered"] for d in per_day) or 1
    slot = (CHART_W - 2 * CHART_PAD) / len(per_day)
    width = max(2.0, min(40.0, slot * 0.7))
    bars = []
    for i, d in enumerate(per_day):
        x = CHART_PAD + i * slot + (slot - width) / 2
        h_all = (CHART_H - 2 * CHART_PAD) * d["answered"] / top
        h_done = (CHART_H - 2 * CHART_PAD) * d["completed"] / top
        bars.append(
            {
                "x": round(x, 1),
                "w": round(width, 1),
                "y": round(CHART_H - CHART_PAD - h_all, 1),
                "h": round(h_all, 1),
                "yd": round(CHART_H - CHART_PAD - h_done, 1),
                "hd": round(h_done, 1),
                "date": d["date"],
                "answered": d["answered"],
                "completed": d["completed"],
                "label": len(per_day) <= 14 or i in (0, len(per_day) - 1),
            }
        )
    return {"w": CHART_W, "h": CHART_H, "pad": CHART_PAD, "top": top, "bars": bars}


def bar_rows(distribution: list[dict[str, Any]]) -> list[dict[str, Any]]:
    total = sum(d["count"] for d in distribution) or 1
    top = max((d["count"] for d in distribution), default=0) or 1
    return [
        {
            "value": d["value"],
            "count": d["count"],
            "percent": round(100 * d["count"] / total),
            "width": round(100 * d["count"] / top, 1),
        }
        for d in distribution
    ]


@bp.app_template_filter("survey_json")
def survey_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)
