"""Marshmallow schemas for experiences: targeting, segment rules and content per kind.

They mirror the JSON Schemas in shared-schemas/; a contract test runs the shared
examples through both and requires them to agree.
"""

from __future__ import annotations

import re
from typing import Any

from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, validate, validates_schema

from ..fields import UtcDateTime
from ..models import Kind, Status

SEGMENT_OPS = ("eq", "neq", "in", "nin", "contains", "gt", "gte", "lt", "lte", "exists")
MAX_RULE_DEPTH = 8
SCALAR = (str, int, float, bool)

NonBlank = validate.Length(min=1)


class Strict(Schema):
    """Unknown fields are an error everywhere: a typo must not be silently dropped."""

    class Meta:
        unknown = RAISE


class StrictInteger(fields.Integer):
    """An integer as JSON has it: no "5" strings, no true/false, no 5.0 (as the JSON Schema)."""

    def _validated(self, value):
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.make_error("invalid")
        return super()._validated(value)


class StrictNumber(fields.Float):
    def _validated(self, value):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.make_error("invalid")
        return super()._validated(value)


class StrictBoolean(fields.Boolean):
    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


def check_segment_rule(rule: Any, depth: int = 0, path: str = "segment") -> None:
    """Validate a segment rule: {attr, op, value} or {all|any: [rule]} or {not: rule}."""
    if depth > MAX_RULE_DEPTH:
        raise ValidationError(f"{path}: rules nest at most {MAX_RULE_DEPTH} deep.")
    if not isinstance(rule, dict):
        raise ValidationError(f"{path}: a rule is an object.")
    keys = set(rule)
    if keys in ({"all"}, {"any"}):
        (key,) = keys
        items = rule[key]
        if not isinstance(items, list) or not items or len(items) > 50:
            raise ValidationError(f"{path}.{key}: a list of 1 to 50 rules.")
        for i, sub in enumerate(items):
            check_segment_rule(sub, depth + 1, f"{path}.{key}[{i}]")
        return
    if keys == {"not"}:
        check_segment_rule(rule["not"], depth + 1, f"{path}.not")
        return
    if keys == {"event", "count", "within_days"}:
        _check_event_condition(rule, path)
        return
    if keys not in ({"attr", "op", "value"}, {"attr", "op"}):
        raise ValidationError(f"{path}: expected {{attr, op, value}}, all, any or not.")
    attr, op = rule["attr"], rule["op"]
    if not isinstance(attr, str) or not 1 <= len(attr) <= 64:
        raise ValidationError(f"{path}.attr: a name of 1 to 64 characters.")
    if op not in SEGMENT_OPS:
        raise ValidationError(f"{path}.op: one of {', '.join(SEGMENT_OPS)}.")
    if op == "exists":
        if "value" in rule and not isinstance(rule["value"], bool):
            raise ValidationError(f"{path}.value: exists takes true or false.")
        return
    if "value" not in rule:
        raise ValidationError(f"{path}.value: required for {op}.")
    value = rule["value"]
    if op in ("in", "nin"):
        ok = isinstance(value, list) and len(value) <= 200
        ok = ok and all(isinstance(v, SCALAR) and not (isinstance(v, str) and len(v) > 500) for v in value)
        if not ok:
            raise ValidationError(f"{path}.value: {op} takes a list of at most 200 values.")
    elif op in ("gt", "gte", "lt", "lte"):
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise ValidationError(f"{path}.value: {op} takes a number or a string.")
    elif not isinstance(value, SCALAR):
        raise ValidationError(f"{path}.value: {op} takes a string, number or boolean.")
    if isinstance(value, str) and len(value) > 500:
        raise ValidationError(f"{path}.value: at most 500 characters.")


