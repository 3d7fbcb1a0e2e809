"""Card and wallet tenders at the till, driven as a cashier drives them: the real window, the
real ZVT driver talking to the terminal simulator over a real pty, the core's checkout.

Card: approved (the terminal's prompt on the dialog and the customer's screen, the receipt
with the masked card number, auth code and terminal references), declined (back to the tender
choice with the reason), a split cash + card sale, and a line drop: the payment's outcome is
unknown, the dialog cannot be closed, asking the terminal again finds it approved with no sale
and reverses it, and the screen says the customer was not charged. Wallet: a customer's code
scanned outside the payment never becomes goods; scanned in the payment it pays; offline (the
real hub wallet, no hub listening) it is refused at once, offering cash or card."""

from __future__ import annotations

import dataclasses
import socket
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from drivers.terminal.simulator import ZvtSimulator, serve_pty
from storebox import demo, shifts
from storebox.db.models import Payment, PaymentAttempt, Sale
from storebox.money import format_fen
from storebox.shop import Shop
from tests.fakes import FakeWallet
from tests.ui.conftest import owner_actor, settle, shown_window, sign_in
from tests.ui.test_sell import demo_product, names, press, scan
from ui import devices as till_devices
from ui.cashier.sell_dialogs import RESOLVING, TENDER, UNKNOWN, WORKING, PayCashDialog
from ui.cashier.sell_page import SellPage
from ui.cashier.window import CashierWindow
from ui.customer_display import CART, PAY, THANKS
from ui.devices import Kind, State

WECHAT_CODE = "134567890123456789"
WATER = "农夫山泉饮用天然水550ml"


@pytest.fixture
def sim() -> Iterator[ZvtSimulator]:
    # a deaf line long enough that the enquiries made at once find nothing; a patient
    # customer long enough to see the terminal's prompt
    simulator, _path = serve_pty(status_delay=0.05, drop_seconds=4.0, patience=1.5)
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
        {"ack_timeout": 0.5, "answer_timeout": 1.0, "completion_timeout": 1.0},
    )
    shop.settings = dataclasses.replace(
        shop.settings, terminal_url=sim.path, customer_display="window", language="en"
    )
    with shown_window(qtbot, shop) as win:
        assert win.customer_display is not None
        qtbot.addWidget(win.customer_display)
        devices = win.devices
        assert devices is not None
        qtbot.waitUntil(lambda: devices.health(Kind.TERMINAL).state is State.READY, timeout=10_000)
        shifts.open_shift(shop, owner_actor(shop), 20_000)
        sign_in(qtbot, win, *demo.CASHIERS[0])
        yield win
        win.close()


def sell_page(win: CashierWindow) -> SellPage:
    page = win.pages["sell"]
    assert isinstance(page, SellPage)
    return page


def open_payment(qtbot: QtBot, win: CashierWindow) -> PayCashDialog:
    press(qtbot, win, Qt.Key.Key_F9)
    dialog = sell_page(win).pay_dialog
    assert dialog is not None and dialog.isVisible() and dialog.state == TENDER
    return dialog


def sales_of(shop: Shop) -> list[tuple[str, list[tuple[str, int]]]]:
    with shop.store.read() as session:
        rows = session.scalars(select(Sale).order_by(Sale.completed_at)).all()
        out = []
        for sale in rows:
            payments = session.scalars(select(Payment).where(Payment.sale_id == sale.id)).all()
            out.append((sale.number, sorted((p.kind, p.amount_fen) for p in payments)))
        return out


def attempts(shop: Shop) -> list[tuple[str, str, int]]:
    with shop.store.read() as session:
        rows = session.scalars(select(PaymentAttempt).order_by(PaymentAttempt.created_at)).all()
        return [(a.kind, a.status, a.amount_fen) for a in rows]


