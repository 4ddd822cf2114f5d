"""The staff inbox's group view as the database runs it: its query plan and the query's own time."""

from __future__ import annotations

import statistics
import time

from sqlalchemy import text

from engine.core import clock
from engine.identity import org
from engine.read import inbox, inbox_branches


def inbox_plan(app, username: str) -> str:
    """Return EXPLAIN QUERY PLAN (SQLite) or EXPLAIN (PostgreSQL) of the group view's first page."""
    db = app.extensions["kimflow"].db
    with db.reading() as session:
        actor = org.actor_for(session, username)
        query = inbox.page_query(session, "group", actor, None, now=clock.now(), limit=25, offset=0)
        compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
        prefix = "EXPLAIN " if db.is_postgres else "EXPLAIN QUERY PLAN "
        rows = session.execute(text(prefix + str(compiled))).all()
    if db.is_postgres:
        return "\n".join(f"  {r[0]}" for r in rows)
    return "\n".join(f"  {r[-1]}" for r in rows)


def inbox_query_ms(app, username: str, samples: int = 30) -> tuple[float, float]:
    """Return the median ms of the group view's first page query and of the three badge counts, rows fetched."""
    db = app.extensions["kimflow"].db
    pages, badges = [], []
    with db.reading() as session:
        actor = org.actor_for(session, username)
        for _ in range(samples + 3):
            query = inbox.page_query(session, "group", actor, None, now=clock.now(), limit=25, offset=0)
            started = time.perf_counter()
            session.execute(query).all()
            middle = time.perf_counter()
            session.info.pop(inbox_branches.BADGES_KEY, None)  # counted afresh, as each request does
            inbox.counts(session, actor)
            pages.append((middle - started) * 1000)
            badges.append((time.perf_counter() - middle) * 1000)
    return statistics.median(pages[3:]), statistics.median(badges[3:])
