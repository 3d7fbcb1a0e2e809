"""Bill payments in the shift (X) and day (Z) reports: apart from the shop's own takings, with
the drawer's expected cash counting the bill cash taken and paid back."""

from __future__ import annotations

from storebox import billpay, reports, sales, shifts
from storebox.sales import Card, Cash
from storebox.shop import Shop
from tests.core.billpay_fixtures import CMB_CREDIT, install_billers
from tests.core.factories import make_product, open_till
from tests.fakes import FakeBillPay, FakeTerminal


def test_bill_money_is_kept_apart_in_the_x_and_z_reports(shop: Shop) -> None:
    install_billers(shop)
    water = make_product(shop, "矿泉水", 200, stock=10)
    till = open_till(shop, float_fen=10_000)
    cart = sales.Cart()
    sales.add_product(cart, water, 3)
    sales.checkout(shop, till.cashier, cart, [Cash(1_000)])  # the shop's own ¥6.00

    port, terminal = (
        FakeBillPay(submit_script=["success", "pending", "failed", "failed"]),
        (FakeTerminal()),
    )
    port.commission_fen = 150  # the hub's figure: 1.5% of ¥100
    ok = billpay.pay(shop, till.cashier, "cmcc", "13812345678", 10_000, Cash(10_000), port=port)
    billpay.pay(shop, till.cashier, "cmcc", "13912345678", 5_000, Cash(5_000), port=port)
    cash_failed = billpay.pay(
        shop, till.cashier, "cmcc", "13712345678", 3_000, Cash(5_000), port=port
    )
    billpay.pay(
        shop, till.cashier, "cc-repay", CMB_CREDIT, 20_000, Card(20_000),
        port=port, terminal=terminal,
    )  # fmt: skip
    billpay.refund(shop, till.cashier, cash_failed.number)  # the card one stays owed

    x = reports.x_report(shop, till.cashier)
    t = x.shift.tally
    assert (t.sales_count, t.sales_total_fen, t.net_fen) == (1, 600, 600)
    b = t.bills
    assert (b.count, b.total_fen) == (4, 38_000)
    assert (b.cash_fen, b.card_fen) == (18_000, 20_000)
    assert (b.success_count, b.success_fen) == (1, 10_000)
    assert (b.pending_count, b.pending_fen) == (1, 5_000)
    assert (b.failed_count, b.failed_fen) == (2, 23_000)
    assert (b.refunded_count, b.refunded_fen, b.refunded_cash_fen) == (1, 3_000, 3_000)
    assert (b.refunds_open_count, b.refunds_open_fen) == (1, 20_000)
    assert b.commission_fen == 150  # the one success's; earned on success only
    assert b.owed_fen == 10_000 + 5_000 - 150
    # float 100 + the sale 6 + bills taken in cash 180 - paid back 30 (change is not kept)
    assert x.shift.expected_cash_fen == 10_000 + 600 + 18_000 - 3_000
    text = x.render_text()
    assert "便民缴费" in text and "应付平台" in text and "¥148.50" in text
    assert ok.payment_id  # the success above

    doc = x.as_dict()
    assert doc["net_fen"] == 600 and doc["bill_payments"]["owed_fen"] == 14_850

    z = reports.z_report(shop, actor=till.owner)
    zdoc = z.as_dict()
    # the contract keys count what is held for the platform: not the two that failed
    assert zdoc["bill_payments_count"] == 2
    assert zdoc["bill_payments_total_fen"] == 15_000
    assert zdoc["sales_total_fen"] == 600 and zdoc["net_fen"] == 600
    assert zdoc["tenders"]["cash"]["sales_fen"] == 600  # bill cash is not a sale
    assert zdoc["bill_payments"] == doc["bill_payments"]
    assert "缴费笔数" in z.render_text() and "佣金收入" in z.render_text()

    summary = shifts.close_shift(shop, till.cashier, counted_fen=25_600)
    assert summary.variance_fen == 0


def test_a_day_without_bill_payments_says_so(shop: Shop) -> None:
    till = open_till(shop)
    z = reports.z_report(shop, actor=till.owner)
    assert z.as_dict()["bill_payments_count"] == 0
    assert z.as_dict()["bill_payments_total_fen"] == 0
    assert "便民缴费" not in z.render_text()
