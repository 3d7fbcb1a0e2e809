"""The 缴费 screen driven as a cashier drives it: the real window offscreen, the keyboard, the
scanner's path, the sell screen's own payment dialog, the core's `billpay` use cases over a
real SQLite shop, and fakes of the biller platform (FakeBillPay) and the card terminal
(FakeTerminal) that record every call — so "no money moved" is checked on the fakes' ledgers
and in the store, not on the screen's word.

Each kind's happy path; a bad account refused under the field before anything leaves the
till; offline, a top-up within the hub's limits is 受理中 and an electricity bill is refused;
a declined card goes back to the tender choice; a failed result raises the red banner, the
refund in cash takes it away; a paper bill's barcode fills the screen. What the core would refuse
at the payment (a bill paid already, the account's per-day limit) is refused at 请核对, before
the customer is asked anything; a refund above the refund limit asks for the owner's PIN."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from drivers.terminal.health import Health
from storebox import billpay, demo, shifts
from storebox.clock import FixedClock
from storebox.errors import ShopError
from storebox.sales import Cash
from storebox.shop import Shop
from tests.core.billpay_fixtures import CMB_CREDIT, CMB_DEBIT, install_billers
from tests.fakes import FakeBillPay, FakeTerminal
from tests.ui.conftest import owner_actor, settle, shown_window, sign_in
from ui.cashier.billpay_page import ACCOUNT, CHOOSE, CONFIRM, RESULT, TODAY, BillPayPage
from ui.cashier.billpay_refund import BillRefundDialog
from ui.cashier.billpay_words import rule_error
from ui.cashier.sell_dialogs import RESOLVING, TENDER, UNKNOWN, PayCashDialog
from ui.cashier.sell_page import SellPage
from ui.cashier.signin import OwnerPinDialog
from ui.cashier.window import CashierWindow
from ui.customer_display import BILL, IDLE, THANKS

PHONE = "13812345678"  # 138: China Mobile
SGCC = "1100123456789"  # a 13-digit Beijing State Grid account
#: a State Grid paper bill: the account, six digits of the bill, the amount in fen (8 digits)
SGCC_BILL = SGCC + "202610" + "00012345"


class ReadyTerminal(FakeTerminal):
    """The fake terminal, answering the till's periodic "are you there?" like a real one."""

    def check(self) -> Health:
        return Health(True, "ready", "52500038")

    def cancel(self) -> None:
        self.calls.append(("cancel", {}))

    def close(self) -> None:
        self.calls.append(("close", {}))


@pytest.fixture
def port() -> FakeBillPay:
    return FakeBillPay(submit_script=["success"])


@pytest.fixture
def terminal() -> ReadyTerminal:
    return ReadyTerminal()


@pytest.fixture
def till(
    qtbot: QtBot,
    shop: Shop,
    people: demo.DemoPeople,
    port: FakeBillPay,
    terminal: ReadyTerminal,
) -> Iterator[CashierWindow]:
    import dataclasses

    install_billers(shop)
    shop.settings = dataclasses.replace(shop.settings, customer_display="window")
    with shown_window(qtbot, shop) as win:
        assert win.customer_display is not None
        qtbot.addWidget(win.customer_display)
        win.billpay = port
        assert win.devices is not None
        win.devices.terminal = terminal  # type: ignore[assignment]
        shifts.open_shift(shop, owner_actor(shop), 20_000)
        sign_in(qtbot, win, *demo.CASHIERS[0])
        yield win
        win.close()


def page_of(win: CashierWindow) -> BillPayPage:
    page = win.pages["billpay"]
    assert isinstance(page, BillPayPage)
    return page


#: slower than the wedge scanner's gap (20 ms): a person typing, whose keys the scanner filter
#: hands on rather than taking them for a scan
PERSON_MS = 40


def key(
    qtbot: QtBot, key: Qt.Key, mods: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
) -> None:
    """One key, as a person presses it, to whatever has the focus."""
    target = QApplication.focusWidget()
    assert target is not None
    qtbot.keyClick(target, key, mods)
    qtbot.wait(PERSON_MS)
    settle(qtbot)


def press_on(
    qtbot: QtBot,
    widget: QWidget,
    key: Qt.Key,
    mods: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
) -> None:
    qtbot.keyClick(widget, key, mods)
    qtbot.wait(PERSON_MS)


def typed(qtbot: QtBot, widget: QWidget, text: str) -> None:
    qtbot.keyClicks(widget, text, delay=PERSON_MS)
    qtbot.wait(PERSON_MS)


