"""The shop's dynamic code (扫码付) at the till, against the real hub over HTTP: the code is
made by the hub's acquirer, shown on the customer's screen and in the dialog, polled until
the customer pays it (the acquirer's own hand: `customer_pays`), and the sale is recorded; a
cancelled code sells nothing and is closed at the hub."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from storebox import demo, shifts
from storebox.db.models import Payment, PaymentAttempt
from storebox.money import format_fen
from storebox.shop import Shop
from sync import emvco
from sync.hub import acquirer
from sync.wallet import HubWallet
from tests.sync.acquirer_fixtures import Till, make_till
from tests.sync.conftest import RunningHub, hub_factory  # noqa: F401 - the fixture
from tests.ui.conftest import owner_actor, settle, shown_window, sign_in
from tests.ui.test_sell import demo_product, press, scan
from ui.cashier.sell_dialogs import TENDER, WORKING
from ui.cashier.sell_page import SellPage
from ui.cashier.window import CashierWindow
from ui.customer_display import QR, THANKS

WATER = "农夫山泉饮用天然水550ml"


@pytest.fixture
def acquiring(tmp_path: Path, hub_factory: Callable[..., RunningHub]) -> Till:  # noqa: F811
    return make_till(hub_factory(str(tmp_path / "hub.db")))


@pytest.fixture
def till(
    qtbot: QtBot, shop: Shop, people: demo.DemoPeople, acquiring: Till
) -> Iterator[CashierWindow]:
    shop.settings = dataclasses.replace(shop.settings, customer_display="window", language="en")
    with shown_window(qtbot, shop) as win:
        assert win.customer_display is not None and win.devices is not None
        qtbot.addWidget(win.customer_display)
        win.devices.wallet = HubWallet(acquiring.client, poll_interval=0.2)
        shifts.open_shift(shop, owner_actor(shop), 20_000)
        sign_in(qtbot, win, *demo.CASHIERS[0])
        yield win
        win.close()


def start_qr(qtbot: QtBot, win: CashierWindow) -> tuple[SellPage, str]:
    sell = win.pages["sell"]
    assert isinstance(sell, SellPage)
    scan(qtbot, win, demo_product(WATER).barcode)
    press(qtbot, win, Qt.Key.Key_F9)
    dialog = sell.pay_dialog
    assert dialog is not None and dialog.qr_button.isVisible()
    dialog.qr_button.click()
    display = win.customer_display
    assert display is not None
    qtbot.waitUntil(lambda: display.state == QR or bool(dialog.message.text()), timeout=10_000)
    assert dialog.message.text() == ""
    assert dialog.state == WORKING and dialog.state_qr.isVisible()
    order = sell._qr
    assert order is not None
    return sell, order.reference


def test_the_customer_pays_the_shops_code_and_the_sale_is_recorded(
    qtbot: QtBot, till: CashierWindow, shop: Shop, acquiring: Till
) -> None:
    item = demo_product(WATER)
    sell, reference = start_qr(qtbot, till)
    display = till.customer_display
    assert display is not None
    payload = display._qr_text
    fields = emvco.parse(payload)
    assert fields["53"] == "156" and fields["54"] == f"{item.price_fen / 100:.2f}"
    assert display.qr_amount.text() == format_fen(item.price_fen)

    acquirer.customer_pays(acquiring.hub.db, acquiring.store_id, reference, "wechat")
    qtbot.waitUntil(lambda: sell.receipt is not None, timeout=15_000)
    settle(qtbot)
    receipt = sell.receipt
    assert receipt is not None and display.state == THANKS
    with shop.store.read() as session:
        paid = session.scalars(select(Payment).where(Payment.sale_id == receipt.sale_id)).all()
        assert [(p.kind, p.amount_fen, p.reference) for p in paid] == [
            ("wallet", item.price_fen, reference)
        ]
        attempt = session.scalars(select(PaymentAttempt)).one()
        assert attempt.status == "used"
    assert acquiring.client.query_order(reference).status == "approved"


def test_a_cancelled_code_sells_nothing_and_is_closed_at_the_hub(
    qtbot: QtBot, till: CashierWindow, shop: Shop, acquiring: Till
) -> None:
    sell, reference = start_qr(qtbot, till)
    dialog = sell.pay_dialog
    assert dialog is not None
    dialog.abort_button.click()
    qtbot.waitUntil(lambda: dialog.state == TENDER, timeout=10_000)
    settle(qtbot)
    assert "cancelled" in dialog.message.text()
    assert sell.receipt is None
    assert acquiring.client.query_order(reference).status == "closed"
    with shop.store.read() as session:
        attempt = session.scalars(select(PaymentAttempt)).one()
        assert attempt.status == "declined"
