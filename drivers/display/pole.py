"""A customer pole display (VFD, 2 lines × 20 columns) on serial, Epson ESC/POS (DM-D) commands.

Bytes: ``ESC @`` (initialise) once after opening; each frame is ``FF`` (clear), ``VT`` (cursor
home), the upper line, ``US $ 1 2`` (cursor to column 1, row 2) and the lower line, each line
cut or padded with spaces to the width. Most pole displays only have ASCII (and often a
code page with ``¥``/``£``); Chinese-capable ones take GB18030/GB2312, two columns per
character: choose `encoding`. A character the display cannot show becomes ``?``, and a line is
cut on whole characters so a two-byte character is never split.

Writes run on the display's own thread (one frame at a time, the newest frame wins when the
device is slow); a write that fails closes the port and the next frame opens it again.
`PoleDisplay.frame()` is the pure byte builder, for tests and for a simulator.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

import serial

from storebox.money import format_fen

log = logging.getLogger(__name__)

ESC, FF, VT, US = b"\x1b", b"\x0c", b"\x0b", b"\x1f"
INIT = ESC + b"@"
CLEAR = FF
HOME = VT


def move_to(column: int, row: int) -> bytes:
    """``US $ n m``: the cursor to `column`, `row` (both counted from 1)."""
    return US + b"$" + bytes([column, row])


def fit(text: str, width: int, encoding: str) -> bytes:
    """`text` encoded, cut on a character boundary to at most `width` bytes, padded with spaces."""
    out = b""
    for ch in text:
        b = ch.encode(encoding, errors="replace")
        if len(out) + len(b) > width:
            break
        out += b
    return out.ljust(width, b" ")


def frame(upper: str, lower: str, *, width: int = 20, encoding: str = "ascii") -> bytes:
    return CLEAR + HOME + fit(upper, width, encoding) + move_to(1, 2) + fit(lower, width, encoding)


def two_columns(left: str, right: str, width: int = 20) -> str:
    """'TOTAL', '21.00' → 'TOTAL          21.00' (the right text kept whole)."""
    room = max(0, width - len(right) - 1)
    return f"{left[:room]:<{room}} {right}"[-width:] if room else right[-width:]


class PoleDisplay:
    def __init__(
        self,
        url: str,
        *,
        width: int = 20,
        encoding: str = "ascii",
        baudrate: int = 9600,
        opener: Callable[..., Any] = serial.serial_for_url,
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        self.url = url
        self.width = width
        self.encoding = encoding
        self.baudrate = baudrate
        self._opener = opener
        self.on_error = on_error
        self._port: Any = None
        self._pending: bytes | None = None
        self._cond = threading.Condition()
        self._closed = False
        self._idle = threading.Event()
        self._idle.set()
        self.last_error = ""
        self._thread = threading.Thread(target=self._run, name=f"pole {url}", daemon=True)
        self._thread.start()

    # What to show -----------------------------------------------------------------------

    def frame(self, upper: str, lower: str = "") -> bytes:
        return frame(upper, lower, width=self.width, encoding=self.encoding)

    def show(self, upper: str, lower: str = "") -> None:
        """Queue a frame; returns at once. A frame still waiting is replaced (the newest wins)."""
        with self._cond:
            if self._closed:
                return
            self._pending = self.frame(upper, lower)
            self._idle.clear()
            self._cond.notify()

    def clear(self) -> None:
        self.show("", "")

    def item(self, name: str, qty: int, line_total_fen: int, total_fen: int) -> None:
        """The line just scanned above, the running total below."""
        amount = format_fen(line_total_fen, symbol="")
        self.show(
            two_columns(name, f"x{qty} {amount}", self.width),
            two_columns("TOTAL", format_fen(total_fen, symbol=""), self.width),
        )

    def total(self, total_fen: int, paid_fen: int | None = None) -> None:
        upper = two_columns("TOTAL", format_fen(total_fen, symbol=""), self.width)
        if paid_fen is None:
            self.show(upper)
        else:
            change = format_fen(max(0, paid_fen - total_fen), symbol="")
            self.show(upper, two_columns("CHANGE", change, self.width))

    def thank_you(self) -> None:
        self.show("THANK YOU".center(self.width), "WELCOME BACK".center(self.width))

    def flush(self, timeout: float = 2.0) -> bool:
        """Wait until every queued frame is written (or given up on)."""
        return self._idle.wait(timeout)

    def close(self, timeout: float = 2.0) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify()
        self._thread.join(timeout)
        self._close_port()

    # The thread -------------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            with self._cond:
                while self._pending is None and not self._closed:
                    self._cond.wait()
                if self._closed and self._pending is None:
                    return
                data, self._pending = self._pending, None
            assert data is not None
            self._write(data)
            with self._cond:
                if self._pending is None:
                    self._idle.set()

    def _write(self, data: bytes) -> None:
        try:
            if self._port is None:
                self._port = self._opener(self.url, baudrate=self.baudrate, write_timeout=1)
                self._port.write(INIT)
            self._port.write(data)
            self._port.flush()
            self.last_error = ""
        except (serial.SerialException, OSError, ValueError) as exc:
            self.last_error = f"客显不可用 / pole display unavailable: {exc}"
            log.warning("pole display %s: %s", self.url, exc)
            self._close_port()
            if self.on_error is not None:
                try:
                    self.on_error(self.last_error)
                except Exception:
                    log.exception("pole display %s: on_error failed", self.url)

    def _close_port(self) -> None:
        port, self._port = self._port, None
        if port is not None:
            try:
                port.close()
            except Exception:  # pragma: no cover
                log.debug("pole display %s: close failed", self.url, exc_info=True)