def open_page(qtbot: QtBot, win: CashierWindow) -> BillPayPage:
    """Shift+F1, as the cashier opens it; waits for the billers."""
    qtbot.keyClick(win, Qt.Key.Key_F1, Qt.KeyboardModifier.ShiftModifier)
    page = page_of(win)
    qtbot.waitUntil(lambda: page.isVisible() and bool(page.billers), timeout=5_000)
    return page


def type_account(qtbot: QtBot, page: BillPayPage, text: str) -> None:
    assert page.step == ACCOUNT and page.account_field.hasFocus()
    typed(qtbot, page.account_field, text)


def wait_step(qtbot: QtBot, page: BillPayPage, step: str) -> None:
    qtbot.waitUntil(lambda: page.step == step, timeout=5_000)
    settle(qtbot)


def pay_dialog(qtbot: QtBot, page: BillPayPage) -> PayCashDialog:
    qtbot.waitUntil(lambda: page.pay_dialog is not None, timeout=5_000)
    dialog = page.pay_dialog
    assert dialog is not None and dialog.isVisible() and dialog.state == TENDER
    return dialog


def take_cash(qtbot: QtBot, page: BillPayPage, given: str) -> None:
    dialog = pay_dialog(qtbot, page)
    dialog.field.clear()
    typed(qtbot, dialog.field, given)
    press_on(qtbot, dialog.field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.pay_dialog is None or page.step != CONFIRM, timeout=5_000)


def drawer(shop: Shop) -> int:
    with shop.store.read() as session:
        return shifts.expected_cash(session, shifts.require_open_shift(session, shop))


# --- the kinds -------------------------------------------------------------------------------


def test_electricity_looked_up_confirmed_with_the_customer_paid_in_cash(
    qtbot: QtBot, till: CashierWindow, shop: Shop, port: FakeBillPay
) -> None:
    page = open_page(qtbot, till)
    display = till.customer_display
    assert display is not None
    key(qtbot, Qt.Key.Key_1)  # 电费: one biller, straight to the number
    assert page.step == ACCOUNT and page.biller is not None and page.biller.biller_id == "sgcc-bj"
    assert page.account_label.text() == "户号"
    assert "13 位户号" in page.account_tip.text()
    type_account(qtbot, page, "0123456789")  # the legacy 10 digits: the province prefix added
    assert page.account == SGCC and page.account_error.text() == ""
    key(qtbot, Qt.Key.Key_Return)  # Enter looks the bill up, off the UI thread
    qtbot.waitUntil(lambda: page.bill is not None, timeout=5_000)
    assert port.called("lookup") == [("sgcc-bj", SGCC)]
    assert page.info.isVisible()
    assert page.info_values[0].text() == "张*明" and page.info_values[1].text() == "2026-10"
    assert page.amount_field.fen() == 12_345  # the amount due, by default
    assert "¥0.50" in page.commission.text()
    key(qtbot, Qt.Key.Key_Return)  # Enter in the amount: show the customer
    assert page.step == CONFIRM
    assert display.state == BILL
    assert display.bill == ("国家电网 北京电力（电费）", "110****6789", "张*明", 12_345)
    assert drawer(shop) == 20_000  # nothing taken yet
    key(qtbot, Qt.Key.Key_Return)  # the customer agrees
    take_cash(qtbot, page, "200")
    wait_step(qtbot, page, RESULT)
    view = page.result
    assert view is not None and view.status == "success" and view.change_fen == 7_655
    assert "BR000001" in page.result_detail.text()
    assert page.result_title.text().startswith("Success")
    assert display.state == THANKS
    assert drawer(shop) == 20_000 + 12_345
    [order] = port.called("submit")
    assert order.payment_id == view.payment_id and order.query_no == "Q000001"
    key(qtbot, Qt.Key.Key_Return)  # next customer
    assert page.step == CHOOSE and page.result is None
    assert display.state != BILL
    key(qtbot, Qt.Key.Key_1)  # nothing of the last customer's bill is left on the screen
    assert page.account_field.text() == "" and not page.info.isVisible()
    assert page.bill is None and page.amount is None and not page.confirm_button.isEnabled()


def test_water_must_be_paid_in_full_said_under_the_amount(
    qtbot: QtBot, till: CashierWindow, port: FakeBillPay
) -> None:
    page = open_page(qtbot, till)
    key(qtbot, Qt.Key.Key_2)
    type_account(qtbot, page, "12345678")
    key(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.bill is not None, timeout=5_000)
    page.amount_field.clear()
    typed(qtbot, page.amount_field, "100")
    assert "须全额缴纳" in page.amount_error.text()
    assert not page.confirm_button.isEnabled()
    press_on(qtbot, page.amount_field, Qt.Key.Key_Return)
    assert page.step == ACCOUNT  # refused: nothing shown to the customer
    page.amount_field.clear()
    typed(qtbot, page.amount_field, "123.45")
    assert page.amount_error.text() == ""
    press_on(qtbot, page.amount_field, Qt.Key.Key_Return)
    wait_step(qtbot, page, CONFIRM)


