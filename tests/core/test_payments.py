"""Card and wallet payments: never charge twice, never charge for goods not given."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from typing import Any

import psutil
import pytest
from sqlalchemy import select

from storebox import integrity, outbox, sales
from storebox.catalog import ProductInfo
from storebox.db.models import DayClose, Payment, PaymentAttempt
from storebox.errors import (
    InvalidInput,
    PaymentDeclined,
    PaymentUnknown,
    RuleViolation,
    ShopError,
)
from storebox.ids import new_id
from storebox.ports import PaymentResult, PaymentStatus
from storebox.sales import Card, Cart, Cash, Wallet
from storebox.shop import Shop
from tests.core.factories import Till, changed_tables, make_product, open_till, row_counts
from tests.fakes import FakeTerminal, FakeWallet

CODE = "134567890123456789"  # an 18-digit WeChat-style payment code


@pytest.fixture
def till(shop: Shop) -> Till:
    return open_till(shop)


@pytest.fixture
def cola(shop: Shop) -> ProductInfo:
    return make_product(shop, "可口可乐 330ml", 500, barcode="6901234567892", stock=10)


def _cart(cola: ProductInfo, qty: int = 2) -> Cart:
    cart = Cart()
    sales.add_product(cart, cola, qty)
    return cart


def _attempts(shop: Shop) -> list[tuple[str, str, str, int]]:
    with shop.store.read() as session:
        rows = session.scalars(select(PaymentAttempt).order_by(PaymentAttempt.created_at)).all()
        return [(a.kind, a.operation, a.status, a.amount_fen) for a in rows]


def _only_attempts_changed(before: dict[str, int], after: dict[str, int], n: int = 1) -> None:
    assert changed_tables(before, after) == {"payment_attempts": n}


# --- approved, split --------------------------------------------------------------------------


def test_split_cash_and_card(shop: Shop, till: Till, cola: ProductInfo) -> None:
    terminal = FakeTerminal()
    prompts: list[str] = []
    receipt = sales.checkout(
        shop,
        till.cashier,
        _cart(cola),
        [Card(600), Cash(500)],
        terminal=terminal,
        on_status=prompts.append,
    )
    assert [(p.kind, p.amount_fen, p.tendered_fen, p.change_fen) for p in receipt.payments] == [
        ("card", 600, 600, 0),
        ("cash", 400, 500, 100),
    ]
    card = receipt.payments[0]
    assert card.masked_pan == "622588******1234"
    assert card.auth_code
    assert receipt.change_fen == 100
    assert terminal.called("authorize") == [{"amount_fen": 600, "reference": card.reference}]
    assert prompts == ["请插卡 / insert card"]
    assert terminal.charged_fen == 600
    assert _attempts(shop) == [("card", "sale", "used", 600)]
    assert integrity.check(shop).ok


def test_the_attempt_is_written_before_the_terminal_is_called(
    shop: Shop, till: Till, cola: ProductInfo
) -> None:
    seen: list[list[tuple[str, str, str, int]]] = []

    class Watching(FakeTerminal):
        def authorize(self, amount_fen, reference, on_status=None):  # type: ignore[no-untyped-def]
            seen.append(_attempts(shop))  # another connection: the row is committed
            return super().authorize(amount_fen, reference, on_status)

    sales.checkout(shop, till.cashier, _cart(cola), [Card(1000)], terminal=Watching())
    assert seen == [[("card", "sale", "pending", 1000)]]


def test_wallet_payment_never_stores_the_customer_code(
    shop: Shop, till: Till, cola: ProductInfo
) -> None:
    wallet = FakeWallet()
    receipt = sales.checkout(shop, till.cashier, _cart(cola), [Wallet(CODE, 1000)], wallet=wallet)
    assert [(p.kind, p.amount_fen) for p in receipt.payments] == [("wallet", 1000)]
    assert wallet.called("micropay")[0]["auth_code"] == CODE
    assert CODE not in repr(Wallet(CODE, 1000))
    con = sqlite3.connect(shop.settings.db_path)
    try:
        dump = "\n".join(con.iterdump())
    finally:
        con.close()
    assert CODE not in dump


def test_a_full_card_number_from_a_driver_is_masked_before_it_is_stored(
    shop: Shop, till: Till, cola: ProductInfo
) -> None:
    class Leaky(FakeTerminal):
        masked_pan = "6225881234567890"

    receipt = sales.checkout(shop, till.cashier, _cart(cola), [Card(1000)], terminal=Leaky())
    assert receipt.payments[0].masked_pan == "622588******7890"
    con = sqlite3.connect(shop.settings.db_path)
    try:
        dump = "\n".join(con.iterdump())
    finally:
        con.close()
    assert "6225881234567890" not in dump


@pytest.mark.parametrize("code", ["12345", "1345678901234567890123456", "13456789012345678x", ""])
def test_a_bad_wallet_code_is_refused_before_anything_is_sent(
    shop: Shop, till: Till, cola: ProductInfo, code: str
) -> None:
    wallet = FakeWallet()
    before = row_counts(shop)
    with pytest.raises(InvalidInput, match="payment code"):
        sales.checkout(shop, till.cashier, _cart(cola), [Wallet(code, 1000)], wallet=wallet)
    assert row_counts(shop) == before
    assert wallet.calls == []


def test_card_without_a_terminal_is_refused(shop: Shop, till: Till, cola: ProductInfo) -> None:
    before = row_counts(shop)
    with pytest.raises(InvalidInput, match="terminal"):
        sales.checkout(shop, till.cashier, _cart(cola), [Card(1000)])
    with pytest.raises(InvalidInput, match="wallet"):
        sales.checkout(shop, till.cashier, _cart(cola), [Wallet(CODE, 1000)])
    assert row_counts(shop) == before


# --- declined, unknown ---------------------------------------------------------------------------


def test_card_declined_leaves_nothing_but_the_attempt(
    shop: Shop, till: Till, cola: ProductInfo
) -> None:
    terminal = FakeTerminal(["decline"])
    cart = _cart(cola)
    before = row_counts(shop)
    with pytest.raises(PaymentDeclined, match="insufficient funds"):
        sales.checkout(shop, till.cashier, cart, [Card(1000)], terminal=terminal)
    _only_attempts_changed(before, row_counts(shop))
    assert _attempts(shop) == [("card", "sale", "declined", 1000)]
    assert terminal.charged_fen == 0
    assert cart.closed_as is None
    # The customer pays cash instead: same cart, first number.
    assert sales.checkout(shop, till.cashier, cart, [Cash(1000)]).number == "1125-01-0001"


def test_card_unknown_then_enquiry_approves(shop: Shop, till: Till, cola: ProductInfo) -> None:
    terminal = FakeTerminal(["unknown-then-approved"])
    receipt = sales.checkout(shop, till.cashier, _cart(cola), [Card(1000)], terminal=terminal)
    assert receipt.total_fen == 1000
    assert [name for name, _ in terminal.calls] == ["authorize", "enquire"]
    assert terminal.called("reverse") == []
    assert _attempts(shop) == [("card", "sale", "used", 1000)]
    assert terminal.charged_fen == 1000


def test_card_unknown_then_enquiry_declines(shop: Shop, till: Till, cola: ProductInfo) -> None:
    terminal = FakeTerminal(["unknown-then-declined"])
    before = row_counts(shop)
    with pytest.raises(PaymentDeclined, match="confirmed by enquiry"):
        sales.checkout(shop, till.cashier, _cart(cola), [Card(1000)], terminal=terminal)
    _only_attempts_changed(before, row_counts(shop))
    assert _attempts(shop) == [("card", "sale", "declined", 1000)]


@pytest.mark.parametrize("outcome", ["unknown", "crash"])
def test_unknown_is_reversed_and_nothing_is_sold(
    shop: Shop, till: Till, cola: ProductInfo, outcome: str
) -> None:
    terminal = FakeTerminal([outcome])
    before = row_counts(shop)
    with pytest.raises(PaymentUnknown, match="reversed: the customer is not charged"):
        sales.checkout(shop, till.cashier, _cart(cola), [Card(1000)], terminal=terminal)
    _only_attempts_changed(before, row_counts(shop))
    assert [name for name, _ in terminal.calls] == ["authorize", "enquire", "reverse"]
    assert _attempts(shop) == [("card", "sale", "reversed", 1000)]
    assert terminal.charged_fen == 0


def test_wallet_unknown_is_queried_then_reversed(shop: Shop, till: Till, cola: ProductInfo) -> None:
    wallet = FakeWallet(["unknown"])
    with pytest.raises(PaymentUnknown):
        sales.checkout(shop, till.cashier, _cart(cola), [Wallet(CODE, 1000)], wallet=wallet)
    assert [name for name, _ in wallet.calls] == ["micropay", "query", "reverse"]
    assert wallet.charged_fen == 0
    assert _attempts(shop) == [("wallet", "sale", "reversed", 1000)]


def test_a_failed_reversal_blocks_the_next_card_until_it_is_reversed(
    shop: Shop, till: Till, cola: ProductInfo
) -> None:
    terminal = FakeTerminal(["unknown"], reverse_script=["unknown", "unknown", "approve"])
    with pytest.raises(PaymentUnknown, match="do not hand over"):
        sales.checkout(shop, till.cashier, _cart(cola), [Card(1000)], terminal=terminal)
    assert _attempts(shop) == [("card", "sale", "unknown", 1000)]
    assert terminal.charged_fen == 0  # the fake's acquirer never settled it either way

    # Next customer: the old one is tried again first; the terminal still cannot reverse it.
    with pytest.raises(PaymentUnknown, match="still unresolved"):
        sales.checkout(shop, till.cashier, _cart(cola), [Card(1000)], terminal=terminal)
    assert len(terminal.called("authorize")) == 1  # no new charge while one is unresolved
    # Cash still sells meanwhile: the shop never stops selling.
    sales.checkout(shop, till.cashier, _cart(cola), [Cash(1000)])

    # Now the reversal goes through, and the card sale proceeds.
    receipt = sales.checkout(shop, till.cashier, _cart(cola), [Card(1000)], terminal=terminal)
    assert receipt.payments[0].kind == "card"
    statuses = [status for _, _, status, _ in _attempts(shop)]
    assert statuses == ["reversed", "used"]


def test_wallet_offline_is_refused_before_anything_is_sent(
    shop: Shop, till: Till, cola: ProductInfo
) -> None:
    wallet = FakeWallet(["offline"])
    before = row_counts(shop)
    with pytest.raises(ShopError, match="cannot be reached"):
        sales.checkout(shop, till.cashier, _cart(cola), [Wallet(CODE, 1000)], wallet=wallet)
    _only_attempts_changed(before, row_counts(shop))
    assert _attempts(shop) == [("wallet", "sale", "declined", 1000)]
    assert wallet.called("reverse") == []


# --- a split that fails half-way, a sale that fails after the money -------------------------------


def test_second_tender_fails_so_the_first_is_reversed(
    shop: Shop, till: Till, cola: ProductInfo
) -> None:
    terminal = FakeTerminal()
    wallet = FakeWallet(["decline"])
    before = row_counts(shop)
    with pytest.raises(PaymentDeclined, match=r"card ¥5\.00 were reversed"):
        sales.checkout(
            shop,
            till.cashier,
            _cart(cola),
            [Card(500), Wallet(CODE, 500)],
            terminal=terminal,
            wallet=wallet,
        )
    _only_attempts_changed(before, row_counts(shop), 2)
    assert _attempts(shop) == [
        ("card", "sale", "reversed", 500),
        ("wallet", "sale", "declined", 500),
    ]
    assert terminal.charged_fen == 0
    assert wallet.charged_fen == 0


def test_second_tender_fails_and_the_first_cannot_be_reversed(
    shop: Shop, till: Till, cola: ProductInfo
) -> None:
    terminal = FakeTerminal(reverse_script=["unknown"])
    wallet = FakeWallet(["decline"])
    with pytest.raises(PaymentUnknown, match="could not be reversed"):
        sales.checkout(
            shop,
            till.cashier,
            _cart(cola),
            [Card(500), Wallet(CODE, 500)],
            terminal=terminal,
            wallet=wallet,
        )
    assert _attempts(shop)[0] == ("card", "sale", "unknown", 500)
    # Settled before the next payment: enquiry says approved with no sale, so reverse.
    outcome = sales.resolve_open_attempts(shop, terminal, wallet)
    assert [(a.kind, a.status) for a in outcome] == [("card", "reversed")]
    assert terminal.charged_fen == 0


def test_a_failed_sale_transaction_reverses_the_card(
    shop: Shop, till: Till, cola: ProductInfo, monkeypatch: pytest.MonkeyPatch
) -> None:
    terminal = FakeTerminal()
    before = row_counts(shop)

    def broken(*args: object, **kwargs: object) -> str:
        raise RuntimeError("bug in the outbox")

    monkeypatch.setattr(outbox, "record", broken)
    with pytest.raises(RuntimeError):
        sales.checkout(shop, till.cashier, _cart(cola), [Card(600), Cash(400)], terminal=terminal)
    _only_attempts_changed(before, row_counts(shop))
    assert _attempts(shop) == [("card", "sale", "reversed", 600)]
    assert terminal.charged_fen == 0


# --- what a crash leaves behind ----------------------------------------------------------------


def _left_by_a_crash(shop: Shop, terminal: FakeTerminal, owner: dict[str, object]) -> str:
    """A pending attempt whose request reached the terminal, and a process that then died."""
    reference = new_id()
    with shop.store.write() as session:
        session.add(
            PaymentAttempt(
                id=new_id(),
                reference=reference,
                kind="card",
                operation="sale",
                amount_fen=800,
                status="pending",
                result_json=json.dumps({"owner": owner}),
                created_at=shop.now(),
            )
        )
    terminal.authorize(800, reference)
    terminal.calls.clear()
    return reference


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


@pytest.mark.parametrize("owner", ["none", "dead"])
def test_resolve_reverses_an_approved_payment_that_has_no_sale(
    shop: Shop, till: Till, owner: str
) -> None:
    terminal = FakeTerminal()
    stamp: dict[str, object] = {} if owner == "none" else {"pid": _dead_pid(), "started": 1.0}
    reference = _left_by_a_crash(shop, terminal, stamp)
    assert terminal.charged_fen == 800

    outcome = sales.resolve_open_attempts(shop, terminal)

    assert [(a.reference, a.status) for a in outcome] == [(reference, "reversed")]
    assert [name for name, _ in terminal.calls] == ["enquire", "reverse"]
    assert terminal.charged_fen == 0
    assert sales.unsettled_attempts(shop) == []
    assert sales.resolve_open_attempts(shop, terminal) == []  # nothing left to do


def test_checkout_settles_a_crashed_attempt_before_charging_again(
    shop: Shop, till: Till, cola: ProductInfo
) -> None:
    terminal = FakeTerminal()
    _left_by_a_crash(shop, terminal, {})
    sales.checkout(shop, till.cashier, _cart(cola), [Card(1000)], terminal=terminal)
    assert [name for name, _ in terminal.calls] == ["enquire", "reverse", "authorize"]
    assert terminal.charged_fen == 1000
    assert [status for _, _, status, _ in _attempts(shop)] == ["reversed", "used"]


def test_resolve_closes_a_crashed_attempt_that_never_went_through(shop: Shop, till: Till) -> None:
    terminal = FakeTerminal()
    reference = new_id()
    with shop.store.write() as session:
        session.add(
            PaymentAttempt(
                id=new_id(),
                reference=reference,
                kind="card",
                operation="sale",
                amount_fen=800,
                status="pending",
                result_json="{}",
                created_at=shop.now(),
            )
        )
    outcome = sales.resolve_open_attempts(shop, terminal)
    assert [a.status for a in outcome] == ["declined"]
    assert terminal.called("reverse") == []


def test_resolve_leaves_alone_an_attempt_a_live_process_is_waiting_on(
    shop: Shop, till: Till, cola: ProductInfo
) -> None:
    """The kiosk (another process) is mid-payment: the till must not reverse it."""
    terminal = FakeTerminal()
    other = psutil.Process(os.getppid())
    _left_by_a_crash(shop, terminal, {"pid": other.pid, "started": round(other.create_time(), 3)})

    assert sales.resolve_open_attempts(shop, terminal) == []
    assert terminal.calls == []
    # ...and it does not block this till's own card payments either.
    sales.checkout(shop, till.cashier, _cart(cola), [Card(1000)], terminal=terminal)
    assert [name for name, _ in terminal.calls] == ["authorize"]
    assert [status for _, _, status, _ in _attempts(shop)] == ["pending", "used"]


def test_resolve_marks_used_an_attempt_whose_sale_was_recorded(
    shop: Shop, till: Till, cola: ProductInfo
) -> None:
    terminal = FakeTerminal()
    receipt = sales.checkout(shop, till.cashier, _cart(cola), [Card(1000)], terminal=terminal)
    reference = receipt.payments[0].reference
    with shop.store.write() as session:  # as if the status update had been lost
        attempt = session.scalars(
            select(PaymentAttempt).where(PaymentAttempt.reference == reference)
        ).one()
        attempt.status = "unknown"
        attempt.result_json = "{}"
    terminal.calls.clear()
    outcome = sales.resolve_open_attempts(shop, terminal)
    assert [a.status for a in outcome] == ["used"]
    assert terminal.calls == []
    with shop.store.read() as session:
        assert session.scalars(select(Payment.reference)).all() == [reference]


def test_resolve_skips_attempts_whose_device_is_not_given(shop: Shop, till: Till) -> None:
    terminal = FakeTerminal()
    _left_by_a_crash(shop, terminal, {})
    assert sales.resolve_open_attempts(shop, None, FakeWallet()) == []
    assert [a.status for a in sales.unsettled_attempts(shop)] == ["pending"]


def test_an_approval_for_another_amount_is_treated_as_unknown_and_reversed(
    shop: Shop, till: Till, cola: ProductInfo
) -> None:
    class Confused(FakeTerminal):
        def authorize(self, amount_fen, reference, on_status=None):  # type: ignore[no-untyped-def]
            result = super().authorize(amount_fen, reference, on_status)
            return PaymentResult(result.status, amount_fen * 10, reference)

        def enquire(self, reference):  # type: ignore[no-untyped-def]
            self.calls.append(("enquire", {"reference": reference}))
            return PaymentResult(PaymentStatus.UNKNOWN, 0, reference)

    terminal = Confused()
    with pytest.raises(PaymentUnknown):
        sales.checkout(shop, till.cashier, _cart(cola), [Card(1000)], terminal=terminal)
    assert terminal.charged_fen == 0
    assert _attempts(shop) == [("card", "sale", "reversed", 1000)]


def test_an_interrupt_after_the_sale_committed_does_not_reverse_its_card(
    shop: Shop, till: Till, cola: ProductInfo, monkeypatch: pytest.MonkeyPatch
) -> None:
    terminal = FakeTerminal()
    real = sales._record_sale

    def commit_then_interrupt(*args: Any, **kwargs: Any) -> sales.SaleReceipt:
        real(*args, **kwargs)
        raise KeyboardInterrupt

    monkeypatch.setattr(sales, "_record_sale", commit_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        sales.checkout(shop, till.cashier, _cart(cola), [Card(1000)], terminal=terminal)
    assert terminal.called("reverse") == []
    assert terminal.charged_fen == 1000
    assert _attempts(shop) == [("card", "sale", "used", 1000)]
    assert integrity.check(shop).ok


def test_no_card_is_charged_for_a_sale_that_could_not_be_recorded(
    shop: Shop, till: Till, cola: ProductInfo
) -> None:
    with shop.store.write() as session:
        session.add(
            DayClose(
                device_id=shop.device_id,
                business_day=shop.business_day(),
                closed_at=shop.now(),
                closed_by=till.owner.user_id,
                report_json="{}",
            )
        )
    terminal = FakeTerminal()
    before = row_counts(shop)
    with pytest.raises(RuleViolation, match="already closed"):
        sales.checkout(shop, till.cashier, _cart(cola), [Card(1000)], terminal=terminal)
    assert terminal.calls == []
    assert row_counts(shop) == before
