"""What the core needs from the outside world, as typing.Protocol interfaces.

Drivers (`drivers/`) and the sync client (`sync/`) implement these; the core only ever sees the
port. Each port documents its failure modes, because the core must handle every one of them:
a card outcome that is not known is never treated as declined or approved.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from storebox.errors import ShopError


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """The current instant, timezone-aware, in UTC."""
        ...


class PaymentStatus(enum.StrEnum):
    APPROVED = "approved"
    DECLINED = "declined"
    #: The request left the shop but no final answer came back (line dropped, timeout).
    #: The money may or may not have moved: it must be resolved by enquiry or reversed.
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class PaymentResult:
    """The outcome of a card or wallet payment, refund or reversal.

    Only masked card data ever appears here (first 6 / last 4); never a full number, track
    data or PIN.
    """

    status: PaymentStatus
    amount_fen: int
    reference: str  # our idempotency key / the sale's payment reference
    message: str = ""  # the terminal's or acquirer's words, for the cashier
    auth_code: str = ""
    terminal_id: str = ""
    trace: str = ""
    receipt_no: str = ""
    masked_pan: str = ""
    card_name: str = ""
    extra: dict[str, str] = field(default_factory=dict)


@runtime_checkable
class CardTerminal(Protocol):
    """A card payment terminal, whatever its wire protocol (ZVT, a MIS-POS link, a simulator).

    Calls block until the terminal gives a final answer or its protocol timeout passes; the
    caller runs them off any UI thread. `on_status` receives the terminal's intermediate
    prompts ("insert card", "enter PIN") for the cashier and the customer display.

    Failure modes: a declined payment returns DECLINED; a lost line or a timeout after the
    request was sent returns UNKNOWN (never raises, never guesses); a terminal that cannot be
    reached before anything was sent raises `ShopError`.
    """

    def authorize(
        self, amount_fen: int, reference: str, on_status: StatusCallback | None = None
    ) -> PaymentResult: ...

    def refund(
        self, amount_fen: int, reference: str, on_status: StatusCallback | None = None
    ) -> PaymentResult: ...

    def reverse(self, original: PaymentResult) -> PaymentResult:
        """Cancel an earlier authorisation whose outcome was approved or unknown."""
        ...

    def enquire(self, reference: str) -> PaymentResult:
        """Ask for the final outcome of the last transaction (status enquiry / repeat receipt)."""
        ...


@runtime_checkable
class MatchableTerminal(Protocol):
    """A card terminal whose last transaction another process can match after a crash.

    `match_context` is asked before a payment is sent and answers what the terminal needs to
    tell later whether that payment was carried out (opaque strings: for ZVT the terminal's
    last trace number and the amount). The caller stores it with the payment attempt, before
    the request leaves. `enquire_matching` takes it back — in this process or a fresh one —
    and answers APPROVED (the terminal's last transaction is that payment), DECLINED (the
    terminal carried nothing out since) or UNKNOWN (cannot tell). Raises `ShopError` from
    `match_context` when the terminal cannot be reached: nothing was sent.
    """

    def match_context(self, amount_fen: int, reference: str) -> dict[str, str]: ...

    def enquire_matching(self, reference: str, match: Mapping[str, str]) -> PaymentResult: ...


class StatusCallback(Protocol):
    def __call__(self, message: str) -> None: ...


@runtime_checkable
class WalletPayments(Protocol):
    """Wallet payments (WeChat Pay, Alipay, UnionPay QR) through the hub's acquirer.

    `micropay` takes a customer-presented code (付款码). It needs the network: offline it
    raises `ShopError` at once, before anything is sent. An answer that is not final is
    UNKNOWN, to be queried and, if still unclear, reversed by the caller.
    """

    def micropay(self, auth_code: str, amount_fen: int, reference: str) -> PaymentResult: ...

    def refund(self, original: PaymentResult, amount_fen: int, reference: str) -> PaymentResult: ...

    def query(self, reference: str) -> PaymentResult: ...

    def reverse(self, reference: str) -> PaymentResult: ...


@runtime_checkable
class ReceiptPrinter(Protocol):
    """A receipt printer. `print_document` queues; it never loses a job when the printer is
    offline or out of paper (the driver keeps a persistent queue)."""

    def print_document(
        self, kind: str, payload: dict[str, object], *, reprint: bool = False
    ) -> str:
        """Queue a document from a template in `resources/`; returns the print job id."""
        ...

    def open_drawer(self) -> None: ...


class QrState(enum.StrEnum):
    WAITING = "waiting"  # shown, not paid yet
    PAID = "paid"
    CLOSED = "closed"  # expired or cancelled, unpaid
    UNKNOWN = "unknown"  # no answer: ask again; never take it as paid or unpaid


@dataclass(frozen=True)
class QrOrder:
    """A shop-presented dynamic payment code for one sale (EMVCo merchant-presented payload)."""

    reference: str
    state: QrState
    amount_fen: int
    payload: str = ""
    expires_at: dt.datetime | None = None
    message: str = ""
    wallet: str = ""
    acquirer_reference: str = ""


@runtime_checkable
class DynamicQr(Protocol):
    """Shop-presented codes through the hub's acquirer. `create` needs the network (offline it
    raises `ShopError` before anything is sent); `status` and `close` answer UNKNOWN rather than
    raise when the hub cannot be asked. A code that may have been paid is refunded, not closed."""

    def create(self, amount_fen: int, reference: str, sale_reference: str = "") -> QrOrder: ...

    def status(self, reference: str) -> QrOrder: ...

    def close(self, reference: str) -> QrOrder: ...


# --- convenience payments (便民支付) -----------------------------------------------------------


class BillPayOffline(ShopError):
    """The biller platform (the hub) cannot be reached. For `lookup` and `submit`: nothing is
    known to have arrived; a payment already recorded is submitted again through the outbox."""

    code = "billpay_offline"


class BillPayRefused(ShopError):
    """The platform understood and said no, for good (unknown biller, invalid account, amount
    out of the rules, the bill paid already, ...). `reason` is the wire's error code."""

    code = "billpay_refused"

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class BillInfo:
    """A bill as the biller reports it (the answer to a lookup). The holder's name comes
    masked (张*明): the shop never holds it in full."""

    biller_id: str
    account_masked: str
    holder_masked: str
    amount_due_fen: int
    query_no: str
    expires_at: dt.datetime
    penalty_fen: int = 0
    balance_fen: int = 0
    due_date: dt.date | None = None
    period: str = ""


