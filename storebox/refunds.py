"""Refunds (退货): goods come back, money goes back to the tender(s) it came from.

Rules:

- never more than was sold: each line's refundable quantity is `qty - refunded_qty`; a
  conditional UPDATE and the CHECK constraint on `sale_lines` stand behind the first check;
- the amount is what the customer actually paid for those units (`qty × unit_price`);
- above `refund_limit_fen` the person refunding or an approver must be the owner;
- non-cash tenders are refunded first (card through the terminal, wallet through the hub), each
  behind a payment attempt written before the request leaves; then cash from the drawer;
- a declined or unknown non-cash refund aborts the refund: nothing is recorded but the attempt.

A card or wallet refund cannot be reversed. So if one goes through and the refund then cannot
be recorded (a second non-cash refund of a split sale fails, or the store fails), the attempt is
left 'approved' — money went back without a record — and `RefundNotRecorded` says so; it shows
in `sales.unsettled_attempts` for the owner to settle.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storebox import outbox
from storebox.db import raw
from storebox.db.models import (
    Payment,
    Product,
    Refund,
    RefundLine,
    RefundPayment,
    Sale,
    SaleLine,
    StockMove,
)
from storebox.errors import (
    InvalidInput,
    NotFound,
    PaymentDeclined,
    PaymentUnknown,
    PermissionDenied,
    RuleViolation,
    ShopError,
)
from storebox.ids import new_id
from storebox.money import format_fen
from storebox.ports import (
    CardTerminal,
    PaymentResult,
    PaymentStatus,
    StatusCallback,
    WalletPayments,
)
from storebox.sales import (
    CARD,
    CASH,
    TENDER_NAMES,
    WALLET,
    attempt_recorded,
    check_qty,
    load_sale,
    mark_attempt,
    mask_pan,
    next_seq,
    refund_attempt,
    refuse_if_unresolved,
    release_attempts,
    require_open_day,
    resolve_open_attempts,
    update_attempt,
)
from storebox.shifts import require_open_shift
from storebox.shop import Shop
from storebox.users import Actor, require_owner

MAX_REASON = 200


class RefundNotRecorded(ShopError):
    """A card or wallet refund went through but the refund could not be recorded."""

    code = "refund_not_recorded"


@dataclass(frozen=True)
class RefundLineInfo:
    sale_line_id: str
    product_id: str
    name: str
    qty: int
    unit_price_fen: int
    amount_fen: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "sale_line_id": self.sale_line_id,
            "product_id": self.product_id,
            "name": self.name,
            "qty": self.qty,
            "unit_price_fen": self.unit_price_fen,
            "amount_fen": self.amount_fen,
        }


@dataclass(frozen=True)
class RefundPaymentInfo:
    payment_id: str
    kind: str
    amount_fen: int
    reference: str
    masked_pan: str
    card_name: str
    auth_code: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "payment_id": self.payment_id,
            "kind": self.kind,
            "amount_fen": self.amount_fen,
            "reference": self.reference,
            "masked_pan": self.masked_pan,
            "card_name": self.card_name,
            "auth_code": self.auth_code,
        }


@dataclass(frozen=True)
class RefundReceipt:
    refund_id: str
    number: str
    sale_id: str
    sale_number: str
    business_day: dt.date
    created_at: dt.datetime
    store_name: str
    user_id: str
    user_name: str
    approved_by: str | None
    reason: str
    lines: tuple[RefundLineInfo, ...]
    payments: tuple[RefundPaymentInfo, ...]
    total_fen: int

    @property
    def cash_fen(self) -> int:
        """What the cashier hands back from the drawer."""
        return sum(p.amount_fen for p in self.payments if p.kind == CASH)

    def as_dict(self) -> dict[str, Any]:
        return {
            "refund_id": self.refund_id,
            "number": self.number,
            "sale_id": self.sale_id,
            "sale_number": self.sale_number,
            "business_day": self.business_day.isoformat(),
            "created_at": self.created_at.astimezone(dt.UTC).isoformat(),
            "store_name": self.store_name,
            "user_id": self.user_id,
            "user_name": self.user_name,
            "approved_by": self.approved_by,
            "reason": self.reason,
            "lines": [line.as_dict() for line in self.lines],
            "payments": [p.as_dict() for p in self.payments],
            "total_fen": self.total_fen,
            "cash_fen": self.cash_fen,
        }


@dataclass(frozen=True)
class _Share:
    """One original tender's part of the refund."""

    payment_id: str
    kind: str
    amount_fen: int
    original: PaymentResult | None  # for card/wallet: what the sale's payment was


