"""Alembic environment: always run with a connection handed in by clerk_app."""

from __future__ import annotations

from alembic import context

from clerk_app.models import Base
from clerk_app.models.autogen import include_object

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("Run migrations through `clerk-app db upgrade`, which passes a connection.")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    include_object=include_object,
)
with context.begin_transaction():
    context.run_migrations()
