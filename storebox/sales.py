"""Selling at the till: the cart, paying it (cash, card, wallet, split), the sale record, voids.

The cart lives in memory until it is paid; nothing about it is written until then (an abandoned
cart is recorded as a void, for the Z report).

Paying by card or wallet follows one rule: **the customer is never charged twice and never
charged for goods not given.** So:

1. a `PaymentAttempt` row is committed *before* the request leaves the shop — if the process
   dies or the line drops, that row is the proof that money may have moved;
2. an approved payment is marked 'used' in the very transaction that records the sale;
3. an outcome that is not known is enquired, and if it stays unknown it is reversed;
4. when anything fails after a card or wallet payment was approved (a later tender of a split,
   the sale's own transaction), the approved payments are reversed;
5. `resolve_open_attempts` settles whatever a crash left behind ('pending' / 'unknown'), and
   `checkout` calls it before taking the next payment.

Attempts carry their owner process (pid and start time) so that a till never enquires about or
reverses a payment another live process (the kiosk) is still waiting on.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import os
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import psutil
from sqlalchemy import select
from sqlalchemy.orm import Session

from storebox import barcodes, catalog, journal, outbox
from storebox.catalog import ProductInfo
from storebox.db import raw
from storebox.db.models import (
    DayClose,
    Payment,
    PaymentAttempt,
    Refund,
    RefundPayment,
    Sale,
    SaleLine,
    User,
    Void,
)
from storebox.errors import (
    InvalidInput,
    NotFound,
    PaymentDeclined,
    PaymentUnknown,
    RuleViolation,
    ShopError,
)
from storebox.ids import new_id
from storebox.money import MAX_LINE_FEN, check_amount, format_fen
from storebox.ports import (
    CardTerminal,
    MatchableTerminal,
    PaymentResult,
    PaymentStatus,
    StatusCallback,
    WalletPayments,
)
from storebox.shifts import NO_OPEN_SHIFT, require_open_shift
from storebox.shop import Shop
from storebox.users import Actor, require_owner

log = logging.getLogger(__name__)

MAX_QTY = 9999
#: The most change one cash tender may ask for: ¥1,000. A bigger figure is a typing slip
#: (10000 typed for 100.00), not a customer.
MAX_CHANGE_FEN = 100_000
MAX_REASON = 200

CARD = "card"
WALLET = "wallet"
CASH = "cash"


# --------------------------------------------------------------------------------------------
# The cart
# --------------------------------------------------------------------------------------------


@dataclass
class CartLine:
    product_id: str
    name: str
    barcode: str | None
    qty: int
    list_price_fen: int
    unit_price_fen: int
    override_reason: str | None = None
    override_by: str | None = None  # the approving owner's user id

    @property
    def overridden(self) -> bool:
        return self.override_by is not None

    @property
    def line_total_fen(self) -> int:
        return self.qty * self.unit_price_fen

    @property
    def list_line_total_fen(self) -> int:
        return self.qty * self.list_price_fen


@dataclass
class Cart:
    """What the customer is buying, in memory until paid.

    `id` becomes the sale's id (or the void's): the primary key refuses to record one cart
    twice, whatever a double click or a retry does. `closed_as` is set once it is paid or voided.
    """

    id: str = field(default_factory=new_id)
    lines: list[CartLine] = field(default_factory=list)
    closed_as: str | None = None

    @property
    def list_total_fen(self) -> int:
        return sum(line.list_line_total_fen for line in self.lines)

    @property
    def total_fen(self) -> int:
        return sum(line.line_total_fen for line in self.lines)

    @property
    def discount_fen(self) -> int:
        """List total minus what is charged (negative if the owner corrected a price upwards)."""
        return self.list_total_fen - self.total_fen

    @property
    def item_count(self) -> int:
        return sum(line.qty for line in self.lines)


def check_qty(qty: object) -> int:
    if isinstance(qty, bool) or not isinstance(qty, int):
        raise InvalidInput(f"数量必须是整数 / quantity must be a whole number, got {qty!r}")
    if not 1 <= qty <= MAX_QTY:
        raise InvalidInput(f"数量应为 1-{MAX_QTY} / quantity must be 1 to {MAX_QTY}, got {qty}")
    return qty


def _check_line_total(name: str, qty: int, unit_price_fen: int) -> None:
    if qty * unit_price_fen > MAX_LINE_FEN:
        raise InvalidInput(
            f"{name}: 单行金额过大 / line total {format_fen(qty * unit_price_fen)} is above "
            f"the limit {format_fen(MAX_LINE_FEN)}"
        )


def _open(cart: Cart) -> None:
    if cart.closed_as is not None:
        raise RuleViolation(
            f"此单已结束 ({cart.closed_as}) / this cart is already {cart.closed_as}; start a new one"
        )


def _line(cart: Cart, index: int) -> CartLine:
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(cart.lines):
        raise InvalidInput(f"没有第 {index} 行 / there is no line {index} in the cart")
    return cart.lines[index]


def add_product(
    cart: Cart, product: ProductInfo, qty: int = 1, *, barcode: str | None = None
) -> int:
    """Put `qty` of a product in the cart; returns the line's index.

    The same product already in the cart at its list price gets the quantity added; a line whose
    price the owner changed stays as it is, and the new units go on a line of their own.
    """
    _open(cart)
    check_qty(qty)
    if not product.active:
        raise RuleViolation(f"{product.name}: 商品已停售 / this product is no longer sold")
    check_amount(product.price_fen, product.name)
    for index, line in enumerate(cart.lines):
        if line.product_id == product.id and not line.overridden:
            check_qty(line.qty + qty)
            _check_line_total(product.name, line.qty + qty, line.unit_price_fen)
            line.qty += qty
            return index
    _check_line_total(product.name, qty, product.price_fen)
    cart.lines.append(
        CartLine(
            product_id=product.id,
            name=product.name,
            barcode=barcode if barcode is not None else next(iter(product.barcodes), None),
            qty=qty,
            list_price_fen=product.price_fen,
            unit_price_fen=product.price_fen,
        )
    )
    return len(cart.lines) - 1


def add_barcode(shop: Shop, cart: Cart, code: str, qty: int = 1) -> int:
    """A scanned or typed barcode. Unknown code → NotFound naming the code."""
    _open(cart)
    cleaned = barcodes.normalize(code) if isinstance(code, str) else ""
    if not cleaned:
        raise InvalidInput("条码为空 / the barcode is empty")
    with shop.store.read() as session:
        product = catalog.find_by_barcode_in(session, cleaned)
        if product is None:
            raise NotFound(f"未知条码 {cleaned} / no product with barcode {cleaned}")
        info = catalog.to_info(session, product)
    return add_product(cart, info, qty, barcode=cleaned)


def set_qty(cart: Cart, index: int, qty: int) -> None:
    _open(cart)
    line = _line(cart, index)
    check_qty(qty)
    _check_line_total(line.name, qty, line.unit_price_fen)
    line.qty = qty


def remove(cart: Cart, index: int) -> CartLine:
    _open(cart)
    _line(cart, index)
    return cart.lines.pop(index)


def _check_reason(reason: object, what: str) -> str:
    text = reason.strip() if isinstance(reason, str) else ""
    if not text:
        raise InvalidInput(f"请填写原因 / a reason is needed to {what}")
    if len(text) > MAX_REASON:
        raise InvalidInput(f"原因太长 / the reason is longer than {MAX_REASON} characters")
    return text


def override_price(
    cart: Cart, index: int, price_fen: int, reason: str, approver: Actor | None
) -> None:
    """Change one line's unit price. Only the owner may, and only with a reason."""
    _open(cart)
    line = _line(cart, index)
    owner = require_owner(approver, "change a price")
    text = _check_reason(reason, "change a price")
    check_amount(price_fen, f"{line.name} 改价 / new price")
    _check_line_total(line.name, line.qty, price_fen)
    line.unit_price_fen = price_fen
    line.override_reason = text
    line.override_by = owner.user_id


