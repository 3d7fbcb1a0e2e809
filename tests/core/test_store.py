from __future__ import annotations

import sqlite3

from sqlalchemy import text

from storebox.shop import Shop


def test_store_pragmas_hold_on_every_connection(shop: Shop) -> None:
    with shop.store.read() as session:
        assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert session.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert (
            session.execute(text("PRAGMA busy_timeout")).scalar() == shop.settings.busy_timeout_ms
        )


def test_writer_takes_the_write_lock_at_begin(shop: Shop) -> None:
    """A write transaction holds the RESERVED lock before its first statement, so another
    process's BEGIN IMMEDIATE cannot start until it commits."""
    other = sqlite3.connect(shop.settings.db_path, timeout=0, isolation_level=None)
    try:
        with shop.store.write():
            try:
                other.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                assert "locked" in str(exc)
            else:  # pragma: no cover - the assertion below reports it
                other.execute("ROLLBACK")
                raise AssertionError("a second writer got in while the first held the lock")
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
    finally:
        other.close()


def test_reader_does_not_block_a_writer(shop: Shop) -> None:
    other = sqlite3.connect(shop.settings.db_path, timeout=0, isolation_level=None)
    try:
        with shop.store.read() as session:
            session.execute(text("SELECT count(*) FROM products")).scalar()
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
    finally:
        other.close()
