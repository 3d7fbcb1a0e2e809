"""The simulated acquirer inside the hub (issue 6): wallet micropay, query, reverse, refund,
dynamic QR orders and a daily settlement file per store — behaving like the real ones.

* Every creating request (micropay, refund, QR create) is idempotent by the shop's key: the
  (store, reference) pair is UNIQUE in the database; the same key again answers the order as it
  stands now, the same key with other parameters is refused 422 `idempotency_conflict`.
* Micropays follow the store's *script* (`AcquirerScript`, set by `storebox hub
  acquirer-script`), one step per new micropay, approve when it is empty:
  `approve`; `decline[:insufficient_funds|code_expired|limit_exceeded]`;
  `user_paying:N[:approve|decline]` (the customer confirms on the phone for N seconds of the
  hub's clock, then the order becomes final); `timeout[:N][:approve|decline]` (the outcome is
  decided and committed at once, but the answer comes only after N seconds, default 35 — past
  the shop's read timeout); `duplicate` (the money moves, but the answer says the order was
  already submitted, as WeChat's ORDERPAID does: the shop must query).
* Reverse: an unpaid dynamic QR is closed; a micropay is refused while the customer is still
  confirming, and for WeChat within 15 s of the
  micropay (409 `too_early`, with Retry-After); reversing an approved payment gives the money
  back. Reversing an order the acquirer never received leaves a closed tombstone under that key,
  so a micropay that arrives late cannot charge the customer afterwards.
* Refunds: partial, never above what is left of the original.
* Every amount is integer fen; the fee is 0.38 % per payment, rounded half up, returned pro
  rata on refunds. All times come from `sync.hub.clock`, so tests can move them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import secrets
from typing import Final

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sync import emvco, protocol
from sync.hub import clock
from sync.hub.db import Database
from sync.hub.errors import AdminError, HubError, NotFound
from sync.hub.models import AcquirerOrder, AcquirerScript, Device, Store

FEE_PER_10K: Final = 38
"""0.38 %: the rate a small merchant pays WeChat Pay / Alipay."""
REVERSE_AFTER: Final = dt.timedelta(seconds=15)
"""WeChat: no reversal within 15 s of the micropay call."""
DEFAULT_TIMEOUT_S: Final = 35
CHINA: Final = dt.timezone(dt.timedelta(hours=8))
"""Settlement days are China's calendar days."""
TOMBSTONE: Final = "reversed-before-arrival"
QR_GUID: Final = "cn.storebox.acquirer"
MERCHANT_CITY: Final = ("BEIJING", "北京")

DECLINE_REASONS: Final = {
    "insufficient_funds": "余额不足 / insufficient funds",
    "code_expired": "付款码已过期，请刷新 / the payment code has expired; refresh it",
    "limit_exceeded": "超出支付限额 / over the wallet's payment limit",
}


class Conflict(HubError):
    status = 409
    code = "conflict"

    def __init__(self, detail: str, *, code: str = "conflict", retry_after: int | None = None):
        super().__init__(detail, code=code)
        self.retry_after = retry_after


# --- scripts ---------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Step:
    action: str  # approve, decline, user_paying, timeout, duplicate
    seconds: int = 0
    outcome: str = "approved"  # after user_paying / timeout
    reason: str = "insufficient_funds"


