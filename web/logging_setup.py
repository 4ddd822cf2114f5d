"""Structured logs: one JSON object per line, each request's lines carrying its request id.

Log lines name routes, never paths or query strings, and never users: no personal data leaves in logs.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sys
import uuid

from flask import Flask, g, has_request_context

REQUEST_ID_HEADER = "X-Request-ID"
# An id a proxy sent is reused only when it is short and plain, so it cannot smuggle data into logs.
SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class JsonFormatter(logging.Formatter):
    """Format a record as one JSON line with time, level, logger, message and the request id."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
                 "level": record.levelname, "logger": record.name, "message": record.getMessage()}
        if has_request_context() and "request_id" in g:
            entry["request_id"] = g.request_id
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info).splitlines()[-1]
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure(level: str = "INFO") -> None:
    """Send every log record to stderr as JSON (called once per process)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())


def request_id(incoming: str | None) -> str:
    """Return the proxy's request id when it is plain, else a fresh one."""
    if incoming and SAFE_REQUEST_ID.match(incoming):
        return incoming
    return uuid.uuid4().hex


def init_app(app: Flask) -> None:
    """Give each request an id (echoed in the response) for the log lines written while it runs."""

    def _assign_id():
        from flask import request

        g.request_id = request_id(request.headers.get(REQUEST_ID_HEADER))

    # First of all before-request functions, so the sign-in checks already log with the id.
    app.before_request_funcs.setdefault(None, []).insert(0, _assign_id)

    @app.after_request
    def _echo_id(response):
        if "request_id" in g:
            response.headers[REQUEST_ID_HEADER] = g.request_id
        return response
