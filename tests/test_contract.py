"""Contract: the shared JSON Schemas and the backend agree on everything that crosses the wire.

The extension validates with the JSON Schemas in shared-schemas/ (Ajv); the backend
validates with marshmallow. Every example in shared-schemas/examples/ goes through both:
both must accept each valid one and reject each invalid one. Messages the backend makes
itself (published experiences, socket sync and change) are produced by the real services
on a migrated database and checked against their schemas.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask_migrate import upgrade
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError as SchemaError
from jsonschema.validators import extend
from marshmallow import ValidationError
from referencing import Registry
from referencing.jsonschema import DRAFT202012
from sqlalchemy import select

from nudgelayer import create_app, realtime
from nudgelayer.auth import service as auth
from nudgelayer.auth.api import LoginIn
from nudgelayer.events.api import BatchIn, EventIn
from nudgelayer.experiences import service
from nudgelayer.experiences.schemas import (
    CONTENT_SCHEMAS,
    BadgeContent,
    BadgeCounter,
    BannerAction,
    BannerContent,
    CandidateSchema,
    ChecklistContent,
    ChecklistItem,
    ChecklistMilestone,
    EventRule,
    ExperienceCreate,
    ExperienceUpdate,
    ExperimentSchema,
    HotspotContent,
    SignalCondition,
    SurveyContent,
    SurveyQuestion,
    TargetingSchema,
    TargetSchema,
    TooltipContent,
    TourContent,
    TourStep,
    VariantSchema,
    check_segment_rule,
)
from nudgelayer.extensions import db, socketio
from nudgelayer.models import User
from nudgelayer.nudges.schemas import SignalIn

SHARED = Path(__file__).resolve().parents[1] / "shared-schemas"
EXAMPLES = SHARED / "examples"
BASE_ID = "https://nudgelayer.dev/schemas/"
DRAFT = "https://json-schema.org/draft/2020-12/schema"


def _load_schemas() -> dict[str, dict]:
    """Every schema file, by name: its path under shared-schemas/ without .schema.json."""
    found = {}
    for path in sorted(SHARED.rglob("*.schema.json")):
        if EXAMPLES in path.parents:
            continue
        name = path.relative_to(SHARED).as_posix().removesuffix(".schema.json")
        found[name] = json.loads(path.read_text())
    return found


SCHEMAS = _load_schemas()
REGISTRY: Registry = Registry().with_resources(
    (schema["$id"], DRAFT202012.create_resource(schema)) for schema in SCHEMAS.values()
)


# JSON Schema patterns are ECMA-262 regexes (what Ajv runs). Python's re differs in one
# way that our patterns touch: `$` also matches before a final newline. We translate `$`
# to `\Z`; test_patterns_stay_portable keeps every pattern inside the subset where that
# translation is the only difference (no \d, \w, \s, \b, no `.` outside a class).
@functools.cache
def _python_regex(pattern: str) -> re.Pattern[str]:
    out, escaped, in_class = [], False, False
    for ch in pattern:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "$":
            ch = r"\Z"
        out.append(ch)
    return re.compile("".join(out))


def _ecma_pattern(validator, pattern, instance, schema) -> Iterator[SchemaError]:
    if validator.is_type(instance, "string") and not _python_regex(pattern).search(instance):
        yield SchemaError(f"{instance!r} does not match {pattern!r}")


EcmaValidator = extend(Draft202012Validator, {"pattern": _ecma_pattern})


def schema_errors(name: str, instance: Any) -> list[str]:
    validator = EcmaValidator(SCHEMAS[name], registry=REGISTRY)
    return [
        f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
        for e in validator.iter_errors(instance)
    ]


def _load(schema_class) -> Callable[[Any], Any]:
    return lambda data: schema_class().load(data)


# The marshmallow side of each schema. ExperienceUpdate checks content only as an object:
# the service checks it against the stored kind, and content/<kind> is compared on its own.
BACKEND: dict[str, Callable[[Any], Any]] = {
    "segment-rule": check_segment_rule,
    "targeting": _load(TargetingSchema),
    "target": _load(TargetSchema),
    **{f"content/{kind}": schema.load for kind, schema in CONTENT_SCHEMAS.items()},
    "experience-create": _load(ExperienceCreate),
    "experience-update": _load(ExperienceUpdate),
    "event": _load(EventIn),
    "events-batch": _load(BatchIn),
    "login": _load(LoginIn),
    "signal": _load(SignalIn),
}
# Messages only the backend makes: checked against real output in the tests at the end.
BACKEND_MADE = {
    "published-experience",
    "socket-sync",
    "socket-change",
    "socket-counter",
    "socket-progress",
    "socket-signal",
    "socket-nudges",
}
BUILDING_BLOCKS = {"common"}


def backend_errors(name: str, instance: Any) -> Any:
    """marshmallow's messages, or None when it accepts. Any other exception is a bug."""
    try:
        BACKEND[name](instance)
    except ValidationError as err:
        return err.messages
    return None


