"""The shop's side of the sync protocol, as data: enrolment, the outbox's delivery marks, the
pull cursors with their pages, and the agent's state for the window's status bar.

The sync agent (`sync/agent.py`) talks to the hub and calls these; the core never talks HTTP.
Each function that changes something is one local transaction:

* `mark_delivered` records the hub's validated answer for a batch: applied and duplicate
  events become 'sent', rejected ones 'dead' with the hub's reason (the dead-letter list the
  owner sees), all together or not at all;
* `apply_page` applies a pulled page to the stream's local copy *and* stores the cursor after
  it, so a crash between the two cannot skip or repeat a change;
* `reset_stream` clears a stream's copy and cursor together (the hub answered 410: the cursor
  is no longer served; the next pull starts from the beginning). The outbox is never touched.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from storebox import billers, billpay_results, hub_config, mall_catalog
from storebox.db import raw
from storebox.db.models import HubEnrolment, OutboxEvent, SyncState, SyncStream
from storebox.errors import InvalidInput, RuleViolation
from storebox.shop import Shop

# --- enrolment ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Enrolment:
    hub_url: str
    store_id: str
    store_name: str
    device_id: str
    device_name: str
    token: str
    enrolled_at: dt.datetime

    def __repr__(self) -> str:  # the token never reaches a log line
        return (
            f"Enrolment(hub_url={self.hub_url!r}, store_id={self.store_id!r}, "
            f"device_id={self.device_id!r}, token=<hidden>)"
        )


def save_enrolment(
    shop: Shop,
    *,
    hub_url: str,
    store_id: str,
    store_name: str,
    device_id: str,
    device_name: str,
    token: str,
) -> Enrolment:
    """Keep this device's enrolment, replacing an earlier one (a new code after a revocation)."""
    hub_url = hub_url.strip().rstrip("/")
    if not hub_url.startswith(("http://", "https://")):
        raise InvalidInput(f"hub URL must start with http:// or https://, got {hub_url!r}")
    for name, value in (("store_id", store_id), ("device_id", device_id), ("token", token)):
        if not value:
            raise InvalidInput(f"enrolment: {name} is empty")
    with shop.store.write() as session:
        row = session.get(HubEnrolment, 1)
        if row is None:
            row = HubEnrolment(id=1)
            session.add(row)
        row.hub_url, row.store_id, row.store_name = hub_url, store_id, store_name
        row.device_id, row.device_name, row.token = device_id, device_name, token
        row.enrolled_at = shop.now()
        return _enrolment(row)


def _enrolment(row: HubEnrolment) -> Enrolment:
    return Enrolment(
        hub_url=row.hub_url,
        store_id=row.store_id,
        store_name=row.store_name,
        device_id=row.device_id,
        device_name=row.device_name,
        token=row.token,
        enrolled_at=row.enrolled_at,
    )


def enrolment(shop: Shop) -> Enrolment | None:
    with shop.store.read() as session:
        row = session.get(HubEnrolment, 1)
        return None if row is None else _enrolment(row)


def require_enrolment(shop: Shop) -> Enrolment:
    found = enrolment(shop)
    if found is None:
        raise RuleViolation(
            "本店尚未登记到云端 / this shop is not enrolled with a hub: "
            "run `storebox enrol --hub URL --code CODE` first"
        )
    return found


# --- push: the outbox -----------------------------------------------------------------------


@dataclass(frozen=True)
class PendingEvent:
    seq: int
    event_id: str
    kind: str
    payload_json: str
    created_at: dt.datetime
    attempts: int


def pending_events(shop: Shop, limit: int) -> list[PendingEvent]:
    """The oldest events not yet delivered, in outbox (seq) order."""
    if limit < 1:
        raise InvalidInput("limit must be at least 1")
    with shop.store.read() as session:
        rows = session.scalars(
            select(OutboxEvent)
            .where(OutboxEvent.status == "pending")
            .order_by(OutboxEvent.seq)
            .limit(limit)
        ).all()
        return [
            PendingEvent(r.seq, r.event_id, r.kind, r.payload_json, r.created_at, r.attempts)
            for r in rows
        ]


Delivery = Literal["applied", "duplicate", "rejected"]


@dataclass(frozen=True)
class Outcome:
    status: Delivery
    reason: str | None = None


@dataclass(frozen=True)
class Marked:
    sent: int
    dead: int


