"""Results, free-text answers and exports (admins, analysts); the events export."""

from __future__ import annotations

from flask import Response, stream_with_context
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from ..api import BEARER
from ..auth.decorators import current_user, require_roles
from ..extensions import db
from ..fields import UtcDateTime
from . import event_export, export, results, service
from .filters import End, FilterQuery, Filters, Start

blp = Blueprint(
    "survey-results", __name__, url_prefix="/api/v1", description="Survey results and exports"
)
READERS = ("admin", "analyst")
EVENT_TYPE = validate.Regexp(
    r"^[a-z][a-z0-9_.:-]{0,63}\Z", error="Lowercase name, e.g. tour.started."
)


class TextQuery(FilterQuery):
    q = fields.String(validate=validate.Length(min=1, max=200))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))


class ExportQuery(FilterQuery):
    format = fields.String(load_default="csv", validate=validate.OneOf(list(export.FORMATS)))


class EventExportQuery(Schema):
    class Meta:
        unknown = "raise"

    format = fields.String(load_default="jsonl", validate=validate.OneOf(["jsonl"]))
    type = fields.String(validate=EVENT_TYPE)
    start = Start(data_key="from")
    end = End(data_key="to")


class Count(Schema):
    value = fields.Raw()
    count = fields.Integer()


class QuestionResult(Schema):
    id = fields.String()
    type = fields.String()
    prompt = fields.String()
    reached = fields.Integer(metadata={"description": "Respondents whose path came to it."})
    answered = fields.Integer()
    dropped = fields.Integer(metadata={"description": "Partial responses that stopped here."})
    distribution = fields.List(fields.Nested(Count))
    nps = fields.Dict()
    csat = fields.Dict()
    rating = fields.Dict()


class DayCount(Schema):
    date = fields.String()
    answered = fields.Integer()
    completed = fields.Integer()


class ResultsOut(Schema):
    experience_id = fields.Integer()
    filters = fields.Dict()
    shown = fields.Integer(metadata={"description": "Displays reported by browsers."})
    responses = fields.Integer()
    answered = fields.Integer(metadata={"description": "Responses with at least one answer."})
    completed = fields.Integer()
    response_rate = fields.Float(allow_none=True, metadata={"description": "answered ÷ shown"})
    completion_rate = fields.Float(
        allow_none=True, metadata={"description": "completed ÷ answered"}
    )
    nps = fields.Dict(
        allow_none=True,
        metadata={
            "description": "{question_id, responses, score, promoters, passives, detractors}"
        },
    )
    csat = fields.Dict(
        allow_none=True,
        metadata={"description": "{question_id, responses, average, satisfied_percent (4 or 5)}"},
    )
    questions = fields.List(fields.Nested(QuestionResult))
    per_day = fields.List(fields.Nested(DayCount))


class TextAnswer(Schema):
    response_id = fields.String()
    question_id = fields.String()
    text = fields.String()
    created_at = UtcDateTime()
    completed = fields.Boolean()
    user_email = fields.String(allow_none=True)


class TextPage(Schema):
    items = fields.List(fields.Nested(TextAnswer))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()


def streamed(*media_types: str) -> dict:
    """OpenAPI for a 200 whose body is a file, streamed."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    return {"description": "The file, streamed", "content": {m: binary for m in media_types}}


EXPORTED = streamed(*(m.split(";")[0] for m in export.FORMATS.values()))
EVENTS_EXPORTED = streamed("application/x-ndjson")


@blp.route("/experiences/<int:exp_id>/results")
class SurveyResults(MethodView):
    @require_roles(*READERS)
    @blp.arguments(FilterQuery, location="query")
    @blp.response(200, ResultsOut)
    @blp.doc(security=BEARER)
    def get(self, query, exp_id):
        """Counts, response rate, NPS, CSAT, distributions, drop-off and responses per day."""
        exp = service.survey(current_user().workspace_id, exp_id)
        return results.compute(exp, Filters.from_query(query))


@blp.route("/experiences/<int:exp_id>/responses")
class SurveyTextAnswers(MethodView):
    @require_roles(*READERS)
    @blp.arguments(TextQuery, location="query")
    @blp.response(200, TextPage)
    @blp.doc(security=BEARER)
    def get(self, query, exp_id):
        """Free-text answers, newest first, 50 a page; ``q`` keeps those containing it."""
        exp = service.survey(current_user().workspace_id, exp_id)
        return results.text_answers(exp, Filters.from_query(query), query.get("q"), query["page"])


@blp.route("/experiences/<int:exp_id>/responses/export")
class ResponsesExport(MethodView):
    @require_roles(*READERS)
    @blp.arguments(ExportQuery, location="query")
    @blp.doc(security=BEARER, responses={"200": EXPORTED})
    def get(self, query, exp_id):
        """Download the responses as CSV, JSON Lines or XLSX, streamed; audited."""
        user = current_user()
        exp = service.survey(user.workspace_id, exp_id)
        fmt, f = query["format"], Filters.from_query(query)
        total = export.count(exp, f)
        export.check_size(fmt, total)
        export.audit(user, exp, fmt, f, total, via="api")
        db.session.commit()
        chunks = export.stream(exp, fmt, f)
        return Response(
            stream_with_context(chunks),
            mimetype=export.FORMATS[fmt],
            headers={
                "Content-Disposition": f'attachment; filename="{export.filename(exp, fmt)}"',
                # Lets a console show progress while the file streams (rows, not bytes).
                "X-Nudgelayer-Rows": str(total),
                "Cache-Control": "no-store",
            },
        )


@blp.route("/events/export")
class EventsExport(MethodView):
    @require_roles(*READERS)
    @blp.arguments(EventExportQuery, location="query")
    @blp.doc(security=BEARER, responses={"200": EVENTS_EXPORTED})
    def get(self, query):
        """Download the workspace's events as JSON Lines, by type and date; audited."""
        user = current_user()
        type_, start, end = query.get("type"), query.get("start"), query.get("end")
        described = Filters(start=start, end=end).describe() | ({"type": type_} if type_ else {})
        event_export.audit(user, described)
        db.session.commit()
        chunks = event_export.jsonl_chunks(user.workspace_id, type_, start, end)
        return Response(
            stream_with_context(chunks),
            mimetype="application/x-ndjson; charset=utf-8",
            headers={
                "Content-Disposition": 'attachment; filename="events.jsonl"',
                "Cache-Control": "no-store",
            },
        )
