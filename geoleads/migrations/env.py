"""Alembic environment: uses the connection handed over by geoleads.store.schema."""

from __future__ import annotations

from alembic import context

from geoleads.store.models import Base

config = context.config
target_metadata = Base.metadata

connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through geoleads.store.schema.upgrade()")

context.configure(
    connection=connection,
    target_metadata=target_metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
