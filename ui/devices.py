"""The till's devices, built from the settings: receipt printer, card terminal, serial scanner and
pole display. (The customer's screen is a window of the till: `CashierWindow.set_customer_display`.)

Every call to a device runs off the UI thread, on that device's own thread (Electrum's
`run_in_hwd_thread`): each device has one single-thread executor for opening, closing, testing
and checking it, and the drivers' own threads besides (the print worker printing the
persistent queue, the scanner's reader, the pole display's writer). The window only reads what a
device last said (`health`) and hears of changes through `changed`; answers to a call the
window asked for come back on the UI thread through `call(...)`'s callback.

- **Printer** (`printer_url`): the driver is opened, the core gets a `QueuedReceiptPrinter`
  (printing queues a job in the local database) and a `PrintWorker` prints the queue on the
  printer's daemon thread, asking the printer's status while idle.
- **Terminal** (`terminal_url`): a `CheckedTerminal` (the ZVT client), registered and asked a
  status enquiry when opened and every `terminal_check_s` seconds. Card payments run on the
  terminal's thread too (`ui.cashier.payment`), so nothing else talks to it meanwhile.
- **Wallet** (`wallet`): the `WalletPayments` port the composition root gives (the hub's).
- **Scanner** (`scanner_url`): a `SerialScanner`; each code read is emitted as `scanned` (on
  the scanner's thread; connect it queued), the same path a keyboard-wedge scan takes.
- **Pole display** (`pole_display_url`): a `PoleDisplay`, cleared when opened.

`apply(settings)` reopens the devices whose URL changed, without a restart. `close()` stops
every thread and closes every device.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal

from drivers.display.pole import PoleDisplay, two_columns
from drivers.printer.driver import PrinterDriver, PrinterStatus, open_printer
from drivers.printer.escpos_bytes import PrinterProfile
from drivers.printer.worker import Outcome, PrintWorker, QueuedReceiptPrinter
from drivers.scanner.serial_scanner import ScannerState, SerialScanner, Status
from drivers.terminal.health import CheckedTerminal
from drivers.terminal.health import Health as TerminalHealth
from storebox import printing, till_devices
from storebox.config import Settings
from storebox.money import format_fen
from storebox.ports import ReceiptPrinter, WalletPayments
from storebox.shop import Shop

log = logging.getLogger(__name__)

# how often an idle worker asks the printer how it is (seconds)
STATUS_EVERY_S = 5.0
# how often the terminal is asked whether it is there (seconds)
TERMINAL_CHECK_S = 30.0
# how soon a terminal that did not answer its last check is asked again: one switched on after
# the till (or slow to wake) shows as ready within seconds rather than half a minute
TERMINAL_RETRY_S = 5.0
# the ZVT client's waits (seconds): an ACK, the first answer, each message until completion
TERMINAL_TIMEOUTS: dict[str, float] = {
    "ack_timeout": 2.0,
    "answer_timeout": 5.0,
    "completion_timeout": 30.0,
}


class Kind(enum.StrEnum):
    PRINTER = "printer"
    TERMINAL = "terminal"
    SCANNER = "scanner"
    POLE = "pole"


# each device's setting
URL_SETTING = {
    Kind.PRINTER: "printer_url",
    Kind.TERMINAL: "terminal_url",
    Kind.SCANNER: "scanner_url",
    Kind.POLE: "pole_display_url",
}


class State(enum.StrEnum):
    NONE = "none"  # not configured
    OPENING = "opening"  # opening or being asked for the first time
    READY = "ready"
    UNKNOWN = "unknown"  # there, but it does not say how it is (a one-way printer)
    PROBLEM = "problem"  # cannot open, lost, out of paper, not answering


@dataclass(frozen=True)
class Health:
    state: State
    # what the device or its driver said (a reason, a terminal id), in the person's words
    detail: str = ""


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


#: the printer's state in the health report's (untranslated) words
PRINTER_DETAIL = {
    PrinterStatus.OK: "ready",
    PrinterStatus.NEAR_END: "paper nearly out",
    PrinterStatus.PAPER_OUT: "out of paper",
    PrinterStatus.COVER_OPEN: "cover open",
    PrinterStatus.OFFLINE: "offline",
    PrinterStatus.UNKNOWN: "does not report its status",
}


def device_name(kind: Kind) -> str:
    return {
        Kind.PRINTER: QCoreApplication.translate("Devices", "Printer"),
        Kind.TERMINAL: QCoreApplication.translate("Devices", "Card terminal"),
        Kind.SCANNER: QCoreApplication.translate("Devices", "Scanner"),
        Kind.POLE: QCoreApplication.translate("Devices", "Pole display"),
    }[kind]


def printer_words(status: PrinterStatus) -> str:
    return {
        PrinterStatus.OK: QCoreApplication.translate("Devices", "ready"),
        PrinterStatus.NEAR_END: QCoreApplication.translate("Devices", "paper nearly out"),
        PrinterStatus.PAPER_OUT: QCoreApplication.translate("Devices", "out of paper"),
        PrinterStatus.COVER_OPEN: QCoreApplication.translate("Devices", "cover open"),
        PrinterStatus.OFFLINE: QCoreApplication.translate("Devices", "offline"),
        PrinterStatus.UNKNOWN: QCoreApplication.translate("Devices", "status unknown"),
    }[status]


#: the pole display's words for a terminal's prompt (either language): a pole display has ASCII
#: only and 20 columns, so the customer reads a short English cue there and the full prompt on
#: the terminal, the payment dialog and the customer's screen. Keywords, not one protocol's codes.
POLE_CUES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("次数超限", "try limit"), "PIN TRIES EXCEEDED"),
    (("密码错误", "incorrect pin", "wrong pin"), "WRONG PIN, TRY AGAIN"),
    (("密码键盘", "pin pad"), "PIN: SEE PIN PAD"),
    (("密码", "pin"), "PIN ..."),
    (("取卡", "remove"), "REMOVE CARD"),
    (("插卡", "insert", "tap", "swipe"), "CARD: INSERT/TAP"),
    (("确认金额", "confirm the amount"), "CONFIRM AMOUNT"),
    (("余额不足", "超出限额", "not sufficient"), "NOT ENOUGH FUNDS"),
    (("卡不受理", "未知卡", "卡已过期", "无效卡", "卡无法读取"), "CARD NOT ACCEPTED"),
    (("批准", "approved"), "APPROVED"),
    (("拒绝", "declined"), "DECLINED"),
    (("稍候", "wait", "银行", "host"), "PLEASE WAIT ..."),
)


def pole_cue(prompt: str) -> str:
    """A terminal's prompt as the pole display shows it: a known cue, the prompt itself when it
    is plain ASCII, else "FOLLOW THE TERMINAL"."""
    low = prompt.lower()
    for words, cue in POLE_CUES:
        if any(w in low for w in words):
            return cue
    if prompt.isascii() and prompt.strip():
        return prompt.strip().upper()[:20]
    return "FOLLOW THE TERMINAL"


class Devices(QObject):
    # a code read by the serial scanner (emitted on the scanner's thread)
    scanned = Signal(str)
    # a device's health changed, or a device was opened or closed (emitted on any thread)
    changed = Signal()
    _finished = Signal(object)

    def __init__(
        self,
        shop: Shop,
        settings: Settings | None = None,
        poll_seconds: float = 1.0,
        terminal_check_s: float = TERMINAL_CHECK_S,
    ) -> None:
        super().__init__()
        self.shop = shop
        self.settings = settings or shop.settings
        self.poll_seconds = poll_seconds
        self.urls = {kind: "" for kind in Kind}
        # the printer
        self.printer: ReceiptPrinter | None = None
        self.driver: PrinterDriver | None = None
        self.worker: PrintWorker | None = None
        self.error: str | None = None
        # jobs waiting in the queue, as last read by `refresh` (None: not read yet)
        self.queued: int | None = None
        self._stop = threading.Event()  # the print worker's
        self._threads: list[threading.Thread] = []
        # the others
        self.terminal: CheckedTerminal | None = None
        # wallet payments (付款码) through the hub's acquirer: given by the composition root
        # (ui.cashier.run) when the shop has a hub; None = the wallet tender is not offered
        self.wallet: WalletPayments | None = None
        self.scanner: SerialScanner | None = None
        self.pole: PoleDisplay | None = None
        self.last_code = ""
        self._health: dict[Kind, Health] = {kind: Health(State.NONE) for kind in Kind}
        self._pools = {
            kind: ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"storebox-{kind}")
            for kind in Kind
        }
        self._checking = False
        self._closed = False
        # the last snapshot written for the sync agent (record_health)
        self._recorded: list[till_devices.TillDevice] | None = None
        self._recorded_at: dt.datetime | None = None
        self._finished.connect(self._deliver)
        self._terminal_check_s = terminal_check_s
        self._terminal_checked_at = 0.0  # time.monotonic() of the last check's answer
        self._terminal_timer = QTimer(self)
        self._terminal_timer.timeout.connect(self._tick_terminal)
        self._terminal_timer.start(int(min(terminal_check_s, TERMINAL_RETRY_S) * 1000))

        # The printer opens here, at once: the core needs its port before the first sale.
        url = self.settings.printer_url.strip()
        if url:
            self.urls[Kind.PRINTER] = url
            self._open_printer(url)
        for kind in (Kind.TERMINAL, Kind.SCANNER, Kind.POLE):
            url = str(getattr(self.settings, URL_SETTING[kind])).strip()
            if url:
                self._reopen(kind, url)

    @classmethod
    def from_settings(
        cls,
        shop: Shop,
        printer_url: str | None = None,
        poll_seconds: float = 1.0,
        terminal_url: str | None = None,
    ) -> Devices:
        """The devices of `shop`'s settings; `printer_url` / `terminal_url` (not None) override
        the setting (the demo prints to images and talks to the terminal simulator)."""
        settings = shop.settings
        if printer_url is not None:
            settings = replace(settings, printer_url=printer_url)
        if terminal_url is not None:
            settings = replace(settings, terminal_url=terminal_url)
        return cls(shop, settings, poll_seconds)

    # Calls off the UI thread ------------------------------------------------------------

    def call(
        self,
        kind: Kind,
        fn: Callable[[], Any],
        done: Callable[[Future[Any]], None],
        parent: QObject | None = None,
    ) -> None:
        """Run `fn` on `kind`'s own thread; `done(future)` runs back on the UI thread (not at
        all when `parent`, the widget that asked, has been deleted meanwhile)."""
        if self._closed:
            return
        future = self._pools[kind].submit(fn)
        future.add_done_callback(lambda f: self._finished.emit((f, done, parent)))

    def _deliver(self, item: tuple[Future[Any], Callable[[Future[Any]], None], Any]) -> None:
        future, done, parent = item
        if parent is not None and not shiboken6.isValid(parent):
            return
        done(future)

    def _set(self, kind: Kind, health: Health) -> None:
        if self._health[kind] != health:
            self._health[kind] = health
            self.changed.emit()

    # Health -----------------------------------------------------------------------------

    def health(self, kind: Kind) -> Health:
        if kind is Kind.PRINTER:
            if self.error is not None:
                return Health(State.PROBLEM, self.error)
            if self.worker is None:
                return Health(State.OPENING if self.urls[kind] else State.NONE)
            status = self.worker.last_status
            state = {
                PrinterStatus.OK: State.READY,
                PrinterStatus.UNKNOWN: State.UNKNOWN,
                PrinterStatus.NEAR_END: State.READY,
            }.get(status, State.PROBLEM)
            return Health(state, printer_words(status))
        return self._health[kind]

    @property
    def printer_status(self) -> PrinterStatus | None:
        return self.worker.last_status if self.worker is not None else None

    def refresh(self) -> None:
        """Read the queue's size and write the devices' states for the sync agent's health
        report (call on the core thread, through CoreOp)."""
        if self.printer is not None:
            self.queued = printing.queued_count(self.shop)
        self.record_health()

    def snapshot(self) -> list[till_devices.TillDevice]:
        """Every device as the hub should hear of it (protocol.DeviceState's words): a device
        that is opening or does not say how it is stays 'unknown', never 'ok'."""
        out: list[till_devices.TillDevice] = []
        for kind in Kind:
            url = self.urls[kind]
            health = self.health(kind)
            state = {
                State.NONE: "off",
                State.OPENING: "unknown",
                State.UNKNOWN: "unknown",
                State.READY: "ok",
                State.PROBLEM: "error",
            }[health.state]
            if kind is Kind.PRINTER and self.printer_status is PrinterStatus.NEAR_END:
                state = "warning"
            detail: str | None = None
            if kind is Kind.PRINTER and self.error is None and self.printer_status is not None:
                detail = PRINTER_DETAIL[self.printer_status]
            if detail is None:
                detail = health.detail or ("" if state == "off" else str(health.state))
            out.append(till_devices.TillDevice(str(kind), url, state, detail))
        return out

    def record_health(self) -> bool:
        """Write the snapshot if it changed or the last one is older than the heartbeat (on the
        core thread). True if written."""
        if self._closed:
            return False
        devices = self.snapshot()
        now = self.shop.now()
        if (
            devices == self._recorded
            and self._recorded_at is not None
            and now - self._recorded_at < till_devices.HEARTBEAT
        ):
            return False
        till_devices.record(self.shop, devices)
        self._recorded, self._recorded_at = devices, now
        return True

    def status_text(self) -> str:
        """One line for the status bar: every configured device and how it is."""
        parts: list[str] = []
        if self.error is not None:
            parts.append(
                QCoreApplication.translate("Devices", "Printer: cannot open (%1)").replace(
                    "%1", self.error
                )
            )
        elif self.printer_status is not None:
            text = QCoreApplication.translate("Devices", "Printer: %1").replace(
                "%1", printer_words(self.printer_status)
            )
            if self.queued:
                text += " · " + QCoreApplication.translate(
                    "Devices", "%1 waiting to print"
                ).replace("%1", str(self.queued))
            parts.append(text)
        for kind in (Kind.TERMINAL, Kind.SCANNER, Kind.POLE):
            health = self._health[kind]
            if health.state is State.NONE:
                continue
            words = {
                State.OPENING: QCoreApplication.translate("Devices", "connecting"),
                State.READY: QCoreApplication.translate("Devices", "ready"),
                State.UNKNOWN: QCoreApplication.translate("Devices", "status unknown"),
                State.PROBLEM: QCoreApplication.translate("Devices", "not available"),
            }[health.state]
            parts.append(
                QCoreApplication.translate("Devices", "%1: %2")
                .replace("%1", device_name(kind))
                .replace("%2", words)
            )
        return " · ".join(parts) or QCoreApplication.translate(
            "Devices", "Devices: none configured"
        )

    # Opening, closing, applying new settings --------------------------------------------

    def apply(self, settings: Settings) -> list[Kind]:
        """Use `settings` from now on: every device whose URL changed is closed and opened
        again on its own thread (the printer's width counts as its URL). Returns those kinds."""
        old, self.settings = self.settings, settings
        changed: list[Kind] = []
        for kind, name in URL_SETTING.items():
            url = str(getattr(settings, name)).strip()
            width_changed = kind is Kind.PRINTER and old.printer_width != settings.printer_width
            if url != self.urls[kind] or width_changed:
                changed.append(kind)
                self._reopen(kind, url)
        return changed

    def _reopen(self, kind: Kind, url: str) -> None:
        self.urls[kind] = url
        if kind is not Kind.PRINTER:
            self._set(kind, Health(State.OPENING) if url else Health(State.NONE))
        opener = {
            Kind.PRINTER: self._reopen_printer,
            Kind.TERMINAL: self._reopen_terminal,
            Kind.SCANNER: self._reopen_scanner,
            Kind.POLE: self._reopen_pole,
        }[kind]
        self.call(kind, lambda: opener(url), self._log_failure)

    def _log_failure(self, future: Future[Any]) -> None:
        exc = future.exception()
        if exc is not None:
            log.error("a device could not be opened or closed", exc_info=exc)

    # the printer

    def _open_printer(self, url: str) -> None:
        profile = (
            PrinterProfile.mm80() if self.settings.printer_width == 80 else PrinterProfile.mm58()
        )
        try:
            driver = open_printer(url, profile, self.settings.zone)
            worker = _Worker(self.shop, driver, self.poll_seconds)
        except Exception as exc:  # a bad URL or a port that cannot be opened: the till runs on
            log.exception("cannot open the receipt printer %s", url)
            self.error = str(exc) or type(exc).__name__
            return
        self.error = None
        self.driver = driver
        self.worker = worker
        self.printer = QueuedReceiptPrinter(self.shop, driver)
        self._stop = threading.Event()
        thread = threading.Thread(
            target=worker.run_forever, args=(self._stop,), name="storebox-printer", daemon=True
        )
        self._threads.append(thread)
        thread.start()

    def _close_printer(self, timeout: float = 5.0) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout)
        self._threads = []
        self.printer = None
        self.worker = None
        driver, self.driver = self.driver, None
        self.error = None
        if driver is not None:
            try:
                driver.close()
            except Exception:
                log.exception("closing the receipt printer failed")

    def _reopen_printer(self, url: str) -> None:
        self._close_printer()
        if url:
            self._open_printer(url)
        self.changed.emit()

    def test_printer(self) -> PrinterStatus:
        """Print the test page `storebox devices print-test` prints; then ask the status.
        Runs on the printer's thread (`call(Kind.PRINTER, ...)`); raises when it failed."""
        driver = self.driver
        if driver is None:
            raise RuntimeError(self.error or "no printer")
        driver.print_job("test", {"at": dt.datetime.now(dt.UTC).isoformat()}, name="test-page")
        status = driver.status()
        if self.worker is not None:
            self.worker.last_status = status
        self.changed.emit()
        return status

    # the terminal

    def _reopen_terminal(self, url: str) -> None:
        old, self.terminal = self.terminal, None
        if old is not None:
            old.close()
        if url:
            lang = "en" if self.settings.language == "en" else "zh"
            waits = TERMINAL_TIMEOUTS
            self.terminal = CheckedTerminal(
                url,
                ack_timeout=waits["ack_timeout"],
                answer_timeout=waits["answer_timeout"],
                completion_timeout=waits["completion_timeout"],
                lang=lang,
            )
            self._check_terminal_now()

    def _tick_terminal(self) -> None:
        """The timer: a ready terminal is asked every terminal_check_s, one in trouble sooner."""
        ready = self._health[Kind.TERMINAL].state is State.READY
        if ready and time.monotonic() - self._terminal_checked_at < self._terminal_check_s:
            return
        self.check_terminal()

    def check_terminal(self) -> None:
        """Ask the terminal how it is, on its own thread (the timer's tick; the test button)."""
        if self.terminal is None or self._checking:
            return
        self._checking = True
        self.call(Kind.TERMINAL, self._check_terminal_now, self._checked)

    def _checked(self, future: Future[Any]) -> None:
        self._checking = False
        self._log_failure(future)

    def _check_terminal_now(self) -> TerminalHealth | None:
        terminal = self.terminal
        if terminal is None:
            return None
        result = terminal.check()
        self._terminal_checked_at = time.monotonic()
        if result.ready:
            detail = f"TID {result.terminal_id}" if result.terminal_id else ""
            self._set(Kind.TERMINAL, Health(State.READY, detail))
        else:
            self._set(Kind.TERMINAL, Health(State.PROBLEM, result.message))
        return result

    def test_terminal(self) -> TerminalHealth | None:
        """Registration and a status enquiry now (on the terminal's thread)."""
        return self._check_terminal_now()

    # the scanner

    def _reopen_scanner(self, url: str) -> None:
        old, self.scanner = self.scanner, None
        if old is not None:
            old.stop()
        if url:
            scanner = SerialScanner(
                url,
                self._scanner_code,
                on_state=self._scanner_state,
                on_reject=self._scanner_reject,
            )
            self.scanner = scanner
            scanner.start()

    def test_scanner(self) -> None:
        """Open the scanner's port again now (on the scanner's thread); codes read from then
        on arrive as before and the last one is `last_code`."""
        self.last_code = ""
        self._reopen_scanner(self.urls[Kind.SCANNER])
        self.changed.emit()

    def _scanner_code(self, code: str) -> None:  # on the scanner's thread
        self.last_code = code
        self.scanned.emit(code)
        self.changed.emit()

    def _scanner_reject(self, raw: bytes, reason: str) -> None:  # on the scanner's thread
        log.info("serial scanner: %s", reason)

    def _scanner_state(self, status: Status) -> None:  # on the scanner's thread
        state = {
            ScannerState.CONNECTED: State.READY,
            ScannerState.CONNECTING: State.OPENING,
            ScannerState.STOPPED: State.NONE,
        }.get(status.state, State.PROBLEM)
        if state is State.NONE and self.urls[Kind.SCANNER]:
            return  # the old scanner stopping while the new one opens
        self._set(Kind.SCANNER, Health(state, status.detail))

    # the pole display

    def _reopen_pole(self, url: str) -> None:
        old, self.pole = self.pole, None
        if old is not None:
            old.close()
        if url:
            self.pole = PoleDisplay(url)
            self.test_pole(clear=True)

    def test_pole(self, clear: bool = False) -> str:
        """Show a test line (or clear the display) and wait until written; returns the error
        ("" when written). On the pole display's thread."""
        pole = self.pole
        if pole is None:
            return "no pole display"
        if clear:
            pole.clear()
        else:
            at = dt.datetime.now(self.settings.zone).strftime("%H:%M:%S")
            pole.show("STOREBOX TEST", f"OK {at}")
        if not pole.flush(3.0):
            error = "no answer"
            self._set(Kind.POLE, Health(State.PROBLEM, error))
            return error
        if pole.last_error:
            self._set(Kind.POLE, Health(State.PROBLEM, pole.last_error))
        else:
            self._set(Kind.POLE, Health(State.READY))
        return pole.last_error

    def pole_paying(self, kind: str, amount_fen: int, prompt: str = "") -> None:
        """While a card or wallet payment runs: the amount above and a short ASCII cue below
        (the terminal's prompt through `pole_cue`; by default insert/tap the card, or confirm
        on the phone). Queued to the display's own thread: safe from any thread."""
        pole = self.pole
        if pole is None:
            return
        card = kind == "card"
        upper = two_columns("CARD" if card else "WALLET", format_fen(amount_fen, symbol=""))
        cue = pole_cue(prompt) if prompt else ("CARD: INSERT/TAP" if card else "CONFIRM ON PHONE")
        pole.show(upper, cue)

    def pole_unpaid(self, total_fen: int, *, unknown: bool) -> None:
        """After a card or wallet payment that did not go through: the total still due again,
        or — its outcome unknown — that the shop is checking it."""
        pole = self.pole
        if pole is None:
            return
        if unknown:
            pole.show("CHECKING PAYMENT", "PLEASE WAIT ...")
        else:
            pole.total(total_fen)

    # the end

    def close(self, timeout: float = 5.0) -> None:
        """Stop every device thread and close the devices (idempotent)."""
        if self._closed:
            return
        self._closed = True
        self._terminal_timer.stop()
        for pool in self._pools.values():
            pool.shutdown(wait=True, cancel_futures=True)
        self._close_printer(timeout)
        scanner, self.scanner = self.scanner, None
        if scanner is not None:
            scanner.stop()
        pole, self.pole = self.pole, None
        if pole is not None:
            pole.close()
        terminal, self.terminal = self.terminal, None
        if terminal is not None:
            terminal.close()