def _examples(validity: str) -> list[Any]:
    params = []
    for path in sorted((EXAMPLES / validity).rglob("*.json")):
        name = path.parent.relative_to(EXAMPLES / validity).as_posix()
        params.append(pytest.param(name, path, id=f"{name}/{path.stem}"))
    return params


# ---------------------------------------------------------------- the schema files themselves


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_schema_is_valid_draft_2020_12_with_its_own_id(name):
    schema = SCHEMAS[name]
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == DRAFT
    assert schema["$id"] == f"{BASE_ID}{name}.schema.json"


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_every_ref_resolves_without_the_network(name):
    resolver = REGISTRY.resolver(base_uri=SCHEMAS[name]["$id"])
    refs = list(_refs(SCHEMAS[name]))
    for ref in refs:
        # Registry() has no retriever: an unknown URI raises instead of being fetched.
        resolved = resolver.lookup(ref).contents
        assert isinstance(resolved, dict | bool), ref
        assert ref.startswith(("#", BASE_ID)), f"{ref}: refer by $id, not by file path"


_NOT_PORTABLE = re.compile(r"\\[dDwWsSbBzZ]|\(\?<|\(\?[a-z]")


def _patterns(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "pattern" and isinstance(value, str):
                yield value
            else:
                yield from _patterns(value)
    elif isinstance(node, list):
        for item in node:
            yield from _patterns(item)


def test_patterns_stay_portable_between_ajv_and_python():
    for name, schema in SCHEMAS.items():
        for pattern in _patterns(schema):
            assert not _NOT_PORTABLE.search(pattern), f"{name}: {pattern}"
            # A bare `.` means different things in the two engines (line terminators).
            bare = re.sub(r"\\.|\[(?:\\.|[^\]])*\]", "", pattern)
            assert "." not in bare, f"{name}: {pattern}"
            re.compile(pattern)


def test_every_schema_has_examples_and_every_example_a_schema():
    for name in SCHEMAS.keys() - BUILDING_BLOCKS:
        valid = list((EXAMPLES / "valid" / name).glob("*.json"))
        invalid = list((EXAMPLES / "invalid" / name).glob("*.json"))
        assert len(valid) >= 3, f"{name}: {len(valid)} valid examples"
        assert len(invalid) >= 5, f"{name}: {len(invalid)} invalid examples"
    for validity in ("valid", "invalid"):
        for path in (EXAMPLES / validity).rglob("*.json"):
            name = path.parent.relative_to(EXAMPLES / validity).as_posix()
            assert name in SCHEMAS, f"{path}: no schema named {name}"
    assert set(BACKEND) | BACKEND_MADE == SCHEMAS.keys() - BUILDING_BLOCKS


# Each marshmallow schema and the JSON (sub)schema it must match field for field.
# Examples cannot notice a new optional field on one side only; this can.
SAME_FIELDS = {
    TargetingSchema: "targeting",
    TargetSchema: "target",
    CandidateSchema: "target#/$defs/candidate",
    TooltipContent: "content/tooltip",
    HotspotContent: "content/tooltip",
    TourContent: "content/tour",
    TourStep: "content/tour#/$defs/step",
    BadgeContent: "content/badge",
    ChecklistContent: "content/checklist",
    ChecklistItem: "content/checklist#/$defs/item",
    EventRule: "content/checklist#/$defs/rule",
    ChecklistMilestone: "content/checklist#/$defs/milestone",
    BadgeCounter: "content/badge#/$defs/counter",
    BannerContent: "content/banner",
    BannerAction: "content/banner#/properties/action",
    SignalCondition: "content/banner#/properties/signal",
    VariantSchema: "targeting#/$defs/variant",
    ExperimentSchema: "targeting#/properties/experiment",
    SignalIn: "signal",
    SurveyContent: "content/survey",
    SurveyQuestion: "content/survey#/$defs/question",
    ExperienceCreate: "experience-create",
    ExperienceUpdate: "experience-update",
    EventIn: "event",
    BatchIn: "events-batch",
    LoginIn: "login",
}


@pytest.mark.parametrize(
    ("schema_class", "where"), SAME_FIELDS.items(), ids=[c.__name__ for c in SAME_FIELDS]
)
def test_backend_and_json_schema_declare_the_same_fields(schema_class, where):
    name, _, pointer = where.partition("#")
    node = REGISTRY.resolver(base_uri=SCHEMAS[name]["$id"]).lookup(f"#{pointer}").contents
    fields = schema_class().fields
    assert set(node["properties"]) == set(fields)
    assert set(node.get("required", [])) == {n for n, f in fields.items() if f.required}
    assert node["additionalProperties"] is False, "marshmallow raises on unknown fields"


# ---------------------------------------------------------------- examples through both


@pytest.mark.parametrize(("name", "path"), _examples("valid"))
def test_valid_example_is_accepted_by_both(name, path):
    instance = json.loads(path.read_text())
    assert schema_errors(name, instance) == []
    if name in BACKEND:
        assert backend_errors(name, instance) is None


@pytest.mark.parametrize(("name", "path"), _examples("invalid"))
def test_invalid_example_is_rejected_by_both(name, path):
    instance = json.loads(path.read_text())
    assert schema_errors(name, instance), "the JSON Schema accepts it"
    if name in BACKEND:
        assert backend_errors(name, instance) is not None, "marshmallow accepts it"


DIVERGENCES = json.loads((EXAMPLES / "divergences.json").read_text())


@pytest.mark.parametrize(
    "case", DIVERGENCES, ids=[f"{c['schema']}:{c['class']}:{i}" for i, c in enumerate(DIVERGENCES)]
)
def test_documented_divergence_still_holds(case):
    """Each known difference is written down; when one is fixed, update divergences.json."""
    schema_says = "rejects" if schema_errors(case["schema"], case["instance"]) else "accepts"
    backend_says = "rejects" if backend_errors(case["schema"], case["instance"]) else "accepts"
    assert (schema_says, backend_says) == (case["json_schema"], case["backend"]), case["why"]


# ---------------------------------------------------------------- real messages from the backend

PASSWORD = "contract-test-password"


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """An app on a migrated SQLite database, with one experience of every kind published.

    Yields the app, the staff user's bearer token, and every message the services made
    along the way as (schema name, label, message).
    """
    tmp = tmp_path_factory.mktemp("contract")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NUDGELAYER_INSTANCE", str(tmp / "instance"))
        app = create_app(
            {
                "TESTING": True,
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'contract.db'}",
                "RATELIMIT_ENABLED": False,
            }
        )
    made: list[tuple[str, str, Any]] = []

    def queued(label: str) -> None:
        # What _record_change queued for emission after the commit (realtime internals).
        for workspace_id, message in db.session.info.get(realtime._PENDING, []):
            if workspace_id is not None:
                made.append(("socket-change", label, message))

    with app.app_context():
        upgrade()
        ws = auth.create_workspace("Acme", "acme")
        admin = auth.create_user(ws, "admin@acme.test", PASSWORD, "admin", team="ops")
        staff = auth.create_user(
            ws, "staff@acme.test", PASSWORD, "staff", team="support", tenure=0, locale="en-GB"
        )
        token, _ = auth.issue_token(staff, 1, "contract test")
        db.session.commit()
        made.append(
            ("socket-sync", "first connect, nothing published", realtime.build_sync(staff, None))
        )

        # The valid creation examples, through the same path as POST then publish.
        exps = []
        for path in sorted((EXAMPLES / "valid" / "experience-create").glob("*.json")):
            body = ExperienceCreate().load(json.loads(path.read_text()))
            exp = service.create(admin, **body)
            service.publish(admin, exp)
            exps.append(exp)
            made.append(("published-experience", path.stem, service.published_payload(exp)))
        queued("publish")
        db.session.commit()
        assert {e.kind for e in exps} == set(CONTENT_SCHEMAS), "one example of every kind"
        after_publish = service.current_cursor(ws.id)
        made.append(("socket-sync", "full snapshot", realtime.build_sync(staff, None)))
        made.append(("socket-sync", "catch up from 0", realtime.build_sync(staff, 0)))
        made.append(("socket-sync", "future cursor", realtime.build_sync(staff, 10**9)))

        by_kind = {e.kind: e for e in exps}
        service.unpublish(admin, by_kind["badge"])
        service.update(admin, by_kind["tooltip"], {"name": "Explain the filter, again"})
        service.publish(admin, by_kind["tooltip"])
        service.rollback(admin, by_kind["tooltip"], 1)
        service.delete(admin, by_kind["checklist"])
        queued("unpublish, republish, rollback, delete")
        db.session.commit()
        made.append(
            ("socket-sync", "catch up after edits", realtime.build_sync(staff, after_publish))
        )
        made.append(("socket-sync", "admin catch up", realtime.build_sync(admin, after_publish)))
        db.session.remove()
    yield app, token, made


