"""The simulated billers inside the hub (issue 7): bill lookup, payment, results that come later,
refund records and a daily statement per store — behaving like the real ones
(`../shared/reference/billpay.md` §6).

* **Rules are data.** Every check reads the biller from the hub's own `billers` stream (what
  the shops pull), so a rule changed by the operator is the rule applied; `billers_data` holds
  the defaults and the simulator's tables (number portability, reserved test accounts).
* **Lookup** gives every valid account a bill derived from its number (a hash), so any account
  has one and the same one every time: the holder's name masked (张*明), the amount due, a late
  fee once past the due date (0.1 % a day), the period (last month, China time) and the due
  date. Accounts ending 0000 are unknown (account_not_found), ending 9999 have nothing due
  (no_bill). The answer's query number is valid for 30 minutes of the hub's clock.
* **One payment, two roads.** The shop's POST (BILL_PAY_PATH) and its `bill_payment.accepted`
  event make one payment: (store, payment_id) is the primary key, the first to insert wins, and
  the other finds it (same fields → the same answer; other fields → idempotency_conflict).
  A POST the rules refuse is answered 4xx and records nothing. An *event* the rules refuse
  still becomes a payment, `failed` with the reason, published like any result: the shop took
  the customer's money and must see that it has to refund it (an event rejected would only be a
  dead letter the cashier never sees).
* **Checks** (again at the hub; it never trusts the shop): biller known and active, opening
  hours (China time) at the moment the customer paid, the account's pattern, the carrier of a
  mobile number (prefix, then the portability table: operator_mismatch), Luhn and the issuer's
  BIN (a debit BIN: not_a_credit_card), denominations, min/max/step, the looked-up bill (its
  query number unexpired, partial and over-payment rules), the offline limits of the `config`
  stream for a payment accepted offline, and the per-day limit per account across all shops
  (an atomic counter: INSERT … ON CONFLICT DO UPDATE … RETURNING). A second concurrent payment
  of one bill is refused by the primary key of `bills_in_flight` (duplicate_bill).
* **Results** move pending → success | failed on the hub's clock (`sync.hub.clock`), as the
  store's script says (`storebox hub biller-script`, one step per new payment, per biller or
  for any), else by default: utilities 3 s pending then success, top-up 5 s, credit-card
  repayment at once. Pending payments move lazily, on any bills call or bill_results pull by
  their store, and by the hub's background tick. Each change publishes the payment's
  BillResult on the store's own `bill_results` stream. Commission is earned on success only.
* Every amount is integer fen.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import json
import logging
import re
import secrets
from collections.abc import Iterable
from typing import Final, cast

from pydantic import ValidationError
from sqlalchemy import Table, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sync import protocol
from sync.hub import billers_data, clock, streams
from sync.hub.db import Database
from sync.hub.errors import AdminError, HubError, NotFound
from sync.hub.models import (
    BillDayTotal,
    BillInFlight,
    BillPayment,
    BillQuery,
    BillScript,
    Store,
    StreamChange,
)

log = logging.getLogger(__name__)

CHINA: Final = dt.timezone(dt.timedelta(hours=8))
QUERY_TTL: Final = dt.timedelta(minutes=30)
MAX_BACKDATE: Final = dt.timedelta(days=7)
"""How far before its arrival a payment's `accepted_at` is believed (an offline shop)."""
LATE_FEE_PER_MILLE_PER_DAY: Final = 1
"""违约金: 0.1 % of the amount due per day past the due date (billpay.md §3.3, rate U)."""
UNAVAILABLE_RETRY: Final = dt.timedelta(seconds=60)
"""An event that met a scripted `unavailable` biller: the hub holds it pending and retries."""
DUE_DAY: Final = 25
"""A bill for last month is due on the 25th of this month (China time)."""

STATUS: Final[dict[str, int]] = {
    "unknown_biller": 404,
    "biller_inactive": 409,
    "biller_closed": 409,
    "invalid_account": 422,
    "not_a_credit_card": 422,
    "operator_mismatch": 422,
    "account_not_found": 404,
    "no_bill": 409,
    "query_expired": 409,
    "amount_invalid": 422,
    "limit_exceeded": 409,
    "duplicate_bill": 409,
    "idempotency_conflict": 422,
    "biller_unavailable": 503,
}
"""The contract's error codes (protocol, "convenience payments") and their HTTP status."""

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国文辉力志"
_RANGES: Final[dict[str, tuple[int, int]]] = {
    # a month's bill, fen: (lowest, span)
    "electricity": (3_000, 45_000),
    "water": (1_500, 12_000),
    "gas": (2_000, 30_000),
}


