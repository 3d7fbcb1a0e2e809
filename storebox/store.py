"""The unit of work over the local SQLite file.

`store.write()` is one business operation: one BEGIN IMMEDIATE transaction that commits
everything (sale, lines, stock moves, journal entry, outbox event) or nothing.
`store.read()` is a consistent snapshot for queries and reports.

SQLite's own failures that a person can act on (busy past the timeout, disk full, a damaged
file) become `StoreUnavailable` with a message for the counter; the transaction is rolled back.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import cast

from sqlalchemy import Engine
from sqlalchemy.exc import DatabaseError as SADatabaseError
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from storebox.db.engine import make_engine, writer
from storebox.errors import StoreUnavailable


def explain_sqlite_error(exc: BaseException) -> str | None:
    """A message for the counter if `exc` is an environmental SQLite failure, else None."""
    text = str(getattr(exc, "orig", exc)).lower()
    if "database is locked" in text or "database is busy" in text:
        return "收银数据库正忙，请重试 / the shop's database is busy; try again"
    if "disk is full" in text or "database or disk is full" in text:
        return "磁盘已满，无法保存 / the disk is full; nothing was saved"
    if "malformed" in text or "not a database" in text or "disk i/o error" in text:
        return "收银数据库已损坏 / the shop's database file is damaged; run `storebox db check`"
    if "readonly" in text or "unable to open" in text:
        return "无法写入收银数据库 / the shop's database cannot be written (permissions?)"
    return None


class Store:
    def __init__(self, path: Path, engine: Engine | None = None) -> None:
        self.path = path
        self.engine = engine or make_engine(path)
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        self._write = sessionmaker(writer(self.engine), expire_on_commit=False)

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._guard(), self._read() as session, session.begin():
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        with self._guard(), self._write() as session, session.begin():
            session.connection()  # BEGIN IMMEDIATE now: wait for the lock here, not mid-operation
            yield session

    @contextmanager
    def write_sql(self) -> Iterator[sqlite3.Connection]:
        """One BEGIN IMMEDIATE transaction on a pooled connection's own sqlite3 handle.

        For the till's hot path (a sale), where a Session's machinery costs more than the SQL;
        the pool's connect hook has set the same pragmas, and the same guard maps failures.
        """
        with self._guard():
            pooled = self.engine.raw_connection()
            try:
                conn = cast(sqlite3.Connection, pooled.driver_connection)
                conn.execute("BEGIN IMMEDIATE")
                try:
                    yield conn
                    conn.execute("COMMIT")
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
            finally:
                pooled.close()  # back to the pool

    @contextmanager
    def _guard(self) -> Iterator[None]:
        try:
            yield
        except (
            OperationalError,
            SADatabaseError,
            sqlite3.OperationalError,
            sqlite3.DatabaseError,
        ) as exc:
            message = explain_sqlite_error(exc)
            if message is None:
                raise
            raise StoreUnavailable(message) from exc

    def close(self) -> None:
        self.engine.dispose()
