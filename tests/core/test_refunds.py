"""Refunds: never more than sold, money back to where it came from, stock back on the shelf."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from storebox import integrity, outbox, refunds, sales, shifts
from storebox.catalog import ProductInfo
from storebox.db.models import (
    DayClose,
    JournalEntry,
    OutboxEvent,
    Payment,
    PaymentAttempt,
    RefundPayment,
    SaleLine,
    StockMove,
)
from storebox.errors import (
    InvalidInput,
    NotFound,
    PaymentDeclined,
    PaymentUnknown,
    PermissionDenied,
    RuleViolation,
)
from storebox.sales import Card, Cart, Cash, SaleReceipt, Wallet
from storebox.shop import Shop
from tests.core.factories import (
    Till,
    changed_tables,
    make_people,
    make_product,
    open_till,
    product_state,
    row_counts,
)
from tests.fakes import FakeTerminal, FakeWallet

CODE = "284567890123456789"


@pytest.fixture
def till(shop: Shop) -> Till:
    return open_till(shop)


@pytest.fixture
def cola(shop: Shop) -> ProductInfo:
    return make_product(shop, "可口可乐 330ml", 350, barcode="6901234567892", stock=10)


@pytest.fixture
def bread(shop: Shop) -> ProductInfo:
    return make_product(shop, "面包", 600, barcode="6900000000014", stock=5)


def _sell(
    shop: Shop,
    till: Till,
    items: list[tuple[ProductInfo, int]],
    tenders: list[sales.Tender],
    **ports: Any,
) -> SaleReceipt:
    cart = Cart()
    for product, qty in items:
        sales.add_product(cart, product, qty)
    return sales.checkout(shop, till.cashier, cart, tenders, **ports)


def test_refund_everything_of_a_cash_sale(
    shop: Shop, till: Till, cola: ProductInfo, bread: ProductInfo
) -> None:
    sale = _sell(shop, till, [(cola, 2), (bread, 1)], [Cash(2000)])
    assert product_state(shop, cola.id) == (8, 2)
    before = row_counts(shop)

    receipt = refunds.refund(shop, till.cashier, sale.number, None, "变质 / spoiled")

    assert receipt.number == "R1125-01-0001"
    assert receipt.total_fen == receipt.cash_fen == 1300
    assert [(line.name, line.qty, line.amount_fen) for line in receipt.lines] == [
        ("可口可乐 330ml", 2, 700),
        ("面包", 1, 600),
    ]
    assert [(p.kind, p.amount_fen) for p in receipt.payments] == [("cash", 1300)]
    assert changed_tables(before, row_counts(shop)) == {
        "refunds": 1,
        "refund_lines": 2,
        "refund_payments": 1,
        "stock_moves": 2,
        "counters": 1,
        "journal": 1,
        "outbox": 1,
    }
    assert product_state(shop, cola.id) == (10, 0)
    assert product_state(shop, bread.id) == (5, 0)
    view = sales.find_sale(shop, sale.number)
    assert [(line.refunded_qty, line.refundable_qty) for line in view.lines] == [(2, 0), (1, 0)]
    assert view.refunded_fen == 1300
    assert view.fully_refunded
    assert view.refund_numbers == ("R1125-01-0001",)
    with shop.store.read() as session:
        moves = session.scalars(select(StockMove).where(StockMove.reason == "refund")).all()
        assert sorted(m.qty_delta for m in moves) == [1, 2]
        assert {m.ref_id for m in moves} == {receipt.refund_id}
        entry = session.scalars(
            select(JournalEntry).where(JournalEntry.kind == "refund.completed")
        ).one()
        event = session.scalars(select(OutboxEvent).where(OutboxEvent.event_id == entry.id)).one()
        payload = json.loads(event.payload_json)
        assert payload["number"] == "R1125-01-0001"
        assert payload["sale_number"] == sale.number
        assert payload["total_fen"] == 1300
        assert len(payload["lines"]) == 2
    assert integrity.check(shop).ok

    with pytest.raises(RuleViolation, match="already fully refunded"):
        refunds.refund(shop, till.cashier, sale.number, None, "again")


def test_partial_refunds_until_nothing_is_left(shop: Shop, till: Till, cola: ProductInfo) -> None:
    sale = _sell(shop, till, [(cola, 3)], [Cash(1050)])
    line_id = sale.lines[0].id

    first = refunds.refund(shop, till.cashier, sale.sale_id, {line_id: 1}, "坏了一瓶")
    assert (first.number, first.total_fen) == ("R1125-01-0001", 350)
    assert sales.find_sale(shop, sale.number).lines[0].refundable_qty == 2
    assert product_state(shop, cola.id) == (8, 2)

    second = refunds.refund(shop, till.cashier, sale.number, {line_id: 2}, "都不要了")
    assert (second.number, second.total_fen) == ("R1125-01-0002", 700)
    assert product_state(shop, cola.id) == (10, 0)

    before = row_counts(shop)
    with pytest.raises(RuleViolation, match="already refunded"):
        refunds.refund(shop, till.cashier, sale.number, {line_id: 1}, "第三次")
    assert row_counts(shop) == before
    assert integrity.check(shop).ok


def test_refund_above_what_was_sold_is_refused(shop: Shop, till: Till, cola: ProductInfo) -> None:
    sale = _sell(shop, till, [(cola, 2)], [Cash(700)])
    line_id = sale.lines[0].id
    refunds.refund(shop, till.cashier, sale.number, {line_id: 1}, "坏了")
    before = row_counts(shop)
    with pytest.raises(RuleViolation, match="only 1 of 2 can still be refunded"):
        refunds.refund(shop, till.cashier, sale.number, {line_id: 2}, "都退")
    with pytest.raises(RuleViolation, match="only 1 of 2"):
        refunds.refund(shop, till.cashier, sale.number, {line_id: 3}, "都退")
    assert row_counts(shop) == before
    assert product_state(shop, cola.id) == (9, 1)


def test_the_check_constraint_is_the_last_guard(shop: Shop, till: Till, cola: ProductInfo) -> None:
    _sell(shop, till, [(cola, 2)], [Cash(700)])
    with pytest.raises(IntegrityError), shop.store.write() as session:
        session.execute(text("UPDATE sale_lines SET refunded_qty = qty + 1"))
    with pytest.raises(IntegrityError), shop.store.write() as session:
        session.execute(text("UPDATE payments SET refunded_fen = amount_fen + 1"))


@pytest.mark.parametrize(
    ("lines", "error"),
    [
        ({}, InvalidInput),
        ({"LINE": 0}, InvalidInput),
        ({"LINE": -1}, InvalidInput),
        ({"LINE": "1"}, InvalidInput),
        ({"no-such-line": 1}, NotFound),
        ([("LINE", 1)], InvalidInput),
    ],
)
def test_bad_refund_requests_change_nothing(
    shop: Shop, till: Till, cola: ProductInfo, lines: Any, error: type[Exception]
) -> None:
    sale = _sell(shop, till, [(cola, 2)], [Cash(700)])
    if isinstance(lines, dict):
        lines = {(sale.lines[0].id if k == "LINE" else k): v for k, v in lines.items()}
    before = row_counts(shop)
    with pytest.raises(error):
        refunds.refund(shop, till.cashier, sale.number, lines, "坏了")
    assert row_counts(shop) == before


def test_refund_needs_a_reason_a_known_sale_and_an_open_shift(
    shop: Shop, till: Till, cola: ProductInfo
) -> None:
    sale = _sell(shop, till, [(cola, 1)], [Cash(350)])
    before = row_counts(shop)
    with pytest.raises(InvalidInput, match="reason"):
        refunds.refund(shop, till.cashier, sale.number, None, "  ")
    with pytest.raises(NotFound, match="1125-01-0099"):
        refunds.refund(shop, till.cashier, "1125-01-0099", None, "坏了")
    assert row_counts(shop) == before


def test_refund_without_an_open_shift_is_refused(shop: Shop, cola: ProductInfo) -> None:
    people = make_people(shop)
    shift = shifts.open_shift(shop, people.cashier, 0)
    cart = Cart()
    sales.add_product(cart, cola)
    sale = sales.checkout(shop, people.cashier, cart, [Cash(350)])
    with shop.store.write() as session:  # close the shift behind the till's back
        session.execute(
            text("UPDATE shifts SET status = 'closed' WHERE id = :id"), {"id": shift.id}
        )
    before = row_counts(shop)
    with pytest.raises(RuleViolation, match="open a shift"):
        refunds.refund(shop, people.cashier, sale.number, None, "坏了")
    assert row_counts(shop) == before


def test_refund_above_the_limit_needs_the_owner(shop: Shop, till: Till) -> None:
    wine = make_product(shop, "茅台", 150_000, barcode="6900000000052", stock=3)
    assert shop.settings.refund_limit_fen == 10_000
    sale = _sell(shop, till, [(wine, 2)], [Cash(300_000)])
    line_id = sale.lines[0].id
    before = row_counts(shop)
    with pytest.raises(PermissionDenied, match="owner"):
        refunds.refund(shop, till.cashier, sale.number, {line_id: 1}, "假酒")
    with pytest.raises(PermissionDenied, match="owner"):
        refunds.refund(shop, till.cashier, sale.number, {line_id: 1}, "假酒", approver=till.cashier)
    assert row_counts(shop) == before

    approved = refunds.refund(
        shop, till.cashier, sale.number, {line_id: 1}, "假酒", approver=till.owner
    )
    assert approved.approved_by == till.owner.user_id
    by_owner = refunds.refund(shop, till.owner, sale.number, {line_id: 1}, "假酒")
    assert by_owner.approved_by is None
    assert by_owner.user_id == till.owner.user_id


def test_small_refunds_need_no_owner(shop: Shop, till: Till, cola: ProductInfo) -> None:
    sale = _sell(shop, till, [(cola, 1)], [Cash(350)])
    receipt = refunds.refund(shop, till.cashier, sale.number, None, "坏了")
    assert (receipt.total_fen, receipt.approved_by) == (350, None)


def test_the_amount_is_what_was_paid_not_todays_price(
    shop: Shop, till: Till, cola: ProductInfo
) -> None:
    cart = Cart()
    sales.add_product(cart, cola, 2)
    sales.override_price(cart, 0, 300, "临期", till.owner)
    sale = sales.checkout(shop, till.cashier, cart, [Cash(600)])
    receipt = refunds.refund(shop, till.cashier, sale.number, None, "坏了")
    assert receipt.total_fen == 600


def test_free_items_have_no_money_to_refund(shop: Shop, till: Till, cola: ProductInfo) -> None:
    cart = Cart()
    sales.add_product(cart, cola)
    sales.override_price(cart, 0, 0, "赠品", till.owner)
    sale = sales.checkout(shop, till.cashier, cart, [])
    with pytest.raises(RuleViolation, match="free"):
        refunds.refund(shop, till.cashier, sale.number, None, "不要")


# --- back to the card, the wallet, the drawer ----------------------------------------------


def test_card_refund_goes_through_the_terminal(shop: Shop, till: Till, cola: ProductInfo) -> None:
    terminal = FakeTerminal()
    sale = _sell(shop, till, [(cola, 2)], [Card(700)], terminal=terminal)
    assert terminal.charged_fen == 700

    receipt = refunds.refund(
        shop, till.cashier, sale.number, {sale.lines[0].id: 1}, "坏了", terminal=terminal
    )

    assert [(p.kind, p.amount_fen, p.masked_pan) for p in receipt.payments] == [
        ("card", 350, "622588******1234")
    ]
    assert receipt.cash_fen == 0
    refund_call = terminal.called("refund")
    assert refund_call == [{"amount_fen": 350, "reference": receipt.payments[0].reference}]
    assert terminal.charged_fen == 350
    with shop.store.read() as session:
        attempt = session.scalars(
            select(PaymentAttempt).where(PaymentAttempt.operation == "refund")
        ).one()
        assert (attempt.kind, attempt.status, attempt.amount_fen) == ("card", "used", 350)
        assert session.scalars(select(RefundPayment.reference)).one() == attempt.reference
        assert session.scalars(select(Payment.refunded_fen)).one() == 350
    assert integrity.check(shop).ok


def test_card_refund_needs_the_terminal(shop: Shop, till: Till, cola: ProductInfo) -> None:
    sale = _sell(shop, till, [(cola, 2)], [Card(700)], terminal=FakeTerminal())
    before = row_counts(shop)
    with pytest.raises(InvalidInput, match="terminal"):
        refunds.refund(shop, till.cashier, sale.number, None, "坏了")
    assert row_counts(shop) == before


def test_wallet_refund_sends_the_original_payment(
    shop: Shop, till: Till, cola: ProductInfo
) -> None:
    wallet = FakeWallet()
    sale = _sell(shop, till, [(cola, 2)], [Wallet(CODE, 700)], wallet=wallet)
    receipt = refunds.refund(shop, till.cashier, sale.number, None, "坏了", wallet=wallet)
    call = wallet.called("refund")[0]
    original = call["original"]
    assert (original.reference, original.amount_fen) == (sale.payments[0].reference, 700)
    assert original.auth_code == sale.payments[0].auth_code
    assert call["amount_fen"] == 700
    assert [(p.kind, p.amount_fen) for p in receipt.payments] == [("wallet", 700)]
    assert wallet.charged_fen == 0


def test_split_refund_goes_back_to_the_card_first_then_cash(
    shop: Shop, till: Till, cola: ProductInfo, bread: ProductInfo
) -> None:
    terminal = FakeTerminal()
    # 2 × 3.50 + 1 × 6.00 = 13.00: card 6.00, cash 7.00 (tendered 10.00)
    sale = _sell(shop, till, [(cola, 2), (bread, 1)], [Card(600), Cash(1000)], terminal=terminal)
    cola_line, bread_line = (line.id for line in sale.lines)

    first = refunds.refund(
        shop, till.cashier, sale.number, {cola_line: 2}, "坏了", terminal=terminal
    )
    assert [(p.kind, p.amount_fen) for p in first.payments] == [("card", 600), ("cash", 100)]
    assert first.cash_fen == 100
    assert terminal.called("refund")[0]["amount_fen"] == 600

    # The card is used up: the rest comes from the drawer, and the terminal is not called.
    second = refunds.refund(shop, till.cashier, sale.number, {bread_line: 1}, "坏了")
    assert [(p.kind, p.amount_fen) for p in second.payments] == [("cash", 600)]
    assert len(terminal.called("refund")) == 1
    view = sales.find_sale(shop, sale.number)
    assert [(p.kind, p.amount_fen, p.refunded_fen) for p in view.payments] == [
        ("card", 600, 600),
        ("cash", 700, 700),
    ]
    assert product_state(shop, cola.id) == (10, 0)
    assert product_state(shop, bread.id) == (5, 0)
    assert terminal.charged_fen == 0
    assert integrity.check(shop).ok


def test_declined_card_refund_records_nothing_but_the_attempt(
    shop: Shop, till: Till, cola: ProductInfo
) -> None:
    terminal = FakeTerminal(["approve", "decline"])
    sale = _sell(shop, till, [(cola, 2)], [Card(700)], terminal=terminal)
    before = row_counts(shop)
    with pytest.raises(PaymentDeclined, match="nothing was refunded"):
        refunds.refund(shop, till.cashier, sale.number, None, "坏了", terminal=terminal)
    assert changed_tables(before, row_counts(shop)) == {"payment_attempts": 1}
    assert product_state(shop, cola.id) == (8, 2)
    assert sales.find_sale(shop, sale.number).lines[0].refunded_qty == 0


def test_card_refund_unknown_then_approved_on_enquiry(
    shop: Shop, till: Till, cola: ProductInfo
) -> None:
    terminal = FakeTerminal(["approve", "unknown-then-approved"])
    sale = _sell(shop, till, [(cola, 2)], [Card(700)], terminal=terminal)
    receipt = refunds.refund(shop, till.cashier, sale.number, None, "坏了", terminal=terminal)
    assert receipt.total_fen == 700
    assert [name for name, _ in terminal.calls] == ["authorize", "refund", "enquire"]
    assert terminal.charged_fen == 0


def test_card_refund_unknown_forever_records_nothing(
    shop: Shop, till: Till, cola: ProductInfo
) -> None:
    terminal = FakeTerminal(["approve", "unknown"])
    sale = _sell(shop, till, [(cola, 2)], [Card(700)], terminal=terminal)
    before = row_counts(shop)
    with pytest.raises(PaymentUnknown, match="not recorded"):
        refunds.refund(shop, till.cashier, sale.number, None, "坏了", terminal=terminal)
    assert changed_tables(before, row_counts(shop)) == {"payment_attempts": 1}
    assert terminal.called("reverse") == []  # a refund is never "reversed"
    assert [(a.operation, a.status) for a in sales.unsettled_attempts(shop)] == [
        ("refund", "unknown")
    ]


def test_a_card_refund_that_cannot_be_recorded_is_left_for_the_owner(
    shop: Shop, till: Till, cola: ProductInfo, monkeypatch: pytest.MonkeyPatch
) -> None:
    terminal = FakeTerminal()
    sale = _sell(shop, till, [(cola, 2)], [Card(700)], terminal=terminal)
    before = row_counts(shop)

    def broken(*args: object, **kwargs: object) -> str:
        raise RuntimeError("bug in the outbox")

    monkeypatch.setattr(outbox, "record", broken)
    with pytest.raises(refunds.RefundNotRecorded, match=r"card ¥7\.00 already went back"):
        refunds.refund(shop, till.cashier, sale.number, None, "坏了", terminal=terminal)
    monkeypatch.undo()
    assert changed_tables(before, row_counts(shop)) == {"payment_attempts": 1}
    unsettled = sales.unsettled_attempts(shop)
    assert [(a.operation, a.status, a.amount_fen) for a in unsettled] == [
        ("refund", "approved", 700)
    ]
    assert unsettled[0].context["sale_number"] == sale.number
    # It is not an open attempt: nothing enquires or reverses it later.
    assert sales.resolve_open_attempts(shop, terminal) == []


def test_a_failure_in_the_refund_transaction_changes_nothing(
    shop: Shop, till: Till, cola: ProductInfo, monkeypatch: pytest.MonkeyPatch
) -> None:
    sale = _sell(shop, till, [(cola, 2)], [Cash(700)])
    before = row_counts(shop)

    def broken(*args: object, **kwargs: object) -> str:
        raise RuntimeError("bug in the outbox")

    monkeypatch.setattr(outbox, "record", broken)
    with pytest.raises(RuntimeError):
        refunds.refund(shop, till.cashier, sale.number, None, "坏了")
    monkeypatch.undo()
    assert row_counts(shop) == before
    assert product_state(shop, cola.id) == (8, 2)
    with shop.store.read() as session:
        assert session.scalars(select(SaleLine.refunded_qty)).all() == [0]
    # Once the fault is gone the refund goes through, with the first refund number.
    assert refunds.refund(shop, till.cashier, sale.number, None, "坏了").number == "R1125-01-0001"


def test_an_unknown_refund_does_not_stop_card_sales(
    shop: Shop, till: Till, cola: ProductInfo
) -> None:
    terminal = FakeTerminal(["approve", "unknown"])
    sale = _sell(shop, till, [(cola, 2)], [Card(700)], terminal=terminal)
    with pytest.raises(PaymentUnknown):
        refunds.refund(shop, till.cashier, sale.number, None, "坏了", terminal=terminal)
    again = _sell(shop, till, [(cola, 1)], [Card(350)], terminal=terminal)
    assert again.payments[0].kind == "card"
    # The unknown refund is asked about again, stays unknown, and is never reversed.
    assert terminal.called("enquire") and terminal.called("reverse") == []
    assert [(a.operation, a.status) for a in sales.unsettled_attempts(shop)] == [
        ("refund", "unknown")
    ]


def test_no_card_refund_while_a_card_payment_waits_to_be_reversed(
    shop: Shop, till: Till, cola: ProductInfo
) -> None:
    terminal = FakeTerminal(["approve", "unknown"], reverse_script=["unknown", "unknown"])
    sale = _sell(shop, till, [(cola, 2)], [Card(700)], terminal=terminal)
    with pytest.raises(PaymentUnknown, match="do not hand over"):
        _sell(shop, till, [(cola, 1)], [Card(350)], terminal=terminal)
    before = row_counts(shop)
    with pytest.raises(PaymentUnknown, match="still unresolved"):
        refunds.refund(shop, till.cashier, sale.number, None, "坏了", terminal=terminal)
    assert terminal.called("refund") == []
    assert changed_tables(before, row_counts(shop)) == {}
    # A cash-only refund does not touch the terminal and still works.
    cash_sale = _sell(shop, till, [(cola, 1)], [Cash(350)])
    assert refunds.refund(shop, till.cashier, cash_sale.number, None, "坏了").cash_fen == 350


def test_no_refund_is_booked_on_a_closed_day(shop: Shop, till: Till, cola: ProductInfo) -> None:
    sale = _sell(shop, till, [(cola, 1)], [Cash(350)])
    with shop.store.write() as session:
        session.add(
            DayClose(
                device_id=shop.device_id,
                business_day=sale.business_day,
                closed_at=shop.now(),
                closed_by=till.owner.user_id,
                report_json="{}",
            )
        )
    before = row_counts(shop)
    with pytest.raises(RuleViolation, match="already closed"):
        refunds.refund(shop, till.cashier, sale.number, None, "坏了")
    assert row_counts(shop) == before


def test_an_interrupt_after_the_refund_committed_keeps_it_recorded(
    shop: Shop, till: Till, cola: ProductInfo, monkeypatch: pytest.MonkeyPatch
) -> None:
    terminal = FakeTerminal()
    sale = _sell(shop, till, [(cola, 2)], [Card(700)], terminal=terminal)
    real = refunds._record

    def commit_then_interrupt(*args: Any, **kwargs: Any) -> refunds.RefundReceipt:
        real(*args, **kwargs)
        raise KeyboardInterrupt

    monkeypatch.setattr(refunds, "_record", commit_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        refunds.refund(shop, till.cashier, sale.number, None, "坏了", terminal=terminal)
    assert sales.unsettled_attempts(shop) == []
    assert sales.find_sale(shop, sale.number).fully_refunded
    assert integrity.check(shop).ok
