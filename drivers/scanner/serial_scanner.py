"""A serial (USB-CDC / RS-232) barcode scanner on its own thread.

A scanner in virtual-serial mode sends each code as bytes ended by CR, LF or CR LF. No focus,
no input method, no keystroke timing: the robust production mode (the keyboard-wedge filter in
`ui.scanner` is for the scanners a shop already owns).

`SerialScanner(url, on_code)` opens `serial.serial_for_url(url)` (``/dev/ttyACM0``,
``/dev/serial/by-id/…``, ``COM3``, ``loop://``, ``rfc2217://host:port`` — anything pyserial
takes), reads on a daemon thread, splits on CR/LF, normalises each code
(`storebox.barcodes.normalize`: full width → ASCII, whitespace dropped, upper case) and calls
`on_code(code)`. What is not a code — bytes that are not printable ASCII, a line longer than
`max_length` — goes to `on_reject(raw, reason)`, never to `on_code`, and never stops the reader.

When the device disappears (unplugged, the pty's other end closed, a read error) the scanner
says so (`on_state`) and opens the URL again after a back-off that doubles from `backoff_min`
to `backoff_max` seconds; a successful open resets it. States: ``connecting`` (first attempt),
``connected``, ``disconnected`` (was connected, lost it), ``error`` (could not open), ``stopped``.

Every callback runs on the scanner's thread: a Qt caller must hand it over with a queued
signal. A callback that raises is logged and does not kill the reader. Payment codes pass
through here too, so a code is never logged whole (`storebox.scancodes.mask`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import serial

from storebox.barcodes import normalize
from storebox.scancodes import mask

log = logging.getLogger(__name__)

TERMINATORS = b"\r\n"


class ScannerState(StrEnum):
    STOPPED = "stopped"
    CONNECTING = "connecting"
    CONNECTED = "connected"
    DISCONNECTED = "disconnected"
    ERROR = "error"


@dataclass(frozen=True)
class Status:
    state: ScannerState
    #: what went wrong (disconnected / error), for the status bar and the log
    detail: str = ""


Opener = Callable[..., Any]


def decode_line(raw: bytes, max_length: int = 64) -> tuple[str | None, str]:
    """One line from the scanner (no terminator) → (code, "") or (None, reason)."""
    if len(raw) > max_length:
        return None, f"码太长（{len(raw)} 字节）/ line too long: {len(raw)} bytes > {max_length}"
    bad = [b for b in raw if b < 0x20 or b > 0x7E]
    if bad:
        return None, (
            f"含非 ASCII 或控制字节（{bad[0]:#04x}）/ "
            f"not printable ASCII: byte {bad[0]:#04x} at position {raw.index(bad[0])}"
        )
    code = normalize(raw.decode("ascii"))
    if not code:
        return None, "空行 / empty line"
    return code, ""


class LineSplitter:
    """Bytes as they arrive → complete lines; a code split across reads is joined."""

    def __init__(self, max_length: int = 64) -> None:
        self.max_length = max_length
        self._buf = bytearray()
        self._overflow = False

    def feed(self, data: bytes) -> list[bytes]:
        lines: list[bytes] = []
        for byte in data:
            if byte in TERMINATORS:
                if self._buf or self._overflow:
                    lines.append(bytes(self._buf) if not self._overflow else self._too_long())
                self._buf.clear()
                self._overflow = False
            elif not self._overflow:
                self._buf.append(byte)
                if len(self._buf) > self.max_length:
                    self._overflow = True  # keep the first bytes only; reject at the end
        return lines

    def _too_long(self) -> bytes:
        return bytes(self._buf)

    def reset(self) -> None:
        self._buf.clear()
        self._overflow = False


class SerialScanner:
    def __init__(
        self,
        url: str,
        on_code: Callable[[str], None],
        *,
        on_state: Callable[[Status], None] | None = None,
        on_reject: Callable[[bytes, str], None] | None = None,
        baudrate: int = 9600,
        max_length: int = 64,
        backoff_min: float = 0.5,
        backoff_max: float = 10.0,
        read_timeout: float = 0.1,
        opener: Opener = serial.serial_for_url,
    ) -> None:
        self.url = url
        self.on_code = on_code
        self.on_state = on_state
        self.on_reject = on_reject
        self.baudrate = baudrate
        self.max_length = max_length
        self.backoff_min = backoff_min
        self.backoff_max = backoff_max
        self.read_timeout = read_timeout
        self._opener = opener
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._status = Status(ScannerState.STOPPED)
        self._port: Any = None
        self.reconnects = 0

    # Control ------------------------------------------------------------------------------

    @property
    def status(self) -> Status:
        return self._status

    @property
    def state(self) -> ScannerState:
        return self._status.state

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=f"scanner {self.url}", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout)
        self._close()
        self._set(ScannerState.STOPPED)

    def __enter__(self) -> SerialScanner:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # The thread ---------------------------------------------------------------------------

    def _run(self) -> None:
        delay = self.backoff_min
        self._set(ScannerState.CONNECTING)
        while not self._stop.is_set():
            try:
                self._port = self._opener(
                    self.url, baudrate=self.baudrate, timeout=self.read_timeout
                )
            except (serial.SerialException, OSError, ValueError) as exc:
                self._set(ScannerState.ERROR, f"无法打开扫码枪 / cannot open {self.url}: {exc}")
                self._stop.wait(delay)
                delay = min(delay * 2, self.backoff_max)
                continue
            delay = self.backoff_min
            self._set(ScannerState.CONNECTED)
            detail = self._read_until_lost()
            self._close()
            if self._stop.is_set():
                break
            self.reconnects += 1
            self._set(ScannerState.DISCONNECTED, detail)
            self._stop.wait(delay)
            delay = min(delay * 2, self.backoff_max)

    def _read_until_lost(self) -> str:
        splitter = LineSplitter(self.max_length)
        port = self._port
        while not self._stop.is_set():
            try:
                data = port.read(max(1, port.in_waiting))
            except (serial.SerialException, OSError, TypeError, AttributeError) as exc:
                # TypeError/AttributeError: pyserial on a port closed under it by stop()
                return f"扫码枪已断开 / scanner lost: {exc}"
            if not data:
                continue
            for line in splitter.feed(data):
                self._deliver(line)
        return ""

    def _deliver(self, line: bytes) -> None:
        code, reason = decode_line(line, self.max_length)
        if code is None:
            log.info("scanner %s: rejected %d bytes: %s", self.url, len(line), reason)
            self._call(self.on_reject, line, reason)
            return
        log.debug("scanner %s: %s", self.url, mask(code) if len(code) >= 16 else code)
        self._call(self.on_code, code)

    def _call(self, fn: Callable[..., None] | None, *args: Any) -> None:
        if fn is None:
            return
        try:
            fn(*args)
        except Exception:
            log.exception("scanner %s: a callback failed", self.url)

    def _set(self, state: ScannerState, detail: str = "") -> None:
        status = Status(state, detail)
        if status == self._status:
            return
        self._status = status
        if detail:
            log.warning("scanner %s: %s (%s)", self.url, state.value, detail)
        else:
            log.info("scanner %s: %s", self.url, state.value)
        self._call(self.on_state, status)

    def _close(self) -> None:
        port, self._port = self._port, None
        if port is not None:
            try:
                port.close()
            except Exception:  # pragma: no cover - closing a vanished device
                log.debug("scanner %s: close failed", self.url, exc_info=True)
