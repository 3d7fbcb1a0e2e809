"""`HubWallet`: the core's wallet ports (`storebox.ports.WalletPayments`, `DynamicQr`) through
the hub's acquirer, over the shop's typed client.

The rules the core relies on:

* a request that certainly never left the shop (no connection could be opened, or the owner's
  own "offline" signal) raises `ShopError` at once with a message offering cash or card — no
  money moved, so the core may simply take another tender;
* anything else that is not a final answer — a timeout, a cut answer, a 5xx, an answer about
  another order — is UNKNOWN, never declined or approved: the core queries, then reverses;
* "user paying" (the customer types the password on the phone) is polled until final within
  `pay_deadline` seconds; still not final then is UNKNOWN;
* a reversal the acquirer refuses as too early (WeChat: 15 s) is retried once the hub's
  Retry-After has passed, within `reverse_wait` seconds; one refused while the customer is still
  confirming is retried after polling.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Final

from pydantic import ValidationError

from storebox.errors import ShopError
from storebox.ports import PaymentResult, PaymentStatus, QrOrder, QrState
from sync import protocol
from sync.client import HubClient, HubError, HubRefused, HubUnreachable

log = logging.getLogger(__name__)

OFFLINE: Final = (
    "网络不通，无法扫码收款，请收现金或刷卡 / the hub cannot be reached: wallet payments are "
    "not possible now; take cash or card (nothing was charged)"
)
WALLET_NAMES: Final = {
    "wechat": "微信支付 WeChat Pay",
    "alipay": "支付宝 Alipay",
    "unionpay": "云闪付 UnionPay",
}

_PAYMENT_STATUS: Final = {
    "approved": PaymentStatus.APPROVED,
    "refunded": PaymentStatus.APPROVED,  # it was paid; the refund is its own order
    "declined": PaymentStatus.DECLINED,
    "closed": PaymentStatus.DECLINED,
    "reversed": PaymentStatus.DECLINED,
    "user_paying": PaymentStatus.UNKNOWN,
    "unknown": PaymentStatus.UNKNOWN,
}


def _result(answer: protocol.OrderAnswer, status: PaymentStatus) -> PaymentResult:
    return PaymentResult(
        status=status,
        amount_fen=answer.amount_fen,
        reference=answer.reference,
        message=answer.message,
        trace=answer.acquirer_reference,
        card_name=WALLET_NAMES.get(answer.wallet or "", ""),
        extra={
            "acquirer_reference": answer.acquirer_reference,
            "wallet": answer.wallet or "",
            "acquirer_status": answer.status,
        },
    )


def _unknown(amount_fen: int, reference: str, why: str) -> PaymentResult:
    return PaymentResult(
        PaymentStatus.UNKNOWN,
        amount_fen,
        reference,
        f"结果未知 / no final answer from the acquirer: {why}"[:300],
    )


class HubWallet:
    """`WalletPayments` and `DynamicQr` through the hub. `online`, if given, is asked before a
    new payment (e.g. the sync agent's last known state): False refuses at once."""

    def __init__(
        self,
        client: HubClient,
        *,
        online: Callable[[], bool] | None = None,
        poll_interval: float = 2.0,
        pay_deadline: float = 60.0,
        reverse_wait: float = 20.0,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
        description: str = "storebox",
    ) -> None:
        self.client = client
        self.online = online
        self.poll_interval = poll_interval
        self.pay_deadline = pay_deadline
        self.reverse_wait = reverse_wait
        self._sleep = sleep
        self._monotonic = monotonic
        self.description = description

    # --- WalletPayments ----------------------------------------------------------------------

    def micropay(self, auth_code: str, amount_fen: int, reference: str) -> PaymentResult:
        if protocol.wallet_of(auth_code) is None:
            raise ShopError(
                "付款码无法识别，请顾客刷新后重扫 / not a WeChat, Alipay or UnionPay payment code; "
                "ask the customer to refresh it and scan again (nothing was charged)"
            )
        try:
            request = protocol.MicropayRequest(
                reference=reference,
                auth_code=auth_code,
                amount_fen=amount_fen,
                description=self.description,
            )
        except ValidationError as exc:
            raise ShopError(
                f"扫码收款参数无效 / cannot send this payment: {exc.errors()[0]['msg']}"
            ) from None
        if self.online is not None and not self.online():
            raise ShopError(OFFLINE)
        try:
            answer = self.client.micropay(request)
        except HubUnreachable:
            raise ShopError(OFFLINE) from None
        except HubRefused as exc:
            if exc.status in (401, 403):
                raise ShopError(f"{exc.message} — {OFFLINE}") from None
            if exc.error == "idempotency_conflict" or exc.status == 409:
                return _unknown(amount_fen, reference, exc.message)
            return PaymentResult(PaymentStatus.DECLINED, amount_fen, reference, exc.message[:300])
        except HubError as exc:
            return _unknown(amount_fen, reference, exc.message)
        if answer.status == "user_paying":
            return self._wait_for_customer(answer)
        return _result(answer, _PAYMENT_STATUS[answer.status])

    def _wait_for_customer(self, answer: protocol.OrderAnswer) -> PaymentResult:
        deadline = self._monotonic() + self.pay_deadline
        last = answer
        while self._monotonic() < deadline:
            self._sleep(self.poll_interval)
            try:
                last = self.client.query_order(answer.reference)
            except HubError as exc:  # keep asking until the deadline
                log.info("query of %s failed while the customer pays: %s", answer.reference, exc)
                continue
            if last.status != "user_paying":
                return _result(last, _PAYMENT_STATUS[last.status])
        return _result(
            last.model_copy(
                update={
                    "message": "顾客未在时限内完成支付 / the customer did not finish paying in time"
                }
            ),
            PaymentStatus.UNKNOWN,
        )

    def query(self, reference: str) -> PaymentResult:
        try:
            answer = self.client.query_order(reference)
        except HubRefused as exc:
            if exc.status == 404:  # not arrived (yet?): only a reversal makes that final
                return _unknown(0, reference, "the acquirer has no such order (yet)")
            return _unknown(0, reference, exc.message)
        except HubError as exc:
            return _unknown(0, reference, exc.message)
        return _result(answer, _PAYMENT_STATUS[answer.status])

    def reverse(self, reference: str) -> PaymentResult:
        """APPROVED = the acquirer confirms it holds no money of this order (reversed, or it
        never went through); DECLINED = it refuses (e.g. already refunded); else UNKNOWN."""
        deadline = self._monotonic() + max(self.reverse_wait, self.pay_deadline)
        while True:
            try:
                answer = self.client.reverse_order(reference)
            except HubRefused as exc:
                wait: float | None = None
                if exc.error == "too_early":
                    wait = exc.retry_after if exc.retry_after is not None else 15.0
                elif exc.error == "user_paying":
                    wait = self.poll_interval
                if wait is None:
                    return PaymentResult(PaymentStatus.DECLINED, 0, reference, exc.message[:300])
                if self._monotonic() + wait > deadline:
                    return _unknown(0, reference, exc.message)
                self._sleep(wait)
                continue
            except HubError as exc:
                return _unknown(0, reference, exc.message)
            if answer.status in ("reversed", "closed", "declined"):
                return _result(answer, PaymentStatus.APPROVED)
            return _unknown(answer.amount_fen, reference, f"the order is {answer.status}")

    def refund(self, original: PaymentResult, amount_fen: int, reference: str) -> PaymentResult:
        try:
            request = protocol.RefundRequest(
                reference=reference, original_reference=original.reference, amount_fen=amount_fen
            )
        except ValidationError as exc:
            raise ShopError(
                f"退款参数无效 / cannot send this refund: {exc.errors()[0]['msg']}"
            ) from None
        try:
            answer = self.client.refund_order(request)
        except HubUnreachable:
            raise ShopError(
                "网络不通，无法原路退款 / the hub cannot be reached: the wallet refund was not "
                "sent; try again later or refund in cash"
            ) from None
        except HubRefused as exc:
            if exc.error == "idempotency_conflict":
                return _unknown(amount_fen, reference, exc.message)
            return PaymentResult(PaymentStatus.DECLINED, amount_fen, reference, exc.message[:300])
        except HubError as exc:
            return _unknown(amount_fen, reference, exc.message)
        status = (
            PaymentStatus.APPROVED
            if answer.status == "approved"
            else (_PAYMENT_STATUS[answer.status])
        )
        return _result(answer, status)

    # --- DynamicQr ---------------------------------------------------------------------------

    @staticmethod
    def _qr(answer: protocol.OrderAnswer) -> QrOrder:
        state = {
            "user_paying": QrState.WAITING,
            "approved": QrState.PAID,
            "refunded": QrState.PAID,
            "closed": QrState.CLOSED,
            "reversed": QrState.CLOSED,
            "declined": QrState.CLOSED,
        }.get(answer.status, QrState.UNKNOWN)
        return QrOrder(
            reference=answer.reference,
            state=state,
            amount_fen=answer.amount_fen,
            payload=answer.qr_payload or "",
            expires_at=answer.expires_at,
            message=answer.message,
            wallet=answer.wallet or "",
            acquirer_reference=answer.acquirer_reference,
        )

    def create(self, amount_fen: int, reference: str, sale_reference: str = "") -> QrOrder:
        try:
            request = protocol.QrCreateRequest(
                reference=reference,
                amount_fen=amount_fen,
                sale_reference=sale_reference,
                description=self.description,
            )
        except ValidationError as exc:
            raise ShopError(
                f"收款码参数无效 / cannot make this code: {exc.errors()[0]['msg']}"
            ) from None
        if self.online is not None and not self.online():
            raise ShopError(OFFLINE)
        try:
            return self._qr(self.client.create_qr(request))
        except HubUnreachable:
            raise ShopError(OFFLINE) from None
        except HubRefused as exc:
            raise ShopError(exc.message) from None
        except HubError as exc:  # it may exist at the hub: ask with status() / close()
            return QrOrder(reference, QrState.UNKNOWN, amount_fen, message=exc.message[:300])

    def status(self, reference: str) -> QrOrder:
        try:
            return self._qr(self.client.query_order(reference))
        except HubError as exc:
            return QrOrder(reference, QrState.UNKNOWN, 0, message=exc.message[:300])

    def close(self, reference: str) -> QrOrder:
        try:
            return self._qr(self.client.close_qr(reference))
        except HubRefused as exc:
            if exc.status == 409:  # paid meanwhile: say so
                return self.status(reference)
            return QrOrder(reference, QrState.UNKNOWN, 0, message=exc.message[:300])
        except HubError as exc:
            return QrOrder(reference, QrState.UNKNOWN, 0, message=exc.message[:300])
