"""The hub's database: one URL chooses SQLite (the demo, a single shop) or PostgreSQL (production).

SQLite gets the shop's settings (WAL, synchronous=FULL, foreign keys, a busy timeout) and every
transaction begins IMMEDIATE: the hub writes in most requests, and in WAL mode a deferred
transaction that reads and then writes fails at once with SQLITE_BUSY_SNAPSHOT whatever the
timeout. PostgreSQL runs through psycopg 3 at READ COMMITTED; the pull streams do not rely on the
isolation level but on transaction ids (see `streams`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry

BUSY_TIMEOUT_MS = 15_000
READ_ONLY = "hub_read_only"


class BadDatabaseUrl(ValueError):
    """The --db value is neither a SQLite path/URL nor a PostgreSQL URL."""


def normalise_url(url: str) -> str:
    """`sqlite:///x.db`, a bare file path, or `postgresql://…` (psycopg 3 is the driver)."""
    text = url.strip()
    if not text:
        raise BadDatabaseUrl("the hub's database URL is empty")
    if "://" not in text:
        return f"sqlite+pysqlite:///{Path(text).expanduser()}"
    try:
        parsed = make_url(text)
    except ArgumentError as exc:
        raise BadDatabaseUrl(f"not a database URL: {url!r}") from exc
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return parsed.set(drivername="sqlite+pysqlite").render_as_string(hide_password=False)
    if backend in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    raise BadDatabaseUrl(f"the hub runs on SQLite or PostgreSQL, not {backend!r} ({url!r})")


def make_engine(url: str) -> Engine:
    full = normalise_url(url)
    if full.startswith("sqlite"):
        return _sqlite_engine(full)
    return create_engine(full, pool_size=10, max_overflow=10, pool_pre_ping=True)


def _sqlite_engine(url: str) -> Engine:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
        pool_size=8,
        max_overflow=8,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: ConnectionPoolEntry) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA foreign_keys=ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = "DEFERRED" if connection.get_execution_options().get(READ_ONLY) else "IMMEDIATE"
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


class Database:
    """An engine and its session factory; the app keeps one, requests share nothing else."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.postgres = is_postgres(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._readers = sessionmaker(
            self.engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False
        )

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        with self._sessions() as session, session.begin():
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A transaction that only reads: on SQLite a deferred BEGIN, so it never waits for
        the writer (WAL readers see the last commit)."""
        with self._readers() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
