"""The query plan of the staff inbox's group view, as the database will run it."""

from __future__ import annotations

from sqlalchemy import text

from engine.core import clock
from engine.identity import org
from engine.read import inbox


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
