"""Convenience payments (便民支付): utility bills, phone top-ups, credit-card repayments.

The shop takes the customer's money (cash, or card through the terminal) as the biller's agent
and the hub passes the payment on. The money is the platform's, kept apart from the shop's own
takings (`storebox.shifts`, `storebox.reports`); the shop earns a commission on success.

The window's calls, in the order of the counter (each blocks; run them off the UI thread):

1. `billers(shop, kind)`, `biller_for_phone`, `read_bill_barcode` — choose the biller;
2. `check_account` — the biller's own format rules as the cashier types;
3. `lookup(shop, port, biller_id, account)` — the bill due, for billers with `rules.lookup`
   (online only);
4. `check(...)` — at 请核对, before the customer hands over anything: everything `pay` checks but
   the tender (duplicate_bill, the account's per-day limit, the offline limits, ...), raising
   what `pay` would; reads only;
5. `pay(...)` — checks everything (rules, opening hours, limits, one payment per bill, the
   offline limits when the hub is unreachable) *before* any money is taken, then takes the
   money and records the payment, its money and the `bill_payment.accepted` event (payload:
   `sync.protocol.BillPaymentRequest`) in one transaction, status pending (受理中); online, it
   then submits the same order at once through the port (idempotent by payment_id) and
   records the answer;
6. `receipt_payload` — what to print (`bill_payment` template): 成功, or 受理中 with the reference.

Results come later (`storebox.billpay_results`): a failed payment raises a refund task that
`refund_tasks` lists until `refund` gives the money back to the tender it came from and pushes
`bill_payment.refunded`; `refund_slip_payload` is the slip to print. The refund is owed (the
platform said failed) but, as for a sale's refund, above `refund_limit_fen` it is handed out by
the owner or with the owner's PIN (`approver`), and who handed it out (and who approved it) is
journalled with `bill_payment.refund_handed_out`.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storebox import billpay_rules, hub_config, journal, outbox
from storebox.billers import BillerData, list_billers
from storebox.billpay_results import apply_answer
from storebox.billpay_rules import BillRuleError, ScannedBill, mask_account
from storebox.db import raw
from storebox.db.models import BillPayment, BillRefund, User
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
from storebox.money import check_amount, format_fen
from storebox.ports import (
    BillAnswer,
    BillInfo,
    BillOrder,
    BillPay,
    BillPayOffline,
    BillPayRefused,
    CardTerminal,
    PaymentResult,
    PaymentStatus,
    ReceiptPrinter,
    StatusCallback,
)
from storebox.sales import (
    CARD,
    CASH,
    MAX_CHANGE_FEN,
    Card,
    Cash,
    attempt_recorded,
    charge_tender,
    mark_attempt,
    mask_pan,
    next_seq,
    refund_attempt,
    refuse_if_unresolved,
    release_attempts,
    resolve_open_attempts,
    reverse_charged,
    update_attempt,
)
from storebox.shifts import NO_OPEN_SHIFT, expected_cash, require_open_shift
from storebox.shop import Shop
from storebox.users import Actor, require_owner

log = logging.getLogger(__name__)

ACCEPTED_EVENT = "bill_payment.accepted"
REFUNDED_EVENT = "bill_payment.refunded"
HANDED_OUT_EVENT = "bill_payment.refund_handed_out"
"""Journalled with every refund: who handed the money out and who approved it (the wire's
`bill_payment.refunded` is strict and names neither); the hub keeps it as it is."""

STATUS_TEXT = {
    "pending": ("受理中", "processing"),
    "success": ("成功", "success"),
    "failed": ("失败", "failed"),
}

Tender = Cash | Card

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
"""A payment id: the wire's (sync.protocol.PaymentId), made here by `ids.new_id`."""


# --------------------------------------------------------------------------------------------
# What the window and the reports see
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RefundTask:
    """A refund the shop owes a customer after the biller failed a payment (退款任务)."""

    id: str
    payment_id: str
    number: str
    biller_name: str
    account_masked: str
    amount_fen: int
    tender: str
    status: str  # open / done
    reason: str
    raised_at: dt.datetime
    done_at: dt.datetime | None
    masked_pan: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "payment_id": self.payment_id,
            "number": self.number,
            "biller_name": self.biller_name,
            "account_masked": self.account_masked,
            "amount_fen": self.amount_fen,
            "tender": self.tender,
            "status": self.status,
            "reason": self.reason,
            "raised_at": self.raised_at.isoformat(),
            "done_at": self.done_at.isoformat() if self.done_at else None,
            "masked_pan": self.masked_pan,
        }


@dataclass(frozen=True)
class BillView:
    """One bill payment as recorded, with its refund task if it failed."""

    payment_id: str
    number: str
    business_day: dt.date
    biller_id: str
    biller_kind: str
    biller_name: str
    account_masked: str
    holder_masked: str
    period: str
    query_no: str
    amount_fen: int
    commission_fen: int
    tender: str
    tendered_fen: int
    change_fen: int
    masked_pan: str
    status: str
    accepted_offline: bool
    biller_reference: str
    reason_code: str
    message: str
    accepted_at: dt.datetime
    answered_at: dt.datetime | None
    final_at: dt.datetime | None
    cashier_id: str
    cashier_name: str
    refund: RefundTask | None = None

    @property
    def status_text(self) -> str:
        zh, en = STATUS_TEXT[self.status]
        return f"{zh} / {en}"

    @property
    def submitted(self) -> bool:
        """The hub has answered about it (the submit, a query or the results stream)."""
        return self.answered_at is not None

    def as_dict(self) -> dict[str, Any]:
        return {
            "payment_id": self.payment_id,
            "number": self.number,
            "business_day": self.business_day.isoformat(),
            "biller_id": self.biller_id,
            "biller_kind": self.biller_kind,
            "biller_name": self.biller_name,
            "account_masked": self.account_masked,
            "holder_masked": self.holder_masked,
            "period": self.period,
            "query_no": self.query_no,
            "amount_fen": self.amount_fen,
            "commission_fen": self.commission_fen,
            "tender": self.tender,
            "tendered_fen": self.tendered_fen,
            "change_fen": self.change_fen,
            "masked_pan": self.masked_pan,
            "status": self.status,
            "accepted_offline": self.accepted_offline,
            "biller_reference": self.biller_reference,
            "reason_code": self.reason_code,
            "message": self.message,
            "accepted_at": self.accepted_at.isoformat(),
            "answered_at": self.answered_at.isoformat() if self.answered_at else None,
            "final_at": self.final_at.isoformat() if self.final_at else None,
            "cashier_name": self.cashier_name,
            "refund": self.refund.as_dict() if self.refund else None,
        }