class Refusal(HubError):
    """A payment or lookup the biller's rules refuse: one of the contract's codes."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail, code=code, status=STATUS[code])


class EventRefused(Exception):
    """A `bill_payment.*` event that can never apply (another payment under its id, a refund
    of a payment that did not fail): the event is rejected with this reason."""


# --- the registry (the billers stream) -------------------------------------------------------


def load_billers(session: Session) -> dict[str, protocol.Biller]:
    """Every biller as the `billers` stream serves it now (a malformed item is skipped and
    logged: the shops refuse it too)."""
    found: dict[str, protocol.Biller] = {}
    rows = session.execute(
        select(StreamChange.key, StreamChange.data_json).where(
            StreamChange.stream == "billers",
            StreamChange.store_id == "",
            StreamChange.op == "upsert",
        )
    )
    for key, data in rows:
        try:
            found[key] = protocol.Biller.model_validate_json(data or "")
        except ValidationError:
            log.error("biller %s in the billers stream does not fit the schema; ignored", key)
    return found


def _config(session: Session, key: str) -> int | None:
    data = session.scalar(
        select(StreamChange.data_json).where(
            StreamChange.stream == "config",
            StreamChange.store_id == "",
            StreamChange.key == key,
            StreamChange.op == "upsert",
        )
    )
    if data is None:
        return None
    value = json.loads(data).get("value")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _biller(billers: dict[str, protocol.Biller], biller_id: str) -> protocol.Biller:
    biller = billers.get(biller_id)
    if biller is None:
        raise Refusal("unknown_biller", f"没有这个缴费单位 / no biller {biller_id!r}")
    if not biller.active:
        raise Refusal("biller_inactive", f"{biller.name} 暂停服务 / the biller is not active")
    return biller


def is_open(rules: protocol.BillerRules, at: dt.datetime) -> bool:
    """Inside one of the opening windows ("HH:MM-HH:MM", China time; one that ends before it
    starts runs past midnight); always open without windows."""
    if not rules.hours:
        return True
    local = at.astimezone(CHINA)
    minute = local.hour * 60 + local.minute
    for window in rules.hours:
        start_text, end_text = window.split("-")
        start = int(start_text[:2]) * 60 + int(start_text[3:])
        end = int(end_text[:2]) * 60 + int(end_text[3:])
        if start <= end and start <= minute < end:
            return True
        if start > end and (minute >= start or minute < end):
            return True
    return False


def _check_open(biller: protocol.Biller, at: dt.datetime) -> None:
    if not is_open(biller.rules, at):
        raise Refusal(
            "biller_closed",
            f"{biller.name} 暂停受理（营业时间 {', '.join(biller.rules.hours)}）/ the biller "
            f"takes payments only {', '.join(biller.rules.hours)} China time",
        )


# --- accounts --------------------------------------------------------------------------------


def luhn_ok(digits: str) -> bool:
    """The mod-10 check of a card number (ISO/IEC 7812); anything but ASCII digits fails."""
    if not (digits.isascii() and digits.isdigit()):
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def normalise(biller_id: str, account: str) -> str:
    """Beijing's 10-digit 户号 is the 13-digit one without its 110 (billpay.md §3.1)."""
    rule = billers_data.NORMALISE_PREFIX.get(biller_id)
    if rule is not None and len(account) == rule[0]:
        return rule[1] + account
    return account


def mask(kind: str, account: str) -> str:
    """What leaves the hub: a card's first 6 and last 4 (DESIGN.md, card data), a phone's
    first 3 and last 4, a utility account's last 4."""
    if kind == "credit_card" and len(account) > 10:
        return account[:6] + "*" * (len(account) - 10) + account[-4:]
    if kind == "mobile" and len(account) == 11:
        return account[:3] + "****" + account[-4:]
    return "*" * max(0, len(account) - 4) + account[-4:]


def carrier_of(number: str, billers: Iterable[protocol.Biller]) -> str | None:
    """The mobile biller a number belongs to now: the portability table first, then the
    longest segment prefix of any mobile biller."""
    ported = billers_data.MNP_OVERRIDES.get(number)
    if ported is not None:
        return ported
    best: tuple[int, str] | None = None
    for biller in billers:
        if biller.kind != "mobile":
            continue
        for prefix in biller.rules.prefixes:
            if number.startswith(prefix) and (best is None or len(prefix) > best[0]):
                best = (len(prefix), biller.biller_id)
    return best[1] if best else None


def check_account(
    biller: protocol.Biller, account: str, billers: dict[str, protocol.Biller]
) -> tuple[str, str]:
    """(the normalised account, a note for the result such as the card's posting) or Refusal."""
    rules = biller.rules
    try:
        fits = re.fullmatch(rules.account_pattern, account) is not None
    except re.error:
        log.error("biller %s has an account pattern that does not compile", biller.biller_id)
        fits = False
    if not fits:
        raise Refusal(
            "invalid_account",
            f"{rules.account_label}格式不对：{rules.account_tip or rules.account_pattern} / "
            f"the {rules.account_label} does not fit the biller's format",
        )
    normal = normalise(biller.biller_id, account)
    note = ""
    if biller.kind == "mobile":
        if normal.startswith(billers_data.MVNO_PREFIXES):
            raise Refusal(
                "invalid_account",
                "虚拟运营商号码不支持充值 / numbers of virtual operators (162, 165, 167, 170, "
                "171) cannot be topped up here",
            )
        carrier = carrier_of(normal, billers.values())
        if carrier is None:
            raise Refusal(
                "invalid_account", "号段不存在或不支持 / no carrier has this number's segment"
            )
        if carrier != biller.biller_id:
            name = billers[carrier].name if carrier in billers else carrier
            raise Refusal(
                "operator_mismatch",
                f"该号码属于{name.split(' ')[0]}（可能已携号转网）/ this number belongs to "
                f"{carrier}, not {biller.biller_id} (number portability)",
            )
    if rules.luhn and not luhn_ok(normal):
        raise Refusal("invalid_account", "卡号校验位错误 / the card number fails its check digit")
    if rules.bins:
        match = max(
            (b for b in rules.bins if normal.startswith(b.prefix)),
            key=lambda b: len(b.prefix),
            default=None,
        )
        if match is None:
            raise Refusal("invalid_account", "无法识别发卡行 / no issuer has this card's BIN")
        if match.type != "credit":
            raise Refusal(
                "not_a_credit_card",
                f"这是{match.bank}借记卡，不能还款 / a debit card of {match.bank}: only credit "
                "cards can be repaid",
            )
        if not (len(normal) == 16 or (len(normal) == 15 and normal[:2] in ("34", "37"))):
            raise Refusal(
                "invalid_account",
                "信用卡号应为 16 位 / a credit card number has 16 digits (15 for AmEx co-brands)",
            )
        note = {
            "realtime": f"{match.bank}，实时到账 / posted in real time",
            "same_day": f"{match.bank}，当日 24 点前到账 / posted by midnight",
            "next_day": f"{match.bank}，次日到账 / posted the next day (T+1)",
        }[match.posting]
    return normal, note


