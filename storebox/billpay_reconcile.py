"""Bill-payment reconciliation (便民缴费对账): the hub's daily statement against the shop's own
records, payment by payment, every difference named with the shop's receipt number.

The hub's statement is per China calendar day of `accepted_at`; the shop's business day runs to
its cut-off (04:00), so a payment at 01:30 is on the hub's next day. The statements of the day
and the day after are fetched and only the lines whose `accepted_at` falls in the shop's
business day are kept — the same rule as the acquirer's settlement (storebox.reconcile).

A store may have several tills, each with its own database; the statement lists them all, each
line naming the device (till) that took it. A line another till took is counted, not compared.
From a hub that names no device, a line whose receipt number carries another device number
(B1125-02-0001) is taken as another till's.

Differences (`kind`):

* missing_at_hub — recorded here, unknown to the hub (its event may still wait in the outbox:
  `detail` says so);
* missing_in_shop — at the hub, not recorded by this till;
* amount_differs — the same payment for another amount;
* status_differs — pending / success / failed, or refunded, differ (a result not pulled yet,
  or a contradiction the shop refused to apply);
* commission_differs — a success whose commission differs.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from storebox.db import raw
from storebox.db.models import BillPayment, BillRefund
from storebox.errors import RuleViolation
from storebox.money import format_fen
from storebox.ports import BillPay, BillPayOffline, BillPayRefused, BillStatementLine
from storebox.shop import Shop

KINDS = (
    "missing_at_hub",
    "missing_in_shop",
    "amount_differs",
    "status_differs",
    "commission_differs",
)
LABELS = {
    "missing_at_hub": "云端无此笔",
    "missing_in_shop": "本店无此笔",
    "amount_differs": "金额不符",
    "status_differs": "状态不符",
    "commission_differs": "佣金不符",
}
_NUMBER = re.compile(r"^B\d{4}-(\d{2})-\d{4}$")


@dataclass(frozen=True)
class BillDifference:
    kind: str
    payment_id: str
    number: str
    shop_fen: int | None = None
    hub_fen: int | None = None
    shop_status: str | None = None
    hub_status: str | None = None
    detail: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "payment_id": self.payment_id,
            "number": self.number,
            "shop_fen": self.shop_fen,
            "hub_fen": self.hub_fen,
            "shop_status": self.shop_status,
            "hub_status": self.hub_status,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class BillReconciliation:
    day: dt.date
    run_at: dt.datetime
    shop_count: int
    shop_amount_fen: int
    hub_count: int
    hub_amount_fen: int
    other_tills_count: int
    differences: tuple[BillDifference, ...] = field(default_factory=tuple)

    @property
    def clean(self) -> bool:
        return not self.differences

    def as_dict(self) -> dict[str, Any]:
        return {
            "business_day": self.day.isoformat(),
            "run_at": self.run_at.isoformat(),
            "clean": self.clean,
            "shop_count": self.shop_count,
            "shop_amount_fen": self.shop_amount_fen,
            "hub_count": self.hub_count,
            "hub_amount_fen": self.hub_amount_fen,
            "other_tills_count": self.other_tills_count,
            "differences_count": len(self.differences),
            "differences": [d.as_dict() for d in self.differences],
        }

    def render_text(self) -> str:
        lines = [
            f"便民缴费对账 / bill payments reconciliation {self.day}",
            f"本店 shop: {self.shop_count} 笔 {format_fen(self.shop_amount_fen)}",
            f"云端 hub: {self.hub_count} 笔 {format_fen(self.hub_amount_fen)}",
        ]
        if self.other_tills_count:
            lines.append(f"其他收银台 other tills: {self.other_tills_count} 笔 (not compared)")
        if self.clean:
            lines.append("差异 differences: 0 无差异 / clean")
            return "\n".join(lines)
        lines.append(f"差异 differences: {len(self.differences)}")
        for d in self.differences:
            amounts = ""
            if d.shop_fen is not None or d.hub_fen is not None:
                shop = format_fen(d.shop_fen) if d.shop_fen is not None else "-"
                hub = format_fen(d.hub_fen) if d.hub_fen is not None else "-"
                amounts = f" 本店/云端 {shop}/{hub}"
            statuses = ""
            if d.shop_status or d.hub_status:
                statuses = f" {d.shop_status or '-'}/{d.hub_status or '-'}"
            lines.append(
                f"  {LABELS[d.kind]} {d.kind} {d.number}{amounts}{statuses} {d.detail}".rstrip()
            )
        return "\n".join(lines)


@dataclass(frozen=True)
class _Ours:
    payment_id: str
    number: str
    amount_fen: int
    status: str
    commission_fen: int
    refunded: bool
    event_pending: bool


def _ours(shop: Shop, day: dt.date) -> dict[str, _Ours]:
    with shop.store.read() as session:
        rows = session.scalars(
            select(BillPayment).where(
                BillPayment.device_id == shop.device_id, BillPayment.business_day == day
            )
        ).all()
        refunded = set(
            session.scalars(
                select(BillRefund.payment_id).where(
                    BillRefund.status == "done",
                    BillRefund.payment_id.in_([r.id for r in rows]),
                )
            )
        )
        conn = raw.connection(session)
        out: dict[str, _Ours] = {}
        for r in rows:
            pending_event = raw.one(
                conn,
                "SELECT 1 FROM outbox o JOIN journal j ON j.id = o.event_id "
                "WHERE j.ref_id = ? AND o.kind = 'bill_payment.accepted' AND o.status <> 'sent'",
                (r.id,),
            )
            out[r.id] = _Ours(
                payment_id=r.id,
                number=r.number,
                amount_fen=r.amount_fen,
                status=r.status,
                commission_fen=r.commission_fen if r.status == "success" else 0,
                refunded=r.id in refunded,
                event_pending=pending_event is not None,
            )
        return out


def fetch_lines(shop: Shop, port: BillPay, day: dt.date) -> list[BillStatementLine]:
    """The hub's statement lines of the shop's business `day`: from the hub's days `day` and
    the day after, those whose accepted_at falls in the business day."""
    try:
        statements = [port.statement(day), port.statement(day + dt.timedelta(days=1))]
    except BillPayOffline as exc:
        raise RuleViolation(
            f"网络不通，无法取得对账单 / the hub's statement cannot be fetched: {exc.message}"
        ) from None
    except BillPayRefused as exc:
        raise RuleViolation(
            f"云端拒绝提供对账单 / the hub refused the statement: {exc.message}"
        ) from None
    seen: dict[str, BillStatementLine] = {}
    for statement in statements:
        for line in statement.lines:
            if shop.business_day(line.accepted_at) == day:
                seen.setdefault(line.payment_id, line)
    return list(seen.values())


def match(shop: Shop, day: dt.date, lines: list[BillStatementLine]) -> BillReconciliation:
    """Compare the hub's lines with this till's records of the day (pure but for the read)."""
    ours = _ours(shop, day)
    mine: dict[str, BillStatementLine] = {}
    others = 0
    for line in lines:
        found = _NUMBER.fullmatch(line.number)
        other_number = found is not None and int(found.group(1)) != shop.device_no
        if line.payment_id not in ours and (line.other_till or other_number):
            others += 1
            continue
        mine[line.payment_id] = line
    diffs: list[BillDifference] = []
    for pid, o in sorted(ours.items(), key=lambda kv: kv[1].number):
        hub = mine.get(pid)
        if hub is None:
            detail = "事件未上传 / its event is still in the outbox" if o.event_pending else ""
            diffs.append(
                BillDifference(
                    "missing_at_hub", pid, o.number, shop_fen=o.amount_fen,
                    shop_status=o.status, detail=detail,
                )
            )  # fmt: skip
            continue
        if hub.amount_fen != o.amount_fen:
            diffs.append(
                BillDifference(
                    "amount_differs", pid, o.number, shop_fen=o.amount_fen, hub_fen=hub.amount_fen
                )
            )
        if hub.status != o.status or hub.refunded != o.refunded:
            shop_state = o.status + ("+refunded" if o.refunded else "")
            hub_state = hub.status + ("+refunded" if hub.refunded else "")
            diffs.append(
                BillDifference(
                    "status_differs", pid, o.number, shop_status=shop_state, hub_status=hub_state
                )
            )
        elif o.status == "success" and hub.commission_fen != o.commission_fen:
            diffs.append(
                BillDifference(
                    "commission_differs", pid, o.number,
                    shop_fen=o.commission_fen, hub_fen=hub.commission_fen,
                )
            )  # fmt: skip
    for pid, hub in sorted(mine.items(), key=lambda kv: kv[1].number):
        if pid not in ours:
            diffs.append(
                BillDifference(
                    "missing_in_shop", pid, hub.number, hub_fen=hub.amount_fen,
                    hub_status=hub.status,
                )
            )  # fmt: skip
    return BillReconciliation(
        day=day,
        run_at=shop.now(),
        shop_count=len(ours),
        shop_amount_fen=sum(o.amount_fen for o in ours.values()),
        hub_count=len(mine),
        hub_amount_fen=sum(line.amount_fen for line in mine.values()),
        other_tills_count=others,
        differences=tuple(diffs),
    )


def reconcile(shop: Shop, port: BillPay, day: dt.date | None = None) -> BillReconciliation:
    """Fetch the hub's statement for the business `day` (default today's) and match it."""
    business_day = day if day is not None else shop.business_day()
    return match(shop, business_day, fetch_lines(shop, port, business_day))
