"""The simulation's bill payments: the accounts it makes are the ones each biller's own rules
take (the hub's defaults and the test billers), the amounts fit each biller's amount rules,
and a run with the fake biller platform and terminal pays every kind in cash and by card,
refunds every payment that failed, counts what the books hold, and sells exactly the goods a
run without bills sells."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from storebox import (
    barcodes,
    billpay,
    billpay_rules,
    integrity,
    reports,
    shifts,
    simulate,
    syncstate,
)
from storebox.billers import BillerData
from storebox.clock import FixedClock
from storebox.config import load
from storebox.ports import BillInfo
from storebox.sales import Cash
from storebox.shop import Shop, open_shop
from sync.hub import billers_data
from tests.conftest import START
from tests.core.billpay_fixtures import BILLERS, biller, install_billers
from tests.core.factories import make_people, make_product
from tests.fakes import FakeBillPay, FakeTerminal

HUB_BILLERS = [
    BillerData(b["biller_id"], b["kind"], b["name"], True, b["rules"]) for b in billers_data.BILLERS
]
TEST_BILLERS = [biller(b) for b in BILLERS]


@pytest.mark.parametrize("who", HUB_BILLERS + TEST_BILLERS, ids=lambda b: b.biller_id)
def test_accounts_are_the_ones_the_billers_rules_take(who: BillerData) -> None:
    rules = billpay_rules.rules_of(who)
    rnd = random.Random(who.biller_id)
    made = [simulate.account_for(who, rnd) for _ in range(300)]
    assert len(set(made)) > 250  # not one number over and over
    for account in made:
        assert billpay_rules.check_account(who, account) == account
        assert re.fullmatch(rules.account_pattern, account), account
        if who.kind == "mobile":
            assert billpay_rules.mobile_segment(rules, account) is not None
        if rules.luhn:
            assert billpay_rules.luhn_ok(account), account
        if rules.bins:
            issuer = billpay_rules.card_bin(rules, account)
            assert issuer is not None and issuer.type == "credit", account
    if who.kind == "mobile":  # every segment of the carrier turns up, none of another's
        seen = {billpay_rules.mobile_segment(rules, a) for a in made}
        assert len(seen) > len(rules.prefixes) // 2


def test_patterns_are_sampled_as_written_and_unknown_syntax_is_refused() -> None:
    rnd = random.Random(4)
    for pattern in (r"^(\d{10}|110\d{10})$", r"^BW(?P<a>\d{8,12})-[A-C]x?$", r"^1[3-9]\d{9}$"):
        for _ in range(200):
            assert re.fullmatch(pattern, simulate.sample_pattern(pattern, rnd)), pattern
    for bad in (r"^.+$", r"^[^0]\d$", r"^(?=1)\d$", r"^\w{3}$", r"^\d{3$"):
        with pytest.raises(ValueError):
            simulate.sample_pattern(bad, rnd)
    for body in ("622575000000000", "4392260000000", "12"):
        assert billpay_rules.luhn_ok(body + simulate.luhn_digit(body))


def _bill(biller_id: str, due: int) -> BillInfo:
    import datetime as dt

    return BillInfo(
        biller_id=biller_id,
        account_masked="x",
        holder_masked="张*明",
        amount_due_fen=due,
        query_no="Q1",
        expires_at=dt.datetime(2100, 1, 1, tzinfo=dt.UTC),
    )


@pytest.mark.parametrize("who", HUB_BILLERS, ids=lambda b: b.biller_id)
def test_amounts_fit_each_billers_amount_rules(who: BillerData) -> None:
    rnd = random.Random(who.biller_id)
    rules = billpay_rules.rules_of(who)
    # a bill the biller can be paid at all: due within its minimum and maximum (the hub's
    # simulated bills are ¥15-¥480)
    low, high = rules.amount_min_fen, min(rules.amount_max_fen, 100_000)
    for _ in range(300):
        bill = _bill(who.biller_id, rnd.randint(low, high)) if rules.lookup else None
        amount = simulate.bill_amount(who, bill, rnd)
        assert billpay_rules.check_amount(who, amount, bill) == amount


def _sell(
    data: Path, *, bills: FakeBillPay | None, terminal: FakeTerminal | None = None, rate: float = 0
) -> tuple[simulate.SimulationResult, dict[str, object], bool]:
    settings = load(
        config_path=None, environ={}, overrides={"data_dir": str(data), "pin_scrypt_n": 16}
    )
    with open_shop(settings, FixedClock(START)) as shop:
        install_billers(shop, offline_max=20_000, per_day=50_000)
        for i in range(12):
            code = barcodes.with_check_digit(f"690000000{i:03d}")
            make_product(shop, f"商品{i}", 150 + 95 * i, barcode=code, stock=500)
        till = make_people(shop)
        result = simulate.run(
            shop,
            [till.cashier],
            till.owner,
            sales_count=60,
            seed=3,
            shift_every=25,
            refund_rate=0.1,
            ports=simulate.PaymentPorts(terminal=terminal, bills=bills),
            tenders=("cash",),
            bill_rate=rate,
        )
        z = reports.z_report(shop, as_admin=True).as_dict()
        ok = integrity.check(shop).ok
        assert not billpay.refund_tasks(shop), "a failed payment was left unrefunded"
    return result, z, ok


def test_a_run_pays_every_kind_refunds_the_failures_and_counts_what_the_books_hold(
    tmp_path: Path,
) -> None:
    # the platform fails every fourth payment at once and leaves every fifth pending
    script = [
        "failed" if i % 4 == 3 else "pending" if i % 5 == 4 else "success" for i in range(200)
    ]
    port, terminal = FakeBillPay(submit_script=script), FakeTerminal()
    with_bills, z, ok = _sell(tmp_path / "bills", bills=port, terminal=terminal, rate=0.6)
    assert ok
    bills = with_bills.bills
    assert bills is not None
    doc = with_bills.as_dict()["bill_payments"]
    assert set(doc["by_kind"]) == {"mobile", "electricity", "water", "gas", "credit_card"}
    assert doc["by_tender"]["card"]["count"] > 0 and doc["by_tender"]["cash"]["count"] > 0
    assert set(doc["by_status"]) == {"pending", "success", "failed"}
    assert doc["count"] == len(port.orders) == sum(k["count"] for k in doc["by_kind"].values())
    assert doc["total_fen"] == sum(o.amount_fen for o in port.orders.values())
    # every failure refunded to its tender; the card ones went back through the terminal
    failed = doc["by_status"]["failed"]
    assert doc["refunded_count"] == failed["count"] > 0
    assert doc["refunded_fen"] == failed["amount_fen"] and doc["refunds_open"] == 0
    assert any(name == "refund" for name, _ in terminal.calls)
    # the Z report's bill figures are the run's to the fen (failed ones are not held)
    assert (z["bill_payments_count"], z["bill_payments_total_fen"]) == bills.held
    assert doc["bill_payments_count"] == z["bill_payments_count"]
    assert doc["commission_fen"] == z["bill_payments"]["commission_fen"]  # type: ignore[index]
    assert doc["commission_fen"] == 50 * doc["by_status"]["success"]["count"]

    # the same seed without bills sells exactly the same goods: bills draw their own stream
    plain, plain_z, _ = _sell(tmp_path / "plain", bills=None)
    assert plain.bills is None and "bill_payments" not in plain.as_dict()
    for key in ("sales_count", "sales_total_fen", "refunds_total_fen", "voids_count"):
        assert plain.as_dict()[key] == with_bills.as_dict()[key], key
    assert plain_z["bill_payments_count"] == 0


def test_bills_need_their_port(shop: Shop) -> None:
    till = make_people(shop)
    with pytest.raises(ValueError, match="no port for bill payments"):
        simulate.run(shop, [till.cashier], till.owner, sales_count=1, bill_rate=0.5)
    assert reports.z_report(shop, as_admin=True).as_dict()["sales_count"] == 0


def test_a_biller_it_cannot_draw_for_is_skipped_and_another_sessions_refund_left_alone(
    shop: Shop,
) -> None:
    """A biller whose account rule is outside what the run can draw from is named and left
    out, never paid with a guessed number; a refund task from before the run is the cashier's
    to see (the red banner), not the simulation's to settle."""
    install_billers(shop)
    odd = BillerData("odd-water", "water", "某水务（任意户号）", True, {"account_pattern": r"^.+$"})
    syncstate.apply_page(shop, "billers", [syncstate.Upsert(odd.biller_id, odd)], "billers.1.1.1.2")
    for i in range(12):
        make_product(
            shop,
            f"商品{i}",
            300 + 50 * i,
            barcode=barcodes.with_check_digit(f"690000001{i:03d}"),
            stock=500,
        )
    till = make_people(shop)
    shifts.open_shift(shop, till.cashier, 20_000)
    earlier = billpay.pay(
        shop, till.cashier, "cmcc", "13812345678", 5_000, Cash(5_000),
        port=FakeBillPay(submit_script=["failed"]),
    )  # fmt: skip
    port = FakeBillPay(submit_script=["failed"] * 100)
    result = simulate.run(
        shop,
        [till.cashier],
        till.owner,
        sales_count=30,
        seed=2,
        ports=simulate.PaymentPorts(bills=port),
        bill_rate=0.5,
    )
    assert result.bills is not None
    doc = result.bills.as_dict()
    assert doc["skipped_billers"] == ["odd-water"]
    assert all(o.biller_id != "odd-water" for o in port.orders.values())
    assert doc["by_kind"]["water"]["count"] > 0  # the other water biller still paid
    # this run's failures all refunded; the earlier one untouched
    assert doc["refunded_count"] == doc["count"] == len(port.orders) > 0
    assert [t.payment_id for t in billpay.refund_tasks(shop)] == [earlier.payment_id]
