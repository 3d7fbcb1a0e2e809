"""The 对账 screen's bill-payment part (便民缴费): the real window and SQLite shop, the biller
platform faked (FakeBillPay as `CashierWindow.billpay`); the statement fetched on the hub's thread
and matched on the core's worker, its totals a row of their own, its differences in the same
table with the shop's receipt number. Offline: an amber note, never zero, and the rest runs."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from storebox import billpay, demo, reconcile, shifts
from storebox.billpay import BillView
from storebox.money import format_fen
from storebox.ports import BillPayOffline, BillStatementData
from storebox.sales import Cash
from storebox.shop import Shop
from tests.core.billpay_fixtures import install_billers
from tests.fakes import FakeBillPay
from tests.ui.conftest import owner_actor, shown_window, sign_in
from tests.ui.test_reconcile_page import differences, open_page, page_of, run_and_wait
from ui.cashier.window import CashierWindow


@pytest.fixture
def port() -> FakeBillPay:
    return FakeBillPay(submit_script=["success", "success"])


@pytest.fixture
def paid(shop: Shop, people: demo.DemoPeople, port: FakeBillPay) -> list[BillView]:
    """Two mobile top-ups paid in cash today, answered at once by the biller."""
    shop.settings = dataclasses.replace(shop.settings, language="en")
    install_billers(shop)
    owner = owner_actor(shop)
    shifts.open_shift(shop, owner, 20_000)
    return [
        billpay.pay(shop, owner, "cmcc", "13812345678", 5_000, Cash(5_000), port=port),
        billpay.pay(shop, owner, "cmcc", "13912345678", 3_000, Cash(3_000), port=port),
    ]


@pytest.fixture
def till(
    qtbot: QtBot, shop: Shop, paid: list[BillView], port: FakeBillPay
) -> Iterator[CashierWindow]:
    with shown_window(qtbot, shop) as win:
        win.billpay = port
        sign_in(qtbot, win, *demo.OWNER)
        yield win
        win.close()


def run(qtbot: QtBot, win: CashierWindow) -> list[list[str]]:
    page = open_page(qtbot, win)
    qtbot.mouseClick(page.run_button, Qt.MouseButton.LeftButton)
    run_and_wait(qtbot, page)
    return differences(page)


def test_a_clean_day_shows_the_bill_row_and_no_differences(
    qtbot: QtBot, till: CashierWindow, shop: Shop, paid: list[BillView]
) -> None:
    assert run(qtbot, till) == []
    page = page_of(till)
    _card, _wallet, bills = page.total_rows
    assert bills[0] == "Bill payments"
    assert bills[1].startswith(f"2 paid {format_fen(8_000)} · commission ")
    assert bills[2] == bills[1]  # the hub's statement agrees, commission too
    assert page.verdict.text() == "No differences"
    assert "Bill payments" not in page.notes_label.text()
    # the card and wallet result is stored as before, the bill part not in it
    with shop.store.read() as session:
        stored = reconcile.stored(session, shop.business_day())
    assert stored is not None and "shop_count" not in stored


def test_a_payment_missing_at_the_hub_is_named_by_its_receipt_number(
    qtbot: QtBot, till: CashierWindow, port: FakeBillPay, paid: list[BillView]
) -> None:
    lost = paid[1]
    del port.orders[lost.payment_id]  # its event never reached the hub
    (row,) = run(qtbot, till)
    kind, tender, ours, theirs, sale, _reference, _detail = row
    assert kind == "bill paid in the shop, not at the hub" and tender == "Bill payments"
    assert ours == format_fen(3_000) and theirs == "—"
    assert sale == lost.number
    page = page_of(till)
    assert page.verdict.text() == "1 differences"
    bills = page.total_rows[2]
    assert bills[1].startswith(f"2 paid {format_fen(8_000)}")
    assert bills[2].startswith(f"1 paid {format_fen(5_000)}")


def test_offline_the_bill_part_is_not_checked_in_amber_and_the_rest_runs(
    qtbot: QtBot,
    till: CashierWindow,
    shop: Shop,
    port: FakeBillPay,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def offline(_day: object) -> BillStatementData:
        raise BillPayOffline("hub unreachable (fake)")

    monkeypatch.setattr(port, "statement", offline)
    assert run(qtbot, till) == []
    page = page_of(till)
    bills = page.total_rows[2]
    assert bills[2] == "hub: not checked"  # never zero
    notes = page.notes_label
    assert notes.isVisible() and "bill payments not checked" in notes.text()
    assert page.document is not None  # card and wallet still ran
    with shop.store.read() as session:
        assert reconcile.stored(session, shop.business_day()) is not None
