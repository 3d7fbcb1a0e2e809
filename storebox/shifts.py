"""Shifts (交班): who holds the cash drawer, with what float, and what it should hold now.

A shift belongs to one person on one till and one business day. While it is open, money moves
through its drawer: cash taken for sales (net of change), cash handed back for refunds, and
cash put in or taken out by hand (存入 / 取出, always with a reason). Closing the shift counts
the drawer against what it should hold and keeps the difference (variance = counted −
expected: negative means the drawer is short). Everything here is local: a shift opens,
moves cash and closes with the network down.

`tally` is the one place that adds up a shift's or a business day's money; the X and Z reports
(`storebox.reports`) are built on it, so a shift's figures and the day's always agree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from storebox import outbox
from storebox.db import raw
from storebox.db.models import (
    BillPayment,
    BillRefund,
    CashMovement,
    DayClose,
    Payment,
    Refund,
    RefundPayment,
    Sale,
    Shift,
    User,
    Void,
)
from storebox.errors import InvalidInput, NotFound, PermissionDenied, RuleViolation
from storebox.ids import new_id
from storebox.money import check_amount, format_fen
from storebox.shop import Shop
from storebox.users import Actor

CASH = "cash"
CARD = "card"
WALLET = "wallet"
#: The tenders every report lists, in this order, even when nothing was taken by one of them.
TENDERS = (CASH, CARD, WALLET)

MAX_TEXT = 200  # the columns holding a reason or a note are String(200)


@dataclass(frozen=True)
class ShiftInfo:
    id: str
    user_id: str
    business_day: str
    float_fen: int
    status: str


def current_shift(session: Session, shop: Shop) -> Shift | None:
    return session.scalars(
        select(Shift).where(Shift.device_id == shop.device_id, Shift.status == "open")
    ).first()


NO_OPEN_SHIFT = "请先开班 / open a shift first (count the float into the drawer)"


def require_open_shift(session: Session, shop: Shop) -> Shift:
    """The open shift of this device; money cannot move at the till without one."""
    shift = current_shift(session, shop)
    if shift is None:
        raise RuleViolation(NO_OPEN_SHIFT)
    return shift


def open_shift(shop: Shop, actor: Actor, float_fen: int) -> ShiftInfo:
    check_amount(float_fen, "备用金 / float")
    now = shop.now()
    day = shop.business_day(now)
    try:
        with shop.store.write() as session:
            if current_shift(session, shop) is not None:
                raise RuleViolation("已有未交班的班次 / a shift is already open on this till")
            if session.get(DayClose, (shop.device_id, day)) is not None:
                raise RuleViolation(f"{day} 已日结 / business day {day} is already closed")
            shift = Shift(
                id=new_id(),
                device_id=shop.device_id,
                user_id=actor.user_id,
                business_day=day,
                status="open",
                opened_at=now,
                float_fen=float_fen,
            )
            session.add(shift)
            session.flush()
            outbox.record(
                session,
                at=now,
                kind="shift.opened",
                ref_id=shift.id,
                payload={
                    "user_id": actor.user_id,
                    "business_day": day.isoformat(),
                    "float_fen": float_fen,
                },
            )
            return ShiftInfo(shift.id, actor.user_id, day.isoformat(), float_fen, "open")
    except raw.INTEGRITY_ERRORS:
        # The partial unique index caught a second till process opening at the same moment.
        raise RuleViolation("已有未交班的班次 / a shift is already open on this till") from None


# --- adding up money -------------------------------------------------------------------------


@dataclass(frozen=True)
class BillTally:
    """Bill payments (便民支付) of a shift or a day: money the shop holds as the billers' agent,
    kept apart from its own takings. Payments count where they were accepted (whatever became
    of them since: `pending`, `success`, `failed` are their status now); refunds where they
    were paid out. The commission is earned on success only; `owed_fen` is what the shop owes
    the platform for them (success and pending, less the commission), as the hub's statement
    counts it."""

    count: int = 0
    total_fen: int = 0
    cash_fen: int = 0
    card_fen: int = 0
    pending_count: int = 0
    pending_fen: int = 0
    success_count: int = 0
    success_fen: int = 0
    failed_count: int = 0
    failed_fen: int = 0
    #: refunds paid out (after a failure) in this shift / on this day, and the cash part
    refunded_count: int = 0
    refunded_fen: int = 0
    refunded_cash_fen: int = 0
    #: failed payments accepted here whose customer is still owed the money
    refunds_open_count: int = 0
    refunds_open_fen: int = 0
    commission_fen: int = 0

    @property
    def held_count(self) -> int:
        """Payments not failed (pending or successful): the agency money held for the
        platform, as the hub's report counts them (`bill_payments_count`)."""
        return self.pending_count + self.success_count

    @property
    def held_fen(self) -> int:
        return self.pending_fen + self.success_fen

    @property
    def owed_fen(self) -> int:
        return self.held_fen - self.commission_fen

    def as_dict(self) -> dict[str, int]:
        return {
            "count": self.count,
            "total_fen": self.total_fen,
            "cash_fen": self.cash_fen,
            "card_fen": self.card_fen,
            "pending_count": self.pending_count,
            "pending_fen": self.pending_fen,
            "success_count": self.success_count,
            "success_fen": self.success_fen,
            "failed_count": self.failed_count,
            "failed_fen": self.failed_fen,
            "refunded_count": self.refunded_count,
            "refunded_fen": self.refunded_fen,
            "refunded_cash_fen": self.refunded_cash_fen,
            "refunds_open_count": self.refunds_open_count,
            "refunds_open_fen": self.refunds_open_fen,
            "commission_fen": self.commission_fen,
            "held_count": self.held_count,
            "held_fen": self.held_fen,
            "owed_fen": self.owed_fen,
        }


