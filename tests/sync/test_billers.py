"""The hub's simulated billers over HTTP on loopback (issue 7): lookups, every validation code,
one payment from a POST and an event, results on the hub's clock through the per-store
bill_results stream, scripted behaviours, refunds, limits, store isolation and the statement."""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sync import protocol
from sync.client import HubRefused, HubUnavailable
from sync.hub import billers, defaults, streams
from sync.hub.errors import AdminError
from tests.sync.bill_fixtures import MORNING, HubClock, Till, make_till, with_luhn
from tests.sync.conftest import RunningHub

SGCC_13 = "1100123456781"
SGCC_10 = "0123456781"
WATER = "1234567890"
GAS = "5566778899"
CMCC_NUMBER = "13812345678"
CMB_CREDIT = with_luhn("622575123456789")  # 招商银行, realtime
CMBC_CREDIT = with_luhn("622600123456789")  # 民生银行, next day
CMB_DEBIT = with_luhn("621483123456789")


@pytest.fixture(params=["sqlite", pytest.param("pg", marks=pytest.mark.pg)])
def hub(
    request: pytest.FixtureRequest, tmp_path: Path, hub_factory: Callable[..., RunningHub]
) -> RunningHub:
    """Every test on SQLite, and on PostgreSQL where STOREBOX_TEST_PG_URL is set (the upserts,
    row locks and booleans differ by dialect)."""
    if request.param == "sqlite":
        return hub_factory(str(tmp_path / "hub.db"))
    return hub_factory(request.getfixturevalue("pg_url"))


@pytest.fixture
def hub_clock(monkeypatch: pytest.MonkeyPatch) -> HubClock:
    return HubClock(monkeypatch)


@pytest.fixture
def till(hub: RunningHub, hub_clock: HubClock) -> Iterator[Till]:
    made = make_till(hub, hub_clock)
    yield made
    made.client.close()


def refused(call: object, *args: object) -> HubRefused:
    with pytest.raises(HubRefused) as caught:
        call(*args)  # type: ignore[operator]
    return caught.value


# --- the registry ------------------------------------------------------------------------------


def test_the_billers_stream_carries_the_rules_as_data(till: Till) -> None:
    page = till.client.pull("billers", None)
    served = {c.key: protocol.Biller.model_validate(c.data) for c in page.changes}
    assert set(served) == {"sgcc-bj", "bjwater", "bjgas", "cmcc", "cucc", "ctcc", "cc-repay"}
    sgcc = served["sgcc-bj"].rules
    assert sgcc.lookup and not sgcc.partial and sgcc.overpay and sgcc.hours == ["00:30-23:30"]
    assert sgcc.commission.fixed_fen == 50 and re.fullmatch(sgcc.account_pattern, SGCC_10)
    barcode = re.fullmatch(sgcc.bill_barcode, SGCC_13 + "202610" + "00012345")
    assert barcode is not None and barcode["account"] == SGCC_13
    assert barcode["amount_fen"] == "00012345"
    assert served["cmcc"].rules.denominations_fen == [
        1000, 2000, 3000, 5000, 10000, 20000, 30000, 50000
    ]  # fmt: skip
    assert "138" in served["cmcc"].rules.prefixes and "1349" in served["ctcc"].rules.prefixes
    assert served["cmcc"].rules.commission.kind == "percent"
    card = served["cc-repay"].rules
    assert card.luhn and {b.type for b in card.bins} == {"credit", "debit"}
    assert {b.posting for b in card.bins} == {"realtime", "same_day", "next_day"}
    # the stream is not per store: this pull read the mall-wide copy
    assert all(c.op == "upsert" for c in page.changes)


