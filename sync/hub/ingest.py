"""Push: the shop's outbox events arrive in batches; each is applied at most once.

Idempotency is the primary key on `events.event_id`: the event row is inserted, and a clash
(IntegrityError) means "seen before" — never a search followed by an insert, which two
concurrent deliveries of the same batch would both pass. On a clash the stored first answer is
replayed: applied → `duplicate`, rejected → the same rejection. The same id with another payload
(compared by `protocol.payload_digest`) is refused loudly: rejected, and an error in the log,
because it means a bug or tampering on the shop's side.

One transaction per batch:
* one commit (one fsync) per batch instead of up to 200 — the difference between a few hundred
  and thousands of events per second with many shops pushing;
* the answers are sent only after the commit, so an answer never claims what the database does
  not hold; if the commit fails the whole batch fails (5xx), the shop retries it and gets the
  same answers (the batch is idempotent as a whole).
Inside it, the usual batch goes in a few statements: the event rows in one INSERT … ON CONFLICT
(event_id) DO NOTHING RETURNING event_id — the constraint, not a prior search, decides which
events are new, exactly as catching its IntegrityError would, without aborting anything — then
the report rows of the new events in one INSERT per table, all in a SAVEPOINT. If a report row
clashes (a sale id already recorded under another event id) the savepoint is rolled back and the
batch is settled event by event, each in its own SAVEPOINT, catching IntegrityError, so one bad
event never takes its neighbours with it.
On PostgreSQL a concurrent delivery of the same event waits on the primary key until the first
transaction ends, then sees the conflict and answers `duplicate` (or inserts it, if the first
rolled back).

Convenience-payment events (`bill_payment.accepted`, `bill_payment.refunded`) are checked
against the wire's own schemas and, when new, act on the billers in the same transaction
(`sync.hub.billers`): an accepted payment becomes the same payment as the shop's POST of it
(one per store and payment id), and one the billers' rules refuse is applied as a *failed*
payment with the reason, published on the store's bill_results stream — the shop took the
customer's money and must see it has to refund it, which a dead letter would hide. Only an event
that can never apply (its payment id names another payment; a refund of a payment that did not
fail) is rejected, its rejection stored as the event's first answer.

Unknown kinds are kept and answered `applied`: a newer shop may send kinds this hub does not
project yet; rejecting them would dead-letter them for good on the shop, while keeping them
(payload and all) lets a later hub version project them from the events table. Known kinds whose
payload does not fit are rejected with the reason, because retrying them can never succeed.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any, Final, TypeVar, cast

from pydantic import BaseModel, ValidationError
from sqlalchemy import Table, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sync import protocol
from sync.hub import billers, payloads
from sync.hub.clock import utcnow
from sync.hub.db import Database
from sync.hub.models import (
    Base,
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


@dataclass(frozen=True)
class _Prepared:
    """An event checked before any database work: its digest, its verdict, its report rows."""

    event: protocol.Event
    digest: str
    canonical: str
    status: protocol.EventStatus
    reason: str | None
    rows: list[tuple[type[Base], dict[str, Any]]]
    bill: BaseModel | None = None
    """A convenience-payment event's checked payload, applied to the billers after insert."""


@dataclass(frozen=True)
class _Stored:
    store_id: str
    digest: str
    status: str
    reason: str | None


def push(db: Database, sender: Sender, request: protocol.PushRequest) -> protocol.PushResponse:
    """Apply a batch in one transaction and answer each event. An id repeated inside the batch
    is answered like a replay of its first occurrence."""
    prepared = [_prepare(sender, event) for event in request.events]
    now = utcnow()
    with db.transaction() as session:
        try:
            with session.begin_nested():
                results = _fast(session, sender, prepared, now)
        except IntegrityError:
            log.info(
                "a report row clashed in a batch of %d; settling it event by event", len(prepared)
            )
            results = [_one(session, sender, p, now) for p in prepared]
        if any(p.bill is not None for p in prepared):
            results = _apply_bills(session, sender, prepared, results)
    return protocol.PushResponse(results=results)