def _bill_tally(
    session: Session,
    bill_where: list[ColumnElement[bool]],
    refund_where: list[ColumnElement[bool]],
) -> BillTally:
    by_status = {
        str(status): (int(n), int(amount or 0), int(commission or 0))
        for status, n, amount, commission in session.execute(
            select(
                BillPayment.status,
                func.count(),
                func.sum(BillPayment.amount_fen),
                func.sum(BillPayment.commission_fen),
            )
            .where(*bill_where)
            .group_by(BillPayment.status)
        ).all()
    }
    by_tender = {
        str(tender): int(amount or 0)
        for tender, amount in session.execute(
            select(BillPayment.tender, func.sum(BillPayment.amount_fen))
            .where(*bill_where)
            .group_by(BillPayment.tender)
        ).all()
    }
    refunded = {
        str(tender): (int(n), int(amount or 0))
        for tender, n, amount in session.execute(
            select(BillRefund.tender, func.count(), func.sum(BillRefund.amount_fen))
            .where(BillRefund.status == "done", *refund_where)
            .group_by(BillRefund.tender)
        ).all()
    }
    open_n, open_fen = session.execute(
        select(func.count(), func.coalesce(func.sum(BillRefund.amount_fen), 0))
        .join(BillPayment, BillPayment.id == BillRefund.payment_id)
        .where(BillRefund.status == "open", *bill_where)
    ).one()
    zero = (0, 0, 0)
    pending, success, failed = (by_status.get(s, zero) for s in ("pending", "success", "failed"))
    return BillTally(
        count=sum(v[0] for v in by_status.values()),
        total_fen=sum(v[1] for v in by_status.values()),
        cash_fen=by_tender.get(CASH, 0),
        card_fen=by_tender.get(CARD, 0),
        pending_count=pending[0],
        pending_fen=pending[1],
        success_count=success[0],
        success_fen=success[1],
        failed_count=failed[0],
        failed_fen=failed[1],
        refunded_count=sum(v[0] for v in refunded.values()),
        refunded_fen=sum(v[1] for v in refunded.values()),
        refunded_cash_fen=refunded.get(CASH, (0, 0))[1],
        refunds_open_count=int(open_n),
        refunds_open_fen=int(open_fen),
        commission_fen=success[2],
    )


