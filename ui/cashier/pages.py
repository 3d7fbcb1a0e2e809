"""The cashier window's screens, in navigation order (one explicit, greppable table)."""

from __future__ import annotations

from ui.cashier.page import Page
from ui.cashier.settings_page import SettingsPage

PAGES: list[type[Page]] = [
    SettingsPage,
]
