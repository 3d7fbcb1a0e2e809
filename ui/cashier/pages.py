"""The cashier window's screens, in navigation order (one explicit, greppable table)."""

from __future__ import annotations

from ui.cashier.page import Page
from ui.cashier.products_page import ProductsPage
from ui.cashier.sell_page import SellPage
from ui.cashier.settings_page import SettingsPage

# Each screen's import and its line in PAGES are added by the screen's own change.
PAGES: list[type[Page]] = [
    SellPage,
    # refund, shift, reports, history
    ProductsPage,
    SettingsPage,
]
