"""Bill-payment reconciliation against the platform's statement (a fake platform here; the real
hub in tests/e2e/test_billpay_hub.py): every difference named with the shop's number."""

from __future__ import annotations

import dataclasses
import datetime as dt

from storebox import billpay, billpay_reconcile
from storebox.clock import FixedClock
from storebox.ports import BillOrder
from storebox.sales import Cash
from storebox.shop import Shop
from tests.core.billpay_fixtures import install_billers
from tests.core.factories import open_till
from tests.fakes import FakeBillPay


def test_clean_then_every_kind_of_difference(shop: Shop, clock: FixedClock) -> None:
    install_billers(shop)
    till = open_till(shop)
    port = FakeBillPay(submit_script=["success", "pending", "pending", "pending"])
    a = billpay.pay(shop, till.cashier, "cmcc", "13812345678", 5_000, Cash(5_000), port=port)
    b = billpay.pay(shop, till.cashier, "cmcc", "13912345678", 3_000, Cash(3_000), port=port)
    c = billpay.pay(shop, till.cashier, "cmcc", "13712345678", 2_000, Cash(2_000), port=port)
    clean = billpay_reconcile.reconcile(shop, port)
    assert clean.clean and clean.shop_count == clean.hub_count == 3
    assert clean.shop_amount_fen == clean.hub_amount_fen == 10_000
    assert "无差异" in clean.render_text()

    # the hub changes its mind about a's commission, fails b (not pulled yet), holds c for
    # another amount, knows a payment this till never recorded, and one of another till
    port.answers[a.payment_id] = dataclasses.replace(port.answers[a.payment_id], commission_fen=70)
    port.finish(b.payment_id, "failed")
    port.orders[c.payment_id] = dataclasses.replace(port.orders[c.payment_id], amount_fen=2_500)
    ghost = BillOrder(
        payment_id="0190aaaa-0000-7000-8000-00000000beef",
        biller_id="cmcc",
        account="13612345678",
        amount_fen=1_000,
        tender="cash",
        accepted_at=clock.now(),
        number="B1125-01-0099",
    )
    other = dataclasses.replace(
        ghost, payment_id="0190aaaa-0000-7000-8000-00000000cafe", number="B1125-02-0001"
    )
    for extra in (ghost, other):
        port.submit(extra)
    # and a payment taken offline whose event has not reached the hub yet
    port.is_online = False
    d = billpay.pay(shop, till.cashier, "cmcc", "13512345678", 1_000, Cash(1_000), port=port)
    port.is_online = True

    dirty = billpay_reconcile.reconcile(shop, port)
    found = {(x.kind, x.number) for x in dirty.differences}
    assert found == {
        ("commission_differs", a.number),
        ("status_differs", b.number),
        ("amount_differs", c.number),
        ("missing_at_hub", d.number),
        ("missing_in_shop", "B1125-01-0099"),
    }
    assert dirty.other_tills_count == 1 and not dirty.clean
    by_kind = {x.kind: x for x in dirty.differences}
    assert (by_kind["amount_differs"].shop_fen, by_kind["amount_differs"].hub_fen) == (2_000, 2_500)
    assert by_kind["status_differs"].shop_status == "pending"
    assert by_kind["status_differs"].hub_status == "failed"
    assert "outbox" in by_kind["missing_at_hub"].detail
    text = dirty.render_text()
    assert a.number in text and "金额不符" in text and "本店无此笔" in text
    assert dirty.as_dict()["differences_count"] == 5


def test_a_payment_after_midnight_is_on_the_shops_business_day(
    shop: Shop, clock: FixedClock
) -> None:
    install_billers(shop)
    till = open_till(shop)
    port = FakeBillPay()
    clock.advance(hours=15, minutes=30)  # 01:30 on the 26th in Shanghai: business day 25th
    late = billpay.pay(shop, till.cashier, "cmcc", "13812345678", 5_000, Cash(5_000), port=port)
    assert late.business_day == dt.date(2026, 11, 25)
    result = billpay_reconcile.reconcile(shop, port, dt.date(2026, 11, 25))
    assert result.clean and result.hub_count == 1
