"""Convenience payments end to end: the shop's core and sync agent against the real hub (uvicorn
on loopback, SQLite), through the real `sync.billpay.HubBillPay` and `sync.client.HubClient`.

One clock for both ends: the hub's `clock.utcnow` is the shop's FixedClock, so a biller's
scripted delay (`billers.set_script`) passes when the test moves the clock, and the hub's
China day is the shop's business day (the morning of 2026-11-26).

What is proven: each biller kind (lookup, top-up, repayment), success at once and after a wait;
a late failure raising a refund task, refunded, and the hub seeing it refunded; offline
acceptance within the hub's limits, refusal beyond them, and the push when the network is back;
a duplicate submission (the window's submit, its retry after a lost answer, the outbox event
and a replayed push) applied once; results applied after a restart; the Z report and the hub's
report agreeing to the fen; the day's statement reconciling clean, and a dirty one found.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import update

from cli.main import main
from storebox import billpay, billpay_reconcile, hub_config, integrity, reports, shifts, syncstate
from storebox.clock import FixedClock
from storebox.config import Settings
from storebox.errors import RuleViolation
from storebox.money import format_fen
from storebox.ports import BillPayRefused
from storebox.sales import Card, Cash
from storebox.shop import Shop, open_shop
from sync import enrolment, protocol
from sync.agent import SyncAgent
from sync.billpay import HubBillPay
from sync.client import HubClient
from sync.hub import billers, clock
from sync.hub.models import BillPayment
from tests.core.factories import Till, open_till
from tests.fakes import FakeTerminal
from tests.sync.conftest import RunningHub

MORNING = dt.datetime(2026, 11, 26, 2, 0, tzinfo=dt.UTC)
"""10:00 in Shanghai: every biller open, last month's bills due."""
DAY = dt.date(2026, 11, 26)

CMB_CREDIT = "6225750000000006"
ICBC_DEBIT = "6212260000000001"


@dataclass
class World:
    hub: RunningHub
    shop: Shop
    clock: FixedClock
    store_id: str
    till: Till
    port: HubBillPay
    client: HubClient

    def sync(self) -> None:
        """One round of the real agent: push the outbox, pull billers, config, results."""
        report = SyncAgent(self.shop, self.client).run_round()
        assert report.error is None, report.error

    def later(self, seconds: float) -> None:
        """Time passes at both ends; the hub moves this store's payments that are due."""
        self.clock.advance(seconds=seconds)
        billers.advance_store(self.hub.db, self.store_id, self.clock.now())

    def script(self, steps: str, biller_id: str = "") -> None:
        billers.set_script(self.hub.db, self.store_id, steps, biller_id=biller_id)

    def result(self, payment_id: str) -> protocol.BillResult:
        found = self.client.bill_payment(payment_id)
        assert found is not None, f"the hub holds no payment {payment_id}"
        return found