EVENT_TYPE_RE = re.compile(r"^[a-z][a-z0-9_.:-]{0,63}\Z")
COUNT_OPS = ("eq", "gt", "gte", "lt", "lte")
MAX_WITHIN_DAYS = 365
MAX_COUNT = 1_000_000


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_event_condition(rule: dict, path: str) -> None:
    """{event, count: {op: n}, within_days}: how often the user did something lately."""
    event, count, days = rule["event"], rule["count"], rule["within_days"]
    if not isinstance(event, str) or not EVENT_TYPE_RE.match(event):
        raise ValidationError(f"{path}.event: an event type, e.g. ticket.closed.")
    if not isinstance(count, dict) or not count or set(count) - set(COUNT_OPS):
        raise ValidationError(f"{path}.count: an object of {', '.join(COUNT_OPS)} bounds.")
    if not all(_is_int(n) and 0 <= n <= MAX_COUNT for n in count.values()):
        raise ValidationError(f"{path}.count: bounds are whole numbers from 0 to {MAX_COUNT}.")
    if not _is_int(days) or not 1 <= days <= MAX_WITHIN_DAYS:
        raise ValidationError(f"{path}.within_days: whole days, 1 to {MAX_WITHIN_DAYS}.")


class SegmentRule(fields.Raw):
    def _deserialize(self, value, attr, data, **kwargs):
        check_segment_rule(value)
        return value


LOCALE_RE = r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*\Z"
MAX_VARIANTS = 20


class VariantSchema(Strict):
    """Content for the users a segment and/or locale picks out; the first match wins.

    ``content`` has the experience's own kind; checked by ``check_variants`` (needs the kind).
    """

    segment = SegmentRule()
    locale = fields.String(validate=validate.Regexp(LOCALE_RE, error="A locale, e.g. de or pt-BR."))
    content = fields.Dict(required=True)

    @validates_schema
    def picks_someone(self, data, **kwargs):
        if "segment" not in data and "locale" not in data:
            raise ValidationError("A variant needs a segment, a locale or both.")


class ExperimentSchema(Strict):
    """Run the experience as an A/B test: ``control_percent`` of users are held out."""

    control_percent = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=1, max=99)
    )
    conversion_event = fields.String(
        required=True,
        validate=validate.Regexp(EVENT_TYPE_RE.pattern, error="An event type, e.g. ticket.closed."),
    )


class TargetingSchema(Strict):
    url = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    segment = SegmentRule(load_default=None, allow_none=True)
    variants = fields.List(fields.Nested(VariantSchema), validate=validate.Length(max=MAX_VARIANTS))
    experiment = fields.Nested(ExperimentSchema)


class CandidateSchema(Strict):
    by = fields.String(
        required=True, validate=validate.OneOf(["css", "testid", "id", "name", "aria", "role", "text", "path"])
    )
    value = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    role = fields.String(validate=validate.Length(max=64))
    score = fields.Float(validate=validate.Range(min=0, max=1))


class TargetSchema(Strict):
    selector = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    candidates = fields.List(fields.Nested(CandidateSchema), validate=validate.Length(max=20))
    fingerprint = fields.Dict(keys=fields.String(validate=validate.Length(max=64)))

    @validates_schema
    def fingerprint_size(self, data, **kwargs):
        fp = data.get("fingerprint")
        if fp is not None and len(str(fp)) > 4000:
            raise ValidationError({"fingerprint": ["At most 4000 characters."]})


Title = fields.String(required=True, validate=validate.Length(min=1, max=200))
Body = fields.String(load_default="", validate=validate.Length(max=5000))
PLACEMENTS = ["auto", "top", "bottom", "left", "right"]


class TooltipContent(Strict):
    target = fields.Nested(TargetSchema, required=True)
    title = Title
    body = Body
    placement = fields.String(load_default="auto", validate=validate.OneOf(PLACEMENTS))


class HotspotContent(TooltipContent):
    pass


class TourStep(Strict):
    target = fields.Nested(TargetSchema, required=True)
    title = Title
    body = Body
    url = fields.String(validate=validate.Length(min=1, max=2000))
    placement = fields.String(load_default="auto", validate=validate.OneOf(PLACEMENTS))
    advance = fields.String(load_default="next", validate=validate.OneOf(["next", "click"]))


TOUR_TRIGGERS = ["auto", "click", "launcher"]


class TourTrigger(Strict):
    """auto: on the first visit of a matching page (once per user); click: when the user
    clicks ``selector``; launcher: only from the help launcher. Every tour is listed in the
    launcher of the pages it runs on, whatever its trigger."""

    type = fields.String(required=True, validate=validate.OneOf(TOUR_TRIGGERS))
    selector = fields.String(validate=validate.Length(min=1, max=1000))

    @validates_schema
    def click_needs_selector(self, data, **kwargs):
        if data.get("type") == "click" and "selector" not in data:
            raise ValidationError({"selector": ["Required for a click trigger."]})


