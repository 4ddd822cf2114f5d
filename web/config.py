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


MIN_SECRET_KEY = 32


class ConfigurationError(ValueError):
    """The configuration cannot run safely; the message says what to set."""


def from_environment() -> dict[str, Any]:
    """Return the app configuration read from KIMFLOW_* environment variables."""
    key = os.environ.get("KIMFLOW_SECRET_KEY") or None
    if key is not None and len(key) < MIN_SECRET_KEY:
        raise ConfigurationError(f"KIMFLOW_SECRET_KEY ist zu kurz: mindestens {MIN_SECRET_KEY} Zeichen "
                                 "(z. B. python3 -c 'import secrets; print(secrets.token_hex(32))').")
    return {
        "DATABASE_URL": os.environ.get("KIMFLOW_DATABASE_URL"),
        "SECRET_KEY": key,  # required outside demo mode: every server process must sign with the same key
        "DEMO_MODE": _flag("KIMFLOW_DEMO"),
        "SESSION_COOKIE_NAME": "kimflow_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _flag("KIMFLOW_COOKIE_SECURE"),
        "SESSION_REFRESH_EACH_REQUEST": True,
        "PERMANENT_SESSION_LIFETIME": dt.timedelta(minutes=_int("KIMFLOW_SESSION_MINUTES", 30)),
        "PROXY_FIX": _flag("KIMFLOW_PROXY_FIX"),
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


def ensure_secret_key(config: dict[str, Any]) -> None:
    """Refuse to run without a secret key, except in demo mode and tests (a fresh random key then)."""
    if config.get("SECRET_KEY"):
        return
    if config.get("DEMO_MODE") or config.get("TESTING"):
        config["SECRET_KEY"] = secrets.token_hex(32)  # a restart signs everyone out: fine for a demo
        return
    raise ConfigurationError("KIMFLOW_SECRET_KEY ist nicht gesetzt: ohne festen Schlüssel erfindet jeder "
                             "Serverprozess einen eigenen, und Anmeldungen gehen verloren. Setzen Sie "
                             "KIMFLOW_SECRET_KEY (mindestens 32 Zeichen) oder starten Sie die Demo mit "
                             "`kimflow demo --serve`.")
