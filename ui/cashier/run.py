"""Starting the cashier window: application, language, scanner filter, window."""

from __future__ import annotations

from storebox.shop import Shop
from ui.app import Language, application
from ui.cashier.window import CashierWindow
from ui.ops import reset_tasks
from ui.scanner import WedgeScanner


def build(shop: Shop, language_code: str) -> tuple[CashierWindow, Language, WedgeScanner]:
    app = application()
    language = Language()
    language.set(language_code)
    scanner = WedgeScanner(app, max_gap_ms=shop.settings.scanner_gap_ms)
    scanner.install(app)
    window = CashierWindow(shop, language, scanner)
    return window, language, scanner


def run(shop: Shop, language_code: str) -> int:
    window, _language, _scanner = build(shop, language_code)
    window.show()
    app = application()
    try:
        return app.exec()
    finally:
        reset_tasks()