def test_card_approved_shows_the_terminal_prompt_and_prints_the_card_on_the_receipt(
    qtbot: QtBot, till: CashierWindow, shop: Shop, sim: ZvtSimulator
) -> None:
    sell = sell_page(till)
    display = till.customer_display
    assert display is not None
    item = demo_product(WATER)
    scan(qtbot, till, item.barcode)
    sim.push("patient")  # the terminal says "insert card", then the customer takes a while
    press(qtbot, till, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)  # the card takes it all
    dialog = sell.pay_dialog
    assert dialog is not None and dialog.state == WORKING
    assert dialog.state_amount.text() == format_fen(item.price_fen)
    # the terminal's own prompt, for the cashier and on the customer's screen
    qtbot.waitUntil(lambda: dialog.state_prompt.text() == "Insert card", timeout=10_000)
    qtbot.waitUntil(lambda: display.pay_prompt.text() == "Insert card", timeout=5_000)
    assert display.state == PAY and display.pay_amount.text() == format_fen(item.price_fen)
    dialog.reject()  # Esc while the card is in the air: ignored
    assert dialog.isVisible() and dialog.state == WORKING

    qtbot.waitUntil(lambda: sell.receipt is not None, timeout=15_000)
    settle(qtbot)
    receipt = sell.receipt
    assert receipt is not None and sell.pay_dialog is None
    (card,) = [p for p in receipt.payments if p.kind == "card"]
    assert card.amount_fen == item.price_fen
    assert card.masked_pan == "621234******7890"  # masked by the terminal, kept masked
    assert card.auth_code and card.terminal_id == "52012345" and card.receipt_no
    text = sell.receipt_view.toPlainText()
    assert "621234******7890" in text and card.auth_code in text
    assert "52012345" in text and card.receipt_no in text
    assert "Auth code" in text
    assert display.state == THANKS
    assert "card" in till.message.text() and card.auth_code in till.message.text()
    assert sales_of(shop) == [(receipt.number, [("card", item.price_fen)])]
    assert all(status not in ("pending", "unknown") for _k, status, _a in attempts(shop))
    assert len(sim.transactions) == 1 and not sim.transactions[0].reversed


def test_card_declined_goes_back_to_the_tender_choice_with_the_reason(
    qtbot: QtBot, till: CashierWindow, shop: Shop, sim: ZvtSimulator
) -> None:
    sell = sell_page(till)
    display = till.customer_display
    assert display is not None
    item = demo_product(WATER)
    scan(qtbot, till, item.barcode)
    dialog = open_payment(qtbot, till)
    sim.push("decline")
    dialog.card_button.click()
    qtbot.waitUntil(lambda: dialog.state == TENDER and bool(dialog.message.text()), timeout=15_000)
    settle(qtbot)
    assert "declined" in dialog.message.text().lower()
    assert dialog.isVisible() and sell.pay_dialog is dialog
    assert display.state == CART  # the customer sees the goods again, nothing taken
    assert sales_of(shop) == []
    assert attempts(shop) == [("card", "declined", item.price_fen)]
    # then cash, in the same dialog
    qtbot.keyClick(dialog.field, Qt.Key.Key_Return)
    settle(qtbot)
    assert sell.receipt is not None
    assert sales_of(shop) == [(sell.receipt.number, [("cash", item.price_fen)])]


def test_split_tender_part_cash_part_card(
    qtbot: QtBot, till: CashierWindow, shop: Shop, sim: ZvtSimulator
) -> None:
    sell = sell_page(till)
    item = demo_product(WATER)
    for _ in range(3):
        scan(qtbot, till, item.barcode)
    total = 3 * item.price_fen
    dialog = open_payment(qtbot, till)
    dialog.field.set_fen(100)  # the customer has ¥1.00 in coins; the card pays the rest
    assert dialog.split() == (total - 100, 100)
    assert format_fen(total - 100) in dialog.card_button.text()
    dialog.card_button.click()
    qtbot.waitUntil(lambda: sell.receipt is not None, timeout=15_000)
    settle(qtbot)
    receipt = sell.receipt
    assert receipt is not None and receipt.change_fen == 0
    assert sales_of(shop) == [(receipt.number, [("card", total - 100), ("cash", 100)])]
    assert sim.transactions[-1].amount_fen == total - 100