# --------------------------------------------------------------------------------------------
# Tenders and the plan of a payment
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cash:
    tendered_fen: int


@dataclass(frozen=True)
class Card:
    amount_fen: int


@dataclass(frozen=True)
class Wallet:
    """A customer-presented code (付款码). The code is one-time; it is never stored or logged."""

    auth_code: str = field(repr=False)
    amount_fen: int


@dataclass(frozen=True)
class QrPaid:
    """A shop-presented dynamic code (扫码付) the customer has paid. Its attempt was begun with
    `begin_attempt(shop, WALLET, "sale", ...)` before the code was made, and the caller keeps it
    in flight (no `release_attempts`) until checkout, which confirms the payment with the
    wallet port's `query` before recording the sale (and reverses it if the sale fails)."""

    reference: str
    amount_fen: int


Tender = Cash | Card | Wallet | QrPaid

_WALLET_CODE = re.compile(r"[0-9]{16,24}")


def _code_tail(code: str) -> str:
    return f"…{code[-4:]}"


@dataclass(frozen=True)
class _Plan:
    list_total: int
    total: int
    noncash: tuple[Card | Wallet | QrPaid, ...]
    cash_applied: int
    cash_tendered: int

    @property
    def change(self) -> int:
        return self.cash_tendered - self.cash_applied


def _check_cart(cart: Cart) -> None:
    _open(cart)
    if not cart.lines:
        raise InvalidInput("购物车是空的 / the cart is empty")
    for line in cart.lines:  # the cart is a plain object: check again what is about to be sold
        check_qty(line.qty)
        check_amount(line.list_price_fen, line.name)
        check_amount(line.unit_price_fen, line.name)
        _check_line_total(line.name, line.qty, line.unit_price_fen)
        if line.unit_price_fen != line.list_price_fen and line.override_by is None:
            raise InvalidInput(f"{line.name}: 改价未经授权 / price changed without the owner")


def _plan(cart: Cart, tenders: Sequence[Tender]) -> _Plan:
    _check_cart(cart)
    total = cart.total_fen
    cash: Cash | None = None
    noncash: list[Card | Wallet | QrPaid] = []
    for tender in tenders:
        if isinstance(tender, Cash):
            if cash is not None:
                raise InvalidInput("只能有一笔现金 / give cash as one tender")
            check_amount(tender.tendered_fen, "现金 / cash", maximum=total + MAX_CHANGE_FEN)
            cash = tender
        elif isinstance(tender, Card | Wallet | QrPaid):
            what = "刷卡 / card" if isinstance(tender, Card) else "扫码 / wallet"
            check_amount(tender.amount_fen, what, allow_zero=False, maximum=max(total, 1))
            if isinstance(tender, Wallet):
                code = tender.auth_code if isinstance(tender.auth_code, str) else ""
                if not _WALLET_CODE.fullmatch(code):
                    raise InvalidInput(
                        "付款码无效，请重新扫描 / not a payment code (16-24 digits); scan it again"
                    )
            noncash.append(tender)
        else:
            raise InvalidInput(f"未知付款方式 / unknown tender {tender!r}")
    noncash_total = sum(t.amount_fen for t in noncash)
    if noncash_total > total:
        raise InvalidInput(
            f"刷卡/扫码金额 {format_fen(noncash_total)} 超过应付 {format_fen(total)} / "
            f"card and wallet amounts {format_fen(noncash_total)} exceed the total {format_fen(total)}"
        )
    remaining = total - noncash_total
    tendered = cash.tendered_fen if cash is not None else 0
    if remaining > 0 and tendered < remaining:
        missing = format_fen(remaining - tendered)
        if cash is None:
            raise InvalidInput(f"还差 {missing} 未付 / {missing} is still to pay")
        raise InvalidInput(f"现金不足，还差 {missing} / cash is short by {missing}")
    if remaining == 0 and tendered > 0:
        raise InvalidInput("已付清，无需现金 / the total is covered; no cash is due")
    return _Plan(cart.list_total_fen, total, tuple(noncash), remaining, tendered)


# --------------------------------------------------------------------------------------------
# Payment attempts: written before a request leaves the shop
# --------------------------------------------------------------------------------------------

_in_flight: set[str] = set()
_in_flight_lock = threading.Lock()
_PID = os.getpid()
_STARTED = round(float(psutil.Process(_PID).create_time()), 3)

OPEN_STATUSES = ("pending", "unknown")