def _apply_bills(
    session: Session,
    sender: Sender,
    prepared: list[_Prepared],
    results: list[protocol.EventResult],
) -> list[protocol.EventResult]:
    """Convenience-payment events that were new act on the billers, in the batch's
    transaction (so the event and its payment commit together). One that can never apply
    (its payment id names another payment, a refund of a payment that did not fail) is turned
    into a rejection, stored as the event's first answer."""
    answers = list(results)
    rejected: dict[str, str] = {}
    for i, (p, answer) in enumerate(zip(prepared, results, strict=True)):
        event_id = p.event.event_id
        if event_id in rejected:  # the same id again in this batch: the same answer
            if answer.status != REJECTED:
                answers[i] = protocol.EventResult(
                    event_id=event_id, status=REJECTED, reason=rejected[event_id]
                )
            continue
        if p.bill is None or answer.status != APPLIED:
            continue
        try:
            with session.begin_nested():
                if isinstance(p.bill, protocol.BillPaymentRequest):
                    billers.accept_event(session, sender.store_id, sender.device_id, p.bill)
                elif isinstance(p.bill, protocol.BillRefundRecord):
                    billers.refund_event(session, sender.store_id, p.bill)
        except billers.EventRefused as exc:
            reason = str(exc)
            log.warning("event %s (%s) rejected: %s", event_id, p.event.kind, reason)
            session.execute(
                update(ReceivedEvent)
                .where(ReceivedEvent.event_id == event_id)
                .values(status=REJECTED, reason=reason)
            )
            rejected[event_id] = reason
            answers[i] = protocol.EventResult(event_id=event_id, status=REJECTED, reason=reason)
    return answers


def _prepare(sender: Sender, event: protocol.Event) -> _Prepared:
    canonical = protocol.canonical_json(event.payload)
    digest = protocol.digest_of_canonical(event.kind, canonical)
    try:
        rows = _projection(sender, event)
        bill_model = payloads.BILL_KINDS.get(event.kind)
        bill = _validate(bill_model, event) if bill_model is not None else None
    except Rejection as exc:
        log.warning("event %s (%s) rejected: %s", event.event_id, event.kind, exc)
        return _Prepared(event, digest, canonical, REJECTED, str(exc), [])
    return _Prepared(event, digest, canonical, APPLIED, None, rows, bill)


def _event_row(sender: Sender, p: _Prepared, now: dt.datetime) -> dict[str, Any]:
    return {
        "event_id": p.event.event_id,
        "store_id": sender.store_id,
        "device_id": sender.device_id,
        "kind": p.event.kind,
        "created_at": p.event.created_at,
        "received_at": now,
        "digest": p.digest,
        "payload_json": p.canonical,
        "status": p.status,
        "reason": p.reason,
    }


def _insert_new_events(session: Session, rows: list[dict[str, Any]]) -> set[str]:
    """Insert; the ids that were new come back. ON CONFLICT DO NOTHING on the primary key.

    One statement of fixed shape run over many parameter sets (SQLAlchemy batches it into
    multi-row INSERTs and caches its compilation); a statement built with .values(rows) would be
    compiled afresh for every batch, which cost more than the database work."""
    dialect = session.get_bind().dialect.name
    table = cast(Table, ReceivedEvent.__table__)
    maker = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        maker(table).on_conflict_do_nothing(index_elements=["event_id"]).returning(table.c.event_id)
    )
    return set(session.connection().execute(statement, rows).scalars())


def _insert(session: Session, table: type[Base], rows: list[dict[str, Any]]) -> None:
    session.connection().execute(insert(cast(Table, table.__table__)), rows)


def _fast(
    session: Session, sender: Sender, prepared: list[_Prepared], now: dt.datetime
) -> list[protocol.EventResult]:
    first: dict[str, _Prepared] = {}
    for p in prepared:
        first.setdefault(p.event.event_id, p)
    new = _insert_new_events(session, [_event_row(sender, p, now) for p in first.values()])
    by_table: dict[type[Base], list[dict[str, Any]]] = {}
    for event_id in new:
        for table, row in first[event_id].rows:
            by_table.setdefault(table, []).append(row)
    for table, rows in by_table.items():
        _insert(session, table, rows)  # a clash raises: the caller goes event by event
    stored = _stored(session, [i for i in first if i not in new])
    answered: set[str] = set()
    results = []
    for p in prepared:
        event_id = p.event.event_id
        if event_id in new and event_id not in answered:
            answered.add(event_id)
            results.append(
                protocol.EventResult(event_id=event_id, status=p.status, reason=p.reason)
            )
            continue
        if event_id in new:  # again in this batch: the first occurrence is what is stored
            head = first[event_id]
            was = _Stored(sender.store_id, head.digest, head.status, head.reason)
        else:
            was = stored[event_id]
        results.append(_answer_again(sender, p, was))
    return results


def _stored(session: Session, event_ids: list[str]) -> dict[str, _Stored]:
    if not event_ids:
        return {}
    rows = session.execute(
        select(
            ReceivedEvent.event_id,
            ReceivedEvent.store_id,
            ReceivedEvent.digest,
            ReceivedEvent.status,
            ReceivedEvent.reason,
        ).where(ReceivedEvent.event_id.in_(event_ids))
    )
    return {r.event_id: _Stored(r.store_id, r.digest, r.status, r.reason) for r in rows}