def parse_step(text: str) -> Step:
    parts = [p.strip() for p in text.strip().split(":")]
    action, args = parts[0], parts[1:]

    def seconds(value: str, lo: int) -> int:
        if not value.isdigit() or not lo <= int(value) <= 600:
            raise ValueError(f"{text!r}: seconds must be a whole number from {lo} to 600")
        return int(value)

    def outcome(value: str) -> str:
        if value not in ("approve", "decline"):
            raise ValueError(f"{text!r}: the outcome is approve or decline, not {value!r}")
        return "approved" if value == "approve" else "declined"

    if action == "approve" and not args:
        return Step("approve")
    if action == "duplicate" and not args:
        return Step("duplicate")
    if action == "decline" and len(args) <= 1:
        reason = args[0] if args else "insufficient_funds"
        if reason not in DECLINE_REASONS:
            raise ValueError(f"{text!r}: the reason is one of {', '.join(DECLINE_REASONS)}")
        return Step("decline", reason=reason)
    if action == "user_paying" and 1 <= len(args) <= 2:
        return Step(
            "user_paying", seconds(args[0], 1), outcome(args[1]) if len(args) > 1 else "approved"
        )
    if action == "timeout" and len(args) <= 2:
        return Step(
            "timeout",
            seconds(args[0], 0) if args else DEFAULT_TIMEOUT_S,
            outcome(args[1]) if len(args) > 1 else "approved",
        )
    raise ValueError(
        f"unknown step {text!r}: use approve, decline[:reason], user_paying:N[:approve|decline], "
        "timeout[:N][:approve|decline] or duplicate"
    )


def parse_script(text: str) -> list[str]:
    """Check a comma-separated script; returns its steps as text (refuses the whole on error)."""
    steps = [s.strip() for s in text.split(",") if s.strip()]
    for step in steps:
        parse_step(step)
    return steps


def set_script(db: Database, store_id: str, text: str, *, append: bool = False) -> list[str]:
    """Replace (or extend) a store's script; returns the steps now waiting."""
    try:
        steps = parse_script(text)
    except ValueError as exc:
        raise AdminError(str(exc)) from None
    with db.transaction() as session:
        if session.get(Store, store_id) is None:
            raise AdminError(f"no store with id {store_id!r}")
        row = session.get(AcquirerScript, store_id, with_for_update=True)
        if row is None:
            row = AcquirerScript(store_id=store_id, steps="")
            session.add(row)
        current = [s for s in row.steps.split(",") if s] if append else []
        row.steps = ",".join(current + steps)
        return [s for s in row.steps.split(",") if s]


def _next_step(session: Session, store_id: str) -> Step:
    row = session.get(AcquirerScript, store_id, with_for_update=True)
    if row is None or not row.steps:
        return Step("approve")
    first, _, rest = row.steps.partition(",")
    row.steps = rest
    try:
        return parse_step(first)
    except ValueError:  # checked when set; a hand-edited row approves rather than fails
        return Step("approve")


# --- helpers ---------------------------------------------------------------------------------


def fee_of(amount_fen: int) -> int:
    return (amount_fen * FEE_PER_10K + 5000) // 10000


def _digest(kind: str, body: protocol.WireModel) -> str:
    return hashlib.sha256(
        f"{kind}\n{protocol.canonical_json(body.model_dump(mode='json'))}".encode()
    ).hexdigest()


def _acquirer_reference(kind: str, now: dt.datetime) -> str:
    prefix = {"micropay": "42", "refund": "50", "qr": "43"}[kind]
    # 16 characters: fits the shop's trace column as it is
    return f"{prefix}{now.astimezone(CHINA):%y%m%d}{secrets.randbelow(10**8):08d}"


def _find(session: Session, store_id: str, reference: str) -> AcquirerOrder | None:
    return session.scalars(
        select(AcquirerOrder)
        .where(AcquirerOrder.store_id == store_id, AcquirerOrder.reference == reference)
        .with_for_update()
    ).first()


def _settle(order: AcquirerOrder, now: dt.datetime) -> None:
    """Move a waiting order on by the clock: a customer who finished confirming, a QR expired."""
    if order.status != "user_paying":
        return
    if order.kind == "micropay" and order.paying_until is not None and now >= order.paying_until:
        order.status = order.final_status or "approved"
        order.final_at = order.paying_until
        if order.status == "approved":
            order.fee_fen = fee_of(order.amount_fen)
            order.message = "支付成功 / paid"
        else:
            order.message = f"用户支付失败：{DECLINE_REASONS['insufficient_funds']}"
    elif order.kind == "qr" and order.expires_at is not None and now >= order.expires_at:
        order.status = "closed"
        order.final_at = order.expires_at
        order.message = "二维码已过期，未付款 / the code expired unpaid"