def _attempt_data(result_json: str | None) -> dict[str, Any]:
    """An attempt's stored JSON as a dict, whatever is in the column."""
    try:
        data = json.loads(result_json or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _owner_stamp() -> dict[str, Any]:
    return {"pid": _PID, "started": _STARTED}


def _owner_busy(owner: object, reference: str) -> bool:
    """Is a live process (this one included) still waiting on this attempt's answer?"""
    if not isinstance(owner, dict):
        return False
    pid, started = owner.get("pid"), owner.get("started")
    if not isinstance(pid, int) or not isinstance(started, int | float):
        return False
    if pid == _PID and started == _STARTED:
        with _in_flight_lock:
            return reference in _in_flight
    try:
        return abs(float(psutil.Process(pid).create_time()) - started) < 0.01
    except psutil.Error:
        return False


def mask_pan(text: str) -> str:
    """Mask any run of 11+ digits to first 6 / last 4: a full card number never gets stored."""
    masked = re.sub(
        r"[0-9]{11,}", lambda m: m.group()[:6] + "*" * (len(m.group()) - 10) + m.group()[-4:], text
    )
    return masked[:24]


def result_dict(result: PaymentResult) -> dict[str, Any]:
    """What may be kept of a payment result: never a full card number (masked again here)."""
    return {
        "status": str(result.status),
        "amount_fen": result.amount_fen,
        "reference": result.reference,
        "message": result.message[:200],
        "auth_code": result.auth_code[:16],
        "terminal_id": result.terminal_id[:16],
        "trace": result.trace[:16],
        "receipt_no": result.receipt_no[:16],
        "masked_pan": mask_pan(result.masked_pan),
        "card_name": result.card_name[:40],
    }


def _result_from_dict(data: object, reference: str, amount_fen: int) -> PaymentResult:
    if not isinstance(data, dict):
        return PaymentResult(PaymentStatus.UNKNOWN, amount_fen, reference)
    try:
        status = PaymentStatus(str(data.get("status", "unknown")))
    except ValueError:
        status = PaymentStatus.UNKNOWN
    return PaymentResult(
        status=status,
        amount_fen=amount_fen,
        reference=reference,
        message=str(data.get("message", "")),
        auth_code=str(data.get("auth_code", "")),
        terminal_id=str(data.get("terminal_id", "")),
        trace=str(data.get("trace", "")),
        receipt_no=str(data.get("receipt_no", "")),
        masked_pan=str(data.get("masked_pan", "")),
        card_name=str(data.get("card_name", "")),
    )


def begin_attempt(
    shop: Shop, kind: str, operation: str, amount_fen: int, context: dict[str, Any]
) -> str:
    """Commit a 'pending' attempt and return its reference, before anything is sent."""
    reference = new_id()
    with _in_flight_lock:
        _in_flight.add(reference)
    try:
        with shop.store.write() as session:
            session.add(
                PaymentAttempt(
                    id=new_id(),
                    reference=reference,
                    kind=kind,
                    operation=operation,
                    amount_fen=amount_fen,
                    status="pending",
                    result_json=journal.canonical(
                        {"owner": _owner_stamp(), "context": context, "history": []}
                    ),
                    created_at=shop.now(),
                )
            )
    except BaseException:
        release_attempts([reference])
        raise
    return reference


def release_attempts(references: Iterable[str]) -> None:
    """This process no longer waits on these attempts (call when the operation is over)."""
    with _in_flight_lock:
        _in_flight.difference_update(references)


def update_attempt(
    session: raw.Handle,
    shop: Shop,
    reference: str,
    status: str,
    result: PaymentResult | None,
    note: str,
) -> None:
    """Record what became of an attempt, in the caller's transaction (plain SQL: it runs
    inside the sale's)."""
    conn = raw.connection(session)
    row = raw.one(
        conn, "SELECT result_json FROM payment_attempts WHERE reference = ?", (reference,)
    )
    if row is None:
        raise LookupError(f"no payment attempt {reference!r}")
    data = _attempt_data(row[0])
    if result is not None:
        data["last"] = result_dict(result)
    history = data.get("history") if isinstance(data.get("history"), list) else []
    assert isinstance(history, list)
    history.append(
        {
            "at": shop.now().isoformat(),
            "status": status,
            "note": note,
            "answer": str(result.status) if result else None,
        }
    )
    data["history"] = history
    conn.execute(
        "UPDATE payment_attempts SET status = ?, result_json = ?, resolved_at = ? WHERE reference = ?",
        (
            status,
            journal.canonical(data),
            None if status in OPEN_STATUSES else raw.db_datetime(shop.now()),
            reference,
        ),
    )


def mark_attempt(
    shop: Shop, reference: str, status: str, result: PaymentResult | None, note: str = ""
) -> None:
    """Record what became of an attempt, in its own transaction.

    Best effort when the store itself fails: the row then stays 'pending'/'unknown', which is
    safe — `resolve_open_attempts` enquires about it later.
    """
    try:
        with shop.store.write() as session:
            update_attempt(session, shop, reference, status, result, note)
    except ShopError as exc:
        log.warning("could not mark payment attempt %s as %s: %s", reference, status, exc)


def ask_port(call: Callable[[], PaymentResult], reference: str, amount_fen: int) -> PaymentResult:
    """Call a port for an enquiry or reversal: anything but a proper answer means UNKNOWN."""
    try:
        result: object = call()  # a driver may hand back anything
    except Exception as exc:  # a port that failed mid-call: we cannot know what happened
        log.warning("payment port failed for %s: %s", reference, type(exc).__name__)
        return PaymentResult(PaymentStatus.UNKNOWN, amount_fen, reference, str(exc)[:200])
    if not isinstance(result, PaymentResult):
        return PaymentResult(PaymentStatus.UNKNOWN, amount_fen, reference, "invalid answer")
    return result


def send_request(
    call: Callable[[], PaymentResult], reference: str, amount_fen: int
) -> PaymentResult:
    """Send a payment or refund. A ShopError from the port means nothing left the shop and is
    re-raised; any other failure, or an approval for another amount, is an UNKNOWN outcome."""
    try:
        result: object = call()  # a driver may hand back anything
    except ShopError:
        raise
    except Exception as exc:
        log.warning("payment port failed for %s: %s", reference, type(exc).__name__)
        return PaymentResult(
            PaymentStatus.UNKNOWN,
            amount_fen,
            reference,
            f"设备异常 / device error ({type(exc).__name__})",
        )
    if not isinstance(result, PaymentResult):
        return PaymentResult(PaymentStatus.UNKNOWN, amount_fen, reference, "invalid answer")
    if result.status is PaymentStatus.APPROVED and (
        result.amount_fen != amount_fen or result.reference != reference
    ):
        return PaymentResult(
            PaymentStatus.UNKNOWN,
            amount_fen,
            reference,
            f"应答不符 / the answer was for {format_fen(result.amount_fen)} ref {result.reference}",
        )
    return result


def refund_attempt(
    shop: Shop,
    kind: str,
    amount_fen: int,
    context: dict[str, Any],
    references: list[str],
    *,
    send: Callable[[str], PaymentResult],
    enquire: Callable[[str], PaymentResult],
    unknown_note: str,
) -> tuple[str, PaymentResult]:
    """One refund through a port (`send(reference)`: the terminal's or the wallet's refund),
    with a payment's guarantees: the attempt row committed before the request leaves, an
    unknown answer asked once more (`enquire(reference)`). The attempt is marked declined, or
    unknown with `unknown_note`; the caller says what a decline or an unknown outcome means for
    what it refunds (a sale's goods, a bill's refund task) and raises."""
    reference = begin_attempt(shop, kind, "refund", amount_fen, context)
    references.append(reference)
    try:
        result = send_request(lambda: send(reference), reference, amount_fen)
    except ShopError as exc:
        mark_attempt(shop, reference, "declined", None, f"not sent: {exc.message}")
        raise
    if result.status is PaymentStatus.UNKNOWN:
        mark_attempt(shop, reference, "unknown", result, "no final answer; enquiring")
        result = ask_port(lambda: enquire(reference), reference, amount_fen)
    if result.status is PaymentStatus.DECLINED:
        mark_attempt(shop, reference, "declined", result)
    elif result.status is not PaymentStatus.APPROVED:
        mark_attempt(shop, reference, "unknown", result, unknown_note)
    return reference, result


TENDER_NAMES = {CASH: ("现金", "cash"), CARD: ("刷卡", "card"), WALLET: ("扫码", "wallet")}


def _what(kind: str) -> str:
    zh, en = TENDER_NAMES[kind]
    return f"{zh} / {en}"


def _confirm_qr(
    shop: Shop, tender: QrPaid, wallet: WalletPayments, references: list[str]
) -> tuple[str, str, PaymentResult]:
    """A paid dynamic code: the acquirer must say so, for this amount, before the sale."""
    reference, amount = tender.reference, tender.amount_fen
    references.append(reference)
    answer = ask_port(lambda: wallet.query(reference), reference, amount)
    if answer.status is PaymentStatus.APPROVED and answer.amount_fen == amount:
        return WALLET, reference, answer
    if answer.status is PaymentStatus.DECLINED:
        mark_attempt(shop, reference, "declined", answer, "qr: not paid")
        raise PaymentDeclined(
            f"扫码付 {format_fen(amount)} 未付款：{answer.message} / the QR payment of "
            f"{format_fen(amount)} was not paid: {answer.message}"
        )
    mark_attempt(shop, reference, "unknown", answer, "qr: payment not confirmed")
    raise PaymentUnknown(
        f"扫码付 {format_fen(amount)} 未能确认 / the QR payment of {format_fen(amount)} could not "
        f"be confirmed: {answer.message}"
    )


def _charge(
    shop: Shop,
    tender: Card | Wallet | QrPaid,
    terminal: CardTerminal | None,
    wallet: WalletPayments | None,
    context: dict[str, Any],
    references: list[str],
    on_status: StatusCallback | None,
) -> tuple[str, str, PaymentResult]:
    """Take one card or wallet payment. Returns (kind, reference, approved result) or raises
    PaymentDeclined / PaymentUnknown / the port's ShopError — with the attempt row telling why."""
    if isinstance(tender, QrPaid):
        assert wallet is not None
        return _confirm_qr(shop, tender, wallet, references)
    kind = CARD if isinstance(tender, Card) else WALLET
    amount = tender.amount_fen
    if isinstance(tender, Card):
        assert terminal is not None
        context = {**context, **_terminal_match(terminal, amount)}
    reference = begin_attempt(shop, kind, "sale", amount, context)
    references.append(reference)
    what = _what(kind)
    en = TENDER_NAMES[kind][1]
    try:
        if isinstance(tender, Card):
            assert terminal is not None
            result = send_request(
                lambda: terminal.authorize(amount, reference, on_status), reference, amount
            )
        else:
            assert wallet is not None
            result = send_request(
                lambda: wallet.micropay(tender.auth_code, amount, reference), reference, amount
            )
    except ShopError as exc:
        mark_attempt(shop, reference, "declined", None, f"not sent: {exc.message}")
        raise
    if result.status is PaymentStatus.APPROVED:
        return kind, reference, result
    if result.status is PaymentStatus.DECLINED:
        mark_attempt(shop, reference, "declined", result)
        raise PaymentDeclined(
            f"{what} {format_fen(amount)} 被拒绝：{result.message} / "
            f"{en} payment of {format_fen(amount)} declined: {result.message}"
        )
    # Unknown: ask, then reverse if still unclear.
    mark_attempt(shop, reference, "unknown", result, "no final answer; enquiring")
    if kind == CARD:
        assert terminal is not None
        answer = _enquire_card(terminal, reference, amount, context)
    else:
        assert wallet is not None
        answer = ask_port(lambda: wallet.query(reference), reference, amount)
    if answer.status is PaymentStatus.APPROVED and answer.amount_fen == amount:
        return kind, reference, answer
    if answer.status is PaymentStatus.DECLINED:
        mark_attempt(shop, reference, "declined", answer, "enquiry: not taken")
        raise PaymentDeclined(
            f"{what} {format_fen(amount)} 未成功（查询确认）：{answer.message} / the "
            f"{en} payment of {format_fen(amount)} did not go through "
            f"(confirmed by enquiry): {answer.message}"
        )
    reversal = _reverse(shop, kind, reference, answer, terminal, wallet)
    if reversal:
        raise PaymentUnknown(
            f"{what} {format_fen(amount)} 结果未知，已撤销，顾客未被扣款，未售出 / the outcome of the "
            f"{en} payment of {format_fen(amount)} was unknown, so it was reversed: the customer "
            "is not charged and nothing was sold. Try again or take another tender."
        )
    raise PaymentUnknown(
        f"{what} {format_fen(amount)} 结果未知且撤销未成功，请勿交付商品 / the outcome of the {en} "
        f"payment of {format_fen(amount)} is unknown and reversing it failed: do not hand over "
        "the goods; it will be reversed before the next payment (ref "
        f"{reference[-8:]})."
    )


def charge_tender(
    shop: Shop,
    tender: Card | Wallet,
    terminal: CardTerminal | None,
    wallet: WalletPayments | None,
    context: dict[str, Any],
    references: list[str],
    on_status: StatusCallback | None = None,
) -> tuple[str, str, PaymentResult]:
    """Take one card or wallet payment for something other than a cart (a bill payment), with
    exactly a sale's guarantees: the attempt row committed before the request leaves, an
    unknown outcome enquired and reversed. Returns (kind, reference, approved result) or raises
    PaymentDeclined / PaymentUnknown / the port's ShopError. The caller marks the attempt
    'used' in the transaction that records what was paid (`update_attempt`), calls
    `reverse_charged` if that fails, and `release_attempts(references)` at the end."""
    return _charge(shop, tender, terminal, wallet, context, references, on_status)


def reverse_charged(
    shop: Shop,
    exc: BaseException,
    charged: list[tuple[str, str, PaymentResult]],
    terminal: CardTerminal | None,
    wallet: WalletPayments | None,
) -> None:
    """Reverse payments taken by `charge_tender` whose record did not commit, and raise the
    explanation (the customer not charged, or do-not-hand-over when a reversal failed) when
    there is one; the caller re-raises `exc` after it, as `checkout` does."""
    _undo_and_raise(shop, exc, charged, terminal, wallet)


MATCH_KEY = "terminal_match"


def _terminal_match(terminal: CardTerminal, amount: int) -> dict[str, Any]:
    """What the terminal needs to match this payment later, even from a fresh process after a
    crash: asked before the attempt row is written, so that it is in the row before the
    request leaves. A ShopError (terminal unreachable) means nothing was sent and is raised;
    a terminal that cannot tell gives nothing (its unknowns are then reversed or settled by
    the owner)."""
    if not isinstance(terminal, MatchableTerminal):
        return {}
    try:
        match: object = terminal.match_context(amount, "")
    except ShopError:
        raise
    except Exception as exc:
        log.warning("terminal gave no match context: %s", type(exc).__name__)
        return {}
    if not isinstance(match, dict):
        return {}
    return {MATCH_KEY: {str(k)[:32]: str(v)[:64] for k, v in match.items()}}


def _enquire_card(
    terminal: CardTerminal, reference: str, amount: int, context: object
) -> PaymentResult:
    """Enquire about a card payment, with its recorded match context when there is one."""
    match = context.get(MATCH_KEY) if isinstance(context, dict) else None
    if isinstance(match, dict) and match and isinstance(terminal, MatchableTerminal):
        recorded = {str(k): str(v) for k, v in match.items()}
        return ask_port(lambda: terminal.enquire_matching(reference, recorded), reference, amount)
    return ask_port(lambda: terminal.enquire(reference), reference, amount)


def _reverse(
    shop: Shop,
    kind: str,
    reference: str,
    original: PaymentResult,
    terminal: CardTerminal | None,
    wallet: WalletPayments | None,
) -> bool:
    """Reverse a payment; True when the reversal is approved (the attempt is then 'reversed'),
    else the attempt stays 'unknown' so that it is tried again before the next payment."""
    amount = original.amount_fen
    if kind == CARD and terminal is not None:
        result = ask_port(lambda: terminal.reverse(original), reference, amount)
    elif kind == WALLET and wallet is not None:
        result = ask_port(lambda: wallet.reverse(reference), reference, amount)
    else:
        mark_attempt(shop, reference, "unknown", None, "reversal needed; no device to send it")
        return False
    if result.status is PaymentStatus.APPROVED:
        mark_attempt(shop, reference, "reversed", result, "reversed")
        return True
    mark_attempt(shop, reference, "unknown", result, "reversal not confirmed")
    return False


# --------------------------------------------------------------------------------------------
# Settling what a crash left behind
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttemptInfo:
    reference: str
    kind: str
    operation: str
    amount_fen: int
    status: str
    created_at: dt.datetime
    message: str
    context: dict[str, Any]
    #: what the device last answered about it, as kept (`result_dict`: masked card number,
    #: terminal id, trace, receipt number): the owner needs it to find the payment on the
    #: terminal's or acquirer's own records before settling it
    last: dict[str, Any] = field(default_factory=dict)


def _attempt_info(attempt: PaymentAttempt) -> AttemptInfo:
    data = _attempt_data(attempt.result_json)
    last = data.get("last") if isinstance(data.get("last"), dict) else {}
    history = data.get("history") if isinstance(data.get("history"), list) else []
    note = history[-1].get("note", "") if history and isinstance(history[-1], dict) else ""
    message = str(note or (last.get("message", "") if isinstance(last, dict) else ""))
    context = data.get("context") if isinstance(data.get("context"), dict) else {}
    return AttemptInfo(
        reference=attempt.reference,
        kind=attempt.kind,
        operation=attempt.operation,
        amount_fen=attempt.amount_fen,
        status=attempt.status,
        created_at=attempt.created_at,
        message=message,
        context=dict(context) if isinstance(context, dict) else {},
        last=dict(last) if isinstance(last, dict) else {},
    )


def unsettled_attempts(shop: Shop) -> list[AttemptInfo]:
    """Attempts whose money is not settled: 'pending'/'unknown' (to resolve) and 'approved'
    (a refund that went through but could not be recorded — for the owner to follow up)."""
    with shop.store.read() as session:
        rows = session.scalars(
            select(PaymentAttempt)
            .where(PaymentAttempt.status.in_((*OPEN_STATUSES, "approved")))
            .order_by(PaymentAttempt.created_at)
        ).all()
        return [_attempt_info(a) for a in rows]


def undecided_attempts(shop: Shop) -> list[AttemptInfo]:
    """Open attempts ('pending'/'unknown') that no live process is waiting on: the payments of
    unknown outcome the owner must see. A payment in progress at this or another till is left
    out (its own screen shows it), so a till's warning does not flash at every card payment."""
    with shop.store.read() as session:
        rows = session.scalars(
            select(PaymentAttempt)
            .where(PaymentAttempt.status.in_(OPEN_STATUSES))
            .order_by(PaymentAttempt.created_at)
        ).all()
        return [
            _attempt_info(a)
            for a in rows
            if not _owner_busy(_attempt_data(a.result_json).get("owner"), a.reference)
        ]


def _claim(shop: Shop, reference: str) -> dict[str, Any] | None:
    """Take over an open attempt of a process that is gone; None if someone else holds it."""
    with shop.store.write() as session:
        attempt = session.scalars(
            select(PaymentAttempt).where(PaymentAttempt.reference == reference)
        ).one()
        if attempt.status not in OPEN_STATUSES:
            return None
        data = _attempt_data(attempt.result_json)
        if _owner_busy(data.get("owner"), reference):
            return None
        data["owner"] = _owner_stamp()
        attempt.result_json = journal.canonical(data)
    with _in_flight_lock:
        _in_flight.add(reference)
    return data


#: Bill payments (storebox.billpay) take and refund card money through these attempts too; their
#: records name the attempt in their own tables (plain SQL: the core's sales module does not
#: import the bill-payment one).
_BILL_RECORDED = {
    "sale": "SELECT 1 FROM bill_payments WHERE card_reference = ?",
    "refund": "SELECT 1 FROM bill_refunds WHERE reference = ?",
}


def attempt_recorded(shop: Shop, reference: str, operation: str) -> bool:
    with shop.store.read() as session:
        if operation == "sale":
            found = session.scalars(
                select(Payment.id).where(Payment.reference == reference)
            ).first()
        else:
            found = session.scalars(
                select(RefundPayment.id).where(RefundPayment.reference == reference)
            ).first()
        if found is None:
            sql = _BILL_RECORDED["sale" if operation == "sale" else "refund"]
            found = raw.one(raw.connection(session), sql, (reference,))
        return found is not None


def resolve_open_attempts(
    shop: Shop, terminal: CardTerminal | None = None, wallet: WalletPayments | None = None
) -> list[AttemptInfo]:
    """Settle every 'pending'/'unknown' attempt that no live process is waiting on.

    Enquire; a payment approved with no sale recorded is reversed, one that stays unknown is
    reversed; a declined one is closed. A refund approved but not recorded becomes 'approved'
    (the money went back; the owner must settle it). Attempts whose device was not given are
    left as they are. Returns the attempts touched, as they are now.
    """
    with shop.store.read() as session:
        candidates = session.scalars(
            select(PaymentAttempt)
            .where(PaymentAttempt.status.in_(OPEN_STATUSES))
            .order_by(PaymentAttempt.created_at)
        ).all()
        todo = [(a.reference, a.kind, a.operation, a.amount_fen) for a in candidates]
    touched: list[str] = []
    for reference, kind, operation, amount in todo:
        if (kind == CARD and terminal is None) or (kind == WALLET and wallet is None):
            continue
        data = _claim(shop, reference)
        if data is None:
            continue
        try:
            _resolve_one(shop, reference, kind, operation, amount, data, terminal, wallet)
        finally:
            release_attempts([reference])
        touched.append(reference)
    if not touched:
        return []
    with shop.store.read() as session:
        rows = session.scalars(
            select(PaymentAttempt).where(PaymentAttempt.reference.in_(touched))
        ).all()
        by_ref = {a.reference: _attempt_info(a) for a in rows}
    return [by_ref[r] for r in touched]


def _resolve_one(
    shop: Shop,
    reference: str,
    kind: str,
    operation: str,
    amount: int,
    data: dict[str, Any],
    terminal: CardTerminal | None,
    wallet: WalletPayments | None,
) -> None:
    if attempt_recorded(shop, reference, operation):
        mark_attempt(shop, reference, "used", None, "found recorded")
        return
    if kind == CARD:
        assert terminal is not None
        answer = _enquire_card(terminal, reference, amount, data.get("context"))
    else:
        assert wallet is not None
        answer = ask_port(lambda: wallet.query(reference), reference, amount)
    if answer.status is PaymentStatus.DECLINED:
        mark_attempt(shop, reference, "declined", answer, "enquiry after restart: not taken")
        return
    if operation == "refund":
        if answer.status is PaymentStatus.APPROVED:
            mark_attempt(
                shop, reference, "approved", answer, "refund went through but was not recorded"
            )
        else:
            mark_attempt(shop, reference, "unknown", answer, "refund outcome still unknown")
        return
    original = answer
    if answer.status is not PaymentStatus.APPROVED:
        original = _result_from_dict(data.get("last"), reference, amount)
    _reverse(shop, kind, reference, original, terminal, wallet)


def refuse_if_unresolved(shop: Shop, kinds: set[str]) -> None:
    """Before a new card/wallet transaction: no earlier *payment* of that kind may still be
    waiting to be reversed (a terminal can only reverse its last transaction). A refund whose
    outcome is unknown does not block: it cannot be reversed anyway and waits for the owner."""
    with shop.store.read() as session:
        rows = session.scalars(
            select(PaymentAttempt).where(
                PaymentAttempt.status.in_(OPEN_STATUSES),
                PaymentAttempt.kind.in_(kinds),
                PaymentAttempt.operation == "sale",
            )
        ).all()
        open_ones = [
            (a.reference, a.kind, a.amount_fen)
            for a in rows
            if not _owner_busy(_attempt_data(a.result_json).get("owner"), a.reference)
        ]
    if open_ones:
        reference, kind, amount = open_ones[0]
        raise PaymentUnknown(
            f"上一笔{TENDER_NAMES[kind][0]} {format_fen(amount)} 仍未确认，暂不能再收 / an earlier "
            f"{TENDER_NAMES[kind][1]} payment of {format_fen(amount)} (ref {reference[-8:]}) "
            "is still unresolved and could not be reversed; take cash, or retry when the device answers"
        )


SETTLE_OUTCOMES = {"not-charged": "declined", "charged": "approved"}


def settle_attempt(
    shop: Shop, reference: str, outcome: str, actor: Actor | None, reason: str
) -> AttemptInfo:
    """The owner settles a payment attempt that no enquiry can resolve (the terminal was
    replaced, its records lost): 'not-charged' closes it as not taken; 'charged' as money
    taken with no sale — for the owner to give back or account for (it stays listed by
    `unsettled_attempts`). Either way it no longer blocks the device. Journaled, with who and
    why. Only an open attempt ('pending'/'unknown') that no live process is waiting on."""
    owner = require_owner(actor, "settle a payment whose outcome is unknown")
    if outcome not in SETTLE_OUTCOMES:
        raise InvalidInput(
            f"结果应为 {' / '.join(SETTLE_OUTCOMES)} / the outcome must be one of "
            f"{', '.join(SETTLE_OUTCOMES)}"
        )
    text = _check_reason(reason, "settling a payment")
    with shop.store.read() as session:
        rows = session.scalars(select(PaymentAttempt)).all()
        matches = [
            a
            for a in rows
            if a.reference == reference or (len(reference) >= 8 and a.reference.endswith(reference))
        ]
        if not matches:
            raise NotFound(f"没有这笔付款 / no payment attempt {reference!r}")
        if len(matches) > 1:
            raise InvalidInput(f"{reference!r} 不唯一 / {reference!r} names several attempts")
        full = matches[0].reference
    data = _claim(shop, full)
    if data is None:
        raise RuleViolation(
            f"这笔付款已结清或正在处理 / payment attempt {full[-8:]} is settled already or a "
            "running till is still waiting on it"
        )
    status = SETTLE_OUTCOMES[outcome]
    now = shop.now()
    try:
        with shop.store.write() as session:
            conn = raw.connection(session)
            row = raw.one(
                conn,
                "SELECT kind, operation, amount_fen, status FROM payment_attempts "
                "WHERE reference = ?",
                (full,),
            )
            assert row is not None
            if row[3] not in OPEN_STATUSES:  # pragma: no cover - _claim checked it
                raise RuleViolation(f"payment attempt {full[-8:]} is settled already")
            update_attempt(
                session, shop, full, status, None, f"settled by {owner.name}: {outcome}: {text}"
            )
            outbox.record(  # journaled, and the hub hears of it as of every money event
                session,
                at=now,
                kind="payment.settled_by_owner",
                ref_id=full,
                payload={
                    "reference": full,
                    "kind": row[0],
                    "operation": row[1],
                    "amount_fen": row[2],
                    "was": row[3],
                    "outcome": outcome,
                    "status": status,
                    "user_id": owner.user_id,
                    "user_name": owner.name,
                    "reason": text,
                },
            )
    finally:
        release_attempts([full])
    with shop.store.read() as session:
        attempt = session.scalars(
            select(PaymentAttempt).where(PaymentAttempt.reference == full)
        ).one()
        return _attempt_info(attempt)


# --------------------------------------------------------------------------------------------
# What a sale looks like to the rest of the program
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SaleLineInfo:
    id: str
    line_no: int
    product_id: str
    name: str
    barcode: str | None
    qty: int
    list_price_fen: int
    unit_price_fen: int
    line_total_fen: int
    override_reason: str | None
    override_by: str | None
    refunded_qty: int = 0

    @property
    def refundable_qty(self) -> int:
        return self.qty - self.refunded_qty

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "line_no": self.line_no,
            "product_id": self.product_id,
            "name": self.name,
            "barcode": self.barcode,
            "qty": self.qty,
            "list_price_fen": self.list_price_fen,
            "unit_price_fen": self.unit_price_fen,
            "line_total_fen": self.line_total_fen,
            "override_reason": self.override_reason,
            "override_by": self.override_by,
        }


