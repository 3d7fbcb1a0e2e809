"""Engine set-up for the shop's SQLite file.

Three processes (cashier window, kiosk, sync agent) share one file. What makes that safe:

* WAL, so readers never block the writer and the writer never blocks readers;
* ``synchronous=FULL``: the WAL is synced at every commit, so a sale survives power loss;
* writers begin with ``BEGIN IMMEDIATE``. In WAL mode a deferred transaction that reads and then
  writes fails at once with SQLITE_BUSY_SNAPSHOT whatever the busy timeout, because another
  process committed after its read. Taking the write lock up front makes the second writer
  wait (busy_timeout) instead of failing in front of a person.

Python's sqlite3 module in its legacy transaction mode emits its own BEGIN only before DML and
never for SELECT; following SQLAlchemy's pysqlite documentation we switch that off
(``isolation_level = None``) and emit BEGIN ourselves in the engine's ``begin`` event, choosing
DEFERRED for readers and IMMEDIATE for writers by execution option.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import ConnectionPoolEntry

BEGIN_OPTION = "storebox_begin"
DEFAULT_BUSY_TIMEOUT_MS = 15_000


def make_engine(path: Path, *, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS) -> Engine:
    engine = create_engine(
        f"sqlite+pysqlite:///{path}",
        connect_args={"timeout": busy_timeout_ms / 1000, "check_same_thread": False},
        pool_size=4,
        max_overflow=4,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: ConnectionPoolEntry) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
            mode = cursor.execute("PRAGMA journal_mode=WAL").fetchone()
            if mode is None or str(mode[0]).lower() != "wal":
                raise sqlite3.OperationalError(f"could not switch to WAL (got {mode!r})")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA foreign_keys=ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get(BEGIN_OPTION, "DEFERRED")
        if mode not in ("DEFERRED", "IMMEDIATE"):
            raise ValueError(f"unknown BEGIN mode {mode!r}")
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine


def writer(engine: Engine) -> Engine:
    """The same engine (same pool) whose transactions begin IMMEDIATE."""
    return engine.execution_options(**{BEGIN_OPTION: "IMMEDIATE"})
