"""Starting the cashier window: application, language, scanner filter, window."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from storebox import config, syncstate
from storebox.shop import Shop
from ui.app import Language, application
from ui.cashier.payment import PaymentRunner
from ui.cashier.window import CashierWindow
from ui.devices import Devices
from ui.ops import reset_tasks
from ui.scanner import WedgeScanner

if TYPE_CHECKING:
    from sync.wallet import HubWallet

log = logging.getLogger(__name__)


def wallet_port(shop: Shop) -> HubWallet | None:
    """The wallet port (付款码, and the shop's dynamic QR) of this shop: the hub's acquirer
    through `sync.wallet.HubWallet` when the shop is enrolled with a hub; None otherwise (the
    sell screen then says wallet payments need the hub). Tests hand `Devices.wallet` a port."""
    enrolled = syncstate.enrolment(shop)
    if enrolled is None:
        return None
    # imported here: a till with no hub never loads the HTTP client (start-up time)
    from sync.client import HubClient, HubError
    from sync.wallet import HubWallet

    hub_url = shop.settings.hub_url.strip() or enrolled.hub_url
    try:
        client = HubClient(hub_url, enrolled.token)
    except HubError as exc:  # a hub URL that cannot be used: the till sells on without it
        log.warning("wallet payments are off: %s", exc.message)
        return None
    return HubWallet(client)


def build(
    shop: Shop,
    language_code: str,
    printer_url: str | None = None,
    terminal_url: str | None = None,
    config_path: Path | None = None,
    start_agent: bool = False,
) -> tuple[CashierWindow, Language, WedgeScanner]:
    """The window and what it needs. `printer_url` / `terminal_url` (not None) override the
    settings (the demo prints to `png:<data_dir>/receipts` and talks to the terminal
    simulator). Settings changed at the till are saved to `config_path` (default: the file
    `storebox.config.config_file()` names). `start_agent`: the window starts the sync agent,
    detached, when the shop is enrolled and none runs (`storebox cashier`; the demo starts and
    stops its own)."""
    app = application()
    language = Language()
    language.set(language_code)
    scanner = WedgeScanner(app, max_gap_ms=shop.settings.scanner_gap_ms)
    scanner.install(app)
    devices = Devices.from_settings(shop, printer_url, terminal_url=terminal_url)
    devices.wallet = wallet_port(shop)
    window = CashierWindow(
        shop,
        language,
        scanner,
        devices,
        config_path=config_path or config.config_file(),
        start_agent=start_agent,
    )
    window.set_customer_display(shop.settings.customer_display)
    return window, language, scanner


def run(
    shop: Shop,
    language_code: str,
    printer_url: str | None = None,
    terminal_url: str | None = None,
    config_path: Path | None = None,
    start_agent: bool = False,
) -> int:
    window, _language, _scanner = build(
        shop, language_code, printer_url, terminal_url, config_path, start_agent=start_agent
    )
    window.show()
    app = application()
    try:
        return app.exec()
    finally:
        for page in window.pages.values():  # the wallet's thread (a hub poll may be waiting)
            for name in ("payments", "_runner"):
                runner = getattr(page, name, None)
                if isinstance(runner, PaymentRunner):
                    runner.shutdown()
        if window.devices is not None:
            window.devices.close()
        reset_tasks()
