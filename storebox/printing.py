"""The receipt printer's persistent queue, in the local database.

A document to print is a row in `print_jobs` (kind + JSON payload), written in its own
transaction or in the caller's (so a sale and its receipt commit together). The printer worker
(`drivers.printer.worker`) takes the oldest queued job and moves it

    queued -> printing -> done

marking it 'printing' and committing *before* a byte is sent. So a crash can never make it
print twice: a job found 'printing' at start-up may already be on paper, and it is not resent —
it becomes 'failed' with a note, for the person at the counter to reprint explicitly. A reprint
is a new job with `reprint` set; the receipt then carries 重打印 / REPRINT.

A job that could not be sent at all (printer offline, nothing left the shop) goes back to
'queued' and is printed once the printer returns.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from storebox.db import raw
from storebox.errors import ShopError
from storebox.ids import new_id
from storebox.shop import Shop

QUEUED, PRINTING, DONE, FAILED = "queued", "printing", "done", "failed"
INTERRUPTED = "打印中断，可能已打出：请确认后重打印 / interrupted while printing; it may be on paper: reprint explicitly"

_INSERT = raw.insert_sql(
    "print_jobs",
    ("id", "kind", "payload_json", "status", "attempts", "reprint", "created_at"),
)
_COLUMNS = "id, kind, payload_json, status, attempts, last_error, reprint, created_at, printed_at"


@dataclass(frozen=True)
class PrintJobInfo:
    id: str
    kind: str
    payload: dict[str, Any]
    status: str
    attempts: int
    last_error: str | None
    reprint: bool
    created_at: dt.datetime
    printed_at: dt.datetime | None


def _when(value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    return dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)


def _job(row: tuple[Any, ...]) -> PrintJobInfo:
    created = _when(row[7])
    assert created is not None
    return PrintJobInfo(
        id=row[0],
        kind=row[1],
        payload=json.loads(row[2]),
        status=row[3],
        attempts=row[4],
        last_error=row[5],
        reprint=bool(row[6]),
        created_at=created,
        printed_at=_when(row[8]),
    )


def enqueue(
    shop: Shop,
    kind: str,
    payload: dict[str, Any],
    reprint: bool = False,
    *,
    within: raw.Handle | None = None,
) -> str:
    """Queue a document; returns the job id. With `within`, in the caller's transaction."""
    row = {
        "id": new_id(),
        "kind": kind,
        "payload_json": json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str),
        "status": QUEUED,
        "attempts": 0,
        "reprint": 1 if reprint else 0,
        "created_at": raw.db_datetime(shop.now()),
    }
    if within is not None:
        raw.connection(within).execute(_INSERT, row)
    else:
        with shop.store.write_sql() as conn:
            conn.execute(_INSERT, row)
    return str(row["id"])


def get(shop: Shop, job_id: str) -> PrintJobInfo | None:
    with shop.store.write_sql() as conn:
        found = raw.one(conn, f"SELECT {_COLUMNS} FROM print_jobs WHERE id = ?", (job_id,))
    return _job(found) if found else None


def jobs(shop: Shop, status: str | None = None, limit: int = 100) -> list[PrintJobInfo]:
    """Newest first."""
    sql = f"SELECT {_COLUMNS} FROM print_jobs"
    params: tuple[Any, ...] = ()
    if status is not None:
        sql += " WHERE status = ?"
        params = (status,)
    sql += " ORDER BY created_at DESC, id DESC LIMIT ?"
    with shop.store.write_sql() as conn:
        return [_job(r) for r in conn.execute(sql, (*params, limit))]


def queued_count(shop: Shop) -> int:
    with shop.store.write_sql() as conn:
        return int(raw.one(conn, "SELECT count(*) FROM print_jobs WHERE status = 'queued'")[0])


def claim_next(shop: Shop) -> PrintJobInfo | None:
    """The oldest queued job, marked 'printing' (attempts + 1) and committed before returning:
    the caller may send it now. None when nothing waits."""
    with shop.store.write_sql() as conn:
        found = raw.one(
            conn,
            f"SELECT {_COLUMNS} FROM print_jobs WHERE status = 'queued' "
            "ORDER BY created_at, id LIMIT 1",
        )
        if found is None:
            return None
        conn.execute(
            "UPDATE print_jobs SET status = 'printing', attempts = attempts + 1 "
            "WHERE id = ? AND status = 'queued'",
            (found[0],),
        )
        job = _job(found)
    return PrintJobInfo(**{**job.__dict__, "status": PRINTING, "attempts": job.attempts + 1})


def _finish(shop: Shop, job_id: str, status: str, error: str | None) -> None:
    printed = raw.db_datetime(shop.now()) if status == DONE else None
    with shop.store.write_sql() as conn:
        changed = conn.execute(
            "UPDATE print_jobs SET status = ?, last_error = ?, printed_at = ? "
            "WHERE id = ? AND status = 'printing'",
            (status, error, printed, job_id),
        ).rowcount
    if changed != 1:
        raise ShopError(f"print job {job_id} is not being printed")


def mark_done(shop: Shop, job_id: str) -> None:
    _finish(shop, job_id, DONE, None)


def mark_failed(shop: Shop, job_id: str, error: str) -> None:
    """Something may have reached the paper, or the job cannot be printed at all: no resend."""
    _finish(shop, job_id, FAILED, error)


def mark_unsent(shop: Shop, job_id: str, error: str) -> None:
    """Nothing reached the printer (it was not there): back in the queue, same place."""
    _finish(shop, job_id, QUEUED, error)


def recover_interrupted(shop: Shop) -> list[str]:
    """At start-up: jobs left 'printing' by a crash become 'failed' (may be on paper), never
    resent on their own. Returns their ids, for the person at the counter."""
    with shop.store.write_sql() as conn:
        ids = [r[0] for r in conn.execute("SELECT id FROM print_jobs WHERE status = 'printing'")]
        conn.executemany(
            "UPDATE print_jobs SET status = 'failed', last_error = ? WHERE id = ?",
            [(INTERRUPTED, i) for i in ids],
        )
    return ids


def reprint(shop: Shop, job_id: str) -> str:
    """Queue an explicit reprint of a job (any status); it prints with 重打印 / REPRINT."""
    original = get(shop, job_id)
    if original is None:
        raise ShopError(f"没有这个打印任务 / no print job {job_id}")
    return enqueue(shop, original.kind, original.payload, reprint=True)


__all__ = [
    "DONE",
    "FAILED",
    "PRINTING",
    "QUEUED",
    "PrintJobInfo",
    "claim_next",
    "enqueue",
    "get",
    "jobs",
    "mark_done",
    "mark_failed",
    "mark_unsent",
    "queued_count",
    "recover_interrupted",
    "reprint",
]
