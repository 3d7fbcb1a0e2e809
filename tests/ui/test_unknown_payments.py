"""Payments of unknown outcome at the till, driven as the owner drives them: the red badge in
the status bar, the owner's PIN, the list (masked card, terminal references), "ask again"
through the real ZVT driver against the terminal simulator over a pty on the terminal's own
thread, and the owner's word through the same core use case `storebox payments settle` uses."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from drivers.terminal.simulator import ZvtSimulator, serve_pty
from storebox import demo, sales
from storebox.db.models import OutboxEvent, PaymentAttempt
from storebox.ports import PaymentResult, PaymentStatus
from storebox.shop import Shop
from tests.ui.conftest import settle, shown_window, sign_in
from ui import devices as till_devices
from ui.cashier.signin import OwnerPinDialog
from ui.cashier.unknown_payments import UnknownPaymentsDialog
from ui.cashier.window import CashierWindow
from ui.devices import Kind, State


def left_open(shop: Shop, amount_fen: int, context: dict[str, object]) -> str:
    """A card payment a crash left open: its attempt written, the terminal's last answer lost
    (what the core's checkout leaves behind), and no process waiting on it any more."""
    reference = sales.begin_attempt(shop, "card", "sale", amount_fen, context)
    lost = PaymentResult(
        PaymentStatus.UNKNOWN,
        amount_fen,
        reference,
        "line dropped",
        terminal_id="52500038",
        trace="000123",
        masked_pan="6212345678901234567",
        card_name="UnionPay",
    )
    sales.mark_attempt(shop, reference, "unknown", lost, "no final answer; enquiring")
    sales.release_attempts([reference])
    return reference


def status_of(shop: Shop, reference: str) -> str:
    with shop.store.read() as session:
        return session.scalars(
            select(PaymentAttempt.status).where(PaymentAttempt.reference == reference)
        ).one()


def pin_asked(win: CashierWindow) -> OwnerPinDialog:
    (shown,) = [d for d in win.findChildren(OwnerPinDialog) if d.isVisible()]
    return shown


def open_dialog(qtbot: QtBot, win: CashierWindow, pin: str) -> UnknownPaymentsDialog:
    """Click the red badge, type the owner's PIN: the dialog opens with the list read."""
    qtbot.waitUntil(win.status_unknown.isVisible, timeout=10_000)
    qtbot.mouseClick(win.status_unknown, Qt.MouseButton.LeftButton)
    pin_dialog = pin_asked(win)
    qtbot.keyClicks(pin_dialog.pin.field, pin, delay=80)  # slower than a scanner
    qtbot.keyClick(pin_dialog.pin.field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: win.unknown_dialog is not None, timeout=10_000)
    dialog = win.unknown_dialog
    assert dialog is not None
    settle(qtbot)
    return dialog


def cells(dialog: UnknownPaymentsDialog, row: int) -> list[str]:
    table = dialog.table
    return [table.item(row, col).text() for col in range(table.columnCount())]


@pytest.fixture
def bare_till(qtbot: QtBot, shop: Shop, people: demo.DemoPeople) -> Iterator[CashierWindow]:
    """A till with no card terminal and no hub: nothing can be asked about a payment."""
    with shown_window(qtbot, shop) as win:
        sign_in(qtbot, win, *demo.CASHIERS[0])
        yield win
        win.close()


def test_the_badge_a_wrong_pin_and_the_owners_word_without_a_terminal(
    qtbot: QtBot, bare_till: CashierWindow, shop: Shop
) -> None:
    win = bare_till
    assert not win.status_unknown.isVisible()
    reference = left_open(shop, 3_650, {"cart_id": "lost"})
    win.refresh_status()
    settle(qtbot)
    assert win.status_unknown.isVisible()
    assert win.status_unknown.text() == "1 payments of unknown outcome"

    # a cashier's PIN does not open it
    qtbot.mouseClick(win.status_unknown, Qt.MouseButton.LeftButton)
    pin_dialog = pin_asked(win)
    qtbot.keyClicks(pin_dialog.pin.field, demo.CASHIERS[0][1], delay=80)
    qtbot.keyClick(pin_dialog.pin.field, Qt.Key.Key_Return)
    settle(qtbot)
    assert pin_dialog.isVisible() and pin_dialog.message.text()
    assert win.unknown_dialog is None
    pin_dialog.reject()
    settle(qtbot)

    dialog = open_dialog(qtbot, win, demo.OWNER[1])
    assert [a.reference for a in dialog.attempts] == [reference]
    row = cells(dialog, 0)
    assert row[1] == "¥36.50" and row[2] == "card" and row[3] == "not recorded"
    assert row[4] == "UnionPay 621234*********4567"  # masked: never the full number
    assert f"ref {reference[-8:]}" in row[5] and "TID 52500038" in row[5]
    assert "trace 000123" in row[5]
    # no terminal to ask: the owner decides at once, but only with a reason
    assert not dialog.ask_button.isEnabled()
    assert dialog.reason.isEnabled() and not dialog.not_charged_button.isEnabled()
    dialog.reason.insert("终端小票无此笔")  # typed through the input method (QtTest types ASCII)
    assert dialog.not_charged_button.isEnabled() and dialog.charged_button.isEnabled()
    qtbot.mouseClick(dialog.not_charged_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    assert status_of(shop, reference) == "declined"
    assert "settled as not charged by 店主" in dialog.message.text()
    assert dialog.attempts == [] and dialog.empty.isVisible()
    with shop.store.read() as session:
        event = session.scalars(
            select(OutboxEvent).where(OutboxEvent.kind == "payment.settled_by_owner")
        ).one()
        payload = json.loads(event.payload_json)
    assert payload["reason"] == "终端小票无此笔" and payload["outcome"] == "not-charged"

    qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    assert win.unknown_dialog is None
    assert not win.status_unknown.isVisible()


@pytest.fixture
def sim() -> Iterator[ZvtSimulator]:
    simulator, _path = serve_pty(status_delay=0.05)
    yield simulator
    simulator.stop()


@pytest.fixture
def till(
    qtbot: QtBot,
    shop: Shop,
    people: demo.DemoPeople,
    sim: ZvtSimulator,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[CashierWindow]:
    monkeypatch.setattr(
        till_devices,
        "TERMINAL_TIMEOUTS",
        {"ack_timeout": 0.5, "answer_timeout": 1.0, "completion_timeout": 2.0},
    )
    shop.settings = dataclasses.replace(shop.settings, terminal_url=sim.path, language="en")
    with shown_window(qtbot, shop) as win:
        devices = win.devices
        assert devices is not None
        qtbot.waitUntil(lambda: devices.health(Kind.TERMINAL).state is State.READY, timeout=10_000)
        sign_in(qtbot, win, *demo.OWNER)
        yield win
        win.close()


def test_asking_the_terminal_again_closes_one_it_never_carried_out(
    qtbot: QtBot, till: CashierWindow, shop: Shop
) -> None:
    devices = till.devices
    assert devices is not None and devices.terminal is not None
    # where the terminal stood before the payment, recorded before it was sent (as checkout
    # does); the request never reached it
    match = devices.terminal.match_context(990, "")
    never_sent = left_open(shop, 990, {sales.MATCH_KEY: match})
    # one nobody can match: no trace recorded
    blind = left_open(shop, 1_250, {sales.MATCH_KEY: {**match, "trace_before": ""}})
    till.refresh_status()
    dialog = open_dialog(qtbot, till, demo.OWNER[1])
    assert {a.reference for a in dialog.attempts} == {never_sent, blind}
    # before asking again, the owner's word is not offered: the terminal comes first
    assert dialog.ask_button.isEnabled()
    assert not dialog.reason.isEnabled() and not dialog.charged_button.isEnabled()

    qtbot.mouseClick(dialog.ask_button, Qt.MouseButton.LeftButton)
    assert dialog.busy and dialog.progress.isVisible() and not dialog.close_button.isEnabled()
    dialog.reject()  # Esc while the terminal is asked: the dialog stays
    assert dialog.isVisible()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=20_000)
    settle(qtbot)
    assert status_of(shop, never_sent) == "declined"
    assert f"(ref {never_sent[-8:]}): did not go through" in dialog.message.text()
    # the blind one: still open, now the owner may decide
    assert status_of(shop, blind) in sales.OPEN_STATUSES
    assert [a.reference for a in dialog.attempts] == [blind]
    dialog.table.selectRow(0)
    assert dialog.reason.isEnabled()
    qtbot.keyClicks(dialog.reason, "bank statement shows it")
    qtbot.mouseClick(dialog.charged_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    assert status_of(shop, blind) == "approved"  # charged: stays for the owner's follow-up
    assert "settled as charged" in dialog.message.text()
    assert dialog.attempts == []
    dialog.close_button.click()
    settle(qtbot)
    assert not till.status_unknown.isVisible()
