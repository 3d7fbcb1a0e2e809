"""A touch keypad for PINs and amounts: big buttons, works with the keyboard too."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QGridLayout, QPushButton, QSizePolicy, QWidget


class Keypad(QWidget):
    """Digits, back-space and OK. Emits `key` for a digit or '.', `back`, `ok`."""

    key = Signal(str)
    back = Signal()
    ok = Signal()

    def __init__(self, parent: QWidget | None = None, *, with_point: bool = False) -> None:
        super().__init__(parent)
        self.setObjectName("keypad")
        grid = QGridLayout(self)
        grid.setSpacing(8)
        labels = ["7", "8", "9", "4", "5", "6", "1", "2", "3"]
        for i, label in enumerate(labels):
            grid.addWidget(self._button(label, partial(self.key.emit, label)), i // 3, i % 3)
        if with_point:
            grid.addWidget(self._button(".", lambda: self.key.emit(".")), 3, 0)
        self._back = self._button("⌫", self.back.emit)
        grid.addWidget(self._back, 3, 0 if not with_point else 2)
        grid.addWidget(self._button("0", lambda: self.key.emit("0")), 3, 1)
        self._ok = self._button("OK", self.ok.emit)
        self._ok.setObjectName("primary")
        if with_point:
            grid.addWidget(self._ok, 4, 0, 1, 3)
        else:
            grid.addWidget(self._ok, 3, 2)

    def set_ok_text(self, text: str) -> None:
        self._ok.setText(text)

    def _button(self, text: str, slot: Callable[[], object]) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName("keypadButton")
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button.setMinimumSize(72, 60)
        button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        button.clicked.connect(slot)
        return button


def add_shortcut(parent: QWidget, key: str, slot: Callable[[], object]) -> QShortcut:
    """A window-wide keyboard shortcut (kept alive by its parent)."""
    shortcut = QShortcut(QKeySequence(key), parent)
    shortcut.activated.connect(slot)
    return shortcut