@dataclass(frozen=True)
class Tally:
    """The money of one shift or one business day, in fen.

    `tender_sales_fen` is what each tender paid towards sales (cash net of change);
    `tender_refunds_fen` is where refund money went back to. Every tender of `TENDERS` is a key
    of both, with 0 when unused.
    """

    sales_count: int = 0
    sales_total_fen: int = 0
    tender_sales_fen: Mapping[str, int] = field(default_factory=dict)
    refunds_count: int = 0
    refunds_total_fen: int = 0
    tender_refunds_fen: Mapping[str, int] = field(default_factory=dict)
    voids_count: int = 0
    voids_total_fen: int = 0
    cash_in_count: int = 0
    cash_in_fen: int = 0
    cash_out_count: int = 0
    cash_out_fen: int = 0
    #: bill payments: not the shop's takings, never in the figures above
    bills: BillTally = field(default_factory=BillTally)

    @property
    def net_fen(self) -> int:
        """Sales less refunds (the shop's own takings: bill payments are not in it)."""
        return self.sales_total_fen - self.refunds_total_fen

    def tenders_dict(self) -> dict[str, dict[str, int]]:
        kinds = list(TENDERS) + sorted(
            (set(self.tender_sales_fen) | set(self.tender_refunds_fen)) - set(TENDERS)
        )
        out: dict[str, dict[str, int]] = {}
        for kind in kinds:
            sales = self.tender_sales_fen.get(kind, 0)
            refunds = self.tender_refunds_fen.get(kind, 0)
            out[kind] = {"sales_fen": sales, "refunds_fen": refunds, "net_fen": sales - refunds}
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "sales_count": self.sales_count,
            "sales_total_fen": self.sales_total_fen,
            "refunds_count": self.refunds_count,
            "refunds_total_fen": self.refunds_total_fen,
            "net_fen": self.net_fen,
            "voids_count": self.voids_count,
            "voids_total_fen": self.voids_total_fen,
            "cash_in_count": self.cash_in_count,
            "cash_in_fen": self.cash_in_fen,
            "cash_out_count": self.cash_out_count,
            "cash_out_fen": self.cash_out_fen,
            "tenders": self.tenders_dict(),
            "bill_payments": self.bills.as_dict(),
        }


def _by_kind(rows: Any) -> dict[str, int]:
    totals = dict.fromkeys(TENDERS, 0)
    for kind, amount in rows:
        totals[kind] = totals.get(kind, 0) + int(amount or 0)
    return totals


