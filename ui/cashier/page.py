"""What every screen of the cashier window is: a widget with a title, a shortcut, a way to
refresh itself when shown, and a way to redraw its texts when the language changes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from ui.cashier.window import CashierWindow


class Page(QWidget):
    #: the key in the window's navigation (also the object name, for style and tests)
    key = "page"
    #: the function key that opens it
    shortcut = ""
    #: shown only to the owner in the navigation
    owner_only = False

    def __init__(self, window: CashierWindow) -> None:
        super().__init__(window)
        self.win = window
        self.shop = window.shop
        self.setObjectName(self.key)

    def title(self) -> str:
        raise NotImplementedError

    def activate(self) -> None:
        """Called each time the page is shown: refresh what it displays."""

    def on_scan(self, code: str) -> bool:
        """A barcode scan arrived while this page is shown; True if the page used it."""
        return False

    def retranslate(self) -> None:
        """Set every visible text again (the language changed)."""

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
