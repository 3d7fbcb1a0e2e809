"""Alembic environment of the hub: run through `sync.hub.migrate`, which hands a connection."""

from __future__ import annotations

from alembic import context

from sync.hub.migrate import VERSION_TABLE
from sync.hub.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only through sync.hub.migrate
    raise RuntimeError("run the hub's migrations through sync.hub.migrate.upgrade")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    version_table=VERSION_TABLE,
    render_as_batch=True,
    transactional_ddl=True,
)
with context.begin_transaction():
    context.run_migrations()
