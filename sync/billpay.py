"""`HubBillPay`: the core's `storebox.ports.BillPay` through the hub's biller platform, over the
shop's typed client. The window calls it off the UI thread, as it does `sync.wallet.HubWallet`.

How the hub's answers become the port's:

* no connection could be opened (`HubUnreachable`), or the caller's own "offline" signal:
  `BillPayOffline` — nothing is known to have arrived. For a lookup the cashier tries later;
  for a submit the payment is already recorded and its outbox event carries it;
* any other transient failure (a timeout, a cut answer, a 5xx, `biller_unavailable`) from
  `submit` or `query` is also `BillPayOffline`: the core leaves the payment pending and the
  `bill_results` stream brings its result — a timeout is never a failure (REFERENCE.md);
* a 4xx refusal is `BillPayRefused` with the hub's error code (invalid_account, no_bill,
  duplicate_bill, ...) and its sentence;
* a 401/403 (the device revoked) is `BillPayOffline` with the hub's message: the payment can
  not be passed on now, and the owner must enrol again.

`online()` is the caller's cheap signal (the sync agent's last known state) and, after a call
that found the hub unreachable, False for `offline_for` seconds, so that the next payment is
taken under the offline limits at once instead of waiting for a connect timeout.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from typing import Final

from pydantic import ValidationError

from storebox.ports import (
    BillAnswer,
    BillInfo,
    BillOrder,
    BillPayOffline,
    BillPayRefused,
    BillStatementData,
    BillStatementLine,
)
from sync import protocol
from sync.client import HubClient, HubError, HubRefused, HubUnreachable

log = logging.getLogger(__name__)

OFFLINE: Final = "网络不通，无法连接缴费平台 / the bill-payment platform (hub) cannot be reached"
BILLER_DOWN: Final = (
    "缴费单位系统暂不可用，请稍后再试 / the biller's system is not available now; try again later"
)


def answer_of(result: protocol.BillResult) -> BillAnswer:
    """The wire's BillResult as the core's BillAnswer (also the `bill_results` stream's item)."""
    return BillAnswer(
        payment_id=result.payment_id,
        status=result.status,
        biller_reference=result.biller_reference,
        reason_code=result.reason_code,
        message=result.message,
        commission_fen=result.commission_fen,
        final_at=result.final_at,
        refunded=result.refunded,
        amount_fen=result.amount_fen,
        number=result.number,
        biller_id=result.biller_id,
        account_masked=result.account_masked,
        accepted_at=result.accepted_at,
    )


def request_of(order: BillOrder) -> protocol.BillPaymentRequest:
    return protocol.BillPaymentRequest(
        payment_id=order.payment_id,
        biller_id=order.biller_id,
        account=order.account,
        amount_fen=order.amount_fen,
        query_no=order.query_no,
        tender="card" if order.tender == "card" else "cash",
        accepted_offline=order.accepted_offline,
        accepted_at=order.accepted_at,
        number=order.number,
        business_day=order.business_day,
    )


def statement_of(
    statement: protocol.BillStatement, device_id: str | None = None
) -> BillStatementData:
    """The core's view of a statement; with `device_id` (this till's), a row another device took
    is marked `other_till` (a row that names no device cannot be told apart and is not)."""
    return BillStatementData(
        day=statement.day,
        lines=tuple(
            BillStatementLine(
                payment_id=r.payment_id,
                number=r.number,
                biller_id=r.biller_id,
                amount_fen=r.amount_fen,
                status=r.status,
                refunded=r.refunded,
                commission_fen=r.commission_fen,
                accepted_at=r.accepted_at,
                account_masked=r.account_masked,
                biller_reference=r.biller_reference,
                other_till=bool(device_id and r.device_id and r.device_id != device_id),
            )
            for r in statement.rows
        ),
        count=statement.count,
        amount_fen=statement.amount_fen,
        commission_fen=statement.commission_fen,
        owed_fen=statement.owed_fen,
    )


class HubBillPay:
    """`BillPay` through the hub. `online`, if given, is asked before a payment is taken as
    online (e.g. the sync agent's last known state)."""

    def __init__(
        self,
        client: HubClient,
        *,
        online: Callable[[], bool] | None = None,
        offline_for: float = 60.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self._online = online
        self.offline_for = offline_for
        self._monotonic = monotonic
        self._unreachable_at: float | None = None

    def online(self) -> bool:
        if self._unreachable_at is not None:
            if self._monotonic() - self._unreachable_at < self.offline_for:
                return False
            self._unreachable_at = None
        return self._online() if self._online is not None else True

    def _failed(self, exc: HubError) -> BillPayOffline:
        if isinstance(exc, HubUnreachable):
            self._unreachable_at = self._monotonic()
            return BillPayOffline(OFFLINE)
        if exc.error == "biller_unavailable":  # the hub answered: the biller's side is down
            return BillPayOffline(f"{BILLER_DOWN}: {exc.message}"[:300])
        return BillPayOffline(f"{OFFLINE}: {exc.message}"[:300])

    def _refused(self, exc: HubRefused) -> BillPayOffline | BillPayRefused:
        if exc.status in (401, 403):
            return BillPayOffline(f"{OFFLINE}: {exc.message}"[:300])
        return BillPayRefused(exc.message[:300], exc.error or "refused")

    def lookup(self, biller_id: str, account: str) -> BillInfo:
        try:
            request = protocol.BillLookupRequest(biller_id=biller_id, account=account)
        except ValidationError as exc:
            raise BillPayRefused(
                f"号码格式不对 / cannot ask for this account: {exc.errors()[0]['msg']}",
                "invalid_account",
            ) from None
        try:
            bill = self.client.bill_lookup(request)
        except HubRefused as exc:
            raise self._refused(exc) from None
        except HubError as exc:
            raise self._failed(exc) from None
        return BillInfo(
            biller_id=bill.biller_id,
            account_masked=bill.account_masked,
            holder_masked=bill.holder_masked,
            amount_due_fen=bill.amount_due_fen,
            query_no=bill.query_no,
            expires_at=bill.expires_at,
            penalty_fen=bill.penalty_fen,
            balance_fen=bill.balance_fen,
            due_date=bill.due_date,
            period=bill.period,
        )

    def submit(self, order: BillOrder) -> BillAnswer:
        try:
            request = request_of(order)
        except ValidationError as exc:
            raise BillPayRefused(
                f"缴费请求无效 / this payment cannot be sent: {exc.errors()[0]['msg']}",
                "invalid_request",
            ) from None
        try:
            return answer_of(self.client.bill_pay(request))
        except HubRefused as exc:
            raise self._refused(exc) from None
        except HubError as exc:
            raise self._failed(exc) from None

    def query(self, payment_id: str) -> BillAnswer | None:
        try:
            result = self.client.bill_payment(payment_id)
        except HubRefused as exc:
            raise self._refused(exc) from None
        except HubError as exc:
            raise self._failed(exc) from None
        return None if result is None else answer_of(result)

    def statement(self, day: dt.date) -> BillStatementData:
        try:
            device_id = self.client.me().device_id
            return statement_of(self.client.bill_statement(day.isoformat()), device_id)
        except HubRefused as exc:
            raise self._refused(exc) from None
        except HubError as exc:
            raise self._failed(exc) from None
