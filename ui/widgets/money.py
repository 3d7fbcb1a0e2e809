"""Entering an amount of money: a field that takes yuan with at most two decimals.

Money is integer fen everywhere (`storebox.money`); this field is the edge where text becomes
fen. No input method: an amount is never Chinese, and a pinyin IME must not hold the digits.
"""

from __future__ import annotations

from PySide6.QtCore import QRegularExpression, Qt, Signal
from PySide6.QtGui import QFocusEvent, QRegularExpressionValidator
from PySide6.QtWidgets import QLineEdit, QWidget

from storebox.errors import InvalidInput
from storebox.money import parse_yuan

#: up to ¥9,999,999.99 as typed: digits, an optional point and two decimals
_AMOUNT = QRegularExpression(r"[0-9]{0,7}(\.[0-9]{0,2})?")


def fen_text(fen: int) -> str:
    """1234 → '12.34' (what the field shows; no currency sign, no thousands separator)."""
    whole, part = divmod(fen, 100)
    return f"{whole}.{part:02d}"


class MoneyEdit(QLineEdit):
    #: the field took the focus (an on-screen keypad then types into it)
    focused = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("moneyField")
        self.setValidator(QRegularExpressionValidator(_AMOUNT, self))
        self.setPlaceholderText("0.00")
        self.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)
        self.setInputMethodHints(
            Qt.InputMethodHint.ImhFormattedNumbersOnly | Qt.InputMethodHint.ImhNoPredictiveText
        )

    def fen(self) -> int | None:
        """The amount in fen, or None while the field holds no amount."""
        try:
            return parse_yuan(self.text())
        except InvalidInput:
            return None

    def parsed(self) -> int:
        """The amount in fen; raises InvalidInput with a message for the person."""
        return parse_yuan(self.text())

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.focused.emit()

    def set_fen(self, fen: int) -> None:
        """Show an amount, selected, so that the next digit typed replaces it."""
        self.setText(fen_text(fen))
        self.selectAll()