def _check_amount(biller: protocol.Biller, amount: int) -> None:
    rules = biller.rules
    yuan = f"¥{amount / 100:.2f}"
    if rules.denominations_fen and amount not in rules.denominations_fen:
        faces = "、".join(f"{d // 100}" for d in rules.denominations_fen)
        raise Refusal("amount_invalid", f"只能充值 {faces} 元 / {yuan} is not a face value")
    if amount < rules.amount_min_fen or amount > rules.amount_max_fen:
        raise Refusal(
            "amount_invalid",
            f"金额须在 ¥{rules.amount_min_fen / 100:.2f}–¥{rules.amount_max_fen / 100:.2f} 之间 "
            f"/ {yuan} is outside the biller's limits",
        )
    if amount % rules.amount_step_fen:
        raise Refusal(
            "amount_invalid",
            f"金额须为 ¥{rules.amount_step_fen / 100:.2f} 的整数倍 / {yuan} is not a multiple "
            "of the biller's step",
        )


# --- bills -----------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Bill:
    period: str
    amount_due_fen: int
    penalty_fen: int
    due_date: dt.date
    holder_masked: str


def _hash(*parts: str) -> int:
    return int.from_bytes(hashlib.sha256(":".join(parts).encode()).digest()[:8], "big")


def mask_name(name: str) -> str:
    """张*明 for three characters, 张* for two: the holder is recognisable to themselves only."""
    return name[0] + "*" if len(name) <= 2 else name[0] + "*" * (len(name) - 2) + name[-1]


def bill_of(biller: protocol.Biller, account: str, now: dt.datetime) -> Bill:
    """The account's bill for last month (China time), the same every time it is asked."""
    if account.endswith(billers_data.NOT_FOUND_SUFFIX):
        raise Refusal("account_not_found", "未查询到用户信息 / the biller has no such account")
    if account.endswith(billers_data.NO_BILL_SUFFIX):
        raise Refusal("no_bill", "已缴费成功或超过受理期 / nothing is due on this account")
    today = now.astimezone(CHINA).date()
    first = today.replace(day=1)
    last_month = first - dt.timedelta(days=1)
    period = f"{last_month.year:04d}-{last_month.month:02d}"
    h = _hash(biller.biller_id, account, period)
    low, span = _RANGES.get(biller.kind, (2_000, 20_000))
    amount = low + h % span
    due = first.replace(day=DUE_DAY)
    late_days = max(0, (today - due).days)
    penalty = (amount * late_days * LATE_FEE_PER_MILLE_PER_DAY + 500) // 1000
    who = _hash("holder", account)
    name = _SURNAMES[who % len(_SURNAMES)] + _GIVEN[(who >> 8) % len(_GIVEN)]
    if who % 3:
        name += _GIVEN[(who >> 16) % len(_GIVEN)]
    return Bill(period, amount, penalty, due, mask_name(name))


def _paid_on(session: Session, bill_key: str) -> int:
    """What payments not failed already put on this bill (any store)."""
    return int(
        session.scalar(
            select(func.coalesce(func.sum(BillPayment.amount_fen), 0)).where(
                BillPayment.bill_key == bill_key, BillPayment.status != "failed"
            )
        )
        or 0
    )


