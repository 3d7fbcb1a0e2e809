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