@dataclass(frozen=True)
class PaymentInfo:
    id: str
    kind: str
    amount_fen: int
    tendered_fen: int
    change_fen: int
    refunded_fen: int
    reference: str | None
    auth_code: str
    masked_pan: str
    card_name: str
    terminal_id: str
    trace: str
    receipt_no: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "amount_fen": self.amount_fen,
            "tendered_fen": self.tendered_fen,
            "change_fen": self.change_fen,
            "reference": self.reference,
            "auth_code": self.auth_code,
            "masked_pan": self.masked_pan,
            "card_name": self.card_name,
            "terminal_id": self.terminal_id,
            "trace": self.trace,
            "receipt_no": self.receipt_no,
        }


def _line_info(line: SaleLine) -> SaleLineInfo:
    return SaleLineInfo(
        id=line.id,
        line_no=line.line_no,
        product_id=line.product_id,
        name=line.name,
        barcode=line.barcode,
        qty=line.qty,
        list_price_fen=line.list_price_fen,
        unit_price_fen=line.unit_price_fen,
        line_total_fen=line.line_total_fen,
        override_reason=line.override_reason,
        override_by=line.override_by,
        refunded_qty=line.refunded_qty,
    )


_LINE_FIELDS = tuple(f.name for f in dataclasses.fields(SaleLineInfo))
_PAYMENT_FIELDS = tuple(f.name for f in dataclasses.fields(PaymentInfo))
_INSERT_LINES = raw.insert_sql("sale_lines", ("sale_id", *_LINE_FIELDS))
_INSERT_PAYMENTS = raw.insert_sql("payments", ("sale_id", *_PAYMENT_FIELDS))
_INSERT_MOVES = raw.insert_sql(
    "stock_moves", ("id", "product_id", "qty_delta", "reason", "ref_id", "note", "user_id", "at")
)


