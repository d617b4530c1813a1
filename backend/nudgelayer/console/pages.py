"""Error pages: inside /console every failure is an HTML page in the console's layout."""

from __future__ import annotations

import logging

from flask import render_template
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, NotFound

from ..errors import DomainError
from ..extensions import db
from . import bp

log = logging.getLogger(__name__)

TITLES = {
    400: "Bad request",
    403: "Not allowed",
    404: "Page not found",
    405: "Not allowed",
    409: "Conflict",
    429: "Too many attempts",
    500: "Something went wrong",
    503: "Temporarily unavailable",
}


def error_page(status: int, message: str):
    title = TITLES.get(status, "Error")
    return render_template(
        "console/error.html", status=status, title=title, message=message
    ), status


@bp.route("/<path:_unknown>", methods=["GET", "POST"])
def unknown(_unknown: str):
    # A route of the blueprint's own, so unknown console paths get the console's 404 page
    # (routing errors never reach blueprint error handlers).
    raise NotFound()


@bp.errorhandler(HTTPException)
def http_error(err: HTTPException):
    status = err.code or 500
    if status == 404:
        message = "There is nothing here, or it belongs to another workspace."
    else:
        message = err.description or TITLES.get(status, "Error")
    resp = error_page(status, message)
    if status == 429:
        return resp[0], status, {"Retry-After": "60"}
    return resp


@bp.errorhandler(DomainError)
def domain_error(err: DomainError):
    db.session.rollback()
    if err.status == 404:
        return http_error(NotFound())
    return error_page(err.status, err.message)


@bp.errorhandler(OperationalError)
def database_down(err: OperationalError):
    log.warning("database unavailable: %s", err)
    db.session.rollback()
    body, status = error_page(503, "The database is unavailable. Try again in a moment.")
    return body, status, {"Retry-After": "5"}


@bp.errorhandler(Exception)
def unexpected(err: Exception):
    log.exception("unhandled error in the console")
    db.session.rollback()
    return error_page(500, "An unexpected error occurred. It has been logged.")