def _check(made: list[tuple[str, str, Any]]) -> list[str]:
    problems = []
    for name, label, message in made:
        problems += [f"{name} ({label}): {e}" for e in schema_errors(name, message)]
    return problems


def test_published_payloads_match_the_schema(live):
    _, _, made = live
    published = [m for m in made if m[0] == "published-experience"]
    assert len(published) >= 7
    assert _check(published) == []
    for _, label, message in published:
        # Clients ignore unknown fields, so the schema allows them; the backend sends none.
        assert set(message) == {"id", "kind", "name", "version", "targeting", "content"}, label


def test_queued_change_messages_match_the_schema(live):
    _, _, made = live
    changes = [m for m in made if m[0] == "socket-change"]
    ops = {m[2]["op"] for m in changes}
    assert ops == {"upsert", "remove"}
    assert _check(changes) == []
    for _, label, message in changes:
        assert set(message) <= {"cursor", "prev_cursor", "op", "id", "experience"}, label


def test_sync_messages_match_the_schema(live):
    _, _, made = live
    syncs = [m for m in made if m[0] == "socket-sync"]
    assert _check(syncs) == []
    catch_up = next(m for _, label, m in syncs if label == "catch up after edits")
    assert catch_up["full"] is False
    # The staff user is outside some segments and one experience is gone: removes appear.
    assert {c["op"] for c in catch_up["changes"]} == {"upsert", "remove"}
    first = next(m for _, label, m in syncs if label == "first connect, nothing published")
    assert first == {"cursor": 0, "full": True, "changes": []}


