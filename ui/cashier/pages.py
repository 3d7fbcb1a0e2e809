"""The cashier window's screens, in navigation order (one explicit, greppable table)."""

from __future__ import annotations

from ui.cashier.billpay_page import BillPayPage
from ui.cashier.devices_page import DevicesPage
from ui.cashier.history_page import HistoryPage
from ui.cashier.page import Page
from ui.cashier.products_page import ProductsPage
from ui.cashier.reconcile_page import ReconcilePage
from ui.cashier.refund_page import RefundPage
from ui.cashier.reports_page import ReportsPage
from ui.cashier.sell_page import SellPage
from ui.cashier.settings_page import SettingsPage
from ui.cashier.shift_page import ShiftPage
from ui.cashier.sync_page import SyncPage

# Each screen's import and its line in PAGES are added by the screen's own change.
PAGES: list[type[Page]] = [
    SellPage,
    BillPayPage,
    RefundPage,
    ShiftPage,
    ReportsPage,
    ReconcilePage,
    HistoryPage,
    ProductsPage,
    SettingsPage,
    DevicesPage,
    SyncPage,
]