def mark_delivered(shop: Shop, outcomes: Mapping[str, Outcome]) -> Marked:
    """Record the hub's answer for a batch, in one transaction.

    applied / duplicate → 'sent'; rejected → 'dead' with the reason. Every id must be a pending
    event of this outbox; otherwise nothing is marked (an answer about events this shop did
    not send proves the answer wrong, not the events delivered).
    """
    if not outcomes:
        return Marked(0, 0)
    now = shop.now()
    with shop.store.write() as session:
        found = set(
            session.scalars(
                select(OutboxEvent.event_id).where(
                    OutboxEvent.event_id.in_(list(outcomes)), OutboxEvent.status == "pending"
                )
            )
        )
        missing = set(outcomes) - found
        if missing:
            raise InvalidInput(
                f"{len(missing)} of the answered events are not pending in this outbox "
                f"(e.g. {sorted(missing)[0]}); nothing was marked"
            )
        sent = [i for i, o in outcomes.items() if o.status in ("applied", "duplicate")]
        dead = [(i, o) for i, o in outcomes.items() if o.status == "rejected"]
        if sent:
            session.execute(
                update(OutboxEvent)
                .where(OutboxEvent.event_id.in_(sent))
                .values(
                    status="sent",
                    sent_at=now,
                    attempts=OutboxEvent.attempts + 1,
                    last_error=None,
                )
            )
        for event_id, outcome in dead:
            session.execute(
                update(OutboxEvent)
                .where(OutboxEvent.event_id == event_id)
                .values(
                    status="dead",
                    attempts=OutboxEvent.attempts + 1,
                    last_error=(outcome.reason or "rejected by the hub (no reason given)")[:1000],
                )
            )
        return Marked(len(sent), len(dead))


def note_attempt_failed(shop: Shop, event_ids: Sequence[str], error: str) -> None:
    """A delivery attempt got no usable answer: the events stay pending, and say why."""
    if not event_ids:
        return
    with shop.store.write() as session:
        session.execute(
            update(OutboxEvent)
            .where(OutboxEvent.event_id.in_(list(event_ids)), OutboxEvent.status == "pending")
            .values(attempts=OutboxEvent.attempts + 1, last_error=error[:1000])
        )


def park(shop: Shop, event_id: str, reason: str) -> None:
    """Make one pending event a dead letter without the hub (it cannot even be sent)."""
    with shop.store.write() as session:
        changed = (
            raw.connection(session)
            .execute(
                "UPDATE outbox SET status = 'dead', last_error = ? "
                "WHERE event_id = ? AND status = 'pending'",
                (reason[:1000], event_id),
            )
            .rowcount
        )
        if changed != 1:
            raise InvalidInput(f"event {event_id} is not pending in this outbox")


@dataclass(frozen=True)
class DeadLetter:
    seq: int
    event_id: str
    kind: str
    created_at: dt.datetime
    reason: str


def dead_letters(shop: Shop, limit: int = 200) -> list[DeadLetter]:
    """Events the hub refused for good (or that could not be sent): the owner's list."""
    with shop.store.read() as session:
        rows = session.scalars(
            select(OutboxEvent)
            .where(OutboxEvent.status == "dead")
            .order_by(OutboxEvent.seq)
            .limit(limit)
        ).all()
        return [
            DeadLetter(r.seq, r.event_id, r.kind, r.created_at, r.last_error or "") for r in rows
        ]


# --- pull: streams --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Copy:
    upsert: Callable[[Session, Sequence[object]], None]
    remove: Callable[[Session, Sequence[str]], None]
    clear: Callable[[Session], int]


#: Each pull stream and the local copy it fills. Later features add theirs here.
COPIES: dict[str, _Copy] = {
    mall_catalog.STREAM: _Copy(mall_catalog.upsert, mall_catalog.remove, mall_catalog.clear),
    billers.STREAM: _Copy(billers.upsert, billers.remove, billers.clear),
    hub_config.STREAM: _Copy(hub_config.upsert, hub_config.remove, hub_config.clear),
    # Applying a result also moves its payment on (and may raise a refund task), in the
    # page's transaction; clearing the copy never touches the payments.
    billpay_results.STREAM: _Copy(
        billpay_results.upsert, billpay_results.remove, billpay_results.clear
    ),
}

PageItem = (
    mall_catalog.MallItemData
    | billers.BillerData
    | hub_config.ConfigValue
    | billpay_results.BillResultData
)


@dataclass(frozen=True)
class Upsert:
    key: str
    item: PageItem


@dataclass(frozen=True)
class Delete:
    key: str


Change = Upsert | Delete


@dataclass(frozen=True)
class StreamPosition:
    stream: str
    cursor: str | None
    last_pulled_at: dt.datetime | None
    resyncs: int


def _copy(stream: str) -> _Copy:
    try:
        return COPIES[stream]
    except KeyError:
        raise InvalidInput(
            f"unknown stream {stream!r}; known: {', '.join(sorted(COPIES))}"
        ) from None


def stream_position(shop: Shop, stream: str) -> StreamPosition:
    _copy(stream)
    with shop.store.read() as session:
        row = session.get(SyncStream, stream)
        if row is None:
            return StreamPosition(stream, None, None, 0)
        return StreamPosition(stream, row.cursor, row.last_pulled_at, row.resyncs)