def _task(refund: BillRefund, payment: BillPayment) -> RefundTask:
    return RefundTask(
        id=refund.id,
        payment_id=payment.id,
        number=payment.number,
        biller_name=payment.biller_name,
        account_masked=payment.account_masked,
        amount_fen=refund.amount_fen,
        tender=refund.tender,
        status=refund.status,
        reason=refund.reason,
        raised_at=refund.raised_at,
        done_at=refund.done_at,
        masked_pan=refund.masked_pan or payment.masked_pan,
    )


def _view(session: Session, payment: BillPayment) -> BillView:
    refund = session.scalars(select(BillRefund).where(BillRefund.payment_id == payment.id)).first()
    cashier = session.get(User, payment.cashier_id)
    return BillView(
        payment_id=payment.id,
        number=payment.number,
        business_day=payment.business_day,
        biller_id=payment.biller_id,
        biller_kind=payment.biller_kind,
        biller_name=payment.biller_name,
        account_masked=payment.account_masked,
        holder_masked=payment.holder_masked,
        period=payment.period,
        query_no=payment.query_no,
        amount_fen=payment.amount_fen,
        commission_fen=payment.commission_fen,
        tender=payment.tender,
        tendered_fen=payment.tendered_fen,
        change_fen=payment.change_fen,
        masked_pan=payment.masked_pan,
        status=payment.status,
        accepted_offline=payment.accepted_offline,
        biller_reference=payment.biller_reference,
        reason_code=payment.reason_code,
        message=payment.message,
        accepted_at=payment.accepted_at,
        answered_at=payment.answered_at,
        final_at=payment.final_at,
        cashier_id=payment.cashier_id,
        cashier_name=cashier.name if cashier else payment.cashier_id,
        refund=_task(refund, payment) if refund else None,
    )


def _load(session: Session, ref: str) -> BillPayment:
    """A payment by its payment_id, its receipt number, or the last 8+ characters of its id."""
    text = ref.strip() if isinstance(ref, str) else ""
    if not text:
        raise InvalidInput("请指定缴费单号 / give the bill payment's number")
    found = session.get(BillPayment, text)
    if found is not None:
        return found
    rows = session.scalars(
        select(BillPayment).where(BillPayment.number == text).order_by(BillPayment.accepted_at)
    ).all()
    if not rows and len(text) >= 8:
        rows = session.scalars(select(BillPayment).where(BillPayment.id.endswith(text))).all()
    if not rows:
        raise NotFound(f"没有这笔缴费 / no bill payment {text!r}")
    return rows[-1]  # a number repeats a year later: the latest


def find(shop: Shop, ref: str) -> BillView:
    with shop.store.read() as session:
        return _view(session, _load(session, ref))


def payments(
    shop: Shop, day: dt.date | None = None, *, status: str | None = None
) -> list[BillView]:
    """The bill payments of a business day (all days if None), oldest first."""
    query = select(BillPayment).order_by(BillPayment.accepted_at, BillPayment.id)
    if day is not None:
        query = query.where(BillPayment.business_day == day)
    if status is not None:
        query = query.where(BillPayment.status == status)
    with shop.store.read() as session:
        return [_view(session, p) for p in session.scalars(query)]


def pending(shop: Shop) -> list[BillView]:
    """Payments the biller has not answered yet (受理中), oldest first."""
    return payments(shop, status="pending")


def refund_tasks(shop: Shop, *, open_only: bool = True) -> list[RefundTask]:
    """The refunds owed to customers after a biller failed their payment (open ones first:
    the window shows them until each is done)."""
    query = (
        select(BillRefund, BillPayment)
        .join(BillPayment, BillPayment.id == BillRefund.payment_id)
        .order_by(BillRefund.raised_at, BillRefund.id)
    )
    if open_only:
        query = query.where(BillRefund.status == "open")
    with shop.store.read() as session:
        return [_task(r, p) for r, p in session.execute(query).all()]


# --------------------------------------------------------------------------------------------
# Choosing the biller and checking the input
# --------------------------------------------------------------------------------------------


def billers(shop: Shop, kind: str | None = None) -> list[BillerData]:
    """The active billers (of one kind), as last pulled from the hub."""
    return [b for b in list_billers(shop) if kind is None or b.kind == kind]


def find_biller(shop: Shop, biller_id: object) -> BillerData:
    """A biller that may be paid now; unknown or inactive ones are refused."""
    if not isinstance(biller_id, str) or not biller_id.strip():
        raise InvalidInput("请选择缴费单位 / choose the biller")
    for biller in list_billers(shop, active_only=False):
        if biller.biller_id == biller_id.strip():
            if not biller.active:
                raise RuleViolation(
                    f"{biller.name}暂停缴费 / {biller.name} takes no payments at the moment"
                )
            return biller
    raise NotFound(
        f"没有这个缴费单位 / unknown biller {biller_id!r} (unknown_biller); sync to get the "
        "hub's list"
    )


