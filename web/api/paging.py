"""One way to page and to answer with revisions (ETags) across the API."""

from __future__ import annotations

from typing import Any

from apiflask import abort
from flask import request


def page(items: list[Any], total: int, query: dict[str, Any], capped: bool = False) -> dict[str, Any]:
    """Return the list envelope every collection answers with."""
    return {"items": items, "total": total, "total_capped": capped, "limit": query["limit"],
            "offset": query["offset"]}


def etag_of(revision: int | str) -> str:
    return f'"{revision}"'


def check_revision(current: int | str) -> None:
    """Refuse a write whose If-Match names another revision than the current one (412)."""
    wanted = request.headers.get("If-Match")
    if wanted and wanted.strip() not in ("*", etag_of(current), f"W/{etag_of(current)}"):
        abort(412, f"Der Stand hat sich geändert (aktuell {etag_of(current)}); bitte neu laden")
