"""The till's devices, built once from the settings: for now the receipt printer.

With `printer_url` set, the driver is opened, the core gets a `QueuedReceiptPrinter` (printing
queues a job in the local database) and a `PrintWorker` prints the queue on the printer's own
daemon thread. Every call to the printer (jobs, status queries) happens on that thread; the
window only reads what it last saw (`last_status`) and the queue's size (`refresh`, run on the
core thread through `CoreOp`). `close()` stops the thread and closes the printer.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import replace

from PySide6.QtCore import QCoreApplication

from drivers.printer.driver import PrinterDriver, PrinterStatus, open_printer
from drivers.printer.escpos_bytes import PrinterProfile
from drivers.printer.worker import Outcome, PrintWorker, QueuedReceiptPrinter
from storebox import printing
from storebox.config import Settings
from storebox.ports import ReceiptPrinter
from storebox.shop import Shop

log = logging.getLogger(__name__)

# how often an idle worker asks the printer how it is (seconds)
STATUS_EVERY_S = 5.0


class _Worker(PrintWorker):
    """The print worker that also asks the printer's status while the queue is empty, so the
    status bar is current before the first job (never more often than `STATUS_EVERY_S`)."""

    def __init__(self, shop: Shop, printer: PrinterDriver, poll_seconds: float) -> None:
        super().__init__(shop, printer, poll_seconds)
        self._asked_at: float | None = None

    def run_once(self) -> Outcome:
        outcome = super().run_once()
        now = time.monotonic()
        if outcome is Outcome.IDLE and (
            self._asked_at is None or now - self._asked_at >= STATUS_EVERY_S
        ):
            self._asked_at = now
            self.last_status = self.printer.status()
        elif outcome is not Outcome.IDLE:
            self._asked_at = now  # run_once asked just now
        return outcome


class Devices:
    def __init__(self, shop: Shop, settings: Settings | None = None, poll_seconds: float = 1.0):
        self.shop = shop
        self.settings = settings or shop.settings
        self.printer: ReceiptPrinter | None = None
        self.driver: PrinterDriver | None = None
        self.worker: PrintWorker | None = None
        self.error: str | None = None
        # jobs waiting in the queue, as last read by `refresh` (None: not read yet)
        self.queued: int | None = None
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        url = self.settings.printer_url.strip()
        if url:
            self._open_printer(url, poll_seconds)

    @classmethod
    def from_settings(
        cls, shop: Shop, printer_url: str | None = None, poll_seconds: float = 1.0
    ) -> Devices:
        """The devices of `shop`'s settings; `printer_url` (not None) overrides the printer."""
        settings = shop.settings
        if printer_url is not None:
            settings = replace(settings, printer_url=printer_url)
        return cls(shop, settings, poll_seconds)

    def _open_printer(self, url: str, poll_seconds: float) -> None:
        profile = (
            PrinterProfile.mm80() if self.settings.printer_width == 80 else PrinterProfile.mm58()
        )
        try:
            driver = open_printer(url, profile, self.settings.zone)
            worker = _Worker(self.shop, driver, poll_seconds)
        except Exception as exc:  # a bad URL or a port that cannot be opened: the till runs on
            log.exception("cannot open the receipt printer %s", url)
            self.error = str(exc) or type(exc).__name__
            return
        self.driver = driver
        self.worker = worker
        self.printer = QueuedReceiptPrinter(self.shop, driver)
        thread = threading.Thread(
            target=worker.run_forever, args=(self._stop,), name="storebox-printer", daemon=True
        )
        self._threads.append(thread)
        thread.start()

    def refresh(self) -> None:
        """Read the queue's size (call on the core thread, through CoreOp)."""
        if self.printer is not None:
            self.queued = printing.queued_count(self.shop)

    @property
    def printer_status(self) -> PrinterStatus | None:
        return self.worker.last_status if self.worker is not None else None

    def status_text(self) -> str:
        if self.error is not None:
            return QCoreApplication.translate("Devices", "Printer: cannot open (%1)").replace(
                "%1", self.error
            )
        status = self.printer_status
        if status is None:
            return QCoreApplication.translate("Devices", "Devices: none configured")
        words = {
            PrinterStatus.OK: QCoreApplication.translate("Devices", "ready"),
            PrinterStatus.NEAR_END: QCoreApplication.translate("Devices", "paper nearly out"),
            PrinterStatus.PAPER_OUT: QCoreApplication.translate("Devices", "out of paper"),
            PrinterStatus.COVER_OPEN: QCoreApplication.translate("Devices", "cover open"),
            PrinterStatus.OFFLINE: QCoreApplication.translate("Devices", "offline"),
            PrinterStatus.UNKNOWN: QCoreApplication.translate("Devices", "status unknown"),
        }
        text = QCoreApplication.translate("Devices", "Printer: %1").replace("%1", words[status])
        if self.queued:
            text += " · " + QCoreApplication.translate("Devices", "%1 waiting to print").replace(
                "%1", str(self.queued)
            )
        return text

    def close(self, timeout: float = 5.0) -> None:
        """Stop every device thread and close the devices (idempotent)."""
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout)
        self._threads = []
        if self.driver is not None:
            try:
                self.driver.close()
            except Exception:
                log.exception("closing the receipt printer failed")
            self.driver = None
