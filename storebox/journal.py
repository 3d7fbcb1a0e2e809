"""The hash-chained journal of money events.

Each entry's hash covers the previous entry's hash and the entry's own content, so changing,
inserting or removing any entry breaks the chain from that point on. SQLite triggers already
refuse UPDATE and DELETE; the chain catches what goes around SQLite (a hand-edited file, a
restored partial backup). Appends happen inside the caller's BEGIN IMMEDIATE transaction, so
two processes can never both take the same `seq` (and the PRIMARY KEY would refuse it anyway).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storebox.db import raw
from storebox.db.models import JournalEntry

GENESIS = "0" * 64


def canonical(payload: Any) -> str:
    """The one JSON spelling of a payload: sorted keys, no spaces, UTF-8 kept as is."""
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def entry_hash(
    prev_hash: str,
    seq: int,
    entry_id: str,
    at: dt.datetime,
    kind: str,
    ref_id: str | None,
    payload_json: str,
) -> str:
    body = canonical(
        {
            "seq": seq,
            "id": entry_id,
            "at": at.astimezone(dt.UTC).isoformat(),
            "kind": kind,
            "ref_id": ref_id,
            "payload": payload_json,
        }
    )
    return hashlib.sha256(f"{prev_hash}\n{body}".encode()).hexdigest()


_LAST = "SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1"
_INSERT = raw.insert_sql(
    "journal", ("seq", "id", "at", "kind", "ref_id", "payload_json", "prev_hash", "hash")
)


def append(
    session: raw.Handle,
    *,
    entry_id: str,
    at: dt.datetime,
    kind: str,
    ref_id: str | None,
    payload: Any = None,
    payload_json: str | None = None,
) -> str:
    """Append one entry in the caller's transaction; returns its hash.

    Plain SQL on the transaction's own connection (`storebox.db.raw`): this runs inside every
    sale.
    """
    conn = raw.connection(session)
    last = raw.one(conn, _LAST)
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    if payload_json is None:
        payload_json = canonical(payload)
    digest = entry_hash(prev, seq, entry_id, at, kind, ref_id, payload_json)
    conn.execute(
        _INSERT,
        {
            "seq": seq,
            "id": entry_id,
            "at": raw.db_datetime(at),
            "kind": kind,
            "ref_id": ref_id,
            "payload_json": payload_json,
            "prev_hash": prev,
            "hash": digest,
        },
    )
    return digest


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    entries: int
    first_broken_seq: int | None = None
    problem: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "entries": self.entries,
            "first_broken_seq": self.first_broken_seq,
            "problem": self.problem,
        }


def verify(session: Session) -> ChainReport:
    """Walk the chain from the start; name the first entry that does not hold."""
    prev = GENESIS
    expected_seq = 1
    count = 0
    rows = session.execute(select(JournalEntry).order_by(JournalEntry.seq)).scalars()
    for entry in rows:
        count += 1
        if entry.seq != expected_seq:
            return ChainReport(
                False, count, expected_seq, f"entry {expected_seq} is missing (next is {entry.seq})"
            )
        if entry.prev_hash != prev:
            return ChainReport(
                False, count, entry.seq, f"entry {entry.seq} does not link to entry {entry.seq - 1}"
            )
        recomputed = entry_hash(
            entry.prev_hash,
            entry.seq,
            entry.id,
            entry.at,
            entry.kind,
            entry.ref_id,
            entry.payload_json,
        )
        if recomputed != entry.hash:
            return ChainReport(
                False, count, entry.seq, f"entry {entry.seq} was altered after it was written"
            )
        prev = entry.hash
        expected_seq += 1
    return ChainReport(True, count)
