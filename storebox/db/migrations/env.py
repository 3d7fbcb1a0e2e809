"""Alembic environment: always run with a connection handed over by `storebox.db.migrate`."""

from __future__ import annotations

from alembic import context

from storebox.db.migrate import include_name
from storebox.db.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only through storebox.db.migrate
    raise RuntimeError("run migrations through storebox.db.migrate, which passes a connection")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies the table
    transactional_ddl=True,
    include_name=include_name,
)
with context.begin_transaction():
    context.run_migrations()
