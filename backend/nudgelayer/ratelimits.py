"""Rate limits on writes: per token, and per client address across tokens.

Login has its own, stricter limit (auth/api.py). Limits are counted per process
unless RATELIMIT_STORAGE_URI points every process at the same Redis.
"""

from __future__ import annotations

import hashlib

from flask import Blueprint, Flask, current_app, request
from flask_limiter.util import get_remote_address

from .extensions import limiter

WRITE_METHODS = ["POST", "PATCH", "PUT", "DELETE"]


def token_key() -> str:
    """Limit by bearer token (hashed: the key must not hold a usable secret)."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return "tok:" + hashlib.sha256(header[7:].strip().encode()).hexdigest()[:32]
    return "ip:" + (get_remote_address() or "unknown")


def ip_key() -> str:
    return "ip:" + (get_remote_address() or "unknown")


def _per_token() -> str:
    return current_app.config["WRITE_RATE_LIMIT"]


def _per_ip() -> str:
    return current_app.config["WRITE_RATE_LIMIT_PER_IP"]


def limit_writes(blp: Blueprint) -> None:
    """Apply the write limits to every POST/PATCH/PUT/DELETE route of ``blp``."""
    limiter.limit(_per_token, key_func=token_key, methods=WRITE_METHODS, scope="write-token")(blp)
    limiter.limit(_per_ip, key_func=ip_key, methods=WRITE_METHODS, scope="write-ip")(blp)


def init_app(app: Flask) -> None:
    app.config.setdefault("WRITE_RATE_LIMIT", "300 per minute")
    app.config.setdefault("WRITE_RATE_LIMIT_PER_IP", "3000 per minute")
