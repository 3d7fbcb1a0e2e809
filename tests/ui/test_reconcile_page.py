"""The owner's 对账 screen, driven as the owner drives it: the real window, the acquirer's
settlement from the real hub over HTTP (scripted acquirer, the hub's clock on the shop's business
day), the card terminal's end-of-day through the real ZVT driver against the simulator on a pty
(on the terminal's own thread, after the owner confirms), and `storebox.reconcile` storing the
result. A hub that cannot be reached is said in amber and the rest still runs."""

from __future__ import annotations

import dataclasses
import datetime as dt
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from drivers.terminal.simulator import ZvtSimulator, serve_pty
from storebox import demo, reconcile, sales, shifts, syncstate
from storebox.money import format_fen
from storebox.sales import Cart, Wallet
from storebox.shop import Shop
from sync.client import HubClient
from sync.wallet import HubWallet
from tests.conftest import START
from tests.sync.acquirer_fixtures import ALIPAY, HubClock, Till, make_till
from tests.sync.conftest import RunningHub, hub_factory  # noqa: F401 - the fixture
from tests.ui.conftest import owner_actor, settle, shown_window, sign_in
from tests.ui.test_sell import demo_product
from ui import devices as till_devices
from ui.cashier.reconcile_page import ReconcilePage
from ui.cashier.window import CashierWindow
from ui.devices import Kind, State

WATER = "农夫山泉饮用天然水550ml"


@pytest.fixture
def hub_clock(monkeypatch: pytest.MonkeyPatch) -> HubClock:
    made = HubClock(monkeypatch)
    # the hub's clock on the shop's: its China day is the shop's business day
    made.advance((START - dt.datetime.now(dt.UTC)).total_seconds())
    return made


@pytest.fixture
def acquiring(
    tmp_path: Path,
    hub_factory: Callable[..., RunningHub],  # noqa: F811
    hub_clock: HubClock,
) -> Iterator[Till]:
    made = make_till(hub_factory(str(tmp_path / "hub.db")))
    yield made
    made.client.close()


def enrol(shop: Shop, hub_url: str, token: str) -> None:
    syncstate.save_enrolment(
        shop,
        hub_url=hub_url,
        store_id="store-1",
        store_name="社区便利店",
        device_id="till-1",
        device_name="till-1",
        token=token,
    )


def sell_by_wallet(shop: Shop, till: Till) -> sales.SaleReceipt:
    """A water paid by a customer's code through the real hub's acquirer."""
    cart = Cart()
    sales.add_barcode(shop, cart, demo_product(WATER).barcode)
    wallet = HubWallet(
        HubClient(till.hub.base_url, till.client.token, read_timeout=5.0),
        poll_interval=0.05,
        sleep=time.sleep,
    )
    return sales.checkout(
        shop, owner_actor(shop), cart, [Wallet(ALIPAY, cart.total_fen)], wallet=wallet
    )


def page_of(win: CashierWindow) -> ReconcilePage:
    page = win.pages["reconcile"]
    assert isinstance(page, ReconcilePage)
    return page


def open_page(qtbot: QtBot, win: CashierWindow) -> ReconcilePage:
    qtbot.mouseClick(win.nav_buttons["reconcile"], Qt.MouseButton.LeftButton)
    settle(qtbot)
    page = page_of(win)
    assert page.isVisible()
    return page


def run_and_wait(qtbot: QtBot, page: ReconcilePage) -> None:
    qtbot.waitUntil(lambda: not page.running, timeout=30_000)
    settle(qtbot)


def differences(page: ReconcilePage) -> list[list[str]]:
    table = page.table
    return [
        [table.item(row, col).text() for col in range(table.columnCount())]
        for row in range(table.rowCount())
    ]


@pytest.fixture
def shop_till(
    qtbot: QtBot, shop: Shop, people: demo.DemoPeople, acquiring: Till
) -> Iterator[CashierWindow]:
    """A till enrolled with the real hub, no card terminal; the owner signed in."""
    shop.settings = dataclasses.replace(shop.settings, language="en")
    enrol(shop, acquiring.hub.base_url, str(acquiring.client.token))
    shifts.open_shift(shop, owner_actor(shop), 20_000)
    with shown_window(qtbot, shop) as win:
        sign_in(qtbot, win, *demo.OWNER)
        yield win
        win.close()