def test_an_existing_hub_gets_changed_default_billers(hub: RunningHub) -> None:
    """A hub made by an older release serves its old rules until the defaults change: then
    the changed billers (only they) are published again."""
    with hub.db.transaction() as session:
        old = dict(billers.load_billers(session)["cmcc"].model_dump(mode="json"))
        old["rules"] = {**old["rules"], "denominations_fen": [1000, 2000]}
        streams.publish(session, "billers", [("cmcc", old)])
        session.get(defaults.HubMeta, defaults.BILLERS_DIGEST_KEY).value = "an older release"  # type: ignore[union-attr]
    with hub.db.transaction() as session:
        assert defaults.publish_defaults(session) == {"billers": 1}
        assert billers.load_billers(session)["cmcc"].rules.denominations_fen[-1] == 50000
    with hub.db.transaction() as session:  # nothing changed since: nothing published
        assert defaults.publish_defaults(session) == {}


# --- lookup ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("biller_id", "account"), [("sgcc-bj", SGCC_13), ("bjwater", WATER), ("bjgas", GAS)]
)
def test_every_account_has_one_bill(till: Till, biller_id: str, account: str) -> None:
    first = till.lookup(biller_id, account)
    again = till.lookup(biller_id, account)
    assert (first.amount_due_fen, first.penalty_fen, first.period) == (
        again.amount_due_fen,
        again.penalty_fen,
        again.period,
    )
    assert first.query_no != again.query_no
    assert first.amount_due_fen > 0 and first.period == "2026-10"
    assert str(first.due_date) == "2026-11-25"
    # a day late at 0.1 % a day, rounded half up
    assert first.penalty_fen == (first.amount_due_fen * 1 + 500) // 1000
    assert re.fullmatch(r"\w\*\w?", first.holder_masked)
    assert first.account_masked.endswith(account[-4:]) and account not in first.account_masked
    left = (first.expires_at - till.clock.now()).total_seconds()
    assert 29 * 60 < left <= 30 * 60


def test_beijings_ten_digit_account_is_its_thirteen_digit_one(till: Till) -> None:
    old = till.lookup("sgcc-bj", SGCC_10)
    new = till.lookup("sgcc-bj", "110" + SGCC_10)
    assert (old.amount_due_fen, old.holder_masked) == (new.amount_due_fen, new.holder_masked)


@pytest.mark.parametrize(
    ("biller_id", "account", "code", "status"),
    [
        ("sgcc-bj", "1100123450000", "account_not_found", 404),
        ("bjgas", "5566779999", "no_bill", 409),
        ("sgcc-bj", "12345", "invalid_account", 422),
        ("sgcc-bj", "2200123456781", "invalid_account", 422),  # 13 digits, not 110…
        ("nope", "12345678", "unknown_biller", 404),
        ("cmcc", CMCC_NUMBER, "no_bill", 409),  # a top-up has no bill to look up
    ],
)
def test_lookup_outcomes(till: Till, biller_id: str, account: str, code: str, status: int) -> None:
    error = refused(till.lookup, biller_id, account)
    assert (error.error, error.status) == (code, status)


# --- payments and results ------------------------------------------------------------------


def test_a_utility_bill_is_pending_then_paid_on_the_hub_clock(till: Till) -> None:
    bill = till.lookup("sgcc-bj", SGCC_13)
    due = bill.amount_due_fen + bill.penalty_fen
    request = till.request("sgcc-bj", SGCC_13, due, query_no=bill.query_no)
    first = till.client.bill_pay(request)
    assert (first.status, first.commission_fen, first.amount_fen) == ("pending", 0, due)
    assert first.account_masked == "*********6781" and first.biller_reference.startswith("BP")
    assert till.results()[request.payment_id]["status"] == "pending"
    till.clock.advance(3.5)
    [change] = [v for k, v in till.results().items() if k == request.payment_id]
    assert (change["status"], change["commission_fen"]) == ("success", 50)
    now = till.client.bill_payment(request.payment_id)
    assert now is not None and now.status == "success" and now.final_at is not None
    # paid: nothing is due any more
    assert refused(till.lookup, "sgcc-bj", SGCC_13).error == "no_bill"


