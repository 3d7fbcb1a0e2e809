"""The shift report (X, 交班报表) and the day report (Z, 日结报表), and closing the day (日结).

An X report is a shift as it stands, at any time; it changes nothing. A Z report is one
business day of this till: every shift of the day with its variance, the day's money per
tender, and how many events still wait to reach the hub. `close_day` freezes the Z report
into `day_closes`; after that no shift can open on that day.

Who may see what
----------------
* A cashier sees the X report of their own shifts only.
* The owner sees every X report and the Z report, and only the owner closes the day.
* The command line (`storebox report x / z`) runs with no one logged in. It passes
  ``actor=None, as_admin=True``: whoever runs a shell on the shop's machine can already read
  the database file, so a PIN there would protect nothing, and pretending an owner had logged
  in would put a false name on the record. ``as_admin`` opens the read-only reports only —
  `close_day` always needs the owner's own `Actor` — and the windows never pass it.
  ``actor=None`` without ``as_admin`` is refused.

Text rendering is for the receipt printer: Chinese labels, amounts as ¥12.34, columns aligned
by display width (a CJK character takes two columns).
"""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from storebox import journal, outbox, reconcile
from storebox.db.models import DayClose, Shift
from storebox.errors import InvalidInput, NotFound, PermissionDenied, RuleViolation
from storebox.money import format_fen
from storebox.shifts import (
    TENDERS,
    ShiftSummary,
    Tally,
    current_shift,
    get_shift,
    summarize,
    tally,
)
from storebox.shop import Shop
from storebox.users import Actor, require_owner

#: Characters per line of a 58 mm receipt printer's standard font.
RECEIPT_WIDTH = 32

TENDER_LABELS = {"cash": "现金", "card": "刷卡", "wallet": "扫码"}
STATUS_LABELS = {"open": "未交班", "closed": "已交班"}


# --- who may see what --------------------------------------------------------------------------


def _authorise(actor: Actor | None, as_admin: bool, *, own_user_id: str | None) -> None:
    """Refuse unless the viewer may see a report; `own_user_id` is whose shift it is (None for
    the Z report, which is the owner's alone)."""
    if actor is None:
        if as_admin:
            return
        raise PermissionDenied("请先登录 / log in to see reports")
    if as_admin:
        raise ValueError("as_admin is for the command line, with actor=None")
    if actor.is_owner:
        return
    if own_user_id is not None and actor.user_id == own_user_id:
        return
    if own_user_id is None:
        raise PermissionDenied("日结报表需要店主授权 / only the owner may see the day (Z) report")
    raise PermissionDenied(
        "只能查看自己的班次报表 / a cashier may see only their own shift's report"
    )


# --- text layout ---------------------------------------------------------------------------------


