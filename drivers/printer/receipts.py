"""The data of the two documents whose features come in later issues: a bill payment receipt
(便民缴费凭证) and a pickup slip (自提单). Each is a typed, validated dataclass with `as_dict()`
for the print queue (JSON in the shop's database) and `from_dict()` back.

Personal data is masked before it leaves the object: `as_dict()` and the printed receipt carry
the account as 138****1234 / 622588******1234 and the holder's name as 张* / 王*明, so the print
queue never stores them whole. Masking a masked value changes nothing.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


class ReceiptDataError(ValueError):
    """A receipt's data that cannot be printed; says which field and why."""


def mask_account(account: str) -> str:
    """An account for a receipt: a card number (15+ characters) keeps its first 6 and last 4,
    a phone or utility number (8–14) its first 3 and last 4, a shorter one its last 2."""
    text = account.strip()
    n = len(text)
    if n >= 15:
        keep_head, keep_tail = 6, 4
    elif n >= 8:
        keep_head, keep_tail = 3, 4
    elif n >= 3:
        keep_head, keep_tail = 0, 2
    else:
        keep_head, keep_tail = 0, 0
    return text[:keep_head] + "*" * (n - keep_head - keep_tail) + text[n - keep_tail :]


def mask_phone(phone: str) -> str:
    """138****1234 (first 3, last 4); a number too short for that keeps its last 2 only."""
    text = phone.strip()
    if len(text) >= 8:
        return text[:3] + "*" * (len(text) - 7) + text[-4:]
    return mask_account(text)


def mask_name(name: str) -> str:
    """张三 → 张*, 王小明 → 王*明, 欧阳娜娜 → 欧**娜: the first and (from three characters)
    the last character shown."""
    text = name.strip()
    if len(text) <= 1:
        return "*" * len(text)
    if len(text) == 2:
        return text[0] + "*"
    return text[0] + "*" * (len(text) - 2) + text[-1]


def _text(data: Mapping[str, Any], key: str, *, required: bool = True) -> str:
    value = data.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ReceiptDataError(f"{key}: text expected, got {type(value).__name__}")
    if required and not value.strip():
        raise ReceiptDataError(f"{key}: missing")
    return value


def _fen(data: Mapping[str, Any], key: str, *, positive: bool) -> int:
    value = data.get(key, 0)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ReceiptDataError(f"{key}: whole fen expected, got {value!r}")
    if value < 0 or (positive and value == 0):
        raise ReceiptDataError(f"{key}: invalid amount {value}")
    return value


def _instant(value: dt.datetime | str, key: str) -> dt.datetime:
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            raise ReceiptDataError(f"{key}: not a date and time: {value!r}") from None
    if not isinstance(value, dt.datetime):
        raise ReceiptDataError(f"{key}: a date and time expected")
    if value.tzinfo is None:
        raise ReceiptDataError(f"{key}: needs a time zone (stored in UTC)")
    return value


class BillStatus(enum.StrEnum):
    SUCCESS = "success"  # 成功: the biller confirmed it
    ACCEPTED = "accepted"  # 受理中: taken, the biller's result is still to come


