"""The outbox: events for the hub, written in the same transaction as the change itself.

Writing the event with the change (rather than sending it afterwards) is what makes a crash
between "sale committed" and "hub told" harmless: the sync agent finds the event on its next
round. Each event id is the idempotency key the hub enforces with a UNIQUE constraint.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storebox import journal
from storebox.db import raw
from storebox.db.models import OutboxEvent
from storebox.ids import new_id

_INSERT = raw.insert_sql(
    "outbox", ("event_id", "kind", "payload_json", "created_at", "status", "attempts")
)


def enqueue(
    session: raw.Handle,
    *,
    event_id: str,
    at: dt.datetime,
    kind: str,
    payload: Any = None,
    payload_json: str | None = None,
) -> None:
    raw.connection(session).execute(
        _INSERT,
        {
            "event_id": event_id,
            "kind": kind,
            "payload_json": journal.canonical(payload) if payload_json is None else payload_json,
            "created_at": raw.db_datetime(at),
            "status": "pending",
            "attempts": 0,
        },
    )


def pending_count(session: Session) -> int:
    return session.scalar(select(func.count()).where(OutboxEvent.status == "pending")) or 0


def record(
    session: raw.Handle, *, at: dt.datetime, kind: str, ref_id: str | None, payload: dict[str, Any]
) -> str:
    """Journal a money event and queue it for the hub, under one id, in the caller's transaction."""
    event_id = new_id()
    body = journal.canonical({"ref_id": ref_id, **payload})  # one spelling for both records
    journal.append(session, entry_id=event_id, at=at, kind=kind, ref_id=ref_id, payload_json=body)
    enqueue(session, event_id=event_id, at=at, kind=kind, payload_json=body)
    return event_id