@dataclass(frozen=True)
class BillOrder:
    """One bill payment as the shop accepted it: what is submitted (and what the outbox event
    `bill_payment.accepted` carries). `payment_id` is the idempotency key."""

    payment_id: str
    biller_id: str
    account: str
    amount_fen: int
    tender: str
    accepted_at: dt.datetime
    number: str
    query_no: str = ""
    accepted_offline: bool = False
    business_day: dt.date | None = None
    """The shop's business day, which the platform's statement and report count it on."""


@dataclass(frozen=True)
class BillAnswer:
    """The platform's word about one payment. status: 'pending' (受理中: the biller has not
    answered; a timeout is never a failure), 'success' (成功) or 'failed' (the shop refunds)."""

    payment_id: str
    status: str
    biller_reference: str = ""
    reason_code: str = ""
    message: str = ""
    commission_fen: int = 0
    final_at: dt.datetime | None = None
    refunded: bool = False
    amount_fen: int = 0
    number: str = ""
    biller_id: str = ""
    account_masked: str = ""
    accepted_at: dt.datetime | None = None


@dataclass(frozen=True)
class BillStatementLine:
    payment_id: str
    number: str
    biller_id: str
    amount_fen: int
    status: str
    refunded: bool
    commission_fen: int
    accepted_at: dt.datetime
    account_masked: str = ""
    biller_reference: str = ""
    other_till: bool = False
    """Taken by another till (device) of the store: counted, not compared with this till's."""


@dataclass(frozen=True)
class BillStatementData:
    """The platform's daily statement of this store's bill payments (对账单)."""

    day: dt.date
    lines: tuple[BillStatementLine, ...]
    count: int
    amount_fen: int
    commission_fen: int
    owed_fen: int


@runtime_checkable
class BillPay(Protocol):
    """Convenience payments through the hub's biller platform.

    Every call needs the network and blocks while the hub is asked: the window calls it off the
    UI thread. Failure modes: `BillPayOffline` when the hub cannot be reached (or the adapter
    knows the shop is offline: `online()` False), `BillPayRefused` when it refuses for good.
    `submit` is idempotent by `order.payment_id`: the same order again gets the first answer, so
    a retry after a lost answer, and the outbox event delivering the same order, are one payment.
    An answer that cannot be trusted (a timeout, a cut body) from `submit` or `query` is not a
    failure: the payment stays pending and its result comes on the `bill_results` stream.
    """

    def online(self) -> bool:
        """Cheap and local (no request): may a payment be taken as online now? False means the
        hub is known to be unreachable, and only the offline limits apply."""
        ...

    def lookup(self, biller_id: str, account: str) -> BillInfo: ...

    def submit(self, order: BillOrder) -> BillAnswer: ...

    def query(self, payment_id: str) -> BillAnswer | None:
        """The platform's current word on a payment; None if it has never heard of it."""
        ...

    def statement(self, day: dt.date) -> BillStatementData: ...