def display_width(text: str) -> int:
    """Columns `text` takes on a fixed-pitch printer or terminal: wide and full-width
    characters (CJK, ￥, full-width punctuation) take two."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def row(label: str, value: str, width: int = RECEIPT_WIDTH) -> str:
    """'label      value' filling `width` columns; a value that does not fit goes on its own
    line, right-aligned."""
    gap = width - display_width(label) - display_width(value)
    if gap >= 1:
        return label + " " * gap + value
    pad = max(0, width - display_width(value))
    return label + "\n" + " " * pad + value


def center(text: str, width: int = RECEIPT_WIDTH) -> str:
    pad = max(0, width - display_width(text))
    return " " * (pad // 2) + text


def _local(at: dt.datetime | None, zone: ZoneInfo) -> str:
    return at.astimezone(zone).strftime("%Y-%m-%d %H:%M") if at else "-"


def _money_rows(t: Tally, width: int) -> list[str]:
    lines = [
        row("销售笔数", str(t.sales_count), width),
        row("销售金额", format_fen(t.sales_total_fen), width),
    ]
    lines += [
        row(
            f"  {TENDER_LABELS.get(kind, kind)}", format_fen(t.tender_sales_fen.get(kind, 0)), width
        )
        for kind in TENDERS
    ]
    lines += [
        row("退款笔数", str(t.refunds_count), width),
        row("退款金额", format_fen(t.refunds_total_fen), width),
    ]
    lines += [
        row(
            f"  {TENDER_LABELS.get(kind, kind)}",
            format_fen(t.tender_refunds_fen.get(kind, 0)),
            width,
        )
        for kind in TENDERS
    ]
    lines += [
        row("净收入", format_fen(t.net_fen), width),
        row("作废笔数", str(t.voids_count), width),
        row("作废金额", format_fen(t.voids_total_fen), width),
        row("存入现金", format_fen(t.cash_in_fen), width),
        row("取出现金", format_fen(t.cash_out_fen), width),
    ]
    return lines


def _bill_rows(t: Tally, width: int) -> list[str]:
    """便民缴费: the billers' money, apart from the shop's takings (not in 净收入) — what was
    taken, where it stands, what was paid back, the shop's commission and what it owes the
    platform. Nothing printed on a day without any."""
    b = t.bills
    if b.count == 0 and b.refunded_count == 0 and b.refunds_open_count == 0:
        return []
    return [
        center("便民缴费（代收，不计入营业额）", width),
        row("缴费笔数", str(b.count), width),
        row("缴费金额", format_fen(b.total_fen), width),
        row("  现金", format_fen(b.cash_fen), width),
        row("  刷卡", format_fen(b.card_fen), width),
        row(f"成功 {b.success_count} 笔", format_fen(b.success_fen), width),
        row(f"受理中 {b.pending_count} 笔", format_fen(b.pending_fen), width),
        row(f"失败 {b.failed_count} 笔", format_fen(b.failed_fen), width),
        row(f"已退款 {b.refunded_count} 笔", format_fen(b.refunded_fen), width),
        row(f"待退款 {b.refunds_open_count} 笔", format_fen(b.refunds_open_fen), width),
        row("佣金收入", format_fen(b.commission_fen), width),
        row("应付平台", format_fen(b.owed_fen), width),
    ]


def _cash_rows(s: ShiftSummary, width: int) -> list[str]:
    lines = [row("应有现金", format_fen(s.expected_cash_fen), width)]
    if s.counted_fen is not None:
        lines.append(row("实点现金", format_fen(s.counted_fen), width))
    if s.variance_fen is not None:
        lines.append(row("差额", format_fen(s.variance_fen), width))
    if s.note:
        lines.append(row("备注", s.note, width))
    return lines


# --- X report ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class XReport:
    """One shift so far (or as closed)."""

    shift: ShiftSummary
    store_name: str
    generated_at: dt.datetime
    zone: ZoneInfo

    def as_dict(self) -> dict[str, Any]:
        return {
            "report": "x",
            "store_name": self.store_name,
            "generated_at": self.generated_at.isoformat(),
            **self.shift.as_dict(),
        }

    def render_text(self, width: int = RECEIPT_WIDTH) -> str:
        s = self.shift
        rule = "-" * width
        lines = [
            center(self.store_name, width),
            center("X 报表（交班）", width),
            rule,
            row("营业日", s.business_day.isoformat(), width),
            row("收银员", s.user_name, width),
            row("班次", s.id[-8:], width),
            row("状态", STATUS_LABELS.get(s.status, s.status), width),
            row("开班", _local(s.opened_at, self.zone), width),
        ]
        if s.closed_at is not None:
            lines.append(row("交班", _local(s.closed_at, self.zone), width))
        lines += [rule, row("备用金", format_fen(s.float_fen), width)]
        lines += _money_rows(s.tally, width)
        bills = _bill_rows(s.tally, width)
        if bills:
            lines += [rule, *bills]
        lines += [rule, *_cash_rows(s, width), rule]
        lines.append(row("打印时间", _local(self.generated_at, self.zone), width))
        return "\n".join(lines) + "\n"


def x_report(
    shop: Shop, actor: Actor | None, shift_id: str | None = None, *, as_admin: bool = False
) -> XReport:
    """The X report of `shift_id`, or of this till's open shift. Reads only."""
    with shop.store.read() as session:
        if shift_id is None:
            shift = current_shift(session, shop)
            if shift is None:
                if actor is None and not as_admin:
                    raise PermissionDenied("请先登录 / log in to see reports")
                raise NotFound("本机没有未交班的班次 / there is no open shift on this till")
        else:
            shift = get_shift(session, shift_id)
        _authorise(actor, as_admin, own_user_id=shift.user_id)
        summary = summarize(session, shift)
    return XReport(summary, shop.settings.store_name, shop.now(), shop.settings.zone)