def answer(order: AcquirerOrder) -> protocol.OrderAnswer:
    return protocol.OrderAnswer(
        reference=order.reference,
        kind=order.kind,  # type: ignore[arg-type]
        status=order.status,  # type: ignore[arg-type]
        amount_fen=order.amount_fen,
        refunded_fen=order.refunded_fen,
        wallet=order.wallet,  # type: ignore[arg-type]
        acquirer_reference=order.acquirer_reference,
        message=order.message,
        created_at=order.created_at,
        final_at=order.final_at,
        original_reference=order.original_reference,
        sale_reference=order.sale_reference,
        qr_payload=order.qr_payload,
        expires_at=order.expires_at,
    )


@dataclasses.dataclass(frozen=True)
class Caller:
    store_id: str
    device_id: str


def _insert(session: Session, order: AcquirerOrder) -> AcquirerOrder | None:
    """Insert under the UNIQUE key; None if another request got there first."""
    try:
        with session.begin_nested():
            session.add(order)
    except IntegrityError:
        return None
    return order


def _replay(existing: AcquirerOrder, digest: str, now: dt.datetime) -> protocol.OrderAnswer:
    if existing.digest not in (digest, TOMBSTONE):
        raise HubError(
            f"reference {existing.reference!r} was already used for another request "
            f"(a {existing.kind} of {existing.amount_fen} fen): use a new key",
            code="idempotency_conflict",
            status=422,
        )
    _settle(existing, now)
    return answer(existing)


# --- the calls -------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Delayed:
    answer: protocol.OrderAnswer
    delay_s: float = 0.0
    """Seconds to wait before sending the answer (the scripted timeout)."""


def micropay(db: Database, who: Caller, body: protocol.MicropayRequest) -> Delayed:
    wallet = protocol.wallet_of(body.auth_code)
    if wallet is None:
        raise HubError(
            "付款码无法识别 / not a WeChat (18 digits, 10-15…), Alipay (16-24 digits, 25-30…) "
            "or UnionPay (19 digits, 62…) payment code; ask the customer to refresh it",
            code="invalid_payment_code",
            status=422,
        )
    digest = _digest("micropay", body)
    now = clock.utcnow()
    for _ in range(3):
        with db.transaction() as session:
            existing = _find(session, who.store_id, body.reference)
            if existing is not None:
                return Delayed(_replay(existing, digest, now))
            step = _next_step(session, who.store_id)
            order = AcquirerOrder(
                store_id=who.store_id,
                device_id=who.device_id,
                reference=body.reference,
                acquirer_reference=_acquirer_reference("micropay", now),
                kind="micropay",
                digest=digest,
                wallet=wallet,
                amount_fen=body.amount_fen,
                refunded_fen=0,
                fee_fen=0,
                sale_reference=body.sale_reference,
                description=body.description,
                created_at=now,
            )
            delay = 0.0
            shown: str | None = None
            if step.action in ("approve", "duplicate") or (
                step.action == "timeout" and step.outcome == "approved"
            ):
                order.status, order.final_at = "approved", now
                order.fee_fen = fee_of(body.amount_fen)
                order.message = "支付成功 / paid"
            elif step.action == "user_paying":
                order.status = "user_paying"
                order.final_status = step.outcome
                order.paying_until = now + dt.timedelta(seconds=step.seconds)
                order.message = "用户支付中，需输入密码 / the customer is confirming on the phone"
            else:  # decline, or a timeout that declines
                order.status, order.final_at = "declined", now
                order.message = DECLINE_REASONS[step.reason]
            if step.action == "timeout":
                delay = float(step.seconds)
            if step.action == "duplicate":
                shown = "unknown"
            if _insert(session, order) is None:
                continue  # a concurrent request with this key won: read its order
            result = answer(order)
            if shown is not None:
                result = result.model_copy(
                    update={
                        "status": shown,
                        "message": "ORDERPAID 订单已提交，请查询 / this order was already "
                        "submitted: query it for the outcome",
                    }
                )
            return Delayed(result, delay)
    raise HubError("could not record the payment; retry", code="unavailable", status=503)


