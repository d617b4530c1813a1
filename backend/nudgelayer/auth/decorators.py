"""Route guards: who may call a view."""

from __future__ import annotations

import functools
from collections.abc import Callable

from flask import g, request

from ..errors import Forbidden, Unauthorized
from ..models import ApiToken, User
from .service import user_for_token

# Every API view declares who may call it; tests read this to build the authorization matrix.
ACCESS_RULES: dict[str, tuple[str, ...]] = {}


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def require_roles(*roles: str) -> Callable:
    """Require a valid bearer token whose user has one of ``roles`` (any role if none given)."""

    def decorator(view: Callable) -> Callable:
        ACCESS_RULES[view.__qualname__] = roles or ("staff", "admin", "analyst")

        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            _refuse_api_key(bearer_token())
            found = user_for_token(bearer_token())
            if found is None:
                raise Unauthorized("A valid bearer token is required.")
            user, token = found
            if roles and user.role not in roles:
                raise Forbidden(f"This needs the {' or '.join(roles)} role.")
            g.user, g.token = user, token
            return view(*args, **kwargs)

        return wrapped

    return decorator


def _refuse_api_key(token: str | None) -> None:
    """An API key (``nlk_``) is for its own scope's routes only: 403 on any other."""
    from ..nudges.keys import PREFIX, key_for_token

    if token and token.startswith(PREFIX) and key_for_token(token) is not None:
        raise Forbidden("An API key can only call the routes of its scope.")


def require_api_key(scope: str) -> Callable:
    """Require an active API key with ``scope`` (a user's token is refused with 403)."""

    def decorator(view: Callable) -> Callable:
        ACCESS_RULES[view.__qualname__] = (f"key:{scope}",)

        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            from ..nudges.keys import key_for_token, touch

            token = bearer_token()
            key = key_for_token(token)
            if key is None:
                if user_for_token(token) is not None:
                    raise Forbidden(f"This needs an API key with the {scope} scope.")
                raise Unauthorized("A valid API key is required.")
            if key.scope != scope:
                raise Forbidden(f"This needs an API key with the {scope} scope.")
            touch(key)
            g.api_key = key
            return view(*args, **kwargs)

        return wrapped

    return decorator


def current_user() -> User:
    return g.user


def current_token() -> ApiToken:
    return g.token