def test_gas_paid_by_card_through_the_terminal(
    qtbot: QtBot, till: CashierWindow, shop: Shop, port: FakeBillPay, terminal: ReadyTerminal
) -> None:
    port.bills[("bjgas", "1234567890")] = (8_000, 0)
    page = open_page(qtbot, till)
    key(qtbot, Qt.Key.Key_3)
    type_account(qtbot, page, "1234567890")
    key(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.bill is not None, timeout=5_000)
    key(qtbot, Qt.Key.Key_Return)
    key(qtbot, Qt.Key.Key_Return)
    dialog = pay_dialog(qtbot, page)
    assert dialog.card_button.isEnabled() and not dialog.wallet_hint.isVisible()
    press_on(qtbot, dialog, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    wait_step(qtbot, page, RESULT)
    view = page.result
    assert view is not None and view.tender == "card" and view.amount_fen == 8_000
    assert terminal.charged_fen == 8_000
    assert [c["amount_fen"] for c in terminal.called("authorize")] == [8_000]
    assert drawer(shop) == 20_000


def test_mobile_top_up_picks_the_carrier_and_a_denomination(
    qtbot: QtBot, till: CashierWindow, port: FakeBillPay
) -> None:
    page = open_page(qtbot, till)
    key(qtbot, Qt.Key.Key_4)
    assert page.step == ACCOUNT
    type_account(qtbot, page, "13012345678")  # 130: China Unicom by its segment
    assert page.biller is not None and page.biller.biller_id == "cucc"
    assert "ask the customer" in page.account_note.text()
    page.account_field.clear()
    type_account(qtbot, page, PHONE)
    assert page.biller.biller_id == "cmcc"
    assert [b.property("biller_id") for b in page.carrier_buttons if b.isChecked()] == ["cmcc"]
    assert not page.amount_field.isVisible()
    key(qtbot, Qt.Key.Key_Return)  # to the tiles
    tile = page.denomination_buttons[5_000]
    qtbot.mouseClick(tile, Qt.MouseButton.LeftButton)
    assert page.amount == 5_000 and "¥0.75" in page.commission.text()
    key(qtbot, Qt.Key.Key_Return)  # the focused button: show the customer
    assert page.step == CONFIRM
    key(qtbot, Qt.Key.Key_Return)
    take_cash(qtbot, page, "50")
    wait_step(qtbot, page, RESULT)
    [order] = port.called("submit")
    assert (order.biller_id, order.account, order.amount_fen) == ("cmcc", PHONE, 5_000)


def test_credit_card_repayment_names_the_bank_and_refuses_a_debit_card(
    qtbot: QtBot, till: CashierWindow, port: FakeBillPay
) -> None:
    page = open_page(qtbot, till)
    key(qtbot, Qt.Key.Key_5)
    type_account(qtbot, page, CMB_DEBIT)
    assert page.account is None and "借记卡" in page.account_error.text()
    assert "not a credit card" in page.account_note.text()
    page.account_field.clear()
    type_account(qtbot, page, CMB_CREDIT)
    assert page.account == CMB_CREDIT and "招商银行" in page.account_note.text()
    key(qtbot, Qt.Key.Key_Return)  # no lookup: to the amount
    assert page.amount_field.hasFocus()
    typed(qtbot, page.amount_field, "1500")
    assert "¥1.00" in page.commission.text()
    press_on(qtbot, page.amount_field, Qt.Key.Key_Return)
    wait_step(qtbot, page, CONFIRM)
    key(qtbot, Qt.Key.Key_Return)
    take_cash(qtbot, page, "1500")
    wait_step(qtbot, page, RESULT)
    assert page.result is not None and page.result.amount_fen == 150_000


# --- refusals before any money ---------------------------------------------------------------


def test_a_bad_account_is_refused_under_the_field_and_nothing_leaves_the_till(
    qtbot: QtBot, till: CashierWindow, shop: Shop, port: FakeBillPay
) -> None:
    page = open_page(qtbot, till)
    key(qtbot, Qt.Key.Key_5)
    type_account(qtbot, page, "6225750000000007")  # one digit wrong: Luhn
    assert "校验位" in page.account_error.text()
    assert page.account_error.isVisible()
    key(qtbot, Qt.Key.Key_Return)
    typed(qtbot, page.amount_field, "100")
    press_on(qtbot, page.amount_field, Qt.Key.Key_Return)
    assert page.step == ACCOUNT and page.pay_dialog is None
    assert not page.confirm_button.isEnabled()
    assert port.calls == [] and billpay.payments(shop) == [] and drawer(shop) == 20_000
    key(qtbot, Qt.Key.Key_Escape)  # Esc: back to the kinds
    assert page.step == CHOOSE


def test_offline_top_up_within_the_limit_is_processing(
    qtbot: QtBot, till: CashierWindow, shop: Shop, port: FakeBillPay
) -> None:
    port.is_online = False
    page = open_page(qtbot, till)
    key(qtbot, Qt.Key.Key_4)
    type_account(qtbot, page, PHONE)
    qtbot.mouseClick(page.denomination_buttons[10_000], Qt.MouseButton.LeftButton)
    key(qtbot, Qt.Key.Key_Return)
    key(qtbot, Qt.Key.Key_Return)
    take_cash(qtbot, page, "100")
    wait_step(qtbot, page, RESULT)
    view = page.result
    assert view is not None and view.status == "pending" and view.accepted_offline
    assert page.result_title.text().startswith("Processing")
    assert "submitted when the network returns" in page.result_detail.text()
    assert port.called("submit") == []  # the outbox carries it later


def test_offline_beyond_the_limit_is_refused_at_the_amount_saying_what_is_left(
    qtbot: QtBot, till: CashierWindow, shop: Shop, port: FakeBillPay
) -> None:
    port.is_online = False
    page = open_page(qtbot, till)
    key(qtbot, Qt.Key.Key_4)
    qtbot.waitUntil(page.offline_note.isVisible, timeout=5_000)
    assert "¥200.00 per payment, ¥500.00 left today" in page.offline_note.text()
    type_account(qtbot, page, PHONE)
    qtbot.mouseClick(page.denomination_buttons[30_000], Qt.MouseButton.LeftButton)
    assert "at most ¥200.00" in page.amount_error.text()
    assert not page.confirm_button.isEnabled()
    key(qtbot, Qt.Key.Key_Return)
    assert page.step == ACCOUNT and page.pay_dialog is None
    assert billpay.payments(shop) == [] and port.calls == []


def test_the_network_gone_after_the_customer_checked_is_refused_before_the_money(
    qtbot: QtBot, till: CashierWindow, shop: Shop, port: FakeBillPay
) -> None:
    page = open_page(qtbot, till)
    key(qtbot, Qt.Key.Key_4)
    type_account(qtbot, page, PHONE)
    qtbot.mouseClick(page.denomination_buttons[30_000], Qt.MouseButton.LeftButton)
    key(qtbot, Qt.Key.Key_Return)
    assert page.step == CONFIRM
    port.is_online = False  # the line drops while the customer reads the screen
    key(qtbot, Qt.Key.Key_Return)
    take_cash(qtbot, page, "300")
    wait_step(qtbot, page, ACCOUNT)
    assert page.pay_dialog is None
    assert "离线单笔最多 ¥200.00" in page.error.text()  # the core's own words
    qtbot.waitUntil(page.offline_note.isVisible, timeout=5_000)
    assert billpay.payments(shop) == [] and drawer(shop) == 20_000


def test_offline_electricity_is_refused_before_the_amount(
    qtbot: QtBot, till: CashierWindow, shop: Shop, port: FakeBillPay
) -> None:
    port.is_online = False
    page = open_page(qtbot, till)
    key(qtbot, Qt.Key.Key_1)
    type_account(qtbot, page, SGCC)
    key(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "联网" in page.account_error.text(), timeout=5_000)
    assert page.bill is None and not page.confirm_button.isEnabled()
    key(qtbot, Qt.Key.Key_Return)  # asks again: still refused
    qtbot.waitUntil(lambda: not page._busy, timeout=5_000)
    assert page.step == ACCOUNT and billpay.payments(shop) == []


def test_a_declined_card_goes_back_to_the_tender_choice_then_cash_pays(
    qtbot: QtBot, till: CashierWindow, shop: Shop, terminal: ReadyTerminal
) -> None:
    terminal.script = ["decline"]
    page = open_page(qtbot, till)
    key(qtbot, Qt.Key.Key_5)
    type_account(qtbot, page, CMB_CREDIT)
    key(qtbot, Qt.Key.Key_Return)
    typed(qtbot, page.amount_field, "300")
    press_on(qtbot, page.amount_field, Qt.Key.Key_Return)
    key(qtbot, Qt.Key.Key_Return)
    dialog = pay_dialog(qtbot, page)
    press_on(qtbot, dialog, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: dialog.state == TENDER and dialog.message.text() != "", timeout=5_000)
    assert "拒绝" in dialog.message.text() or "declined" in dialog.message.text()
    assert terminal.charged_fen == 0 and billpay.payments(shop) == []
    display = till.customer_display
    assert display is not None and display.state == BILL  # the customer checks it again
    dialog.field.clear()
    typed(qtbot, dialog.field, "300")
    press_on(qtbot, dialog.field, Qt.Key.Key_Return)
    wait_step(qtbot, page, RESULT)
    assert page.result is not None and page.result.tender == "cash"


# --- a failed payment and its refund ---------------------------------------------------------


def test_a_failed_payment_raises_the_banner_until_refunded_in_cash(
    qtbot: QtBot, till: CashierWindow, shop: Shop, port: FakeBillPay
) -> None:
    port.submit_script = ["failed"]
    page = open_page(qtbot, till)
    key(qtbot, Qt.Key.Key_4)
    type_account(qtbot, page, PHONE)
    qtbot.mouseClick(page.denomination_buttons[3_000], Qt.MouseButton.LeftButton)
    key(qtbot, Qt.Key.Key_Return)
    key(qtbot, Qt.Key.Key_Return)
    take_cash(qtbot, page, "30")
    wait_step(qtbot, page, RESULT)
    assert page.result is not None and page.result.status == "failed"
    assert page.result_title.text().startswith("Failed")
    assert "owed a refund" in page.result_detail.text()
    assert till.customer_display is not None and till.customer_display.state == IDLE
    qtbot.waitUntil(till.status_bill_refunds.isVisible, timeout=5_000)
    assert till.status_bill_refunds.text() == "1 failed bill payments to refund"
    sell = till.pages["sell"]
    assert isinstance(sell, SellPage)
    till.show_page("sell")
    settle(qtbot)
    assert sell.bill_banner.isVisible() and "1 failed" in sell.bill_text.text()
    assert drawer(shop) == 23_000

    qtbot.mouseClick(sell.bill_button, Qt.MouseButton.LeftButton)  # "Refund now"
    qtbot.waitUntil(lambda: page.step == TODAY and bool(page.today), timeout=5_000)
    assert page.table.item(0, 6).text() == "Failed"
    assert page.refund_button.isEnabled()
    key(qtbot, Qt.Key.Key_Return)  # Enter on the failed one: its refund
    dialog = next(d for d in page.findChildren(BillRefundDialog) if d.isVisible())
    assert "In cash" in dialog.detail.text()
    press_on(qtbot, dialog, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5_000)
    settle(qtbot)
    assert drawer(shop) == 20_000
    assert billpay.refund_tasks(shop) == []
    qtbot.waitUntil(lambda: not till.status_bill_refunds.isVisible(), timeout=5_000)
    qtbot.waitUntil(lambda: page.table.item(0, 6).text() == "Refunded", timeout=5_000)
    assert not sell.bill_banner.isVisible() or sell.bill_refunds_owed == 0


def test_refresh_moves_a_pending_payment_to_success(
    qtbot: QtBot, till: CashierWindow, shop: Shop, port: FakeBillPay
) -> None:
    port.submit_script = ["pending"]
    page = open_page(qtbot, till)
    key(qtbot, Qt.Key.Key_4)
    type_account(qtbot, page, PHONE)
    qtbot.mouseClick(page.denomination_buttons[2_000], Qt.MouseButton.LeftButton)
    key(qtbot, Qt.Key.Key_Return)
    key(qtbot, Qt.Key.Key_Return)
    take_cash(qtbot, page, "20")
    wait_step(qtbot, page, RESULT)
    view = page.result
    assert view is not None and view.status == "pending"
    port.finish(view.payment_id, "success")
    press_on(qtbot, page, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: page.step == TODAY and bool(page.today), timeout=5_000)
    assert page.table.item(0, 6).text() == "Processing"
    press_on(qtbot, page.table, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: page.table.item(0, 6).text() == "Success", timeout=5_000)
    assert billpay.find(shop, view.payment_id).status == "success"


# --- the scanner -----------------------------------------------------------------------------


def test_a_scanned_paper_bill_picks_the_biller_fills_the_account_and_looks_it_up(
    qtbot: QtBot, till: CashierWindow, port: FakeBillPay
) -> None:
    page = open_page(qtbot, till)
    assert till.scanner is not None
    till.scanner.scanned.emit(SGCC_BILL)  # the wedge scanner's path into the window
    qtbot.waitUntil(lambda: page.bill is not None, timeout=5_000)
    assert page.step == ACCOUNT and page.biller is not None
    assert page.biller.biller_id == "sgcc-bj" and page.account_field.text() == SGCC
    assert port.called("lookup") == [("sgcc-bj", SGCC)]
    assert till.current_page() is page  # never goods on the sell screen
    till.scanner.scanned.emit("6901234567892")  # not a bill: said, not sold
    settle(qtbot)
    assert "无法识别的缴费单条码" in page.error.text()
    assert till.current_page() is page


def test_a_card_payment_of_unknown_outcome_stays_red_until_the_terminal_is_asked_again(
    qtbot: QtBot, till: CashierWindow, shop: Shop, terminal: ReadyTerminal
) -> None:
    terminal.script = ["unknown"]
    terminal.reverse_script = ["unknown"]  # and the reversal's answer is lost too
    page = open_page(qtbot, till)
    key(qtbot, Qt.Key.Key_5)
    type_account(qtbot, page, CMB_CREDIT)
    key(qtbot, Qt.Key.Key_Return)
    typed(qtbot, page.amount_field, "300")
    press_on(qtbot, page.amount_field, Qt.Key.Key_Return)
    key(qtbot, Qt.Key.Key_Return)
    dialog = pay_dialog(qtbot, page)
    press_on(qtbot, dialog, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: dialog.state == UNKNOWN, timeout=5_000)
    assert dialog.state_title.text() == "Payment unknown"
    assert "ref" in dialog.state_detail.text()
    press_on(qtbot, dialog, Qt.Key.Key_Escape)  # cannot be closed while money is in the air
    assert dialog.isVisible() and page.pay_dialog is dialog
    assert billpay.payments(shop) == []  # nothing recorded as paid
    qtbot.mouseClick(dialog.resolve_button, Qt.MouseButton.LeftButton)  # ask again: reversed
    qtbot.waitUntil(lambda: dialog.state == RESOLVING, timeout=5_000)
    assert "not charged" in dialog.state_detail.text()
    assert terminal.charged_fen == 0
    qtbot.mouseClick(dialog.back_button, Qt.MouseButton.LeftButton)
    assert dialog.state == TENDER
    typed(qtbot, dialog.field, "300")
    press_on(qtbot, dialog.field, Qt.Key.Key_Return)
    wait_step(qtbot, page, RESULT)
    [view] = billpay.payments(shop)
    assert view.tender == "cash" and view.amount_fen == 30_000


def test_a_failed_card_payment_is_refunded_to_the_card(
    qtbot: QtBot, till: CashierWindow, shop: Shop, port: FakeBillPay, terminal: ReadyTerminal
) -> None:
    port.submit_script = ["failed"]
    port.bills[("bjgas", "1234567890")] = (8_000, 0)
    page = open_page(qtbot, till)
    key(qtbot, Qt.Key.Key_3)
    type_account(qtbot, page, "1234567890")
    key(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.bill is not None, timeout=5_000)
    key(qtbot, Qt.Key.Key_Return)
    key(qtbot, Qt.Key.Key_Return)
    dialog = pay_dialog(qtbot, page)
    press_on(qtbot, dialog, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    wait_step(qtbot, page, RESULT)
    assert page.result is not None and page.result.status == "failed"
    assert terminal.charged_fen == 8_000
    key(qtbot, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: page.step == TODAY and bool(page.today), timeout=5_000)
    key(qtbot, Qt.Key.Key_Return)
    refund = next(d for d in page.findChildren(BillRefundDialog) if d.isVisible())
    assert "Back to the card" in refund.detail.text()
    press_on(qtbot, refund, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not refund.isVisible(), timeout=5_000)
    assert terminal.charged_fen == 0
    assert [c["amount_fen"] for c in terminal.called("refund")] == [8_000]
    assert billpay.refund_tasks(shop) == []
    assert drawer(shop) == 20_000  # the drawer never touched


def test_a_biller_closed_for_the_night_is_refused_before_the_lookup(
    qtbot: QtBot, till: CashierWindow, shop: Shop, port: FakeBillPay, clock: FixedClock
) -> None:
    clock.advance(hours=13, minutes=50)  # 23:50 China time: State Grid's nightly settlement
    page = open_page(qtbot, till)
    key(qtbot, Qt.Key.Key_1)
    type_account(qtbot, page, SGCC)
    key(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "营业时间" in page.account_error.text(), timeout=5_000)
    assert "00:30-23:30" in page.account_error.text()
    assert port.called("lookup") == [] and page.bill is None
    assert not page.confirm_button.isEnabled() and billpay.payments(shop) == []


def test_the_hub_adapter_hears_the_sync_agents_last_word(window: CashierWindow, shop: Shop) -> None:
    """A running agent whose last round failed: bill payments are taken as offline at once;
    no agent running (its word is stale) or none ever: the hub is asked."""
    import dataclasses

    from storebox import syncstate
    from ui.cashier.run import agent_says_online
    from ui.cashier.window import TillStatus
    from ui.sync_status import read_sync_view

    online = agent_says_online(window)
    assert online()  # nothing read yet
    view = read_sync_view(shop)
    failed = syncstate.record_round(shop, online=False, error="hub unreachable")
    running = dataclasses.replace(view, agent_pid=4242, status=failed)
    window.last_status = TillStatus(None, None, 0, running)
    assert not online()
    window.last_status = TillStatus(None, None, 0, dataclasses.replace(running, agent_pid=None))
    assert online()
    back = syncstate.record_round(shop, online=True, error=None)
    window.last_status = TillStatus(None, None, 0, dataclasses.replace(running, status=back))
    assert online()


# --- refused at 请核对, before the customer hands anything over --------------------------------


def no_payment_dialog(page: BillPayPage) -> bool:
    return page.pay_dialog is None and not any(
        d.isVisible() for d in page.findChildren(PayCashDialog)
    )


def test_a_bill_paid_already_is_refused_at_confirm_before_the_customer_is_asked(
    qtbot: QtBot, till: CashierWindow, shop: Shop, port: FakeBillPay
) -> None:
    port.submit_script = ["pending"]  # the first payment of the bill is 受理中
    display = till.customer_display
    assert display is not None
    page = open_page(qtbot, till)
    key(qtbot, Qt.Key.Key_1)
    type_account(qtbot, page, SGCC)
    key(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.bill is not None, timeout=5_000)
    first_bill = page.bill
    key(qtbot, Qt.Key.Key_Return)
    assert page.step == CONFIRM
    key(qtbot, Qt.Key.Key_Return)
    take_cash(qtbot, page, "200")
    wait_step(qtbot, page, RESULT)
    assert page.result is not None and page.result.status == "pending"
    paid_into_drawer = drawer(shop)
    key(qtbot, Qt.Key.Key_Return)  # next customer: the same bill, looked up again
    key(qtbot, Qt.Key.Key_1)
    type_account(qtbot, page, SGCC)
    key(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.bill is not None, timeout=5_000)
    assert first_bill is not None and page.bill.query_no != first_bill.query_no
    assert display.state != BILL
    key(qtbot, Qt.Key.Key_Return)  # Enter in the amount: refused before the customer's check
    assert page.step == ACCOUNT
    assert page.error.isVisible() and "duplicate_bill" in page.error.text()
    assert display.state != BILL  # the customer was never asked 请核对
    assert no_payment_dialog(page)
    assert drawer(shop) == paid_into_drawer and len(billpay.payments(shop)) == 1
    assert len(port.called("submit")) == 1
    key(qtbot, Qt.Key.Key_Return)  # again: refused again, still nothing opened
    assert page.step == ACCOUNT and no_payment_dialog(page)


def test_over_the_accounts_per_day_limit_is_refused_at_confirm_and_nothing_is_touched(
    qtbot: QtBot, till: CashierWindow, shop: Shop, port: FakeBillPay, terminal: ReadyTerminal
) -> None:
    cashier = till.actor
    assert cashier is not None
    for _ in range(2):  # ¥1,000 today already: the carrier's per-day limit for the number
        billpay.pay(shop, cashier, "cmcc", PHONE, 50_000, Cash(50_000), port=port)
    with pytest.raises(ShopError) as expected:
        billpay.check(shop, "cmcc", PHONE, 5_000, online=True)
    before = drawer(shop)
    submits = len(port.called("submit"))
    display = till.customer_display
    assert display is not None
    page = open_page(qtbot, till)
    key(qtbot, Qt.Key.Key_4)
    type_account(qtbot, page, PHONE)
    qtbot.mouseClick(page.denomination_buttons[5_000], Qt.MouseButton.LeftButton)
    assert page.amount == 5_000 and page.amount_error.text() == ""  # the rules alone pass
    key(qtbot, Qt.Key.Key_Return)  # the focused button: show the customer
    assert page.step == ACCOUNT
    assert page.error.text() == rule_error(expected.value)  # the core's own words
    assert page.error.isVisible()
    assert display.state != BILL and no_payment_dialog(page)
    assert drawer(shop) == before and len(billpay.payments(shop)) == 2
    assert len(port.called("submit")) == submits
    assert terminal.called("authorize") == [] and terminal.charged_fen == 0
    # another number is not over its limit: it goes on to the customer's check
    page.account_field.clear()
    page.account_field.setFocus()  # the cashier clicks into the number
    type_account(qtbot, page, "13912345678")
    qtbot.mouseClick(page.denomination_buttons[5_000], Qt.MouseButton.LeftButton)
    key(qtbot, Qt.Key.Key_Return)
    wait_step(qtbot, page, CONFIRM)
    assert not page.error.isVisible() and display.state == BILL


# --- a refund above the refund limit -------------------------------------------------------


def key_pin(qtbot: QtBot, dialog: OwnerPinDialog, pin: str) -> None:
    """The owner types the PIN on the dialog's on-screen keypad and presses OK."""
    pad = dialog.pin.keypad
    buttons = {b.text(): b for b in pad.findChildren(QPushButton)}
    for digit in pin:
        buttons[digit].click()
    pad.ok.emit()
    settle(qtbot)


def owner_dialog(qtbot: QtBot, win: CashierWindow) -> OwnerPinDialog:
    found: list[OwnerPinDialog] = []

    def shown() -> bool:
        found[:] = [d for d in win.findChildren(OwnerPinDialog) if d.isVisible()]
        return len(found) == 1

    qtbot.waitUntil(shown, timeout=5_000)
    return found[0]


def _refund_dialog(qtbot: QtBot, page: BillPayPage) -> BillRefundDialog:
    press_on(qtbot, page, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: page.step == TODAY and bool(page.today), timeout=5_000)
    settle(qtbot)
    key(qtbot, Qt.Key.Key_Return)  # Enter on the failed one: its refund
    return next(d for d in page.findChildren(BillRefundDialog) if d.isVisible())


def test_a_bill_refund_above_the_limit_needs_the_owners_pin(
    qtbot: QtBot, till: CashierWindow, shop: Shop, port: FakeBillPay, people: demo.DemoPeople
) -> None:
    from sqlalchemy import text

    cashier = till.actor
    assert cashier is not None and not cashier.is_owner
    limit = shop.settings.refund_limit_fen
    port.submit_script = ["failed"]
    failed = billpay.pay(
        shop, cashier, "cc-repay", CMB_CREDIT, limit + 5_000, Cash(limit + 5_000), port=port
    )
    assert failed.status == "failed"
    before = drawer(shop)
    page = open_page(qtbot, till)
    dialog = _refund_dialog(qtbot, page)
    assert "owner's PIN is needed" in dialog.detail.text()
    press_on(qtbot, dialog, Qt.Key.Key_Return)
    pin = owner_dialog(qtbot, till)
    pin.reject()  # the owner is not here: nothing happens, the refund stays owed
    settle(qtbot)
    assert dialog.isVisible() and dialog.refund_button.isEnabled()
    assert [t.status for t in billpay.refund_tasks(shop)] == ["open"]
    assert drawer(shop) == before
    press_on(qtbot, dialog, Qt.Key.Key_Return)
    pin = owner_dialog(qtbot, till)
    key_pin(qtbot, pin, "0000")
    assert pin.isVisible() and pin.message.text()  # refused, still asking
    assert billpay.refund_tasks(shop)[0].status == "open" and drawer(shop) == before
    key_pin(qtbot, pin, demo.OWNER[1])
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5_000)
    settle(qtbot)
    assert billpay.refund_tasks(shop) == []
    assert drawer(shop) == before - (limit + 5_000)
    with shop.store.read() as session:
        (payload,) = session.execute(
            text("SELECT payload_json FROM journal WHERE kind = 'bill_payment.refund_handed_out'")
        ).one()
    assert f'"approved_by":"{people.owner.user_id}"' in payload
    assert f'"user_id":"{cashier.user_id}"' in payload


def test_a_bill_refund_within_the_limit_asks_no_pin(
    qtbot: QtBot, till: CashierWindow, shop: Shop, port: FakeBillPay
) -> None:
    cashier = till.actor
    assert cashier is not None
    port.submit_script = ["failed"]
    billpay.pay(shop, cashier, "cmcc", PHONE, 5_000, Cash(5_000), port=port)
    page = open_page(qtbot, till)
    dialog = _refund_dialog(qtbot, page)
    assert "owner" not in dialog.detail.text()
    press_on(qtbot, dialog, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5_000)
    assert not any(d.isVisible() for d in till.findChildren(OwnerPinDialog))
    assert billpay.refund_tasks(shop) == []