def _due(order: AcquirerOrder, now: dt.datetime) -> bool:
    """Would `_settle` change this order now?"""
    if order.status != "user_paying":
        return False
    until = order.paying_until if order.kind == "micropay" else order.expires_at
    return until is not None and now >= until


def query(db: Database, who: Caller, reference: str) -> protocol.OrderAnswer:
    """Read-only unless the order is due to move on (a till polls this every second or two
    while a customer pays: on SQLite a read never waits for the writer)."""
    now = clock.utcnow()
    with db.reading() as session:
        seen = session.scalars(
            select(AcquirerOrder).where(
                AcquirerOrder.store_id == who.store_id, AcquirerOrder.reference == reference
            )
        ).first()
        if seen is None:
            raise NotFound(f"no order with reference {reference!r} in this store")
        if not _due(seen, now):
            return answer(seen)
    with db.transaction() as session:
        order = _find(session, who.store_id, reference)
        if order is None:
            raise NotFound(f"no order with reference {reference!r} in this store")
        _settle(order, now)
        return answer(order)


def reverse(db: Database, who: Caller, reference: str) -> protocol.OrderAnswer:
    now = clock.utcnow()
    with db.transaction() as session:
        order = _find(session, who.store_id, reference)
        if order is None:
            tomb = AcquirerOrder(
                store_id=who.store_id,
                device_id=who.device_id,
                reference=reference,
                acquirer_reference=_acquirer_reference("micropay", now),
                kind="micropay",
                digest=TOMBSTONE,
                status="reversed",
                amount_fen=0,
                refunded_fen=0,
                fee_fen=0,
                message="无此订单，已关闭，顾客未被扣款 / no such order: nothing was charged, and "
                "the reference is closed so that a late request cannot charge",
                created_at=now,
                final_at=now,
            )
            if _insert(session, tomb) is None:
                raise HubError(
                    "a request with this key is in flight; retry", code="busy", status=409
                )
            return answer(tomb)
        _settle(order, now)
        if order.kind == "refund":
            raise Conflict("a refund cannot be reversed", code="not_reversible")
        if order.status in ("reversed", "declined", "closed"):
            return answer(order)
        if order.status == "user_paying" and order.kind == "qr":
            # an unpaid shop-presented code: cancelling it closes it, so it can no longer be paid
            order.status, order.final_at = "closed", now
            order.message = "已撤销，未付款 / cancelled unpaid: the code can no longer be paid"
            return answer(order)
        if order.status == "user_paying":
            raise Conflict(
                "用户支付中，不能撤销 / the customer is still confirming: query again, an order in "
                "user_paying cannot be reversed",
                code="user_paying",
            )
        if order.status == "refunded" or order.refunded_fen > 0:
            raise Conflict(
                "已有退款，不能撤销，请退款 / this payment was (partly) refunded: refund the rest",
                code="not_reversible",
            )
        allowed = order.created_at + REVERSE_AFTER
        if order.wallet == "wechat" and now < allowed:
            wait = max(1, int((allowed - now).total_seconds() + 0.999))
            raise Conflict(
                f"微信支付后15秒内不能撤销 / WeChat allows no reversal within 15 s of the payment: "
                f"retry in {wait} s",
                code="too_early",
                retry_after=wait,
            )
        order.status = "reversed"
        order.fee_fen = 0
        order.message = "已撤销，款项已退回 / reversed: the money went back to the customer"
        return answer(order)


