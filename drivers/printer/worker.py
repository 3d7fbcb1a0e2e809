"""The print worker: takes queued jobs from the database one at a time and prints them, and
`QueuedReceiptPrinter`, the core's `ReceiptPrinter` port on top of the queue.

One pass (`run_once`):
1. ask the printer's status; paper out, cover open or offline: leave the queue alone and wait
   (the job stays 'queued'; unknown is tried, because a one-way printer never answers);
2. claim the oldest queued job — it is 'printing' and committed before a byte is sent;
3. send it: done. Refused before anything was sent (printer gone): back to 'queued'.
   Broken half-way, or a document that cannot be drawn: 'failed', never resent on its own.

At start the worker turns jobs left 'printing' by a crash into 'failed' (they may be on
paper): printing them again is the person's explicit decision (`reprint`, marked 重打印).
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
import threading
from typing import Any

from drivers.printer.driver import PrinterDriver, PrinterStatus, PrintFailed
from storebox import printing
from storebox.shop import Shop

log = logging.getLogger(__name__)


class Outcome(enum.StrEnum):
    IDLE = "idle"  # nothing queued
    WAITING = "waiting"  # the printer cannot print now; jobs stay queued
    PRINTED = "printed"
    REQUEUED = "requeued"  # nothing was sent; the job waits for the printer
    FAILED = "failed"


#: A cash sale's receipt opens the drawer only if it prints this soon after it was queued; a
#: receipt that waited for the printer to come back must not open the drawer by surprise.
DRAWER_WINDOW = dt.timedelta(minutes=2)


class PrintWorker:
    def __init__(self, shop: Shop, printer: PrinterDriver, poll_seconds: float = 1.0) -> None:
        self.shop = shop
        self.printer = printer
        self.poll_seconds = poll_seconds
        self.last_status = PrinterStatus.UNKNOWN
        self.interrupted: list[str] = printing.recover_interrupted(shop)
        for job_id in self.interrupted:
            log.warning("print job %s was interrupted; it waits for an explicit reprint", job_id)

    def run_once(self) -> Outcome:
        if printing.queued_count(self.shop) == 0:
            return Outcome.IDLE
        self.last_status = self.printer.status()
        if not self.last_status.can_print:
            return Outcome.WAITING
        job = printing.claim_next(self.shop)
        if job is None:
            return Outcome.IDLE
        try:
            fresh = self.shop.now() - job.created_at <= DRAWER_WINDOW
            self.printer.print_job(
                job.kind, job.payload, job.reprint, name=job.id, allow_drawer=fresh
            )
        except PrintFailed as exc:
            if exc.sent_nothing:
                printing.mark_unsent(self.shop, job.id, str(exc))
                self.last_status = PrinterStatus.OFFLINE
                return Outcome.REQUEUED
            printing.mark_failed(self.shop, job.id, str(exc))
            return Outcome.FAILED
        except Exception as exc:  # a payload the template cannot draw: never loops
            log.exception("print job %s cannot be printed", job.id)
            printing.mark_failed(self.shop, job.id, f"{type(exc).__name__}: {exc}")
            return Outcome.FAILED
        printing.mark_done(self.shop, job.id)
        return Outcome.PRINTED

    def drain(self, limit: int = 1000) -> list[Outcome]:
        """Print until nothing is queued or the printer cannot take more."""
        outcomes: list[Outcome] = []
        for _ in range(limit):
            outcome = self.run_once()
            outcomes.append(outcome)
            if outcome in (Outcome.IDLE, Outcome.WAITING, Outcome.REQUEUED):
                break
        return outcomes

    def run_forever(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                outcome = self.run_once()
            except Exception:
                log.exception("print worker pass failed")
                outcome = Outcome.WAITING
            if outcome is not Outcome.PRINTED:
                stop.wait(self.poll_seconds)


class QueuedReceiptPrinter:
    """`storebox.ports.ReceiptPrinter`: `print_document` queues (it never loses a job while the
    printer is away); the worker prints. `open_drawer` goes straight to the printer."""

    def __init__(self, shop: Shop, printer: PrinterDriver) -> None:
        self.shop = shop
        self.printer = printer

    def print_document(
        self, kind: str, payload: dict[str, object], *, reprint: bool = False
    ) -> str:
        self.printer.render(kind, payload, reprint)  # a kind with no template fails here, now
        return printing.enqueue(self.shop, kind, dict[str, Any](payload), reprint)

    def reprint(self, job_id: str) -> str:
        return printing.reprint(self.shop, job_id)

    def open_drawer(self) -> None:
        self.printer.open_drawer()