def check_account(shop: Shop, biller_id: str, account: object) -> str:
    """The account as the biller takes it (normalised), or the rule it breaks."""
    return billpay_rules.check_account(find_biller(shop, biller_id), account)


def biller_for_phone(shop: Shop, phone: object) -> BillerData:
    """The carrier's top-up biller suggested by the number's segment (confirm with the
    customer: numbers move between carriers)."""
    return billpay_rules.pick_mobile_biller(billers(shop, "mobile"), phone)


def read_bill_barcode(shop: Shop, code: object) -> ScannedBill:
    """The biller, account (and amount, if printed) of a scanned paper bill."""
    return billpay_rules.read_barcode(billers(shop), code)


def commission_for(shop: Shop, biller_id: str, amount_fen: int) -> int:
    return billpay_rules.commission_fen(find_biller(shop, biller_id), amount_fen)


NEEDS_HUB = (
    "查询账单需要联网，请稍后再试 / looking up a bill needs the hub, which cannot be reached now"
)


def lookup(shop: Shop, port: BillPay | None, biller_id: str, account: object) -> BillInfo:
    """The bill due on an account, from the biller through the hub (online only). The account
    is checked against the biller's rules first, so a typo never leaves the shop. Raises
    `BillRuleError` (the rules), `RuleViolation` (offline, closed) or `BillPayRefused` (the
    biller: account_not_found, no_bill, ...)."""
    biller = find_biller(shop, biller_id)
    normalised = billpay_rules.check_account(biller, account)
    billpay_rules.check_open(biller, shop.now())
    if port is None or not port.online():
        raise RuleViolation(NEEDS_HUB)
    try:
        bill = port.lookup(biller.biller_id, normalised)
    except BillPayOffline as exc:
        raise RuleViolation(f"{NEEDS_HUB} ({exc.message})") from None
    # BillPayRefused passes as it is: its `reason` (account_not_found, no_bill, ...) tells the
    # window whether to ask for the number again or say there is nothing to pay
    if bill.biller_id != biller.biller_id:
        raise ShopError(
            f"云端返回了其他单位的账单 / the hub answered for biller {bill.biller_id!r}"
        )
    return bill


# --------------------------------------------------------------------------------------------
# Taking a payment
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Checked:
    biller: BillerData
    account: str
    amount: int
    bill: BillInfo | None
    tender: Tender
    online: bool
    commission: int