def refund(db: Database, who: Caller, body: protocol.RefundRequest) -> protocol.OrderAnswer:
    digest = _digest("refund", body)
    now = clock.utcnow()
    with db.transaction() as session:
        existing = _find(session, who.store_id, body.reference)
        if existing is not None:
            return _replay(existing, digest, now)
        original = _find(session, who.store_id, body.original_reference)
        if original is None or original.kind == "refund":
            raise NotFound(f"no payment with reference {body.original_reference!r} in this store")
        _settle(original, now)
        if original.status not in ("approved", "refunded"):
            raise Conflict(
                f"the payment is {original.status}: only an approved payment can be refunded",
                code="not_refundable",
            )
        left = original.amount_fen - original.refunded_fen
        if body.amount_fen > left:
            raise HubError(
                f"退款超出可退金额 / a refund of {body.amount_fen} fen is more than the "
                f"{left} fen left of the payment ({original.amount_fen} fen, "
                f"{original.refunded_fen} fen refunded)",
                code="refund_too_large",
                status=422,
            )
        order = AcquirerOrder(
            store_id=who.store_id,
            device_id=who.device_id,
            reference=body.reference,
            acquirer_reference=_acquirer_reference("refund", now),
            kind="refund",
            digest=digest,
            status="approved",
            wallet=original.wallet,
            amount_fen=body.amount_fen,
            refunded_fen=0,
            fee_fen=-fee_of(body.amount_fen),
            original_reference=original.reference,
            sale_reference=original.sale_reference,
            description=body.reason,
            message="退款成功 / refunded",
            created_at=now,
            final_at=now,
        )
        if _insert(session, order) is None:
            raise HubError("a request with this key is in flight; retry", code="busy", status=409)
        original.refunded_fen += body.amount_fen
        original.fee_fen -= fee_of(body.amount_fen)
        if original.refunded_fen == original.amount_fen:
            original.status = "refunded"
        return answer(order)


def create_qr(db: Database, who: Caller, body: protocol.QrCreateRequest) -> protocol.OrderAnswer:
    digest = _digest("qr", body)
    now = clock.utcnow()
    with db.transaction() as session:
        existing = _find(session, who.store_id, body.reference)
        if existing is not None:
            return _replay(existing, digest, now)
        store = session.get(Store, who.store_id)
        device = session.get(Device, who.device_id)
        assert store is not None
        acquirer_reference = _acquirer_reference("qr", now)
        payload = emvco.merchant_presented(
            guid=QR_GUID,
            merchant_id=store.id.replace("-", "")[:32],
            amount_fen=body.amount_fen,
            merchant_name=f"STOREBOX {store.id[:8].upper()}",
            merchant_city=MERCHANT_CITY[0],
            reference=acquirer_reference,
            bill_number=body.sale_reference,
            terminal=(device.name if device is not None else "")[:25],
            name_zh=store.name[:25],
            city_zh=MERCHANT_CITY[1],
        )
        order = AcquirerOrder(
            store_id=who.store_id,
            device_id=who.device_id,
            reference=body.reference,
            acquirer_reference=acquirer_reference,
            kind="qr",
            digest=digest,
            status="user_paying",
            amount_fen=body.amount_fen,
            refunded_fen=0,
            fee_fen=0,
            sale_reference=body.sale_reference,
            description=body.description,
            message="等待顾客扫码付款 / waiting for the customer to scan and pay",
            qr_payload=payload,
            expires_at=now + dt.timedelta(seconds=body.expires_in_s),
            created_at=now,
        )
        if _insert(session, order) is None:
            raise HubError("a request with this key is in flight; retry", code="busy", status=409)
        return answer(order)


def close_qr(db: Database, who: Caller, reference: str) -> protocol.OrderAnswer:
    now = clock.utcnow()
    with db.transaction() as session:
        order = _find(session, who.store_id, reference)
        if order is None or order.kind != "qr":
            raise NotFound(f"no dynamic QR order with reference {reference!r} in this store")
        _settle(order, now)
        if order.status == "user_paying":
            order.status, order.final_at = "closed", now
            order.message = "已关闭，未付款 / closed unpaid"
        elif order.status != "closed":
            raise Conflict(
                f"the order is {order.status}: a paid code is refunded, not closed",
                code="not_closable",
            )
        return answer(order)


