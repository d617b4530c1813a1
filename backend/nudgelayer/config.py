"""Configuration from the environment, with safe defaults for one machine."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

# The extension's ID is fixed by the public key in extension/manifest.json, so the
# backend can allow exactly that origin for websockets and CORS.
DEFAULT_EXTENSION_ID = "jlogandglhkomcnabpoojofhddobippp"


def _secret_key(instance_path: Path) -> str:
    """Return SECRET_KEY from the environment, or one generated once and kept."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = instance_path / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    # Write then rename so two processes starting together agree on one key.
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(key)
    tmp.chmod(0o600)
    os.replace(tmp, path) if not path.exists() else tmp.unlink()
    return path.read_text().strip()


def from_environment(instance_path: Path) -> dict:
    """Build the config mapping from environment variables."""
    db_url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance_path / 'nudgelayer.db'}"
    ext_id = os.environ.get("EXTENSION_ID", DEFAULT_EXTENSION_ID)
    origins = os.environ.get("ALLOWED_ORIGINS", f"chrome-extension://{ext_id}")
    return {
        "SECRET_KEY": _secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": db_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SOCKETIO_MESSAGE_QUEUE": os.environ.get("SOCKETIO_MESSAGE_QUEUE") or None,
        "ALLOWED_ORIGINS": [o.strip() for o in origins.split(",") if o.strip()],
        "TOKEN_TTL_HOURS": int(os.environ.get("TOKEN_TTL_HOURS", "720")),
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_CONTENT_LENGTH", str(1024 * 1024))),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_ENABLED": os.environ.get("RATELIMIT_ENABLED", "1") != "0",
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "10 per minute"),
        "WRITE_RATE_LIMIT": os.environ.get("WRITE_RATE_LIMIT", "300 per minute"),
        "WRITE_RATE_LIMIT_PER_IP": os.environ.get("WRITE_RATE_LIMIT_PER_IP", "3000 per minute"),
        # Limit headers let clients back off before they hit 429.
        "RATELIMIT_HEADERS_ENABLED": True,
        "SESSION_COOKIE_HTTPONLY": True,
        # Set SESSION_COOKIE_SECURE=1 when the console is served over HTTPS.
        "SESSION_COOKIE_SECURE": os.environ.get("SESSION_COOKIE_SECURE", "0") == "1",
        "SESSION_COOKIE_SAMESITE": "Lax",
        "API_TITLE": "Nudgelayer API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
    }
