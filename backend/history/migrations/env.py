"""Alembic environment: migrations run on the connection the recorder hands over
(`config.attributes["connection"]`, see backend/history/store.py `migrate`)."""

from alembic import context

from backend.history.schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
