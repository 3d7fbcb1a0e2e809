"""Shift, reports and history through the real window."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from storebox import demo, reports, sales, shifts
from storebox.clock import FixedClock
from storebox.money import format_fen
from storebox.reports import XReport, ZReport
from storebox.shop import Shop
from tests.ui.conftest import settle, sign_in
from tests.ui.test_refund import confirm_yes, goods, key_pin, owner_dialog, sell
from ui.cashier.history_page import HistoryPage
from ui.cashier.refund_page import RefundPage
from ui.cashier.reports_page import ReportsPage
from ui.cashier.shift_page import ShiftPage
from ui.cashier.window import CashierWindow


def open_page(qtbot: QtBot, window: CashierWindow, key: Qt.Key) -> object:
    qtbot.keyClick(window, key)
    settle(qtbot)
    return window.current_page()


def the_open_shift(shop: Shop) -> shifts.ShiftSummary | None:
    with shop.store.read() as session:
        shift = shifts.current_shift(session, shop)
        return None if shift is None else shifts.summarize(session, shift)


def test_open_move_cash_and_close_a_shift_short(
    qtbot: QtBot, window: CashierWindow, shop: Shop, people: demo.DemoPeople
) -> None:
    sign_in(qtbot, window, *demo.CASHIERS[0])
    page = open_page(qtbot, window, Qt.Key.Key_F3)
    assert isinstance(page, ShiftPage)
    assert page.panels.currentWidget() is page.open_holder

    # the float, keyed in on the on-screen keypad
    buttons = {b.text(): b for b in page.keypad.findChildren(QPushButton)}
    for key in "250.5":
        buttons[key].click()
    assert page.float_field.text() == "250.5"
    page.keypad.ok.emit()
    settle(qtbot)
    opened = the_open_shift(shop)
    assert opened is not None and opened.float_fen == 25_050
    assert opened.user_id == people.cashiers[0].user_id
    assert page.panels.currentWidget() is page.run_panel
    assert "No open shift" not in window.status_shift.text()

    (item,) = goods(1)
    sell(shop, people.cashiers[0], [(item.barcode, 3)])
    page.activate()
    settle(qtbot)
    assert page.figures["cash_sales"].text() == format_fen(3 * item.price_fen)

    # cash out needs a reason
    page.move_amount.setText("100")
    page.cash_out_button.click()
    settle(qtbot)
    assert "why" in window.message.text()
    assert the_open_shift(shop).tally.cash_out_fen == 0  # type: ignore[union-attr]
    qtbot.keyClicks(page.move_reason, "to the safe", delay=80)
    page.cash_out_button.click()
    settle(qtbot)
    summary = the_open_shift(shop)
    assert summary is not None and summary.tally.cash_out_fen == 10_000
    expected = summary.expected_cash_fen
    assert expected == 25_050 + 3 * item.price_fen - 10_000
    assert page.expected_value.text() == format_fen(expected)

    counted = expected - 350  # ¥3.50 short
    page.counted_field.setText(f"{counted // 100}.{counted % 100:02d}")
    page.close_button.click()
    question = confirm_yes(qtbot, page)
    assert "ends the shift" in question

    closed = shifts.shift_summary(shop, summary.id)
    assert closed.status == "closed" and closed.counted_fen == counted
    assert closed.variance_fen == counted - closed.expected_cash_fen == -350
    assert page.panels.currentWidget() is page.closed_holder
    assert page.variance.text() == format_fen(closed.variance_fen)
    assert page.variance.property("state") == "short"
    assert format_fen(350) in page.variance_words.text()
    assert "No open shift" in window.status_shift.text()

    # closing again is impossible from here: no close button, Enter does nothing
    assert not page.close_button.isVisible()
    page.counted_field.setText("1")
    page._close_shift()
    settle(qtbot)
    assert page.confirm_box is None
    again = shifts.shift_summary(shop, summary.id)
    assert again.closed_at == closed.closed_at and again.counted_fen == counted
    # and the screen leads on to the next shift
    page.next_shift_button.click()
    assert page.panels.currentWidget() is page.open_holder


def test_the_x_report_shows_the_shifts_sales(
    qtbot: QtBot, window: CashierWindow, shop: Shop, people: demo.DemoPeople
) -> None:
    cashier = people.cashiers[0]
    shifts.open_shift(shop, cashier, 10_000)
    a, b = goods(2)
    sell(shop, cashier, [(a.barcode, 1)])
    sell(shop, cashier, [(a.barcode, 2), (b.barcode, 1)])
    sign_in(qtbot, window, *demo.CASHIERS[0])
    page = open_page(qtbot, window, Qt.Key.Key_F4)
    assert isinstance(page, ReportsPage)
    assert isinstance(page.report, XReport)
    assert page.summary_value("Sales") == "2"
    assert page.summary_value("Sales total") == format_fen(3 * a.price_fen + b.price_fen)
    assert reports.row("销售笔数", "2") in page.text.toPlainText()
    assert not page.print_button.isEnabled()
    assert "drivers issue" in page.print_button.toolTip()


def test_the_z_report_asks_a_cashier_for_the_owners_pin(
    qtbot: QtBot, window: CashierWindow, shop: Shop, people: demo.DemoPeople
) -> None:
    cashier = people.cashiers[1]
    shifts.open_shift(shop, cashier, 10_000)
    (item,) = goods(1)
    sell(shop, cashier, [(item.barcode, 1)])
    sign_in(qtbot, window, *demo.CASHIERS[1])
    page = open_page(qtbot, window, Qt.Key.Key_F4)
    assert isinstance(page, ReportsPage) and isinstance(page.report, XReport)

    page.z_button.click()
    settle(qtbot)
    dialog = owner_dialog(window)
    key_pin(qtbot, dialog, "1234")  # a cashier's PIN is not the owner's
    assert dialog.isVisible()
    assert isinstance(page.report, XReport)
    key_pin(qtbot, dialog, demo.OWNER[1])
    assert not dialog.isVisible()
    assert isinstance(page.report, ZReport)
    assert page.report.business_day == shop.business_day()
    assert page.summary_value("Sales") == "1"
    assert "Z 报表" in page.text.toPlainText()


def test_closing_the_day_needs_every_shift_closed_and_the_owner(
    qtbot: QtBot, window: CashierWindow, shop: Shop, people: demo.DemoPeople
) -> None:
    cashier = people.cashiers[0]
    shifts.open_shift(shop, cashier, 10_000)
    sign_in(qtbot, window, *demo.OWNER)
    page = open_page(qtbot, window, Qt.Key.Key_F4)
    assert isinstance(page, ReportsPage)
    page.close_day_button.click()
    confirm_yes(qtbot, page)
    assert "still open" in window.message.text()
    assert reports.frozen_z_report(shop, shop.business_day(), actor=people.owner) is None

    shifts.close_shift(shop, cashier, 10_000)
    page.close_day_button.click()
    confirm_yes(qtbot, page)
    assert reports.frozen_z_report(shop, shop.business_day(), actor=people.owner) is not None
    assert isinstance(page.report, ZReport) and page.report.closed_at is not None


def test_history_lists_today_and_a_past_day(
    qtbot: QtBot,
    window: CashierWindow,
    shop: Shop,
    people: demo.DemoPeople,
    clock: FixedClock,
) -> None:
    cashier = people.cashiers[0]
    a, b = goods(2)
    clock.advance(days=-1)  # yesterday
    shifts.open_shift(shop, cashier, 10_000)
    yesterday = sell(shop, cashier, [(a.barcode, 1), (b.barcode, 2)])
    shifts.close_shift(shop, cashier, 10_000 + yesterday.total_fen)
    clock.advance(days=1)
    shifts.open_shift(shop, cashier, 10_000)
    today = [sell(shop, cashier, [(a.barcode, 1)]), sell(shop, cashier, [(b.barcode, 1)])]
    assert yesterday.business_day == today[0].business_day - dt.timedelta(days=1)

    sign_in(qtbot, window, *demo.OWNER)
    page = open_page(qtbot, window, Qt.Key.Key_F6)
    assert isinstance(page, HistoryPage)
    assert page.day_shown == shop.business_day()
    numbers = [page.table.item(r, 0).text() for r in range(page.table.rowCount())]
    assert numbers == [s.number for s in today]
    # the time is the shop's (Shanghai), not UTC
    local = today[0].completed_at.astimezone(shop.settings.zone).strftime("%H:%M:%S")
    assert page.table.item(0, 1).text() == local
    assert page.table.item(0, 2).text() == cashier.name
    assert not page.next_button.isEnabled()

    page.previous_button.click()
    settle(qtbot)
    assert page.day_shown == yesterday.business_day
    assert page.table.rowCount() == 1
    assert page.table.item(0, 0).text() == yesterday.number
    assert page.table.item(0, 3).text() == "3"  # items
    assert page.table.item(0, 4).text() == format_fen(yesterday.total_fen)

    page.table.selectRow(0)
    assert page.selected is not None and page.selected.number == yesterday.number
    assert page.lines.rowCount() == 2
    assert page.lines.item(1, 0).text() == b.name and page.lines.item(1, 2).text() == "2"

    page.refund_button.click()
    settle(qtbot)
    refund = window.current_page()
    assert isinstance(refund, RefundPage)
    assert refund.sale is not None and refund.sale.number == yesterday.number
    assert sales.find_sale(shop, yesterday.number).refunded_fen == 0  # nothing moved yet