def lookup(db: Database, store_id: str, request: protocol.BillLookupRequest) -> protocol.BillLookup:
    now = clock.utcnow()
    with db.transaction() as session:
        _advance(session, now, None)  # a bill is shared by every shop: all that are due
        billers = load_billers(session)
        biller = _biller(billers, request.biller_id)
        if not biller.rules.lookup:
            raise Refusal(
                "no_bill",
                f"{biller.name} 无需查询账单，直接输入金额 / this biller has no bills to look "
                "up: pay an amount",
            )
        _check_open(biller, now)
        account, _ = check_account(biller, request.account, billers)
        bill = bill_of(biller, account, now)
        bill_key = f"{biller.biller_id}:{account}:{bill.period}"
        due_total = bill.amount_due_fen + bill.penalty_fen
        paid = _paid_on(session, bill_key)
        if paid >= due_total:
            _settled(session, bill_key)
        left = due_total - paid
        # what is still owed: the late fee first, then the principal (billpay.md §6.3.4)
        penalty = max(0, bill.penalty_fen - paid)
        query = BillQuery(
            query_no="Q" + secrets.token_hex(12),
            store_id=store_id,
            biller_id=biller.biller_id,
            account=account,
            period=bill.period,
            amount_due_fen=left - penalty,
            penalty_fen=penalty,
            created_at=now,
            expires_at=now + QUERY_TTL,
        )
        session.add(query)
    return protocol.BillLookup(
        biller_id=biller.biller_id,
        account_masked=mask(biller.kind, account),
        holder_masked=bill.holder_masked,
        amount_due_fen=query.amount_due_fen,
        penalty_fen=query.penalty_fen,
        due_date=bill.due_date,
        period=bill.period,
        query_no=query.query_no,
        expires_at=query.expires_at,
    )


# --- scripts ---------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Step:
    action: str  # success, pending, failed, unavailable
    seconds: int = 0
    outcome: str = "success"  # after pending
    reason: str = ""


def parse_step(text: str) -> Step:
    parts = [p.strip() for p in text.strip().split(":")]
    action, args = parts[0], parts[1:]

    def seconds(value: str) -> int:
        if not value.isdigit() or not 1 <= int(value) <= 259_200:
            raise ValueError(f"{text!r}: seconds must be a whole number from 1 to 259200 (72 h)")
        return int(value)

    def reason(value: str) -> str:
        if value not in billers_data.FAILURE_REASONS:
            raise ValueError(
                f"{text!r}: the reason is one of {', '.join(billers_data.FAILURE_REASONS)}"
            )
        return value

    if action in ("success", "unavailable") and not args:
        return Step(action)
    if action == "failed" and len(args) <= 1:
        return Step("failed", reason=reason(args[0]) if args else "biller_rejected")
    if action == "pending" and len(args) == 1:
        return Step("pending", seconds(args[0]))
    if action == "pending" and len(args) in (2, 3) and args[1] in ("success", "failed"):
        if args[1] == "success" and len(args) == 2:
            return Step("pending", seconds(args[0]))
        if args[1] == "failed":
            why = reason(args[2]) if len(args) == 3 else "biller_rejected"
            return Step("pending", seconds(args[0]), "failed", why)
    raise ValueError(
        f"unknown step {text!r}: use success, pending:N, pending:N:failed[:REASON], "
        "failed[:REASON] or unavailable"
    )


def set_script(
    db: Database, store_id: str, text: str, *, biller_id: str = "", append: bool = False
) -> list[str]:
    """Replace (or extend) a store's script, for one biller or (biller_id "") any; returns the
    steps now waiting."""
    steps = [s.strip() for s in text.split(",") if s.strip()]
    try:
        for step in steps:
            parse_step(step)
    except ValueError as exc:
        raise AdminError(str(exc)) from None
    with db.transaction() as session:
        if session.get(Store, store_id) is None:
            raise AdminError(f"no store with id {store_id!r}")
        if biller_id and biller_id not in load_billers(session):
            raise AdminError(f"no biller {biller_id!r} on this hub")
        row = session.get(BillScript, (store_id, biller_id), with_for_update=True)
        if row is None:
            row = BillScript(store_id=store_id, biller_id=biller_id, steps="")
            session.add(row)
        current = [s for s in row.steps.split(",") if s] if append else []
        row.steps = ",".join(current + steps)
        return [s for s in row.steps.split(",") if s]


def _next_step(session: Session, store_id: str, biller: protocol.Biller) -> Step:
    for key in (biller.biller_id, ""):
        row = session.get(BillScript, (store_id, key), with_for_update=True)
        if row is None or not row.steps:
            continue
        first, _, rest = row.steps.partition(",")
        row.steps = rest
        try:
            return parse_step(first)
        except ValueError:  # checked when set; a hand-edited row falls back to the default
            break
    return default_step(biller)


def default_step(biller: protocol.Biller) -> Step:
    """Without a script: utilities answer within seconds, top-ups within minutes (5 s here, so
    the demo shows 受理中 turning 成功), a card repayment at once (billpay.md §1.4, §6.3.7)."""
    if biller.kind == "credit_card":
        return Step("success")
    if biller.kind == "mobile":
        return Step("pending", 5)
    return Step("pending", 3)


# --- payments --------------------------------------------------------------------------------


def _digest(request: protocol.BillPaymentRequest) -> str:
    return hashlib.sha256(
        protocol.canonical_json(request.model_dump(mode="json")).encode()
    ).hexdigest()


def commission_of(biller: protocol.Biller, amount: int) -> int:
    rule = biller.rules.commission
    if rule.kind == "fixed":
        return rule.fixed_fen
    return (amount * rule.basis_points + 5000) // 10000


def result_of(p: BillPayment) -> protocol.BillResult:
    return protocol.BillResult(
        payment_id=p.payment_id,
        biller_id=p.biller_id,
        number=p.number,
        account_masked=p.account_masked,
        amount_fen=p.amount_fen,
        status=p.status,  # type: ignore[arg-type]
        biller_reference=p.biller_reference,
        reason_code=p.reason_code,
        message=p.message,
        commission_fen=p.commission_fen,
        accepted_at=p.accepted_at,
        final_at=p.final_at,
        refunded=p.refunded,
    )


