"""Starting the cashier window: application, language, scanner filter, window."""

from __future__ import annotations

from pathlib import Path

from storebox import config
from storebox.shop import Shop
from ui.app import Language, application
from ui.cashier.window import CashierWindow
from ui.devices import Devices
from ui.ops import reset_tasks
from ui.scanner import WedgeScanner


def build(
    shop: Shop,
    language_code: str,
    printer_url: str | None = None,
    terminal_url: str | None = None,
    config_path: Path | None = None,
) -> tuple[CashierWindow, Language, WedgeScanner]:
    """The window and what it needs. `printer_url` / `terminal_url` (not None) override the
    settings (the demo prints to `png:<data_dir>/receipts` and talks to the terminal
    simulator). Settings changed at the till are saved to `config_path` (default: the file
    `storebox.config.config_file()` names)."""
    app = application()
    language = Language()
    language.set(language_code)
    scanner = WedgeScanner(app, max_gap_ms=shop.settings.scanner_gap_ms)
    scanner.install(app)
    devices = Devices.from_settings(shop, printer_url, terminal_url=terminal_url)
    window = CashierWindow(
        shop, language, scanner, devices, config_path=config_path or config.config_file()
    )
    window.set_customer_display(shop.settings.customer_display)
    return window, language, scanner


def run(
    shop: Shop,
    language_code: str,
    printer_url: str | None = None,
    terminal_url: str | None = None,
    config_path: Path | None = None,
) -> int:
    window, _language, _scanner = build(
        shop, language_code, printer_url, terminal_url, config_path
    )
    window.show()
    app = application()
    try:
        return app.exec()
    finally:
        if window.devices is not None:
            window.devices.close()
        reset_tasks()