def _line_row(line: SaleLineInfo) -> dict[str, Any]:
    """The sale_lines columns of a line (without sale_id), for a Core insert."""
    return {name: getattr(line, name) for name in _LINE_FIELDS}


def _payment_row(p: PaymentInfo) -> dict[str, Any]:
    """The payments columns of a payment (without sale_id), for a Core insert."""
    return {name: getattr(p, name) for name in _PAYMENT_FIELDS}


def _payment_info(p: Payment) -> PaymentInfo:
    return PaymentInfo(
        id=p.id,
        kind=p.kind,
        amount_fen=p.amount_fen,
        tendered_fen=p.tendered_fen,
        change_fen=p.change_fen,
        refunded_fen=p.refunded_fen,
        reference=p.reference,
        auth_code=p.auth_code,
        masked_pan=p.masked_pan,
        card_name=p.card_name,
        terminal_id=p.terminal_id,
        trace=p.trace,
        receipt_no=p.receipt_no,
    )


@dataclass(frozen=True)
class SaleReceipt:
    """Everything a receipt printer needs, as the sale was recorded."""

    sale_id: str
    number: str
    business_day: dt.date
    completed_at: dt.datetime
    store_name: str
    cashier_id: str
    cashier_name: str
    lines: tuple[SaleLineInfo, ...]
    list_total_fen: int
    total_fen: int
    payments: tuple[PaymentInfo, ...]

    @property
    def discount_fen(self) -> int:
        return self.list_total_fen - self.total_fen

    @property
    def tendered_fen(self) -> int:
        return sum(p.tendered_fen for p in self.payments)

    @property
    def change_fen(self) -> int:
        return sum(p.change_fen for p in self.payments)

    def as_dict(self) -> dict[str, Any]:
        return {
            "sale_id": self.sale_id,
            "number": self.number,
            "business_day": self.business_day.isoformat(),
            "completed_at": self.completed_at.astimezone(dt.UTC).isoformat(),
            "store_name": self.store_name,
            "cashier_id": self.cashier_id,
            "cashier_name": self.cashier_name,
            "lines": [line.as_dict() for line in self.lines],
            "payments": [p.as_dict() for p in self.payments],
            "list_total_fen": self.list_total_fen,
            "total_fen": self.total_fen,
            "discount_fen": self.discount_fen,
            "tendered_fen": self.tendered_fen,
            "change_fen": self.change_fen,
        }