@dataclass(frozen=True)
class _Plan:
    sale_id: str
    sale_number: str
    lines: tuple[RefundLineInfo, ...]
    shares: tuple[_Share, ...]

    @property
    def total(self) -> int:
        return sum(line.amount_fen for line in self.lines)


def refund_number(day: dt.date, device_no: int, seq: int) -> str:
    return f"R{day:%m%d}-{device_no:02d}-{seq:04d}"


def _check_request(lines: Mapping[str, int] | None) -> dict[str, int] | None:
    if lines is None:
        return None
    if not isinstance(lines, Mapping):
        raise InvalidInput("退货明细格式错误 / refund lines must map a sale line to a quantity")
    if not lines:
        raise InvalidInput("请选择要退的商品 / choose at least one line to refund")
    checked: dict[str, int] = {}
    for line_id, qty in lines.items():
        if not isinstance(line_id, str) or not line_id.strip():
            raise InvalidInput(f"销售明细无效 / not a sale line: {line_id!r}")
        checked[line_id.strip()] = check_qty(qty)
    return checked


def _check_reason(reason: object) -> str:
    text = reason.strip() if isinstance(reason, str) else ""
    if not text:
        raise InvalidInput("请填写退货原因 / a reason is needed to refund")
    if len(text) > MAX_REASON:
        raise InvalidInput(f"原因太长 / the reason is longer than {MAX_REASON} characters")
    return text


def _plan(session: Session, sale: Sale, requested: dict[str, int] | None) -> _Plan:
    sale_lines = session.scalars(
        select(SaleLine).where(SaleLine.sale_id == sale.id).order_by(SaleLine.line_no)
    ).all()
    by_id = {line.id: line for line in sale_lines}
    if requested is None:
        wanted = {line.id: line.qty - line.refunded_qty for line in sale_lines}
        wanted = {k: v for k, v in wanted.items() if v > 0}
        if not wanted:
            raise RuleViolation(
                f"销售单 {sale.number} 已全部退货 / sale {sale.number} is already fully refunded"
            )
    else:
        wanted = requested
    chosen: list[RefundLineInfo] = []
    for line_id, qty in wanted.items():
        line = by_id.get(line_id)
        if line is None:
            raise NotFound(
                f"销售单 {sale.number} 没有这一行 / sale {sale.number} has no line {line_id}"
            )
        left = line.qty - line.refunded_qty
        if left == 0:
            raise RuleViolation(
                f"{line.name}: 已退过 / already refunded (all {line.qty} of sale {sale.number})"
            )
        if qty > left:
            raise RuleViolation(
                f"{line.name}: 最多可退 {left} / only {left} of {line.qty} can still be refunded "
                f"({line.refunded_qty} already refunded), not {qty}"
            )
        chosen.append(
            RefundLineInfo(
                sale_line_id=line.id,
                product_id=line.product_id,
                name=line.name,
                qty=qty,
                unit_price_fen=line.unit_price_fen,
                amount_fen=qty * line.unit_price_fen,
            )
        )
    chosen.sort(key=lambda info: by_id[info.sale_line_id].line_no)
    total = sum(info.amount_fen for info in chosen)
    if total <= 0:
        raise RuleViolation(
            "这些商品是免费的，无需退款 / these items were free: there is no money to refund "
            "(adjust the stock instead)"
        )
    payments = session.scalars(select(Payment).where(Payment.sale_id == sale.id)).all()
    # Non-cash first (in the order they were taken), then cash from the drawer.
    ordered = sorted(payments, key=lambda p: (p.kind == CASH, p.id))
    shares: list[_Share] = []
    left_to_place = total
    for payment in ordered:
        available = payment.amount_fen - payment.refunded_fen
        take = min(available, left_to_place)
        if take <= 0:
            continue
        original = None
        if payment.kind != CASH:
            original = PaymentResult(
                status=PaymentStatus.APPROVED,
                amount_fen=payment.amount_fen,
                reference=payment.reference or "",
                auth_code=payment.auth_code,
                terminal_id=payment.terminal_id,
                trace=payment.trace,
                receipt_no=payment.receipt_no,
                masked_pan=payment.masked_pan,
                card_name=payment.card_name,
            )
        shares.append(_Share(payment.id, payment.kind, take, original))
        left_to_place -= take
    if left_to_place > 0:
        raise RuleViolation(
            f"退款 {format_fen(total)} 超过可退金额 / the refund of {format_fen(total)} is more than "
            f"what is left of sale {sale.number}'s payments"
        )
    return _Plan(sale.id, sale.number, tuple(chosen), tuple(shares))


