"""Telling a keyboard-wedge barcode scanner from a person typing.

A wedge scanner "types" its code a few milliseconds per key and ends with Enter; a person
types tens to hundreds of milliseconds per key. An application-wide event filter holds back
printable keys while they might be a scan. If the keys keep coming faster than `max_gap_ms`
and end with Enter after at least `min_length` characters, it is a scan: `scanned` is emitted
and nothing reaches the focused widget (so a Chinese input method cannot swallow the digits).
Otherwise the held keys are replayed, in order, to the widget that has focus — a person never
loses a keystroke, at the cost of `max_gap_ms` of delay per pause in their typing.

The gap is a setting (`scanner_gap_ms`, 20 ms): USB wedge scanners type a key every 1–10 ms;
a slow (Bluetooth) one needs a larger gap, which every typed key then waits for. A scan the
filter misses is still not lost: its digits reach the search field, and Enter adds the code.

A serial (CDC) scanner avoids all of this; the drivers issue brings it. This filter is for the
wedge scanners most small shops already own.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


@dataclass
class _Held:
    key: int
    text: str
    modifiers: Qt.KeyboardModifier
    at: float


class WedgeScanner(QObject):
    scanned = Signal(str)

    def __init__(
        self, parent: QObject | None = None, *, max_gap_ms: int = 20, min_length: int = 6
    ) -> None:
        super().__init__(parent)
        self.max_gap_ms = max_gap_ms
        self.min_length = min_length
        self.enabled = True
        self._held: list[_Held] = []
        self._replaying = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._release)

    def install(self, app: QApplication) -> None:
        app.installEventFilter(self)

    # The filter -------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self._replaying or not self.enabled or event.type() != QEvent.Type.KeyPress:
            return False
        assert isinstance(event, QKeyEvent)
        # A key event reaches the filter once per widget on its way up; only look at the
        # first delivery (to the focus widget, or the window when nothing has focus).
        focus = QApplication.focusWidget() or QApplication.activeWindow()
        if focus is not None and watched is not focus:
            return False
        now = time.monotonic()
        if event.key() in ENTER_KEYS:
            return self._on_enter(now)
        text = event.text()
        mods = (
            event.modifiers()
            & ~Qt.KeyboardModifier.KeypadModifier
            & ~Qt.KeyboardModifier.ShiftModifier
        )
        if len(text) != 1 or not text.isprintable() or not text.isascii() or mods:
            self._release()  # a shortcut or an editing key: let the held keys go first
            return False
        if self._held and (now - self._held[-1].at) * 1000 > self.max_gap_ms:
            self._release()
        self._held.append(_Held(event.key(), text, event.modifiers(), now))
        self._timer.start(self.max_gap_ms)
        return True

    def _on_enter(self, now: float) -> bool:
        fast = bool(self._held) and (now - self._held[-1].at) * 1000 <= self.max_gap_ms
        if fast and len(self._held) >= self.min_length:
            code = "".join(h.text for h in self._held)
            self._held.clear()
            self._timer.stop()
            self.scanned.emit(code)
            return True
        self._release()
        return False

    def _release(self) -> None:
        """Give held keys to whoever has focus now, as if they had just been typed."""
        self._timer.stop()
        held, self._held = self._held, []
        if not held:
            return
        target = QApplication.focusWidget() or QApplication.activeWindow()
        if target is None:
            return
        self._replaying = True
        try:
            for h in held:
                QApplication.sendEvent(
                    target, QKeyEvent(QEvent.Type.KeyPress, h.key, h.modifiers, h.text)
                )
                QApplication.sendEvent(
                    target, QKeyEvent(QEvent.Type.KeyRelease, h.key, h.modifiers, h.text)
                )
        finally:
            self._replaying = False
