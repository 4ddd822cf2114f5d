"""Alembic environment: runs against the connection (and, to autogenerate, the metadata) passed in."""

from alembic import context

attributes = context.config.attributes
context.configure(connection=attributes["connection"], target_metadata=attributes.get("metadata"),
                  render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
