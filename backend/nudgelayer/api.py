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