def tally(
    session: Session,
    *,
    shift_id: str | None = None,
    device_id: str | None = None,
    business_day: dt.date | None = None,
) -> Tally:
    """Add up one shift (`shift_id`) or one device's business day (`device_id` + `business_day`).

    A day counts the sales, refunds and voids booked on that day, and the cash moved in the
    shifts of that day.
    """
    sale_where: list[ColumnElement[bool]]
    refund_where: list[ColumnElement[bool]]
    void_where: list[ColumnElement[bool]]
    move_where: list[ColumnElement[bool]]
    bill_where: list[ColumnElement[bool]]
    bill_refund_where: list[ColumnElement[bool]]
    if shift_id is not None and device_id is None and business_day is None:
        sale_where = [Sale.shift_id == shift_id]
        refund_where = [Refund.shift_id == shift_id]
        void_where = [Void.shift_id == shift_id]
        move_where = [CashMovement.shift_id == shift_id]
        bill_where = [BillPayment.shift_id == shift_id]
        bill_refund_where = [BillRefund.shift_id == shift_id]
    elif shift_id is None and device_id is not None and business_day is not None:
        sale_where = [Sale.device_id == device_id, Sale.business_day == business_day]
        refund_where = [Refund.device_id == device_id, Refund.business_day == business_day]
        void_where = [Void.device_id == device_id, Void.business_day == business_day]
        move_where = [
            CashMovement.shift_id.in_(
                select(Shift.id).where(
                    Shift.device_id == device_id, Shift.business_day == business_day
                )
            )
        ]
        bill_where = [
            BillPayment.device_id == device_id,
            BillPayment.business_day == business_day,
        ]
        bill_refund_where = [
            BillRefund.business_day == business_day,
            BillRefund.shift_id.in_(select(Shift.id).where(Shift.device_id == device_id)),
        ]
    else:
        raise TypeError("tally() takes shift_id, or device_id and business_day")

    sales_count, sales_total = session.execute(
        select(func.count(), func.coalesce(func.sum(Sale.total_fen), 0)).where(*sale_where)
    ).one()
    tender_sales = _by_kind(
        session.execute(
            select(Payment.kind, func.sum(Payment.amount_fen))
            .join(Sale, Sale.id == Payment.sale_id)
            .where(*sale_where)
            .group_by(Payment.kind)
        ).all()
    )
    refunds_count, refunds_total = session.execute(
        select(func.count(), func.coalesce(func.sum(Refund.total_fen), 0)).where(*refund_where)
    ).one()
    tender_refunds = _by_kind(
        session.execute(
            select(RefundPayment.kind, func.sum(RefundPayment.amount_fen))
            .join(Refund, Refund.id == RefundPayment.refund_id)
            .where(*refund_where)
            .group_by(RefundPayment.kind)
        ).all()
    )
    voids_count, voids_total = session.execute(
        select(func.count(), func.coalesce(func.sum(Void.total_fen), 0)).where(*void_where)
    ).one()
    moves = {
        kind: (int(count), int(amount or 0))
        for kind, count, amount in session.execute(
            select(CashMovement.kind, func.count(), func.sum(CashMovement.amount_fen))
            .where(*move_where)
            .group_by(CashMovement.kind)
        ).all()
    }
    return Tally(
        sales_count=int(sales_count),
        sales_total_fen=int(sales_total),
        tender_sales_fen=tender_sales,
        refunds_count=int(refunds_count),
        refunds_total_fen=int(refunds_total),
        tender_refunds_fen=tender_refunds,
        voids_count=int(voids_count),
        voids_total_fen=int(voids_total),
        cash_in_count=moves.get("in", (0, 0))[0],
        cash_in_fen=moves.get("in", (0, 0))[1],
        cash_out_count=moves.get("out", (0, 0))[0],
        cash_out_fen=moves.get("out", (0, 0))[1],
        bills=_bill_tally(session, bill_where, bill_refund_where),
    )


def _expected_from(shift: Shift, t: Tally) -> int:
    return (
        shift.float_fen
        + t.tender_sales_fen.get(CASH, 0)
        - t.tender_refunds_fen.get(CASH, 0)
        + t.cash_in_fen
        - t.cash_out_fen
        + t.bills.cash_fen
        - t.bills.refunded_cash_fen
    )


def expected_cash(session: Session, shift: Shift) -> int:
    """What the drawer should hold now: float + cash sales (net of change) − cash refunds
    + cash in − cash out + bill payments taken in cash − bill refunds paid in cash (the
    platform's money is in the same drawer, though not the shop's takings)."""
    return _expected_from(shift, tally(session, shift_id=shift.id))


