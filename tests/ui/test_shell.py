"""The window around the screens: sign in, lock, messages, status bar, language."""

from __future__ import annotations

import logging

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from storebox import demo
from storebox.shop import Shop
from tests.ui.conftest import settle, sign_in
from ui.cashier.window import CashierWindow


def test_sign_in_with_the_keyboard_and_lock_with_f12(qtbot: QtBot, window: CashierWindow) -> None:
    assert window.actor is None and window.stack.currentWidget() is window.signin
    sign_in(qtbot, window, *demo.CASHIERS[0])
    assert window.actor is not None and window.actor.name == demo.CASHIERS[0][0]
    assert demo.CASHIERS[0][0] in window.user_label.text()
    assert window.stack.currentWidget() is not window.signin
    qtbot.keyClick(window, Qt.Key.Key_F12)
    settle(qtbot)
    assert window.actor is None and window.stack.currentWidget() is window.signin


def test_sign_in_with_the_on_screen_keypad(qtbot: QtBot, window: CashierWindow) -> None:
    name, pin = demo.OWNER
    for button in window.signin.people.buttons():
        if button.property("user_name") == name:
            button.click()
    pad = window.signin.pin.keypad
    digits = {b.text(): b for b in pad.findChildren(type(window.lock_button)) if b.text().isdigit()}
    for digit in pin:
        digits[digit].click()
    pad.ok.emit()
    settle(qtbot)
    assert window.actor is not None and window.actor.is_owner


def test_a_wrong_pin_is_refused_and_says_how_many_tries_are_left(
    qtbot: QtBot, window: CashierWindow
) -> None:
    sign_in(qtbot, window, demo.CASHIERS[0][0], "0000")
    assert window.actor is None
    assert "tries left" in window.signin.message.text()


def test_status_bar_tells_the_truth(qtbot: QtBot, window: CashierWindow) -> None:
    sign_in(qtbot, window, *demo.OWNER)
    window.refresh_status()
    settle(qtbot)
    assert "店主" in window.status_user.text()
    assert "No open shift" in window.status_shift.text()
    assert "no hub" in window.status_sync.text()
    # the demo catalogue queued one event per product for the hub
    assert int(window.status_pending.text().rsplit(" ", 1)[-1]) >= 300


def test_a_shop_without_people_says_how_to_create_the_owner(qtbot: QtBot, shop: Shop) -> None:
    from ui.cashier.run import build
    from ui.ops import reset_tasks

    win, _language, scanner = build(shop, "en")
    qtbot.addWidget(win)
    win.show()
    settle(qtbot)
    assert win.signin.people.buttons() == []
    assert "storebox users add --role owner" in win.signin.message.text()
    scanner.deleteLater()
    reset_tasks()


def test_without_a_chinese_font_the_window_says_so(
    qtbot: QtBot, shop: Shop, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import ui.cashier.window as window_module
    from ui.cashier.run import build
    from ui.ops import reset_tasks

    monkeypatch.setattr(window_module, "cjk_font_available", lambda: False)
    with caplog.at_level(logging.WARNING, logger="ui.cashier.window"):
        win, _language, scanner = build(shop, "en")
    qtbot.addWidget(win)
    settle(qtbot)
    assert "fonts-noto-cjk" in win.status_font.text()
    assert any("fonts-noto-cjk" in r.getMessage() for r in caplog.records)
    scanner.deleteLater()
    reset_tasks()


def test_an_answer_for_a_closed_screen_is_dropped_not_crashed_on(qtbot: QtBot) -> None:
    import threading

    import shiboken6
    from PySide6.QtWidgets import QLabel

    from ui.ops import CoreOp, reset_tasks

    label = QLabel()
    release = threading.Event()
    got: list[int] = []

    def slow() -> int:
        release.wait(5)
        return 42

    CoreOp(label, slow).success(lambda v: (got.append(v), label.setText("x"))).run()
    label.deleteLater()  # the screen closes while the core is still working
    qtbot.waitUntil(lambda: not shiboken6.isValid(label))
    release.set()
    settle(qtbot)
    assert got == []
    reset_tasks()