def _one(session: Session, sender: Sender, p: _Prepared, now: dt.datetime) -> protocol.EventResult:
    """One event in its own savepoint (the slow path, after a clash in the batch)."""
    status, reason = p.status, p.reason
    try:
        with session.begin_nested():
            _insert(session, ReceivedEvent, [_event_row(sender, p, now)])  # the key speaks
            for table, row in p.rows:
                _insert(session, table, [row])
    except IntegrityError as exc:
        was = _stored(session, [p.event.event_id]).get(p.event.event_id)
        if was is not None:
            return _answer_again(sender, p, was)
        # a report row clashed: e.g. a sale id already recorded under another event id
        status, reason = REJECTED, _clash_reason(p.event, exc)
        rejected = _Prepared(p.event, p.digest, p.canonical, status, reason, [])
        try:
            with session.begin_nested():
                _insert(session, ReceivedEvent, [_event_row(sender, rejected, now)])
        except IntegrityError:  # a concurrent delivery stored it meanwhile
            was = _stored(session, [p.event.event_id])[p.event.event_id]
            return _answer_again(sender, p, was)
    return protocol.EventResult(event_id=p.event.event_id, status=status, reason=reason)


def _answer_again(sender: Sender, p: _Prepared, was: _Stored) -> protocol.EventResult:
    """The first answer again, if this really is the same event from the same store."""
    event = p.event
    if was.store_id != sender.store_id:
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
    if was.digest != p.digest:
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
    if was.status == APPLIED:
        return protocol.EventResult(event_id=event.event_id, status=DUPLICATE)
    return protocol.EventResult(event_id=event.event_id, status=REJECTED, reason=was.reason)


def _clash_reason(event: protocol.Event, exc: IntegrityError) -> str:
    log.error("event %s (%s) clashed with a recorded row: %s", event.event_id, event.kind, exc.orig)
    what = {
        "sale.completed": "this sale (or one of its payments) is already recorded under another event id",
        "refund.completed": "this refund is already recorded under another event id",
        "day.closed": "this device's day is already closed under another event id",
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


def _projection(sender: Sender, event: protocol.Event) -> list[tuple[type[Base], dict[str, Any]]]:
    """The report rows an event makes (none for kinds that are only kept); Rejection if the
    payload of a projected kind does not fit."""
    model = payloads.PROJECTED.get(event.kind)
    if model is None:
        if event.kind not in payloads.KNOWN_STORED and event.kind not in payloads.BILL_KINDS:
            log.info("event %s of unknown kind %s kept as it is", event.event_id, event.kind)
        return []
    store = sender.store_id
    rows: list[tuple[type[Base], dict[str, Any]]] = []
    if event.kind == "sale.completed":
        sale = _validate(payloads.SaleCompleted, event)
        rows.append(
            (
                Sale,
                {
                    "store_id": store,
                    "sale_id": sale.sale_id,
                    "event_id": event.event_id,
                    "device_id": sender.device_id,
                    "number": sale.number,
                    "business_day": sale.business_day,
                    "completed_at": sale.completed_at,
                    "lines_count": len(sale.lines),
                    "list_total_fen": sale.list_total_fen,
                    "total_fen": sale.total_fen,
                },
            )
        )
        rows += [
            (
                SalePayment,
                {
                    "store_id": store,
                    "payment_id": p.id,
                    "sale_id": sale.sale_id,
                    "business_day": sale.business_day,
                    "kind": p.kind,
                    "amount_fen": p.amount_fen,
                },
            )
            for p in sale.payments
        ]
    elif event.kind == "refund.completed":
        refund = _validate(payloads.RefundCompleted, event)
        rows.append(
            (
                Refund,
                {
                    "store_id": store,
                    "refund_id": refund.refund_id,
                    "event_id": event.event_id,
                    "device_id": sender.device_id,
                    "sale_id": refund.sale_id,
                    "number": refund.number,
                    "business_day": refund.business_day,
                    "created_at": refund.created_at,
                    "total_fen": refund.total_fen,
                },
            )
        )
        rows += [
            (
                RefundPayment,
                {
                    "store_id": store,
                    "refund_id": refund.refund_id,
                    "payment_id": p.payment_id,
                    "business_day": refund.business_day,
                    "kind": p.kind,
                    "amount_fen": p.amount_fen,
                },
            )
            for p in refund.payments
        ]
    elif event.kind == "day.closed":
        closed = _validate(payloads.DayClosed, event)
        rows.append(
            (
                DayClose,
                {
                    "store_id": store,
                    "shop_device_id": closed.device_id,
                    "business_day": closed.business_day,
                    "event_id": event.event_id,
                    "closed_at": event.created_at,
                    "report_json": protocol.canonical_json(closed.report),
                },
            )
        )
    return rows
