"""The 缴费 screen against the real hub over HTTP: the shop enrolled and synced (billers and
offline limits pulled by the real agent's round), the window built by its own composition root
(`run.build` makes the real `sync.billpay.HubBillPay` from the enrolment), the hub's simulated
billers scripted by the operator's hand (`billers.set_script`). One clock for both ends.

An electricity bill looked up by the account the cashier types and paid: 成功 with the
biller's reference. A top-up 受理中 that the biller fails later: asked again from the list
(Ctrl+R), the refund owed in red, refunded in cash, and the hub hears it refunded."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from storebox import billpay, demo, shifts, syncstate
from storebox.clock import FixedClock
from storebox.shop import Shop
from sync import enrolment
from sync.agent import SyncAgent
from sync.billpay import HubBillPay
from sync.client import HubClient
from sync.hub import billers, clock
from tests.sync.conftest import RunningHub, hub_factory  # noqa: F401 - the fixture
from tests.ui.conftest import owner_actor, settle, shown_window, sign_in
from tests.ui.test_billpay_page import (
    PHONE,
    drawer,
    key,
    open_page,
    take_cash,
    type_account,
    wait_step,
)
from ui.cashier.billpay_page import ACCOUNT, CONFIRM, RESULT, TODAY
from ui.cashier.billpay_refund import BillRefundDialog
from ui.cashier.window import CashierWindow


@dataclass
class Hubbed:
    hub: RunningHub
    store_id: str
    client: HubClient
    win: CashierWindow

    def sync(self, shop: Shop) -> None:
        report = SyncAgent(shop, self.client).run_round()
        assert report.error is None, report.error


@pytest.fixture
def hubbed(
    qtbot: QtBot,
    shop: Shop,
    people: demo.DemoPeople,
    clock_: FixedClock,
    tmp_path: Path,
    hub_factory: Callable[..., RunningHub],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Hubbed]:
    hub = hub_factory(str(tmp_path / "hub.db"))
    monkeypatch.setattr(clock, "utcnow", clock_.now)  # the hub's clock is the shop's
    store_id = hub.create_store("幸福小店")
    enrolment.enrol(shop, hub.base_url, hub.enrol_code(store_id), "柜台一号")
    client = HubClient(hub.base_url, syncstate.require_enrolment(shop).token, read_timeout=20)
    shop.settings = dataclasses.replace(shop.settings, language="en")
    with shown_window(qtbot, shop) as win:
        world = Hubbed(hub, store_id, client, win)
        world.sync(shop)  # the billers and the offline limits arrive
        assert isinstance(win.billpay, HubBillPay)  # built by the composition root
        shifts.open_shift(shop, owner_actor(shop), 20_000)
        sign_in(qtbot, win, *demo.CASHIERS[0])
        yield world
        win.close()
        client.close()


@pytest.fixture
def clock_(clock: FixedClock) -> FixedClock:
    """The tests' shop clock (10:00 in Shanghai: every biller open)."""
    return clock


def test_an_electricity_bill_looked_up_at_the_hub_and_paid(
    qtbot: QtBot, hubbed: Hubbed, shop: Shop
) -> None:
    billers.set_script(hubbed.hub.db, hubbed.store_id, "success", biller_id="sgcc-bj")
    page = open_page(qtbot, hubbed.win)
    key(qtbot, Qt.Key.Key_1)
    type_account(qtbot, page, "0123456789")
    key(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.bill is not None, timeout=15_000)
    bill = page.bill
    assert bill is not None and "*" in bill.holder_masked
    assert page.amount_field.fen() == bill.amount_due_fen + bill.penalty_fen
    key(qtbot, Qt.Key.Key_Return)
    assert page.step == CONFIRM
    key(qtbot, Qt.Key.Key_Return)
    due = bill.amount_due_fen + bill.penalty_fen
    take_cash(qtbot, page, f"{(due // 100) + 1}")
    wait_step(qtbot, page, RESULT)
    view = page.result
    assert view is not None and view.status == "success" and view.biller_reference
    assert view.biller_reference in page.result_detail.text()
    at_hub = hubbed.client.bill_payment(view.payment_id)
    assert at_hub is not None and at_hub.status == "success"


def test_a_top_up_the_biller_fails_later_is_refunded_and_the_hub_hears_it(
    qtbot: QtBot, hubbed: Hubbed, shop: Shop, clock_: FixedClock
) -> None:
    billers.set_script(hubbed.hub.db, hubbed.store_id, "pending:60:failed", biller_id="cmcc")
    page = open_page(qtbot, hubbed.win)
    key(qtbot, Qt.Key.Key_4)
    assert page.step == ACCOUNT
    type_account(qtbot, page, PHONE)
    qtbot.mouseClick(page.denomination_buttons[5_000], Qt.MouseButton.LeftButton)
    key(qtbot, Qt.Key.Key_Return)
    key(qtbot, Qt.Key.Key_Return)
    take_cash(qtbot, page, "50")
    wait_step(qtbot, page, RESULT)
    view = page.result
    assert view is not None and view.status == "pending"
    assert page.result_title.text().startswith("Processing")

    clock_.advance(seconds=120)  # the biller answers: failed
    billers.advance_store(hubbed.hub.db, hubbed.store_id, clock_.now())
    key(qtbot, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: page.step == TODAY and bool(page.today), timeout=5_000)
    key(qtbot, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)  # ask the biller again
    qtbot.waitUntil(lambda: billpay.refund_tasks(shop) != [], timeout=15_000)
    qtbot.waitUntil(hubbed.win.status_bill_refunds.isVisible, timeout=10_000)
    qtbot.waitUntil(page.refund_button.isEnabled, timeout=5_000)
    key(qtbot, Qt.Key.Key_Return)
    dialog = next(d for d in page.findChildren(BillRefundDialog) if d.isVisible())
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)
    settle(qtbot)
    assert drawer(shop) == 20_000 and billpay.refund_tasks(shop) == []
    qtbot.waitUntil(lambda: not hubbed.win.status_bill_refunds.isVisible(), timeout=10_000)
    hubbed.sync(shop)  # the agent pushes bill_payment.refunded
    at_hub = hubbed.client.bill_payment(view.payment_id)
    assert at_hub is not None and at_hub.status == "failed" and at_hub.refunded
