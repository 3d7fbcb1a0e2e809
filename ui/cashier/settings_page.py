"""Settings at the till: the language (switched at once, no restart)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QVBoxLayout

from ui.app import LANGUAGES
from ui.cashier.page import Page

if TYPE_CHECKING:
    from ui.cashier.window import CashierWindow


class SettingsPage(Page):
    key = "settings"
    shortcut = "F7"

    def __init__(self, window: CashierWindow) -> None:
        super().__init__(window)
        layout = QVBoxLayout(self)
        self.heading = QLabel(self)
        self.heading.setObjectName("pageTitle")
        layout.addWidget(self.heading)
        form = QFormLayout()
        self.language_label = QLabel(self)
        self.language = QComboBox(self)
        self.language.setObjectName("languageChoice")
        self.language.setMaximumWidth(320)
        for code, name in LANGUAGES.items():
            self.language.addItem(name, code)
        self.language.currentIndexChanged.connect(self._language_chosen)
        form.addRow(self.language_label, self.language)
        layout.addLayout(form)
        layout.addStretch(1)
        self.retranslate()

    def title(self) -> str:
        return self.tr("Settings")

    def activate(self) -> None:
        index = self.language.findData(self.win.language.current)
        self.language.blockSignals(True)
        self.language.setCurrentIndex(max(0, index))
        self.language.blockSignals(False)

    def _language_chosen(self) -> None:
        code = str(self.language.currentData())
        if code != self.win.language.current and not self.win.language.set(code):
            self.win.show_error(self.tr("That translation is missing; run ./dev to build it."))

    def retranslate(self) -> None:
        self.heading.setText(self.tr("Settings"))
        self.language_label.setText(self.tr("Language"))