class TourContent(Strict):
    steps = fields.List(
        fields.Nested(TourStep), required=True, validate=validate.Length(min=1, max=50)
    )
    # Absent: auto (tours published before triggers existed started on their own).
    trigger = fields.Nested(TourTrigger)


BADGE_VARIANTS = ["label", "recommended", "collapse"]


class BadgeContent(Strict):
    target = fields.Nested(TargetSchema, required=True)
    label = fields.String(required=True, validate=validate.Length(min=1, max=40))
    # "recommended": a marker with a short reason; "collapse": the target is hidden behind
    # a toggle labelled ``label`` (progressive disclosure). Absent: a plain label badge.
    variant = fields.String(validate=validate.OneOf(BADGE_VARIANTS))
    reason = fields.String(validate=validate.Length(min=1, max=200))
    # A live number: ``{{count}}`` in the label is replaced by it (else it goes first).
    counter = fields.Nested(lambda: BadgeCounter())
    hide_when_zero = StrictBoolean()
    # Where the badge sits next to its target (absent: right).
    placement = fields.String(validate=validate.OneOf(PLACEMENTS))

    @validates_schema
    def reason_for_recommended(self, data, **kwargs):
        if "reason" in data and data.get("variant") != "recommended":
            raise ValidationError({"reason": ["Only a recommended marker has a reason."]})

    @validates_schema
    def counter_on_label_badges(self, data, **kwargs):
        if data.get("variant", "label") != "label":
            for field in ("counter", "hide_when_zero"):
                if field in data:
                    raise ValidationError({field: ["Only a label badge has a counter."]})
        if "hide_when_zero" in data and "counter" not in data:
            raise ValidationError({"hide_when_zero": ["Only a counter can hide at zero."]})


# Event types and counter keys: the pattern of events/api.py EVENT_TYPE.
EVENT_NAME_PATTERN = r"^[a-z][a-z0-9_.:-]{0,63}\Z"
MAX_ID = 2**31 - 1
CHECKLIST_MODES = ["list", "wizard"]
COUNTER_SOURCES = ["events", "signal"]
COUNTER_SCOPES = ["user", "team", "workspace"]


class BadgeCounter(Strict):
    """Where a badge's number comes from (docs/protocol.md, "Progress").

    events: how many ``key`` events the viewer (scope user, the default), the viewer's team
    or the whole workspace sent. signal: the value another system posted to
    ``POST /counters/<key>`` for the viewer, the viewer's team or the workspace (the default).
    """

    source = fields.String(required=True, validate=validate.OneOf(COUNTER_SOURCES))
    key = fields.String(
        required=True,
        validate=validate.Regexp(EVENT_NAME_PATTERN, error="Lowercase name, e.g. ticket.closed."),
    )
    scope = fields.String(validate=validate.OneOf(COUNTER_SCOPES))


class EventRule(Strict):
    """When a checklist item is done: the one JSON form of progress rules (docs/protocol.md).

    ``{event, url?, selector?, experience_id?, count?}`` is done once the user has ``count``
    (default 1) stored events of type ``event`` that pass every filter given. ``event:
    "click"`` stands for the ``target.clicked`` events the extension sends for watched
    ``selector``s. ``{}`` is no rule: the item is ticked by hand.
    """

    event = fields.String(
        validate=validate.Regexp(EVENT_NAME_PATTERN, error="Lowercase name, e.g. page.view.")
    )
    url = fields.String(validate=validate.Length(min=1, max=2000))
    selector = fields.String(validate=validate.Length(min=1, max=1000))
    experience_id = StrictInteger(validate=validate.Range(min=1, max=MAX_ID))
    count = StrictInteger(validate=validate.Range(min=1, max=10000))

    @validates_schema
    def coherent(self, data, **kwargs):
        if data and "event" not in data:
            raise ValidationError({"event": ["Required unless the rule is empty ({})."]})
        if "selector" in data and data.get("event") != "click":
            raise ValidationError({"selector": ["Only a click rule has a selector."]})


class ChecklistItem(Strict):
    title = Title
    done_when = fields.Nested(EventRule)
    # The item's page (a URL glob): a link to it, and, without done_when, visiting it ticks
    # the item. In a wizard, url and selector say where the user is on this step.
    url = fields.String(validate=validate.Length(min=1, max=2000))
    selector = fields.String(validate=validate.Length(min=1, max=1000))


