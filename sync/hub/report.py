"""What the hub holds for a store (`storebox hub report --store ID [--date D] --json`).

The contract keys (DESIGN.md, "The command line") are the same as the shop's Z report, so a
shop and its hub can be compared by any tool: sales_count, sales_total_fen, refunds_count,
refunds_total_fen, bill_payments_count, bill_payments_total_fen. Without a date the report covers
all time; with one, that business day.

The money figures follow the shop's business day (the `business_day` each receipt carries); the
event counts (`events_received`, `events_by_kind`) and the devices' health are always all time,
because an event has no business day of its own.

Bill payments (`bill_payments_count`, `bill_payments_total_fen`) count every payment the hub
accepted that has not failed — pending or successful: the agency money the shop holds for the
platform. A failed payment is money the shop gives back to its customer, so it is not counted
(whether or not the refund was reported yet). Their day is the China calendar day of the
payment's `accepted_at` (the payment carries no business day of its own); the hub's daily bill
statement (`hub bill-statement`) lists them all, failed ones included.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sync.hub import health
from sync.hub.clock import utcnow
from sync.hub.db import Database
from sync.hub.errors import AdminError
from sync.hub.models import (
    BillPayment,
    DayClose,
    ReceivedEvent,
    Refund,
    RefundPayment,
    Sale,
    SalePayment,
    Store,
)

TENDERS = ("cash", "card", "wallet")
"""Always listed, like the shop's Z report; other tender kinds appear when they were used."""

CONTRACT_KEYS = (
    "sales_count",
    "sales_total_fen",
    "refunds_count",
    "refunds_total_fen",
    "bill_payments_count",
    "bill_payments_total_fen",
)