def test_a_line_drop_leaves_the_payment_unknown_until_the_terminal_is_asked_again(
    qtbot: QtBot, till: CashierWindow, shop: Shop, sim: ZvtSimulator
) -> None:
    sell = sell_page(till)
    display = till.customer_display
    assert display is not None
    item = demo_product(WATER)
    scan(qtbot, till, item.barcode)
    dialog = open_payment(qtbot, till)
    sim.push("drop")  # the terminal approves, then the cable goes dead for a while
    dialog.card_button.click()
    qtbot.waitUntil(lambda: dialog.state == UNKNOWN, timeout=20_000)
    settle(qtbot)
    assert dialog.state_title.text() == "Payment unknown"
    assert "Do not hand over the goods" in dialog.state_prompt.text()
    assert dialog.resolve_button.isVisible() and not dialog.back_button.isVisible()
    assert display.state == PAY and display.pay_caption.text() == "Checking your payment"
    # nothing dismisses it by mistake: Esc, closing, a scan, F9 again
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    dialog.close()
    assert dialog.isVisible() and sell.pay_dialog is dialog and dialog.state == UNKNOWN
    scan(qtbot, till, item.barcode)
    assert names(sell) == [item.name] and sell.view.lines[0].qty == 1
    assert sales_of(shop) == []
    assert [(k, s) for k, s, _a in attempts(shop)] == [("card", "unknown")]

    # Ask again until the cable is back: the enquiry finds it approved with no sale, so the
    # core reverses it, and the screen says so.
    def ask_again() -> bool:
        if dialog.state == UNKNOWN and dialog.resolve_button.isEnabled():
            dialog.resolve_button.click()
        return dialog.state == RESOLVING

    qtbot.waitUntil(ask_again, timeout=30_000)
    settle(qtbot)
    assert dialog.state_title.text() == "Not charged: the customer paid nothing"
    assert "reversed" in dialog.state_detail.text()
    assert sim.transactions[0].reversed
    assert [(k, s) for k, s, _a in attempts(shop)] == [("card", "reversed")]
    assert display.state == CART

    # back to the tender choice: the card is taken again, once
    dialog.back_button.click()
    assert dialog.state == TENDER
    dialog.card_button.click()
    qtbot.waitUntil(lambda: sell.receipt is not None, timeout=15_000)
    settle(qtbot)
    assert sell.receipt is not None
    assert sales_of(shop) == [(sell.receipt.number, [("card", item.price_fen)])]
    # on the terminal: the first sale reversed, its reversal, the second sale standing
    assert [(t.kind, t.amount_fen, t.reversed) for t in sim.transactions] == [
        ("sale", item.price_fen, True),
        ("reversal", item.price_fen, False),
        ("sale", item.price_fen, False),
    ]


def test_a_wallet_code_is_never_goods_and_pays_only_in_the_payment(
    qtbot: QtBot, till: CashierWindow, shop: Shop
) -> None:
    sell = sell_page(till)
    devices = till.devices
    assert devices is not None
    wallet = FakeWallet()
    devices.wallet = wallet
    item = demo_product(WATER)
    # not paying: the code is refused plainly and never becomes a line
    scan(qtbot, till, WECHAT_CODE)
    assert sell.view.lines == ()
    assert "payment codes are taken at payment" in till.message.text()
    scan(qtbot, till, item.barcode)
    scan(qtbot, till, WECHAT_CODE)
    assert names(sell) == [item.name] and sell.view.lines[0].qty == 1
    assert wallet.calls == []
    # typed by hand into the search field: the same
    qtbot.keyClicks(sell.search, WECHAT_CODE)
    qtbot.keyClick(sell.search, Qt.Key.Key_Return)
    settle(qtbot)
    assert names(sell) == [item.name] and sell.view.lines[0].qty == 1

    # in the payment: the wallet pays
    dialog = open_payment(qtbot, till)
    scan(qtbot, till, WECHAT_CODE)
    qtbot.waitUntil(lambda: sell.receipt is not None, timeout=10_000)
    settle(qtbot)
    assert sell.receipt is not None
    assert sales_of(shop) == [(sell.receipt.number, [("wallet", item.price_fen)])]
    assert wallet.called("micropay")[0]["auth_code"] == WECHAT_CODE
    assert not dialog.isVisible()


