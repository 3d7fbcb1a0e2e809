"""Bill payments through the core with a fake biller platform (tests.fakes.FakeBillPay) and a
fake terminal: every refusal records nothing and takes no money; one transaction per payment;
idempotent by payment_id; results move a payment forward only; refund tasks."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import text

from storebox import billpay, integrity, outbox, shifts, syncstate
from storebox.billpay_results import BillResultData
from storebox.billpay_rules import BillerClosed, BillRuleError
from storebox.clock import FixedClock
from storebox.config import Settings
from storebox.errors import InvalidInput, NotFound, PaymentDeclined, RuleViolation, ShopError
from storebox.ids import new_id
from storebox.sales import Card, Cash
from storebox.shop import Shop, open_shop
from tests.core.billpay_fixtures import CMB_CREDIT, CMB_DEBIT, install_billers
from tests.core.factories import Till, changed_tables, open_till, row_counts
from tests.fakes import FakeBillPay, FakeTerminal

PHONE = "13812345678"
SGCC = "0123456789"


@pytest.fixture
def till(shop: Shop) -> Till:
    install_billers(shop)
    return open_till(shop)


def _events(shop: Shop, kind: str) -> list[dict[str, object]]:
    with shop.store.read() as session:
        rows = session.execute(
            text("SELECT payload_json FROM outbox WHERE kind = :k ORDER BY seq"), {"k": kind}
        ).all()
    return [json.loads(r[0]) for r in rows]


def _drawer(shop: Shop) -> int:
    with shop.store.read() as session:
        shift = shifts.require_open_shift(session, shop)
        return shifts.expected_cash(session, shift)


# --- the happy paths -----------------------------------------------------------------------


def test_a_top_up_in_cash_online_is_one_transaction_then_submitted(shop: Shop, till: Till) -> None:
    port = FakeBillPay(submit_script=["success"])
    before = row_counts(shop)
    drawer = _drawer(shop)
    view = billpay.pay(shop, till.cashier, "cmcc", PHONE, 5_000, Cash(10_000), port=port)
    assert view.status == "success" and view.biller_reference == "BR000001"
    assert view.commission_fen == 50  # the hub's figure once it says success
    assert view.change_fen == 5_000 and view.tender == "cash"
    assert view.number.startswith("B1125-") and not view.accepted_offline
    assert view.account_masked == "138****5678"
    assert changed_tables(before, row_counts(shop)) == {
        "bill_payments": 1,
        "counters": 1,
        "journal": 1,
        "outbox": 1,
    }
    [event] = _events(shop, "bill_payment.accepted")
    assert event == {
        "payment_id": view.payment_id,
        "biller_id": "cmcc",
        "account": PHONE,
        "amount_fen": 5_000,
        "query_no": "",
        "tender": "cash",
        "accepted_offline": False,
        "accepted_at": "2026-11-25T02:00:00+00:00",
        "number": view.number,
        "business_day": "2026-11-25",
    }
    [order] = port.called("submit")
    assert order.payment_id == view.payment_id and order.amount_fen == 5_000
    assert _drawer(shop) == drawer + 5_000  # the customer's ¥50, net of change
    receipt = billpay.receipt_payload(shop, view.number)
    assert receipt["status"] == "success" and receipt["account"] == "138****5678"
    assert integrity.check(shop).ok


def test_the_event_payload_is_the_wire_schema(shop: Shop, till: Till) -> None:
    from sync import protocol

    view = billpay.pay(shop, till.cashier, "cmcc", PHONE, 5_000, Cash(5_000), port=FakeBillPay())
    [event] = _events(shop, "bill_payment.accepted")
    request = protocol.BillPaymentRequest.model_validate(event)
    assert request.payment_id == view.payment_id and request.tender == "cash"


def test_a_looked_up_electricity_bill_paid_by_card(shop: Shop, till: Till) -> None:
    port = FakeBillPay()
    port.bills[("sgcc-bj", "1100123456789")] = (12_300, 45)
    terminal = FakeTerminal()
    bill = billpay.lookup(shop, port, "sgcc-bj", SGCC)
    assert port.called("lookup") == [("sgcc-bj", "1100123456789")]
    assert bill.amount_due_fen == 12_300 and bill.holder_masked == "张*明"
    view = billpay.pay(
        shop, till.cashier, "sgcc-bj", SGCC, 12_345, Card(12_345),
        bill=bill, port=port, terminal=terminal,
    )  # fmt: skip
    assert view.status == "pending" and view.tender == "card"
    assert view.query_no == bill.query_no and view.holder_masked == "张*明"
    assert view.masked_pan == "622588******1234"
    assert terminal.charged_fen == 12_345
    with shop.store.read() as session:
        status = session.execute(
            text("SELECT status FROM payment_attempts WHERE operation = 'sale'")
        ).scalar_one()
    assert status == "used"
    assert billpay.receipt_payload(shop, view.payment_id)["status"] == "accepted"
    assert integrity.check(shop).ok


def test_credit_card_repayment(shop: Shop, till: Till) -> None:
    view = billpay.pay(
        shop, till.cashier, "cc-repay", CMB_CREDIT, 123_456, Cash(123_456), port=FakeBillPay()
    )
    assert view.account_masked == "622575******0006" and view.commission_fen == 100


# --- refusals: nothing recorded, no money taken ---------------------------------------------


def _refused(
    shop: Shop, call: object, error: type[ShopError], *, terminal: FakeTerminal | None = None
) -> ShopError:
    before = row_counts(shop)
    assert callable(call)
    with pytest.raises(error) as excinfo:
        call()
    assert changed_tables(before, row_counts(shop)) == {}
    if terminal is not None:
        assert terminal.calls == [] and terminal.charged_fen == 0
    return excinfo.value


@pytest.mark.parametrize(
    ("biller_id", "account", "amount", "rule"),
    [
        ("cmcc", "1381234567", 5_000, "account_pattern"),
        ("cmcc", "18612345678", 5_000, "prefixes"),
        ("cmcc", PHONE, 4_000, "denominations_fen"),
        ("cc-repay", CMB_CREDIT[:-1] + "1", 10_000, "luhn"),
        ("cc-repay", CMB_DEBIT, 10_000, "bins"),
        ("cc-repay", CMB_CREDIT, 99, "amount_min_fen"),
        ("cc-repay", CMB_CREDIT, 5_000_001, "amount_max_fen"),
        ("sgcc-bj", SGCC, 10_000, "lookup"),
    ],
)
def test_bad_input_is_refused_before_any_money(
    shop: Shop, till: Till, biller_id: str, account: str, amount: int, rule: str
) -> None:
    terminal, port = FakeTerminal(), FakeBillPay()
    error = _refused(
        shop,
        lambda: billpay.pay(
            shop,
            till.cashier,
            biller_id,
            account,
            amount,
            Card(amount),
            port=port,
            terminal=terminal,
        ),
        BillRuleError,
        terminal=terminal,
    )
    assert isinstance(error, BillRuleError) and error.rule == rule
    assert port.called("submit") == []


def test_unknown_and_inactive_billers(shop: Shop, till: Till) -> None:
    error = _refused(
        shop,
        lambda: billpay.pay(shop, till.cashier, "nope", PHONE, 5_000, Cash(5_000)),
        NotFound,
    )
    assert "unknown_biller" in error.message
    from storebox.billers import BillerData

    syncstate.apply_page(
        shop,
        "billers",
        [syncstate.Upsert("cucc", BillerData("cucc", "mobile", "中国联通 话费充值", False, {}))],
        "billers.1.1.1.2",
    )
    _refused(
        shop,
        lambda: billpay.pay(shop, till.cashier, "cucc", "18612345678", 5_000, Cash(5_000)),
        RuleViolation,
    )


def test_tender_problems(shop: Shop, till: Till) -> None:
    port = FakeBillPay()
    _refused(
        shop,
        lambda: billpay.pay(shop, till.cashier, "cmcc", PHONE, 5_000, Cash(4_000), port=port),
        InvalidInput,
    )
    _refused(
        shop,
        lambda: billpay.pay(shop, till.cashier, "cmcc", PHONE, 5_000, Card(5_000), port=port),
        InvalidInput,
    )
    _refused(
        shop,
        lambda: billpay.pay(
            shop,
            till.cashier,
            "cmcc",
            PHONE,
            5_000,
            Card(3_000),
            port=port,
            terminal=FakeTerminal(),
        ),
        InvalidInput,
    )


def test_outside_opening_hours(shop: Shop, till: Till, clock: FixedClock) -> None:
    port = FakeBillPay()
    bill = billpay.lookup(shop, port, "sgcc-bj", SGCC)
    clock.advance(hours=13, minutes=45)  # 23:45 in Shanghai
    _refused(
        shop,
        lambda: billpay.pay(
            shop, till.cashier, "sgcc-bj", SGCC, 12_345, Cash(12_345), bill=bill, port=port
        ),
        BillerClosed,
    )


def test_a_lookup_the_biller_refuses_keeps_its_reason(shop: Shop, till: Till) -> None:
    from storebox.ports import BillPayRefused

    port = FakeBillPay()
    port.lookup_script = ["refuse:no_bill"]
    with pytest.raises(BillPayRefused) as excinfo:
        billpay.lookup(shop, port, "sgcc-bj", SGCC)
    assert excinfo.value.reason == "no_bill"
    with pytest.raises(BillRuleError):  # a typo never leaves the shop
        billpay.lookup(shop, port, "sgcc-bj", "12345")
    assert len(port.called("lookup")) == 1


def test_an_expired_lookup_is_refused(shop: Shop, till: Till) -> None:
    import dataclasses

    port = FakeBillPay()
    bill = dataclasses.replace(
        billpay.lookup(shop, port, "sgcc-bj", SGCC),
        expires_at=dt.datetime(2026, 11, 25, 1, 0, tzinfo=dt.UTC),
    )
    error = _refused(
        shop,
        lambda: billpay.pay(
            shop, till.cashier, "sgcc-bj", SGCC, 12_345, Cash(12_345), bill=bill, port=port
        ),
        RuleViolation,
    )
    assert "query_expired" in error.message


def test_one_bill_is_paid_once(shop: Shop, till: Till) -> None:
    port = FakeBillPay()
    bill = billpay.lookup(shop, port, "sgcc-bj", SGCC)
    first = billpay.pay(
        shop, till.cashier, "sgcc-bj", SGCC, 12_345, Cash(12_345), bill=bill, port=port
    )
    error = _refused(
        shop,
        lambda: billpay.pay(
            shop, till.cashier, "sgcc-bj", SGCC, 12_345, Cash(12_345), bill=bill, port=port
        ),
        RuleViolation,
    )
    assert first.number in error.message and "duplicate_bill" in error.message
    # once the first failed (and is refunded), the bill may be paid again
    billpay.record_answer(shop, port.finish(first.payment_id, "failed"))
    again = billpay.pay(
        shop, till.cashier, "sgcc-bj", SGCC, 12_345, Cash(12_345), bill=bill, port=port
    )
    assert again.status == "pending"


def test_a_bill_looked_up_again_is_still_paid_once(shop: Shop, till: Till) -> None:
    port = FakeBillPay()
    first_lookup = billpay.lookup(shop, port, "sgcc-bj", SGCC)
    first = billpay.pay(
        shop, till.cashier, "sgcc-bj", SGCC, 12_345, Cash(12_345), bill=first_lookup, port=port
    )
    second_lookup = billpay.lookup(shop, port, "sgcc-bj", SGCC)
    assert second_lookup.query_no != first_lookup.query_no
    error = _refused(
        shop,
        lambda: billpay.pay(
            shop,
            till.cashier,
            "sgcc-bj",
            SGCC,
            12_345,
            Cash(12_345),
            bill=second_lookup,
            port=port,
        ),
        RuleViolation,
    )
    assert first.number in error.message
    # a bill from another biller is not this biller's
    _refused(
        shop,
        lambda: billpay.pay(
            shop, till.cashier, "cmcc", PHONE, 5_000, Cash(5_000), bill=second_lookup, port=port
        ),
        InvalidInput,
    )


def test_the_same_payment_id_is_never_taken_twice(shop: Shop, till: Till) -> None:
    port, terminal = FakeBillPay(), FakeTerminal()
    pid = new_id()
    billpay.pay(
        shop, till.cashier, "cmcc", PHONE, 5_000, Card(5_000),
        port=port, terminal=terminal, payment_id=pid,
    )  # fmt: skip
    before = row_counts(shop)
    with pytest.raises(RuleViolation, match="already recorded"):
        billpay.pay(
            shop, till.cashier, "cmcc", PHONE, 5_000, Card(5_000),
            port=port, terminal=terminal, payment_id=pid,
        )  # fmt: skip
    assert changed_tables(before, row_counts(shop)) == {}
    assert terminal.charged_fen == 5_000 and len(terminal.called("authorize")) == 1


def test_per_day_limit_per_account(shop: Shop, till: Till) -> None:
    port = FakeBillPay()
    for _ in range(2):
        billpay.pay(shop, till.cashier, "cmcc", PHONE, 50_000, Cash(50_000), port=port)
    error = _refused(
        shop,
        lambda: billpay.pay(shop, till.cashier, "cmcc", PHONE, 1_000, Cash(1_000), port=port),
        BillRuleError,
    )
    assert isinstance(error, BillRuleError) and error.rule == "per_day_max_fen"
    billpay.pay(shop, till.cashier, "cmcc", "13912345678", 1_000, Cash(1_000), port=port)


def test_no_shift_no_payment(shop: Shop) -> None:
    install_billers(shop)
    from tests.core.factories import make_people

    people = make_people(shop)
    _refused(
        shop,
        lambda: billpay.pay(shop, people.cashier, "cmcc", PHONE, 5_000, Cash(5_000)),
        RuleViolation,
    )


def test_a_declined_card_records_nothing_but_its_attempt(shop: Shop, till: Till) -> None:
    terminal, port = FakeTerminal(["decline"]), FakeBillPay()
    with pytest.raises(PaymentDeclined):
        billpay.pay(
            shop, till.cashier, "cmcc", PHONE, 5_000, Card(5_000), port=port, terminal=terminal
        )
    assert billpay.payments(shop) == [] and port.called("submit") == []
    assert _events(shop, "bill_payment.accepted") == []


# --- offline ------------------------------------------------------------------------------


def test_offline_within_the_limits_is_accepted_and_queued(shop: Shop, till: Till) -> None:
    port = FakeBillPay(online=False)
    view = billpay.pay(shop, till.cashier, "cmcc", PHONE, 20_000, Cash(20_000), port=port)
    assert view.status == "pending" and view.accepted_offline
    assert port.called("submit") == []  # nothing tried: the outbox carries it
    assert _events(shop, "bill_payment.accepted")[0]["accepted_offline"] is True
    assert billpay.receipt_payload(shop, view.number)["status"] == "accepted"
    # no port at all is offline too
    billpay.pay(shop, till.cashier, "cc-repay", CMB_CREDIT, 10_000, Cash(10_000))


def test_offline_beyond_the_limits_is_refused_saying_which(shop: Shop, till: Till) -> None:
    port = FakeBillPay(online=False)
    error = _refused(
        shop,
        lambda: billpay.pay(shop, till.cashier, "cmcc", PHONE, 30_000, Cash(30_000), port=port),
        RuleViolation,
    )
    assert "per-payment limit" in error.message and "¥200.00" in error.message
    billpay.pay(shop, till.cashier, "cmcc", PHONE, 20_000, Cash(20_000), port=port)
    billpay.pay(shop, till.cashier, "cmcc", "13912345678", 20_000, Cash(20_000), port=port)
    error = _refused(
        shop,
        lambda: billpay.pay(
            shop, till.cashier, "cmcc", "13712345678", 20_000, Cash(20_000), port=port
        ),
        RuleViolation,
    )
    assert "per-day limit" in error.message and "¥100.00 is left" in error.message
    allowance = billpay.offline_allowance(shop)
    assert allowance is not None and allowance.used_fen == 40_000
    assert (allowance.per_payment_fen, allowance.left_fen) == (20_000, 10_000)
    billpay.pay(shop, till.cashier, "cmcc", "13712345678", 10_000, Cash(10_000), port=port)
    allowance = billpay.offline_allowance(shop)
    assert allowance is not None and allowance.left_fen == 0


def test_offline_never_for_billers_that_look_up(shop: Shop, till: Till) -> None:
    port = FakeBillPay(online=False)
    with pytest.raises(RuleViolation, match="needs the hub"):
        billpay.lookup(shop, port, "sgcc-bj", SGCC)
    online = FakeBillPay()
    bill = billpay.lookup(shop, online, "sgcc-bj", SGCC)
    error = _refused(
        shop,
        lambda: billpay.pay(
            shop, till.cashier, "sgcc-bj", SGCC, 12_345, Cash(12_345), bill=bill, port=port
        ),
        RuleViolation,
    )
    assert "no offline payment" in error.message


def test_offline_without_limits_from_the_hub(shop: Shop) -> None:
    install_billers(shop)
    till = open_till(shop)
    syncstate.reset_stream(shop, "config")
    assert billpay.offline_allowance(shop) is None
    _refused(
        shop,
        lambda: billpay.pay(shop, till.cashier, "cmcc", PHONE, 1_000, Cash(1_000)),
        RuleViolation,
    )


# --- submit: idempotent, lost answers, refusals ---------------------------------------------


def test_a_lost_answer_then_a_retry_is_one_payment(shop: Shop, till: Till) -> None:
    port = FakeBillPay(submit_script=["lost"])
    view = billpay.pay(shop, till.cashier, "cmcc", PHONE, 5_000, Cash(5_000), port=port)
    assert view.status == "pending" and not view.submitted
    assert list(port.orders) == [view.payment_id]  # it did arrive
    port.finish(view.payment_id, "success")
    again = billpay.refresh(shop, port, view.number)
    assert again.status == "success"
    order = billpay.order(shop, view.payment_id)
    billpay.submit(shop, port, order)  # the outbox's delivery of the same order: no second one
    assert len(port.orders) == 1 and len(port.called("submit")) == 2


def test_a_payment_the_hub_never_received_is_submitted_on_refresh(shop: Shop, till: Till) -> None:
    port = FakeBillPay(submit_script=["offline", "success"])
    view = billpay.pay(shop, till.cashier, "cmcc", PHONE, 5_000, Cash(5_000), port=port)
    assert view.status == "pending" and port.orders == {}
    assert billpay.refresh(shop, port, view.payment_id).status == "success"
    assert list(port.orders) == [view.payment_id]


def test_a_refusal_at_submit_fails_the_payment_and_raises_a_refund_task(
    shop: Shop, till: Till
) -> None:
    port = FakeBillPay(submit_script=["refuse:operator_mismatch"])
    view = billpay.pay(shop, till.cashier, "cmcc", PHONE, 5_000, Cash(5_000), port=port)
    assert view.status == "failed" and view.reason_code == "operator_mismatch"
    [task] = billpay.refund_tasks(shop)
    assert task.payment_id == view.payment_id and task.amount_fen == 5_000
    assert task.tender == "cash" and task.status == "open"
    with pytest.raises(RuleViolation, match="failed"):
        billpay.receipt_payload(shop, view.number)


# --- results ------------------------------------------------------------------------------


def _page(shop: Shop, port: FakeBillPay, cursor: str) -> None:
    syncstate.apply_page(
        shop,
        "bill_results",
        [
            syncstate.Upsert(a.payment_id, BillResultData(a, {"payment_id": a.payment_id}))
            for a in port.results()
        ],
        cursor,
    )


def test_results_from_the_stream_move_payments_forward_only(shop: Shop, till: Till) -> None:
    port = FakeBillPay()
    ok = billpay.pay(shop, till.cashier, "cmcc", PHONE, 5_000, Cash(5_000), port=port)
    bad = billpay.pay(shop, till.cashier, "cmcc", "13912345678", 3_000, Cash(3_000), port=port)
    _page(shop, port, "bill_results.1.1.1.1")
    assert billpay.find(shop, ok.payment_id).status == "pending"
    port.finish(ok.payment_id, "success")
    port.finish(bad.payment_id, "failed", "number_suspended")
    _page(shop, port, "bill_results.1.1.1.2")
    assert billpay.find(shop, ok.payment_id).status == "success"
    failed = billpay.find(shop, bad.payment_id)
    assert failed.status == "failed" and failed.reason_code == "number_suspended"
    assert [t.payment_id for t in billpay.refund_tasks(shop)] == [bad.payment_id]
    # a resync replays every result: nothing moves, no second task
    syncstate.reset_stream(shop, "bill_results")
    _page(shop, port, "bill_results.2.1.1.1")
    assert len(billpay.refund_tasks(shop, open_only=False)) == 1
    # a stale pending answer never moves a payment back
    import dataclasses

    billpay.record_answer(
        shop, dataclasses.replace(port.answers[ok.payment_id], status="pending", final_at=None)
    )
    assert billpay.find(shop, ok.payment_id).status == "success"
    # nor does a contradicting final answer (reconciliation names it)
    assert billpay.record_answer(shop, port.finish(ok.payment_id, "failed")) == "conflict"
    assert billpay.find(shop, ok.payment_id).status == "success"


def test_results_apply_after_a_restart(settings: Settings, clock: FixedClock) -> None:
    port = FakeBillPay()
    with open_shop(settings, clock) as shop:
        install_billers(shop)
        till = open_till(shop)
        view = billpay.pay(shop, till.cashier, "cmcc", PHONE, 5_000, Cash(5_000), port=port)
    port.finish(view.payment_id, "success")
    with open_shop(settings, clock) as shop:
        _page(shop, port, "bill_results.1.1.1.1")
        after = billpay.find(shop, view.number)
        assert after.status == "success" and after.commission_fen == 50
        assert billpay.receipt_payload(shop, view.number)["status"] == "success"


# --- refunds ------------------------------------------------------------------------------


class _Printer:
    def __init__(self) -> None:
        self.jobs: list[tuple[str, dict[str, object], bool]] = []

    def print_document(
        self, kind: str, payload: dict[str, object], *, reprint: bool = False
    ) -> str:
        self.jobs.append((kind, payload, reprint))
        return str(len(self.jobs))

    def open_drawer(self) -> None:
        pass


def test_a_cash_refund_from_the_drawer(shop: Shop, till: Till) -> None:
    port = FakeBillPay(submit_script=["failed"])
    view = billpay.pay(shop, till.cashier, "cmcc", PHONE, 5_000, Cash(5_000), port=port)
    drawer = _drawer(shop)
    printer = _Printer()
    before = row_counts(shop)
    done = billpay.refund(shop, till.cashier, view.number, printer=printer)
    assert done.status == "done" and done.tender == "cash"
    assert changed_tables(before, row_counts(shop)) == {"journal": 2, "outbox": 2}
    assert _drawer(shop) == drawer - 5_000
    [record] = _events(shop, "bill_payment.refunded")
    assert record == {
        "payment_id": view.payment_id,
        "amount_fen": 5_000,
        "tender": "cash",
        "refunded_at": "2026-11-25T02:00:00+00:00",
        "reason": "",
    }
    [(kind, slip, _)] = printer.jobs
    assert kind == "refund" and slip["sale_number"] == view.number and slip["total_fen"] == 5_000
    assert billpay.refund_tasks(shop) == []
    with pytest.raises(RuleViolation, match="refunded already"):
        billpay.refund(shop, till.cashier, view.number)
    assert integrity.check(shop).ok


def test_a_card_refund_goes_back_to_the_card(shop: Shop, till: Till) -> None:
    terminal, port = FakeTerminal(), FakeBillPay()
    view = billpay.pay(
        shop, till.cashier, "cmcc", PHONE, 5_000, Card(5_000), port=port, terminal=terminal
    )
    billpay.record_answer(shop, port.finish(view.payment_id, "failed"))
    [task] = billpay.refund_tasks(shop)
    with pytest.raises(InvalidInput, match="terminal"):
        billpay.refund(shop, till.cashier, task.id)
    drawer = _drawer(shop)
    done = billpay.refund(shop, till.cashier, task.id, terminal=terminal)
    assert done.status == "done" and done.tender == "card"
    assert terminal.charged_fen == 0 and _drawer(shop) == drawer
    assert _events(shop, "bill_payment.refunded")[0]["tender"] == "card"


def test_a_declined_card_refund_leaves_the_task_open(shop: Shop, till: Till) -> None:
    terminal, port = FakeTerminal(), FakeBillPay()
    view = billpay.pay(
        shop, till.cashier, "cmcc", PHONE, 5_000, Card(5_000), port=port, terminal=terminal
    )
    billpay.record_answer(shop, port.finish(view.payment_id, "failed"))
    terminal.script = ["decline"]
    with pytest.raises(PaymentDeclined):
        billpay.refund(shop, till.cashier, view.number, terminal=terminal)
    assert [t.status for t in billpay.refund_tasks(shop)] == ["open"]
    assert _events(shop, "bill_payment.refunded") == []


def test_nothing_to_refund_for_a_success(shop: Shop, till: Till) -> None:
    view = billpay.pay(
        shop, till.cashier, "cmcc", PHONE, 5_000, Cash(5_000),
        port=FakeBillPay(submit_script=["success"]),
    )  # fmt: skip
    with pytest.raises(RuleViolation, match="nothing to refund"):
        billpay.refund(shop, till.cashier, view.number)


def test_outbox_carries_both_events_in_order(shop: Shop, till: Till) -> None:
    port = FakeBillPay(submit_script=["failed"])
    view = billpay.pay(shop, till.cashier, "cmcc", PHONE, 5_000, Cash(5_000), port=port)
    billpay.refund(shop, till.cashier, view.number)
    with shop.store.read() as session:
        kinds = [r[0] for r in session.execute(text("SELECT kind FROM outbox ORDER BY seq")).all()]
        assert outbox.pending_count(session) == len(kinds)
    assert kinds[-3:] == [
        "bill_payment.accepted",
        "bill_payment.refunded",
        "bill_payment.refund_handed_out",
    ]