def _china_day_bounds(at: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    local = at.astimezone(billpay_rules.CHINA)
    start = dt.datetime.combine(local.date(), dt.time(), billpay_rules.CHINA)
    return start.astimezone(dt.UTC), (start + dt.timedelta(days=1)).astimezone(dt.UTC)


def _check_tender(tender: object, amount: int, terminal: CardTerminal | None) -> Tender:
    if isinstance(tender, Cash):
        check_amount(tender.tendered_fen, "现金 / cash", maximum=amount + MAX_CHANGE_FEN)
        if tender.tendered_fen < amount:
            short = format_fen(amount - tender.tendered_fen)
            raise InvalidInput(f"现金不足，还差 {short} / cash is short by {short}")
        return tender
    if isinstance(tender, Card):
        if tender.amount_fen != amount:
            raise InvalidInput(
                f"刷卡金额应为 {format_fen(amount)} / the card pays the whole "
                f"{format_fen(amount)}, not {format_fen(tender.amount_fen)}"
            )
        if terminal is None:
            raise InvalidInput("未连接刷卡机 / no card terminal is connected; take cash")
        return tender
    raise InvalidInput(
        f"缴费只收现金或刷卡 / a bill payment takes cash or card, not {type(tender).__name__}"
    )


def _offline_used(session: Session, shop: Shop, day: dt.date) -> int:
    return int(
        raw.one(
            raw.connection(session),
            "SELECT COALESCE(SUM(amount_fen), 0) FROM bill_payments WHERE device_id = ? "
            "AND business_day = ? AND accepted_offline = 1 AND status <> 'failed'",
            (shop.device_id, raw.db_date(day)),
        )[0]
    )


@dataclass(frozen=True)
class OfflineAllowance:
    """What may still be taken offline today (for the window to show before it is asked)."""

    per_payment_fen: int
    per_day_fen: int
    used_fen: int

    @property
    def left_fen(self) -> int:
        return max(0, self.per_day_fen - self.used_fen)


def offline_allowance(shop: Shop) -> OfflineAllowance | None:
    """The hub's offline limits and this business day's offline payments; None without
    limits from the hub (then nothing is accepted offline)."""
    limits = hub_config.offline_bill_limits(shop)
    if limits is None:
        return None
    with shop.store.read() as session:
        used = _offline_used(session, shop, shop.business_day())
    return OfflineAllowance(limits.per_payment_fen, limits.per_day_fen, used)


_NO_OFFLINE_LOOKUP = (
    "网络不通，{name}需联网查询账单，暂不能缴费 / the hub cannot be reached and {name} needs "
    "its bill looked up first: no offline payment"
)


def _offline_check(
    session: Session,
    shop: Shop,
    biller: BillerData,
    amount: int,
    day: dt.date,
    limits: hub_config.OfflineBillLimits | None,
) -> None:
    """Offline: only billers without lookup, and within the hub's limits."""
    if billpay_rules.rules_of(biller).lookup:
        raise RuleViolation(_NO_OFFLINE_LOOKUP.format(name=biller.name))
    if limits is None:
        raise RuleViolation(
            "网络不通，且未收到云端的离线限额，暂不能缴费 / the hub cannot be reached and it has "
            "never sent this shop offline limits: no offline bill payment"
        )
    if amount > limits.per_payment_fen:
        raise RuleViolation(
            f"网络不通，离线单笔最多 {format_fen(limits.per_payment_fen)} / offline, one bill "
            f"payment may be at most {format_fen(limits.per_payment_fen)} (offline per-payment "
            f"limit); {format_fen(amount)} must wait for the network"
        )
    used = _offline_used(session, shop, day)
    if used + amount > limits.per_day_fen:
        left = max(0, limits.per_day_fen - used)
        raise RuleViolation(
            f"网络不通，今日离线缴费限额 {format_fen(limits.per_day_fen)}，还剩 {format_fen(left)} / "
            f"offline, bill payments today may total {format_fen(limits.per_day_fen)} (offline "
            f"per-day limit); {format_fen(left)} is left, {format_fen(amount)} asked"
        )


def _check_bill(biller: BillerData, bill: BillInfo | None, now: dt.datetime) -> None:
    if bill is not None and (bill.biller_id != biller.biller_id or not bill.query_no):
        raise InvalidInput("账单与缴费单位不符 / this bill is not from this biller")
    if not billpay_rules.rules_of(biller).lookup:
        return
    if bill is None:
        raise BillRuleError(
            f"请先查询{biller.name}账单 / look the bill up first: {biller.name} is paid against "
            "its bill (rule lookup)",
            "lookup",
        )
    if bill.expires_at <= now:
        raise RuleViolation(
            "账单查询已过期，请重新查询 / the bill lookup has expired (query_expired); look it "
            "up again"
        )


@dataclass(frozen=True)
class _Rules:
    biller: BillerData
    account: str
    amount: int
    online: bool


def _rule_checks(
    shop: Shop,
    biller_id: str,
    account: object,
    amount_fen: object,
    bill: BillInfo | None,
    online: bool,
    now: dt.datetime,
) -> _Rules:
    """The biller's rules, the bill and the opening hours: no store, no network."""
    biller = find_biller(shop, biller_id)
    normalised = billpay_rules.check_account(biller, account)
    if not online and billpay_rules.rules_of(biller).lookup:
        raise RuleViolation(_NO_OFFLINE_LOOKUP.format(name=biller.name))
    _check_bill(biller, bill, now)
    amount = billpay_rules.check_amount(biller, amount_fen, bill)
    billpay_rules.check_open(biller, now)
    return _Rules(biller, normalised, amount, online)


def _store_checks(
    shop: Shop, r: _Rules, bill: BillInfo | None, payment_id: str | None, now: dt.datetime
) -> None:
    """What the store says: the shift and the day open, the payment id not taken, the bill not
    paid already (duplicate_bill), the account's per-day limit, and offline the offline limits.
    Reads only."""
    biller, normalised, amount = r.biller, r.account, r.amount
    limits = None if r.online else hub_config.offline_bill_limits(shop)
    day = shop.business_day(now)
    start, end = _china_day_bounds(now)
    with shop.store.read() as session:
        require_open_shift(session, shop)
        conn = raw.connection(session)
        if raw.one(
            conn,
            "SELECT 1 FROM day_closes WHERE device_id = ? AND business_day = ?",
            (shop.device_id, raw.db_date(day)),
        ):
            raise RuleViolation(f"{day} 已日结 / business day {day} is already closed")
        if payment_id is not None and raw.one(
            conn, "SELECT 1 FROM bill_payments WHERE id = ?", (payment_id,)
        ):
            raise RuleViolation(
                "这笔缴费已记录，不要重复收款 / this bill payment is already recorded; do not "
                "take the money again"
            )
        if bill is not None:
            paid = raw.one(
                conn,
                "SELECT number FROM bill_payments WHERE biller_id = ? AND query_no = ? "
                "AND status <> 'failed'",
                (biller.biller_id, bill.query_no),
            )
            if paid is None and bill.period:
                # another lookup of the same bill has another query_no: while a payment of
                # that bill (account and period) is still pending, it is being paid
                paid = raw.one(
                    conn,
                    "SELECT number FROM bill_payments WHERE biller_id = ? AND account = ? "
                    "AND period = ? AND status = 'pending'",
                    (biller.biller_id, normalised, bill.period),
                )
            if paid:
                raise RuleViolation(
                    f"此账单已缴（缴费单 {paid[0]}），不能重复缴 / this bill is paid already "
                    f"(bill payment {paid[0]}; duplicate_bill)"
                )
        already = int(
            raw.one(
                conn,
                "SELECT COALESCE(SUM(amount_fen), 0) FROM bill_payments WHERE biller_id = ? "
                "AND account = ? AND status <> 'failed' AND accepted_at >= ? AND accepted_at < ?",
                (biller.biller_id, normalised, raw.db_datetime(start), raw.db_datetime(end)),
            )[0]
        )
        billpay_rules.check_daily(biller, already, amount)
        if not r.online:
            _offline_check(session, shop, biller, amount, day, limits)


def check(
    shop: Shop,
    biller_id: str,
    account: object,
    amount_fen: object,
    *,
    bill: BillInfo | None = None,
    online: bool,
) -> None:
    """Would `pay` take this payment? Raises what `pay` would raise for everything but the
    tender (the biller's rules, the bill, opening hours, the shift and the day, one payment per
    bill / duplicate_bill, the account's per-day limit, and, when not `online`, the offline
    limits); changes nothing. The window asks it at 请核对, before the customer hands over any
    money; `pay` runs the same checks again (the same code) when the money is taken.

    `online` is what `pay` will see: `port is not None and port.online()`. Reads the store
    once (a few indexed queries, well under a millisecond on the till's SQLite)."""
    now = shop.now()
    rules = _rule_checks(shop, biller_id, account, amount_fen, bill, online, now)
    _store_checks(shop, rules, bill, None, now)


def _checks(
    shop: Shop,
    biller_id: str,
    account: object,
    amount_fen: object,
    tender: object,
    bill: BillInfo | None,
    port: BillPay | None,
    terminal: CardTerminal | None,
    payment_id: str,
) -> _Checked:
    """Everything that could refuse the payment, before any money is taken: `check`'s checks,
    in the same order, with the tender's between the rules and the store's."""
    now = shop.now()
    online = port is not None and port.online()
    rules = _rule_checks(shop, biller_id, account, amount_fen, bill, online, now)
    checked_tender = _check_tender(tender, rules.amount, terminal)
    _store_checks(shop, rules, bill, payment_id, now)
    return _Checked(
        biller=rules.biller,
        account=rules.account,
        amount=rules.amount,
        bill=bill,
        tender=checked_tender,
        online=online,
        commission=billpay_rules.commission_fen(rules.biller, rules.amount),
    )


def bill_number(day: dt.date, device_no: int, seq: int) -> str:
    """B1125-01-0001: a bill payment's receipt number, apart from the sales' numbers."""
    return f"B{day:%m%d}-{device_no:02d}-{seq:04d}"


def order_payload(order: BillOrder) -> dict[str, Any]:
    """The `bill_payment.accepted` event's payload: exactly the wire's BillPaymentRequest."""
    return {
        "payment_id": order.payment_id,
        "biller_id": order.biller_id,
        "account": order.account,
        "amount_fen": order.amount_fen,
        "query_no": order.query_no,
        "tender": order.tender,
        "accepted_offline": order.accepted_offline,
        "accepted_at": order.accepted_at.astimezone(dt.UTC).isoformat(),
        "number": order.number,
        **({"business_day": order.business_day.isoformat()} if order.business_day else {}),
    }


_INSERT = raw.insert_sql(
    "bill_payments",
    (
        "id", "number", "device_id", "business_day", "seq", "shift_id", "cashier_id",
        "biller_id", "biller_kind", "biller_name", "account", "account_masked", "holder_masked",
        "period", "query_no", "amount_fen", "commission_fen", "tender", "tendered_fen",
        "change_fen", "card_reference", "auth_code", "terminal_id", "trace", "receipt_no",
        "masked_pan", "card_name", "accepted_offline", "status", "biller_reference",
        "reason_code", "message", "accepted_at",
    ),
)  # fmt: skip


def _record(
    shop: Shop,
    actor: Actor,
    payment_id: str,
    c: _Checked,
    card: tuple[str, PaymentResult] | None,
) -> BillOrder:
    """The payment, its money and its event: one transaction."""
    now = shop.now()
    day = shop.business_day(now)
    tendered = c.tender.tendered_fen if isinstance(c.tender, Cash) else c.amount
    reference, result = card if card is not None else (None, None)
    try:
        with shop.store.write() as session:
            conn = raw.connection(session)
            shift = raw.one(
                conn,
                "SELECT id FROM shifts WHERE device_id = ? AND status = 'open'",
                (shop.device_id,),
            )
            if shift is None:
                raise RuleViolation(NO_OPEN_SHIFT)
            if raw.one(
                conn,
                "SELECT 1 FROM day_closes WHERE device_id = ? AND business_day = ?",
                (shop.device_id, raw.db_date(day)),
            ):
                raise RuleViolation(f"{day} 已日结 / business day {day} is already closed")
            seq = next_seq(session, shop, day, "bill")
            number = bill_number(day, shop.device_no, seq)
            order = BillOrder(
                payment_id=payment_id,
                biller_id=c.biller.biller_id,
                account=c.account,
                amount_fen=c.amount,
                tender=CARD if card is not None else CASH,
                accepted_at=now,
                number=number,
                query_no=c.bill.query_no if c.bill else "",
                accepted_offline=not c.online,
                business_day=day,
            )
            conn.execute(
                _INSERT,
                {
                    "id": payment_id,
                    "number": number,
                    "device_id": shop.device_id,
                    "business_day": raw.db_date(day),
                    "seq": seq,
                    "shift_id": shift[0],
                    "cashier_id": actor.user_id,
                    "biller_id": c.biller.biller_id,
                    "biller_kind": c.biller.kind,
                    "biller_name": c.biller.name[:200],
                    "account": c.account,
                    "account_masked": mask_account(c.account),
                    "holder_masked": (c.bill.holder_masked if c.bill else "")[:40],
                    "period": (c.bill.period if c.bill else "")[:40],
                    "query_no": order.query_no,
                    "amount_fen": c.amount,
                    "commission_fen": c.commission,
                    "tender": order.tender,
                    "tendered_fen": tendered,
                    "change_fen": tendered - c.amount,
                    "card_reference": reference,
                    "auth_code": result.auth_code[:16] if result else "",
                    "terminal_id": result.terminal_id[:16] if result else "",
                    "trace": result.trace[:16] if result else "",
                    "receipt_no": result.receipt_no[:16] if result else "",
                    "masked_pan": mask_pan(result.masked_pan) if result else "",
                    "card_name": result.card_name[:40] if result else "",
                    "accepted_offline": 1 if order.accepted_offline else 0,
                    "status": "pending",
                    "biller_reference": "",
                    "reason_code": "",
                    "message": "",
                    "accepted_at": raw.db_datetime(now),
                },
            )
            if reference is not None:
                update_attempt(session, shop, reference, "used", result, f"bill {number}")
            _event(session, now, ACCEPTED_EVENT, payment_id, order_payload(order))
            return order
    except raw.INTEGRITY_ERRORS as exc:
        log.warning("bill payment did not commit: %s", exc)
        raise RuleViolation(
            "此账单正在缴费或已缴，不能重复缴 / this bill is being paid or is paid already "
            "(duplicate_bill); nothing was recorded"
        ) from exc


def _event(
    session: raw.Handle, at: dt.datetime, kind: str, payment_id: str, payload: dict[str, Any]
) -> None:
    """Journal the money event and queue it for the hub under one id, with the payload exactly
    the wire's schema (the hub validates it strictly): `outbox.record` would add a ref_id."""
    event_id = new_id()
    body = journal.canonical(payload)
    journal.append(
        session, entry_id=event_id, at=at, kind=kind, ref_id=payment_id, payload_json=body
    )
    outbox.enqueue(session, event_id=event_id, at=at, kind=kind, payload_json=body)


def pay(
    shop: Shop,
    actor: Actor,
    biller_id: str,
    account: object,
    amount_fen: object,
    tender: Tender,
    *,
    bill: BillInfo | None = None,
    port: BillPay | None = None,
    terminal: CardTerminal | None = None,
    on_status: StatusCallback | None = None,
    payment_id: str | None = None,
) -> BillView:
    """Take a bill payment: check, take the money, record, submit.

    `tender` is `sales.Cash(tendered_fen)` (change = tendered − amount) or
    `sales.Card(amount_fen)` (the whole amount through `terminal`). `bill` is the `lookup`
    answer for billers that need one. `port` None, or `port.online()` False, is offline: only
    billers without lookup, within the hub's offline limits (`hub_config`). `payment_id` (a
    uuid; new if None) is the idempotency key: a window that retries with the same id after
    losing the answer is refused before the money is taken a second time.

    Every refusal comes before any money is taken and records nothing. Online, the order is
    submitted right after the commit; an answer that does not come leaves it pending (the
    outbox event and the `bill_results` stream finish the job). Returns the payment as it
    stands after the submit.
    """
    pid = payment_id or new_id()
    if not _is_uuid(pid):
        raise InvalidInput(f"缴费编号无效 / not a payment id: {pid!r}")
    c = _checks(shop, biller_id, account, amount_fen, tender, bill, port, terminal, pid)
    card: tuple[str, PaymentResult] | None = None
    references: list[str] = []
    try:
        if isinstance(c.tender, Card):
            assert terminal is not None
            resolve_open_attempts(shop, terminal, None)
            refuse_if_unresolved(shop, {CARD})
            context = {"bill_payment_id": pid, "biller_id": c.biller.biller_id}
            _kind, reference, result = charge_tender(
                shop, c.tender, terminal, None, context, references, on_status
            )
            card = (reference, result)
        try:
            order = _record(shop, actor, pid, c, card)
        except BaseException as exc:
            if card is not None:
                reverse_charged(shop, exc, [(CARD, card[0], card[1])], terminal, None)
            raise
    finally:
        release_attempts(references)
    if c.online and port is not None:
        submit(shop, port, order)
    return find(shop, pid)


def _is_uuid(text: object) -> bool:
    return isinstance(text, str) and _UUID.fullmatch(text) is not None


def _order_of(payment: BillPayment) -> BillOrder:
    return BillOrder(
        payment_id=payment.id,
        biller_id=payment.biller_id,
        account=payment.account,
        amount_fen=payment.amount_fen,
        tender=payment.tender,
        accepted_at=payment.accepted_at,
        number=payment.number,
        query_no=payment.query_no,
        accepted_offline=payment.accepted_offline,
        business_day=payment.business_day,
    )


def order(shop: Shop, ref: str) -> BillOrder:
    """A recorded payment as it is submitted (the same fields as its accepted event)."""
    with shop.store.read() as session:
        return _order_of(_load(session, ref))


def submit(shop: Shop, port: BillPay, order: BillOrder) -> str:
    """Submit a recorded payment through the port and record the answer. Safe to repeat (the
    hub keeps one payment per payment_id). Returns what happened: an `apply_answer` outcome,
    'offline' (left pending: the outbox delivers it) or 'refused' (failed: refund task)."""
    try:
        answer = port.submit(order)
    except BillPayOffline as exc:
        log.info(
            "bill payment %s not submitted now (%s); the outbox delivers it", order.number, exc
        )
        return "offline"
    except BillPayRefused as exc:
        if exc.reason == "idempotency_conflict":
            log.error("bill payment %s: the hub holds another payment under its id", order.number)
            return "conflict"
        answer = BillAnswer(
            payment_id=order.payment_id,
            status="failed",
            reason_code=exc.reason,
            message=exc.message[:200],
        )
    except ShopError as exc:
        log.warning("bill payment %s: no answer to the submit: %s", order.number, exc)
        return "offline"
    if answer.payment_id != order.payment_id:
        log.warning("bill payment %s: the answer names another payment", order.number)
        return "offline"
    return record_answer(shop, answer)


def record_answer(shop: Shop, answer: BillAnswer) -> str:
    """Apply the platform's answer about a payment in its own transaction."""
    with shop.store.write() as session:
        return apply_answer(session, answer, shop.now())


def refresh(shop: Shop, port: BillPay, ref: str) -> BillView:
    """Ask the platform about one payment now (the cashier's 刷新): a payment it never heard of
    is submitted again (a lost answer, an offline acceptance), the answer recorded."""
    with shop.store.read() as session:
        payment = _load(session, ref)
        order = _order_of(payment)
        status = payment.status
    if status == "pending":
        try:
            answer = port.query(order.payment_id)
        except BillPayOffline as exc:
            raise RuleViolation(
                f"网络不通，无法查询 / the hub cannot be reached: {exc.message}"
            ) from None
        if answer is None:
            submit(shop, port, order)
        else:
            record_answer(shop, answer)
    return find(shop, order.payment_id)


# --------------------------------------------------------------------------------------------
# Refunds after a failed payment
# --------------------------------------------------------------------------------------------


def _open_task(session: Session, ref: str) -> tuple[BillRefund, BillPayment]:
    text = ref.strip() if isinstance(ref, str) else ""
    refund = session.get(BillRefund, text) if text else None
    if refund is not None:
        payment = session.get_one(BillPayment, refund.payment_id)
    else:
        payment = _load(session, text)
        refund = session.scalars(
            select(BillRefund).where(BillRefund.payment_id == payment.id)
        ).first()
        if refund is None:
            zh, en = STATUS_TEXT[payment.status]
            raise RuleViolation(
                f"缴费单 {payment.number} {zh}，无需退款 / bill payment {payment.number} is {en}: "
                "there is nothing to refund"
            )
    if refund.status != "open":
        when = refund.done_at.isoformat() if refund.done_at else ""
        raise RuleViolation(
            f"缴费单 {payment.number} 已退款 / bill payment {payment.number} was refunded "
            f"already ({when}); nothing was changed"
        )
    return refund, payment


def owner_needed(shop: Shop, actor: Actor, amount_fen: int) -> bool:
    """A refund of `amount_fen` by `actor` needs the owner's PIN: above `refund_limit_fen`,
    unless the owner hands it out (the same rule as a sale's refund, `storebox.refunds`)."""
    return amount_fen > shop.settings.refund_limit_fen and not actor.is_owner


def refund(
    shop: Shop,
    actor: Actor,
    ref: str,
    *,
    approver: Actor | None = None,
    terminal: CardTerminal | None = None,
    printer: ReceiptPrinter | None = None,
    on_status: StatusCallback | None = None,
    reason: str = "",
) -> RefundTask:
    """Give a failed payment's money back, to the tender it came from: cash from this till's
    drawer, or a card refund through the terminal. The refund task, the card attempt, the
    `bill_payment.refunded` event (payload: the wire's BillRefundRecord) and the
    `bill_payment.refund_handed_out` entry (who handed it out, who approved it) commit
    together; the slip is queued on `printer` after. `ref` is the task's id or the payment's
    number/id.

    The customer is owed the money whatever its amount (the platform said failed: the task
    stays open until it is refunded), but above `refund_limit_fen` a cashier hands it out only
    with the owner as `approver`, as for a sale's refund: without one, `PermissionDenied`
    before any money moves."""
    text = " ".join(reason.split())[:200] if isinstance(reason, str) else ""
    if approver is not None and not approver.is_owner:
        raise PermissionDenied("授权人必须是店主 / the approver must be the owner")
    with shop.store.read() as session:
        shift = require_open_shift(session, shop)
        task, payment = _open_task(session, ref)
        amount, tender, number, pid = task.amount_fen, task.tender, payment.number, payment.id
        if owner_needed(shop, actor, amount):
            limit = shop.settings.refund_limit_fen
            require_owner(
                approver,
                f"refund {format_fen(amount)} of bill payment {number} (above the limit of "
                f"{format_fen(limit)})",
            )
        if tender == CASH:
            drawer = expected_cash(session, shift)
            if drawer < amount:
                raise RuleViolation(
                    f"钱箱应有现金仅 {format_fen(drawer)}，不够退 {format_fen(amount)} / the drawer "
                    f"should hold only {format_fen(drawer)}; cannot refund {format_fen(amount)} "
                    "in cash now"
                )
    card: tuple[str, PaymentResult] | None = None
    references: list[str] = []
    try:
        if tender == CARD:
            if terminal is None:
                raise InvalidInput(
                    "退回原卡需要刷卡机 / this payment was made by card: the refund goes back to "
                    "the card through the terminal, which is not connected"
                )
            resolve_open_attempts(shop, terminal, None)
            refuse_if_unresolved(shop, {CARD})
            card = _card_refund(shop, terminal, pid, number, amount, references, on_status)
        try:
            done = _record_refund(shop, actor, approver, task.id, pid, amount, tender, text, card)
        except BaseException as exc:
            if card is not None and not attempt_recorded(shop, card[0], "refund"):
                mark_attempt(
                    shop, card[0], "approved", card[1], "bill refund went through, not recorded"
                )
                reason_text = exc.message if isinstance(exc, ShopError) else "internal error"
                raise PaymentUnknown(
                    f"{reason_text} —— 卡已退款 {format_fen(amount)} 但未能记录，请勿再退 / the card "
                    f"refund of {format_fen(amount)} went through but could not be recorded: do "
                    "not refund it again (see unsettled payment attempts)"
                ) from exc
            raise
    finally:
        release_attempts(references)
    if printer is not None:
        try:
            printer.print_document("refund", refund_slip_payload(shop, pid))
        except Exception as exc:  # the refund is recorded; a slip can be reprinted
            log.warning("refund slip for %s not queued: %s", number, exc)
    return done


def _card_refund(
    shop: Shop,
    terminal: CardTerminal,
    payment_id: str,
    number: str,
    amount: int,
    references: list[str],
    on_status: StatusCallback | None,
) -> tuple[str, PaymentResult]:
    context = {"bill_payment_id": payment_id, "bill_number": number}
    reference, result = refund_attempt(
        shop, CARD, amount, context, references,
        send=lambda ref: terminal.refund(amount, ref, on_status),
        enquire=terminal.enquire,
        unknown_note="bill refund outcome unknown",
    )  # fmt: skip
    if result.status is PaymentStatus.APPROVED:
        return reference, result
    if result.status is PaymentStatus.DECLINED:
        raise PaymentDeclined(
            f"退卡 {format_fen(amount)} 被拒绝：{result.message} / the card refund of "
            f"{format_fen(amount)} was declined: {result.message}; the task stays open"
        )
    raise PaymentUnknown(
        f"退卡 {format_fen(amount)} 结果未知，未记录 / the outcome of the card refund of "
        f"{format_fen(amount)} is unknown; not recorded. It is checked with the terminal before "
        "the next payment; do not refund it another way meanwhile."
    )


def _record_refund(
    shop: Shop,
    actor: Actor,
    approver: Actor | None,
    task_id: str,
    payment_id: str,
    amount: int,
    tender: str,
    reason: str,
    card: tuple[str, PaymentResult] | None,
) -> RefundTask:
    now = shop.now()
    day = shop.business_day(now)
    reference, result = card if card is not None else (None, None)
    with shop.store.write() as session:
        shift = require_open_shift(session, shop)
        conn = raw.connection(session)
        changed = conn.execute(
            "UPDATE bill_refunds SET status = 'done', done_at = ?, shift_id = ?, "
            "business_day = ?, user_id = ?, reference = ?, receipt_no = ?, masked_pan = ? "
            "WHERE id = ? AND status = 'open'",
            (
                raw.db_datetime(now),
                shift.id,
                raw.db_date(day),
                actor.user_id,
                reference,
                result.receipt_no[:16] if result else "",
                mask_pan(result.masked_pan) if result else "",
                task_id,
            ),
        ).rowcount
        if changed != 1:
            raise RuleViolation("此退款已完成 / this refund is done already; nothing was changed")
        if reference is not None:
            update_attempt(session, shop, reference, "used", result, f"bill refund {payment_id}")
        _event(
            session,
            now,
            REFUNDED_EVENT,
            payment_id,
            {
                "payment_id": payment_id,
                "amount_fen": amount,
                "tender": tender,
                "refunded_at": now.astimezone(dt.UTC).isoformat(),
                "reason": reason,
            },
        )
        payment = session.get_one(BillPayment, payment_id)
        outbox.record(
            session,
            at=now,
            kind=HANDED_OUT_EVENT,
            ref_id=payment_id,
            payload={
                "refund_task_id": task_id,
                "number": payment.number,
                "amount_fen": amount,
                "tender": tender,
                "shift_id": shift.id,
                "user_id": actor.user_id,
                "user_name": actor.name,
                "approved_by": approver.user_id if approver is not None else None,
                "approver_name": approver.name if approver is not None else None,
                "refund_limit_fen": shop.settings.refund_limit_fen,
            },
        )
        refund_row = session.get_one(BillRefund, task_id)
        session.refresh(refund_row)
        return _task(refund_row, session.get_one(BillPayment, payment_id))


# --------------------------------------------------------------------------------------------
# What is printed
# --------------------------------------------------------------------------------------------

BILL_TYPES = {kind: names[0] for kind, names in billpay_rules.KIND_NAMES.items()}


def receipt_payload(shop: Shop, ref: str) -> dict[str, Any]:
    """The `bill_payment` receipt (drivers.printer.receipts.BillPaymentReceipt.as_dict() shape):
    成功 once the biller confirmed it, else 受理中 with the reference. The account leaves here
    masked. A failed payment has no receipt: its refund slip is printed instead."""
    view = find(shop, ref)
    if view.status == "failed":
        raise RuleViolation(
            f"缴费单 {view.number} 失败，请办理退款 / bill payment {view.number} failed: refund "
            "the customer (its refund slip is the document)"
        )
    return {
        "store_name": shop.settings.store_name,
        "number": view.number,
        "biller_name": view.biller_name,
        "account": view.account_masked,
        "holder_name": view.holder_masked,
        "amount_fen": view.amount_fen,
        "fee_fen": 0,
        "status": "success" if view.status == "success" else "accepted",
        "hub_reference": view.biller_reference,
        "paid_at": view.accepted_at.astimezone(dt.UTC).isoformat(),
        "bill_type": BILL_TYPES.get(view.biller_kind, ""),
        "cashier_name": view.cashier_name,
        "tender": view.tender,
    }


def refund_slip_payload(shop: Shop, ref: str) -> dict[str, Any]:
    """The refund slip (the `refund` template): the failed payment's number as the original,
    one line naming the biller and the masked account, where the money went."""
    view = find(shop, ref)
    task = view.refund
    if task is None or task.status != "done" or task.done_at is None:
        raise RuleViolation(
            f"缴费单 {view.number} 尚未退款 / bill payment {view.number} has not been refunded"
        )
    zh, _en = billpay_rules.KIND_NAMES.get(view.biller_kind, ("缴费", "bill"))
    return {
        "store_name": shop.settings.store_name,
        "number": f"R{view.number}",
        "sale_number": view.number,
        "created_at": task.done_at.astimezone(dt.UTC).isoformat(),
        "user_name": view.cashier_name,
        "reason": (view.message or view.reason_code or "缴费失败 / the biller failed it")[:200],
        "lines": [
            {
                "name": f"{zh}退款 {view.account_masked}",
                "qty": 1,
                "unit_price_fen": task.amount_fen,
                "amount_fen": task.amount_fen,
            }
        ],
        "payments": [
            {
                "payment_id": view.payment_id,
                "kind": task.tender,
                "amount_fen": task.amount_fen,
                "reference": "",
                "masked_pan": task.masked_pan,
                "card_name": "",
                "auth_code": "",
            }
        ],
        "total_fen": task.amount_fen,
        "cash_fen": task.amount_fen if task.tender == CASH else 0,
    }


def print_receipt(shop: Shop, printer: ReceiptPrinter, ref: str, *, reprint: bool = False) -> str:
    """Queue the payment's receipt (again, marked 重打印, when `reprint`): a success that came
    after a long wait reprints as 成功."""
    return printer.print_document("bill_payment", receipt_payload(shop, ref), reprint=reprint)


def refresh_all(shop: Shop, port: BillPay, limit: int = 50) -> list[BillView]:
    """Ask about every pending payment (oldest first, at most `limit`): for support and the
    window's 刷新; the stream does the same on its own."""
    out: list[BillView] = []
    for view in pending(shop)[:limit]:
        out.append(refresh(shop, port, view.payment_id))
    return out