def customer_pays(
    db: Database, store_id: str, reference: str, wallet: protocol.WalletName = "alipay"
) -> protocol.OrderAnswer:
    """What the wallet's callback would tell a real acquirer: the customer paid a dynamic QR.
    For the demo and the tests (`storebox hub qr-pay`)."""
    now = clock.utcnow()
    with db.transaction() as session:
        order = _find(session, store_id, reference)
        if order is None or order.kind != "qr":
            raise AdminError(f"no dynamic QR order {reference!r} in store {store_id!r}")
        _settle(order, now)
        if order.status != "user_paying":
            raise AdminError(f"the code is {order.status}; it cannot be paid")
        order.status, order.final_at, order.wallet = "approved", now, wallet
        order.fee_fen = fee_of(order.amount_fen)
        order.message = "支付成功 / paid"
        return answer(order)


# --- settlement ------------------------------------------------------------------------------


def settlement(db: Database, store_id: str, day: dt.date) -> protocol.SettlementFile:
    """Every payment and refund whose money moved on `day` (China time), with fees."""
    try:
        start = dt.datetime.combine(day, dt.time(0), CHINA).astimezone(dt.UTC)
        end = start + dt.timedelta(days=1)
    except OverflowError:  # year 1 or 9999: no payment was ever made then
        start = end = dt.datetime.max.replace(tzinfo=dt.UTC)
    now = clock.utcnow()
    with db.transaction() as session:
        if session.get(Store, store_id) is None:
            raise NotFound(f"no store with id {store_id!r}")
        waiting = session.scalars(
            select(AcquirerOrder).where(
                AcquirerOrder.store_id == store_id, AcquirerOrder.status == "user_paying"
            )
        ).all()
        for order in waiting:
            _settle(order, now)
        session.flush()
        orders = session.scalars(
            select(AcquirerOrder)
            .where(
                AcquirerOrder.store_id == store_id,
                AcquirerOrder.final_at >= start,
                AcquirerOrder.final_at < end,
                AcquirerOrder.status.in_(("approved", "refunded", "reversed")),
                AcquirerOrder.amount_fen > 0,
            )
            .order_by(AcquirerOrder.final_at, AcquirerOrder.id)
        ).all()
        rows: list[protocol.SettlementRow] = []
        for o in orders:
            assert o.final_at is not None
            if o.kind == "refund":
                amount, fee = -o.amount_fen, o.fee_fen
            elif o.status == "reversed":
                amount, fee = 0, 0
            else:
                amount, fee = o.amount_fen, fee_of(o.amount_fen)
            rows.append(
                protocol.SettlementRow(
                    type="refund" if o.kind == "refund" else "payment",
                    reference=o.reference,
                    acquirer_reference=o.acquirer_reference,
                    original_reference=o.original_reference,
                    kind=o.kind,  # type: ignore[arg-type]
                    wallet=o.wallet,  # type: ignore[arg-type]
                    status=o.status,  # type: ignore[arg-type]
                    amount_fen=o.amount_fen if o.kind != "refund" else -o.amount_fen,
                    refunded_fen=o.refunded_fen,
                    fee_fen=fee,
                    net_fen=amount - fee,
                    at=o.final_at,
                    device_id=o.device_id,
                )
            )
    payments = [r for r in rows if r.type == "payment"]
    refunds = [r for r in rows if r.type == "refund"]
    payments_fen = sum(r.amount_fen for r in payments if r.status != "reversed")
    refunds_fen = -sum(r.amount_fen for r in refunds)
    fees = sum(r.fee_fen for r in rows)
    return protocol.SettlementFile(
        store_id=store_id,
        day=day,
        rows=rows,
        payments_count=sum(1 for r in payments if r.status != "reversed"),
        payments_fen=payments_fen,
        refunds_fen=refunds_fen,
        fees_fen=fees,
        net_fen=payments_fen - refunds_fen - fees,
    )