def test_socket_and_feed_deliver_schema_valid_messages(live):
    """The same messages as a connected extension receives them, and the REST feed."""
    app, token, _ = live
    client = socketio.test_client(
        app, namespace=realtime.NAMESPACE, auth={"token": token, "cursor": None}
    )
    try:
        assert client.is_connected(realtime.NAMESPACE)
        received = client.get_received(realtime.NAMESPACE)
        syncs = [r["args"][0] for r in received if r["name"] == "sync"]
        assert len(syncs) == 1 and syncs[0]["full"] is True and syncs[0]["changes"]
        assert schema_errors("socket-sync", syncs[0]) == []

        resumed = client.emit("resume", {"cursor": 0}, namespace=realtime.NAMESPACE, callback=True)
        assert schema_errors("socket-sync", resumed) == []

        with app.app_context():
            admin = db.session.scalar(select(User).where(User.email == "admin@acme.test"))
            body = ExperienceCreate().load(
                json.loads((EXAMPLES / "valid" / "experience-create" / "badge.json").read_text())
            )
            exp = service.create(admin, **body)
            service.publish(admin, exp)
            db.session.commit()
            service.unpublish(admin, exp)
            db.session.commit()
            db.session.remove()
        pushed = [
            r["args"][0] for r in client.get_received(realtime.NAMESPACE) if r["name"] == "change"
        ]
        assert [p["op"] for p in pushed] == ["upsert", "remove"]
        for message in pushed:
            assert schema_errors("socket-change", message) == []
    finally:
        client.disconnect(namespace=realtime.NAMESPACE)

    feed = app.test_client().get(
        "/api/v1/client/experiences", headers={"Authorization": f"Bearer {token}"}
    )
    assert feed.status_code == 200
    assert feed.json["experiences"]
    for item in feed.json["experiences"]:
        assert schema_errors("published-experience", item) == []


