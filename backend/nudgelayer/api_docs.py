"""Make the OpenAPI document as precise as the validation behind it.

marshmallow sees an experience's ``content`` as a free-form object because its
shape depends on ``kind``; the document must say which shape goes with which kind,
or clients (and schemathesis) would send bodies the API then rejects.
"""

from __future__ import annotations

from typing import Any

from apispec import APISpec

from .experiences.schemas import CONTENT_SCHEMAS, SEGMENT_OPS

SCALAR = {"oneOf": [{"type": "string", "maxLength": 500}, {"type": "number"}, {"type": "boolean"}]}


def _leaf(ops: list[str], value: dict[str, Any] | None, value_required: bool = True) -> dict:
    props: dict[str, Any] = {
        "attr": {"type": "string", "minLength": 1, "maxLength": 64},
        "op": {"type": "string", "enum": ops},
    }
    required = ["attr", "op"]
    if value is not None:
        props["value"] = value
        if value_required:
            required.append("value")
    return {"type": "object", "properties": props, "required": required, "additionalProperties": False}


def segment_rule_schema() -> dict:
    ref = {"$ref": "#/components/schemas/SegmentRule"}
    group = {"type": "array", "items": ref, "minItems": 1, "maxItems": 50}
    scalar_ops = [o for o in SEGMENT_OPS if o in ("eq", "neq", "contains")]
    return {
        "description": "A rule on user attributes; nests at most 8 deep.",
        "oneOf": [
            _leaf(scalar_ops, SCALAR),
            _leaf(["in", "nin"], {"type": "array", "items": SCALAR, "maxItems": 200}),
            _leaf(
                ["gt", "gte", "lt", "lte"],
                {"oneOf": [{"type": "number"}, {"type": "string", "maxLength": 500}]},
            ),
            _leaf(["exists"], {"type": "boolean"}, value_required=False),
            {
                "type": "object",
                "description": "How often the user sent an event in the last within_days days.",
                "properties": {
                    "event": {"type": "string", "pattern": "^[a-z][a-z0-9_.:-]{0,63}$"},
                    "count": {
                        "type": "object",
                        "minProperties": 1,
                        "properties": {
                            op: {"type": "integer", "minimum": 0, "maximum": 1000000}
                            for op in ("eq", "gt", "gte", "lt", "lte")
                        },
                        "additionalProperties": False,
                    },
                    "within_days": {"type": "integer", "minimum": 1, "maximum": 365},
                },
                "required": ["event", "count", "within_days"],
                "additionalProperties": False,
            },
            {"type": "object", "properties": {"all": group}, "required": ["all"], "additionalProperties": False},
            {"type": "object", "properties": {"any": group}, "required": ["any"], "additionalProperties": False},
            {"type": "object", "properties": {"not": ref}, "required": ["not"], "additionalProperties": False},
        ],
    }


def document_experience_kinds(spec: APISpec) -> None:
    schemas = spec.components.schemas
    spec.components.schema("SegmentRule", component=segment_rule_schema())
    schemas["Targeting"]["properties"]["segment"] = {
        "nullable": True,
        "allOf": [{"$ref": "#/components/schemas/SegmentRule"}],
    }
    refs = {}
    for kind, schema in CONTENT_SCHEMAS.items():
        name = f"{kind.capitalize()}Content"
        if name not in schemas:
            spec.components.schema(name, schema=type(schema))
        refs[kind] = {"$ref": f"#/components/schemas/{name}"}

    create = schemas["ExperienceCreate"]
    variants = []
    for kind, ref in refs.items():
        props = dict(create["properties"])
        props["kind"] = {"type": "string", "enum": [kind]}
        props["content"] = ref
        variants.append({**create, "properties": props, "title": f"Create a {kind}"})
    schemas["ExperienceCreate"] = {"oneOf": variants}

    update = schemas["ExperienceUpdate"]
    update["properties"]["content"] = {
        "description": "Content of the experience's own kind.",
        "anyOf": list(refs.values()),
    }
