"""Console sign-in state, CSRF tokens and route guards.

The console uses Flask's signed-cookie session: ``uid`` (the user), ``nonce`` (random,
new at every sign-in; the CSRF token is derived from it, so signing in again rotates
it), ``at`` (sign-in time, for the maximum session age) and ``pw`` (a digest of the
password hash, so changing a password ends every console session of that user).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from flask import current_app, g, redirect, request, session, url_for
from werkzeug.exceptions import BadRequest, Forbidden

from ..extensions import db
from ..models import Role, User
from . import bp

CONSOLE_ROLES = (Role.admin.value, Role.analyst.value)
CSRF_FIELD = "csrf_token"
# Endpoints reachable without signing in.
PUBLIC_ENDPOINTS = {"console.login", "console.static"}
DEFAULT_SESSION_HOURS = 12


def _digest(*parts: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, "\x1f".join(parts).encode(), hashlib.sha256).hexdigest()


def _password_mark(user: User) -> str:
    return _digest("console-password", user.password_hash)[:32]


def _nonce() -> str:
    """This session's nonce; anonymous visitors get one too, for the sign-in form."""
    if "nonce" not in session:
        session["nonce"] = secrets.token_urlsafe(32)
    return session["nonce"]


def csrf_token() -> str:
    return _digest("console-csrf", _nonce())


def sign_in(user: User) -> None:
    # A fresh session: nothing from before the sign-in (nonce included) survives it.
    session.clear()
    session.permanent = True
    session["uid"] = user.id
    session["nonce"] = secrets.token_urlsafe(32)
    session["at"] = int(time.time())
    session["pw"] = _password_mark(user)


def sign_out() -> None:
    session.clear()


def _session_user() -> User | None:
    uid = session.get("uid")
    if not isinstance(uid, int):
        return None
    max_age = current_app.config.get("CONSOLE_SESSION_HOURS", DEFAULT_SESSION_HOURS) * 3600
    signed_in_at = session.get("at")
    if not isinstance(signed_in_at, int) or time.time() - signed_in_at > max_age:
        return None
    user = db.session.get(User, uid)
    # A deleted user, a changed password or a role that lost console access ends the session.
    if user is None or user.role not in CONSOLE_ROLES:
        return None
    if not hmac.compare_digest(str(session.get("pw", "")), _password_mark(user)):
        return None
    return user


def current_user() -> User | None:
    return g.get("console_user")


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path inside the console, else None (no open redirects)."""
    if not target or len(target) > 2000 or "\\" in target:
        return None
    if any(ord(c) < 32 or ord(c) == 127 for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/console/"):
        return None
    # "/console/../x" would leave the console once the browser resolves it.
    if ".." in parts.path.split("/"):
        return None
    return target


def _here() -> str:
    query = request.query_string.decode("utf-8", "replace")
    return request.path + (f"?{query}" if query else "")


@bp.before_request
def load_user_and_check_csrf():
    """Every console request: check the CSRF token of a POST, then require a session."""
    if request.method == "POST":
        sent = request.form.get(CSRF_FIELD, "")
        if not sent or not hmac.compare_digest(sent, csrf_token()):
            raise BadRequest(
                "The form has expired or did not come from this console. "
                "Go back, reload the page and try again."
            )
    user = _session_user()
    if user is None and "uid" in session:
        sign_out()
    g.console_user = user
    if user is None and request.endpoint not in PUBLIC_ENDPOINTS:
        return redirect(url_for("console.login", next=_here() if request.method == "GET" else None))
    return None


def admin_required(view: Callable) -> Callable:
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        user = current_user()
        if user is None or user.role != Role.admin.value:
            raise Forbidden("Only admins can do this.")
        return view(*args, **kwargs)

    return wrapped


@bp.context_processor
def console_globals():
    return {"csrf_token": csrf_token, "console_user": current_user(), "CSRF_FIELD": CSRF_FIELD}
