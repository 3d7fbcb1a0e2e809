"""Starting the cashier window: application, language, scanner filter, window."""

from __future__ import annotations

import logging
from collections.abc import Callable
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
    from sync.billpay import HubBillPay
    from sync.client import HubClient
    from sync.wallet import HubWallet

log = logging.getLogger(__name__)


def _hub_client(shop: Shop, what: str) -> HubClient | None:
    """The shop's typed hub client when it is enrolled (None otherwise, or when the hub URL
    cannot be used: the till sells on without it, and says `what` is off in the log)."""
    enrolled = syncstate.enrolment(shop)
    if enrolled is None:
        return None
    # imported here: a till with no hub never loads the HTTP client (start-up time)
    from sync.client import HubClient, HubError

    hub_url = shop.settings.hub_url.strip() or enrolled.hub_url
    try:
        return HubClient(hub_url, enrolled.token)
    except HubError as exc:
        log.warning("%s are off: %s", what, exc.message)
        return None


def wallet_port(shop: Shop) -> HubWallet | None:
    """The wallet port (付款码, and the shop's dynamic QR) of this shop: the hub's acquirer
    through `sync.wallet.HubWallet` when the shop is enrolled with a hub; None otherwise (the
    sell screen then says wallet payments need the hub). Tests hand `Devices.wallet` a port."""
    client = _hub_client(shop, "wallet payments")
    if client is None:
        return None
    from sync.wallet import HubWallet

    return HubWallet(client)


def billpay_port(shop: Shop, online: Callable[[], bool] | None = None) -> HubBillPay | None:
    """The biller platform (便民缴费) through the hub: `sync.billpay.HubBillPay` when the shop is
    enrolled; None otherwise (then only top-ups within the hub's offline limits can be taken).
    Its own client: the wallet's may be waiting on a minute-long poll. `online` is the cheap
    signal the adapter asks before a payment is taken as online. Tests set
    `CashierWindow.billpay` to a fake."""
    client = _hub_client(shop, "bill payments")
    if client is None:
        return None
    from sync.billpay import HubBillPay

    return HubBillPay(client, online=online)


def agent_says_online(window: CashierWindow) -> Callable[[], bool]:
    """The sync agent's last word on the hub, as the status bar last read it (every few
    seconds, off the UI thread): a running agent whose last round failed means the hub cannot
    be reached now, so a bill payment is taken under the offline limits at once instead of
    after a connect timeout. No running agent, or none that ever ran: no word, ask the hub (a
    failed call makes the adapter offline for a while by itself)."""

    def online() -> bool:
        status = window.last_status  # an immutable snapshot: safe to read from any thread
        view = status.sync if status is not None else None
        if view is None or view.agent_pid is None or view.status.updated_at is None:
            return True
        return view.status.online

    return online


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
    window.billpay = billpay_port(shop, agent_says_online(window))
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