# --- Z report ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ZReport:
    """One business day of this till."""

    business_day: dt.date
    device_id: str
    store_name: str
    generated_at: dt.datetime
    zone: ZoneInfo
    shifts: tuple[ShiftSummary, ...]
    tally: Tally
    pending_sync_events: int
    closed_at: dt.datetime | None = None
    closed_by: str | None = None
    #: the last end-of-day reconciliation (对账) run for the day, as stored; None if none ran
    reconciliation: dict[str, Any] | None = None

    @property
    def open_shifts(self) -> int:
        return sum(1 for s in self.shifts if s.is_open)

    @property
    def variance_total_fen(self) -> int:
        return sum(s.variance_fen or 0 for s in self.shifts)

    def as_dict(self) -> dict[str, Any]:
        t = self.tally
        return {
            "report": "z",
            "business_day": self.business_day.isoformat(),
            "device_id": self.device_id,
            "store_name": self.store_name,
            "generated_at": self.generated_at.isoformat(),
            "closed": self.closed_at is not None,
            "closed_at": self.closed_at.isoformat() if self.closed_at else None,
            "closed_by": self.closed_by,
            # The contract keys, shared with `hub report`:
            "sales_count": t.sales_count,
            "sales_total_fen": t.sales_total_fen,
            "refunds_count": t.refunds_count,
            "refunds_total_fen": t.refunds_total_fen,
            # Bill payments (便民缴费) accepted on the day and not failed (pending or
            # successful: the agency money held for the platform), as the hub's report counts
            # them. The hub dates a payment by the China calendar day of its acceptance, the
            # shop by its business day: they differ only for payments before the cut-off hour.
            "bill_payments_count": t.bills.held_count,
            "bill_payments_total_fen": t.bills.held_fen,
            "pending_sync_events": self.pending_sync_events,
            # The rest of the day:
            "net_fen": t.net_fen,
            "voids_count": t.voids_count,
            "voids_total_fen": t.voids_total_fen,
            "cash_in_count": t.cash_in_count,
            "cash_in_fen": t.cash_in_fen,
            "cash_out_count": t.cash_out_count,
            "cash_out_fen": t.cash_out_fen,
            "open_shifts": self.open_shifts,
            "variance_total_fen": self.variance_total_fen,
            "tenders": t.tenders_dict(),
            "bill_payments": t.bills.as_dict(),
            "shifts": [s.as_dict() for s in self.shifts],
            **({"reconciliation": self.reconciliation} if self.reconciliation else {}),
        }

    def render_text(self, width: int = RECEIPT_WIDTH) -> str:
        rule = "-" * width
        lines = [
            center(self.store_name, width),
            center("Z 报表（日结）", width),
            rule,
            row("营业日", self.business_day.isoformat(), width),
            row("状态", "已日结" if self.closed_at else "未日结", width),
        ]
        if self.closed_at is not None:
            lines.append(row("日结时间", _local(self.closed_at, self.zone), width))
        lines += [rule, *_money_rows(self.tally, width), rule]
        lines.append(row("班次数", str(len(self.shifts)), width))
        for s in self.shifts:
            span = f"{_local(s.opened_at, self.zone)[11:]}-{_local(s.closed_at, self.zone)[11:]}"
            lines.append(row(f"{s.user_name} {span}", STATUS_LABELS.get(s.status, s.status), width))
            lines.append(row("  应有现金", format_fen(s.expected_cash_fen), width))
            if s.counted_fen is not None:
                lines.append(row("  实点现金", format_fen(s.counted_fen), width))
            if s.variance_fen is not None:
                lines.append(row("  差额", format_fen(s.variance_fen), width))
        lines += [
            row("差额合计", format_fen(self.variance_total_fen), width),
            rule,
        ]
        bills = _bill_rows(self.tally, width)
        lines += [*bills, rule] if bills else [row("缴费笔数", "0", width)]
        lines += [row("待同步事件", str(self.pending_sync_events), width)]
        if self.reconciliation is not None:
            lines += [rule, *_reconciliation_rows(self.reconciliation, self.zone, width), rule]
        lines.append(row("打印时间", _local(self.generated_at, self.zone), width))
        return "\n".join(lines) + "\n"