def test_the_background_tick_moves_payments_nobody_asks_about(till: Till, hub: RunningHub) -> None:
    bill = till.lookup("bjwater", WATER)
    request = till.request(
        "bjwater", WATER, bill.amount_due_fen + bill.penalty_fen, query_no=bill.query_no
    )
    till.client.bill_pay(request)
    till.clock.advance(10)
    deadline = time.monotonic() + 30  # the tick runs every 2 s; a loaded machine is slower
    while True:
        with hub.db.reading() as session:
            row = session.get(billers.BillPayment, (till.store_id, request.payment_id))
            assert row is not None
            if row.status == "success":
                break
        assert time.monotonic() < deadline, "the tick did not move the payment"
        time.sleep(0.1)


def test_a_top_up_and_a_card_repayment(till: Till) -> None:
    top_up = till.client.bill_pay(till.request("cmcc", CMCC_NUMBER, 5000))
    assert top_up.status == "pending" and top_up.account_masked == "138****5678"
    till.clock.advance(6)
    done = till.client.bill_payment(top_up.payment_id)
    assert done is not None and (done.status, done.commission_fen) == ("success", 75)  # 1.5 %
    card = till.client.bill_pay(till.request("cc-repay", CMB_CREDIT, 123456))
    assert (card.status, card.commission_fen) == ("success", 100)
    assert (
        "实时到账" in card.message
        and card.account_masked == CMB_CREDIT[:6] + "******" + CMB_CREDIT[-4:]
    )
    slow = till.client.bill_pay(till.request("cc-repay", CMBC_CREDIT, 10000))
    assert slow.status == "success" and "次日到账" in slow.message
    till.script("pending:8", biller="cc-repay")  # the issuer answers late: the note stays
    late = till.client.bill_pay(till.request("cc-repay", CMBC_CREDIT, 10000))
    assert late.status == "pending" and "次日到账" in late.message
    till.clock.advance(9)
    done_late = till.client.bill_payment(late.payment_id)
    assert done_late is not None and done_late.status == "success"
    assert "次日到账" in done_late.message and done_late.commission_fen == 100


@pytest.mark.parametrize(
    ("biller_id", "account", "amount", "code"),
    [
        ("cmcc", "1381234567", 5000, "invalid_account"),
        ("cmcc", "17012345678", 5000, "invalid_account"),  # a virtual operator
        ("cmcc", "14212345678", 5000, "invalid_account"),  # an unassigned segment
        ("cmcc", "13800138000", 5000, "operator_mismatch"),  # ported to Unicom
        ("cucc", CMCC_NUMBER, 5000, "operator_mismatch"),
        ("cmcc", CMCC_NUMBER, 4000, "amount_invalid"),  # not a face value
        ("cc-repay", CMB_DEBIT, 10000, "not_a_credit_card"),
        (
            "cc-repay",
            CMB_CREDIT[:-1] + str((int(CMB_CREDIT[-1]) + 1) % 10),
            10000,
            "invalid_account",
        ),
        ("cc-repay", with_luhn("999999123456789"), 10000, "invalid_account"),  # no issuer
        ("cc-repay", CMB_CREDIT, 50, "amount_invalid"),  # below ¥1
        ("cc-repay", CMB_CREDIT, 5_000_001, "amount_invalid"),  # above ¥50,000
        ("bjgas", GAS, 1050, "amount_invalid"),  # gas takes whole yuan
        ("nope", CMCC_NUMBER, 5000, "unknown_biller"),
        ("sgcc-bj", SGCC_13, 10000, "query_expired"),  # no lookup first
    ],
)
def test_a_payment_the_rules_refuse_is_answered_and_recorded_nowhere(
    till: Till, biller_id: str, account: str, amount: int, code: str
) -> None:
    request = till.request(biller_id, account, amount)
    error = refused(till.client.bill_pay, request)
    assert error.error == code, error
    assert till.client.bill_payment(request.payment_id) is None
    assert till.results() == {}


def test_the_one_ported_number_goes_to_its_new_carrier(till: Till) -> None:
    assert till.client.bill_pay(till.request("cucc", "13800138000", 3000)).status == "pending"