def test_progress_pushes_match_their_schemas(live):
    """The ``counter`` and ``progress`` pushes, as a connected browser receives them."""
    from datetime import UTC, datetime
    from uuid import uuid4

    from nudgelayer.events import service as events
    from nudgelayer.progress import service as progress

    app, token, _ = live
    client = socketio.test_client(
        app, namespace=realtime.NAMESPACE, auth={"token": token, "cursor": None}
    )
    try:
        client.get_received(realtime.NAMESPACE)
        with app.app_context():
            admin = db.session.scalar(select(User).where(User.email == "admin@acme.test"))
            staff = db.session.scalar(select(User).where(User.email == "staff@acme.test"))
            target = {"selector": "#queue"}
            for kind, content in [
                (
                    "badge",
                    {
                        "target": target,
                        "label": "{{count}} closed",
                        "counter": {"source": "events", "key": "ticket.closed", "scope": "team"},
                    },
                ),
                (
                    "checklist",
                    {
                        "title": "Start",
                        "items": [{"title": "Close one", "done_when": {"event": "ticket.closed"}}],
                    },
                ),
            ]:
                exp = service.create(admin, kind, kind, {"url": "https://x.example/*"}, content)
                service.publish(admin, exp)
            db.session.commit()
            progress.set_counter(admin, "queue.pending", None, None, None)
            progress.set_counter(admin, "queue.pending", 4, {"team": "support"}, None)
            now = datetime.now(UTC)
            events.ingest(staff, [{"id": str(uuid4()), "type": "ticket.closed", "ts": now}])
            db.session.remove()
        pushed = [
            (r["name"], r["args"][0])
            for r in client.get_received(realtime.NAMESPACE)
            if r["name"] in ("counter", "progress")
        ]
    finally:
        client.disconnect(namespace=realtime.NAMESPACE)
    names = [name for name, _ in pushed]
    assert names.count("counter") == 3 and "progress" in names, names
    problems = [
        f"{name}: {e}" for name, message in pushed for e in schema_errors(f"socket-{name}", message)
    ]
    assert problems == []
    for name, message in pushed:
        expected = {"source", "key", "scope", "value", "ts"} if name == "counter" else {"reason"}
        assert set(message) == expected, message


def test_signal_and_nudges_messages_match_their_schemas(live):
    """The ``signal`` and ``nudges`` pushes, as the nudge services queue them."""
    from nudgelayer.nudges import push, signals, users, whatsnew

    app, _, _ = live
    with app.app_context():
        ws_id = db.session.scalar(select(User.workspace_id).where(User.email == "admin@acme.test"))
        admin = db.session.scalar(select(User).where(User.email == "admin@acme.test"))
        signals.set_value(ws_id, "backup.overdue_days", 3, {"team": "ops"})
        signals.set_value(ws_id, "status:payroll", "degraded")
        signals.set_value(ws_id, "backup.overdue_days", None, {"team": "ops"})
        users.apply(admin, admin, {"attributes": {"tenure": 4}})
        whatsnew.create(admin, "Faster search", "Search is **twice** as fast.", publish=True)
        queued = db.session.info.get(push._PENDING, [])
        db.session.rollback()
    made = [(f"socket-{name}", name, message) for _, name, message in queued]
    assert {m[0] for m in made} == {"socket-signal", "socket-nudges"}
    assert [m[2]["value"] for m in made if m[1] == "signal"] == [3, "degraded", None]
    assert _check(made) == []