RECONCILIATION_LABELS = {
    "missing_at_acquirer": "收单无此笔",
    "missing_in_shop": "收银无此笔",
    "reversed_at_acquirer": "收单已撤销",
    "amount_mismatch": "金额不符",
    "refunded_at_acquirer": "收单多退款",
    "terminal_count": "终端笔数不符",
    "terminal_amount": "终端金额不符",
    "terminal_scheme": "卡组织不符",
}


def _reconciliation_rows(doc: dict[str, Any], zone: ZoneInfo, width: int) -> list[str]:
    """The Z report's 对账 section: what was checked, the verdict, then each difference with the
    sale (or refund) it belongs to and the amounts on both sides."""
    diffs: list[dict[str, Any]] = doc.get("differences", [])
    run_at = dt.datetime.fromisoformat(doc["run_at"])
    lines = [
        center("对账", width),
        row("对账时间", _local(run_at, zone), width),
        row("终端结算", "已核对" if doc.get("terminal_checked") else "未核对", width),
        row("收单对账单", "已核对" if doc.get("settlement_checked") else "未核对", width),
        row("差异笔数", str(len(diffs)) if diffs else "0 无差异", width),
    ]
    for d in diffs:
        label = RECONCILIATION_LABELS.get(d["kind"], d["kind"])
        whose = d.get("refund_number") or d.get("sale_number") or (d.get("reference") or "")[-12:]
        lines.append(row(f"  {label}", whose or TENDER_LABELS.get(d["tender"], d["tender"]), width))
        ours, theirs = d.get("shop_fen"), d.get("other_fen")
        if ours is not None or theirs is not None:
            shown = f"{format_fen(ours) if ours is not None else '-'}/"
            shown += format_fen(theirs) if theirs is not None else "-"
            lines.append(row("    本店/对方", shown, width))
    return lines


def parse_day(day: dt.date | str | None, shop: Shop) -> dt.date:
    """A business day from a date, an ISO 'YYYY-MM-DD' string, or None for today's."""
    if day is None:
        return shop.business_day()
    if isinstance(day, dt.datetime):
        raise InvalidInput("营业日应为日期 / a business day is a date, not a time")
    if isinstance(day, dt.date):
        return day
    if isinstance(day, str):
        try:
            return dt.date.fromisoformat(day.strip())
        except ValueError:
            pass
    raise InvalidInput(f"日期格式应为 YYYY-MM-DD / a date looks like 2026-11-25, got {day!r}")


def _build_z(
    session: Session,
    shop: Shop,
    day: dt.date,
    *,
    closed_at: dt.datetime | None = None,
    closed_by: str | None = None,
) -> ZReport:
    shifts = session.scalars(
        select(Shift)
        .where(Shift.device_id == shop.device_id, Shift.business_day == day)
        .order_by(Shift.opened_at, Shift.id)
    ).all()
    return ZReport(
        business_day=day,
        device_id=shop.device_id,
        store_name=shop.settings.store_name,
        generated_at=shop.now(),
        zone=shop.settings.zone,
        shifts=tuple(summarize(session, s) for s in shifts),
        tally=tally(session, device_id=shop.device_id, business_day=day),
        pending_sync_events=outbox.pending_count(session),
        closed_at=closed_at,
        closed_by=closed_by,
        reconciliation=reconcile.stored(session, day),
    )