def _key_of(item: PageItem) -> str:
    return item.key


def apply_page(shop: Shop, stream: str, changes: Sequence[Change], cursor: str) -> int:
    """Apply a page of changes in order and store the cursor after it: one transaction.

    A change that does not fit the stream (wrong item kind, a key that is not the item's own,
    an item that breaks a rule) refuses the whole page; the copy and the cursor stay as they
    were. Returns the number of changes applied.
    """
    copy = _copy(stream)
    if not cursor:
        raise InvalidInput(f"stream {stream}: a page must carry the cursor after it")
    for given in changes:
        if isinstance(given, Upsert) and _key_of(given.item) != given.key:
            raise InvalidInput(
                f"stream {stream}: change key {given.key!r} is not its item's "
                f"({_key_of(given.item)!r}); page refused"
            )
    with shop.store.write() as session:
        # Runs of the same operation go to SQLite together; the order between runs is kept,
        # so an upsert then a delete of one key in a page ends deleted.
        run: list[Change] = []
        ends: list[Change | None] = [*changes, None]
        for change in ends:
            if run and (change is None or type(change) is not type(run[0])):
                if isinstance(run[0], Upsert):
                    copy.upsert(session, [c.item for c in run if isinstance(c, Upsert)])
                else:
                    copy.remove(session, [c.key for c in run])
                run = []
            if change is not None:
                run.append(change)
        row = session.get(SyncStream, stream)
        if row is None:
            row = SyncStream(stream=stream, resyncs=0)
            session.add(row)
        row.cursor = cursor
        row.last_pulled_at = shop.now()
    return len(changes)


def reset_stream(shop: Shop, stream: str) -> int:
    """Drop a stream's local copy and its cursor together; the next pull starts over.
    Returns the number of rows cleared. The outbox is not touched."""
    copy = _copy(stream)
    with shop.store.write() as session:
        cleared = copy.clear(session)
        row = session.get(SyncStream, stream)
        if row is None:
            row = SyncStream(stream=stream, resyncs=0)
            session.add(row)
        row.cursor = None
        row.resyncs += 1
    return cleared


# --- the agent's state ----------------------------------------------------------------------


@dataclass(frozen=True)
class SyncStatus:
    """What the window's status bar shows; `updated_at` None = the agent never ran."""

    online: bool
    last_attempt_at: dt.datetime | None
    last_success_at: dt.datetime | None
    pending_events: int
    dead_letters: int
    last_error: str | None
    updated_at: dt.datetime | None
    streams: tuple[StreamPosition, ...]


def _counts(session: Session) -> tuple[int, int]:
    rows: dict[str, int] = {
        str(status): int(n)
        for status, n in session.execute(
            select(OutboxEvent.status, func.count())
            .where(OutboxEvent.status.in_(("pending", "dead")))
            .group_by(OutboxEvent.status)
        )
    }
    return rows.get("pending", 0), rows.get("dead", 0)


def _streams(session: Session) -> tuple[StreamPosition, ...]:
    rows = {r.stream: r for r in session.scalars(select(SyncStream))}
    return tuple(
        StreamPosition(s, rows[s].cursor, rows[s].last_pulled_at, rows[s].resyncs)
        if s in rows
        else StreamPosition(s, None, None, 0)
        for s in sorted(COPIES)
    )


def record_round(shop: Shop, *, online: bool, error: str | None) -> SyncStatus:
    """The agent finished a round: online or not, and the error that ended it (None = the
    round succeeded). Counts are taken from the outbox in the same transaction."""
    now = shop.now()
    with shop.store.write() as session:
        pending, dead = _counts(session)
        row = session.get(SyncState, 1)
        if row is None:
            row = SyncState(id=1, updated_at=now)
            session.add(row)
        row.online = online
        row.last_attempt_at = now
        if error is None:
            row.last_success_at = now
        row.last_error = None if error is None else error[:1000]
        row.pending_events, row.dead_letters = pending, dead
        row.updated_at = now
        return _status(row, session)


def _status(row: SyncState | None, session: Session) -> SyncStatus:
    pending, dead = _counts(session)
    if row is None:
        return SyncStatus(False, None, None, pending, dead, None, None, _streams(session))
    return SyncStatus(
        online=row.online,
        last_attempt_at=row.last_attempt_at,
        last_success_at=row.last_success_at,
        pending_events=pending,
        dead_letters=dead,
        last_error=row.last_error,
        updated_at=row.updated_at,
        streams=_streams(session),
    )


def status(shop: Shop) -> SyncStatus:
    """The agent's last state, with the outbox counted now (the window may have sold since)."""
    with shop.store.read() as session:
        return _status(session.get(SyncState, 1), session)