def _publish(session: Session, p: BillPayment) -> None:
    streams.publish(
        session,
        protocol.BILL_RESULTS_STREAM,
        [(p.payment_id, result_of(p).model_dump(mode="json"))],
        store_id=p.store_id,
    )


@dataclasses.dataclass(frozen=True)
class Checked:
    biller: protocol.Biller
    account: str
    note: str
    bill_key: str | None
    at: dt.datetime
    """The moment the customer paid, as the hub believes it."""


def _moment(request: protocol.BillPaymentRequest, now: dt.datetime) -> dt.datetime:
    """When the customer paid: the shop's accepted_at, never after the hub's now nor more
    than a week before it (a shop's clock is not trusted beyond that)."""
    return min(now, max(request.accepted_at, now - MAX_BACKDATE))


def _validate(
    session: Session,
    store_id: str,
    request: protocol.BillPaymentRequest,
    billers: dict[str, protocol.Biller],
    now: dt.datetime,
) -> Checked:
    biller = _biller(billers, request.biller_id)
    at = _moment(request, now)
    _check_open(biller, at)
    account, note = check_account(biller, request.account, billers)
    _check_amount(biller, request.amount_fen)
    bill_key: str | None = None
    if biller.rules.lookup:
        bill_key = _check_bill(session, store_id, biller, account, request, at)
    if request.accepted_offline:
        _check_offline(session, store_id, request, at)
    return Checked(biller, account, note, bill_key, at)


def _check_bill(
    session: Session,
    store_id: str,
    biller: protocol.Biller,
    account: str,
    request: protocol.BillPaymentRequest,
    at: dt.datetime,
) -> str:
    """The looked-up bill this payment names: its query unexpired when the customer paid,
    and the amount within the partial / over-payment rules."""
    query = session.get(BillQuery, request.query_no) if request.query_no else None
    if query is None or query.store_id != store_id:
        raise Refusal(
            "query_expired",
            "请先查询账单 / look the bill up first: this biller needs a valid query number",
        )
    if query.biller_id != biller.biller_id or query.account != account:
        raise Refusal(
            "query_expired", "查询号与户号不符，请重新查询 / the query is for another account"
        )
    if at > query.expires_at:
        raise Refusal(
            "query_expired", "查询已过期，请重新查询 / the query expired: look it up again"
        )
    bill_key = f"{biller.biller_id}:{account}:{query.period}"
    owed = query.amount_due_fen + query.penalty_fen
    left = owed - max(0, _paid_on(session, bill_key) - _paid_before(session, query))
    if left <= 0:
        _settled(session, bill_key)
    yuan = f"¥{left / 100:.2f}"
    if not biller.rules.partial and request.amount_fen < left:
        raise Refusal(
            "amount_invalid", f"须缴清全部欠费 {yuan} / the biller takes the whole {yuan} only"
        )
    if not biller.rules.overpay and request.amount_fen > left:
        raise Refusal(
            "amount_invalid", f"不能超过欠费 {yuan} / the biller takes no more than {yuan}"
        )
    return bill_key


def _settled(session: Session, bill_key: str) -> None:
    """Nothing is left to pay on the bill: it is being paid (a payment still pending, here or
    in another shop) or it was paid."""
    pending = session.scalar(
        select(BillPayment.payment_id)
        .where(BillPayment.bill_key == bill_key, BillPayment.status == "pending")
        .limit(1)
    )
    if pending is not None:
        raise Refusal(
            "duplicate_bill",
            "这张账单正在缴费中，请等待结果 / this bill is being paid right now: wait for that "
            "payment's result",
        )
    raise Refusal("no_bill", "本期账单已缴清 / this bill is already paid")


def _paid_before(session: Session, query: BillQuery) -> int:
    """Payments on the bill before the query was made: its amount already left them out."""
    key = f"{query.biller_id}:{query.account}:{query.period}"
    return int(
        session.scalar(
            select(func.coalesce(func.sum(BillPayment.amount_fen), 0)).where(
                BillPayment.bill_key == key,
                BillPayment.status != "failed",
                BillPayment.received_at <= query.created_at,
            )
        )
        or 0
    )


def _check_offline(
    session: Session, store_id: str, request: protocol.BillPaymentRequest, at: dt.datetime
) -> None:
    """A payment taken offline must fit the offline limits the hub published (config)."""
    per_payment = _config(session, "offline_bill_payment_max_fen")
    if per_payment is not None and request.amount_fen > per_payment:
        raise Refusal(
            "limit_exceeded",
            f"离线缴费单笔上限 ¥{per_payment / 100:.2f} / over the offline limit per payment",
        )
    per_day = _config(session, "offline_bill_payments_per_day_max_fen")
    if per_day is not None:
        day = _business_day(request, at)  # the shop counts its offline allowance per its day
        taken = int(
            session.scalar(
                select(func.coalesce(func.sum(BillPayment.amount_fen), 0)).where(
                    BillPayment.store_id == store_id,
                    BillPayment.business_day == day,
                    BillPayment.accepted_offline.is_(True),
                    BillPayment.status != "failed",
                )
            )
            or 0
        )
        if taken + request.amount_fen > per_day:
            raise Refusal(
                "limit_exceeded",
                f"离线缴费每日上限 ¥{per_day / 100:.2f} / over the store's offline limit per day",
            )