def parse_day(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise AdminError(f"--date must be a day like 2026-11-25, not {text!r}") from None


def _count_sum(
    session: Session, table: Any, amount: Any, store_id: str, day: dt.date | None
) -> tuple[int, int]:
    query = select(func.count(), func.coalesce(func.sum(amount), 0)).where(
        table.store_id == store_id
    )
    if day is not None:
        query = query.where(table.business_day == day)
    count, total = session.execute(query).one()
    return int(count), int(total)


def _by_kind(session: Session, table: Any, store_id: str, day: dt.date | None) -> dict[str, int]:
    query = (
        select(table.kind, func.sum(table.amount_fen))
        .where(table.store_id == store_id)
        .group_by(table.kind)
        .order_by(table.kind)
    )
    if day is not None:
        query = query.where(table.business_day == day)
    return {kind: int(total) for kind, total in session.execute(query)}


def store_report(db: Database, store_id: str, day_text: str | None = None) -> dict[str, Any]:
    day = parse_day(day_text)
    with db.reading() as session:
        store = session.get(Store, store_id)
        if store is None:
            raise AdminError(f"no store {store_id!r} on this hub")
        sales_count, sales_total = _count_sum(session, Sale, Sale.total_fen, store_id, day)
        refunds_count, refunds_total = _count_sum(session, Refund, Refund.total_fen, store_id, day)
        bills = select(func.count(), func.coalesce(func.sum(BillPayment.amount_fen), 0)).where(
            BillPayment.store_id == store_id, BillPayment.status != "failed"
        )
        if day is not None:
            bills = bills.where(BillPayment.business_day == day)
        bills_count, bills_total = (int(v) for v in session.execute(bills).one())
        by_status = select(
            BillPayment.status,
            func.count(),
            func.coalesce(func.sum(BillPayment.amount_fen), 0),
            func.coalesce(func.sum(BillPayment.commission_fen), 0),
        ).where(BillPayment.store_id == store_id)
        if day is not None:
            by_status = by_status.where(BillPayment.business_day == day)
        bill_rows = session.execute(by_status.group_by(BillPayment.status)).all()
        events = session.execute(
            select(ReceivedEvent.kind, ReceivedEvent.status, func.count())
            .where(ReceivedEvent.store_id == store_id)
            .group_by(ReceivedEvent.kind, ReceivedEvent.status)
            .order_by(ReceivedEvent.kind, ReceivedEvent.status)
        ).all()
        closes_query = (
            select(DayClose).where(DayClose.store_id == store_id).order_by(DayClose.business_day)
        )
        if day is not None:
            closes_query = closes_query.where(DayClose.business_day == day)
        closes = list(session.scalars(closes_query))
        devices = health.for_store(session, store_id)
        sales_by_tender = _by_kind(session, SalePayment, store_id, day)
        refunds_by_tender = _by_kind(session, RefundPayment, store_id, day)
    by_kind: dict[str, dict[str, int]] = {}
    for kind, status, n in events:
        by_kind.setdefault(kind, {})[status] = int(n)
    return {
        "report": "hub",
        "store_id": store.id,
        "store_name": store.name,
        "business_day": day.isoformat() if day else None,
        "generated_at": utcnow().isoformat(),
        "sales_count": sales_count,
        "sales_total_fen": sales_total,
        "refunds_count": refunds_count,
        "refunds_total_fen": refunds_total,
        "bill_payments_count": bills_count,
        "bill_payments_total_fen": bills_total,
        "bill_payments_by_status": {
            status: {"count": int(n), "amount_fen": int(fen)} for status, n, fen, _ in bill_rows
        },
        "bill_commission_fen": sum(int(c) for *_, c in bill_rows),
        "net_fen": sales_total - refunds_total,
        "sales_by_tender_fen": sales_by_tender,
        "refunds_by_tender_fen": refunds_by_tender,
        # the shop's Z report spells it this way; the same shape lets a tool compare the two
        "tenders": {
            kind: {
                "sales_fen": sales_by_tender.get(kind, 0),
                "refunds_fen": refunds_by_tender.get(kind, 0),
                "net_fen": sales_by_tender.get(kind, 0) - refunds_by_tender.get(kind, 0),
            }
            for kind in sorted(set(sales_by_tender) | set(refunds_by_tender) | set(TENDERS))
        },
        "events_received": sum(sum(v.values()) for v in by_kind.values()),
        "events_rejected": sum(v.get("rejected", 0) for v in by_kind.values()),
        "events_by_kind": by_kind,
        "day_closes": [
            {
                "business_day": c.business_day.isoformat(),
                "shop_device_id": c.shop_device_id,
                "closed_at": c.closed_at.isoformat(),
                "shop_figures": {
                    k: v for k, v in json.loads(c.report_json).items() if k in CONTRACT_KEYS
                },
            }
            for c in closes
        ],
        "devices": devices,
    }


def render_text(doc: dict[str, Any]) -> str:
    def yuan(fen: int) -> str:
        return f"¥{fen / 100:,.2f}" if fen >= 0 else f"-¥{-fen / 100:,.2f}"

    lines = [
        f"{doc['store_name']} ({doc['store_id']})",
        f"营业日 / day: {doc['business_day'] or 'all time'}",
        f"销售 sales:      {doc['sales_count']:>6}  {yuan(doc['sales_total_fen'])}",
    ]
    lines += [f"  {k:<14}{yuan(v):>16}" for k, v in doc["sales_by_tender_fen"].items()]
    lines += [
        f"退款 refunds:    {doc['refunds_count']:>6}  {yuan(doc['refunds_total_fen'])}",
        f"缴费 bills:      {doc['bill_payments_count']:>6}  {yuan(doc['bill_payments_total_fen'])}",
        f"events received: {doc['events_received']} ({doc['events_rejected']} rejected)",
    ]
    for device in doc["devices"]:
        state = "revoked" if device["revoked"] else "active"
        seen = device["reported_at"] or "never reported"
        lines.append(f"device {device['name']} ({device['device_id']}): {state}, health {seen}")
        if device["health"]:
            agent = device["health"]["agent"]
            lines.append(
                f"  agent online={agent['online']} pending={agent['pending_events']} dead={agent['dead_letters']}"
            )
            lines += [
                f"  {d['name']}: {d['state']} {d['detail']}".rstrip()
                for d in device["health"]["devices"]
            ]
    return "\n".join(lines)
