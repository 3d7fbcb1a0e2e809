"""The real cashier window, offscreen, over a real SQLite shop with the demo's people and goods."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pytestqt.qtbot import QtBot

from storebox import demo, demo_catalog, users
from storebox.clock import FixedClock
from storebox.config import Settings, load
from storebox.shop import Shop, open_shop
from tests.conftest import START
from ui.cashier.run import build
from ui.cashier.window import CashierWindow
from ui.ops import reset_tasks, tasks


def settle(qtbot: QtBot, timeout_ms: int = 10_000) -> None:
    """Wait until every background operation has come back to the UI thread."""
    qtbot.waitUntil(lambda: tasks().pending == 0, timeout=timeout_ms)


@pytest.fixture(scope="session")
def seeded_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A shop with the demo's people and its 316 goods, seeded once per run.

    Seeding goes through the real use cases, one transaction (and one fsync) per product: 2-8 s
    depending on the disk. Paid once and copied for each window test instead of paid by each.
    """
    settings = load(
        config_path=None,
        environ={},
        overrides={"data_dir": str(tmp_path_factory.mktemp("seeded") / "shop"), "pin_scrypt_n": 16},
    )
    with open_shop(settings, FixedClock(START)) as shop:
        owner = demo.ensure_people(shop).owner
        demo_catalog.seed_catalog(shop, owner)
    return settings.db_path


@pytest.fixture
def shop(request: pytest.FixtureRequest, settings: Settings, clock: FixedClock) -> Iterator[Shop]:
    """The real shop; for a test that asks for `people`, a copy of the seeded one."""
    if "people" in request.fixturenames:
        seeded = request.getfixturevalue("seeded_db")
        settings.db_path.parent.mkdir(parents=True, exist_ok=True)
        with (
            closing(sqlite3.connect(seeded)) as source,
            closing(sqlite3.connect(settings.db_path)) as target,
        ):
            source.backup(target)
    with open_shop(settings, clock) as opened:
        yield opened


@pytest.fixture
def people(shop: Shop) -> demo.DemoPeople:
    found = demo.ensure_people(shop)
    demo_catalog.seed_catalog(shop, found.owner)
    return found


@contextmanager
def shown_window(qtbot: QtBot, shop: Shop) -> Iterator[CashierWindow]:
    """The real window, shown at counter size; afterwards its worker and language reset."""
    win, language, scanner = build(shop, "en")
    qtbot.addWidget(win)
    win.resize(1366, 768)
    win.show()
    settle(qtbot)
    try:
        yield win
    finally:
        settle(qtbot)
        scanner.deleteLater()
        language.set("en")
        reset_tasks()


@pytest.fixture
def window(qtbot: QtBot, shop: Shop, people: demo.DemoPeople) -> Iterator[CashierWindow]:
    with shown_window(qtbot, shop) as win:
        yield win


def sign_in(qtbot: QtBot, win: CashierWindow, name: str, pin: str) -> None:
    """Choose the person and type the PIN on the keyboard, as a cashier does."""
    for button in win.signin.people.buttons():
        if button.property("user_name") == name:
            button.click()
    qtbot.keyClicks(win.signin.pin.field, pin, delay=80)  # slower than a scanner
    from PySide6.QtCore import Qt

    qtbot.keyClick(win.signin.pin.field, Qt.Key.Key_Return)
    settle(qtbot)


def owner_actor(shop: Shop) -> users.Actor:
    return users.authenticate(shop, *demo.OWNER)