def test_partial_and_overpayment_follow_each_billers_rules(till: Till) -> None:
    power = till.lookup("sgcc-bj", SGCC_13)  # partial no, overpay yes
    owed = power.amount_due_fen + power.penalty_fen
    short = till.request("sgcc-bj", SGCC_13, owed - 1, query_no=power.query_no)
    assert refused(till.client.bill_pay, short).error == "amount_invalid"
    over = till.request("sgcc-bj", SGCC_13, owed + 10000, query_no=power.query_no)
    assert till.client.bill_pay(over).status == "pending"
    water = till.lookup("bjwater", WATER)  # exact amount only
    owed = water.amount_due_fen + water.penalty_fen
    for amount in (owed - 1, owed + 1):
        request = till.request("bjwater", WATER, amount, query_no=water.query_no)
        assert refused(till.client.bill_pay, request).error == "amount_invalid"
    gas = till.lookup("bjgas", GAS)  # partial yes, in whole yuan
    part = till.request("bjgas", GAS, 1000, query_no=gas.query_no)
    assert till.client.bill_pay(part).status == "pending"
    till.clock.advance(4)
    rest = till.lookup("bjgas", GAS)
    assert rest.amount_due_fen + rest.penalty_fen == gas.amount_due_fen + gas.penalty_fen - 1000
    assert rest.penalty_fen == 0  # the late fee is paid first


def test_a_query_expires_after_thirty_minutes_of_the_hub_clock(till: Till) -> None:
    bill = till.lookup("bjwater", WATER)
    owed = bill.amount_due_fen + bill.penalty_fen
    till.clock.advance(30 * 60 + 1)
    late = till.request("bjwater", WATER, owed, query_no=bill.query_no)
    assert refused(till.client.bill_pay, late).error == "query_expired"
    other = till.lookup("bjwater", "1234567891")
    wrong = till.request("bjwater", WATER, owed, query_no=other.query_no)
    assert refused(till.client.bill_pay, wrong).error == "query_expired"


def test_opening_hours_on_the_hub_clock(till: Till) -> None:
    till.clock.set(MORNING.replace(hour=23, minute=45))
    error = refused(till.lookup, "sgcc-bj", SGCC_13)
    assert (error.error, error.status) == ("biller_closed", 409)
    request = till.request("cc-repay", CMB_CREDIT, 10000)  # cards close at 23:00
    assert refused(till.client.bill_pay, request).error == "biller_closed"
    assert till.client.bill_pay(till.request("cmcc", CMCC_NUMBER, 1000)).status == "pending"
    till.clock.set(MORNING.replace(hour=0, minute=31))
    assert till.lookup("sgcc-bj", SGCC_13).amount_due_fen > 0


def test_the_per_day_limit_counts_every_shop_and_frees_on_failure(
    till: Till, hub: RunningHub, hub_clock: HubClock
) -> None:
    other = make_till(hub, hub_clock)
    till.script("pending:5:failed:number_suspended")
    first = till.client.bill_pay(till.request("cmcc", CMCC_NUMBER, 50000))
    assert other.client.bill_pay(other.request("cmcc", CMCC_NUMBER, 30000)).status == "pending"
    over = other.request("cmcc", CMCC_NUMBER, 30000)  # ¥1,100 > ¥1,000 a day
    error = refused(other.client.bill_pay, over)
    assert (error.error, error.status) == ("limit_exceeded", 409)
    hub_clock.advance(6)
    failed = till.client.bill_payment(first.payment_id)
    assert failed is not None and (failed.status, failed.reason_code) == (
        "failed",
        "number_suspended",
    )
    assert failed.commission_fen == 0
    assert other.client.bill_pay(over).status == "pending"  # the failed ¥500 no longer counts
    hub_clock.set(MORNING + dt.timedelta(days=1))  # a new China day: a new limit
    assert other.client.bill_pay(other.request("cmcc", CMCC_NUMBER, 50000)).status == "pending"
    other.client.close()


def test_offline_payments_must_fit_the_offline_limits(till: Till) -> None:
    big = till.request("cmcc", CMCC_NUMBER, 30000, offline=True)  # offline max ¥200
    assert refused(till.client.bill_pay, big).error == "limit_exceeded"
    for _ in range(5):  # ¥1,000 a day offline
        assert till.client.bill_pay(till.request("ctcc", "18912340000", 20000, offline=True))
    sixth = till.request("cucc", "18612340000", 1000, offline=True)
    assert refused(till.client.bill_pay, sixth).error == "limit_exceeded"