class ChecklistMilestone(Strict):
    after = StrictInteger(required=True, validate=validate.Range(min=1, max=30))
    message = fields.String(required=True, validate=validate.Length(min=1, max=200))


class ChecklistContent(Strict):
    title = Title
    items = fields.List(
        fields.Nested(ChecklistItem), required=True, validate=validate.Length(min=1, max=30)
    )
    # list (default): a floating checklist; wizard: "Step 2 of 4" through a host workflow.
    mode = fields.String(validate=validate.OneOf(CHECKLIST_MODES))
    # Messages shown when ``after`` items are done (absent: a built-in set).
    milestones = fields.List(fields.Nested(ChecklistMilestone), validate=validate.Length(max=30))

    @validates_schema
    def wizard_steps_are_located(self, data, **kwargs):
        if data.get("mode") != "wizard":
            return
        for i, item in enumerate(data.get("items", [])):
            if "url" not in item and "selector" not in item:
                raise ValidationError({"items": {i: ["A wizard step needs a url or a selector."]}})

    @validates_schema
    def milestones_fit(self, data, **kwargs):
        afters = [m["after"] for m in data.get("milestones") or []]
        if len(afters) != len(set(afters)):
            raise ValidationError({"milestones": ["One message per number of items done."]})
        if any(a > len(data.get("items", [])) for a in afters):
            raise ValidationError({"milestones": ["after is at most the number of items."]})


SIGNAL_KEY_RE = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}\Z"
SIGNAL_OPS = ["eq", "neq", "gt", "gte", "lt", "lte", "exists"]


class BannerAction(Strict):
    label = fields.String(required=True, validate=validate.Length(min=1, max=40))
    url = fields.String(
        required=True,
        validate=[
            validate.Length(max=2000),
            validate.Regexp(r"^https?://[^ \t\n\r\f\v]+\Z", error="An http or https URL."),
        ],
    )


class SignalCondition(Strict):
    """Show the banner only while the user's signal ``key`` satisfies ``op value``."""

    key = fields.String(required=True, validate=validate.Regexp(SIGNAL_KEY_RE))
    op = fields.String(required=True, validate=validate.OneOf(SIGNAL_OPS))
    value = fields.Raw()

    @validates_schema
    def value_fits_op(self, data, **kwargs):
        op, value = data.get("op"), data.get("value")
        if op == "exists":
            if "value" in data:
                raise ValidationError({"value": ["exists takes no value."]})
            return
        if "value" not in data:
            raise ValidationError({"value": [f"Required for {op}."]})
        if op in ("eq", "neq"):
            ok = isinstance(value, SCALAR) and not (isinstance(value, str) and len(value) > 500)
        else:
            ok = not isinstance(value, bool) and (
                isinstance(value, int | float) or (isinstance(value, str) and len(value) <= 500)
            )
        if not ok:
            raise ValidationError({"value": [f"{op} takes a number or a short string."]})


class BannerContent(Strict):
    text = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    severity = fields.String(required=True, validate=validate.OneOf(["info", "warning", "critical"]))
    deadline = fields.AwareDateTime(format="iso")
    action = fields.Nested(BannerAction)
    dismissible = StrictBoolean(load_default=True)
    # Shown only inside this window (urgency that is true: it really ends).
    starts_at = fields.AwareDateTime(format="iso")
    ends_at = fields.AwareDateTime(format="iso")
    # A modal announcement interrupts: it counts against the interruption budget.
    modal = StrictBoolean(load_default=False)
    # A warning: shown while a signal posted by another system holds ({{signal.value}} in text).
    signal = fields.Nested(SignalCondition)

    @validates_schema
    def coherent(self, data, **kwargs):
        if data.get("modal") and data.get("dismissible") is False:
            raise ValidationError({"dismissible": ["A modal banner must be dismissible."]})
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            raise ValidationError({"ends_at": ["Must be after starts_at."]})


QUESTION_TYPES = ["nps", "csat", "rating", "single", "multi", "text"]
QUESTION_ID = [validate.Length(min=1, max=64), validate.Regexp(r"^[A-Za-z0-9_-]+\Z")]
BRANCH_END = "end"
TRIGGER_TYPES = ["page_view", "click", "event", "nth_visit", "time_on_page", "tour_completed"]
# Which extra field each trigger type needs (tour_completed without tour_id: any tour).
TRIGGER_NEEDS = {"click": "selector", "event": "event", "nth_visit": "n", "time_on_page": "seconds"}


