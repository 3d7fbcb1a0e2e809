"""`billpay.check` (asked at 请核对, before the customer hands over any money) refuses exactly
what `pay` would refuse, in the same words, and writes nothing; and the refund of a failed bill
payment above `refund_limit_fen` needs the owner, as a sale's refund does, and journals who
handed it out."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from sqlalchemy import text

from storebox import billpay, integrity, shifts
from storebox.billpay_rules import BillerClosed
from storebox.clock import FixedClock
from storebox.errors import PermissionDenied, ShopError
from storebox.ports import BillInfo
from storebox.sales import Card, Cash
from storebox.shop import Shop
from tests.core.billpay_fixtures import CMB_CREDIT, install_billers
from tests.core.factories import Till, changed_tables, open_till, row_counts
from tests.fakes import FakeBillPay, FakeTerminal

PHONE = "13812345678"
SGCC = "0123456789"


@pytest.fixture
def till(shop: Shop) -> Till:
    install_billers(shop)
    return open_till(shop)


# (biller, account, amount, bill, online) as the page holds them at 请核对
Case = tuple[str, str, int, BillInfo | None, bool]


def _same_refusal(shop: Shop, till: Till, case: Case, port: FakeBillPay) -> ShopError:
    """`check` raises what `pay` raises (type and words), and neither writes anything."""
    biller, account, amount, bill, online = case
    pay_port = port if online else FakeBillPay(online=False)
    before = row_counts(shop)
    with pytest.raises(ShopError) as checked:
        billpay.check(shop, biller, account, amount, bill=bill, online=online)
    assert changed_tables(before, row_counts(shop)) == {}
    submitted = len(port.called("submit"))
    with pytest.raises(ShopError) as paid:
        billpay.pay(shop, till.cashier, biller, account, amount, Cash(amount), bill=bill,
                    port=pay_port)  # fmt: skip
    assert changed_tables(before, row_counts(shop)) == {}
    assert len(port.called("submit")) == submitted
    assert type(checked.value) is type(paid.value)
    assert checked.value.message == paid.value.message
    return checked.value


def _duplicate_bill(shop: Shop, till: Till, port: FakeBillPay) -> Case:
    bill = billpay.lookup(shop, port, "sgcc-bj", SGCC)
    billpay.pay(shop, till.cashier, "sgcc-bj", SGCC, 12_345, Cash(12_345), bill=bill, port=port)
    return ("sgcc-bj", SGCC, 12_345, bill, True)


def _bill_looked_up_again(shop: Shop, till: Till, port: FakeBillPay) -> Case:
    first = billpay.lookup(shop, port, "sgcc-bj", SGCC)
    billpay.pay(shop, till.cashier, "sgcc-bj", SGCC, 12_345, Cash(12_345), bill=first, port=port)
    return ("sgcc-bj", SGCC, 12_345, billpay.lookup(shop, port, "sgcc-bj", SGCC), True)


def _per_day_limit(shop: Shop, till: Till, port: FakeBillPay) -> Case:
    for _ in range(2):
        billpay.pay(shop, till.cashier, "cmcc", PHONE, 50_000, Cash(50_000), port=port)
    return ("cmcc", PHONE, 1_000, None, True)


def _offline_per_payment(shop: Shop, till: Till, port: FakeBillPay) -> Case:
    return ("cmcc", PHONE, 30_000, None, False)


def _offline_per_day(shop: Shop, till: Till, port: FakeBillPay) -> Case:
    offline = FakeBillPay(online=False)
    for phone in (PHONE, "13912345678"):
        billpay.pay(shop, till.cashier, "cmcc", phone, 20_000, Cash(20_000), port=offline)
    return ("cmcc", "13712345678", 20_000, None, False)


def _offline_lookup_biller(shop: Shop, till: Till, port: FakeBillPay) -> Case:
    return ("sgcc-bj", SGCC, 12_345, billpay.lookup(shop, port, "sgcc-bj", SGCC), False)


def _no_lookup(shop: Shop, till: Till, port: FakeBillPay) -> Case:
    return ("sgcc-bj", SGCC, 12_345, None, True)


def _bad_denomination(shop: Shop, till: Till, port: FakeBillPay) -> Case:
    return ("cmcc", PHONE, 4_000, None, True)


def _no_shift(shop: Shop, till: Till, port: FakeBillPay) -> Case:
    shifts.close_shift(shop, till.cashier, 20_000)
    return ("cmcc", PHONE, 5_000, None, True)


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (_duplicate_bill, "duplicate_bill"),
        (_bill_looked_up_again, "duplicate_bill"),
        (_per_day_limit, "per_day"),
        (_offline_per_payment, "per-payment limit"),
        (_offline_per_day, "per-day limit"),
        (_offline_lookup_biller, "no offline payment"),
        (_no_lookup, "look the bill up first"),
        (_bad_denomination, ""),
        (_no_shift, ""),
    ],
)
def test_check_refuses_exactly_what_pay_refuses(
    shop: Shop, till: Till, make: Callable[[Shop, Till, FakeBillPay], Case], words: str
) -> None:
    port = FakeBillPay()
    case = make(shop, till, port)
    error = _same_refusal(shop, till, case, port)
    assert words in error.message or words in getattr(error, "rule", "")


def test_check_outside_opening_hours(shop: Shop, till: Till, clock: FixedClock) -> None:
    port = FakeBillPay()
    bill = billpay.lookup(shop, port, "sgcc-bj", SGCC)
    clock.advance(hours=13, minutes=45)  # 23:45 in Shanghai
    error = _same_refusal(shop, till, ("sgcc-bj", SGCC, 12_345, bill, True), port)
    assert isinstance(error, BillerClosed)


def test_what_check_lets_through_pay_takes(shop: Shop, till: Till) -> None:
    port = FakeBillPay()
    bill = billpay.lookup(shop, port, "sgcc-bj", SGCC)
    before = row_counts(shop)
    billpay.check(shop, "sgcc-bj", SGCC, 12_345, bill=bill, online=True)
    billpay.check(shop, "cmcc", PHONE, 5_000, online=True)
    billpay.check(shop, "cmcc", PHONE, 5_000, online=False)  # within the offline limits
    billpay.check(shop, "cc-repay", CMB_CREDIT, 123_456, online=True)
    assert changed_tables(before, row_counts(shop)) == {}
    assert port.called("submit") == []
    view = billpay.pay(
        shop, till.cashier, "sgcc-bj", SGCC, 12_345, Cash(12_345), bill=bill, port=port
    )
    assert view.status == "pending"


def test_the_tender_is_left_to_pay(shop: Shop, till: Till) -> None:
    """`check` knows no tender: a short cash or a missing terminal is the payment dialog's."""
    billpay.check(shop, "cmcc", PHONE, 5_000, online=True)
    with pytest.raises(ShopError, match="short"):
        billpay.pay(shop, till.cashier, "cmcc", PHONE, 5_000, Cash(1_000), port=FakeBillPay())
    with pytest.raises(ShopError, match="terminal"):
        billpay.pay(shop, till.cashier, "cmcc", PHONE, 5_000, Card(5_000), port=FakeBillPay())