def z_report(
    shop: Shop,
    day: dt.date | str | None = None,
    *,
    actor: Actor | None = None,
    as_admin: bool = False,
) -> ZReport:
    """The Z report of business `day` (default: today's), computed from the rows now. Reads
    only. `pending_sync_events` counts every outbox event not yet sent, whatever its day.

    The day's totals are the sales, refunds and voids booked on the day; `shifts` are the shifts
    opened on it. A shift still open past the cut-off books its late sales on the next day, so
    only then do its own figures differ from its share of the day's.
    """
    _authorise(actor, as_admin, own_user_id=None)
    business_day = parse_day(day, shop)
    with shop.store.read() as session:
        closed = session.get(DayClose, (shop.device_id, business_day))
        return _build_z(
            session,
            shop,
            business_day,
            closed_at=closed.closed_at if closed else None,
            closed_by=closed.closed_by if closed else None,
        )


def frozen_z_report(
    shop: Shop,
    day: dt.date | str,
    *,
    actor: Actor | None = None,
    as_admin: bool = False,
) -> dict[str, Any] | None:
    """The Z report as it was frozen when the day was closed, or None if it is not closed."""
    _authorise(actor, as_admin, own_user_id=None)
    business_day = parse_day(day, shop)
    with shop.store.read() as session:
        closed = session.get(DayClose, (shop.device_id, business_day))
        if closed is None:
            return None
        frozen: dict[str, Any] = json.loads(closed.report_json)
        return frozen


def _for_hub(document: dict[str, Any]) -> dict[str, Any]:
    """The Z report as the `day.closed` event carries it: no shifts (their own events), and of a
    reconciliation only its verdict, so that a dirty day's list cannot swell the event."""
    out = {k: v for k, v in document.items() if k not in ("shifts", "reconciliation")}
    if "reconciliation" in document:
        rec = document["reconciliation"]
        out["reconciliation"] = {
            k: rec.get(k)
            for k in (
                "run_at",
                "clean",
                "differences_count",
                "terminal_checked",
                "settlement_checked",
            )
        }
    return out


def close_day(shop: Shop, actor: Actor, day: dt.date | str | None = None) -> ZReport:
    """Close business `day` (日结): owner only, every shift of the day closed, once.

    The Z report is computed and frozen in the same transaction that records the close, so
    nothing can slip in between. Its `pending_sync_events` is the count just before the
    `day.closed` event itself was queued.
    """
    require_owner(actor, "close the day")
    business_day = parse_day(day, shop)
    now = shop.now()
    today = shop.business_day(now)
    if business_day > today:
        raise RuleViolation(
            f"{business_day} 尚未开始，不能日结 / business day {business_day} has not begun"
        )
    with shop.store.write() as session:
        done = session.get(DayClose, (shop.device_id, business_day))
        if done is not None:
            raise RuleViolation(
                f"{business_day} 已于 {_local(done.closed_at, shop.settings.zone)} 日结 / "
                f"business day {business_day} is already closed; nothing was changed"
            )
        # A shift of an earlier day still open may still take sales booked on this day.
        still_open = session.scalars(
            select(Shift).where(
                Shift.device_id == shop.device_id,
                Shift.status == "open",
                Shift.business_day <= business_day,
            )
        ).all()
        if still_open:
            raise RuleViolation(
                f"还有 {len(still_open)} 个班次未交班，请先交班 / "
                f"{len(still_open)} shift(s) still open; close them before closing the day"
            )
        report = _build_z(session, shop, business_day, closed_at=now, closed_by=actor.user_id)
        document = report.as_dict()
        session.add(
            DayClose(
                device_id=shop.device_id,
                business_day=business_day,
                closed_at=now,
                closed_by=actor.user_id,
                report_json=journal.canonical(document),
            )
        )
        session.flush()
        outbox.record(
            session,
            at=now,
            kind="day.closed",
            ref_id=None,
            payload={
                "device_id": shop.device_id,
                "business_day": business_day.isoformat(),
                "closed_by": actor.user_id,
                "report": _for_hub(document),
                "shift_ids": [s.id for s in report.shifts],
            },
        )
        return report