def _add_to_day(session: Session, biller_id: str, account: str, day: dt.date, fen: int) -> int:
    """Add to the account's total of the day atomically; returns the new total."""
    dialect = session.get_bind().dialect.name
    maker = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = cast(Table, BillDayTotal.__table__)
    statement = (
        maker(table)
        .values(biller_id=biller_id, account=account, day=day, total_fen=fen)
        .on_conflict_do_update(
            index_elements=["biller_id", "account", "day"],
            set_={"total_fen": table.c.total_fen + fen},
        )
        .returning(table.c.total_fen)
    )
    return int(session.execute(statement).scalar_one())


def _business_day(request: protocol.BillPaymentRequest, at: dt.datetime) -> dt.date:
    """The shop's business day for the payment: the one it sent when that is the China day of
    the payment or the day before (a cut-off past midnight), else the China day. A shop's
    business day never runs ahead of the calendar, nor more than a day behind it."""
    china = at.astimezone(CHINA).date()
    day = request.business_day
    if day is not None and china - dt.timedelta(days=1) <= day <= china:
        return day
    return china


def _new_payment(
    store_id: str,
    device_id: str,
    source: str,
    request: protocol.BillPaymentRequest,
    digest: str,
    now: dt.datetime,
    *,
    kind: str,
    account: str,
    at: dt.datetime,
) -> BillPayment:
    return BillPayment(
        store_id=store_id,
        payment_id=request.payment_id,
        device_id=device_id,
        source=source,
        digest=digest,
        biller_id=request.biller_id,
        kind=kind,
        account=account,
        account_masked=mask(kind, account),
        bill_key=None,
        query_no=request.query_no,
        number=request.number,
        tender=request.tender,
        accepted_offline=request.accepted_offline,
        amount_fen=request.amount_fen,
        business_day=_business_day(request, at),
        china_day=at.astimezone(CHINA).date(),
        status="pending",
        reason_code="",
        message="",
        biller_reference=f"BP{now.astimezone(CHINA):%y%m%d}{secrets.randbelow(10**12):012d}",
        commission_fen=0,
        counted_fen=0,
        accepted_at=request.accepted_at,
        received_at=now,
        refunded=False,
    )


def _succeed(p: BillPayment, biller: protocol.Biller | None, at: dt.datetime, note: str) -> None:
    p.status, p.final_at = "success", at
    p.commission_fen = commission_of(biller, p.amount_fen) if biller is not None else 0
    words = {"mobile": "充值成功 / topped up", "credit_card": "还款成功 / repaid"}
    p.message = words.get(p.kind, "缴费成功 / paid") + (f"；{note}" if note else "")


def _fail(session: Session, p: BillPayment, code: str, message: str, at: dt.datetime) -> None:
    p.status, p.final_at = "failed", at
    p.reason_code, p.message = code, message[:300]
    p.commission_fen = 0
    if p.counted_fen:
        session.execute(
            update(BillDayTotal)
            .where(
                BillDayTotal.biller_id == p.biller_id,
                BillDayTotal.account == p.account,
                BillDayTotal.day == (p.china_day or p.business_day),
            )
            .values(total_fen=BillDayTotal.total_fen - p.counted_fen)
        )
        p.counted_fen = 0
    if p.bill_key:
        _release(session, p)


def _release(session: Session, p: BillPayment) -> None:
    session.execute(
        delete(BillInFlight).where(
            BillInFlight.bill_key == p.bill_key, BillInFlight.payment_id == p.payment_id
        )
    )


def _record(
    session: Session, payment: BillPayment, checked: Checked, step: Step, now: dt.datetime
) -> BillPayment | None:
    """Insert a payment that passed the checks, take its bill and its share of the day's
    limit, and set it going as `step` says. None if another request inserted this payment
    first (the caller reads that one); Refusal (duplicate_bill, limit_exceeded) leaves nothing."""
    biller = checked.biller
    payment.bill_key = checked.bill_key
    outer = session.begin_nested()
    try:
        try:
            with session.begin_nested():
                session.add(payment)
                session.flush()
        except IntegrityError:
            outer.rollback()
            return None
        if checked.bill_key is not None:
            try:
                with session.begin_nested():
                    session.add(
                        BillInFlight(
                            bill_key=checked.bill_key,
                            store_id=payment.store_id,
                            payment_id=payment.payment_id,
                        )
                    )
                    session.flush()
            except IntegrityError:
                raise Refusal(
                    "duplicate_bill",
                    "这张账单正在缴费中 / this bill is being paid right now (another payment "
                    "of it is in progress)",
                ) from None
        limit = biller.rules.per_day_max_fen
        if step.action != "failed":
            total = _add_to_day(
                session,
                biller.biller_id,
                checked.account,
                payment.china_day or payment.business_day,
                payment.amount_fen,
            )
            payment.counted_fen = payment.amount_fen
            if limit is not None and total > limit:
                raise Refusal(
                    "limit_exceeded",
                    f"该账户当日缴费已达上限 ¥{limit / 100:.2f} / the account's limit per day "
                    f"(¥{limit / 100:.2f}) would be exceeded",
                )
        _start(session, payment, biller, checked.note, step, now)
        outer.commit()
    except BaseException:
        if outer.is_active:
            outer.rollback()
        raise
    return payment