# --- refunds above the refund limit --------------------------------------------------------


def _failed(shop: Shop, till: Till, amount: int, *, card: FakeTerminal | None = None) -> str:
    port = FakeBillPay(submit_script=["failed"])
    tender = Card(amount) if card is not None else Cash(amount)
    view = billpay.pay(
        shop, till.cashier, "cc-repay", CMB_CREDIT, amount, tender, port=port, terminal=card
    )
    assert view.status == "failed"
    return view.number


def _handed_out(shop: Shop) -> list[dict[str, object]]:
    with shop.store.read() as session:
        rows = session.execute(
            text(
                "SELECT j.payload_json FROM journal j JOIN outbox o ON o.event_id = j.id "
                "WHERE j.kind = 'bill_payment.refund_handed_out' ORDER BY j.seq"
            )
        ).all()
    return [json.loads(r[0]) for r in rows]


def test_a_refund_above_the_limit_needs_the_owner(shop: Shop, till: Till) -> None:
    limit = shop.settings.refund_limit_fen
    number = _failed(shop, till, limit + 100)
    before = row_counts(shop)
    with pytest.raises(PermissionDenied, match="owner"):
        billpay.refund(shop, till.cashier, number)
    with pytest.raises(PermissionDenied, match="approver must be the owner"):
        billpay.refund(shop, till.cashier, number, approver=till.cashier)
    assert changed_tables(before, row_counts(shop)) == {}
    assert [t.status for t in billpay.refund_tasks(shop)] == ["open"]  # still owed
    assert billpay.owner_needed(shop, till.cashier, limit + 100)
    assert not billpay.owner_needed(shop, till.owner, limit + 100)
    assert not billpay.owner_needed(shop, till.cashier, limit)
    done = billpay.refund(shop, till.cashier, number, approver=till.owner)
    assert done.status == "done"
    [entry] = _handed_out(shop)
    assert entry["user_id"] == till.cashier.user_id and entry["user_name"] == till.cashier.name
    assert entry["approved_by"] == till.owner.user_id
    assert entry["approver_name"] == till.owner.name
    assert entry["amount_fen"] == limit + 100 and entry["tender"] == "cash"
    assert entry["number"] == number and entry["refund_limit_fen"] == limit
    assert integrity.check(shop).ok


def test_a_card_refund_above_the_limit_is_refused_before_the_terminal(
    shop: Shop, till: Till
) -> None:
    terminal = FakeTerminal()
    limit = shop.settings.refund_limit_fen
    number = _failed(shop, till, limit + 100, card=terminal)
    calls = list(terminal.calls)
    with pytest.raises(PermissionDenied):
        billpay.refund(shop, till.cashier, number, terminal=terminal)
    assert terminal.calls == calls  # the terminal was never asked
    billpay.refund(shop, till.cashier, number, terminal=terminal, approver=till.owner)
    assert terminal.charged_fen == 0


def test_the_owner_and_small_refunds_need_no_approver(shop: Shop, till: Till) -> None:
    limit = shop.settings.refund_limit_fen
    big = _failed(shop, till, limit + 100)
    small = _failed(shop, till, limit)
    billpay.refund(shop, till.owner, big)
    billpay.refund(shop, till.cashier, small)
    by_owner, by_cashier = _handed_out(shop)
    assert by_owner["user_id"] == till.owner.user_id and by_owner["approved_by"] is None
    assert by_cashier["user_id"] == till.cashier.user_id and by_cashier["approved_by"] is None
    assert integrity.check(shop).ok
