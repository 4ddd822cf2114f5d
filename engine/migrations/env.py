"""Alembic environment: runs against the connection that engine.migrate passes in."""

from alembic import context

import engine.all_models  # noqa: F401  (registers every table on Base.metadata)
from engine.db import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
