"""Shifts (交班): float, cash in/out, expected cash, closing with a count, who may do what."""

from __future__ import annotations

import datetime as dt
import json
import socket
from typing import Any

import pytest
from sqlalchemy import select

from storebox import refunds, sales, shifts
from storebox.clock import FixedClock
from storebox.db.models import Base, JournalEntry, OutboxEvent, SaleLine, Shift
from storebox.errors import InvalidInput, NotFound, PermissionDenied, RuleViolation
from storebox.ids import new_id
from storebox.shop import Shop
from storebox.users import Actor, create_user
from tests.core.factories import make_product
from tests.fakes import FakeTerminal, FakeWallet

# --- helpers shared with test_reports ----------------------------------------------------------
#
# Sales, refunds and voids go through the real use cases (storebox.sales, storebox.refunds), so
# the shifts and reports are proved on the rows the till really writes.

WALLET_CODE = "134567890123456789"


def make_owner(shop: Shop) -> Actor:
    return create_user(shop, name="老板", role="owner", pin="2468", by=None)


def make_cashier(shop: Shop, owner: Actor, name: str = "小王") -> Actor:
    return create_user(shop, name=name, role="cashier", pin="1357", by=owner)


def sell(
    shop: Shop,
    actor: Actor,
    *tenders: tuple[str, int] | tuple[str, int, int],
    items: tuple[int, ...] | None = None,
) -> str:
    """A sale through `sales.checkout`, paid by (kind, amount_fen[, cash tendered_fen]).

    `items` are the unit prices of the goods (one of each); by default one item of the total.
    """
    total = sum(t[1] for t in tenders)
    prices = items if items is not None else (total,)
    assert sum(prices) == total, "the items must add up to the tenders"
    cart = sales.Cart()
    for price in prices:
        sales.add_product(cart, make_product(shop, f"商品{price}", price))
    paid: list[sales.Tender] = []
    for tender in tenders:
        kind, amount = tender[0], tender[1]
        if kind == "cash":
            paid.append(sales.Cash(tender[2] if len(tender) == 3 else amount))
        elif kind == "card":
            paid.append(sales.Card(amount))
        else:
            paid.append(sales.Wallet(WALLET_CODE, amount))
    receipt = sales.checkout(shop, actor, cart, paid, terminal=FakeTerminal(), wallet=FakeWallet())
    assert sorted((p.kind, p.amount_fen) for p in receipt.payments) == sorted(
        (t[0], t[1]) for t in tenders
    )
    return receipt.sale_id


def refund(shop: Shop, actor: Actor, sale_id: str, kind: str, amount_fen: int) -> str:
    """Refund, through `refunds.refund`, one unit of the line of `sale_id` priced `amount_fen`;
    the money must go back to `kind` (refunds pay non-cash tenders first, then cash)."""
    with shop.store.read() as session:
        line_id = session.scalars(
            select(SaleLine.id).where(
                SaleLine.sale_id == sale_id,
                SaleLine.unit_price_fen == amount_fen,
                SaleLine.refunded_qty < SaleLine.qty,
            )
        ).first()
    assert line_id is not None, f"no line priced {amount_fen} left to refund"
    receipt = refunds.refund(
        shop, actor, sale_id, {line_id: 1}, "顾客退货", terminal=FakeTerminal(), wallet=FakeWallet()
    )
    assert [(p.kind, p.amount_fen) for p in receipt.payments] == [(kind, amount_fen)]
    return receipt.refund_id


def void(shop: Shop, actor: Actor, total_fen: int) -> str:
    """An abandoned cart through `sales.void_cart`: counted, no money moved."""
    cart = sales.Cart()
    sales.add_product(cart, make_product(shop, f"商品{total_fen}", total_fen))
    void_id = sales.void_cart(shop, actor, cart, "顾客不要了")
    assert void_id is not None
    return void_id


