"""The REST API object: flask-smorest, with errors in Nudgelayer's one JSON shape."""

from __future__ import annotations

from flask_smorest import Api as SmorestApi
from marshmallow import Schema, fields


class ErrorBody(Schema):
    code = fields.String(required=True, metadata={"description": "Stable machine-readable code."})
    message = fields.String(required=True, metadata={"description": "What went wrong, for people."})
    details = fields.Raw(metadata={"description": "Per-field messages, when there are any."})


class ErrorSchema(Schema):
    error = fields.Nested(ErrorBody, required=True)


class Api(SmorestApi):
    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self):
        # errors.init_app() registers the handlers for the whole app.
        pass


api = Api()
BEARER = [{"bearerAuth": []}]


COMMON_ERRORS = {
    "400": "Malformed JSON body",
    "401": "Missing, unknown, revoked or expired bearer token",
    "403": "The token's role may not do this",
    "404": "No such resource in the caller's workspace",
    "409": "The resource's state does not allow this",
    "413": "Body larger than the server accepts",
    "415": "Body is not application/json",
    "422": "Invalid fields; details name each one",
    "429": "Rate limited; see Retry-After",
    "503": "Database unavailable; retry later",
}


def document_common_errors(spec_paths: dict) -> None:
    """Every guarded operation can answer with these errors, all in the one error shape."""
    ref = {"$ref": "#/components/schemas/Error"}
    for ops in spec_paths.values():
        for method, op in ops.items():
            if not isinstance(op, dict) or "responses" not in op:
                continue
            codes = ["401", "403", "404", "429", "503"] if op.get("security") else ["429", "503"]
            if method in ("post", "patch", "put"):
                codes += ["400", "409", "413", "415", "422"]
            for code in codes:
                op["responses"].setdefault(
                    code,
                    {"description": COMMON_ERRORS[code], "content": {"application/json": {"schema": ref}}},
                )
            op["responses"].pop("default", None)
