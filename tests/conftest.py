"""Shared fixtures: a real SQLite file per test, opened through the real start-up path."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from storebox.clock import FixedClock
from storebox.config import Settings, load
from storebox.shop import Shop, open_shop

#: 2026-11-25 10:00 in Shanghai: a Wednesday morning, well after the day cut-off.
START = dt.datetime(2026, 11, 25, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # Cheap scrypt in tests: the cost is a setting, and the hashing code path is the same.
    return load(
        config_path=None,
        environ={},
        overrides={"data_dir": str(tmp_path / "shop"), "pin_scrypt_n": 16},
    )


@pytest.fixture
def shop(settings: Settings, clock: FixedClock) -> Iterator[Shop]:
    with open_shop(settings, clock) as opened:
        yield opened


def _uses_postgresql(item: pytest.Item) -> bool:
    if item.get_closest_marker("pg") is not None:
        return True
    if "pg_url" in getattr(item, "fixturenames", ()):
        return True
    callspec = getattr(item, "callspec", None)
    return callspec is not None and "pg" in callspec.params.values()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under pytest-xdist (`--dist loadgroup`), every test that talks to PostgreSQL runs in one
    worker, one after the other. The hub's pulls serve only changes below the oldest running
    transaction of the whole server (the xmin rule), so a test holding a transaction in one
    worker would stall another worker's pulls until its own end: slow, and flaky near a
    timeout. The rest spread over the workers."""
    for item in items:
        if _uses_postgresql(item):
            item.add_marker(pytest.mark.xdist_group("postgresql"))
