"""Plain SQL on the DBAPI connection of the caller's transaction, for the till's hot path.

A sale writes about a dozen rows. Through SQLAlchemy each statement costs 25–100 µs of Python
before SQLite sees it — more than SQLite's own work, and on a fast disk more than the fsync at
commit (`storebox bench`). The statements that every sale runs therefore go straight to
sqlite3, inside the same BEGIN IMMEDIATE transaction the session opened, so atomicity is
unchanged. Values are written in exactly the text forms SQLAlchemy's SQLite types use, so the
ORM reads them back unchanged (tests/core/test_raw.py holds both directions).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from typing import Any, cast

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

#: Either a Session in a transaction or the sqlite3 connection of `Store.write_sql()`.
Handle = Session | sqlite3.Connection


def connection(handle: Handle) -> sqlite3.Connection:
    """The sqlite3 connection under the handle's current transaction (begun if need be)."""
    if isinstance(handle, sqlite3.Connection):
        return handle
    return cast(sqlite3.Connection, handle.connection().connection.driver_connection)


def db_datetime(value: dt.datetime) -> str:
    """An aware instant as models.UTCDateTime stores it: naive UTC, microseconds, a space."""
    if value.tzinfo is None:
        raise ValueError("naive datetime given to a UTC column")
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def db_date(value: dt.date) -> str:
    return value.isoformat()


def insert_sql(table: str, columns: tuple[str, ...]) -> str:
    """INSERT with named parameters, for a dict (or list of dicts) keyed by column."""
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(':' + c for c in columns)})"
    )


def one(conn: sqlite3.Connection, sql: str, params: dict[str, Any] | tuple[Any, ...] = ()) -> Any:
    return conn.execute(sql, params).fetchone()


#: A constraint refused a write, whether it came through SQLAlchemy or through this module.
INTEGRITY_ERRORS: tuple[type[Exception], ...] = (IntegrityError, sqlite3.IntegrityError)
