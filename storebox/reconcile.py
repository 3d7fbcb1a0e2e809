"""End-of-day reconciliation (对账): the shop's own card and wallet money of one business day
matched against what the outside world says happened.

Two outside accounts, both passed in by the caller as plain data (the core talks to neither
the terminal nor the hub; `cli.reconcile_cmd` fetches them):

* the card terminal's end-of-day totals (`TerminalTotals`): payments and refunds, count and
  amount, per card scheme when the terminal gives them;
* the acquirer's settlement file (`Settlement`): one line per wallet transaction whose money
  moved on the day, matched to the shop's payments and refunds by the shop's reference (the
  idempotency key the shop sent), the acquirer's reference beside it.

Every difference is listed with what it is and the sale (or refund) it belongs to:

=========================  ===================================================================
``missing_at_acquirer``    the shop booked a wallet payment or refund the acquirer does not have
``missing_in_shop``        the acquirer moved money the shop has no sale or refund for (e.g. a
                           late approval after the shop reversed or gave up on the attempt)
``reversed_at_acquirer``   the shop counts a payment as paid; the acquirer reversed it
``amount_mismatch``        both have it, with different amounts
``refunded_at_acquirer``   the acquirer refunded more of a payment than the shop's refunds say
``terminal_count``         the terminal counted another number of card payments / refunds
``terminal_amount``        … or another amount
``terminal_scheme``        … or, per card scheme, another count or amount
``missing_at_terminal``    a card payment or refund the shop booked that the terminal's totals
                           lack (e.g. reversed on the terminal's keypad), named when it is the
                           only one the difference fits
=========================  ===================================================================

**The terminal's totals.** Each `TerminalTotals` is matched only against the shop's card
payments and refunds made on its terminal id (a payment's recorded terminal id, else its
attempt's), so that a device with two terminals (a till and a kiosk) reconciles each on its own.
A transaction with no recorded terminal id is counted with the only terminal checked; with
several it is counted with none. A single terminal whose id none of the day's card transactions
carries is compared with all of them (a replaced terminal, or a driver that reports no id), and
the difference says so. Totals come on one of two bases: "gross" (payments and refunds apart)
or "net" — ZVT's end-of-day, which counts every booking (payment or refund) in
`payments_count` and takes refunds off `payments_fen`; the shop's side is then netted the same
way. When the totals differ, the differences name what could explain them: the day's card
attempts on that terminal whose money the shop has not booked (still pending or unknown, or a
refund that went through unrecorded), each with its reference and sale; and, when what is left
is one payment or refund, the shop's transaction it fits (a payment reversed on the terminal)
when exactly one does. Per card scheme, a terminal that files cards under its own schemes says
how (`card_schemes`, `other_scheme`): ZVT puts UnionPay under "other".

A clean day has zero differences. The result is kept per device and business day in one row
of the settings table (key ``reconciliation:<day>``; no schema change) and journalled and
queued for the hub (``reconciliation.run``), in one transaction; running it again replaces the stored result and
journals the new one. The Z report shows the latest (`storebox.reports`).

Bad input (a settlement of another day, a negative amount, a reference twice, a float) raises
`InvalidInput` before anything is read or written.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from storebox import outbox
from storebox.db.models import Payment, PaymentAttempt, Refund, RefundPayment, Sale, Setting
from storebox.errors import InvalidInput, PermissionDenied
from storebox.money import format_fen
from storebox.shop import Shop
from storebox.users import Actor

KEY_PREFIX: Final = "reconciliation:"
#: differences sent to the hub in the reconciliation.run event (all of them stay in the shop)
EVENT_DIFFERENCES: Final = 200
SETTLEMENT_TYPES: Final = ("payment", "refund")
#: statuses of a settlement line; a payment 'refunded' in full still stood as a payment
SETTLEMENT_STATUSES: Final = ("approved", "refunded", "reversed")

DIFFERENCE_KINDS: Final = {
    "missing_at_acquirer": "收银有、收单无 / in the shop, not at the acquirer",
    "missing_in_shop": "收单有、收银无 / at the acquirer, not in the shop",
    "reversed_at_acquirer": "收单已撤销、收银记为已付 / reversed at the acquirer, paid in the shop",
    "amount_mismatch": "金额不符 / amounts differ",
    "refunded_at_acquirer": "收单退款多于收银 / refunded at the acquirer beyond the shop's refunds",
    "terminal_count": "终端笔数不符 / the terminal's count differs",
    "terminal_amount": "终端金额不符 / the terminal's amount differs",
    "terminal_scheme": "终端卡组织合计不符 / the terminal's total for a card scheme differs",
    "missing_at_terminal": "收银有、终端无 / in the shop, not in the terminal's totals",
}
TERMINAL_BASES: Final = ("gross", "net")


# --- what the caller passes in -----------------------------------------------------------------


@dataclass(frozen=True)
class SchemeTotal:
    """One card scheme's line of the terminal's end-of-day totals (payments only)."""

    scheme: str
    count: int
    amount_fen: int


@dataclass(frozen=True)
class TerminalTotals:
    """The card terminal's end-of-day (结算) totals. `schemes` is empty when the terminal gives
    only the grand totals.

    `basis` "gross": payments and refunds apart. "net": the terminal nets refunds off its
    turnover (ZVT) — `payments_count` counts every booking, payments and refunds alike,
    `payments_fen` is payments less refunds, and `refunds_*` must be 0. `card_schemes` maps a
    card name as the shop stored it (case-folded, letters and digits only) to the terminal's
    scheme it is filed under; any other card name goes under `other_scheme` when that is set,
    else under its own name."""

    payments_count: int
    payments_fen: int
    refunds_count: int = 0
    refunds_fen: int = 0
    schemes: tuple[SchemeTotal, ...] = ()
    terminal_id: str = ""
    basis: str = "gross"
    card_schemes: tuple[tuple[str, str], ...] = ()
    other_scheme: str = ""


@dataclass(frozen=True)
class SettlementLine:
    """One transaction of the acquirer's settlement file. Amounts positive, in fen.

    `type` is payment or refund; `reference` is the shop's key for it; a refund's
    `original_reference` is its payment's key. `refunded_fen`: how much of a payment the acquirer
    has refunded so far."""

    type: str
    reference: str
    acquirer_reference: str
    status: str
    amount_fen: int
    fee_fen: int = 0
    refunded_fen: int = 0
    original_reference: str | None = None
    at: dt.datetime | None = None


@dataclass(frozen=True)
class Settlement:
    day: dt.date
    lines: tuple[SettlementLine, ...]


# --- what comes out ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Difference:
    kind: str
    tender: str  # card / wallet
    detail: str
    reference: str = ""
    acquirer_reference: str = ""
    sale_number: str = ""
    sale_id: str = ""
    refund_number: str = ""
    shop_fen: int | None = None
    other_fen: int | None = None

    @property
    def label(self) -> str:
        return DIFFERENCE_KINDS[self.kind]

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "label": self.label,
            "tender": self.tender,
            "detail": self.detail,
            "reference": self.reference,
            "acquirer_reference": self.acquirer_reference,
            "sale_number": self.sale_number,
            "sale_id": self.sale_id,
            "refund_number": self.refund_number,
            "shop_fen": self.shop_fen,
            "other_fen": self.other_fen,
        }


@dataclass(frozen=True)
class TenderTotals:
    payments_count: int = 0
    payments_fen: int = 0
    refunds_count: int = 0
    refunds_fen: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "payments_count": self.payments_count,
            "payments_fen": self.payments_fen,
            "refunds_count": self.refunds_count,
            "refunds_fen": self.refunds_fen,
        }


@dataclass(frozen=True)
class Reconciliation:
    business_day: dt.date
    device_id: str
    run_at: dt.datetime
    run_by: str | None
    card: TenderTotals
    wallet: TenderTotals
    terminal: TerminalTotals | None  # the first (or only) terminal checked
    settlement_checked: bool
    acquirer: TenderTotals
    acquirer_fees_fen: int
    differences: tuple[Difference, ...] = field(default_factory=tuple)
    terminals: tuple[TerminalTotals, ...] = ()  # every terminal checked

    @property
    def clean(self) -> bool:
        return not self.differences

    def as_dict(self) -> dict[str, Any]:
        t = self.terminal
        terminals = self.terminals or ((t,) if t is not None else ())
        return {
            "business_day": self.business_day.isoformat(),
            "device_id": self.device_id,
            "run_at": self.run_at.isoformat(),
            "run_by": self.run_by,
            "clean": self.clean,
            "differences_count": len(self.differences),
            "shop": {"card": self.card.as_dict(), "wallet": self.wallet.as_dict()},
            "terminal_checked": t is not None,
            "terminal": None if t is None else _terminal_dict(t),
            "terminals": [_terminal_dict(x) for x in terminals],
            "settlement_checked": self.settlement_checked,
            "acquirer": {**self.acquirer.as_dict(), "fees_fen": self.acquirer_fees_fen}
            if self.settlement_checked
            else None,
            "differences": [d.as_dict() for d in self.differences],
        }


def _terminal_dict(t: TerminalTotals) -> dict[str, Any]:
    return {
        "terminal_id": t.terminal_id,
        "basis": t.basis,
        "payments_count": t.payments_count,
        "payments_fen": t.payments_fen,
        "refunds_count": t.refunds_count,
        "refunds_fen": t.refunds_fen,
        "schemes": [
            {"scheme": s.scheme, "count": s.count, "amount_fen": s.amount_fen} for s in t.schemes
        ],
    }


# --- checking the input ------------------------------------------------------------------------


def _int(value: object, what: str, *, minimum: int = 0) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidInput(f"对账数据错误 / {what} must be a whole number of fen, got {value!r}")
    if value < minimum:
        raise InvalidInput(f"对账数据错误 / {what} must be at least {minimum}, got {value}")
    return value


def _text(value: object, what: str, *, empty: bool = False) -> str:
    if not isinstance(value, str) or (not empty and not value.strip()) or len(value) > 64:
        raise InvalidInput(
            f"对账数据错误 / {what} must be text of 1 to 64 characters, got {value!r}"
        )
    return value


def check_terminal(totals: TerminalTotals) -> None:
    if not isinstance(totals, TerminalTotals):
        raise InvalidInput("对账数据错误 / the terminal's totals are not TerminalTotals")
    _int(totals.payments_count, "the terminal's payments count")
    _int(totals.payments_fen, "the terminal's payments amount")
    _int(totals.refunds_count, "the terminal's refunds count")
    _int(totals.refunds_fen, "the terminal's refunds amount")
    seen: set[str] = set()
    for s in totals.schemes:
        name = _text(s.scheme, "a card scheme's name")
        if name in seen:
            raise InvalidInput(f"对账数据错误 / card scheme {name!r} appears twice")
        seen.add(name)
        _int(s.count, f"scheme {name!r} count")
        _int(s.amount_fen, f"scheme {name!r} amount")
    _text(totals.terminal_id, "the terminal's id", empty=True)
    if totals.basis not in TERMINAL_BASES:
        raise InvalidInput(
            f"对账数据错误 / the terminal's basis {totals.basis!r} is not one of {TERMINAL_BASES}"
        )
    if totals.basis == "net" and (totals.refunds_count or totals.refunds_fen):
        raise InvalidInput("对账数据错误 / net terminal totals carry their refunds in the payments")
    for pair in totals.card_schemes:
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise InvalidInput(
                f"对账数据错误 / a card scheme mapping {pair!r} is not (name, scheme)"
            )
        _text(pair[0], "a card name the terminal files")
        _text(pair[1], "the scheme a card name is filed under")
    if totals.other_scheme:
        _text(totals.other_scheme, "the terminal's scheme for other cards")


def check_settlement(settlement: Settlement, day: dt.date) -> None:
    if not isinstance(settlement, Settlement):
        raise InvalidInput("对账数据错误 / the settlement is not a Settlement")
    if settlement.day != day:
        raise InvalidInput(
            f"对账单日期不符 / the settlement is for {settlement.day}, not business day {day}"
        )
    seen: set[str] = set()
    for line in settlement.lines:
        ref = _text(line.reference, "a settlement line's reference")
        if ref in seen:
            raise InvalidInput(f"对账数据错误 / reference {ref!r} appears twice in the settlement")
        seen.add(ref)
        if line.type not in SETTLEMENT_TYPES:
            raise InvalidInput(f"对账数据错误 / {ref}: type {line.type!r} is not payment or refund")
        if line.status not in SETTLEMENT_STATUSES:
            raise InvalidInput(
                f"对账数据错误 / {ref}: status {line.status!r} is not one of {SETTLEMENT_STATUSES}"
            )
        _text(line.acquirer_reference, f"{ref}: the acquirer's reference", empty=True)
        _int(line.amount_fen, f"{ref}: the amount", minimum=1)
        _int(line.refunded_fen, f"{ref}: the refunded amount")
        _int(line.fee_fen, f"{ref}: the fee", minimum=-line.amount_fen)
        if line.refunded_fen > line.amount_fen:
            raise InvalidInput(f"对账数据错误 / {ref}: refunded more than its amount")
        if line.type == "refund" and not line.original_reference:
            raise InvalidInput(f"对账数据错误 / {ref}: a refund line names no original payment")


# --- the shop's side ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _ShopTx:
    type: str  # payment / refund
    tender: str
    reference: str
    amount_fen: int
    refunded_fen: int
    sale_id: str
    sale_number: str
    refund_number: str
    card_name: str  # a refund's: its payment's
    trace: str
    terminal_id: str = ""  # the terminal it went through, "" when not recorded


def _attempt_terminal_id(attempt: PaymentAttempt) -> str:
    """The terminal id an attempt's answer named, else the one its match context recorded
    before the request left."""
    try:
        data = json.loads(attempt.result_json or "{}")
    except ValueError:
        return ""
    if not isinstance(data, dict):
        return ""
    last = data.get("last")
    if isinstance(last, dict) and isinstance(last.get("terminal_id"), str) and last["terminal_id"]:
        return str(last["terminal_id"])
    context = data.get("context")
    match = context.get("terminal_match") if isinstance(context, dict) else None
    if isinstance(match, dict) and isinstance(match.get("terminal_id"), str):
        return str(match["terminal_id"])
    return ""


def _attempt_context(attempt: PaymentAttempt) -> dict[str, Any]:
    try:
        data = json.loads(attempt.result_json or "{}")
    except ValueError:
        return {}
    context = data.get("context") if isinstance(data, dict) else None
    return context if isinstance(context, dict) else {}


def _shop_transactions(session: Session, device_id: str, day: dt.date) -> list[_ShopTx]:
    out: list[_ShopTx] = []
    card_attempts = {
        a.reference: a
        for a in session.scalars(select(PaymentAttempt).where(PaymentAttempt.kind == "card"))
    }

    def terminal_of(reference: str | None, recorded: str = "") -> str:
        if recorded:
            return recorded
        attempt = card_attempts.get(reference or "")
        return _attempt_terminal_id(attempt) if attempt is not None else ""

    payments = session.execute(
        select(Payment, Sale.number)
        .join(Sale, Sale.id == Payment.sale_id)
        .where(
            Sale.device_id == device_id,
            Sale.business_day == day,
            Payment.kind.in_(("card", "wallet")),
        )
        .order_by(Sale.seq, Payment.id)
    ).all()
    for p, number in payments:
        out.append(
            _ShopTx(
                "payment",
                p.kind,
                p.reference or "",
                p.tendered_fen,
                p.refunded_fen,
                p.sale_id,
                number,
                "",
                p.card_name,
                p.trace,
                terminal_of(p.reference, p.terminal_id) if p.kind == "card" else "",
            )
        )
    refunds = session.execute(
        select(RefundPayment, Refund.number, Sale.id, Sale.number, Payment.card_name)
        .join(Refund, Refund.id == RefundPayment.refund_id)
        .join(Sale, Sale.id == Refund.sale_id)
        .join(Payment, Payment.id == RefundPayment.payment_id)
        .where(
            Refund.device_id == device_id,
            Refund.business_day == day,
            RefundPayment.kind.in_(("card", "wallet")),
        )
        .order_by(Refund.seq, RefundPayment.id)
    ).all()
    for rp, refund_number, sale_id, sale_number, card_name in refunds:
        out.append(
            _ShopTx(
                "refund",
                rp.kind,
                rp.reference,
                rp.amount_fen,
                0,
                sale_id,
                sale_number,
                refund_number,
                card_name,
                "",
                terminal_of(rp.reference) if rp.kind == "card" else "",
            )
        )
    return out


def _totals(txs: Sequence[_ShopTx], tender: str) -> TenderTotals:
    pays = [t for t in txs if t.tender == tender and t.type == "payment"]
    refs = [t for t in txs if t.tender == tender and t.type == "refund"]
    return TenderTotals(
        len(pays), sum(t.amount_fen for t in pays), len(refs), sum(t.amount_fen for t in refs)
    )


# --- matching ------------------------------------------------------------------------------------


def _terminal_txs(
    txs: Sequence[_ShopTx], terminal: TerminalTotals, single: bool
) -> tuple[list[_ShopTx], str]:
    """The shop's card transactions to compare with `terminal`'s totals, and a note when the
    choice needs saying (see the module's docstring)."""
    card = [t for t in txs if t.tender == "card"]
    if single and not terminal.terminal_id:
        return card, ""
    known = {t.terminal_id for t in card if t.terminal_id}
    if terminal.terminal_id in known:
        return [
            t
            for t in card
            if t.terminal_id == terminal.terminal_id or (single and not t.terminal_id)
        ], ""
    if single and known:
        return card, (
            f" (none of the shop's card transactions names terminal {terminal.terminal_id}: "
            "compared with all of them)"
        )
    return ([] if not single else card), ""


def _scheme_of(card_name: str, terminal: TerminalTotals) -> str:
    key = "".join(ch for ch in card_name.casefold() if ch.isalnum())
    mapped = dict(terminal.card_schemes).get(key)
    if mapped:
        return mapped
    return terminal.other_scheme or card_name or "?"


def _open_card_attempts(
    session: Session,
    shop: Shop,
    day: dt.date,
    terminal: TerminalTotals,
    single: bool,
    booked: set[str],
) -> list[PaymentAttempt]:
    """The day's card attempts on `terminal` whose money may have moved without the shop
    booking it: payments still pending or unknown, refunds that went through unrecorded
    ('approved') or are still open."""
    rows = session.scalars(
        select(PaymentAttempt)
        .where(
            PaymentAttempt.kind == "card",
            (
                (PaymentAttempt.operation == "sale")
                & PaymentAttempt.status.in_(("pending", "unknown"))
            )
            | (
                (PaymentAttempt.operation == "refund")
                & PaymentAttempt.status.in_(("pending", "unknown", "approved"))
            ),
        )
        .order_by(PaymentAttempt.created_at)
    ).all()
    out = []
    for a in rows:
        if a.reference in booked or shop.business_day(a.created_at) != day:
            continue
        on = _attempt_terminal_id(a)
        if terminal.terminal_id and on and on != terminal.terminal_id:
            continue
        if not on and not single:
            continue
        out.append(a)
    return out


def _match_terminal(
    session: Session,
    shop: Shop,
    day: dt.date,
    txs: Sequence[_ShopTx],
    terminal: TerminalTotals,
    single: bool,
) -> list[Difference]:
    mine, note = _terminal_txs(txs, terminal, single)
    shop_t = _totals(mine, "card")
    net = terminal.basis == "net"
    where = f"terminal {terminal.terminal_id}: " if terminal.terminal_id else ""
    if net:
        pairs = [
            (
                "bookings (payments and refunds)",
                shop_t.payments_count + shop_t.refunds_count,
                terminal.payments_count,
                "terminal_count",
            ),
            (
                "net (payments less refunds)",
                shop_t.payments_fen - shop_t.refunds_fen,
                terminal.payments_fen,
                "terminal_amount",
            ),
        ]
    else:
        pairs = [
            ("payments", shop_t.payments_count, terminal.payments_count, "terminal_count"),
            ("payments", shop_t.payments_fen, terminal.payments_fen, "terminal_amount"),
            ("refunds", shop_t.refunds_count, terminal.refunds_count, "terminal_count"),
            ("refunds", shop_t.refunds_fen, terminal.refunds_fen, "terminal_amount"),
        ]
    diffs: list[Difference] = []
    for what, ours, theirs, kind in pairs:
        if ours == theirs:
            continue
        shown = (
            (format_fen(ours), format_fen(theirs))
            if kind == "terminal_amount"
            else (str(ours), str(theirs))
        )
        diffs.append(
            Difference(
                kind,
                "card",
                f"{where}card {what}: the shop has {shown[0]}, the terminal {shown[1]}{note}",
                shop_fen=ours if kind == "terminal_amount" else None,
                other_fen=theirs if kind == "terminal_amount" else None,
            )
        )
    if terminal.schemes:
        ours_by: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for t in mine:
            if t.type == "refund" and not net:
                continue
            bucket = ours_by[_scheme_of(t.card_name, terminal)]
            bucket[0] += 1
            bucket[1] += t.amount_fen if t.type == "payment" else -t.amount_fen
        theirs_by = {s.scheme: [s.count, s.amount_fen] for s in terminal.schemes}
        for scheme in sorted(set(ours_by) | set(theirs_by)):
            ours_s = ours_by.get(scheme, [0, 0])
            theirs_s = theirs_by.get(scheme, [0, 0])
            if ours_s != theirs_s:
                diffs.append(
                    Difference(
                        "terminal_scheme",
                        "card",
                        f"{where}{scheme}: the shop has {ours_s[0]} for {format_fen(ours_s[1])}, "
                        f"the terminal {theirs_s[0]} for {format_fen(theirs_s[1])}",
                        shop_fen=ours_s[1],
                        other_fen=theirs_s[1],
                    )
                )
    if diffs:
        diffs += _explain(session, shop, day, mine, terminal, single, shop_t)
    return diffs


def _explain(
    session: Session,
    shop: Shop,
    day: dt.date,
    mine: Sequence[_ShopTx],
    terminal: TerminalTotals,
    single: bool,
    shop_t: TenderTotals,
) -> list[Difference]:
    """What could explain a terminal's totals that differ, each with its sale: the day's open
    card attempts on that terminal, then — when what is left is one payment or refund the shop
    booked and the terminal lacks — the one transaction it fits."""
    where = f"terminal {terminal.terminal_id}" if terminal.terminal_id else "the terminal"
    out: list[Difference] = []
    # Gaps as (payments count, payments fen, refunds count, refunds fen), the terminal's less
    # the shop's; on a net basis refunds are folded into the payments.
    if terminal.basis == "net":
        gap = [
            terminal.payments_count - shop_t.payments_count - shop_t.refunds_count,
            terminal.payments_fen - shop_t.payments_fen + shop_t.refunds_fen,
        ]
    else:
        gap = [
            terminal.payments_count - shop_t.payments_count,
            terminal.payments_fen - shop_t.payments_fen,
            terminal.refunds_count - shop_t.refunds_count,
            terminal.refunds_fen - shop_t.refunds_fen,
        ]
    booked = {t.reference for t in mine}
    for a in _open_card_attempts(session, shop, day, terminal, single, booked):
        context = _attempt_context(a)
        sale_number = str(context.get("sale_number", ""))
        out.append(
            Difference(
                "missing_in_shop",
                "card",
                f"on {where}, maybe: {_attempt_words(a)}",
                reference=a.reference,
                sale_number=sale_number,
                sale_id=str(context.get("sale_id", "")),
                other_fen=a.amount_fen,
            )
        )
        refund = a.operation == "refund"
        if terminal.basis == "net":
            gap[0] -= 1
            gap[1] -= -a.amount_fen if refund else a.amount_fen
        elif refund:
            gap[2] -= 1
            gap[3] -= a.amount_fen
        else:
            gap[0] -= 1
            gap[1] -= a.amount_fen
    # One booked payment (or refund) the terminal lacks: name it when exactly one fits.
    if terminal.basis == "net":
        missing_payment = gap[0] == -1 and gap[1] < 0
        missing_refund = gap[0] == -1 and gap[1] > 0
        amount = abs(gap[1])
    else:
        missing_payment = gap[0] == -1 and gap[1] < 0 and gap[2:] == [0, 0]
        missing_refund = gap[2] == -1 and gap[3] < 0 and gap[:2] == [0, 0]
        amount = abs(gap[1]) if missing_payment else abs(gap[3]) if missing_refund else 0
    # One refund on the terminal the shop has no record of (keyed on the terminal's keypad):
    # name the sale when exactly one of the day's card payments on it is of that amount.
    if terminal.basis == "net":
        unbooked_refund = gap[0] == 1 and gap[1] < 0
        refunded = -gap[1]
    else:
        unbooked_refund = gap[2] == 1 and gap[3] > 0 and gap[:2] == [0, 0]
        refunded = gap[3]
    if unbooked_refund:
        fits = [t for t in mine if t.type == "payment" and t.amount_fen == refunded]
        if len(fits) == 1:
            (t,) = fits
            out.append(
                Difference(
                    "missing_in_shop",
                    "card",
                    f"a card refund of {format_fen(refunded)} on {where} the shop has no record "
                    f"of (keyed on the terminal?); sale {t.sale_number} is the only card payment "
                    "of that amount",
                    reference=t.reference,
                    sale_number=t.sale_number,
                    sale_id=t.sale_id,
                    shop_fen=0,
                    other_fen=refunded,
                )
            )
    if missing_payment or missing_refund:
        kind = "payment" if missing_payment else "refund"
        fits = [t for t in mine if t.type == kind and t.amount_fen == amount]
        if len(fits) == 1:
            (t,) = fits
            what = (
                f"sale {t.sale_number}"
                if kind == "payment"
                else f"refund {t.refund_number} of sale {t.sale_number}"
            )
            out.append(
                Difference(
                    "missing_at_terminal",
                    "card",
                    f"{what}: card {kind} of {format_fen(amount)} booked in the shop is not in "
                    f"{where}'s totals (reversed on the terminal?); the only one the difference "
                    "fits",
                    reference=t.reference,
                    sale_number=t.sale_number,
                    sale_id=t.sale_id,
                    refund_number=t.refund_number,
                    shop_fen=amount,
                    other_fen=0,
                )
            )
    return out


def _attempt_words(attempt: PaymentAttempt | None) -> str:
    if attempt is None:
        return "the shop never sent this reference (another till, or not this shop's)"
    words = {
        "reversed": "the shop reversed it: approved late, after the reversal",
        "declined": "the shop took it as declined: approved late",
        "unknown": "the shop's attempt is still unknown: resolve it",
        "pending": "the shop's attempt is still pending: resolve it",
        "approved": "the shop's attempt was approved but no sale or refund was recorded",
        "used": "the shop's attempt was used but its sale or refund is of another day",
    }
    return f"{attempt.operation} attempt of {format_fen(attempt.amount_fen)}: " + words.get(
        attempt.status, attempt.status
    )


def _match_settlement(
    session: Session, txs: Sequence[_ShopTx], settlement: Settlement
) -> list[Difference]:
    by_ref = {line.reference: line for line in settlement.lines}
    diffs: list[Difference] = []
    matched: set[str] = set()
    wallet = [t for t in txs if t.tender == "wallet"]
    for t in wallet:
        line = by_ref.get(t.reference)

        def diff(
            kind: str,
            detail: str,
            ours: int | None,
            theirs: int | None,
            acq: str = "",
            t: _ShopTx = t,
        ) -> Difference:
            return Difference(
                kind,
                "wallet",
                detail,
                reference=t.reference,
                acquirer_reference=acq,
                sale_number=t.sale_number,
                sale_id=t.sale_id,
                refund_number=t.refund_number,
                shop_fen=ours,
                other_fen=theirs,
            )

        what = (
            f"refund {t.refund_number} of sale {t.sale_number}"
            if t.type == "refund"
            else (f"sale {t.sale_number}")
        )
        if line is None or line.type != t.type:
            diffs.append(
                diff(
                    "missing_at_acquirer",
                    f"{what}: wallet {t.type} of {format_fen(t.amount_fen)} "
                    "is not in the acquirer's settlement",
                    t.amount_fen,
                    None,
                )
            )
            continue
        matched.add(line.reference)
        acq = line.acquirer_reference
        if t.type == "payment" and line.status == "reversed":
            diffs.append(
                diff(
                    "reversed_at_acquirer",
                    f"{what}: paid {format_fen(t.amount_fen)} in the shop, reversed at "
                    "the acquirer (the customer has the money back)",
                    t.amount_fen,
                    0,
                    acq,
                )
            )
            continue
        if line.amount_fen != t.amount_fen:
            diffs.append(
                diff(
                    "amount_mismatch",
                    f"{what}: the shop has {format_fen(t.amount_fen)}, the acquirer "
                    f"{format_fen(line.amount_fen)}",
                    t.amount_fen,
                    line.amount_fen,
                    acq,
                )
            )
        if t.type == "payment" and line.refunded_fen > t.refunded_fen:
            diffs.append(
                diff(
                    "refunded_at_acquirer",
                    f"{what}: the acquirer refunded {format_fen(line.refunded_fen)}, the "
                    f"shop's refunds {format_fen(t.refunded_fen)}",
                    t.refunded_fen,
                    line.refunded_fen,
                    acq,
                )
            )
    # What the acquirer has and the shop does not. A reversed payment moved no money: it is a
    # difference only when the shop counts it (handled above).
    extra = [
        line
        for line in settlement.lines
        if line.reference not in matched and line.status != "reversed"
    ]
    if extra:
        attempts = {
            a.reference: a
            for a in session.scalars(
                select(PaymentAttempt).where(
                    PaymentAttempt.reference.in_([line.reference for line in extra])
                )
            )
        }
        for line in extra:
            attempt = attempts.get(line.reference)
            diffs.append(
                Difference(
                    "missing_in_shop",
                    "wallet",
                    f"{line.type} {line.reference} of {format_fen(line.amount_fen)} "
                    f"({line.status} at the acquirer): {_attempt_words(attempt)}",
                    reference=line.reference,
                    acquirer_reference=line.acquirer_reference,
                    other_fen=line.amount_fen,
                )
            )
    return diffs


# --- running it -----------------------------------------------------------------------------------


def key(day: dt.date) -> str:
    return f"{KEY_PREFIX}{day.isoformat()}"


def _authorise(actor: Actor | None, as_admin: bool) -> None:
    if actor is None:
        if not as_admin:
            raise PermissionDenied("需要店主授权 / the owner's PIN is needed to reconcile the day")
        return
    if as_admin:
        raise ValueError("as_admin is for the command line, with actor=None")
    if not actor.is_owner:
        raise PermissionDenied("需要店主授权 / the owner's PIN is needed to reconcile the day")


def reconcile(
    shop: Shop,
    day: dt.date,
    *,
    terminal: TerminalTotals | Sequence[TerminalTotals] | None,
    settlement: Settlement | None,
    actor: Actor | None = None,
    as_admin: bool = False,
) -> Reconciliation:
    """Match business `day`'s card and wallet money against the terminal's totals (one
    terminal's, or several terminals' — each against the card transactions made on it) and the
    acquirer's settlement (either may be None: not checked, and said so), store the result and
    journal it, in one transaction. Owner only; the command line passes as_admin with no actor.
    """
    _authorise(actor, as_admin)
    if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
        raise InvalidInput(f"营业日应为日期 / a business day is a date, got {day!r}")
    if day > shop.business_day():
        raise InvalidInput(f"{day} 尚未开始 / business day {day} has not begun")
    if terminal is None:
        terminals: tuple[TerminalTotals, ...] = ()
    elif isinstance(terminal, TerminalTotals):
        terminals = (terminal,)
    elif isinstance(terminal, (list, tuple)):
        terminals = tuple(terminal)
    else:
        raise InvalidInput("对账数据错误 / the terminal's totals are not TerminalTotals")
    for one in terminals:
        check_terminal(one)
    if len(terminals) > 1:
        ids = [t.terminal_id for t in terminals]
        if "" in ids or len(set(ids)) != len(ids):
            raise InvalidInput(
                "对账数据错误 / with several terminals each must name its own terminal id, "
                f"got {ids}"
            )
    if settlement is not None:
        check_settlement(settlement, day)
    now = shop.now()
    with shop.store.write() as session:
        txs = _shop_transactions(session, shop.device_id, day)
        diffs: list[Difference] = []
        for one in terminals:
            diffs += _match_terminal(session, shop, day, txs, one, len(terminals) == 1)
        acquirer = TenderTotals()
        fees = 0
        if settlement is not None:
            diffs += _match_settlement(session, txs, settlement)
            pays = [x for x in settlement.lines if x.type == "payment" and x.status != "reversed"]
            refs = [x for x in settlement.lines if x.type == "refund"]
            acquirer = TenderTotals(
                len(pays),
                sum(x.amount_fen for x in pays),
                len(refs),
                sum(x.amount_fen for x in refs),
            )
            fees = sum(x.fee_fen for x in settlement.lines if x.status != "reversed")
        result = Reconciliation(
            business_day=day,
            device_id=shop.device_id,
            run_at=now,
            run_by=actor.user_id if actor else None,
            card=_totals(txs, "card"),
            wallet=_totals(txs, "wallet"),
            terminal=terminals[0] if terminals else None,
            terminals=terminals,
            settlement_checked=settlement is not None,
            acquirer=acquirer,
            acquirer_fees_fen=fees,
            differences=tuple(diffs),
        )
        document = result.as_dict()
        text = json.dumps(document, ensure_ascii=False, sort_keys=True)
        row = session.get(Setting, key(day))
        if row is None:
            session.add(Setting(key=key(day), value_json=text))
        else:
            row.value_json = text
        session.flush()
        # Journalled and queued for the hub under one id (integrity.check wants every journal
        # entry's outbox event; the hub keeps kinds it does not project). The stored row keeps
        # every difference; the event at most EVENT_DIFFERENCES of them, with the count.
        outbox.record(
            session,
            at=now,
            kind="reconciliation.run",
            ref_id=None,
            payload={**document, "differences": document["differences"][:EVENT_DIFFERENCES]},
        )
    return result


def stored(session: Session, day: dt.date) -> dict[str, Any] | None:
    """The last reconciliation run for `day` on this till, as stored, or None."""
    row = session.get(Setting, key(day))
    if row is None:
        return None
    document: dict[str, Any] = json.loads(row.value_json)
    return document


def render_lines(document: dict[str, Any]) -> list[str]:
    """Plain lines for a terminal: the verdict and each difference."""
    diffs = document.get("differences", [])
    lines = [
        f"对账 / reconciliation {document['business_day']}: "
        + ("无差异 / clean" if not diffs else f"{len(diffs)} 处差异 / differences"),
        "终端 / terminal: "
        + ("已核对 / checked" if document["terminal_checked"] else "未核对 / not checked"),
        "收单 / acquirer: "
        + ("已核对 / checked" if document["settlement_checked"] else "未核对 / not checked"),
    ]
    for d in diffs:
        whose = d["sale_number"] or "-"
        if d["refund_number"]:
            whose = f"{d['refund_number']} ({d['sale_number']})"
        lines.append(f"- [{d['kind']}] {d['tender']} {whose} {d['reference']}: {d['detail']}")
    return lines
