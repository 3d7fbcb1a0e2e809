"""Refunds through the real window: find the sale, choose lines, confirm, hand back the cash."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from storebox import catalog, demo, demo_catalog, sales, shifts
from storebox.money import format_fen
from storebox.sales import SaleReceipt
from storebox.shop import Shop
from storebox.users import Actor
from tests.ui.conftest import settle, sign_in
from ui.cashier.refund_page import RefundPage
from ui.cashier.shift_page import ConfirmingPage
from ui.cashier.signin import OwnerPinDialog
from ui.cashier.window import CashierWindow


def goods(count: int) -> list[demo_catalog.DemoProduct]:
    """Demo products that cost something, cheapest first (so a few stay under the limit)."""
    found = sorted(
        (p for p in demo_catalog.read_demo_products() if 100 <= p.price_fen <= 2_000),
        key=lambda p: p.price_fen,
    )
    return found[:count]


def sell(shop: Shop, cashier: Actor, items: list[tuple[str, int]]) -> SaleReceipt:
    """A cash sale through the core (the sell screen is someone else's work)."""
    cart = sales.Cart()
    for code, qty in items:
        sales.add_barcode(shop, cart, code, qty)
    return sales.checkout(shop, cashier, cart, [sales.Cash(cart.total_fen)])


def stock(shop: Shop, code: str) -> int:
    info = catalog.find_by_barcode(shop, code)
    assert info is not None
    return info.stock_qty


def confirm_yes(qtbot: QtBot, page: ConfirmingPage) -> str:
    box = page.confirm_box
    assert isinstance(box, QMessageBox) and box.isVisible()
    text = box.text()
    yes = box.defaultButton()
    assert yes is not None
    yes.click()
    settle(qtbot)
    return text


def owner_dialog(window: CashierWindow) -> OwnerPinDialog:
    dialogs = [d for d in window.findChildren(OwnerPinDialog) if d.isVisible()]
    assert len(dialogs) == 1
    return dialogs[0]


def key_pin(qtbot: QtBot, dialog: OwnerPinDialog, pin: str) -> None:
    """The owner types the PIN on the dialog's on-screen keypad and presses OK."""
    pad = dialog.pin.keypad
    buttons = {b.text(): b for b in pad.findChildren(QPushButton)}
    for digit in pin:
        buttons[digit].click()
    pad.ok.emit()
    settle(qtbot)


def open_refund(qtbot: QtBot, window: CashierWindow) -> RefundPage:
    qtbot.keyClick(window, Qt.Key.Key_F2)
    settle(qtbot)
    page = window.current_page()
    assert isinstance(page, RefundPage)
    return page


def test_refund_one_line_of_a_sale_found_by_its_typed_number(
    qtbot: QtBot, window: CashierWindow, shop: Shop, people: demo.DemoPeople
) -> None:
    cashier = people.cashiers[0]
    shifts.open_shift(shop, cashier, 20_000)
    kept, returned = goods(2)
    receipt = sell(shop, cashier, [(kept.barcode, 2), (returned.barcode, 1)])
    stock_after_sale = stock(shop, returned.barcode)

    sign_in(qtbot, window, *demo.CASHIERS[0])
    page = open_refund(qtbot, window)
    # today's list already offers it
    assert [s.number for s in page.today] == [receipt.number]

    qtbot.keyClicks(page.number, receipt.number, delay=80)  # a person, not a scanner
    page.find_button.click()
    settle(qtbot)
    assert page.sale is not None and page.sale.number == receipt.number
    assert page.lines.rowCount() == 2
    assert [page.lines.item(r, 4).text() for r in range(2)] == ["2", "1"]  # refundable
    assert [s.value() for s in page.spins] == [2, 1]  # everything, by default

    page.spins[0].setValue(0)  # only the second line comes back
    page.reason_chips[0].click()
    assert page.reason.text()
    page.refund_button.click()
    question = confirm_yes(qtbot, page)
    assert format_fen(returned.price_fen) in question and "drawer" in question

    after = sales.find_sale(shop, receipt.number)
    assert [line.refunded_qty for line in after.lines] == [0, 1]
    assert after.refunded_fen == returned.price_fen
    assert stock(shop, returned.barcode) == stock_after_sale + 1
    assert page.receipt is not None and page.receipt.cash_fen == returned.price_fen
    assert page.done.isVisible()
    assert format_fen(returned.price_fen) in page.hand_back.text()
    # the sale is shown again with what is left to refund
    assert [page.lines.item(r, 3).text() for r in range(2)] == ["0", "1"]
    assert [s.value() for s in page.spins] == [2, 0]


def test_a_reason_is_required_and_nothing_moves_without_it(
    qtbot: QtBot, window: CashierWindow, shop: Shop, people: demo.DemoPeople
) -> None:
    cashier = people.cashiers[0]
    shifts.open_shift(shop, cashier, 20_000)
    (item,) = goods(1)
    receipt = sell(shop, cashier, [(item.barcode, 1)])
    sign_in(qtbot, window, *demo.CASHIERS[0])
    page = open_refund(qtbot, window)
    page.number.setText("1")  # today's sale 1 on this till, as the receipt ends
    page.find_button.click()
    settle(qtbot)
    assert page.sale is not None and page.sale.number == receipt.number
    page.refund_button.click()
    assert page.confirm_box is None
    assert "reason" in window.message.text()
    assert sales.find_sale(shop, receipt.number).refunded_fen == 0


def test_a_refund_above_the_limit_needs_the_owners_pin(
    qtbot: QtBot, window: CashierWindow, shop: Shop, people: demo.DemoPeople
) -> None:
    cashier = people.cashiers[1]
    shifts.open_shift(shop, cashier, 20_000)
    (item,) = goods(1)
    qty = shop.settings.refund_limit_fen // item.price_fen + 1  # just above the limit
    receipt = sell(shop, cashier, [(item.barcode, qty)])
    assert receipt.total_fen > shop.settings.refund_limit_fen

    sign_in(qtbot, window, *demo.CASHIERS[1])
    page = open_refund(qtbot, window)
    # the receipt is scanned: a wedge scanner types fast and ends with Enter
    page.number.setFocus()
    qtbot.keyClicks(page.number, receipt.number)
    qtbot.keyClick(page.number, Qt.Key.Key_Return)
    settle(qtbot)
    assert page.sale is not None and page.sale.number == receipt.number
    assert window.current_page() is page

    qtbot.keyClicks(page.reason, "broken seal", delay=80)
    qtbot.keyClick(page.reason, Qt.Key.Key_Return)  # Enter in the reason asks to confirm
    question = confirm_yes(qtbot, page)
    assert "owner" in question

    dialog = owner_dialog(window)
    key_pin(qtbot, dialog, "0000")
    assert dialog.isVisible() and dialog.message.text()  # refused, still asking
    assert sales.find_sale(shop, receipt.number).refunded_fen == 0
    assert page.receipt is None

    key_pin(qtbot, dialog, demo.OWNER[1])
    assert not dialog.isVisible()
    after = sales.find_sale(shop, receipt.number)
    assert after.refunded_fen == receipt.total_fen
    assert page.receipt is not None
    assert page.receipt.approved_by == people.owner.user_id
    assert page.receipt.user_id == cashier.user_id
    assert format_fen(receipt.total_fen) in page.hand_back.text()
    assert not page.refund_button.isEnabled()  # nothing left to refund


def test_a_wrong_owner_pin_typed_on_the_keyboard_keeps_the_dialog_open(
    qtbot: QtBot, window: CashierWindow, shop: Shop, people: demo.DemoPeople
) -> None:
    cashier = people.cashiers[1]
    shifts.open_shift(shop, cashier, 20_000)
    (item,) = goods(1)
    receipt = sell(shop, cashier, [(item.barcode, shop.settings.refund_limit_fen // 100 + 1)])
    sign_in(qtbot, window, *demo.CASHIERS[1])
    page = open_refund(qtbot, window)
    page.load(receipt.number)
    settle(qtbot)
    page.reason.setText("broken seal")
    page.refund_button.click()
    confirm_yes(qtbot, page)
    dialog = owner_dialog(window)
    qtbot.keyClicks(dialog.pin.field, "0000", delay=80)
    qtbot.keyClick(dialog.pin.field, Qt.Key.Key_Return)
    settle(qtbot)
    assert dialog.isVisible()


def test_a_receipt_scanned_on_the_sell_screen_opens_its_refund(
    qtbot: QtBot, window: CashierWindow, shop: Shop, people: demo.DemoPeople
) -> None:
    cashier = people.cashiers[0]
    shifts.open_shift(shop, cashier, 20_000)
    (item,) = goods(1)
    receipt = sell(shop, cashier, [(item.barcode, 1)])
    sign_in(qtbot, window, *demo.CASHIERS[0])
    assert window.current_page() is window.pages["sell"]
    assert window.scanner is not None
    window.scanner.scanned.emit(receipt.number)  # what the wedge filter emits for a scan
    settle(qtbot)
    page = window.current_page()
    assert isinstance(page, RefundPage)
    qtbot.waitUntil(lambda: page.sale is not None and page.sale.number == receipt.number)
