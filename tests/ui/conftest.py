"""The real cashier window, offscreen, over a real SQLite shop with the demo's people and goods."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pytestqt.qtbot import QtBot

from storebox import demo, demo_catalog, users
from storebox.shop import Shop
from ui.cashier.run import build
from ui.cashier.window import CashierWindow
from ui.ops import reset_tasks, tasks


def settle(qtbot: QtBot, timeout_ms: int = 10_000) -> None:
    """Wait until every background operation has come back to the UI thread."""
    qtbot.waitUntil(lambda: tasks().pending == 0, timeout=timeout_ms)


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
