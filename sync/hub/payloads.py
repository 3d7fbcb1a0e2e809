"""What the hub reads from the events it projects into its report tables.

The shop sends its receipts as they are (`SaleReceipt.as_dict()` plus device, shift and
sequence; `RefundReceipt.as_dict()`; the Z report's document for `day.closed`). The hub does not
import the shop's code: these models say what the hub needs and check it strictly (money must be
an integer, never a float or a string; times carry their zone). Fields the hub does not need are
ignored, so the shop can add to its receipts without breaking the hub.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    StringConstraints,
    model_validator,
)

from sync import protocol

Fen = Annotated[StrictInt, Field(ge=0, le=10**12)]
Id = Annotated[str, StringConstraints(min_length=1, max_length=36)]
Text40 = Annotated[str, StringConstraints(min_length=1, max_length=40)]


def _aware(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("a time must carry its offset")
    try:
        return value.astimezone(dt.UTC)
    except OverflowError:
        raise ValueError("the time is out of range") from None


Aware = Annotated[dt.datetime, AfterValidator(_aware)]


class _Payload(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class SalePaymentIn(_Payload):
    id: Id
    kind: Annotated[str, StringConstraints(min_length=1, max_length=20)]
    amount_fen: Fen


class SaleLineIn(_Payload):
    qty: StrictInt
    line_total_fen: StrictInt


class SaleCompleted(_Payload):
    sale_id: Id
    number: Text40
    business_day: dt.date
    completed_at: Aware
    lines: Annotated[list[SaleLineIn], Field(min_length=1, max_length=1000)]
    payments: Annotated[list[SalePaymentIn], Field(min_length=1, max_length=20)]
    list_total_fen: Fen
    total_fen: Fen

    @model_validator(mode="after")
    def _adds_up(self) -> SaleCompleted:
        paid = sum(p.amount_fen for p in self.payments)
        if paid != self.total_fen:
            raise ValueError(f"the payments add up to {paid} fen, the total is {self.total_fen}")
        lines = sum(line.line_total_fen for line in self.lines)
        if lines != self.total_fen:
            raise ValueError(f"the lines add up to {lines} fen, the total is {self.total_fen}")
        if len({p.id for p in self.payments}) != len(self.payments):
            raise ValueError("two payments share an id")
        return self


class RefundPaymentIn(_Payload):
    payment_id: Id
    kind: Annotated[str, StringConstraints(min_length=1, max_length=20)]
    amount_fen: Fen


class RefundLineIn(_Payload):
    qty: StrictInt
    amount_fen: Fen


class RefundCompleted(_Payload):
    refund_id: Id
    number: Text40
    sale_id: Id
    business_day: dt.date
    created_at: Aware
    lines: Annotated[list[RefundLineIn], Field(min_length=1, max_length=1000)]
    payments: Annotated[list[RefundPaymentIn], Field(min_length=1, max_length=20)]
    total_fen: Fen

    @model_validator(mode="after")
    def _adds_up(self) -> RefundCompleted:
        paid = sum(p.amount_fen for p in self.payments)
        if paid != self.total_fen:
            raise ValueError(
                f"the refunded payments add up to {paid} fen, the total is {self.total_fen}"
            )
        if len({p.payment_id for p in self.payments}) != len(self.payments):
            raise ValueError("two refunded payments share an id")
        return self


class DayClosed(_Payload):
    device_id: Id
    business_day: dt.date
    report: dict[str, Any]


class Stored(_Payload):
    """Kinds the hub keeps without projecting (shifts, cash moves, voids, product changes):
    the payload must still be a JSON object, which the wire schema already checks."""


PROJECTED: dict[str, type[_Payload]] = {
    "sale.completed": SaleCompleted,
    "refund.completed": RefundCompleted,
    "day.closed": DayClosed,
}
"""Kinds the hub turns into report rows; a malformed payload of one of these is rejected."""

BILL_KINDS: dict[str, type[protocol.WireModel]] = {
    protocol.BILL_ACCEPTED_EVENT: protocol.BillPaymentRequest,
    protocol.BILL_REFUNDED_EVENT: protocol.BillRefundRecord,
}
"""Convenience-payment events (issue 7): their payloads are the wire's own schemas (strict,
like a POST body), and they act on the billers (`sync.hub.billers`), not on report rows.
A malformed one is rejected; one the billers' rules refuse is applied as a failed payment."""

KNOWN_STORED = frozenset(
    {
        "sale.voided",
        "shift.opened",
        "shift.closed",
        "cash.in",
        "cash.out",
        "product.created",
        "product.updated",
        "product.deleted",
        "stock.adjusted",
    }
)
"""Kinds the hub knows and keeps as they are. Unknown kinds are kept too (see `ingest`)."""