def test_a_wallet_answer_lost_is_unknown_then_reversed(
    qtbot: QtBot, till: CashierWindow, shop: Shop
) -> None:
    sell = sell_page(till)
    devices = till.devices
    assert devices is not None
    # the answer is lost and the acquirer cannot tell at once; the reversal then goes through
    wallet = FakeWallet(["unknown"], reverse_script=["unknown", "approve"])
    devices.wallet = wallet
    scan(qtbot, till, demo_product(WATER).barcode)
    dialog = open_payment(qtbot, till)
    scan(qtbot, till, WECHAT_CODE)
    qtbot.waitUntil(lambda: dialog.state == UNKNOWN, timeout=10_000)
    settle(qtbot)
    assert sales_of(shop) == []
    dialog.resolve_button.click()
    qtbot.waitUntil(lambda: dialog.state == RESOLVING, timeout=10_000)
    settle(qtbot)
    assert "not charged" in dialog.state_title.text().lower()
    assert wallet.charged_fen == 0
    assert [(k, s) for k, s, _a in attempts(shop)] == [("wallet", "reversed")]
    assert sell.pay_dialog is dialog


def test_wallet_offline_is_refused_at_once_offering_cash_or_card(
    qtbot: QtBot, till: CashierWindow, shop: Shop
) -> None:
    from sync.client import HubClient
    from sync.wallet import HubWallet

    with socket.socket() as sock:  # a port nobody listens on: the hub is unreachable
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    devices = till.devices
    assert devices is not None
    devices.wallet = HubWallet(HubClient(f"http://127.0.0.1:{port}", "token"))
    sell = sell_page(till)
    scan(qtbot, till, demo_product(WATER).barcode)
    dialog = open_payment(qtbot, till)
    scan(qtbot, till, WECHAT_CODE)
    qtbot.waitUntil(lambda: dialog.state == TENDER and bool(dialog.message.text()), timeout=15_000)
    settle(qtbot)
    assert "take cash or card" in dialog.message.text()
    assert sales_of(shop) == [] and sell.pay_dialog is dialog
    assert [(k, s) for k, s, _a in attempts(shop)] == [("wallet", "declined")]


def test_no_wallet_port_says_wallet_needs_the_hub(
    qtbot: QtBot, till: CashierWindow, shop: Shop
) -> None:
    devices = till.devices
    assert devices is not None and devices.wallet is None  # this shop has no hub
    scan(qtbot, till, demo_product(WATER).barcode)
    dialog = open_payment(qtbot, till)
    scan(qtbot, till, WECHAT_CODE)
    assert "need the hub" in dialog.message.text()
    assert attempts(shop) == []


def test_a_card_sale_is_refunded_back_to_the_card_through_the_terminal(
    qtbot: QtBot, till: CashierWindow, shop: Shop, sim: ZvtSimulator
) -> None:
    from tests.ui.test_refund import confirm_yes, open_refund

    sell = sell_page(till)
    item = demo_product(WATER)
    scan(qtbot, till, item.barcode)
    press(qtbot, till, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: sell.receipt is not None, timeout=15_000)
    settle(qtbot)
    receipt = sell.receipt
    assert receipt is not None

    page = open_refund(qtbot, till)
    page.open_sale(receipt.number)
    settle(qtbot)
    assert page.sale is not None and page.sale.number == receipt.number
    page.reason_chips[0].click()
    page.refund_button.click()
    question = confirm_yes(qtbot, page)
    assert "card" in question
    qtbot.waitUntil(lambda: page.receipt is not None, timeout=15_000)
    settle(qtbot)
    assert page.receipt is not None and page.receipt.cash_fen == 0
    assert [(t.kind, t.amount_fen) for t in sim.transactions] == [
        ("sale", item.price_fen),
        ("refund", item.price_fen),
    ]
    after = page.sale
    assert after is not None and after.refunded_fen == item.price_fen
    assert [(k, s) for k, s, _a in attempts(shop)] == [("card", "used"), ("card", "used")]