# --- summaries -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShiftSummary:
    """A shift with its money, as it stands now (open) or as it was closed."""

    id: str
    device_id: str
    user_id: str
    user_name: str
    business_day: dt.date
    status: str
    opened_at: dt.datetime
    float_fen: int
    tally: Tally
    #: Live while the shift is open; the figure frozen at closing once it is closed.
    expected_cash_fen: int
    closed_at: dt.datetime | None = None
    closed_by: str | None = None
    closed_by_name: str | None = None
    counted_fen: int | None = None
    variance_fen: int | None = None
    note: str = ""

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    def as_dict(self) -> dict[str, Any]:
        return {
            "shift_id": self.id,
            "device_id": self.device_id,
            "user_id": self.user_id,
            "user_name": self.user_name,
            "business_day": self.business_day.isoformat(),
            "status": self.status,
            "opened_at": self.opened_at.isoformat(),
            "closed_at": self.closed_at.isoformat() if self.closed_at else None,
            "closed_by": self.closed_by,
            "closed_by_name": self.closed_by_name,
            "float_fen": self.float_fen,
            **self.tally.as_dict(),
            "expected_cash_fen": self.expected_cash_fen,
            "counted_fen": self.counted_fen,
            "variance_fen": self.variance_fen,
            "note": self.note,
        }


def _user_name(session: Session, user_id: str | None) -> str | None:
    if user_id is None:
        return None
    return session.scalar(select(User.name).where(User.id == user_id)) or user_id


def summarize(session: Session, shift: Shift) -> ShiftSummary:
    """The summary of `shift` inside the caller's session (used by the reports)."""
    t = tally(session, shift_id=shift.id)
    closed = shift.status == "closed"
    expected = shift.expected_fen if closed and shift.expected_fen is not None else None
    return ShiftSummary(
        id=shift.id,
        device_id=shift.device_id,
        user_id=shift.user_id,
        user_name=_user_name(session, shift.user_id) or shift.user_id,
        business_day=shift.business_day,
        status=shift.status,
        opened_at=shift.opened_at,
        float_fen=shift.float_fen,
        tally=t,
        expected_cash_fen=expected if expected is not None else _expected_from(shift, t),
        closed_at=shift.closed_at,
        closed_by=shift.closed_by,
        closed_by_name=_user_name(session, shift.closed_by),
        counted_fen=shift.counted_fen,
        variance_fen=shift.variance_fen,
        note=shift.close_note or "",
    )


def get_shift(session: Session, shift_id: str) -> Shift:
    if not isinstance(shift_id, str) or not shift_id.strip():
        raise InvalidInput("请指定班次 / a shift id is required")
    shift = session.get(Shift, shift_id.strip())
    if shift is None:
        raise NotFound(f"没有此班次 / no shift {shift_id!r}")
    return shift


def shift_summary(shop: Shop, shift_id: str) -> ShiftSummary:
    """Read one shift's summary. No permission check: callers acting for a person go through
    `reports.x_report`, which applies who-may-see-what."""
    with shop.store.read() as session:
        return summarize(session, get_shift(session, shift_id))


# --- moving cash by hand ---------------------------------------------------------------------


@dataclass(frozen=True)
class CashMovementInfo:
    id: str
    shift_id: str
    kind: str  # "in" / "out"
    amount_fen: int
    reason: str
    user_id: str
    at: dt.datetime
    #: What the drawer should hold after this movement.
    expected_cash_fen: int


def _clean_text(value: object, zh: str, en: str, *, required: bool) -> str:
    """A reason or note: text, whitespace folded, not empty if required, fits its column."""
    if not isinstance(value, str):
        raise InvalidInput(f"{zh}应为文字 / the {en} must be text")
    text = " ".join(value.split())
    if required and not text:
        raise InvalidInput(f"请填写{zh} / a {en} is required")
    if len(text) > MAX_TEXT:
        raise InvalidInput(f"{zh}过长 / the {en} is longer than {MAX_TEXT} characters")
    return text


def _may_handle(actor: Actor, shift: Shift, what: str) -> None:
    """A cashier handles only their own shift; the owner handles anyone's."""
    if actor.user_id != shift.user_id and not actor.is_owner:
        raise PermissionDenied(
            f"这不是您的班次，需要店主授权 / only the shift's cashier or the owner may {what}"
        )