def refund(
    shop: Shop,
    actor: Actor,
    sale_ref: str,
    lines: Mapping[str, int] | None,
    reason: str,
    *,
    approver: Actor | None = None,
    terminal: CardTerminal | None = None,
    wallet: WalletPayments | None = None,
    on_status: StatusCallback | None = None,
) -> RefundReceipt:
    """Refund some or all (`lines=None`) of what is still refundable on a sale.

    `lines` maps a sale line id to a quantity. Returns the receipt; `cash_fen` on it is what the
    cashier hands back from the drawer.
    """
    text = _check_reason(reason)
    requested = _check_request(lines)
    if approver is not None and not approver.is_owner:
        raise PermissionDenied("授权人必须是店主 / the approver must be the owner")
    with shop.store.read() as session:
        require_open_shift(session, shop)
        plan = _plan(session, load_sale(session, sale_ref), requested)
    limit = shop.settings.refund_limit_fen
    if plan.total > limit and not actor.is_owner:
        require_owner(
            approver,
            f"refund {format_fen(plan.total)} (above the limit of {format_fen(limit)})",
        )
    kinds = {share.kind for share in plan.shares if share.kind != CASH}
    if CARD in kinds and terminal is None:
        raise InvalidInput("未连接刷卡机 / no card terminal is connected: a card refund needs it")
    if WALLET in kinds and wallet is None:
        raise InvalidInput("扫码支付不可用 / wallet refunds are not available right now")
    if terminal is not None or wallet is not None:
        resolve_open_attempts(shop, terminal, wallet)
    if kinds:
        refuse_if_unresolved(shop, kinds)

    references: list[str] = []
    done: list[tuple[_Share, str, PaymentResult]] = []
    try:
        try:
            for share in plan.shares:
                if share.kind == CASH:
                    continue
                reference, result = _refund_noncash(
                    shop, plan, share, terminal, wallet, references, on_status
                )
                done.append((share, reference, result))
            return _record(shop, actor, approver, plan, text, done)
        except BaseException as exc:
            if done:
                _left_unrecorded(shop, exc, done)
            raise
    finally:
        release_attempts(references)


def _refund_noncash(
    shop: Shop,
    plan: _Plan,
    share: _Share,
    terminal: CardTerminal | None,
    wallet: WalletPayments | None,
    references: list[str],
    on_status: StatusCallback | None,
) -> tuple[str, PaymentResult]:
    kind, amount = share.kind, share.amount_fen
    zh, en = TENDER_NAMES[kind]
    context = {
        "sale_id": plan.sale_id,
        "sale_number": plan.sale_number,
        "payment_id": share.payment_id,
    }
    original = share.original
    assert original is not None
    send: Callable[[str], PaymentResult]
    enquire: Callable[[str], PaymentResult]
    if kind == CARD:
        assert terminal is not None
        card = terminal
        send, enquire = (lambda ref: card.refund(amount, ref, on_status)), card.enquire
    else:
        assert wallet is not None
        provider = wallet
        send, enquire = (lambda ref: provider.refund(original, amount, ref)), provider.query
    reference, result = refund_attempt(
        shop, kind, amount, context, references,
        send=send, enquire=enquire, unknown_note="refund outcome unknown",
    )  # fmt: skip
    if result.status is PaymentStatus.APPROVED:
        return reference, result
    if result.status is PaymentStatus.DECLINED:
        raise PaymentDeclined(
            f"{zh}退款 {format_fen(amount)} 被拒绝：{result.message}，未退货 / the {en} refund of "
            f"{format_fen(amount)} was declined: {result.message}; nothing was refunded"
        )
    raise PaymentUnknown(
        f"{zh}退款 {format_fen(amount)} 结果未知，未记录退货 / the outcome of the {en} refund of "
        f"{format_fen(amount)} is unknown; the refund was not recorded. It is checked with the "
        f"{en} provider before the next payment; do not refund it another way meanwhile."
    )


def _left_unrecorded(
    shop: Shop, exc: BaseException, done: list[tuple[_Share, str, PaymentResult]]
) -> None:
    """Non-cash refunds went through but the refund is not recorded: say so, loudly."""
    parts = []
    for share, reference, result in done:
        if attempt_recorded(shop, reference, "refund"):
            continue  # interrupted after the refund committed: it is recorded
        mark_attempt(
            shop, reference, "approved", result, "refund went through but was not recorded"
        )
        parts.append(f"{TENDER_NAMES[share.kind][1]} {format_fen(share.amount_fen)}")
    if not parts:
        return
    reason = exc.message if isinstance(exc, ShopError) else "系统错误 / internal error"
    raise RefundNotRecorded(
        f"{reason} —— 以下退款已退回顾客但未记录，请店主处理 / the refund could not be completed, but "
        f"{', '.join(parts)} already went back to the customer: the owner must settle it "
        "(see unsettled payment attempts); do not refund it again"
    ) from exc