@dataclass(frozen=True)
class SaleView:
    """A recorded sale as it stands now, refunds included."""

    id: str
    number: str
    business_day: dt.date
    completed_at: dt.datetime
    cashier_id: str
    cashier_name: str
    shift_id: str
    list_total_fen: int
    total_fen: int
    lines: tuple[SaleLineInfo, ...]
    payments: tuple[PaymentInfo, ...]
    refund_numbers: tuple[str, ...]

    @property
    def refunded_fen(self) -> int:
        return sum(p.refunded_fen for p in self.payments)

    @property
    def fully_refunded(self) -> bool:
        return all(line.refundable_qty == 0 for line in self.lines)


# --------------------------------------------------------------------------------------------
# Numbers, checkout, voids
# --------------------------------------------------------------------------------------------


def next_seq(session: raw.Handle, shop: Shop, day: dt.date, kind: str) -> int:
    """The next number of `kind` for this device and business day, in the caller's transaction
    (an upsert: the counters' primary key, not a search, decides)."""
    params = {"device": shop.device_id, "day": raw.db_date(day), "kind": kind}
    return int(raw.one(raw.connection(session), _NEXT_SEQ, params)[0])


# The sale's statements run as plain SQL on the transaction's connection (storebox.db.raw).
_INSERT_SALE = raw.insert_sql(
    "sales",
    (
        "id", "number", "device_id", "business_day", "seq", "shift_id", "cashier_id",
        "list_total_fen", "total_fen", "completed_at",
    ),
)  # fmt: skip
_SELL_STOCK = (
    "UPDATE products SET stock_qty = stock_qty - :q, sold_qty = sold_qty + :q WHERE id = :pid"
)
_NEXT_SEQ = (
    "INSERT INTO counters (device_id, business_day, kind, last) VALUES (:device, :day, :kind, 1) "
    "ON CONFLICT (device_id, business_day, kind) DO UPDATE SET last = last + 1 RETURNING last"
)
_PRODUCTS_FOUND = "SELECT id FROM products WHERE id IN (SELECT value FROM json_each(:ids))"


