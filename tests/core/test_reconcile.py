"""End-of-day reconciliation (对账), core level: dirty days made on purpose with constructed
terminal totals and settlement lines; each difference found and named with its sale."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from storebox import integrity, reconcile, refunds, reports, sales
from storebox.catalog import ProductInfo
from storebox.db.models import JournalEntry, RefundPayment, Setting
from storebox.errors import InvalidInput, PermissionDenied
from storebox.reconcile import SchemeTotal, Settlement, SettlementLine, TerminalTotals
from storebox.sales import Card, Cart, Cash, SaleReceipt, Wallet
from storebox.shop import Shop
from tests.core.factories import Till, make_product, open_till, row_counts
from tests.fakes import FakeTerminal, FakeWallet

CODE = "134567890123456789"


@pytest.fixture
def till(shop: Shop) -> Till:
    return open_till(shop)


@pytest.fixture
def cola(shop: Shop) -> ProductInfo:
    return make_product(shop, "可口可乐 330ml", 500, barcode="6901234567892", stock=100)


def _sell(
    shop: Shop, till: Till, cola: ProductInfo, qty: int, tender: object, **ports: object
) -> SaleReceipt:
    cart = Cart()
    sales.add_product(cart, cola, qty)
    return sales.checkout(shop, till.cashier, cart, [tender], **ports)  # type: ignore[list-item,arg-type]


@dataclasses.dataclass
class Day:
    card: SaleReceipt
    card2: SaleReceipt
    wallet: SaleReceipt
    wallet2: SaleReceipt
    cash: SaleReceipt
    refund_ref: str
    refund_number: str


@pytest.fixture
def day(shop: Shop, till: Till, cola: ProductInfo) -> Day:
    terminal, wallet = FakeTerminal(), FakeWallet()
    card = _sell(shop, till, cola, 2, Card(1000), terminal=terminal)
    card2 = _sell(shop, till, cola, 1, Card(500), terminal=terminal)
    w = _sell(shop, till, cola, 3, Wallet(CODE, 1500), wallet=wallet)
    w2 = _sell(shop, till, cola, 4, Wallet(CODE, 2000), wallet=wallet)
    cash = _sell(shop, till, cola, 1, Cash(500))
    line = w2.lines[0].id
    refund = refunds.refund(shop, till.cashier, w2.number, {line: 1}, "坏了", wallet=wallet)
    with shop.store.read() as session:
        ref = session.scalars(
            select(RefundPayment.reference).where(RefundPayment.kind == "wallet")
        ).one()
    return Day(card, card2, w, w2, cash, ref, refund.number)


def _ref(receipt: SaleReceipt) -> str:
    (p,) = [p for p in receipt.payments if p.kind != "cash"]
    assert p.reference
    return p.reference


def _clean_settlement(shop: Shop, d: Day) -> Settlement:
    return Settlement(
        shop.business_day(),
        (
            SettlementLine("payment", _ref(d.wallet), "42A", "approved", 1500, fee_fen=6),
            SettlementLine(
                "payment", _ref(d.wallet2), "42B", "approved", 2000, fee_fen=6, refunded_fen=500
            ),
            SettlementLine(
                "refund",
                d.refund_ref,
                "50C",
                "approved",
                500,
                -2,
                original_reference=_ref(d.wallet2),
            ),
        ),
    )


TERMINAL = TerminalTotals(2, 1500, schemes=(SchemeTotal("UnionPay", 2, 1500),), terminal_id="T1")


def test_a_clean_day_has_zero_differences_and_is_stored_and_journalled(
    shop: Shop, till: Till, day: Day
) -> None:
    result = reconcile.reconcile(
        shop,
        shop.business_day(),
        terminal=TERMINAL,
        settlement=_clean_settlement(shop, day),
        actor=till.owner,
    )
    assert result.clean and result.differences == ()
    assert result.card.payments_count == 2 and result.card.payments_fen == 1500
    assert result.wallet.payments_fen == 3500 and result.wallet.refunds_fen == 500
    assert result.acquirer.payments_fen == 3500 and result.acquirer_fees_fen == 10
    with shop.store.read() as session:
        stored = reconcile.stored(session, shop.business_day())
        kinds = session.scalars(select(JournalEntry.kind)).all()
    assert stored is not None and stored["clean"] and stored["differences"] == []
    assert kinds[-1] == "reconciliation.run"
    checked = integrity.check(shop)
    assert checked.ok, checked.broken_invariants  # each journal entry has its outbox event
    z = reports.z_report(shop, actor=till.owner)
    doc = z.as_dict()
    assert doc["reconciliation"]["clean"] is True
    assert doc["reconciliation"]["differences_count"] == 0
    assert "对账" in z.render_text() and "无差异" in z.render_text()


def test_every_kind_of_dirty_day_is_found_with_its_sale(shop: Shop, till: Till, day: Day) -> None:
    today = shop.business_day()
    clean = _clean_settlement(shop, day)
    lines = list(clean.lines)
    # the first wallet sale reversed at the acquirer; the second's amount differs; the refund
    # never reached the acquirer; an approval the shop never recorded (a late approval)
    lines[0] = dataclasses.replace(lines[0], status="reversed")
    lines[1] = dataclasses.replace(lines[1], amount_fen=2100, refunded_fen=0)
    del lines[2]
    lines.append(SettlementLine("payment", "late-approval-1", "42Z", "approved", 777))
    lines.append(SettlementLine("payment", "gone-1", "42Y", "reversed", 300))  # no money moved
    terminal = TerminalTotals(3, 2500, schemes=(SchemeTotal("UnionPay", 3, 2500),))

    result = reconcile.reconcile(
        shop, today, terminal=terminal, settlement=Settlement(today, tuple(lines)), actor=till.owner
    )
    found = {(d.kind, d.sale_number or d.reference) for d in result.differences}
    assert found == {
        ("reversed_at_acquirer", day.wallet.number),
        ("amount_mismatch", day.wallet2.number),
        ("missing_at_acquirer", day.wallet2.number),
        ("missing_in_shop", "late-approval-1"),
        ("terminal_count", ""),
        ("terminal_amount", ""),
        ("terminal_scheme", ""),
    }
    by_kind = {d.kind: d for d in result.differences}
    assert by_kind["missing_at_acquirer"].refund_number == day.refund_number
    assert by_kind["missing_at_acquirer"].reference == day.refund_ref
    assert by_kind["amount_mismatch"].shop_fen == 2000
    assert by_kind["amount_mismatch"].other_fen == 2100
    assert by_kind["reversed_at_acquirer"].acquirer_reference == "42A"
    assert "never sent" in by_kind["missing_in_shop"].detail
    assert by_kind["terminal_amount"].shop_fen == 1500
    assert by_kind["terminal_amount"].other_fen == 2500
    text = reports.z_report(shop, actor=till.owner).render_text()
    assert day.wallet.number in text and "7" in text
    assert (
        reports.z_report(shop, actor=till.owner).as_dict()["reconciliation"]["differences_count"]
        == 7
    )


def test_a_late_approval_names_the_shops_reversed_attempt(
    shop: Shop, till: Till, cola: ProductInfo
) -> None:
    # the wallet's answer is lost, the enquiry cannot tell, the shop reverses: nothing sold
    wallet = FakeWallet(["unknown"])
    with pytest.raises(Exception, match=r"."):
        _sell(shop, till, cola, 1, Wallet(CODE, 500), wallet=wallet)
    (reference,) = [c["reference"] for c in wallet.called("micropay")]
    today = shop.business_day()
    settlement = Settlement(today, (SettlementLine("payment", reference, "42L", "approved", 500),))
    result = reconcile.reconcile(
        shop, today, terminal=None, settlement=settlement, actor=till.owner
    )
    (diff,) = result.differences
    assert diff.kind == "missing_in_shop" and diff.reference == reference
    assert "reversed" in diff.detail and "late" in diff.detail
    assert result.terminal is None and result.as_dict()["terminal_checked"] is False


def test_a_partial_refund_at_the_acquirer_the_shop_does_not_know(
    shop: Shop, till: Till, day: Day
) -> None:
    today = shop.business_day()
    lines = list(_clean_settlement(shop, day).lines)
    lines[0] = dataclasses.replace(lines[0], refunded_fen=300)
    lines.append(
        SettlementLine("refund", "r-x", "50X", "approved", 300, original_reference=_ref(day.wallet))
    )
    result = reconcile.reconcile(
        shop, today, terminal=None, settlement=Settlement(today, tuple(lines)), actor=till.owner
    )
    assert {(d.kind, d.sale_number or d.reference) for d in result.differences} == {
        ("refunded_at_acquirer", day.wallet.number),
        ("missing_in_shop", "r-x"),
    }


def test_a_second_run_replaces_the_stored_result(shop: Shop, till: Till, day: Day) -> None:
    today = shop.business_day()
    reconcile.reconcile(
        shop, today, terminal=TerminalTotals(0, 0), settlement=None, actor=till.owner
    )
    reconcile.reconcile(
        shop, today, terminal=TERMINAL, settlement=_clean_settlement(shop, day), actor=till.owner
    )
    with shop.store.read() as session:
        rows = session.scalar(
            select(func.count()).select_from(Setting).where(Setting.key.like("reconciliation:%"))
        )
        stored = reconcile.stored(session, today)
        journalled = session.scalar(
            select(func.count()).where(JournalEntry.kind == "reconciliation.run")
        )
    assert rows == 1 and journalled == 2
    assert integrity.check(shop).ok  # each journal entry has its outbox event
    assert stored is not None and stored["clean"]


@pytest.mark.parametrize(
    ("terminal", "settlement", "match"),
    [
        (TerminalTotals(-1, 0), None, "at least 0"),
        (TerminalTotals(1, 10.5), None, "whole number"),  # type: ignore[arg-type]
        (TerminalTotals(1, True), None, "whole number"),  # type: ignore[arg-type]
        (
            TerminalTotals(1, 1, schemes=(SchemeTotal("V", 1, 1), SchemeTotal("V", 0, 0))),
            None,
            "twice",
        ),
        (None, Settlement(dt.date(2020, 1, 1), ()), "not business day"),
        (None, "x", "not a Settlement"),
        (None, "dup", "appears twice"),
        (None, "neg", "at least 1"),
        (None, "status", "status"),
        (None, "orphan", "names no original"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(
    shop: Shop, till: Till, day: Day, terminal: object, settlement: object, match: str
) -> None:
    today = shop.business_day()
    good = SettlementLine("payment", "a", "b", "approved", 100)
    if settlement == "dup":
        settlement = Settlement(today, (good, good))
    elif settlement == "neg":
        settlement = Settlement(today, (dataclasses.replace(good, amount_fen=-5),))
    elif settlement == "status":
        settlement = Settlement(today, (dataclasses.replace(good, status="maybe"),))
    elif settlement == "orphan":
        settlement = Settlement(today, (dataclasses.replace(good, type="refund"),))
    before = row_counts(shop)
    with pytest.raises(InvalidInput, match=match):
        reconcile.reconcile(
            shop,
            today,
            terminal=terminal,
            settlement=settlement,
            actor=till.owner,  # type: ignore[arg-type]
        )
    assert row_counts(shop) == before


def test_only_the_owner_or_the_command_line_reconciles(shop: Shop, till: Till) -> None:
    today = shop.business_day()
    with pytest.raises(PermissionDenied):
        reconcile.reconcile(shop, today, terminal=None, settlement=None, actor=till.cashier)
    with pytest.raises(PermissionDenied):
        reconcile.reconcile(shop, today, terminal=None, settlement=None)
    result = reconcile.reconcile(shop, today, terminal=None, settlement=None, as_admin=True)
    assert result.clean and result.run_by is None


def test_the_day_close_freezes_the_reconciliation_and_tells_the_hub_only_its_verdict(
    shop: Shop, till: Till, day: Day
) -> None:
    from storebox import shifts
    from storebox.db.models import OutboxEvent

    today = shop.business_day()
    lines = (
        *_clean_settlement(shop, day).lines,
        SettlementLine("payment", "x", "y", "approved", 9),
    )
    reconcile.reconcile(
        shop, today, terminal=TERMINAL, settlement=Settlement(today, lines), actor=till.owner
    )
    shifts.close_shift(shop, till.cashier, 20_500)  # the float and the cash sale
    reports.close_day(shop, till.owner, today)
    frozen = reports.frozen_z_report(shop, today, actor=till.owner)
    assert frozen is not None
    assert frozen["reconciliation"]["differences"][0]["reference"] == "x"
    with shop.store.read() as session:
        body = session.scalars(
            select(OutboxEvent.payload_json).where(OutboxEvent.kind == "day.closed")
        ).one()
    sent = json.loads(body)["report"]["reconciliation"]
    assert sent == {
        "run_at": frozen["reconciliation"]["run_at"],
        "clean": False,
        "differences_count": 1,
        "terminal_checked": True,
        "settlement_checked": True,
    }
