"""Web configuration: one object read from the environment; tests pass overrides to the factory."""

from __future__ import annotations

import datetime as dt
import os
import secrets
from typing import Any


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in ("1", "true", "yes", "on", "ja")


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def from_environment() -> dict[str, Any]:
    """Return the app configuration read from KIMFLOW_* environment variables."""
    return {
        "DATABASE_URL": os.environ.get("KIMFLOW_DATABASE_URL"),
        # Without a configured key every restart signs users out, which is safe for a demo.
        "SECRET_KEY": os.environ.get("KIMFLOW_SECRET_KEY") or secrets.token_hex(32),
        "SESSION_COOKIE_NAME": "kimflow_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _flag("KIMFLOW_COOKIE_SECURE"),
        "SESSION_REFRESH_EACH_REQUEST": True,
        "PERMANENT_SESSION_LIFETIME": dt.timedelta(minutes=_int("KIMFLOW_SESSION_MINUTES", 30)),
        "PROXY_FIX": _flag("KIMFLOW_PROXY_FIX"),
        "LOGIN_LIMIT_PER_ADDRESS": _int("KIMFLOW_LOGIN_LIMIT", 20),  # failed sign-ins per 15 minutes
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session, which itself expires
        "MAX_CONTENT_LENGTH": _int("KIMFLOW_MAX_UPLOAD_MB", 10) * 1024 * 1024 + 64 * 1024,
        "UPLOAD_MAX_BYTES": _int("KIMFLOW_MAX_UPLOAD_MB", 10) * 1024 * 1024,
        "BABEL_DEFAULT_LOCALE": "de",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Berlin",
        "LANGUAGES": {"de": "Deutsch", "en": "English"},
        "INBOX_PAGE_SIZE": 25,
        "DUE_SOON_DAYS": 3,
        "MAIL_ENABLED": _flag("KIMFLOW_MAIL_ENABLED"),
        "MAIL_HOST": os.environ.get("KIMFLOW_SMTP_HOST", "localhost"),
        "MAIL_PORT": _int("KIMFLOW_SMTP_PORT", 25),
        "MAIL_USERNAME": os.environ.get("KIMFLOW_SMTP_USER"),
        "MAIL_PASSWORD": os.environ.get("KIMFLOW_SMTP_PASSWORD"),
        "MAIL_STARTTLS": _flag("KIMFLOW_SMTP_STARTTLS"),
        "MAIL_SENDER": os.environ.get("KIMFLOW_MAIL_SENDER", "kimflow@localhost"),
        "BASE_URL": os.environ.get("KIMFLOW_BASE_URL", "http://localhost:5000"),
    }
