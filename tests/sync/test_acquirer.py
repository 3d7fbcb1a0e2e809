"""The hub's simulated acquirer over HTTP on loopback (issue 6): each scripted behaviour,
idempotent replays, the WeChat 15-second reversal rule on a moved clock, refunds, dynamic QR
orders, the settlement file, bad input, and one store's device never seeing another's orders."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from sync import emvco, protocol
from sync.client import HubClient, HubRefused, HubUnavailable, HubUnreachable
from sync.hub import acquirer
from sync.hub.errors import AdminError
from tests.sync.acquirer_fixtures import ALIPAY, UNIONPAY, WECHAT, HubClock, Till, make_till
from tests.sync.conftest import RunningHub


@pytest.fixture
def hub_clock(monkeypatch: pytest.MonkeyPatch) -> HubClock:
    return HubClock(monkeypatch)


@pytest.fixture
def till(hub: RunningHub, hub_clock: HubClock) -> Iterator[Till]:
    made = make_till(hub)
    yield made
    made.client.close()


def ref() -> str:
    return str(uuid.uuid4())


def pay(till: Till, amount: int = 1250, code: str = WECHAT, reference: str | None = None):
    return till.client.micropay(
        protocol.MicropayRequest(
            reference=reference or ref(), auth_code=code, amount_fen=amount, sale_reference="S1"
        )
    )


# --- wallets from codes --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "wallet"),
    [
        (WECHAT, "wechat"),
        ("101234567890123456", "wechat"),
        ("151234567890123456", "wechat"),
        (ALIPAY, "alipay"),
        ("2512345678901234", "alipay"),
        ("301234567890123456789012", "alipay"),
        (UNIONPAY, "unionpay"),
        ("161234567890123456", None),  # 18 digits but 16…
        ("13456789012345678", None),  # WeChat prefix, 17 digits
        ("621234567890123456", None),  # 62… but 18 digits
        ("3112345678901234", None),
    ],
)
def test_the_wallet_is_recognised_from_the_code(code: str, wallet: str | None) -> None:
    assert protocol.wallet_of(code) == wallet


# --- scripted behaviours -------------------------------------------------------------------


def test_approve_then_a_replay_answers_the_same_order_and_consumes_no_step(till: Till) -> None:
    till.script("approve,decline")
    reference = ref()
    first = pay(till, 1250, reference=reference)
    assert (first.status, first.wallet, first.amount_fen) == ("approved", "wechat", 1250)
    again = pay(till, 1250, reference=reference)
    assert again.acquirer_reference == first.acquirer_reference
    assert again.status == "approved"
    # the replay did not consume "decline": the next new payment gets it
    assert pay(till, 100).status == "declined"
    assert pay(till, 100).status == "approved"  # script empty: approve


def test_the_same_key_with_other_parameters_is_refused_and_changes_nothing(till: Till) -> None:
    reference = ref()
    pay(till, 1250, reference=reference)
    for amount, code in ((1251, WECHAT), (1250, ALIPAY)):
        with pytest.raises(HubRefused) as caught:
            pay(till, amount, code=code, reference=reference)
        assert caught.value.status == 422 and caught.value.error == "idempotency_conflict"
    order = till.client.query_order(reference)
    assert (order.amount_fen, order.wallet, order.status) == (1250, "wechat", "approved")


@pytest.mark.parametrize(
    ("step", "words"),
    [("decline", "insufficient funds"), ("decline:code_expired", "expired")],
)
def test_decline(till: Till, step: str, words: str) -> None:
    till.script(step)
    answer = pay(till)
    assert answer.status == "declined" and words in answer.message
    assert till.client.query_order(answer.reference).status == "declined"


@pytest.mark.parametrize(
    ("step", "final"), [("user_paying:5", "approved"), ("user_paying:5:decline", "declined")]
)
def test_user_paying_becomes_final_when_the_customer_is_done(
    till: Till, hub_clock: HubClock, step: str, final: str
) -> None:
    till.script(step)
    answer = pay(till, 800)
    assert answer.status == "user_paying"
    hub_clock.advance(4)
    assert till.client.query_order(answer.reference).status == "user_paying"
    with pytest.raises(HubRefused) as caught:  # an order in USERPAYING cannot be reversed
        till.client.reverse_order(answer.reference)
    assert caught.value.status == 409 and caught.value.error == "user_paying"
    hub_clock.advance(1.5)
    assert till.client.query_order(answer.reference).status == final


def test_timeout_decides_the_outcome_but_answers_after_the_read_timeout(hub: RunningHub) -> None:
    slow = make_till(hub, read_timeout=0.5)
    slow.script("timeout:2")
    reference = ref()
    started = time.monotonic()
    with pytest.raises(HubUnavailable) as caught:
        pay(slow, 990, reference=reference)
    assert not isinstance(caught.value, HubUnreachable)  # it was sent: the outcome is unknown
    assert time.monotonic() - started < 1.9
    # while the hub still holds its answer back, the query already knows: approved
    assert slow.client.query_order(reference).status == "approved"
    assert pay(slow, 990, reference=reference).status == "approved"  # a retry: the same order
    time.sleep(1.6)  # let the held answer go before the hub stops


def test_timeout_can_decline(hub: RunningHub) -> None:
    slow = make_till(hub, read_timeout=0.3)
    slow.script("timeout:1:decline")
    reference = ref()
    with pytest.raises(HubUnavailable):
        pay(slow, 990, reference=reference)
    assert slow.client.query_order(reference).status == "declined"
    time.sleep(0.8)


def test_duplicate_answers_unknown_and_the_query_says_paid(till: Till) -> None:
    till.script("duplicate")
    answer = pay(till, 500)
    assert answer.status == "unknown" and "ORDERPAID" in answer.message
    assert till.client.query_order(answer.reference).status == "approved"
    assert till.settlement().payments_fen == 500  # charged once


def test_concurrent_requests_with_one_key_make_one_order(till: Till) -> None:
    till.script("approve")
    reference = ref()
    answers: list[str] = []
    errors: list[BaseException] = []

    def go() -> None:
        client = HubClient(till.client.base_url, till.client.token)
        try:
            answers.append(
                client.micropay(
                    protocol.MicropayRequest(reference=reference, auth_code=WECHAT, amount_fen=700)
                ).acquirer_reference
            )
        except BaseException as exc:
            errors.append(exc)
        finally:
            client.close()

    threads = [threading.Thread(target=go) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(set(answers)) == 1 and len(answers) == 6
    assert till.settlement().payments_count == 1


def test_bad_scripts_are_refused_whole(till: Till) -> None:
    till.script("decline")
    for bad in ("approve,maybe", "user_paying", "user_paying:0", "timeout:9999", "decline:bored"):
        with pytest.raises(AdminError):
            till.script(bad)
    assert pay(till).status == "declined"  # the old script stands


# --- reverse -------------------------------------------------------------------------------


def test_wechat_reverse_is_refused_within_15_s_then_gives_the_money_back(
    till: Till, hub_clock: HubClock
) -> None:
    answer = pay(till, 1500)
    hub_clock.advance(14)
    with pytest.raises(HubRefused) as caught:
        till.client.reverse_order(answer.reference)
    assert caught.value.status == 409 and caught.value.error == "too_early"
    assert caught.value.retry_after is not None and 1 <= caught.value.retry_after <= 2
    assert till.client.query_order(answer.reference).status == "approved"  # nothing changed
    hub_clock.advance(1.5)
    reversed_ = till.client.reverse_order(answer.reference)
    assert reversed_.status == "reversed"
    assert till.client.reverse_order(answer.reference).status == "reversed"  # idempotent
    assert till.client.query_order(answer.reference).status == "reversed"
    day = till.settlement()
    assert (day.payments_fen, day.net_fen, day.payments_count) == (0, 0, 0)
    assert [(r.status, r.net_fen, r.fee_fen) for r in day.rows] == [("reversed", 0, 0)]


def test_alipay_can_be_reversed_at_once(till: Till) -> None:
    answer = pay(till, 1500, code=ALIPAY)
    assert till.client.reverse_order(answer.reference).status == "reversed"


def test_reversing_an_order_never_received_closes_its_key(till: Till) -> None:
    reference = ref()
    tomb = till.client.reverse_order(reference)
    assert (tomb.status, tomb.amount_fen) == ("reversed", 0)
    late = pay(till, 900, reference=reference)  # the micropay arrives after the reversal
    assert late.status == "reversed"
    assert till.settlement().rows == []


def test_a_refunded_payment_cannot_be_reversed(till: Till, hub_clock: HubClock) -> None:
    answer = pay(till, 1000)
    till.client.refund_order(
        protocol.RefundRequest(reference=ref(), original_reference=answer.reference, amount_fen=1)
    )
    hub_clock.advance(20)
    with pytest.raises(HubRefused) as caught:
        till.client.reverse_order(answer.reference)
    assert caught.value.status == 409 and caught.value.error == "not_reversible"


# --- refunds -------------------------------------------------------------------------------


def test_partial_refunds_never_exceed_the_original(till: Till) -> None:
    original = pay(till, 1000, code=ALIPAY)
    r1 = ref()
    first = till.client.refund_order(
        protocol.RefundRequest(reference=r1, original_reference=original.reference, amount_fen=300)
    )
    assert (first.status, first.kind, first.original_reference) == (
        "approved",
        "refund",
        original.reference,
    )
    replay = till.client.refund_order(
        protocol.RefundRequest(reference=r1, original_reference=original.reference, amount_fen=300)
    )
    assert replay.acquirer_reference == first.acquirer_reference
    with pytest.raises(HubRefused) as caught:
        till.client.refund_order(
            protocol.RefundRequest(
                reference=ref(), original_reference=original.reference, amount_fen=701
            )
        )
    assert caught.value.status == 422 and caught.value.error == "refund_too_large"
    assert till.client.query_order(original.reference).refunded_fen == 300  # unchanged
    till.client.refund_order(
        protocol.RefundRequest(
            reference=ref(), original_reference=original.reference, amount_fen=700
        )
    )
    after = till.client.query_order(original.reference)
    assert (after.status, after.refunded_fen) == ("refunded", 1000)
    day = till.settlement()
    assert (day.payments_fen, day.refunds_fen) == (1000, 1000)
    assert sum(r.fee_fen for r in day.rows) == day.fees_fen
    assert day.net_fen == sum(r.net_fen for r in day.rows)


def test_refund_of_a_declined_or_unknown_payment_is_refused(till: Till) -> None:
    till.script("decline")
    declined = pay(till, 500)
    with pytest.raises(HubRefused) as caught:
        till.client.refund_order(
            protocol.RefundRequest(
                reference=ref(), original_reference=declined.reference, amount_fen=500
            )
        )
    assert caught.value.status == 409
    with pytest.raises(HubRefused) as caught:
        till.client.refund_order(
            protocol.RefundRequest(reference=ref(), original_reference=ref(), amount_fen=500)
        )
    assert caught.value.status == 404


# --- dynamic QR ----------------------------------------------------------------------------


def test_dynamic_qr_payload_field_by_field(till: Till) -> None:
    created = till.client.create_qr(
        protocol.QrCreateRequest(reference=ref(), amount_fen=1234, sale_reference="S1125-01-0007")
    )
    assert created.status == "user_paying" and created.kind == "qr"
    assert created.expires_at is not None
    assert (
        dt.timedelta(seconds=299)
        <= created.expires_at - created.created_at
        <= dt.timedelta(seconds=301)
    )
    payload = created.qr_payload
    assert payload is not None
    fields = emvco.parse_fields(payload)
    assert [tag for tag, _ in fields][:2] == ["00", "01"] and fields[-1][0] == "63"
    top = dict(fields)
    assert top["00"] == "01"
    assert top["01"] == "12"  # dynamic
    account = emvco.parse_template(top["26"])
    assert account["00"] == acquirer.QR_GUID
    assert account["01"] == till.store_id.replace("-", "")
    assert top["52"] == "5499"
    assert top["53"] == "156"
    assert top["54"] == "12.34" and emvco.amount_fen(top["54"]) == 1234
    assert top["58"] == "CN"
    assert top["59"].startswith("STOREBOX") and len(top["59"]) <= 25
    assert top["60"] == "BEIJING"
    extra = emvco.parse_template(top["62"])
    assert extra["01"] == "S1125-01-0007"
    assert extra["05"] == created.acquirer_reference
    language = emvco.parse_template(top["64"])
    assert language["00"] == "ZH" and language["01"] == "测试便利店"
    # every length counts characters (the Chinese name included)
    for tag, value in fields:
        assert payload.count(f"{tag}{len(value):02d}{value}") >= 1
    # the CRC, by an independent implementation (binascii's CRC-CCITT with init 0xFFFF)
    import binascii

    assert payload[-8:-4] == "6304"
    assert top["63"] == f"{binascii.crc_hqx(payload[:-4].encode('utf-8'), 0xFFFF):04X}"
    assert emvco.parse(payload)["54"] == "12.34"


def test_dynamic_qr_paid_by_the_customer(till: Till) -> None:
    reference = ref()
    created = till.client.create_qr(protocol.QrCreateRequest(reference=reference, amount_fen=2000))
    assert till.client.query_order(reference).status == "user_paying"
    again = till.client.create_qr(protocol.QrCreateRequest(reference=reference, amount_fen=2000))
    assert again.qr_payload == created.qr_payload
    paid = acquirer.customer_pays(till.hub.db, till.store_id, reference, "wechat")
    assert (paid.status, paid.wallet) == ("approved", "wechat")
    assert till.client.query_order(reference).status == "approved"
    with pytest.raises(HubRefused) as caught:
        till.client.close_qr(reference)
    assert caught.value.status == 409
    assert till.settlement().payments_fen == 2000


def test_dynamic_qr_closed_or_expired_cannot_be_paid(till: Till, hub_clock: HubClock) -> None:
    closed = ref()
    till.client.create_qr(protocol.QrCreateRequest(reference=closed, amount_fen=100))
    assert till.client.close_qr(closed).status == "closed"
    assert till.client.close_qr(closed).status == "closed"
    with pytest.raises(AdminError):
        acquirer.customer_pays(till.hub.db, till.store_id, closed)
    expiring = ref()
    till.client.create_qr(
        protocol.QrCreateRequest(reference=expiring, amount_fen=100, expires_in_s=30)
    )
    hub_clock.advance(31)
    assert till.client.query_order(expiring).status == "closed"
    with pytest.raises(AdminError):
        acquirer.customer_pays(till.hub.db, till.store_id, expiring)
    assert till.settlement().rows == []


# --- EMVCo codec, against published values -------------------------------------------------

EMVCO_EXAMPLE = (  # the EMVCo MPM specification's example payload (Appendix), CRC A13A
    "00020101021229300012D156000000000510A93FO3230Q31280012D15600000001030812345678520441115802"
    "CN5914BEST TRANSPORT6007BEIJING64200002ZH0104最佳运输0202北京540523.7253031565502016233030412"
    "340603***0708A60086670902ME91320016A0112233449988770708123456786304A13A"
)


def test_crc_check_value_and_the_published_example() -> None:
    import binascii

    assert emvco.crc16_ccitt_false(b"123456789") == 0x29B1  # the catalogue's check value
    fields = emvco.parse(EMVCO_EXAMPLE)
    assert (fields["54"], fields["53"], fields["58"], fields["63"]) == (
        "23.72",
        "156",
        "CN",
        "A13A",
    )
    assert binascii.crc_hqx(EMVCO_EXAMPLE[:-4].encode(), 0xFFFF) == 0xA13A
    assert emvco.parse_template(fields["64"]) == {"00": "ZH", "01": "最佳运输", "02": "北京"}
    tampered = EMVCO_EXAMPLE.replace("23.72", "23.73")
    with pytest.raises(emvco.EmvcoError, match="CRC"):
        emvco.parse(tampered)


@pytest.mark.parametrize("amount", [1, 99, 100, 1234, 10_000_000])
def test_amount_round_trip(amount: int) -> None:
    assert emvco.amount_fen(emvco.format_amount(amount)) == amount


# --- bad input -----------------------------------------------------------------------------


def test_bad_input_is_refused_clearly_and_changes_nothing(till: Till) -> None:
    http = till.hub.session(str(till.client.token))
    url = till.hub.base_url
    reference = ref()
    cases = [
        ({"reference": reference, "auth_code": WECHAT, "amount_fen": 0}, "amount_fen"),
        ({"reference": reference, "auth_code": WECHAT, "amount_fen": -5}, "amount_fen"),
        ({"reference": reference, "auth_code": "12ab", "amount_fen": 100}, "auth_code"),
        ({"reference": reference, "auth_code": WECHAT, "amount_fen": 1.5}, "amount_fen"),
        ({"reference": "../x", "auth_code": WECHAT, "amount_fen": 100}, "reference"),
    ]
    for body, where in cases:
        answer = http.post(url + protocol.MICROPAY_PATH, json=body, timeout=10)
        assert answer.status_code == 422, body
        assert answer.json()["error"] == "invalid_request" and where in answer.json()["detail"]
    answer = http.post(
        url + protocol.MICROPAY_PATH,
        json={"reference": reference, "auth_code": "991234567890123456", "amount_fen": 100},
        timeout=10,
    )
    assert answer.status_code == 422 and "auth_code" in answer.json()["detail"]
    # none of them left an order behind
    assert (
        http.get(url + protocol.ORDER_PATH.format(reference=reference), timeout=10).status_code
        == 404
    )
    for path in (protocol.ORDER_PATH, protocol.QR_CLOSE_PATH):
        method = http.get if path == protocol.ORDER_PATH else http.post
        answer = method(url + path.format(reference=ref()), timeout=10)
        assert answer.status_code == 404 and answer.json()["error"] == "not_found"
    answer = http.post(
        url + protocol.QR_PATH, json={"reference": ref(), "amount_fen": 0}, timeout=10
    )
    assert answer.status_code == 422
    answer = http.get(url + protocol.SETTLEMENT_PATH.format(day="2026-13-40"), timeout=10)
    assert answer.status_code == 422
    assert requests.post(url + protocol.MICROPAY_PATH, json={}, timeout=10).status_code in (
        401,
        422,
    )
    assert till.settlement().rows == []


# --- one store's device sees only its own store's orders -----------------------------------


def test_a_device_sees_only_its_own_stores_orders(hub: RunningHub, till: Till) -> None:
    other = make_till(hub)
    mine = pay(till, 1000, code=ALIPAY)
    qr = ref()
    till.client.create_qr(protocol.QrCreateRequest(reference=qr, amount_fen=300))
    for call in (
        lambda: other.client.query_order(mine.reference),
        lambda: other.client.close_qr(qr),
        lambda: other.client.refund_order(
            protocol.RefundRequest(reference=ref(), original_reference=mine.reference, amount_fen=1)
        ),
    ):
        with pytest.raises(HubRefused) as caught:
            call()
        assert caught.value.status == 404
    # a reversal from the other store closes that key in *its* store only
    assert other.client.reverse_order(mine.reference).amount_fen == 0
    assert till.client.query_order(mine.reference).status == "approved"
    # the same reference may be used by both stores independently
    theirs = pay(other, 400, code=ALIPAY, reference=qr)
    assert theirs.status == "approved"
    assert till.client.query_order(qr).kind == "qr"
    assert [r.reference for r in other.settlement().rows] == [qr]
    assert {r.reference for r in till.settlement().rows} == {mine.reference}
    with pytest.raises(AdminError):
        acquirer.customer_pays(hub.db, other.store_id, qr)  # their order is a micropay
    other.client.close()


# --- settlement through the admin command --------------------------------------------------


def test_settlement_and_script_commands(hub: RunningHub, till: Till, tmp_path: Path) -> None:
    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "cli",
                "hub",
                *args,
                "--db",
                hub.db_url,
                "--data-dir",
                str(tmp_path),
            ],
            check=False,
            capture_output=True,
            text=True,
            timeout=60,
        )

    done = cli("acquirer-script", "--store", till.store_id, "decline,approve", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["steps"] == ["decline", "approve"]
    assert cli("acquirer-script", "--store", till.store_id, "sometimes").returncode == 2
    assert pay(till, 100).status == "declined"
    approved = pay(till, 2500)
    day = dt.datetime.now(acquirer.CHINA).date().isoformat()
    done = cli("settlement", "--store", till.store_id, "--date", day, "--json")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["payments_fen"] == 2500 and doc["fees_fen"] == acquirer.fee_of(2500) == 10
    assert [r["reference"] for r in doc["rows"]] == [approved.reference]
    assert doc == till.client.settlement(day).model_dump(mode="json")  # the device's copy
    assert cli("settlement", "--store", till.store_id, "--date", "yesterday").returncode == 2
    assert cli("settlement", "--store", "no-such-store", "--date", day).returncode == 2
    qr = ref()
    till.client.create_qr(protocol.QrCreateRequest(reference=qr, amount_fen=300))
    done = cli("qr-pay", "--store", till.store_id, "--reference", qr, "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["status"] == "approved"