#: Every question the sale's transaction must ask, in one statement: the open shift, whether
#: the day is closed, whether this cart was already recorded, how many of its products exist.
_CAN_RECORD = (
    "SELECT (SELECT id FROM shifts WHERE device_id = :device AND status = 'open'), "
    "EXISTS (SELECT 1 FROM day_closes WHERE device_id = :device AND business_day = :day), "
    "EXISTS (SELECT 1 FROM sales WHERE id = :sale), "
    "(SELECT COUNT(*) FROM products WHERE id IN (SELECT value FROM json_each(:ids)))"
)


def _check_can_record(session: raw.Handle, shop: Shop, cart: Cart, day: dt.date) -> str:
    """Everything that would stop the sale's transaction, as a message for the counter.

    One prebuilt statement: this runs inside every sale. Returns the open shift's id.
    """
    ids = sorted({line.product_id for line in cart.lines})
    params = {
        "device": shop.device_id,
        "day": raw.db_date(day),
        "sale": cart.id,
        "ids": json.dumps(ids),
    }
    conn = raw.connection(session)
    shift_id, day_closed, recorded, found = raw.one(conn, _CAN_RECORD, params)
    if shift_id is None:
        raise RuleViolation(NO_OPEN_SHIFT)
    if day_closed:
        raise RuleViolation(f"{day} 已日结 / business day {day} is already closed")
    if recorded:
        raise RuleViolation("此单已付款 / this cart has already been paid")
    if found != len(ids):
        have = {row[0] for row in conn.execute(_PRODUCTS_FOUND, {"ids": json.dumps(ids)})}
        missing = sorted(set(ids) - have)
        raise NotFound(f"商品不存在 / product(s) not found: {', '.join(missing)}")
    return str(shift_id)


def require_open_day(session: Session, shop: Shop, day: dt.date) -> None:
    """Nothing more may be booked on a business day whose Z report is frozen."""
    if session.get(DayClose, (shop.device_id, day)) is not None:
        raise RuleViolation(f"{day} 已日结 / business day {day} is already closed")


def sale_number(day: dt.date, device_no: int, seq: int) -> str:
    return f"{day:%m%d}-{device_no:02d}-{seq:04d}"


def checkout(
    shop: Shop,
    actor: Actor,
    cart: Cart,
    tenders: Sequence[Tender],
    *,
    terminal: CardTerminal | None = None,
    wallet: WalletPayments | None = None,
    on_status: StatusCallback | None = None,
) -> SaleReceipt:
    """Take the money and record the sale.

    Card and wallet tenders are charged first, in the order given, then the sale — lines,
    payments, stock moves, product counts, journal entry and outbox event — commits in one
    transaction. If anything fails after a card or wallet payment was approved, that payment is
    reversed before the error reaches the caller.
    """
    plan = _plan(cart, tenders)
    kinds = {CARD if isinstance(t, Card) else WALLET for t in plan.noncash}

    if CARD in kinds and terminal is None:
        raise InvalidInput("未连接刷卡机 / no card terminal is connected; take another tender")
    if WALLET in kinds and wallet is None:
        raise InvalidInput(
            "扫码支付不可用 / wallet payments are not available; take another tender"
        )
    if plan.noncash:
        # Before any card is charged: would the sale be recorded at all? (A cash-only sale asks
        # the same questions inside its one write transaction.)
        with shop.store.read() as session:
            _check_can_record(session, shop, cart, shop.business_day())

    if terminal is not None or wallet is not None:
        resolve_open_attempts(shop, terminal, wallet)
    if kinds:
        refuse_if_unresolved(shop, kinds)

    references: list[str] = []
    charged: list[tuple[str, str, PaymentResult]] = []
    context = {"cart_id": cart.id, "total_fen": plan.total}
    try:
        try:
            for tender in plan.noncash:
                charged.append(
                    _charge(shop, tender, terminal, wallet, context, references, on_status)
                )
            receipt = _record_sale(shop, actor, cart, plan, charged)
        except BaseException as exc:
            if charged:
                _undo_and_raise(shop, exc, charged, terminal, wallet)
            raise
    finally:
        release_attempts(references)
    cart.closed_as = f"sale {receipt.number}"
    return receipt


def _undo_and_raise(
    shop: Shop,
    exc: BaseException,
    charged: list[tuple[str, str, PaymentResult]],
    terminal: CardTerminal | None,
    wallet: WalletPayments | None,
) -> None:
    """Reverse the approved payments of a sale that did not happen, then explain."""
    reversed_ok: list[str] = []
    failed: list[str] = []
    for kind, reference, result in charged:
        if attempt_recorded(shop, reference, "sale"):
            continue  # interrupted after the sale committed: the payment belongs to it
        desc = f"{TENDER_NAMES[kind][1]} {format_fen(result.amount_fen)}"
        if _reverse(shop, kind, reference, result, terminal, wallet):
            reversed_ok.append(desc)
        else:
            failed.append(desc)
    reason = exc.message if isinstance(exc, ShopError) else "系统错误 / internal error"
    if failed:
        raise PaymentUnknown(
            f"{reason} —— 之前的付款撤销未成功，请勿交付商品 / the earlier payment(s) "
            f"{', '.join(failed)} could not be reversed: do not hand over the goods; they will "
            "be reversed before the next payment"
        ) from exc
    if isinstance(exc, ShopError) and reversed_ok:
        raise type(exc)(
            f"{reason} —— 之前的付款已撤销 / the earlier payment(s) {', '.join(reversed_ok)} "
            "were reversed; the customer is not charged"
        ) from exc