@dataclass(frozen=True)
class BillPaymentReceipt:
    """A convenience payment (utility bill, phone top-up, credit-card repayment) as printed."""

    store_name: str
    number: str  # the shop's own number for the payment
    biller_name: str  # 国家电网北京市电力公司, 中国移动, 招商银行信用卡
    account: str  # as entered; only its masked form leaves this object
    amount_fen: int
    status: BillStatus
    paid_at: dt.datetime  # timezone-aware; printed in the shop's zone
    holder_name: str = ""  # masked on the receipt
    fee_fen: int = 0  # what the customer pays on top (手续费), if any
    hub_reference: str = ""  # the hub's order reference; empty while not yet submitted
    bill_type: str = ""  # 电费 / 话费充值 / 信用卡还款
    cashier_name: str = ""
    tender: str = "cash"  # how the customer paid: cash, card, wechat, alipay, wallet

    def __post_init__(self) -> None:
        for key in ("store_name", "number", "biller_name", "account"):
            if not getattr(self, key).strip():
                raise ReceiptDataError(f"{key}: missing")
        _fen({"amount_fen": self.amount_fen}, "amount_fen", positive=True)
        _fen({"fee_fen": self.fee_fen}, "fee_fen", positive=False)
        if not isinstance(self.status, BillStatus):
            raise ReceiptDataError(f"status: one of {', '.join(BillStatus)}")
        _instant(self.paid_at, "paid_at")

    @property
    def total_fen(self) -> int:
        return self.amount_fen + self.fee_fen

    def as_dict(self) -> dict[str, object]:
        return {
            "store_name": self.store_name,
            "number": self.number,
            "biller_name": self.biller_name,
            "account": mask_account(self.account),
            "holder_name": mask_name(self.holder_name),
            "amount_fen": self.amount_fen,
            "fee_fen": self.fee_fen,
            "status": self.status.value,
            "hub_reference": self.hub_reference,
            "paid_at": self.paid_at.isoformat(),
            "bill_type": self.bill_type,
            "cashier_name": self.cashier_name,
            "tender": self.tender,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BillPaymentReceipt:
        status = data.get("status")
        try:
            bill_status = BillStatus(str(status))
        except ValueError:
            raise ReceiptDataError(
                f"status: {status!r} is not one of {', '.join(BillStatus)}"
            ) from None
        return cls(
            store_name=_text(data, "store_name"),
            number=_text(data, "number"),
            biller_name=_text(data, "biller_name"),
            account=_text(data, "account"),
            amount_fen=_fen(data, "amount_fen", positive=True),
            status=bill_status,
            paid_at=_instant(data.get("paid_at", ""), "paid_at"),
            holder_name=_text(data, "holder_name", required=False),
            fee_fen=_fen(data, "fee_fen", positive=False),
            hub_reference=_text(data, "hub_reference", required=False),
            bill_type=_text(data, "bill_type", required=False),
            cashier_name=_text(data, "cashier_name", required=False),
            tender=_text(data, "tender", required=False) or "cash",
        )


@dataclass(frozen=True)
class PickupItem:
    name: str
    qty: int

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise ReceiptDataError("items: an item without a name")
        if isinstance(self.qty, bool) or not isinstance(self.qty, int) or self.qty <= 0:
            raise ReceiptDataError(f"items: {self.name}: quantity must be a positive whole number")


@dataclass(frozen=True)
class PickupSlip:
    """An order handed over at the counter (an app order or a futures order from the mall)."""

    store_name: str
    order_number: str
    pickup_code: str
    items: tuple[PickupItem, ...]
    customer_phone: str  # only its masked form (138****1234) leaves this object
    collected_at: dt.datetime  # timezone-aware; printed in the shop's zone
    cashier_name: str = ""

    def __post_init__(self) -> None:
        for key in ("store_name", "order_number", "pickup_code"):
            if not getattr(self, key).strip():
                raise ReceiptDataError(f"{key}: missing")
        if not self.items:
            raise ReceiptDataError("items: a pickup slip lists what was handed over")
        _instant(self.collected_at, "collected_at")

    def as_dict(self) -> dict[str, object]:
        return {
            "store_name": self.store_name,
            "order_number": self.order_number,
            "pickup_code": self.pickup_code,
            "items": [{"name": i.name, "qty": i.qty} for i in self.items],
            "customer_phone": mask_phone(self.customer_phone),
            "collected_at": self.collected_at.isoformat(),
            "cashier_name": self.cashier_name,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PickupSlip:
        raw_items = data.get("items")
        if not isinstance(raw_items, list):
            raise ReceiptDataError("items: a list of {name, qty} expected")
        items = []
        for raw in raw_items:
            if not isinstance(raw, Mapping):
                raise ReceiptDataError("items: each item is {name, qty}")
            qty = raw.get("qty")
            if isinstance(qty, bool) or not isinstance(qty, int):
                raise ReceiptDataError(f"items: quantity {qty!r} is not a whole number")
            items.append(PickupItem(_text(raw, "name"), qty))
        return cls(
            store_name=_text(data, "store_name"),
            order_number=_text(data, "order_number"),
            pickup_code=_text(data, "pickup_code"),
            items=tuple(items),
            customer_phone=_text(data, "customer_phone", required=False),
            collected_at=_instant(data.get("collected_at", ""), "collected_at"),
            cashier_name=_text(data, "cashier_name", required=False),
        )