def snapshot(shop: Shop) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, to prove a refused operation changed nothing."""
    with shop.store.read() as session:
        return {
            table.name: sorted(
                (tuple(map(repr, r)) for r in session.execute(table.select()).all()),
            )
            for table in Base.metadata.sorted_tables
        }


def outbox_kinds(shop: Shop) -> list[str]:
    with shop.store.read() as session:
        return list(session.scalars(select(OutboxEvent.kind).order_by(OutboxEvent.seq)))


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture
def owner(shop: Shop) -> Actor:
    return make_owner(shop)


@pytest.fixture
def cashier(shop: Shop, owner: Actor) -> Actor:
    return make_cashier(shop, owner)


def expected_now(shop: Shop) -> int:
    with shop.store.read() as session:
        return shifts.expected_cash(session, shifts.require_open_shift(session, shop))


# --- opening -----------------------------------------------------------------------------------


def test_open_with_float_starts_the_drawer_at_the_float(shop: Shop, cashier: Actor) -> None:
    info = shifts.open_shift(shop, cashier, 20_000)
    assert (info.float_fen, info.status, info.user_id) == (20_000, "open", cashier.user_id)
    assert info.business_day == "2026-11-25"
    assert expected_now(shop) == 20_000
    assert outbox_kinds(shop) == ["shift.opened"]


def test_second_open_is_refused_and_changes_nothing(
    shop: Shop, cashier: Actor, owner: Actor
) -> None:
    shifts.open_shift(shop, cashier, 20_000)
    before = snapshot(shop)
    with pytest.raises(RuleViolation, match="already open"):
        shifts.open_shift(shop, owner, 5_000)
    assert snapshot(shop) == before


# --- cash in and out ---------------------------------------------------------------------------


def test_cash_in_and_out_with_a_reason_move_expected_cash(shop: Shop, cashier: Actor) -> None:
    shifts.open_shift(shop, cashier, 10_000)
    moved_in = shifts.cash_in(shop, cashier, 5_000, "  从保险柜补零钱  ")
    assert moved_in.reason == "从保险柜补零钱"
    assert moved_in.expected_cash_fen == 15_000
    moved_out = shifts.cash_out(shop, cashier, 12_000, "存入保险柜")
    assert moved_out.expected_cash_fen == 3_000
    assert expected_now(shop) == 3_000
    assert outbox_kinds(shop) == ["shift.opened", "cash.in", "cash.out"]
    with shop.store.read() as session:
        entry = session.scalars(select(JournalEntry).where(JournalEntry.kind == "cash.out")).one()
        payload = json.loads(entry.payload_json)
    assert payload["amount_fen"] == 12_000
    assert payload["reason"] == "存入保险柜"
    assert entry.ref_id == moved_out.id


@pytest.mark.parametrize("reason", ["", "   ", None, "x" * 201])
def test_cash_movement_needs_a_sensible_reason(shop: Shop, cashier: Actor, reason: object) -> None:
    shifts.open_shift(shop, cashier, 10_000)
    before = snapshot(shop)
    with pytest.raises(InvalidInput, match="reason"):
        shifts.cash_in(shop, cashier, 100, reason)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="reason"):
        shifts.cash_out(shop, cashier, 100, reason)  # type: ignore[arg-type]
    assert snapshot(shop) == before


@pytest.mark.parametrize("amount", [0, -100, 12.5, True, "100", 100_000_001])
def test_cash_movement_refuses_a_bad_amount(shop: Shop, cashier: Actor, amount: object) -> None:
    shifts.open_shift(shop, cashier, 10_000)
    before = snapshot(shop)
    with pytest.raises(InvalidInput):
        shifts.cash_in(shop, cashier, amount, "补零钱")  # type: ignore[arg-type]
    assert snapshot(shop) == before


def test_cash_out_above_what_the_drawer_should_hold_is_refused(shop: Shop, cashier: Actor) -> None:
    shifts.open_shift(shop, cashier, 10_000)
    sell(shop, cashier, ("cash", 2_000, 5_000))  # ¥50 handed over, ¥30 change: drawer +¥20
    sell(shop, cashier, ("card", 9_900))  # card money is not in the drawer
    assert expected_now(shop) == 12_000
    before = snapshot(shop)
    with pytest.raises(RuleViolation, match="¥120.00"):
        shifts.cash_out(shop, cashier, 12_001, "存入保险柜")
    assert snapshot(shop) == before
    shifts.cash_out(shop, cashier, 12_000, "全部存入保险柜")  # exactly all of it is fine
    assert expected_now(shop) == 0


def test_cash_movement_needs_an_open_shift(shop: Shop, cashier: Actor) -> None:
    before = snapshot(shop)
    with pytest.raises(RuleViolation, match="open a shift first"):
        shifts.cash_in(shop, cashier, 100, "补零钱")
    assert snapshot(shop) == before


def test_a_cashier_cannot_move_cash_in_another_cashiers_shift(
    shop: Shop, owner: Actor, cashier: Actor
) -> None:
    other = make_cashier(shop, owner, "小李")
    shifts.open_shift(shop, cashier, 10_000)
    before = snapshot(shop)
    with pytest.raises(PermissionDenied):
        shifts.cash_out(shop, other, 100, "借用")
    assert snapshot(shop) == before
    shifts.cash_out(shop, owner, 100, "店主取零钱")  # the owner may
    assert expected_now(shop) == 9_900


# --- expected cash -----------------------------------------------------------------------------


def test_expected_cash_is_float_plus_cash_sales_minus_cash_refunds_plus_in_minus_out(
    shop: Shop, cashier: Actor
) -> None:
    shifts.open_shift(shop, cashier, 20_000)
    cash_sale = sell(shop, cashier, ("cash", 3_550, 10_000), items=(3_000, 550))  # ¥64.50 change
    sell(shop, cashier, ("cash", 1_000), ("wallet", 2_000))  # split tender
    card_sale = sell(shop, cashier, ("card", 8_800), items=(8_000, 800))
    refund(shop, cashier, cash_sale, "cash", 550)
    refund(shop, cashier, card_sale, "card", 800)  # back to the card: drawer untouched
    void(shop, cashier, 4_200)  # no money moved
    shifts.cash_in(shop, cashier, 5_000, "补零钱")
    shifts.cash_out(shop, cashier, 2_000, "付送货费")
    assert expected_now(shop) == 20_000 + 3_550 + 1_000 - 550 + 5_000 - 2_000


# --- closing -----------------------------------------------------------------------------------


def test_close_with_a_short_drawer_keeps_a_negative_variance(
    shop: Shop, cashier: Actor, clock: FixedClock
) -> None:
    opened = shifts.open_shift(shop, cashier, 20_000)
    sell(shop, cashier, ("cash", 1_500, 2_000))
    clock.advance(hours=8)
    summary = shifts.close_shift(shop, cashier, 21_000, "  少了五元  ")
    assert summary.expected_cash_fen == 21_500
    assert summary.counted_fen == 21_000
    assert summary.variance_fen == -500
    assert summary.note == "少了五元"
    assert summary.status == "closed"
    assert summary.closed_by == cashier.user_id
    assert summary.closed_at == clock.now()
    with shop.store.read() as session:
        row = session.get_one(Shift, opened.id)
        assert (row.status, row.expected_fen, row.counted_fen, row.variance_fen) == (
            "closed",
            21_500,
            21_000,
            -500,
        )
        event = session.scalars(select(OutboxEvent).where(OutboxEvent.kind == "shift.closed")).one()
    payload = json.loads(event.payload_json)
    assert payload["ref_id"] == opened.id
    assert (payload["expected_fen"], payload["counted_fen"], payload["variance_fen"]) == (
        21_500,
        21_000,
        -500,
    )
    # The till is free again: a new shift may open.
    shifts.open_shift(shop, cashier, 21_000)


def test_an_over_drawer_has_a_positive_variance(shop: Shop, cashier: Actor) -> None:
    shifts.open_shift(shop, cashier, 10_000)
    assert shifts.close_shift(shop, cashier, 10_100).variance_fen == 100


def test_closing_twice_is_refused_as_already_closed(shop: Shop, cashier: Actor) -> None:
    opened = shifts.open_shift(shop, cashier, 10_000)
    shifts.close_shift(shop, cashier, 10_000, shift_id=opened.id)
    before = snapshot(shop)
    with pytest.raises(RuleViolation, match="already closed"):
        shifts.close_shift(shop, cashier, 9_000, shift_id=opened.id)
    with pytest.raises(RuleViolation, match="no open shift"):
        shifts.close_shift(shop, cashier, 9_000)
    assert snapshot(shop) == before


def test_a_cashier_closes_only_their_own_shift_the_owner_anyones(
    shop: Shop, owner: Actor, cashier: Actor
) -> None:
    other = make_cashier(shop, owner, "小李")
    opened = shifts.open_shift(shop, cashier, 10_000)
    before = snapshot(shop)
    with pytest.raises(PermissionDenied):
        shifts.close_shift(shop, other, 10_000)
    assert snapshot(shop) == before
    summary = shifts.close_shift(shop, owner, 10_000, shift_id=opened.id)
    assert (summary.user_id, summary.closed_by) == (cashier.user_id, owner.user_id)
    assert summary.closed_by_name == "老板"


@pytest.mark.parametrize(
    ("counted", "note"), [(-1, ""), (1.5, ""), (None, ""), (100, "x" * 201), (100, 5)]
)
def test_closing_with_bad_input_changes_nothing(
    shop: Shop, cashier: Actor, counted: object, note: object
) -> None:
    shifts.open_shift(shop, cashier, 10_000)
    before = snapshot(shop)
    with pytest.raises(InvalidInput):
        shifts.close_shift(shop, cashier, counted, note)  # type: ignore[arg-type]
    assert snapshot(shop) == before


def test_closing_an_unknown_shift_is_not_found(shop: Shop, cashier: Actor) -> None:
    with pytest.raises(NotFound):
        shifts.close_shift(shop, cashier, 0, shift_id=new_id())


def test_closing_works_with_no_network(
    shop: Shop, cashier: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    shifts.open_shift(shop, cashier, 10_000)
    sell(shop, cashier, ("cash", 1_000))

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("closing a shift tried to use the network")

    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    summary = shifts.close_shift(shop, cashier, 11_000)
    assert summary.variance_fen == 0


def test_shift_summary_reads_a_shift_at_any_time(
    shop: Shop, cashier: Actor, clock: FixedClock
) -> None:
    opened = shifts.open_shift(shop, cashier, 5_000)
    sale = sell(shop, cashier, ("cash", 1_200), ("card", 3_000), items=(3_200, 1_000))
    refund(shop, cashier, sale, "card", 1_000)  # non-cash tenders are refunded first
    void(shop, cashier, 700)
    shifts.cash_in(shop, cashier, 2_000, "补零钱")
    live = shifts.shift_summary(shop, opened.id)
    assert live.status == "open"
    t = live.tally
    assert (t.sales_count, t.sales_total_fen, t.refunds_count, t.refunds_total_fen) == (
        1,
        4_200,
        1,
        1_000,
    )
    assert dict(t.tender_sales_fen) == {"cash": 1_200, "card": 3_000, "wallet": 0}
    assert dict(t.tender_refunds_fen) == {"cash": 0, "card": 1_000, "wallet": 0}
    assert (t.voids_count, t.voids_total_fen, t.cash_in_fen, t.cash_out_fen) == (1, 700, 2_000, 0)
    assert live.expected_cash_fen == 5_000 + 1_200 + 2_000
    assert (live.counted_fen, live.variance_fen) == (None, None)
    clock.advance(hours=1)
    shifts.close_shift(shop, cashier, 8_000)
    closed = shifts.shift_summary(shop, opened.id)
    assert (closed.expected_cash_fen, closed.counted_fen, closed.variance_fen) == (
        8_200,
        8_000,
        -200,
    )
    assert closed.as_dict()["variance_fen"] == -200
    with pytest.raises(NotFound):
        shifts.shift_summary(shop, new_id())


def test_a_shift_belongs_to_the_business_day_it_opened_on(
    owner: Actor, shop: Shop, clock: FixedClock
) -> None:
    # 02:30 in Shanghai on the 26th is still the 25th's business day (cut-off 04:00).
    clock.advance(hours=16, minutes=30)
    assert clock.now().astimezone(shop.settings.zone).hour == 2
    info = shifts.open_shift(shop, owner, 0)
    assert info.business_day == dt.date(2026, 11, 25).isoformat()