def _record_sale(
    shop: Shop,
    actor: Actor,
    cart: Cart,
    plan: _Plan,
    charged: list[tuple[str, str, PaymentResult]],
) -> SaleReceipt:
    now = shop.now()
    at = raw.db_datetime(now)
    day = shop.business_day(now)
    try:
        with shop.store.write_sql() as session:
            shift_id = _check_can_record(session, shop, cart, day)
            seq = next_seq(session, shop, day, "sale")
            number = sale_number(day, shop.device_no, seq)
            # Plain SQL on the transaction's own connection, not ORM objects: the till's hot path,
            # and the unit of work's bookkeeping cost more than the SQL (storebox bench).
            lines = tuple(
                SaleLineInfo(
                    id=new_id(),
                    line_no=line_no,
                    product_id=item.product_id,
                    name=item.name,
                    barcode=item.barcode,
                    qty=item.qty,
                    list_price_fen=item.list_price_fen,
                    unit_price_fen=item.unit_price_fen,
                    line_total_fen=item.line_total_fen,
                    override_reason=item.override_reason,
                    override_by=item.override_by,
                )
                for line_no, item in enumerate(cart.lines, start=1)
            )
            payments: list[PaymentInfo] = [
                PaymentInfo(
                    id=new_id(),
                    kind=kind,
                    amount_fen=result.amount_fen,
                    tendered_fen=result.amount_fen,
                    change_fen=0,
                    refunded_fen=0,
                    reference=reference,
                    auth_code=result.auth_code[:16],
                    terminal_id=result.terminal_id[:16],
                    trace=result.trace[:16],
                    receipt_no=result.receipt_no[:16],
                    masked_pan=mask_pan(result.masked_pan),
                    card_name=result.card_name[:40],
                )
                for kind, reference, result in charged
            ]
            if plan.cash_applied > 0:
                payments.append(
                    PaymentInfo(
                        id=new_id(),
                        kind=CASH,
                        amount_fen=plan.cash_applied,
                        tendered_fen=plan.cash_tendered,
                        change_fen=plan.change,
                        refunded_fen=0,
                        reference=None,
                        auth_code="",
                        terminal_id="",
                        trace="",
                        receipt_no="",
                        masked_pan="",
                        card_name="",
                    )
                )
            conn = session
            conn.execute(
                _INSERT_SALE,
                {
                    "id": cart.id,
                    "number": number,
                    "device_id": shop.device_id,
                    "business_day": raw.db_date(day),
                    "seq": seq,
                    "shift_id": shift_id,
                    "cashier_id": actor.user_id,
                    "list_total_fen": plan.list_total,
                    "total_fen": plan.total,
                    "completed_at": at,
                },
            )
            conn.executemany(
                _INSERT_LINES,
                [{**_line_row(line), "sale_id": cart.id, "refunded_qty": 0} for line in lines],
            )
            conn.executemany(
                _INSERT_MOVES,
                [
                    {
                        "id": new_id(),
                        "product_id": line.product_id,
                        "qty_delta": -line.qty,
                        "reason": "sale",
                        "ref_id": cart.id,
                        "note": number,
                        "user_id": actor.user_id,
                        "at": at,
                    }
                    for line in lines
                ],
            )
            if payments:  # a sale given away in full (price overridden to 0) has none
                conn.executemany(
                    _INSERT_PAYMENTS,
                    [{**_payment_row(p), "sale_id": cart.id} for p in payments],
                )
            conn.executemany(
                _SELL_STOCK, [{"pid": line.product_id, "q": line.qty} for line in lines]
            )
            for _kind, reference, result in charged:
                update_attempt(session, shop, reference, "used", result, f"sale {number}")
            receipt = SaleReceipt(
                sale_id=cart.id,
                number=number,
                business_day=day,
                completed_at=now,
                store_name=shop.settings.store_name,
                cashier_id=actor.user_id,
                cashier_name=actor.name,
                lines=lines,
                list_total_fen=plan.list_total,
                total_fen=plan.total,
                payments=tuple(payments),
            )
            outbox.record(
                session,
                at=now,
                kind="sale.completed",
                ref_id=cart.id,
                payload={
                    **receipt.as_dict(),
                    "device_id": shop.device_id,
                    "device_no": shop.device_no,
                    "shift_id": shift_id,
                    "seq": seq,
                },
            )
    except raw.INTEGRITY_ERRORS as exc:
        log.error("sale did not commit: %s", exc)
        raise RuleViolation(
            "销售未能保存（数据冲突），请重试 / the sale could not be saved (a conflicting record); "
            "nothing was sold — try again"
        ) from exc
    return receipt


def void_cart(shop: Shop, actor: Actor, cart: Cart, reason: str) -> str | None:
    """Abandon an unpaid cart: a Void row and a 'sale.voided' event — no money, no stock.

    An empty cart needs no void (returns None). Returns the void's id; the cart is closed.
    """
    _open(cart)
    if not cart.lines:
        return None
    text = _check_reason(reason, "void the sale")
    now = shop.now()
    day = shop.business_day(now)
    lines = [
        {
            "product_id": line.product_id,
            "name": line.name,
            "barcode": line.barcode,
            "qty": line.qty,
            "unit_price_fen": line.unit_price_fen,
            "line_total_fen": line.line_total_fen,
        }
        for line in cart.lines
    ]
    try:
        with shop.store.write() as session:
            shift = require_open_shift(session, shop)
            require_open_day(session, shop, day)
            void = Void(
                id=cart.id,
                device_id=shop.device_id,
                business_day=day,
                shift_id=shift.id,
                user_id=actor.user_id,
                reason=text,
                lines_count=len(lines),
                total_fen=cart.total_fen,
                lines_json=journal.canonical(lines),
                created_at=now,
            )
            session.add(void)
            session.flush()
            outbox.record(
                session,
                at=now,
                kind="sale.voided",
                ref_id=void.id,
                payload={
                    "business_day": day.isoformat(),
                    "shift_id": shift.id,
                    "user_id": actor.user_id,
                    "reason": text,
                    "lines": lines,
                    "total_fen": cart.total_fen,
                },
            )
    except raw.INTEGRITY_ERRORS:
        raise RuleViolation("此单已作废 / this cart was already voided") from None
    cart.closed_as = "voided"
    return cart.id


# --------------------------------------------------------------------------------------------
# Looking sales up
# --------------------------------------------------------------------------------------------


def load_sale(session: Session, ref: str) -> Sale:
    """A sale by id or by number (the latest business day first: numbers repeat yearly)."""
    cleaned = ref.strip() if isinstance(ref, str) else ""
    if not cleaned:
        raise InvalidInput("请输入销售单号 / a sale number is needed")
    sale = session.get(Sale, cleaned) if len(cleaned) == 36 else None
    if sale is None:
        sale = session.scalars(
            select(Sale).where(Sale.number == cleaned).order_by(Sale.business_day.desc()).limit(1)
        ).first()
    if sale is None:
        raise NotFound(f"找不到销售单 {cleaned} / no sale {cleaned}")
    return sale


def _views(session: Session, sales: Sequence[Sale]) -> list[SaleView]:
    if not sales:
        return []
    ids = [s.id for s in sales]
    lines: dict[str, list[SaleLineInfo]] = {i: [] for i in ids}
    for line in session.scalars(
        select(SaleLine).where(SaleLine.sale_id.in_(ids)).order_by(SaleLine.line_no)
    ):
        lines[line.sale_id].append(_line_info(line))
    payments: dict[str, list[PaymentInfo]] = {i: [] for i in ids}
    for p in session.scalars(select(Payment).where(Payment.sale_id.in_(ids)).order_by(Payment.id)):
        payments[p.sale_id].append(_payment_info(p))
    refunds: dict[str, list[str]] = {i: [] for i in ids}
    for sale_id, number in session.execute(
        select(Refund.sale_id, Refund.number)
        .where(Refund.sale_id.in_(ids))
        .order_by(Refund.created_at)
    ):
        refunds[sale_id].append(number)
    names: dict[str, str] = {
        user_id: name
        for user_id, name in session.execute(
            select(User.id, User.name).where(User.id.in_({s.cashier_id for s in sales}))
        )
    }
    return [
        SaleView(
            id=s.id,
            number=s.number,
            business_day=s.business_day,
            completed_at=s.completed_at,
            cashier_id=s.cashier_id,
            cashier_name=names.get(s.cashier_id, ""),
            shift_id=s.shift_id,
            list_total_fen=s.list_total_fen,
            total_fen=s.total_fen,
            lines=tuple(lines[s.id]),
            payments=tuple(payments[s.id]),
            refund_numbers=tuple(refunds[s.id]),
        )
        for s in sales
    ]


def find_sale(shop: Shop, number_or_id: str) -> SaleView:
    with shop.store.read() as session:
        return _views(session, [load_sale(session, number_or_id)])[0]


def sales_of_day(shop: Shop, day: dt.date) -> list[SaleView]:
    """Every sale of a business day on this store, in number order."""
    with shop.store.read() as session:
        sales = session.scalars(
            select(Sale).where(Sale.business_day == day).order_by(Sale.device_id, Sale.seq)
        ).all()
        return _views(session, sales)