@pytest.fixture
def world(hub: RunningHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    from storebox.config import load

    shop_clock = FixedClock(MORNING)
    monkeypatch.setattr(clock, "utcnow", shop_clock.now)
    settings = load(
        config_path=None,
        environ={},
        overrides={"data_dir": str(tmp_path / "shop"), "pin_scrypt_n": 16},
    )
    with open_shop(settings, shop_clock) as shop:
        store_id = hub.create_store("幸福小店")
        enrolment.enrol(shop, hub.base_url, hub.enrol_code(store_id), "柜台一号")
        enrolled = syncstate.require_enrolment(shop)
        client = HubClient(hub.base_url, enrolled.token, read_timeout=20)
        port = HubBillPay(HubClient(hub.base_url, enrolled.token, read_timeout=20))
        w = World(hub, shop, shop_clock, store_id, open_till(shop), port, client)
        w.sync()  # the billers and the offline limits arrive
        yield w
        client.close()
        port.client.close()


# --- each biller kind ---------------------------------------------------------------------


def test_each_kind_of_biller_online(world: World) -> None:
    shop, cashier, port = world.shop, world.till.cashier, world.port
    assert {b.kind for b in billpay.billers(shop)} == {
        "electricity", "water", "gas", "mobile", "credit_card",
    }  # fmt: skip
    # electricity: a 10-digit 户号 becomes the 13-digit one, looked up, paid in full by card
    world.script("success", "sgcc-bj")
    bill = billpay.lookup(shop, port, "sgcc-bj", "0123456789")
    assert bill.holder_masked and "*" in bill.holder_masked and bill.query_no
    due = bill.amount_due_fen + bill.penalty_fen
    terminal = FakeTerminal()
    paid = billpay.pay(
        shop, cashier, "sgcc-bj", "0123456789", due, Card(due),
        bill=bill, port=port, terminal=terminal,
    )  # fmt: skip
    assert paid.status == "success" and paid.biller_reference and paid.commission_fen == 50
    assert terminal.charged_fen == due
    at_hub = world.result(paid.payment_id).account_masked
    assert len(at_hub) == 13 and at_hub.endswith("6789")  # the 13-digit 户号, masked
    # the same bill again: refused here, before the hub is asked or money taken
    with pytest.raises(RuleViolation, match="duplicate_bill"):
        billpay.pay(shop, cashier, "sgcc-bj", "0123456789", due, Cash(due), bill=bill, port=port)

    # water: no partial payment; gas: part of the bill, in steps of ¥1
    water = billpay.lookup(shop, port, "bjwater", "12345678")
    water_due = water.amount_due_fen + water.penalty_fen
    billpay.pay(
        shop, cashier, "bjwater", "12345678", water_due, Cash(water_due), bill=water, port=port
    )
    gas = billpay.lookup(shop, port, "bjgas", "1234567890")
    part = max(1_000, (gas.amount_due_fen // 2) // 100 * 100)
    gas_paid = billpay.pay(
        shop, cashier, "bjgas", "1234567890", part, Cash(part), bill=gas, port=port
    )
    assert gas_paid.status == "pending"  # utilities answer within seconds

    # mobile top-up: the carrier from the segment; 受理中, then 成功 a few minutes later
    carrier = billpay.biller_for_phone(shop, "13812345678")
    assert carrier.biller_id == "cmcc"
    top_up = billpay.pay(shop, cashier, "cmcc", "13812345678", 5_000, Cash(10_000), port=port)
    assert top_up.status == "pending" and top_up.change_fen == 5_000
    assert billpay.receipt_payload(shop, top_up.number)["status"] == "accepted"

    # credit card: Luhn and a credit BIN; a debit card is refused by the rules here
    repay = billpay.pay(shop, cashier, "cc-repay", CMB_CREDIT, 100_000, Cash(100_000), port=port)
    assert repay.status == "success"
    from storebox.billpay_rules import BillRuleError

    with pytest.raises(BillRuleError):
        billpay.pay(shop, cashier, "cc-repay", ICBC_DEBIT, 10_000, Cash(10_000), port=port)

    world.later(600)
    world.sync()
    assert billpay.find(shop, top_up.number).status == "success"
    assert billpay.find(shop, gas_paid.number).status == "success"
    assert billpay.receipt_payload(shop, top_up.number)["status"] == "success"
    assert billpay.pending(shop) == []
    assert integrity.check(shop).ok


def test_the_hub_refuses_what_the_rules_let_through(world: World) -> None:
    """A ported number (携号转网): the segment says Mobile, the hub knows it moved to Unicom."""
    with pytest.raises(BillPayRefused) as excinfo:
        billpay.lookup(world.shop, world.port, "sgcc-bj", "1109999999999")
    assert excinfo.value.reason in ("account_not_found", "no_bill")
    view = billpay.pay(
        world.shop, world.till.cashier, "cmcc", "13800138000", 5_000, Cash(5_000), port=world.port
    )
    assert view.status == "failed" and view.reason_code == "operator_mismatch"
    assert [t.number for t in billpay.refund_tasks(world.shop)] == [view.number]


# --- a late failure: refund task, refund, the hub sees it -------------------------------------


def test_a_late_failure_is_refunded_and_the_hub_hears_of_it(world: World) -> None:
    shop, cashier = world.shop, world.till.cashier
    world.script("pending:120:failed:number_suspended", "cmcc")
    view = billpay.pay(shop, cashier, "cmcc", "13912345670", 10_000, Cash(10_000), port=world.port)
    assert view.status == "pending"
    world.sync()
    assert billpay.refund_tasks(shop) == []
    world.later(121)
    world.sync()
    failed = billpay.find(shop, view.number)
    assert failed.status == "failed" and failed.reason_code == "number_suspended"
    [task] = billpay.refund_tasks(shop)
    assert task.amount_fen == 10_000 and task.tender == "cash"
    with shop.store.read() as session:
        before = shifts.expected_cash(session, shifts.require_open_shift(session, shop))
    billpay.refund(shop, cashier, task.id)
    with shop.store.read() as session:
        after = shifts.expected_cash(session, shifts.require_open_shift(session, shop))
    assert before - after == 10_000
    assert not world.result(view.payment_id).refunded
    world.sync()
    assert world.result(view.payment_id).refunded
    assert billpay.refund_tasks(shop) == []


# --- offline ------------------------------------------------------------------------------


def test_offline_within_and_beyond_the_limits_then_pushed(world: World) -> None:
    shop, cashier = world.shop, world.till.cashier
    dead = HubBillPay(HubClient("http://127.0.0.1:9", "x", connect_timeout=0.5))
    limits = {k: v for k, v in hub_config.entries(shop).items() if "bill" in k}
    per_payment = limits["offline_bill_payment_max_fen"]
    per_day = limits["offline_bill_payments_per_day_max_fen"]
    # the first payment finds the hub unreachable only when it submits: accepted online, queued
    first = billpay.pay(shop, cashier, "cmcc", "13812345678", 5_000, Cash(5_000), port=dead)
    assert first.status == "pending" and not first.accepted_offline
    assert not dead.online()  # the adapter remembers: the next ones are offline at once
    with pytest.raises(RuleViolation, match="needs its bill looked up"):
        billpay.pay(shop, cashier, "sgcc-bj", "0123456789", 10_000, Cash(10_000), port=dead)
    with pytest.raises(RuleViolation, match="per-payment limit"):
        billpay.pay(
            shop,
            cashier,
            "cc-repay",
            CMB_CREDIT,
            per_payment + 100,
            Cash(per_payment + 100),
            port=dead,
        )
    taken = []
    used = 0
    while used + per_payment <= per_day:
        taken.append(
            billpay.pay(
                shop, cashier, "cc-repay", CMB_CREDIT, per_payment, Cash(per_payment), port=dead
            )
        )
        used += per_payment
    assert all(t.accepted_offline and t.status == "pending" for t in taken)
    with pytest.raises(RuleViolation, match="per-day limit") as excinfo:
        billpay.pay(shop, cashier, "cmcc", "13712345678", 1_000, Cash(1_000), port=dead)
    assert f"{format_fen(per_day - used)} is left" in excinfo.value.message
    for view in [first, *taken]:
        assert world.client.bill_payment(view.payment_id) is None
    world.sync()  # the network is back: the agent pushes the accepted events
    for view in [first, *taken]:
        assert world.result(view.payment_id).amount_fen == view.amount_fen
    world.later(600)
    world.sync()
    assert {billpay.find(shop, t.payment_id).status for t in [first, *taken]} == {"success"}


# --- exactly once ---------------------------------------------------------------------------


def test_a_duplicate_submission_is_applied_once(world: World) -> None:
    shop = world.shop
    view = billpay.pay(
        shop, world.till.cashier, "cmcc", "13812345678", 3_000, Cash(3_000), port=world.port
    )
    order = billpay.order(shop, view.number)
    # the window's retry after a lost answer: the first answer again
    again = world.port.submit(order)
    assert again.payment_id == view.payment_id and again.status == "pending"
    # the agent pushes the accepted event; an agent killed before recording the
    # acknowledgement pushes the same batch again
    pending = syncstate.pending_events(shop, 200)
    batch = protocol.PushRequest(
        events=[
            protocol.Event(
                event_id=e.event_id,
                kind=e.kind,
                created_at=e.created_at,
                payload=json.loads(e.payload_json),
            )
            for e in pending
        ]
    )
    first = world.client.push(batch)
    replay = world.client.push(batch)
    assert {r.status for r in first.results} == {"applied"}
    assert {r.status for r in replay.results} == {"duplicate"}
    world.sync()
    assert syncstate.pending_events(shop, 10) == []
    hub = world.hub.report(world.store_id, DAY.isoformat())
    assert hub["bill_payments_count"] == 1 and hub["bill_payments_total_fen"] == 3_000
    # the same id with other fields is refused, not a second payment
    import dataclasses

    with pytest.raises(BillPayRefused) as excinfo:
        world.port.submit(dataclasses.replace(order, amount_fen=5_000))
    assert excinfo.value.reason == "idempotency_conflict"


def test_results_arrive_after_a_restart(world: World) -> None:
    view = billpay.pay(
        world.shop, world.till.cashier, "cmcc", "13812345678", 5_000, Cash(5_000), port=world.port
    )
    world.sync()
    settings: Settings = world.shop.settings
    world.shop.close()
    world.later(600)
    with open_shop(settings, world.clock) as reopened:
        SyncAgent(reopened, world.client).run_round()
        after = billpay.find(reopened, view.number)
        assert after.status == "success" and after.commission_fen > 0


# --- the day: reports and the statement ----------------------------------------------------


def _mixed_day(world: World) -> dict[str, billpay.BillView]:
    shop, cashier, port = world.shop, world.till.cashier, world.port
    world.script("success", "cmcc")
    ok = billpay.pay(shop, cashier, "cmcc", "13812345678", 10_000, Cash(10_000), port=port)
    world.script("pending:60:failed:number_suspended", "cmcc")
    bad = billpay.pay(shop, cashier, "cmcc", "13912345670", 5_000, Cash(5_000), port=port)
    slow = billpay.pay(shop, cashier, "cc-repay", CMB_CREDIT, 20_000, Cash(20_000), port=port)
    world.script("pending:86400", "cucc")
    waiting = billpay.pay(shop, cashier, "cucc", "18612345670", 3_000, Cash(3_000), port=port)
    world.later(61)
    world.sync()
    billpay.refund(shop, cashier, bad.number)
    world.sync()
    return {"ok": ok, "bad": bad, "slow": slow, "waiting": waiting}


def test_the_z_report_and_the_hub_report_agree_to_the_fen(world: World) -> None:
    views = _mixed_day(world)
    z = reports.z_report(world.shop, DAY, actor=world.till.owner).as_dict()
    hub = world.hub.report(world.store_id, DAY.isoformat())
    for key in ("bill_payments_count", "bill_payments_total_fen"):
        assert z[key] == hub[key], key
    assert z["bill_payments_count"] == 3  # the failed one is the customer's again
    assert z["bill_payments_total_fen"] == 10_000 + 20_000 + 3_000
    bills = z["bill_payments"]
    assert bills["refunded_fen"] == views["bad"].amount_fen and bills["pending_count"] == 1
    assert z["sales_total_fen"] == 0  # none of it is the shop's takings


def test_the_statement_reconciles_clean_then_a_dirty_one_is_found(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    views = _mixed_day(world)
    clean = billpay_reconcile.reconcile(world.shop, world.port, DAY)
    assert clean.clean, clean.render_text()
    assert clean.shop_count == clean.hub_count == 4
    code = main(["bills", "reconcile", "--date", DAY.isoformat(), "--json",
                 "--data-dir", str(world.shop.settings.data_dir), "--set", "pin_scrypt_n=16"])  # fmt: skip
    doc = json.loads(capsys.readouterr().out)
    assert code == 0 and doc["clean"] is True

    # the hub's books say another amount for one payment, and hold one this till never saw
    with world.hub.db.transaction() as session:
        session.execute(
            update(BillPayment)
            .where(BillPayment.payment_id == views["slow"].payment_id)
            .values(amount_fen=19_900)
        )
    stranger = world.client.bill_pay(
        protocol.BillPaymentRequest(
            payment_id="0190aaaa-0000-7000-8000-00000000beef",
            biller_id="cmcc",
            account="13512345678",
            amount_fen=1_000,
            tender="cash",
            accepted_at=world.clock.now(),
            number="B1126-01-0999",
        )
    )
    dirty = billpay_reconcile.reconcile(world.shop, world.port, DAY)
    found = {(d.kind, d.number) for d in dirty.differences}
    assert ("amount_differs", views["slow"].number) in found
    assert ("missing_in_shop", stranger.number) in found
    assert len(found) == 2, dirty.render_text()
    code = main(["bills", "reconcile", "--date", DAY.isoformat(),
                 "--data-dir", str(world.shop.settings.data_dir), "--set", "pin_scrypt_n=16"])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 1 and views["slow"].number in out and "金额不符" in out


def test_lost_answers_to_the_submit_and_the_push_make_one_payment(world: World) -> None:
    """Through a fault-injecting proxy: the hub commits the window's submit but its answer is
    cut; then it commits the agent's push of the accepted event and that answer is cut too (an
    agent killed before it could record the acknowledgement looks the same to the shop). A new
    agent pushes again: one payment at the hub, the event a duplicate, the outbox drained."""
    from tests.sync.faultproxy import Fault, FaultProxy

    shop = world.shop
    enrolled = syncstate.require_enrolment(shop)
    with FaultProxy(("127.0.0.1", world.hub.port)) as proxy:
        port = HubBillPay(HubClient(proxy.url, enrolled.token, read_timeout=5))
        proxy.set(Fault.CUT_BEFORE_RESPONSE, times=1)
        view = billpay.pay(
            shop, world.till.cashier, "cmcc", "13812345678", 5_000, Cash(5_000), port=port
        )
        assert view.status == "pending" and not view.submitted
        assert world.result(view.payment_id).amount_fen == 5_000  # it did arrive
        killed = SyncAgent(shop, HubClient(proxy.url, enrolled.token, read_timeout=5))
        proxy.set(Fault.CUT_UNFRAMED, times=1)
        first = killed.run_round()
        assert first.error is not None and syncstate.pending_events(shop, 10)
        faults = proxy.stats().faults
        assert faults["cut_before_response"] == 1 and faults["cut_unframed"] == 1
        proxy.set(Fault.PASS)
        again = SyncAgent(shop, HubClient(proxy.url, enrolled.token, read_timeout=5)).run_round()
        assert again.error is None and again.duplicate >= 1
        assert proxy.errors == []
        port.client.close()
    assert syncstate.pending_events(shop, 10) == []
    hub = world.hub.report(world.store_id, DAY.isoformat())
    assert hub["bill_payments_count"] == 1 and hub["bill_payments_total_fen"] == 5_000
    assert hub["events_by_kind"]["bill_payment.accepted"] == {"applied": 1}
    world.later(600)
    world.sync()
    assert billpay.find(shop, view.number).status == "success"


def test_an_agent_killed_with_the_push_at_the_hub_applies_it_once(world: World) -> None:
    """A real `storebox sync` process, SIGKILLed after the hub committed its push of an offline
    payment's accepted event but before the answer reached it (the proxy holds the answer):
    the event is still pending in the shop; the next agent pushes it again and the hub answers
    duplicate — one payment."""
    import os
    import signal
    import subprocess
    import sys
    import time

    from tests.sync.faultproxy import Fault, FaultProxy

    shop = world.shop
    view = billpay.pay(shop, world.till.cashier, "cmcc", "13812345678", 5_000, Cash(5_000))
    assert view.accepted_offline  # no port: the hub hears of it only through the event
    data = str(shop.settings.data_dir)
    with FaultProxy(("127.0.0.1", world.hub.port)) as proxy:
        proxy.set(Fault.DELAY, delay_ms=1_500)
        agent = subprocess.Popen(
            [sys.executable, "-m", "cli", "sync", "--once", "--data-dir", data,
             "--set", f"hub_url={proxy.url}", "--read-timeout", "30"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 30
            while world.client.bill_payment(view.payment_id) is None:
                assert agent.poll() is None, "the agent ended before its push reached the hub"
                assert time.monotonic() < deadline, "the push never reached the hub"
                time.sleep(0.05)
            os.kill(agent.pid, signal.SIGKILL)
        finally:
            agent.wait(timeout=30)
        assert agent.returncode == -signal.SIGKILL
        assert [e.kind for e in syncstate.pending_events(shop, 10)] == ["bill_payment.accepted"]
        proxy.set(Fault.PASS)
        again = subprocess.run(
            [sys.executable, "-m", "cli", "sync", "--once", "--json", "--data-dir", data,
             "--set", f"hub_url={proxy.url}"],
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert again.returncode == 0, again.stderr
        assert json.loads(again.stdout)["duplicate"] >= 1
    assert syncstate.pending_events(shop, 10) == []
    hub = world.hub.report(world.store_id, DAY.isoformat())
    assert hub["bill_payments_count"] == 1 and hub["bill_payments_total_fen"] == 5_000
    assert hub["events_by_kind"]["bill_payment.accepted"] == {"applied": 1}


def test_two_tills_of_one_store_pay_a_bill_once_and_reconcile_apart(
    world: World, tmp_path: Path
) -> None:
    """A second till of the same store (its own database) looks up and pays the bill the first
    till is paying: the hub refuses it (duplicate_bill), so the second till's payment fails at
    once and its refund task is raised before the customer leaves. Each till's reconciliation
    compares its own payments and counts the other till's."""
    from storebox.config import load

    settings = load(
        config_path=None,
        environ={},
        overrides={"data_dir": str(tmp_path / "till2"), "pin_scrypt_n": 16},
    )
    # both tills carry device number 1 (each database starts so): the statement's lines name
    # the device (till) that took them, which is how each till tells its own apart
    with open_shop(settings, world.clock) as second:
        enrolment.enrol(
            second, world.hub.base_url, world.hub.enrol_code(world.store_id), "柜台二号"
        )
        token = syncstate.require_enrolment(second).token
        with (
            HubClient(world.hub.base_url, token) as client2,
            HubClient(world.hub.base_url, token) as port_client,
        ):
            port2 = HubBillPay(port_client)
            assert SyncAgent(second, client2).run_round().error is None
            till2 = open_till(second)
            assert second.device_no == world.shop.device_no
            world.script("pending:600", "sgcc-bj")
            bill1 = billpay.lookup(world.shop, world.port, "sgcc-bj", "0123456789")
            bill2 = billpay.lookup(second, port2, "sgcc-bj", "0123456789")
            due = bill1.amount_due_fen + bill1.penalty_fen
            first = billpay.pay(
                world.shop, world.till.cashier, "sgcc-bj", "0123456789", due, Cash(due),
                bill=bill1, port=world.port,
            )  # fmt: skip
            assert first.status == "pending"
            other = billpay.pay(
                second, till2.cashier, "sgcc-bj", "0123456789", due, Cash(due),
                bill=bill2, port=port2,
            )  # fmt: skip
            assert other.status == "failed" and other.reason_code == "duplicate_bill"
            [task] = billpay.refund_tasks(second)
            assert task.number == other.number and task.amount_fen == due
            billpay.refund(second, till2.cashier, task.id)
            assert SyncAgent(second, client2).run_round().error is None
            world.sync()
            mine = billpay_reconcile.reconcile(world.shop, world.port, DAY)
            theirs = billpay_reconcile.reconcile(second, port2, DAY)
    assert mine.clean, mine.render_text()
    assert theirs.clean, theirs.render_text()
    assert mine.shop_count == 1 and theirs.shop_count == 1
    assert mine.other_tills_count == 1 and theirs.other_tills_count == 1


def test_a_payment_after_midnight_counts_on_the_shops_business_day_at_both_ends(
    world: World,
) -> None:
    """01:30 in Shanghai is still the shop's business day before (cut-off 04:00). The hub dated
    bill payments by the China calendar day, so such a payment was in the shop's Z report of
    one day and the hub's report of the next; now the request carries the shop's day."""
    world.clock.advance(seconds=15.5 * 3600)  # 2026-11-27 01:30 in Shanghai
    now = world.clock.now()
    assert world.shop.business_day(now) == DAY
    world.script("success", "cmcc")
    paid = billpay.pay(
        world.shop, world.till.cashier, "cmcc", "13812345678", 5_000, Cash(5_000),
        port=world.port,
    )  # fmt: skip
    assert paid.status == "success"
    world.sync()
    z = reports.z_report(world.shop, DAY, actor=world.till.owner).as_dict()
    on_day = world.hub.report(world.store_id, DAY.isoformat())
    next_day = world.hub.report(world.store_id, (DAY + dt.timedelta(days=1)).isoformat())
    assert z["bill_payments_total_fen"] == on_day["bill_payments_total_fen"] == 5_000
    assert next_day["bill_payments_count"] == 0
    assert billpay_reconcile.reconcile(world.shop, world.port, DAY).clean


def test_an_unavailable_biller_is_never_a_failure(world: World) -> None:
    """The hub answers 503 biller_unavailable to the submit: the payment stays 受理中 (a
    timeout or an unavailable biller is never a failure), the outbox delivers it, and its
    result comes on the stream."""
    world.script("unavailable,success", "cmcc")
    view = billpay.pay(
        world.shop, world.till.cashier, "cmcc", "13812345678", 5_000, Cash(5_000), port=world.port
    )
    assert view.status == "pending" and not view.submitted
    assert world.port.online()  # the hub answered: it is reachable
    assert billpay.refund_tasks(world.shop) == []
    world.sync()
    world.later(600)
    world.sync()
    assert billpay.find(world.shop, view.number).status == "success"


def test_an_unreachable_hub_makes_the_adapter_offline_for_a_while() -> None:
    from storebox.ports import BillPayOffline

    now = [0.0]
    port = HubBillPay(
        HubClient("http://127.0.0.1:9", "x", connect_timeout=0.5),
        offline_for=60,
        monotonic=lambda: now[0],
    )
    assert port.online()
    with pytest.raises(BillPayOffline):
        port.lookup("sgcc-bj", "1100123456789")
    assert not port.online()
    now[0] = 61
    assert port.online()
    port.client.close()