# --- one payment, two roads -----------------------------------------------------------------


def test_the_same_id_gives_the_first_answer_and_other_fields_are_refused(till: Till) -> None:
    till.script("pending:5")
    request = till.request("cmcc", CMCC_NUMBER, 5000)
    first = till.client.bill_pay(request)
    assert till.client.bill_pay(request) == first
    other = request.model_copy(update={"amount_fen": 10000})
    error = refused(till.client.bill_pay, other)
    assert (error.error, error.status) == ("idempotency_conflict", 422)
    # the event of the same payment adds nothing: one payment, one result
    assert till.event(protocol.BILL_ACCEPTED_EVENT, request).status == "applied"
    statement = till.client.bill_statement("2026-11-26")
    assert statement.count == 1 and statement.amount_fen == 5000
    # a second event with this payment id and other fields is rejected, with the reason
    clash = till.event(protocol.BILL_ACCEPTED_EVENT, other)
    assert clash.status == "rejected" and "another payment" in clash.reason


def test_the_event_first_then_the_post(till: Till) -> None:
    request = till.request("cc-repay", CMB_CREDIT, 20000)
    event_id = str(uuid.uuid4())
    assert till.event(protocol.BILL_ACCEPTED_EVENT, request, event_id).status == "applied"
    assert till.event(protocol.BILL_ACCEPTED_EVENT, request, event_id).status == "duplicate"
    result = till.client.bill_pay(request)
    assert result.status == "success"
    assert till.client.bill_statement("2026-11-26").count == 1


def test_an_event_the_rules_refuse_becomes_a_failed_payment_the_shop_sees(till: Till) -> None:
    """The shop already took the money: the event is applied, the payment failed with the
    reason, and its result is on the stream so the shop refunds the customer."""
    request = till.request("cc-repay", CMB_DEBIT, 30000, offline=True)
    assert till.event(protocol.BILL_ACCEPTED_EVENT, request).status == "applied"
    result = till.results()[request.payment_id]
    assert (result["status"], result["reason_code"]) == ("failed", "not_a_credit_card")
    assert "借记卡" in result["message"]
    refund = protocol.BillRefundRecord(
        payment_id=request.payment_id,
        amount_fen=30000,
        tender="cash",
        refunded_at=till.clock.now(),
        reason="biller refused",
    )
    assert till.event(protocol.BILL_REFUNDED_EVENT, refund).status == "applied"
    assert till.results()[request.payment_id]["refunded"] is True
    report = till.hub.report(till.store_id, "2026-11-26")
    assert (report["bill_payments_count"], report["bill_payments_total_fen"]) == (0, 0)


def test_a_refund_of_a_payment_that_did_not_fail_is_rejected(till: Till) -> None:
    paid = till.client.bill_pay(till.request("cc-repay", CMB_CREDIT, 10000))
    refund = protocol.BillRefundRecord(
        payment_id=paid.payment_id, amount_fen=10000, tender="cash", refunded_at=till.clock.now()
    )
    answer = till.event(protocol.BILL_REFUNDED_EVENT, refund)
    assert answer.status == "rejected" and "only a failed payment" in answer.reason
    nothing = refund.model_copy(update={"payment_id": str(uuid.uuid4())})
    assert till.event(protocol.BILL_REFUNDED_EVENT, nothing).status == "rejected"


def test_a_malformed_bill_event_is_rejected(till: Till) -> None:
    request = protocol.PushRequest(
        events=[
            protocol.Event(
                event_id=str(uuid.uuid4()),
                kind=protocol.BILL_ACCEPTED_EVENT,
                created_at=till.clock.now(),
                payload={"payment_id": "x", "amount_fen": 12.5},
            )
        ]
    )
    [answer] = till.client.push(request).results
    assert answer.status == "rejected" and "malformed" in (answer.reason or "")


# --- scripts ---------------------------------------------------------------------------------


