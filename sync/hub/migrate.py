"""Bring a hub database to the current schema with the hub's own Alembic migrations.

The hub's version table is `hub_alembic_version`, never the shop's `alembic_version`, so a hub
and a shop can even share a database (the demo on one machine) without stepping on each other.
Runs at start-up (`create_app`, `storebox hub`); concurrent start-ups on PostgreSQL serialise on
an advisory lock, so several hub processes can start at once.
"""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy import Connection, Engine, text

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).with_name("migrations")
VERSION_TABLE = "hub_alembic_version"
_LOCK_KEY = 0x5354_4F52_4548_5542  # "STOREHUB": pg_advisory_xact_lock while migrating


def upgrade(engine: Engine) -> None:
    from alembic import command
    from alembic.config import Config

    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def current_revision(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
    return context.get_current_revision()