def _start(
    session: Session,
    p: BillPayment,
    biller: protocol.Biller,
    note: str,
    step: Step,
    now: dt.datetime,
) -> None:
    if step.action == "success":
        _succeed(p, biller, now, note)
        if biller.rules.overpay and p.bill_key:
            _release(session, p)  # paid; a further payment only adds to the balance
    elif step.action == "failed":
        _fail(session, p, step.reason, billers_data.FAILURE_REASONS[step.reason], now)
    else:  # pending (or an event that met an unavailable biller: the hub retries it)
        p.status = "pending"
        p.final_status = step.outcome
        p.reason_code = step.reason if step.outcome == "failed" else ""
        wait = dt.timedelta(seconds=step.seconds) if step.seconds else UNAVAILABLE_RETRY
        p.due_at = now + wait
        p.message = "受理中，等待缴费单位结果 / accepted: waiting for the biller's result" + (
            f"；{note}" if note else ""
        )


def _replay(existing: BillPayment, digest: str) -> protocol.BillResult:
    if existing.digest != digest:
        raise Refusal(
            "idempotency_conflict",
            f"payment id {existing.payment_id} was already used for another payment "
            f"({existing.biller_id}, {existing.amount_fen} fen): use a new id",
        )
    return result_of(existing)


def _existing(session: Session, store_id: str, payment_id: str) -> BillPayment | None:
    return session.scalars(
        select(BillPayment)
        .where(BillPayment.store_id == store_id, BillPayment.payment_id == payment_id)
        .with_for_update()
    ).first()


def pay(
    db: Database, store_id: str, device_id: str, request: protocol.BillPaymentRequest
) -> protocol.BillResult:
    """The shop's POST: the payment, or the first answer again. A refusal records nothing,
    except that a scripted `unavailable` step is used up (the biller was asked)."""
    digest = _digest(request)
    now = clock.utcnow()
    for _ in range(3):
        with db.transaction() as session:
            _advance(session, now, None)  # the bills and day limits are every shop's
            existing = _existing(session, store_id, request.payment_id)
            if existing is not None:
                return _replay(existing, digest)
            billers = load_billers(session)
            checked = _validate(session, store_id, request, billers, now)
            step = _next_step(session, store_id, checked.biller)
            if step.action != "unavailable":
                payment = _new_payment(
                    store_id,
                    device_id,
                    "post",
                    request,
                    digest,
                    now,
                    kind=checked.biller.kind,
                    account=checked.account,
                    at=checked.at,
                )
                if _record(session, payment, checked, step, now) is None:
                    continue  # the event (or a retry) got there first: read its payment
                _publish(session, payment)
                return result_of(payment)
        raise Refusal(
            "biller_unavailable",
            f"{checked.biller.name} 暂时无法连接，请稍后再试 / the biller cannot be reached "
            "now; nothing was recorded: try again",
        )
    raise HubError("could not record the payment; retry", code="unavailable", status=503)


def accept_event(
    session: Session, store_id: str, device_id: str, request: protocol.BillPaymentRequest
) -> protocol.BillResult:
    """The `bill_payment.accepted` event, inside the push's transaction. A payment the rules
    refuse is recorded `failed` with the reason (the shop must refund it); EventRefused if
    the id already names another payment."""
    digest = _digest(request)
    now = clock.utcnow()
    _advance(session, now, None)
    for _ in range(3):
        existing = _existing(session, store_id, request.payment_id)
        if existing is not None:
            if existing.digest != digest:
                raise EventRefused(
                    f"payment id {request.payment_id} already names another payment at the hub "
                    f"({existing.biller_id}, {existing.amount_fen} fen)"
                )
            return result_of(existing)
        billers = load_billers(session)
        kind = billers[request.biller_id].kind if request.biller_id in billers else "unknown"

        # the payment as the event states it; made again after a refusal, since the first
        # object may have been half-recorded in the rolled-back part
        fresh = functools.partial(
            _new_payment, store_id, device_id, "event", request, digest, now,
            kind=kind, account=request.account, at=_moment(request, now),
        )  # fmt: skip
        payment = fresh()
        try:
            checked = _validate(session, store_id, request, billers, now)
            step = _next_step(session, store_id, checked.biller)
            payment.kind, payment.account = checked.biller.kind, checked.account
            payment.account_masked = mask(checked.biller.kind, checked.account)
            recorded = _record(session, payment, checked, step, now)
        except Refusal as refusal:
            payment = fresh()
            _fail(session, payment, refusal.code, refusal.detail, now)
            try:
                with session.begin_nested():
                    session.add(payment)
                    session.flush()
            except IntegrityError:
                continue
            recorded = payment
        if recorded is None:
            continue
        _publish(session, recorded)
        return result_of(recorded)
    raise HubError("could not record the payment; retry", code="unavailable", status=503)


