"""Start-up against every kind of database file: new, current, older, newer, damaged, foreign."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from storebox.clock import FixedClock
from storebox.config import Settings
from storebox.db import migrate
from storebox.db.models import Base
from storebox.errors import StoreUnavailable
from storebox.shop import open_shop


def test_migrations_build_exactly_the_models(settings: Settings, clock: FixedClock) -> None:
    with open_shop(settings, clock) as shop, shop.store.engine.connect() as connection:
        diff = compare_metadata(
            MigrationContext.configure(connection, opts={"include_name": migrate.include_name}),
            Base.metadata,
        )
    assert diff == []


def test_fts_and_journal_triggers_exist(settings: Settings, clock: FixedClock) -> None:
    with open_shop(settings, clock):
        pass
    con = sqlite3.connect(settings.db_path)
    names = {r[0] for r in con.execute("SELECT name FROM sqlite_master")}
    con.close()
    assert {"products_fts", "products_fts_ai", "journal_no_update", "journal_no_delete"} <= names


def test_reopening_a_current_database_makes_no_backup(
    settings: Settings, clock: FixedClock
) -> None:
    with open_shop(settings, clock):
        pass
    with open_shop(settings, clock):
        pass
    assert not settings.backups_dir.exists() or not list(settings.backups_dir.iterdir())


def test_garbage_file_is_refused_and_left_untouched(settings: Settings, clock: FixedClock) -> None:
    settings.data_dir.mkdir(parents=True)
    settings.db_path.write_bytes(b"this is not a database at all" * 100)
    before = settings.db_path.read_bytes()
    with pytest.raises(StoreUnavailable, match="not a storebox database"):
        open_shop(settings, clock)
    assert settings.db_path.read_bytes() == before


def test_damaged_pages_are_reported_not_crashed_on(settings: Settings, clock: FixedClock) -> None:
    with open_shop(settings, clock):
        pass
    con = sqlite3.connect(settings.db_path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    data = bytearray(settings.db_path.read_bytes())
    # keep the header, scribble over the schema page and beyond
    data[100:4096] = b"\xff" * (4096 - 100)
    settings.db_path.write_bytes(bytes(data))
    with pytest.raises(StoreUnavailable):
        open_shop(settings, clock)


def test_newer_schema_is_refused(settings: Settings, clock: FixedClock) -> None:
    with open_shop(settings, clock):
        pass
    con = sqlite3.connect(settings.db_path)
    con.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    con.commit()
    con.close()
    with pytest.raises(StoreUnavailable, match="newer storebox"):
        open_shop(settings, clock)


def test_foreign_sqlite_database_is_refused(settings: Settings, clock: FixedClock) -> None:
    settings.data_dir.mkdir(parents=True)
    con = sqlite3.connect(settings.db_path)
    con.execute("CREATE TABLE recipes (id INTEGER PRIMARY KEY, name TEXT)")
    con.commit()
    con.close()
    with pytest.raises(StoreUnavailable, match="no storebox schema"):
        open_shop(settings, clock)
    con = sqlite3.connect(settings.db_path)
    assert [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")] == [
        "recipes"
    ]
    con.close()


def test_older_schema_is_backed_up_then_upgraded(
    settings: Settings, clock: FixedClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with open_shop(settings, clock) as shop, shop.store.write() as session:
        from storebox.db.models import User
        from storebox.users import hash_pin

        session.add(
            User(
                id="u1",
                name="店主",
                role="owner",
                pin_hash=hash_pin("1234", 16),
                created_at=clock.now(),
            )
        )
    # A copy of our migrations plus one newer revision stands in for the next release.
    head = migrate.head_from_files()
    scripts = tmp_path / "migrations"
    shutil.copytree(migrate.MIGRATIONS, scripts)
    (scripts / "versions" / "0099_test.py").write_text(
        "from alembic import op\n"
        "import sqlalchemy as sa\n"
        f"revision = '0099'\ndown_revision = '{head}'\nbranch_labels = None\ndepends_on = None\n"
        "def upgrade():\n"
        "    op.add_column('users', sa.Column('nickname', sa.String(20)))\n"
        "def downgrade():\n"
        "    pass\n"
    )
    monkeypatch.setattr(migrate, "MIGRATIONS", scripts)
    with open_shop(settings, clock):
        pass
    backups = list(settings.backups_dir.iterdir())
    assert len(backups) == 1
    con = sqlite3.connect(backups[0])
    assert con.execute("SELECT version_num FROM alembic_version").fetchone() == (head,)
    assert con.execute("SELECT name FROM users").fetchall() == [("店主",)]
    con.close()
    con = sqlite3.connect(settings.db_path)
    assert con.execute("SELECT version_num FROM alembic_version").fetchone() == ("0099",)
    assert "nickname" in [r[1] for r in con.execute("PRAGMA table_info(users)")]
    con.close()


def test_the_fast_head_read_from_the_files_is_alembics_head() -> None:
    assert migrate.head_from_files() == migrate.head_revision()


def test_opening_a_current_database_does_not_import_alembic(
    settings: Settings, clock: FixedClock
) -> None:
    with open_shop(settings, clock):
        pass
    script = (
        "import sys\n"
        "from storebox import config\n"
        "from storebox.shop import open_shop\n"
        f"s = config.load(environ={{}}, overrides={{'data_dir': {str(settings.data_dir)!r}}})\n"
        "open_shop(s).close()\n"
        "print('alembic' in sys.modules)\n"
    )
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_a_shop_from_before_sync_upgrades_and_keeps_its_outbox(
    settings: Settings, clock: FixedClock
) -> None:
    """0002 (the release before the sync agent) → head: the sync tables appear, the events
    waiting in the outbox are still there and still pending."""
    from alembic import command

    from storebox.db.engine import make_engine, writer

    settings.data_dir.mkdir(parents=True)
    engine = make_engine(settings.db_path)
    with writer(engine).begin() as connection:
        command.upgrade(migrate._alembic_config(connection), "0002")
    engine.dispose()
    con = sqlite3.connect(settings.db_path)
    con.execute(
        "INSERT INTO outbox (event_id, kind, payload_json, created_at, status, attempts) "
        "VALUES ('0190aaaa-0000-7000-8000-000000000001', 'sale.completed', '{}', "
        "'2026-11-25 02:00:00.000000', 'pending', 0)"
    )
    con.commit()
    con.close()
    with open_shop(settings, clock):
        pass
    con = sqlite3.connect(settings.db_path)
    assert con.execute("SELECT version_num FROM alembic_version").fetchone() == (migrate.head_from_files(),)
    assert con.execute("SELECT event_id, status FROM outbox").fetchall() == [
        ("0190aaaa-0000-7000-8000-000000000001", "pending")
    ]
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    con.close()
    assert {
        "hub_enrolment",
        "sync_state",
        "sync_streams",
        "mall_items",
        "billers",
        "hub_config",
    } <= tables
    assert len(list(settings.backups_dir.iterdir())) == 1