def _record(
    shop: Shop,
    actor: Actor,
    approver: Actor | None,
    plan: _Plan,
    reason: str,
    done: list[tuple[_Share, str, PaymentResult]],
) -> RefundReceipt:
    now = shop.now()
    day = shop.business_day(now)
    results = {share.payment_id: (reference, result) for share, reference, result in done}
    try:
        with shop.store.write() as session:
            shift = require_open_shift(session, shop)
            require_open_day(session, shop, day)
            seq = next_seq(session, shop, day, "refund")
            number = refund_number(day, shop.device_no, seq)
            row = Refund(
                id=new_id(),
                number=number,
                sale_id=plan.sale_id,
                device_id=shop.device_id,
                business_day=day,
                seq=seq,
                shift_id=shift.id,
                user_id=actor.user_id,
                approved_by=approver.user_id if approver is not None else None,
                reason=reason,
                total_fen=plan.total,
                created_at=now,
            )
            session.add(row)
            session.flush()
            for info in plan.lines:
                changed = session.execute(
                    update(SaleLine)
                    .where(
                        SaleLine.id == info.sale_line_id,
                        SaleLine.refunded_qty + info.qty <= SaleLine.qty,
                    )
                    .values(refunded_qty=SaleLine.refunded_qty + info.qty)
                    .returning(SaleLine.id)
                ).first()
                if changed is None:
                    raise RuleViolation(
                        f"{info.name}: 已退过 / already refunded meanwhile; nothing was refunded"
                    )
                session.add(
                    RefundLine(
                        id=new_id(),
                        refund_id=row.id,
                        sale_line_id=info.sale_line_id,
                        qty=info.qty,
                        amount_fen=info.amount_fen,
                    )
                )
                session.add(
                    StockMove(
                        id=new_id(),
                        product_id=info.product_id,
                        qty_delta=info.qty,
                        reason="refund",
                        ref_id=row.id,
                        note=number,
                        user_id=actor.user_id,
                        at=now,
                    )
                )
                session.execute(
                    update(Product)
                    .where(Product.id == info.product_id)
                    .values(
                        stock_qty=Product.stock_qty + info.qty,
                        sold_qty=Product.sold_qty - info.qty,
                    )
                )
            paid_back: list[RefundPaymentInfo] = []
            for share in plan.shares:
                changed = session.execute(
                    update(Payment)
                    .where(
                        Payment.id == share.payment_id,
                        Payment.refunded_fen + share.amount_fen <= Payment.amount_fen,
                    )
                    .values(refunded_fen=Payment.refunded_fen + share.amount_fen)
                    .returning(Payment.id)
                ).first()
                if changed is None:
                    raise RuleViolation(
                        "付款已退过 / that payment was refunded meanwhile; nothing was refunded"
                    )
                reference, result = results.get(share.payment_id, ("", None))
                session.add(
                    RefundPayment(
                        id=new_id(),
                        refund_id=row.id,
                        payment_id=share.payment_id,
                        kind=share.kind,
                        amount_fen=share.amount_fen,
                        reference=reference,
                    )
                )
                original = share.original
                paid_back.append(
                    RefundPaymentInfo(
                        payment_id=share.payment_id,
                        kind=share.kind,
                        amount_fen=share.amount_fen,
                        reference=reference,
                        masked_pan=mask_pan(original.masked_pan) if original else "",
                        card_name=original.card_name if original else "",
                        auth_code=result.auth_code[:16] if result else "",
                    )
                )
                if reference:
                    update_attempt(session, shop, reference, "used", result, f"refund {number}")
            receipt = RefundReceipt(
                refund_id=row.id,
                number=number,
                sale_id=plan.sale_id,
                sale_number=plan.sale_number,
                business_day=day,
                created_at=now,
                store_name=shop.settings.store_name,
                user_id=actor.user_id,
                user_name=actor.name,
                approved_by=row.approved_by,
                reason=reason,
                lines=plan.lines,
                payments=tuple(paid_back),
                total_fen=plan.total,
            )
            outbox.record(
                session,
                at=now,
                kind="refund.completed",
                ref_id=row.id,
                payload={
                    **receipt.as_dict(),
                    "device_id": shop.device_id,
                    "device_no": shop.device_no,
                    "shift_id": shift.id,
                    "seq": seq,
                },
            )
    except raw.INTEGRITY_ERRORS as exc:
        raise RuleViolation(
            "退货未能保存（数据冲突）/ the refund could not be saved (a conflicting record); "
            "nothing was refunded"
        ) from exc
    return receipt
