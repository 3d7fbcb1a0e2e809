"""The sell screen, driven like a cashier drives it: scanner keystrokes, the keyboard, taps."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from storebox import catalog, demo, shifts
from storebox.db.models import OutboxEvent, Sale
from storebox.demo_catalog import DemoProduct, read_demo_products
from storebox.money import format_fen
from storebox.shop import Shop
from tests.ui.conftest import owner_actor, settle, sign_in
from ui.cashier.sell_dialogs import PriceDialog, QtyDialog, VoidDialog
from ui.cashier.sell_page import SellPage
from ui.cashier.signin import OwnerPinDialog
from ui.cashier.window import CashierWindow


def demo_product(name_part: str) -> DemoProduct:
    return next(p for p in read_demo_products() if name_part in p.name)


def focus(window: CashierWindow) -> QWidget:
    """Where the keyboard (and a wedge scanner) types now."""
    return window.focusWidget() or window


def scan(qtbot: QtBot, window: CashierWindow, code: str) -> None:
    """A keyboard-wedge scanner: every key at once, then Enter."""
    target = focus(window)
    qtbot.keyClicks(target, code)
    qtbot.keyClick(target, Qt.Key.Key_Return)
    settle(qtbot)


def press(qtbot: QtBot, window: CashierWindow, key: Qt.Key, mods=Qt.KeyboardModifier.NoModifier):
    qtbot.keyClick(focus(window), key, mods)
    settle(qtbot)


def names(page: SellPage) -> list[str]:
    return [line.name for line in page.view.lines]


def sales_count(shop: Shop) -> int:
    with shop.store.read() as session:
        return len(session.scalars(select(Sale)).all())


@pytest.fixture
def sell(qtbot: QtBot, window: CashierWindow, shop: Shop) -> SellPage:
    """A cashier signed in on a till with an open shift, on the sell screen."""
    shifts.open_shift(shop, owner_actor(shop), 20_000)
    sign_in(qtbot, window, *demo.CASHIERS[0])
    page = window.pages["sell"]
    assert isinstance(page, SellPage)
    assert window.current_page() is page
    assert page.search.hasFocus()
    settle(qtbot)
    assert page.shift_banner.isHidden()
    return page


def test_scan_pay_cash_receipt_stock_and_outbox(
    qtbot: QtBot, window: CashierWindow, shop: Shop, sell: SellPage
) -> None:
    item = demo_product("农夫山泉饮用天然水550ml")
    before = catalog.find_by_barcode(shop, item.barcode)
    assert before is not None

    assert sell.cart_stack.currentWidget() is sell.empty
    assert "Scan or type to add goods" in sell.empty.text()
    scan(qtbot, window, item.barcode)
    assert names(sell) == [item.name]
    assert sell.table.selectionModel().selectedRows()[0].row() == 0
    assert sell.cart_stack.currentWidget() is sell.table
    assert sell.total.text() == format_fen(item.price_fen)
    assert sell.search.text() == ""  # the scan never reached the search field

    press(qtbot, window, Qt.Key.Key_F9)
    dialog = sell.pay_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.due.text() == format_fen(item.price_fen)
    dialog.quick_buttons[5_000].click()  # the customer gives ¥50
    change = 5_000 - item.price_fen
    assert dialog.change.text() == format_fen(change)
    qtbot.keyClick(dialog.field, Qt.Key.Key_Return)
    settle(qtbot)

    assert sell.pay_dialog is None and not dialog.isVisible()
    receipt = sell.receipt
    assert receipt is not None and receipt.change_fen == change
    text = sell.receipt_view.toPlainText()
    assert receipt.number in text and format_fen(change) in text and item.name in text
    assert receipt.number in sell.paid_heading.text()
    assert sell.last_change.text() == format_fen(change)
    assert sell.cart_stack.currentWidget() is sell.receipt_panel

    after = catalog.find_by_barcode(shop, item.barcode)
    assert after is not None and after.stock_qty == before.stock_qty - 1
    with shop.store.read() as session:
        events = session.scalars(
            select(OutboxEvent).where(OutboxEvent.kind == "sale.completed")
        ).all()
    assert len(events) == 1
    payload = json.loads(events[0].payload_json)
    assert payload["number"] == receipt.number and payload["change_fen"] == change

    # the next sale starts clean; the receipt stays until the next scan
    assert sell.view.lines == () and sell.total.text() == format_fen(0)
    scan(qtbot, window, item.barcode)
    assert names(sell) == [item.name] and sell.view.cart_id != receipt.sale_id
    assert sell.cart_stack.currentWidget() is sell.table


def test_search_by_pinyin_initials_and_enter_adds(
    qtbot: QtBot, window: CashierWindow, sell: SellPage
) -> None:
    qtbot.keyClicks(sell.search, "nfsq", delay=80)  # a person, not a scanner
    qtbot.waitUntil(lambda: sell.shown_query == "nfsq", timeout=5_000)
    assert sell.results.isVisible()
    shown = [hit.product.name for hit in sell.results_model.hits]
    assert shown and all("农夫山泉" in name for name in shown[:3])
    first = shown[0]
    qtbot.keyClick(sell.search, Qt.Key.Key_Return)
    settle(qtbot)
    assert names(sell) == [first]
    assert sell.search.text() == "" and not sell.results.isVisible()

    # Down moves in the list; Enter adds the one chosen; Esc clears a search
    qtbot.keyClicks(sell.search, "nfsq", delay=80)
    qtbot.waitUntil(lambda: sell.shown_query == "nfsq", timeout=5_000)
    assert sell.results.isVisible()
    second = sell.results_model.hits[1].product.name
    qtbot.keyClick(sell.search, Qt.Key.Key_Down)
    qtbot.keyClick(sell.search, Qt.Key.Key_Return)
    settle(qtbot)
    assert names(sell) == [first, second]
    qtbot.keyClicks(sell.search, "kkl", delay=80)
    qtbot.keyClick(sell.search, Qt.Key.Key_Escape)
    assert sell.search.text() == ""
    settle(qtbot)
    assert not sell.results.isVisible()


def test_a_barcode_typed_by_hand_and_enter_adds_exactly_that(
    qtbot: QtBot, window: CashierWindow, sell: SellPage
) -> None:
    item = demo_product("农夫山泉饮用天然水4L")
    qtbot.keyClicks(sell.search, item.barcode, delay=80)
    qtbot.keyClick(sell.search, Qt.Key.Key_Return)
    settle(qtbot)
    assert names(sell) == [item.name]


def test_a_scan_lands_in_the_cart_while_the_search_field_has_text(
    qtbot: QtBot, window: CashierWindow, sell: SellPage
) -> None:
    item = demo_product("农夫山泉饮用天然水1.5L")
    qtbot.keyClicks(sell.search, "kkl", delay=80)  # 可口可乐, half typed
    assert sell.search.hasFocus() and sell.search.text() == "kkl"
    scan(qtbot, window, item.barcode)
    assert names(sell) == [item.name]
    assert sell.search.text() == "kkl"


def test_unknown_code_and_payment_code_are_told_plainly(
    qtbot: QtBot, window: CashierWindow, sell: SellPage
) -> None:
    scan(qtbot, window, "6900000000001")
    assert sell.view.lines == ()
    assert window.message.isVisible() and "6900000000001" in window.message.text()
    scan(qtbot, window, "134567890123456789")  # a WeChat payment code
    assert sell.view.lines == ()
    assert "payment codes are taken at payment" in window.message.text()


def test_quantity_plus_minus_f8_and_remove(
    qtbot: QtBot, window: CashierWindow, sell: SellPage
) -> None:
    water = demo_product("农夫山泉饮用天然水550ml")
    big = demo_product("农夫山泉饮用天然水4L")
    scan(qtbot, window, water.barcode)
    scan(qtbot, window, water.barcode)  # the same goods again: the line counts two
    assert [line.qty for line in sell.view.lines] == [2]
    qtbot.keyClick(sell.search, "+")
    qtbot.waitUntil(lambda: sell.view.lines[0].qty == 3, timeout=5_000)
    settle(qtbot)
    qtbot.keyClick(sell.search, "-")
    qtbot.waitUntil(lambda: sell.view.lines[0].qty == 2, timeout=5_000)
    settle(qtbot)

    press(qtbot, window, Qt.Key.Key_F8)
    qty = [d for d in sell.findChildren(QtyDialog) if d.isVisible()]
    assert len(qty) == 1
    qtbot.keyClicks(qty[0].field, "12", delay=80)
    qtbot.keyClick(qty[0].field, Qt.Key.Key_Return)
    settle(qtbot)
    assert [line.qty for line in sell.view.lines] == [12]
    assert sell.total.text() == format_fen(12 * water.price_fen)
    assert "Items: 12" in sell.count.text()

    scan(qtbot, window, big.barcode)
    assert names(sell) == [water.name, big.name]
    assert sell.table.selectionModel().selectedRows()[0].row() == 1
    press(qtbot, window, Qt.Key.Key_Delete)  # removes the selected (new) line
    assert names(sell) == [water.name]
    press(qtbot, window, Qt.Key.Key_Delete)
    assert sell.view.lines == ()
    assert sell.cart_stack.currentWidget() is sell.empty


def test_cash_short_is_refused_with_the_core_message_and_nothing_is_sold(
    qtbot: QtBot, window: CashierWindow, shop: Shop, sell: SellPage
) -> None:
    item = demo_product("农夫山泉饮用天然水4L")
    scan(qtbot, window, item.barcode)
    press(qtbot, window, Qt.Key.Key_F9)
    dialog = sell.pay_dialog
    assert dialog is not None
    qtbot.keyClicks(dialog.field, "1", delay=80)  # replaces the exact amount offered
    assert dialog.field.text() == "1"
    assert "Still to pay" in dialog.change_label.text()
    qtbot.keyClick(dialog.field, Qt.Key.Key_Return)
    settle(qtbot)
    assert sell.pay_dialog is dialog and dialog.isVisible()
    assert "cash is short" in dialog.message.text()
    assert sales_count(shop) == 0
    assert names(sell) == [item.name]
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    settle(qtbot)
    assert sell.pay_dialog is None and names(sell) == [item.name]


def test_no_open_shift_is_said_plainly_and_paying_is_refused(
    qtbot: QtBot, window: CashierWindow, shop: Shop
) -> None:
    sign_in(qtbot, window, *demo.CASHIERS[0])
    sell = window.pages["sell"]
    assert isinstance(sell, SellPage)
    assert sell.shift_banner.isVisible() and "F3" in sell.shift_banner.text()
    scan(qtbot, window, demo_product("农夫山泉饮用天然水550ml").barcode)
    press(qtbot, window, Qt.Key.Key_F9)
    assert sell.pay_dialog is not None
    qtbot.keyClick(sell.pay_dialog.field, Qt.Key.Key_Return)
    settle(qtbot)
    assert sell.pay_dialog is not None
    assert shifts.NO_OPEN_SHIFT in sell.pay_dialog.message.text()
    assert sales_count(shop) == 0


def test_a_price_override_needs_the_owner_pin_when_a_cashier_sells(
    qtbot: QtBot, window: CashierWindow, sell: SellPage
) -> None:
    item = demo_product("农夫山泉饮用天然水4L")
    scan(qtbot, window, item.barcode)
    press(qtbot, window, Qt.Key.Key_F10)
    pins = [d for d in sell.findChildren(OwnerPinDialog) if d.isVisible()]
    assert len(pins) == 1
    pin = pins[0]
    qtbot.keyClicks(pin.pin.field, "0000", delay=80)
    qtbot.keyClick(pin.pin.field, Qt.Key.Key_Return)
    settle(qtbot)
    assert pin.isVisible() and pin.message.text()  # refused, still asking
    assert not [d for d in sell.findChildren(PriceDialog) if d.isVisible()]

    qtbot.keyClicks(pin.pin.field, demo.OWNER[1], delay=80)
    qtbot.keyClick(pin.pin.field, Qt.Key.Key_Return)
    settle(qtbot)
    assert not pin.isVisible()
    prices = [d for d in sell.findChildren(PriceDialog) if d.isVisible()]
    assert len(prices) == 1
    dialog = prices[0]
    qtbot.keyClicks(dialog.price, "6.5", delay=80)
    qtbot.keyClick(dialog.price, Qt.Key.Key_Return)  # on to the reason
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)  # no reason: refused by the dialog
    assert dialog.isVisible() and dialog.message.text()
    dialog.preset_buttons[0].click()
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)
    settle(qtbot)
    assert not dialog.isVisible()
    line = sell.view.lines[0]
    assert line.unit_price_fen == 650 and line.list_price_fen == item.price_fen
    assert line.override_reason == "Damaged packaging"
    assert sell.total.text() == format_fen(650)
    assert format_fen(item.price_fen) in sell.model.data(sell.model.index(0, 3))
    assert sell.discount.isVisible()


def test_void_asks_and_needs_a_reason(
    qtbot: QtBot, window: CashierWindow, shop: Shop, sell: SellPage
) -> None:
    scan(qtbot, window, demo_product("农夫山泉饮用天然水550ml").barcode)
    press(qtbot, window, Qt.Key.Key_Delete, Qt.KeyboardModifier.ControlModifier)
    dialogs = [d for d in sell.findChildren(VoidDialog) if d.isVisible()]
    assert len(dialogs) == 1
    dialog = dialogs[0]
    scan(qtbot, window, demo_product("农夫山泉饮用天然水4L").barcode)
    assert len(sell.view.lines) == 1  # not while the void question is open
    assert "Close the open dialog first" in window.message.text()
    assert dialog.reason.text() == ""  # and the scan did not type into the reason
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)
    assert dialog.isVisible()  # a reason is required
    dialog.preset_buttons[0].click()
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)
    settle(qtbot)
    assert not dialog.isVisible() and sell.view.lines == ()
    with shop.store.read() as session:
        kinds = session.scalars(
            select(OutboxEvent.kind).where(OutboxEvent.kind == "sale.voided")
        ).all()
    assert kinds == ["sale.voided"]
