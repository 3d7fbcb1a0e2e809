"""Open the shop's database file: check it, back it up, bring its schema to our version.

Order matters. A file that is not a SQLite database, or whose schema was written by a newer
storebox, is refused with a specific message and left untouched. An older schema is copied
(SQLite's online backup API, consistent even while another process writes) before Alembic
upgrades it, so a failed upgrade can always be undone by hand.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect
from sqlalchemy.exc import DBAPIError

from storebox.db.engine import writer
from storebox.errors import StoreUnavailable

if TYPE_CHECKING:
    from alembic.config import Config

# Alembic is imported only when the schema must change: it costs ~140 ms of every start-up,
# and a till that starts on a current database never needs it.

MIGRATIONS = Path(__file__).with_name("migrations")
SQLITE_MAGIC = b"SQLite format 3\x00"


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Autogenerate must not see the FTS5 tables (made by raw SQL in the migrations)."""
    return not (type_ == "table" and name is not None and "_fts" in name)


def _alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


_REVISION = re.compile(r"^revision\s*=\s*['\"]([^'\"]+)['\"]", re.M)
_DOWN = re.compile(r"^down_revision\s*=\s*(?:['\"]([^'\"]+)['\"]|None)", re.M)


def head_from_files() -> str | None:
    """The newest revision, read from the migration files' text (no Alembic import): the one
    revision that no other names as its down_revision. None if that is not one revision."""
    revisions: set[str] = set()
    downs: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        rev, down = _REVISION.search(text), _DOWN.search(text)
        if rev:
            revisions.add(rev.group(1))
            if down and down.group(1):
                downs.add(down.group(1))
    heads = revisions - downs
    return heads.pop() if len(heads) == 1 else None


def stored_revision(engine: Engine) -> str | None:
    try:
        with engine.connect() as connection:
            row = connection.exec_driver_sql("SELECT version_num FROM alembic_version").first()
    except DBAPIError:
        return None  # no such table (a new file), or something the full path will explain
    return None if row is None else str(row[0])


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def check_file(path: Path) -> None:
    """Refuse a file that is not SQLite before SQLite or Alembic touch it."""
    if not path.exists() or path.stat().st_size == 0:
        return
    with path.open("rb") as f:
        header = f.read(len(SQLITE_MAGIC))
    if header != SQLITE_MAGIC:
        raise StoreUnavailable(
            f"{path} 不是收银数据库 / is not a storebox database (damaged, or another kind of file); "
            "restore it from a backup in the backups folder"
        )


def backup(path: Path, backups_dir: Path, label: str) -> Path:
    backups_dir.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = backups_dir / f"{path.stem}-{label}-{stamp}.db"
    source = sqlite3.connect(path)
    try:
        dest = sqlite3.connect(target)
        try:
            source.backup(dest)
        finally:
            dest.close()
    finally:
        source.close()
    return target


def upgrade(engine: Engine, path: Path, backups_dir: Path) -> Path | None:
    """Bring the schema to head. Returns the backup made, if an upgrade was needed."""
    head_now = head_from_files()
    if head_now is not None and stored_revision(engine) == head_now:
        return None  # the everyday start: nothing to do, and no Alembic import
    from alembic import command
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_alembic_config())
    head = script.get_current_head()
    try:
        with engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
            tables = set(inspect(connection).get_table_names())
    except Exception as exc:
        raise StoreUnavailable(
            f"{path} 无法读取 / cannot be read as a storebox database: {exc}"
        ) from exc
    if current == head:
        return None
    if current is None and tables - {"alembic_version"}:
        raise StoreUnavailable(
            f"{path} 不是收银数据库 / holds tables but no storebox schema version; refusing to touch it"
        )
    if current is not None:
        try:
            script.get_revision(current)
        except Exception:
            raise StoreUnavailable(
                f"{path} 由更新版本的 storebox 创建 / was written by a newer storebox "
                f"(schema {current}); install that version or newer"
            ) from None
    # Another process may be upgrading this very file: take the write lock, then look again.
    with writer(engine).begin() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
        if current == head:
            return None
        made = backup(path, backups_dir, f"before-{head}") if current is not None else None
        command.upgrade(_alembic_config(connection), "head")
    return made
