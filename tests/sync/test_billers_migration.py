"""Migration 0004 on a hub that already served shops: its streams' rows and cursors survive the
store scoping (same seq, mall-wide), SQLite keeps AUTOINCREMENT (a seq is never reused), and
the hub then serves the new default billers and per-store streams."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import text

from sync.hub import billers, defaults, migrate, streams
from sync.hub.db import Database


def _upgrade_to(db: Database, revision: str) -> None:
    with db.engine.begin() as connection:
        config = Config()
        config.set_main_option("script_location", str(migrate.MIGRATIONS))
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


@pytest.fixture(params=["sqlite", pytest.param("pg", marks=pytest.mark.pg)])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Database:
    url = (
        str(tmp_path / "hub.db") if request.param == "sqlite" else request.getfixturevalue("pg_url")
    )
    made = Database(url)
    yield made  # type: ignore[misc]
    made.dispose()


def test_an_old_hubs_streams_survive_and_it_gets_the_new_billers(db: Database) -> None:
    _upgrade_to(db, "0003")
    with db.engine.begin() as connection:
        for stream, key, data in [
            ("billers", "cmcc", '{"biller_id":"cmcc","old":true}'),
            ("config", "sync_pull_interval_seconds", '{"key":"x","value":60}'),
            ("catalog", "sku-1", '{"sku":"sku-1"}'),
        ]:
            connection.execute(
                text(
                    "INSERT INTO stream_changes (stream, key, op, data_json, txid, changed_at)"
                    " VALUES (:stream, :key, 'upsert', :data, 0, '2026-11-25 10:00:00')"
                ),
                {"stream": stream, "key": key, "data": data},
            )
        before = connection.execute(
            text("SELECT seq, stream, key FROM stream_changes ORDER BY seq")
        ).all()
    migrate.upgrade(db.engine)
    with db.transaction() as session:
        rows = session.execute(
            text("SELECT seq, stream, store_id, key FROM stream_changes ORDER BY seq")
        ).all()
        assert [tuple(r) for r in rows] == [(seq, s, "", k) for seq, s, k in before]
        added = defaults.publish_defaults(session)
        assert added["billers"] == 7  # the old cmcc item replaced, the others new
        assert "old" not in (
            session.scalar(
                text(
                    "SELECT data_json FROM stream_changes WHERE stream = 'billers' AND key = 'cmcc'"
                )
            )
            or ""
        )
        assert billers.load_billers(session)["cmcc"].rules.denominations_fen
        store = "0190aaaa-0000-7000-8000-00000000000a"
        session.execute(
            text("INSERT INTO stores (id, name, created_at) VALUES (:id, 's', '2026-11-25')"),
            {"id": store},
        )
        streams.publish(session, "bill_results", [("p1", {"a": 1})], store_id=store)
        newest = session.scalar(text("SELECT max(seq) FROM stream_changes"))
        assert newest is not None and newest > before[-1].seq
    with db.reading() as session:  # on PostgreSQL a change is served once its writer ended
        page = streams.pull(session, "bill_results", "", 10, store)
        assert [key for key, _, _ in page.rows] == ["p1"]
        assert streams.pull(session, "bill_results", "", 10, "another store").rows == []
    if db.engine.dialect.name == "sqlite":
        with db.engine.connect() as connection:
            sql = connection.execute(
                text("SELECT sql FROM sqlite_master WHERE name = 'stream_changes'")
            ).scalar_one()
        assert "AUTOINCREMENT" in sql.upper()
