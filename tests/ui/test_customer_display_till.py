"""The customer's screen follows the till: what is rung up, then thanks and the change."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from storebox import demo, shifts
from storebox.money import format_fen
from storebox.shop import Shop
from tests.ui.conftest import owner_actor, settle, shown_window, sign_in
from tests.ui.test_sell import demo_product, press, scan
from ui.cashier.sell_page import SellPage
from ui.cashier.window import CashierWindow
from ui.customer_display import CART, IDLE, THANKS


@pytest.fixture
def till(qtbot: QtBot, shop: Shop, people: demo.DemoPeople) -> Iterator[CashierWindow]:
    shop.settings = dataclasses.replace(shop.settings, customer_display="window")
    with shown_window(qtbot, shop) as win:
        assert win.customer_display is not None
        qtbot.addWidget(win.customer_display)
        yield win


def test_the_customer_sees_the_cart_then_thanks_and_change(
    qtbot: QtBot, till: CashierWindow, shop: Shop
) -> None:
    display = till.customer_display
    assert display is not None and display.state == IDLE
    shifts.open_shift(shop, owner_actor(shop), 20_000)
    sign_in(qtbot, till, *demo.CASHIERS[0])
    sell = till.pages["sell"]
    assert isinstance(sell, SellPage)
    item = demo_product("农夫山泉饮用天然水550ml")
    scan(qtbot, till, item.barcode)
    assert display.state == CART
    assert display.total.text() == format_fen(item.price_fen)

    press(qtbot, till, Qt.Key.Key_F9)
    dialog = sell.pay_dialog
    assert dialog is not None
    dialog.quick_buttons[1_000].click()
    qtbot.keyClick(dialog.field, Qt.Key.Key_Return)
    settle(qtbot)
    assert display.state == THANKS
    assert format_fen(1_000 - item.price_fen) in display.change.text()


def test_no_customer_display_unless_set(qtbot: QtBot, window: CashierWindow) -> None:
    assert window.customer_display is None