def _move_cash(
    shop: Shop, actor: Actor, kind: str, amount_fen: int, reason: str
) -> CashMovementInfo:
    what = "存入现金 / cash in" if kind == "in" else "取出现金 / cash out"
    check_amount(amount_fen, what, allow_zero=False)
    reason = _clean_text(reason, "原因", "reason", required=True)
    now = shop.now()
    with shop.store.write() as session:
        shift = require_open_shift(session, shop)
        _may_handle(actor, shift, "move cash in this drawer")
        before = expected_cash(session, shift)
        if kind == "out" and amount_fen > before:
            raise RuleViolation(
                f"钱箱应有现金仅 {format_fen(before)}，不能取出 {format_fen(amount_fen)} / "
                f"the drawer should hold only {format_fen(before)}; "
                f"cannot take out {format_fen(amount_fen)}"
            )
        movement = CashMovement(
            id=new_id(),
            shift_id=shift.id,
            kind=kind,
            amount_fen=amount_fen,
            reason=reason,
            user_id=actor.user_id,
            at=now,
        )
        session.add(movement)
        session.flush()
        outbox.record(
            session,
            at=now,
            kind=f"cash.{kind}",
            ref_id=movement.id,
            payload={
                "shift_id": shift.id,
                "user_id": actor.user_id,
                "amount_fen": amount_fen,
                "reason": reason,
            },
        )
        after = before + amount_fen if kind == "in" else before - amount_fen
        return CashMovementInfo(
            movement.id, shift.id, kind, amount_fen, reason, actor.user_id, now, after
        )


def cash_in(shop: Shop, actor: Actor, amount_fen: int, reason: str) -> CashMovementInfo:
    """Put cash into the drawer of this till's open shift (e.g. more change from the safe)."""
    return _move_cash(shop, actor, "in", amount_fen, reason)


def cash_out(shop: Shop, actor: Actor, amount_fen: int, reason: str) -> CashMovementInfo:
    """Take cash out of the drawer (to the safe, to pay a supplier). Never more than it should
    hold."""
    return _move_cash(shop, actor, "out", amount_fen, reason)


# --- closing ---------------------------------------------------------------------------------


def close_shift(
    shop: Shop,
    actor: Actor,
    counted_fen: int,
    note: str = "",
    *,
    shift_id: str | None = None,
) -> ShiftSummary:
    """Close a shift (交班) with the cash counted in its drawer.

    Without `shift_id`, this till's open shift. The shift's cashier closes their own; the owner
    may close anyone's. Expected cash, the count and the variance (counted − expected) are kept
    on the shift and sent to the hub. Local only: works with the network down.
    """
    check_amount(counted_fen, "实点现金 / counted cash")
    note = _clean_text(note, "备注", "note", required=False)
    now = shop.now()
    with shop.store.write() as session:
        if shift_id is None:
            shift = current_shift(session, shop)
            if shift is None:
                raise RuleViolation("本机没有未交班的班次 / there is no open shift on this till")
        else:
            shift = get_shift(session, shift_id)
        if shift.status == "closed":
            when = shift.closed_at.astimezone(shop.settings.zone) if shift.closed_at else None
            at = f" {when:%m-%d %H:%M}" if when else ""
            raise RuleViolation(
                f"该班次已于{at}交班 / this shift was already closed{at}; nothing was changed"
            )
        _may_handle(actor, shift, "close this shift")
        expected = expected_cash(session, shift)
        variance = counted_fen - expected
        shift.status = "closed"
        shift.closed_at = now
        shift.closed_by = actor.user_id
        shift.counted_fen = counted_fen
        shift.expected_fen = expected
        shift.variance_fen = variance
        shift.close_note = note
        session.flush()
        outbox.record(
            session,
            at=now,
            kind="shift.closed",
            ref_id=shift.id,
            payload={
                "user_id": shift.user_id,
                "closed_by": actor.user_id,
                "business_day": shift.business_day.isoformat(),
                "float_fen": shift.float_fen,
                "expected_fen": expected,
                "counted_fen": counted_fen,
                "variance_fen": variance,
                "note": note,
            },
        )
        return summarize(session, shift)