def test_a_reversal_at_the_acquirer_is_shown_with_its_sale_and_stored(
    qtbot: QtBot, shop_till: CashierWindow, shop: Shop, acquiring: Till
) -> None:
    win = shop_till
    kept = sell_by_wallet(shop, acquiring)
    reversed_sale = sell_by_wallet(shop, acquiring)
    (paid,) = [p for p in reversed_sale.payments if p.kind == "wallet"]
    assert paid.reference
    assert acquiring.client.reverse_order(paid.reference).status == "reversed"

    page = open_page(qtbot, win)
    assert page.verdict.text() == "Not reconciled yet"
    assert page.day.date().toPython() == shop.business_day()
    assert not page.with_terminal.isEnabled()  # no card terminal on this till
    qtbot.mouseClick(page.run_button, Qt.MouseButton.LeftButton)
    assert page.confirm_box is None  # nothing to close on a terminal: nothing to ask
    assert page.running and not page.run_button.isEnabled() and page.progress.isVisible()
    run_and_wait(qtbot, page)

    assert page.verdict.text() == "1 differences"
    (row,) = differences(page)
    kind, tender, ours, theirs, sale, reference, detail = row
    assert kind == "reversed at the acquirer, paid in the shop" and tender == "wallet"
    assert ours == format_fen(reversed_sale.total_fen) and theirs == "¥0.00"
    assert sale == reversed_sale.number and reference.startswith(f"…{paid.reference[-8:]}")
    assert reversed_sale.number in detail
    # per tender: the shop's against the acquirer's; the card side never shown as zero
    card, wallet, bills = page.total_rows
    # the bill payments (便民缴费) against the real hub's statement: none either side, checked
    assert bills[0] == "Bill payments" and bills[1] == bills[2] == "0 paid ¥0.00 · commission ¥0.00"
    assert wallet[1] == f"2 paid {format_fen(kept.total_fen + reversed_sale.total_fen)}"
    assert wallet[2] == f"1 paid {format_fen(kept.total_fen)}"
    assert card[2] == "terminal: not checked"
    assert page.notes_label.isVisible()
    assert "no card terminal is set up" in page.notes_label.text()

    with shop.store.read() as session:
        stored = reconcile.stored(session, shop.business_day())
    assert stored is not None and stored["differences_count"] == 1
    assert stored["run_by"] == owner_actor(shop).user_id and stored["settlement_checked"]

    # a fresh window (nothing of this run in memory) shows what is stored, with what it can
    # say of the unchecked side
    win.show_page("sell")
    page.document = None
    page.notes.clear()
    page.bills.clear()
    page._render()
    open_page(qtbot, win)
    assert page.verdict.text() == "1 differences" and differences(page) == [row]
    assert page.notes_label.text() == "⚠ Card: the terminal's totals were not checked."


def dead_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def sim() -> Iterator[ZvtSimulator]:
    simulator, _path = serve_pty(status_delay=0.05)
    yield simulator
    simulator.stop()


@pytest.fixture
def offline_till(
    qtbot: QtBot,
    shop: Shop,
    people: demo.DemoPeople,
    sim: ZvtSimulator,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[CashierWindow]:
    """A till with the terminal simulator, enrolled with a hub that does not answer."""
    monkeypatch.setattr(
        till_devices,
        "TERMINAL_TIMEOUTS",
        {"ack_timeout": 0.5, "answer_timeout": 2.0, "completion_timeout": 5.0},
    )
    shop.settings = dataclasses.replace(shop.settings, terminal_url=sim.path, language="en")
    enrol(shop, f"http://127.0.0.1:{dead_port()}", "token-of-a-dead-hub")
    with shown_window(qtbot, shop) as win:
        devices = win.devices
        assert devices is not None
        qtbot.waitUntil(lambda: devices.health(Kind.TERMINAL).state is State.READY, timeout=10_000)
        sign_in(qtbot, win, *demo.OWNER)
        yield win
        win.close()


def test_offline_the_acquirer_part_says_so_and_the_terminal_settles_after_asking(
    qtbot: QtBot, offline_till: CashierWindow, shop: Shop, sim: ZvtSimulator
) -> None:
    page = open_page(qtbot, offline_till)
    assert page.with_terminal.isEnabled() and page.with_terminal.isChecked()

    # asked first (it closes the terminal's batch); cancelled: nothing runs
    qtbot.mouseClick(page.run_button, Qt.MouseButton.LeftButton)
    box = page.confirm_box
    assert box is not None and "batch" in box.text()
    box.button(QMessageBox.StandardButton.Cancel).click()
    settle(qtbot)
    assert not page.running and page.document is None
    eod = sum(1 for cmd in sim.received if cmd.command == (0x06, 0x50))

    qtbot.mouseClick(page.run_button, Qt.MouseButton.LeftButton)
    box = page.confirm_box
    assert box is not None
    box.defaultButton().click()  # "Settle the terminal and reconcile"
    run_and_wait(qtbot, page)

    # the terminal's end-of-day ran (06 50 on the wire), on the terminal's own thread
    assert sum(1 for cmd in sim.received if cmd.command == (0x06, 0x50)) == eod + 1
    document = page.document
    assert document is not None and not document["settlement_checked"]
    notes = page.notes_label.text()
    assert "the hub could not be reached" in notes and page.notes_label.isVisible()
    card, wallet, bills = page.total_rows
    assert wallet[2] == "acquirer: not checked"
    assert bills[2] == "hub: not checked" and "bill payments not checked" in notes
    if not document["terminal_checked"]:  # a driver that reads no totals: said, never zero
        assert card[2] == "terminal: not checked" and "card totals not checked" in notes
    with shop.store.read() as session:
        assert reconcile.stored(session, shop.business_day()) == document