def test_scripted_behaviours_in_order_then_the_default(till: Till) -> None:
    till.script("failed:carrier_maintenance,pending:60:failed:rate_limited,success")
    till.script("pending:2", biller="ctcc")
    a = till.client.bill_pay(till.request("cmcc", CMCC_NUMBER, 1000))
    assert (a.status, a.reason_code) == ("failed", "carrier_maintenance")
    b = till.client.bill_pay(till.request("ctcc", "18912340000", 1000))
    assert b.status == "pending"  # the biller's own script first
    c = till.client.bill_pay(till.request("cmcc", CMCC_NUMBER, 1000))
    assert c.status == "pending"
    d = till.client.bill_pay(till.request("cmcc", CMCC_NUMBER, 2000))
    assert d.status == "success"
    e = till.client.bill_pay(till.request("cmcc", CMCC_NUMBER, 3000))
    assert e.status == "pending"  # the default: a top-up waits 5 s
    till.clock.advance(61)
    results = till.results()
    assert [results[x.payment_id]["status"] for x in (a, b, c, d, e)] == [
        "failed", "success", "failed", "success", "success"
    ]  # fmt: skip
    assert results[c.payment_id]["reason_code"] == "rate_limited"


def test_an_unavailable_biller_records_nothing_and_the_retry_goes_through(till: Till) -> None:
    till.script("unavailable")
    request = till.request("cmcc", CMCC_NUMBER, 1000)
    with pytest.raises(HubUnavailable) as caught:
        till.client.bill_pay(request)
    assert (caught.value.status, caught.value.error) == (503, "biller_unavailable")
    assert till.client.bill_payment(request.payment_id) is None
    assert till.client.bill_pay(request).status == "pending"


def test_a_bad_script_is_refused_whole(till: Till) -> None:
    for text in ("success,wobble", "pending:0", "failed:because", "pending:5:failed:nope"):
        with pytest.raises(AdminError):
            till.script(text)
    with pytest.raises(AdminError):
        till.script("success", biller="nope")


# --- one bill, one payer -----------------------------------------------------------------------


def test_a_second_payment_of_a_bill_in_flight_is_refused(
    till: Till, hub: RunningHub, hub_clock: HubClock
) -> None:
    neighbour = make_till(hub, hub_clock)
    early = neighbour.lookup("bjwater", WATER)  # before the first payment
    till.script("pending:30:failed:biller_rejected")
    first = till.pay_bill("bjwater", WATER)
    assert refused(neighbour.lookup, "bjwater", WATER).error == "duplicate_bill"
    second = neighbour.request(
        "bjwater", WATER, early.amount_due_fen + early.penalty_fen, query_no=early.query_no
    )
    error = refused(neighbour.client.bill_pay, second)
    assert (error.error, error.status) == ("duplicate_bill", 409)
    hub_clock.advance(31)
    assert till.client.bill_payment(first.payment_id).status == "failed"  # type: ignore[union-attr]
    again = neighbour.lookup("bjwater", WATER)  # the failed payment freed the bill
    assert again.amount_due_fen == early.amount_due_fen
    retry = neighbour.request(
        "bjwater", WATER, again.amount_due_fen + again.penalty_fen, query_no=again.query_no
    )
    assert neighbour.client.bill_pay(retry).status == "pending"
    hub_clock.advance(4)
    assert refused(till.lookup, "bjwater", WATER).error == "no_bill"  # paid
    neighbour.client.close()


def test_two_tills_paying_one_bill_at_once_make_one_payment(
    till: Till, hub: RunningHub, hub_clock: HubClock
) -> None:
    race_bill(till, hub, hub_clock)


