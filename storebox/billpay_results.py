"""What the biller platform says about a bill payment, and what it does to the payment here.

The hub owns bill results (DESIGN.md, "Authority"). They reach the shop three ways — the answer
to the online submit, a query, and the per-store `bill_results` stream the sync agent pulls —
and all three go through `apply_answer`, in the caller's transaction:

* a payment's status only moves forward: pending -> success or failed. A pending answer about a
  final payment, or a repeat of the same answer, changes nothing (a stream pulled again from
  the start after a resync replays every result harmlessly);
* success keeps the biller's reference and the commission the hub computed;
* failed raises the refund task (one per payment: the UNIQUE constraint, not a search, makes a
  replayed failure harmless); the money goes back to the customer when the cashier does it;
* a final answer that contradicts the final status already recorded (success after failed, or
  the reverse) is not applied: it is logged, kept in the stream's copy, and the day's statement
  reconciliation names it (status_differs).

The stream's copy (`bill_results`) is only a copy: `clear` (a resync) empties it and never
touches the payments or their refund tasks.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from storebox import journal
from storebox.db import raw
from storebox.errors import InvalidInput
from storebox.ids import new_id
from storebox.ports import BillAnswer

log = logging.getLogger(__name__)

STREAM = "bill_results"
STATUSES = ("pending", "success", "failed")
FINAL = ("success", "failed")


@dataclass(frozen=True)
class BillResultData:
    """One item of the `bill_results` stream (the hub's `BillResult`), keyed by payment_id."""

    answer: BillAnswer
    #: the item as the hub sent it (JSON-able), kept in the copy for support and reconciliation
    document: dict[str, object]

    @property
    def key(self) -> str:
        return self.answer.payment_id

    def check(self) -> None:
        if not self.answer.payment_id or len(self.answer.payment_id) > 36:
            raise InvalidInput(f"bill result: bad payment id {self.answer.payment_id!r}")
        if self.answer.status not in STATUSES:
            raise InvalidInput(f"bill result {self.key}: unknown status {self.answer.status!r}")
        if self.answer.commission_fen < 0:
            raise InvalidInput(f"bill result {self.key}: negative commission")


_PAYMENT = "SELECT status, amount_fen, tender, biller_reference FROM bill_payments WHERE id = ?"


def apply_answer(session: raw.Handle, answer: BillAnswer, now: dt.datetime) -> str:
    """Apply the platform's answer to the payment it names, in the caller's transaction.
    Returns what happened: 'unknown_payment', 'unchanged', 'success', 'failed', 'noted' (a
    pending answer that added a reference), or 'conflict'."""
    conn = raw.connection(session)
    row = raw.one(conn, _PAYMENT, (answer.payment_id,))
    if row is None:
        return "unknown_payment"
    current, amount, tender, reference = str(row[0]), int(row[1]), str(row[2]), str(row[3])
    at = raw.db_datetime(now)
    final_at = raw.db_datetime(answer.final_at or now)
    message = answer.message[:200]
    new_reference = answer.biller_reference[:64] or reference
    if answer.status == "pending":
        if current != "pending":
            return "unchanged"
        changed = conn.execute(
            "UPDATE bill_payments SET answered_at = COALESCE(answered_at, ?), "
            "biller_reference = ?, message = CASE WHEN ? <> '' THEN ? ELSE message END "
            "WHERE id = ? AND (answered_at IS NULL OR biller_reference <> ?)",
            (at, new_reference, message, message, answer.payment_id, new_reference),
        ).rowcount
        return "noted" if changed else "unchanged"
    if current == answer.status:
        if current == "failed":
            _raise_refund(conn, answer, amount, tender, now)
        return "unchanged"
    if current != "pending":
        log.warning(
            "bill payment %s is %s here but the hub now says %s; not applied (reconciliation "
            "names it)",
            answer.payment_id,
            current,
            answer.status,
        )
        return "conflict"
    if answer.status == "success":
        conn.execute(
            "UPDATE bill_payments SET status = 'success', final_at = ?, commission_fen = ?, "
            "biller_reference = ?, reason_code = '', message = ?, "
            "answered_at = COALESCE(answered_at, ?) WHERE id = ? AND status = 'pending'",
            (final_at, answer.commission_fen, new_reference, message, at, answer.payment_id),
        )
        return "success"
    conn.execute(
        "UPDATE bill_payments SET status = 'failed', final_at = ?, commission_fen = 0, "
        "biller_reference = ?, reason_code = ?, message = ?, "
        "answered_at = COALESCE(answered_at, ?) WHERE id = ? AND status = 'pending'",
        (final_at, new_reference, answer.reason_code[:40], message, at, answer.payment_id),
    )
    _raise_refund(conn, answer, amount, tender, now)
    return "failed"


def _raise_refund(
    conn: sqlite3.Connection, answer: BillAnswer, amount: int, tender: str, now: dt.datetime
) -> None:
    """The refund task of a failed payment; a second raise of it changes nothing."""
    reason = answer.message or answer.reason_code or "缴费失败 / the biller failed the payment"
    conn.execute(
        "INSERT INTO bill_refunds (id, payment_id, status, amount_fen, tender, reason, "
        "raised_at, receipt_no, masked_pan) VALUES (?, ?, 'open', ?, ?, ?, ?, '', '') "
        "ON CONFLICT (payment_id) DO NOTHING",
        (new_id(), answer.payment_id, amount, tender, reason[:200], raw.db_datetime(now)),
    )


# --- the stream's copy (storebox.syncstate) ------------------------------------------------


def upsert(session: Session, items: Sequence[object]) -> None:
    """A pulled page of results: kept in the copy, and applied to the payments they name."""
    now = dt.datetime.now(dt.UTC)
    conn = raw.connection(session)
    for item in items:
        if not isinstance(item, BillResultData):
            raise InvalidInput(
                f"the bill_results stream carries results, got {type(item).__name__}"
            )
        item.check()
        conn.execute(
            "INSERT INTO bill_results (payment_id, status, result_json, received_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (payment_id) DO UPDATE SET "
            "status = excluded.status, result_json = excluded.result_json, "
            "received_at = excluded.received_at",
            (item.key, item.answer.status, journal.canonical(item.document), raw.db_datetime(now)),
        )
        apply_answer(session, item.answer, now)


def remove(session: Session, keys: Sequence[str]) -> None:
    """The hub dropped a result from the stream: the copy forgets it; the payment keeps what
    it learnt (its status never moves back)."""
    raw.connection(session).executemany(
        "DELETE FROM bill_results WHERE payment_id = ?", [(k,) for k in keys]
    )


def clear(session: Session) -> int:
    return raw.connection(session).execute("DELETE FROM bill_results").rowcount


def stored(session: Session, payment_id: str) -> dict[str, object] | None:
    """The last result the stream brought for a payment, as the hub sent it."""
    row = raw.one(
        raw.connection(session),
        "SELECT result_json FROM bill_results WHERE payment_id = ?",
        (payment_id,),
    )
    if row is None:
        return None
    value = json.loads(row[0])
    return value if isinstance(value, dict) else None