class SurveyQuestion(Strict):
    id = fields.String(required=True, validate=QUESTION_ID)
    type = fields.String(required=True, validate=validate.OneOf(QUESTION_TYPES))
    prompt = fields.String(required=True, validate=validate.Length(min=1, max=500))
    options = fields.List(
        fields.String(validate=validate.Length(min=1, max=200)), validate=validate.Length(max=20)
    )
    # rating only: the top of the scale (answers 1..scale, default 5) and how it is drawn.
    scale = StrictInteger(validate=validate.OneOf([5, 10]))
    style = fields.String(validate=validate.OneOf(["stars", "numbers"]))
    # Branching: {answer value: next question id | "end"}; other answers go to the next question.
    next = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1, max=200)),
        values=fields.String(validate=validate.Length(min=1, max=64)),
        validate=validate.Length(max=20),
    )

    @validates_schema
    def options_for_choices(self, data, **kwargs):
        if data.get("type") in ("single", "multi") and len(data.get("options") or []) < 2:
            raise ValidationError({"options": ["Choice questions need at least 2 options."]})


def answer_values(question: dict) -> list[str] | None:
    """The answers a question can branch on, as strings; None when it cannot branch."""
    kind = question.get("type")
    if kind == "nps":
        return [str(n) for n in range(11)]
    if kind == "csat":
        return [str(n) for n in range(1, 6)]
    if kind == "rating":
        return [str(n) for n in range(1, question.get("scale", 5) + 1)]
    if kind in ("single", "multi"):
        return list(question.get("options") or [])
    return None


class SurveyTrigger(Strict):
    type = fields.String(required=True, validate=validate.OneOf(TRIGGER_TYPES))
    selector = fields.String(validate=validate.Length(min=1, max=1000))
    event = fields.String(
        validate=validate.Regexp(
            r"^[a-z][a-z0-9_.:-]{0,63}\Z", error="Lowercase name, e.g. tour.started."
        )
    )
    n = StrictInteger(validate=validate.Range(min=1, max=1000))
    seconds = StrictInteger(validate=validate.Range(min=1, max=3600))
    tour_id = StrictInteger(validate=validate.Range(min=1, max=2**31 - 1))

    @validates_schema
    def needs(self, data, **kwargs):
        field = TRIGGER_NEEDS.get(data.get("type", ""))
        if field and field not in data:
            raise ValidationError({field: [f"Required for a {data['type']} trigger."]})


class SurveyContent(Strict):
    questions = fields.List(
        fields.Nested(SurveyQuestion), required=True, validate=validate.Length(min=1, max=20)
    )
    # Defaults when absent: anonymous false, no delay, 100% sampled, no date window,
    # unlimited displays (a dismissed, snoozed or answered survey still stays away).
    anonymous = StrictBoolean()
    thank_you = fields.String(validate=validate.Length(min=1, max=500))
    trigger = fields.Nested(SurveyTrigger)
    delay_seconds = StrictInteger(validate=validate.Range(min=0, max=3600))
    sample_percent = StrictNumber(validate=validate.Range(min=0, max=100))
    starts_at = fields.AwareDateTime(format="iso")
    ends_at = fields.AwareDateTime(format="iso")
    max_displays = StrictInteger(validate=validate.Range(min=1, max=100))

    @validates_schema
    def unique_ids(self, data, **kwargs):
        ids = [q["id"] for q in data.get("questions", [])]
        if len(ids) != len(set(ids)):
            raise ValidationError({"questions": ["Question ids must be unique."]})

    @validates_schema
    def dates_in_order(self, data, **kwargs):
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            raise ValidationError({"ends_at": ["Must be after starts_at."]})

    @validates_schema
    def branches_go_forward(self, data, **kwargs):
        """Branches name a later question or "end", so a survey can never loop."""
        questions = data.get("questions", [])
        position = {q["id"]: i for i, q in enumerate(questions)}
        errors: dict[str, list[str]] = {}
        for i, q in enumerate(questions):
            branches = q.get("next") or {}
            values = answer_values(q)
            for answer, target in branches.items():
                problem = None
                if values is None:
                    problem = f"{q['type']} questions cannot branch."
                elif answer not in values:
                    problem = f"{answer!r} is not a possible answer."
                elif target != BRANCH_END and position.get(target, -1) <= i:
                    problem = f"{target!r} must be a later question's id or \"end\"."
                if problem:
                    errors.setdefault(q["id"], []).append(problem)
        if errors:
            raise ValidationError({"questions": errors})


