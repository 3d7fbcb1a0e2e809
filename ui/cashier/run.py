"""Starting the cashier window: application, language, scanner filter, window."""

from __future__ import annotations

from storebox.shop import Shop
from ui.app import Language, application
from ui.cashier.window import CashierWindow
from ui.customer_display import CustomerDisplay
from ui.devices import Devices
from ui.ops import reset_tasks
from ui.scanner import WedgeScanner


def build(
    shop: Shop, language_code: str, printer_url: str | None = None
) -> tuple[CashierWindow, Language, WedgeScanner]:
    """The window and what it needs. `printer_url` (not None) overrides the `printer_url`
    setting (the demo prints to `png:<data_dir>/receipts`)."""
    app = application()
    language = Language()
    language.set(language_code)
    scanner = WedgeScanner(app, max_gap_ms=shop.settings.scanner_gap_ms)
    scanner.install(app)
    devices = Devices.from_settings(shop, printer_url)
    window = CashierWindow(shop, language, scanner, devices)
    if shop.settings.customer_display == "window":
        display = CustomerDisplay(shop_name=shop.settings.store_name)
        display.place_on_screen()
        display.show()
        window.customer_display = display
    return window, language, scanner


def run(shop: Shop, language_code: str, printer_url: str | None = None) -> int:
    window, _language, _scanner = build(shop, language_code, printer_url)
    window.show()
    app = application()
    try:
        return app.exec()
    finally:
        if window.devices is not None:
            window.devices.close()
        reset_tasks()
