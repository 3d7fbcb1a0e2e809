"""Entering a PIN: a masked field fed by the keypad or the keyboard."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLineEdit, QVBoxLayout, QWidget

from ui.widgets.keypad import Keypad


class PinEntry(QWidget):
    submitted = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        self.field = QLineEdit(self)
        self.field.setObjectName("pinField")
        self.field.setEchoMode(QLineEdit.EchoMode.Password)
        self.field.setMaxLength(8)
        self.field.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # digits only, and no input method: a PIN is never Chinese
        self.field.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)
        self.field.setInputMethodHints(
            Qt.InputMethodHint.ImhDigitsOnly | Qt.InputMethodHint.ImhSensitiveData
        )
        self.field.returnPressed.connect(self._submit)
        self.keypad = Keypad(self)
        self.keypad.key.connect(self.field.insert)
        self.keypad.back.connect(self.field.backspace)
        self.keypad.ok.connect(self._submit)
        layout.addWidget(self.field)
        layout.addWidget(self.keypad)

    def clear(self) -> None:
        self.field.clear()

    def _submit(self) -> None:
        pin = self.field.text()
        self.field.clear()
        self.submitted.emit(pin)