CONTENT_SCHEMAS: dict[str, Schema] = {
    Kind.tooltip.value: TooltipContent(),
    Kind.hotspot.value: HotspotContent(),
    Kind.tour.value: TourContent(),
    Kind.badge.value: BadgeContent(),
    Kind.checklist.value: ChecklistContent(),
    Kind.banner.value: BannerContent(),
    Kind.survey.value: SurveyContent(),
}


def load_content(kind: str, content: Any) -> dict:
    """Validate ``content`` for ``kind``; return it as JSON-ready data (defaults filled)."""
    schema = CONTENT_SCHEMAS[kind]
    if not isinstance(content, dict):
        raise ValidationError({"content": ["An object is required."]})
    try:
        loaded = schema.load(content)
    except ValidationError as err:
        raise ValidationError({"content": err.messages}) from err
    return schema.dump(loaded)


def check_variants(kind: str, targeting: Any) -> None:
    """Each variant's content has the experience's kind (defaults filled in place)."""
    variants = targeting.get("variants") if isinstance(targeting, dict) else None
    if kind not in CONTENT_SCHEMAS or not variants:
        return
    errors: dict[int, Any] = {}
    for i, variant in enumerate(variants):
        try:
            variant["content"] = load_content(kind, variant.get("content"))
        except ValidationError as err:
            errors[i] = err.messages
    if errors:
        raise ValidationError({"targeting": {"variants": errors}})


class ExperienceCreate(Strict):
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in Kind]))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    targeting = fields.Nested(TargetingSchema, required=True)
    content = fields.Dict(required=True)

    @validates_schema
    def content_matches_kind(self, data, **kwargs):
        if data.get("kind") in CONTENT_SCHEMAS and isinstance(data.get("content"), dict):
            data["content"] = load_content(data["kind"], data["content"])
            check_variants(data["kind"], data.get("targeting"))


class ExperienceUpdate(Strict):
    name = fields.String(validate=validate.Length(min=1, max=200))
    targeting = fields.Nested(TargetingSchema)
    content = fields.Dict()


class RollbackSchema(Strict):
    version = fields.Integer(required=True, validate=validate.Range(min=1))


class ExperienceQuery(Schema):
    """Unknown query parameters are ignored (bodies, by contrast, reject unknown fields)."""

    class Meta:
        unknown = EXCLUDE

    kind = fields.String(validate=validate.OneOf([k.value for k in Kind]))
    status = fields.String(validate=validate.OneOf([s.value for s in Status]))


class ExperienceOut(Schema):
    id = fields.Integer()
    workspace_id = fields.Integer()
    kind = fields.String()
    name = fields.String()
    status = fields.String()
    targeting = fields.Dict()
    content = fields.Dict()
    version = fields.Integer(metadata={"description": "Number of the version shown (draft if any)."})
    published_version = fields.Integer(allow_none=True)
    has_unpublished_changes = fields.Boolean()
    created_at = UtcDateTime()
    updated_at = UtcDateTime()


class ExperienceList(Schema):
    items = fields.List(fields.Nested(ExperienceOut))


class VersionOut(Schema):
    number = fields.Integer()
    name = fields.String()
    targeting = fields.Dict()
    content = fields.Dict()
    created_at = UtcDateTime()
    created_by = fields.String(allow_none=True)
    published_at = UtcDateTime(allow_none=True)
    is_published = fields.Boolean()
    is_draft = fields.Boolean()


class VersionList(Schema):
    items = fields.List(fields.Nested(VersionOut))


class PublishedOut(Schema):
    """What the extension receives for one live experience."""

    id = fields.Integer()
    kind = fields.String()
    name = fields.String()
    version = fields.Integer()
    targeting = fields.Dict()
    content = fields.Dict()


class FeedOut(Schema):
    cursor = fields.Integer()
    experiences = fields.List(fields.Nested(PublishedOut))