def race_bill(till: Till, hub: RunningHub, hub_clock: HubClock) -> None:
    tills = [till, make_till(hub, hub_clock)]
    bills = [t.lookup("bjwater", WATER) for t in tills]
    requests_ = [
        t.request("bjwater", WATER, b.amount_due_fen + b.penalty_fen, query_no=b.query_no)
        for t, b in zip(tills, bills, strict=True)
    ]
    outcomes: list[str] = []
    gate = threading.Barrier(2)

    def run(i: int) -> None:
        gate.wait()
        try:
            outcomes.append(tills[i].client.bill_pay(requests_[i]).status)
        except HubRefused as exc:
            outcomes.append(exc.error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["duplicate_bill", "pending"], outcomes
    with hub.db.reading() as session:
        paid = session.scalars(
            billers.select(billers.BillPayment).where(billers.BillPayment.account == WATER)
        ).all()
    assert len(paid) == 1
    tills[1].client.close()


# --- stores, statement, report ---------------------------------------------------------------


def test_a_store_never_sees_another_stores_payments(
    till: Till, hub: RunningHub, hub_clock: HubClock
) -> None:
    other = make_till(hub, hub_clock)
    mine = till.client.bill_pay(till.request("cc-repay", CMB_CREDIT, 10000))
    assert other.results() == {}
    assert other.client.bill_payment(mine.payment_id) is None
    assert other.client.bill_statement("2026-11-26").count == 0
    # the same payment id in another store is another payment
    again = other.request("cc-repay", CMB_CREDIT, 777, payment_id=mine.payment_id)
    assert other.client.bill_pay(again).amount_fen == 777
    assert set(till.results()) == set(other.results()) == {mine.payment_id}
    assert till.results()[mine.payment_id]["amount_fen"] == 10000
    other.client.close()


def test_the_statement_adds_up_to_the_fen(till: Till) -> None:
    till.script("success,pending:600,failed:card_closed,success")
    made = [
        till.client.bill_pay(till.request("cc-repay", CMB_CREDIT, 12345)),
        till.client.bill_pay(till.request("cmcc", CMCC_NUMBER, 10000)),
        till.client.bill_pay(till.request("cc-repay", CMBC_CREDIT, 50001)),
        till.client.bill_pay(till.request("ctcc", "18912340000", 2000)),
    ]
    assert [m.status for m in made] == ["success", "pending", "failed", "success"]
    day = till.client.bill_statement("2026-11-26")
    assert [r.payment_id for r in day.rows] == [m.payment_id for m in made]
    assert day.count == 4 and day.amount_fen == 12345 + 10000 + 50001 + 2000
    assert (day.success_fen, day.pending_fen, day.failed_fen) == (14345, 10000, 50001)
    assert day.commission_fen == 100 + 36  # ¥1 a repayment; 1.8 % of ¥20, half up
    assert day.owed_fen == 14345 + 10000 - 136
    assert [r.kind for r in day.rows] == ["credit_card", "mobile", "credit_card", "mobile"]
    assert till.client.bill_statement("2026-11-25").count == 0
    report = till.hub.report(till.store_id, "2026-11-26")
    assert (report["bill_payments_count"], report["bill_payments_total_fen"]) == (3, 24345)
    assert till.hub.report(till.store_id)["bill_payments_total_fen"] == 24345
    assert report["bill_payments_by_status"] == {
        "success": {"count": 2, "amount_fen": 14345},
        "pending": {"count": 1, "amount_fen": 10000},
        "failed": {"count": 1, "amount_fen": 50001},
    }
    assert report["bill_commission_fen"] == 136


def test_the_day_is_chinas(till: Till) -> None:
    till.clock.set(MORNING.replace(hour=0, minute=45))  # 16:45 UTC the day before
    till.client.bill_pay(till.request("cmcc", CMCC_NUMBER, 1000))
    assert till.client.bill_statement("2026-11-26").count == 1
    assert till.client.bill_statement("2026-11-25").count == 0


def test_an_event_for_a_biller_the_hub_does_not_know_is_failed_and_listed(till: Till) -> None:
    request = till.request("gone-biller", "12345678", 1000)
    assert till.event(protocol.BILL_ACCEPTED_EVENT, request).status == "applied"
    result = till.results()[request.payment_id]
    assert (result["status"], result["reason_code"]) == ("failed", "unknown_biller")
    [row] = till.client.bill_statement("2026-11-26").rows
    assert (row.kind, row.status, row.account_masked) == ("unknown", "failed", "****5678")
