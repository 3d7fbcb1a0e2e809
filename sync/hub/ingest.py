"""Push: the shop's outbox events arrive in batches; each is applied at most once.

Idempotency is the primary key on `events.event_id`: the event row is inserted, and a clash
(IntegrityError) means "seen before" — never a search followed by an insert, which two
concurrent deliveries of the same batch would both pass. On a clash the stored first answer is
replayed: applied → `duplicate`, rejected → the same rejection. The same id with another payload
(compared by `protocol.payload_digest`) is refused loudly: rejected, and an error in the log,
because it means a bug or tampering on the shop's side.

One transaction per batch, one SAVEPOINT per event:
* one commit (one fsync) per batch instead of up to 200 — the difference between ~100 and
  thousands of events per second on PostgreSQL with many shops pushing;
* the answers are sent only after the commit, so an answer never claims what the database does
  not hold; if the commit fails the whole batch fails (5xx), the shop retries it and gets the
  same answers (the batch is idempotent as a whole);
* the savepoint keeps one event's clash or rejection from undoing its neighbours.
On PostgreSQL a concurrent delivery of the same event waits on the primary key until the first
transaction ends, then sees the clash and answers `duplicate` (or applies it, if the first rolled
back).

Unknown kinds are kept and answered `applied`: a newer shop may send kinds this hub does not
project yet; rejecting them would dead-letter them for good on the shop, while keeping them
(payload and all) lets a later hub version project them from the events table. Known kinds whose
payload does not fit are rejected with the reason, because retrying them can never succeed.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Final, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sync import protocol
from sync.hub import payloads
from sync.hub.clock import utcnow
from sync.hub.db import Database
from sync.hub.models import (
    BillPayment,
    DayClose,
    ReceivedEvent,
    Refund,
    RefundPayment,
    Sale,
    SalePayment,
)

log = logging.getLogger(__name__)

APPLIED: Final = "applied"
DUPLICATE: Final = "duplicate"
REJECTED: Final = "rejected"


@dataclass(frozen=True)
class Sender:
    store_id: str
    device_id: str


P = TypeVar("P", bound=BaseModel)


class Rejection(Exception):
    """The event can never be applied; the reason goes back to the shop."""


def push(db: Database, sender: Sender, request: protocol.PushRequest) -> protocol.PushResponse:
    """Apply a batch in one transaction and answer each event. An id repeated inside the batch
    clashes with its first occurrence like any replay, and gets the same answer as a replay."""
    with db.transaction() as session:
        results = [_one(session, sender, event) for event in request.events]
    return protocol.PushResponse(results=results)


def _one(session: Session, sender: Sender, event: protocol.Event) -> protocol.EventResult:
    digest = protocol.payload_digest(event.kind, event.payload)
    now = utcnow()
    status: protocol.EventStatus = APPLIED
    reason: str | None = None
    try:
        with session.begin_nested():
            row = _row(sender, event, digest, now, APPLIED, None)
            session.add(row)
            session.flush()  # the primary key speaks here
            _project(session, sender, event)
            session.flush()
    except IntegrityError as exc:
        if _is_event_clash(session, event.event_id):
            return _replay(session, sender, event)
        # the projection clashed: e.g. a sale id already recorded under another event id
        status, reason = REJECTED, _clash_reason(event, exc)
    except Rejection as exc:
        status, reason = REJECTED, str(exc)
    if status == REJECTED:
        log.warning("event %s (%s) rejected: %s", event.event_id, event.kind, reason)
        try:
            with session.begin_nested():
                session.add(_row(sender, event, digest, now, REJECTED, reason))
                session.flush()
        except IntegrityError:  # a concurrent delivery stored it meanwhile
            return _replay(session, sender, event)
    return protocol.EventResult(event_id=event.event_id, status=status, reason=reason)


def _row(
    sender: Sender,
    event: protocol.Event,
    digest: str,
    now: dt.datetime,
    status: str,
    reason: str | None,
) -> ReceivedEvent:
    return ReceivedEvent(
        event_id=event.event_id,
        store_id=sender.store_id,
        device_id=sender.device_id,
        kind=event.kind,
        created_at=event.created_at,
        received_at=now,
        digest=digest,
        payload_json=protocol.canonical_json(event.payload),
        status=status,
        reason=reason,
    )


def _is_event_clash(session: Session, event_id: str) -> bool:
    return (
        session.scalar(select(ReceivedEvent.event_id).where(ReceivedEvent.event_id == event_id))
        is not None
    )


def _replay(session: Session, sender: Sender, event: protocol.Event) -> protocol.EventResult:
    """The first answer again, if this really is the same event from the same store."""
    stored = session.execute(
        select(
            ReceivedEvent.store_id, ReceivedEvent.digest, ReceivedEvent.status, ReceivedEvent.reason
        ).where(ReceivedEvent.event_id == event.event_id)
    ).first()
    if stored is None:  # pragma: no cover - called only after a clash on this id
        raise RuntimeError(f"event {event.event_id} clashed but is not stored")
    if stored.store_id != sender.store_id:
        log.error(
            "device %s of store %s sent event id %s, which another store already used",
            sender.device_id,
            sender.store_id,
            event.event_id,
        )
        return protocol.EventResult(
            event_id=event.event_id,
            status=REJECTED,
            reason="this event id is already taken; an event id must be new (a UUID made on the device)",
        )
    if stored.digest != protocol.payload_digest(event.kind, event.payload):
        log.error(
            "event %s came again from device %s of store %s with a different payload; refused",
            event.event_id,
            sender.device_id,
            sender.store_id,
        )
        return protocol.EventResult(
            event_id=event.event_id,
            status=REJECTED,
            reason=(
                "this event id was received before with a different kind or payload; the first "
                "one stands and this one is refused (an event must never change after it is made)"
            ),
        )
    if stored.status == APPLIED:
        return protocol.EventResult(event_id=event.event_id, status=DUPLICATE)
    return protocol.EventResult(event_id=event.event_id, status=REJECTED, reason=stored.reason)


def _clash_reason(event: protocol.Event, exc: IntegrityError) -> str:
    log.error("event %s (%s) clashed with a recorded row: %s", event.event_id, event.kind, exc.orig)
    what = {
        "sale.completed": "this sale (or one of its payments) is already recorded under another event id",
        "refund.completed": "this refund is already recorded under another event id",
        "day.closed": "this device's day is already closed under another event id",
        "bill_payment.completed": "this bill payment is already recorded under another event id",
    }
    return what.get(event.kind, "the event clashes with a recorded one")


def _validate(model: type[P], event: protocol.Event) -> P:
    try:
        return model.model_validate(event.payload)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'payload'}: {err['msg']}"
            for err in exc.errors()[:5]
        )
        raise Rejection(f"malformed {event.kind} payload: {problems}") from None


def _project(session: Session, sender: Sender, event: protocol.Event) -> None:
    model = payloads.PROJECTED.get(event.kind)
    if model is None:
        if event.kind not in payloads.KNOWN_STORED:
            log.info("event %s of unknown kind %s kept as it is", event.event_id, event.kind)
        return
    store = sender.store_id
    if event.kind == "sale.completed":
        sale = _validate(payloads.SaleCompleted, event)
        session.add(
            Sale(
                store_id=store,
                sale_id=sale.sale_id,
                event_id=event.event_id,
                device_id=sender.device_id,
                number=sale.number,
                business_day=sale.business_day,
                completed_at=sale.completed_at,
                lines_count=len(sale.lines),
                list_total_fen=sale.list_total_fen,
                total_fen=sale.total_fen,
            )
        )
        session.add_all(
            SalePayment(
                store_id=store,
                payment_id=p.id,
                sale_id=sale.sale_id,
                business_day=sale.business_day,
                kind=p.kind,
                amount_fen=p.amount_fen,
            )
            for p in sale.payments
        )
    elif event.kind == "refund.completed":
        refund = _validate(payloads.RefundCompleted, event)
        session.add(
            Refund(
                store_id=store,
                refund_id=refund.refund_id,
                event_id=event.event_id,
                device_id=sender.device_id,
                sale_id=refund.sale_id,
                number=refund.number,
                business_day=refund.business_day,
                created_at=refund.created_at,
                total_fen=refund.total_fen,
            )
        )
        session.add_all(
            RefundPayment(
                store_id=store,
                refund_id=refund.refund_id,
                payment_id=p.payment_id,
                business_day=refund.business_day,
                kind=p.kind,
                amount_fen=p.amount_fen,
            )
            for p in refund.payments
        )
    elif event.kind == "day.closed":
        closed = _validate(payloads.DayClosed, event)
        session.add(
            DayClose(
                store_id=store,
                shop_device_id=closed.device_id,
                business_day=closed.business_day,
                event_id=event.event_id,
                closed_at=event.created_at,
                report_json=protocol.canonical_json(closed.report),
            )
        )
    elif event.kind == "bill_payment.completed":
        bill = _validate(payloads.BillPaymentCompleted, event)
        session.add(
            BillPayment(
                store_id=store,
                payment_id=bill.payment_id,
                event_id=event.event_id,
                biller_id=bill.biller_id,
                business_day=bill.business_day,
                amount_fen=bill.amount_fen,
            )
        )