def refund_event(session: Session, store_id: str, record: protocol.BillRefundRecord) -> None:
    """The `bill_payment.refunded` event: the shop gave back the money of a failed payment."""
    now = clock.utcnow()
    _advance(session, now, store_id)
    payment = _existing(session, store_id, record.payment_id)
    if payment is None:
        raise EventRefused(f"the hub holds no payment {record.payment_id} of this store")
    if payment.status != "failed":
        raise EventRefused(
            f"payment {record.payment_id} is {payment.status}: only a failed payment is refunded"
        )
    if record.amount_fen != payment.amount_fen:
        raise EventRefused(
            f"the refund of {record.amount_fen} fen is not the payment's {payment.amount_fen} fen"
        )
    spelt = protocol.canonical_json(record.model_dump(mode="json"))
    if payment.refunded:
        if payment.refund_json != spelt:
            raise EventRefused(f"payment {record.payment_id} was already refunded otherwise")
        return
    payment.refunded, payment.refund_json = True, spelt
    _publish(session, payment)


def get_payment(db: Database, store_id: str, payment_id: str) -> protocol.BillResult:
    now = clock.utcnow()
    advance_store(db, store_id, now)
    with db.reading() as session:
        found = session.get(BillPayment, (store_id, payment_id))
        if found is None:
            raise NotFound(f"no bill payment {payment_id} in this store")
        return result_of(found)


# --- results on the clock --------------------------------------------------------------------


def _due(session: Session, now: dt.datetime, store_id: str | None) -> bool:
    query = select(BillPayment.payment_id).where(
        BillPayment.status == "pending", BillPayment.due_at <= now
    )
    if store_id is not None:
        query = query.where(BillPayment.store_id == store_id)
    return session.scalar(query.limit(1)) is not None


def _advance(session: Session, now: dt.datetime, store_id: str | None) -> int:
    """Move every pending payment whose time has come (of one store, or all); returns how
    many. Rows another transaction is moving are skipped (it publishes them)."""
    query = (
        select(BillPayment)
        .where(BillPayment.status == "pending", BillPayment.due_at <= now)
        .order_by(BillPayment.due_at)
        .with_for_update(skip_locked=True)
    )
    if store_id is not None:
        query = query.where(BillPayment.store_id == store_id)
    moved = 0
    billers: dict[str, protocol.Biller] | None = None
    for p in session.scalars(query):
        assert p.due_at is not None
        if p.final_status == "failed":
            why = p.reason_code or "biller_rejected"
            _fail(session, p, why, billers_data.FAILURE_REASONS.get(why, why), p.due_at)
        else:
            billers = billers if billers is not None else load_billers(session)
            biller = billers.get(p.biller_id)
            _succeed(p, biller, p.due_at, _note(biller, p.account, billers))
            if p.bill_key and (biller is None or biller.rules.overpay):
                _release(session, p)
        _publish(session, p)
        moved += 1
    return moved


def _note(biller: protocol.Biller | None, account: str, billers: dict[str, protocol.Biller]) -> str:
    """The result's note again (a card's posting by its issuer) for a payment that waited."""
    if biller is None or not biller.rules.bins:
        return ""
    try:
        return check_account(biller, account, billers)[1]
    except Refusal:  # the rules changed meanwhile: the payment stands, without the note
        return ""


def advance_store(db: Database, store_id: str | None, now: dt.datetime | None = None) -> int:
    """Lazily, before answering a store: a cheap read first, a write only if something is
    due (a till asks often; on SQLite a read never waits for the writer)."""
    at = now or clock.utcnow()
    with db.reading() as session:
        if not _due(session, at, store_id):
            return 0
    with db.transaction() as session:
        return _advance(session, at, store_id)


def tick(db: Database) -> int:
    """The hub's background tick: every store's due payments."""
    return advance_store(db, None)


# --- the statement ---------------------------------------------------------------------------


def statement(db: Database, store_id: str, day: dt.date) -> protocol.BillStatement:
    """The store's bill payments of business `day` (the shop's, else China time), with the sums. `owed_fen` is
    the agency money the shop holds for the platform: success and pending, less commission."""
    advance_store(db, store_id)
    with db.reading() as session:
        if session.get(Store, store_id) is None:
            raise NotFound(f"no store with id {store_id!r}")
        found = session.scalars(
            select(BillPayment)
            .where(BillPayment.store_id == store_id, BillPayment.business_day == day)
            .order_by(BillPayment.accepted_at, BillPayment.payment_id)
        ).all()
    rows = [
        protocol.BillStatementRow(
            payment_id=p.payment_id,
            number=p.number,
            biller_id=p.biller_id,
            kind=p.kind,  # type: ignore[arg-type]
            account_masked=p.account_masked,
            amount_fen=p.amount_fen,
            status=p.status,  # type: ignore[arg-type]
            refunded=p.refunded,
            commission_fen=p.commission_fen,
            accepted_at=p.accepted_at,
            final_at=p.final_at,
            biller_reference=p.biller_reference,
            device_id=p.device_id,
        )
        for p in found
    ]

    def total(status: str) -> int:
        return sum(r.amount_fen for r in rows if r.status == status)

    commission = sum(r.commission_fen for r in rows)
    return protocol.BillStatement(
        store_id=store_id,
        day=day,
        rows=rows,
        count=len(rows),
        amount_fen=sum(r.amount_fen for r in rows),
        success_fen=total("success"),
        pending_fen=total("pending"),
        failed_fen=total("failed"),
        commission_fen=commission,
        owed_fen=total("success") + total("pending") - commission,
    )