def test_a_payment_left_unknown_by_a_crash_is_shown_and_settled_from_the_sell_screen(
    qtbot: QtBot, till: CashierWindow, shop: Shop, sim: ZvtSimulator
) -> None:
    from storebox import sales

    devices = till.devices
    assert devices is not None
    wallet = FakeWallet()
    devices.wallet = wallet
    # what a till killed mid-payment leaves: attempts written, no answer recorded
    card_ref = sales.begin_attempt(shop, "card", "sale", 990, {"cart_id": "lost"})
    wallet_ref = sales.begin_attempt(shop, "wallet", "sale", 1250, {"cart_id": "lost too"})
    sales.release_attempts([card_ref, wallet_ref])
    sell = sell_page(till)
    sell.activate()
    settle(qtbot)
    assert sell.unknown_banner.isVisible()
    assert format_fen(990) in sell.unknown_text.text()
    assert format_fen(1250) in sell.unknown_text.text()

    # The card: a new ZVT session cannot match the terminal's last transaction to a payment
    # it never heard of, so it stays unknown, said plainly, and the banner stays.
    sell.unknown_button.click()
    qtbot.waitUntil(lambda: "still unknown" in till.message.text(), timeout=20_000)
    settle(qtbot)
    assert sell.unknown_banner.isVisible()
    assert sorted((k, s) for k, s, _a in attempts(shop)) == [
        ("card", "unknown"),
        ("wallet", "pending"),
    ]
    assert sim.transactions == []  # nothing was charged or reversed on the terminal

    # The wallet: the acquirer has no such order, so it is closed as not taken.
    sell.settle_open_payments("wallet")
    qtbot.waitUntil(lambda: "not charged" in till.message.text(), timeout=10_000)
    settle(qtbot)
    assert sorted((k, s) for k, s, _a in attempts(shop)) == [
        ("card", "unknown"),
        ("wallet", "declined"),
    ]
    assert wallet.called("query")


def test_a_wallet_sale_is_refunded_back_to_the_wallet(
    qtbot: QtBot, till: CashierWindow, shop: Shop
) -> None:
    from tests.ui.test_refund import confirm_yes, open_refund

    devices = till.devices
    assert devices is not None
    wallet = FakeWallet()
    devices.wallet = wallet
    sell = sell_page(till)
    item = demo_product(WATER)
    scan(qtbot, till, item.barcode)
    open_payment(qtbot, till)
    scan(qtbot, till, WECHAT_CODE)
    qtbot.waitUntil(lambda: sell.receipt is not None, timeout=10_000)
    settle(qtbot)
    receipt = sell.receipt
    assert receipt is not None

    page = open_refund(qtbot, till)
    page.open_sale(receipt.number)
    settle(qtbot)
    page.reason_chips[0].click()
    page.refund_button.click()
    assert "wallet" in confirm_yes(qtbot, page)
    qtbot.waitUntil(lambda: page.receipt is not None, timeout=10_000)
    settle(qtbot)
    assert [args["amount_fen"] for args in wallet.called("refund")] == [item.price_fen]
    assert wallet.charged_fen == 0


def test_the_cashier_cancels_on_the_terminal(
    qtbot: QtBot, till: CashierWindow, shop: Shop, sim: ZvtSimulator
) -> None:
    sell = sell_page(till)
    scan(qtbot, till, demo_product(WATER).barcode)
    dialog = open_payment(qtbot, till)
    sim.status_delay = 0.5  # a slow customer: several prompts, time to cancel between them
    sim.push("slow")
    dialog.card_button.click()
    qtbot.waitUntil(lambda: dialog.state_prompt.text() == "Insert card", timeout=10_000)
    dialog.abort_button.click()
    qtbot.waitUntil(lambda: dialog.state == TENDER, timeout=15_000)
    settle(qtbot)
    assert dialog.message.text()  # the terminal's words for the abort
    assert sell.receipt is None and sales_of(shop) == []
    assert [(k, s) for k, s, _a in attempts(shop)] == [("card", "declined")]
