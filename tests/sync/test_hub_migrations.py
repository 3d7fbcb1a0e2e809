"""The hub's migrations build exactly the schema its models describe, on SQLite and PostgreSQL,
under their own version table, and run again as a no-op."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from sync.hub import migrate
from sync.hub.db import make_engine
from sync.hub.models import Base


@pytest.fixture(params=["sqlite", pytest.param("pg", marks=pytest.mark.pg)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "hub.db")
    return str(request.getfixturevalue("pg_url"))


def test_migrations_match_the_models(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        migrate.upgrade(engine)
        migrate.upgrade(engine)  # again: nothing to do
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"version_table": migrate.VERSION_TABLE}
            )
            diff = compare_metadata(context, Base.metadata)
            assert migrate.current_revision(connection) == "0005"
            tables = set(engine.dialect.get_table_names(connection))
        assert diff == []
        assert "hub_alembic_version" in tables and "alembic_version" not in tables
    finally:
        engine.dispose()
