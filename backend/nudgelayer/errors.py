"""Domain errors and the one JSON error shape every failure is turned into.

Services raise the domain errors below; this module maps them (and every HTTP,
validation and database error) to ``{"error": {"code", "message", "details"}}``.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, jsonify, request
from marshmallow import ValidationError as MarshmallowValidationError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class DomainError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, details: Any = None):
        super().__init__(message)
        self.message = message
        self.details = details


class NotFound(DomainError):
    status, code = 404, "not_found"


class Conflict(DomainError):
    status, code = 409, "conflict"


class Invalid(DomainError):
    status, code = 422, "invalid"


class Unauthorized(DomainError):
    status, code = 401, "unauthorized"


class Forbidden(DomainError):
    status, code = 403, "forbidden"


# HTTP status → stable machine-readable code.
HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}


def error_response(status: int, message: str, details: Any = None, code: str | None = None):
    body = {"error": {"code": code or HTTP_CODES.get(status, "error"), "message": message}}
    body["error"]["details"] = details if details is not None else {}
    resp = jsonify(body)
    resp.status_code = status
    return resp


def _wants_json() -> bool:
    return not request.path.startswith("/console") or request.accept_mimetypes.best == (
        "application/json"
    )


def init_app(app: Flask) -> None:
    app.before_request(check_json_body)

    @app.errorhandler(DomainError)
    def handle_domain(err: DomainError):
        return error_response(err.status, err.message, err.details, err.code)

    @app.errorhandler(MarshmallowValidationError)
    def handle_validation(err: MarshmallowValidationError):
        return error_response(422, "The request body is invalid.", err.messages)

    @app.errorhandler(OperationalError)
    def handle_db_down(err: OperationalError):
        log.warning("database unavailable: %s", err)
        from .extensions import db

        db.session.rollback()
        resp = error_response(503, "The database is unavailable; retry shortly.")
        resp.headers["Retry-After"] = "5"
        return resp

    @app.errorhandler(HTTPException)
    def handle_http(err: HTTPException):
        if not _wants_json():
            return err
        data = getattr(err, "data", None) or {}
        details = data.get("errors") or data.get("messages") or {}
        # webargs nests messages by location ({"json": {...}}); flatten the common case.
        if isinstance(details, dict) and set(details) <= {"json", "query", "form", "files"}:
            details = {k: v for loc in details.values() for k, v in loc.items()} or details
        message = data.get("message") or err.description or err.name
        status = err.code or 500
        if status == 422 and not data.get("message"):
            message = "The request is invalid: see details for each field."
        resp = error_response(status, message, details)
        # Keep what the exception says about itself (Allow on 405, WWW-Authenticate...).
        for k, v in err.get_headers():
            if k.lower() not in ("content-type", "content-length"):
                resp.headers[k] = v
        for k, v in (data.get("headers") or {}).items():
            resp.headers[k] = v
        if err.code == 429 and "Retry-After" not in resp.headers:
            resp.headers["Retry-After"] = "60"
        return resp

    @app.errorhandler(Exception)
    def handle_unexpected(err: Exception):
        if isinstance(err, HTTPException):
            return handle_http(err)
        log.exception("unhandled error")
        return error_response(500, "An unexpected error occurred.")


def check_json_body() -> None:
    """Before an API write: the body must be JSON, and well-formed.

    Without this, a malformed body would read as an empty one and be reported as
    missing fields, which hides the real mistake.
    """
    from werkzeug.exceptions import BadRequest, UnsupportedMediaType

    if request.method not in ("POST", "PUT", "PATCH") or not request.path.startswith("/api/"):
        return
    if not request.content_length and not request.headers.get("Transfer-Encoding"):
        return
    if not request.is_json:
        raise UnsupportedMediaType("Send the body as application/json.")
    try:
        request.get_json(force=False, silent=False)
    except BadRequest as err:
        raise BadRequest("The body is not valid JSON.") from err
