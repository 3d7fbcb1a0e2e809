"""The cashier's window: navigation, the screens, a message bar and a truthful status bar.

The window holds who is signed in (`actor`). Locking (F12) returns to the sign-in screen
without losing the sale in progress. Screens are `Page`s listed in `ui.cashier.pages.PAGES`.
"""

from __future__ import annotations

import datetime as dt
import logging
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QStackedWidget,
    QStatusBar,
    QVBoxLayout,
    QWidget,
)

from storebox import billpay, outbox, sales, shifts
from storebox.ports import BillPay
from storebox.shop import Shop
from storebox.users import Actor
from ui.app import Language, cjk_font_available
from ui.cashier.page import Page
from ui.cashier.refund_page import RefundPage, looks_like_sale
from ui.cashier.signin import SignInScreen
from ui.customer_display import CustomerDisplay
from ui.devices import Devices
from ui.ops import CoreOp
from ui.scanner import WedgeScanner
from ui.sync_status import SyncView, read_sync_view, sync_words
from ui.widgets.icons import WHITE, icon, icon_size
from ui.widgets.keypad import add_shortcut

if TYPE_CHECKING:
    from ui.cashier.unknown_payments import UnknownPaymentsDialog

log = logging.getLogger(__name__)

STATUS_EVERY_MS = 5_000
# the window tries to start a missing sync agent at most this often (seconds)
AGENT_RETRY_S = 60.0


@dataclass(frozen=True)
class TillStatus:
    shift_user: str | None
    shift_opened: dt.datetime | None
    pending_events: int
    sync: SyncView | None = None
    #: card / wallet payments of unknown outcome no till is waiting on (the red badge)
    undecided: int = 0
    #: failed bill payments whose customer is still owed the money (the red refund badge)
    bill_refunds: int = 0


class CashierWindow(QMainWindow):
    def __init__(
        self,
        shop: Shop,
        language: Language,
        scanner: WedgeScanner | None = None,
        devices: Devices | None = None,
        config_path: Path | None = None,
        start_agent: bool = False,
    ) -> None:
        super().__init__()
        from ui.cashier.pages import PAGES  # the screens import this module's type

        self.shop = shop
        self.devices = devices
        # the config file that settings changed at the till are saved to (None: not saved)
        self.config_path = config_path
        # start `storebox sync` (detached) when the shop is enrolled and none runs
        self.start_agent = start_agent
        self._agent_tried_at: float | None = None
        self._agent_process: subprocess.Popen[bytes] | None = None
        #: the customer's screen, when the shop has one (settings: customer_display)
        self.customer_display: CustomerDisplay | None = None
        #: the biller platform (便民缴费) through the hub: the composition root (`run.build`)
        #: sets it when the shop is enrolled; None, bill payments are offline-only
        self.billpay: BillPay | None = None
        self.language = language
        self.actor: Actor | None = None
        self.scanner = scanner
        self.setObjectName("cashierWindow")
        self.resize(1366, 768)

        central = QWidget(self)
        root = QVBoxLayout(central)
        root.setContentsMargins(0, 0, 0, 0)
        root.setSpacing(0)

        self.top = QFrame(central)
        self.top.setObjectName("topBar")
        top = QHBoxLayout(self.top)
        self.shop_label = QLabel(shop.settings.store_name, self.top)
        self.shop_label.setObjectName("shopName")
        self.user_label = QLabel(self.top)
        self.user_label.setObjectName("userLabel")
        self.lock_button = QPushButton(self.top)
        self.lock_button.setObjectName("lockButton")
        self.lock_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.lock_button.setIcon(icon("lock", WHITE))
        self.lock_button.setIconSize(icon_size(20))
        self.lock_button.clicked.connect(self.lock)
        top.addWidget(self.shop_label)
        top.addStretch(1)
        top.addWidget(self.user_label)
        top.addWidget(self.lock_button)
        root.addWidget(self.top)

        self.message = QLabel(central)
        self.message.setObjectName("messageBar")
        self.message.setWordWrap(True)
        self.message.hide()
        self._message_timer = QTimer(self)
        self._message_timer.setSingleShot(True)
        self._message_timer.timeout.connect(self.message.hide)
        root.addWidget(self.message)

        body = QHBoxLayout()
        body.setSpacing(0)
        self.nav = QFrame(central)
        self.nav.setObjectName("nav")
        nav = QVBoxLayout(self.nav)
        self.nav_buttons: dict[str, QPushButton] = {}
        self.stack = QStackedWidget(central)
        self.pages: dict[str, Page] = {}
        for page_type in PAGES:
            page = page_type(self)
            self.pages[page.key] = page
            self.stack.addWidget(page)
            button = QPushButton(self.nav)
            button.setObjectName("navButton")
            button.setCheckable(True)
            button.setIcon(icon(page.key, on=WHITE))  # white on the checked (teal) button
            button.setIconSize(icon_size(22))
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(self._opener(page.key))
            nav.addWidget(button)
            self.nav_buttons[page.key] = button
            if page.shortcut:
                add_shortcut(self, page.shortcut, self._opener(page.key))
        nav.addStretch(1)
        self.signin = SignInScreen(self)
        self.signin.signed_in.connect(self.sign_in)
        self.stack.addWidget(self.signin)
        body.addWidget(self.nav)
        body.addWidget(self.stack, 1)
        root.addLayout(body, 1)
        self.setCentralWidget(central)

        self.status = QStatusBar(self)
        self.setStatusBar(self.status)
        self.status_user = QLabel(self)
        self.status_shift = QLabel(self)
        self.status_sync = QLabel(self)
        self.status_sync.setObjectName("syncState")
        self.status_pending = QLabel(self)
        self.status_dead = QLabel(self)
        self.status_dead.setObjectName("syncDead")
        self.status_dead.hide()
        self.status_devices = QLabel(self)
        # the red badge: payments of unknown outcome; a click opens the owner's dialog
        self.status_unknown = QPushButton(self)
        self.status_unknown.setObjectName("danger")
        self.status_unknown.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.status_unknown.clicked.connect(self.open_unknown_payments)
        self.status_unknown.hide()
        self.status.addWidget(self.status_unknown)
        # failed bill payments owed back to customers: cannot be hidden until refunded
        self.status_bill_refunds = QPushButton(self)
        self.status_bill_refunds.setObjectName("danger")
        self.status_bill_refunds.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.status_bill_refunds.clicked.connect(self.open_bill_refunds)
        self.status_bill_refunds.hide()
        self.status.addWidget(self.status_bill_refunds)
        self.status_font = QLabel(self)
        self.status_font.setObjectName("warning")
        for label in (
            self.status_user,
            self.status_shift,
            self.status_sync,
            self.status_pending,
            self.status_dead,
            self.status_devices,
        ):
            self.status.addPermanentWidget(label)
        self.status.addWidget(self.status_font)
        self.last_status: TillStatus | None = None
        #: the unknown-payments dialog while it is open (tests drive it)
        self.unknown_dialog: UnknownPaymentsDialog | None = None
        self.has_cjk_font = cjk_font_available()
        if not self.has_cjk_font:
            log.warning("no font that can draw Chinese is installed (Debian: fonts-noto-cjk)")

        add_shortcut(self, "F12", self.lock)
        self._status_timer = QTimer(self)
        self._status_timer.timeout.connect(self.refresh_status)
        self._status_timer.start(STATUS_EVERY_MS)

        if scanner is not None:
            scanner.scanned.connect(self.on_scan)
        if devices is not None:
            # the serial scanner reads on its own thread: its codes cross to this thread queued
            # and then take the keyboard-wedge scanner's path
            devices.scanned.connect(self.on_scan, Qt.ConnectionType.QueuedConnection)
            devices.changed.connect(self.retranslate_status, Qt.ConnectionType.QueuedConnection)
        self.retranslate()
        self.lock()
        self.refresh_status()

    # People ------------------------------------------------------------------------------

    def sign_in(self, actor: Actor) -> None:
        self.actor = actor
        self.nav.setEnabled(True)
        for key, button in self.nav_buttons.items():
            button.setVisible(actor.is_owner or not self.pages[key].owner_only)
        self.retranslate()
        self.show_page(next(iter(self.pages)))
        self.refresh_status()

    def lock(self) -> None:
        """Back to the sign-in screen; the sale in progress stays as it is."""
        self.actor = None
        self.nav.setEnabled(False)
        for button in self.nav_buttons.values():
            button.setChecked(False)
        self.stack.setCurrentWidget(self.signin)
        self.signin.load_people()
        self.retranslate()

    # Screens -----------------------------------------------------------------------------

    def current_page(self) -> Page | None:
        widget = self.stack.currentWidget()
        return widget if isinstance(widget, Page) else None

    def _opener(self, key: str) -> Callable[[], None]:
        return lambda: self.show_page(key)

    def show_page(self, key: str) -> None:
        if self.actor is None:
            return
        page = self.pages[key]
        if page.owner_only and not self.actor.is_owner:
            self.show_error(self.tr("Only the owner can open this screen."))
            return
        for k, button in self.nav_buttons.items():
            button.setChecked(k == key)
        self.stack.setCurrentWidget(page)
        page.activate()

    def on_scan(self, code: str) -> None:
        if self.actor is None:
            self.show_error(self.tr("Sign in before scanning."))
            return
        page = self.current_page()
        refund = self.pages.get("refund")
        if isinstance(refund, RefundPage) and page is not refund and looks_like_sale(code):
            refund.open_sale(code)  # a receipt scanned anywhere: the customer is bringing it back
            return
        if page is not None and page.on_scan(code):
            return
        sell = self.pages.get("sell")
        if sell is not None and sell is not page:
            self.show_page("sell")
            sell.on_scan(code)

    def set_customer_display(self, mode: str) -> None:
        """The customer's screen on (`window`) or off, at once (settings: customer_display)."""
        if mode == "window" and self.customer_display is None:
            display = CustomerDisplay(shop_name=self.shop.settings.store_name)
            display.place_on_screen()
            display.show()
            self.customer_display = display
        elif mode != "window" and self.customer_display is not None:
            display, self.customer_display = self.customer_display, None
            display.close()
            display.deleteLater()

    # Messages and status -----------------------------------------------------------------

    def show_error(self, text: str) -> None:
        self._show_message(text, "error")

    def show_info(self, text: str) -> None:
        self._show_message(text, "info")

    def _show_message(self, text: str, kind: str) -> None:
        self.message.setText(text)
        self.message.setProperty("kind", kind)
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.show()
        self._message_timer.start(8_000 if kind == "error" else 4_000)

    def refresh_status(self) -> None:
        shop = self.shop
        devices = self.devices

        def read() -> TillStatus:
            if devices is not None:
                devices.refresh()
            with shop.store.read() as session:
                shift = shifts.current_shift(session, shop)
                name = shifts._user_name(session, shift.user_id) if shift else None
                pending = outbox.pending_count(session)
                opened = shift.opened_at if shift else None
            undecided = len(sales.undecided_attempts(shop))
            owed = len(billpay.refund_tasks(shop))
            return TillStatus(name, opened, pending, read_sync_view(shop), undecided, owed)

        CoreOp(self, read).success(self._show_status).run()

    def _show_status(self, status: TillStatus) -> None:
        self.last_status = status
        self.retranslate_status()
        if status.sync is not None:
            self._maybe_start_agent(status.sync)
            page = self.current_page()
            if page is not None and page.key == "sync":
                page.activate()

    def open_bill_refunds(self) -> None:
        """The bill-payment screen's list of today's payments, the refund owed chosen."""
        page = self.pages.get("billpay")
        open_refunds = getattr(page, "open_refunds", None)
        if callable(open_refunds) and self.actor is not None:
            open_refunds()

    def open_unknown_payments(self) -> None:
        """The owner's dialog for payments of unknown outcome (after the owner's PIN)."""
        from ui.cashier.unknown_payments import open_unknown_payments

        def opened(dialog: UnknownPaymentsDialog) -> None:
            self.unknown_dialog = dialog
            dialog.finished.connect(self._unknown_closed)

        open_unknown_payments(self, self.shop, self.devices, opened)

    def _unknown_closed(self) -> None:
        self.unknown_dialog = None
        self.refresh_status()
        for page in self.pages.values():  # the sell screen's own banner, the 对账 screen
            refresh = getattr(page, "check_open_payments", None)
            if callable(refresh) and page.isVisible():
                refresh()

    def _maybe_start_agent(self, view: SyncView) -> None:
        """Start the sync agent, detached, when the shop is enrolled and none runs (at most
        every AGENT_RETRY_S; a duplicate started meanwhile by someone else exits at once)."""
        if not self.start_agent or not view.enrolled or view.agent_pid is not None:
            return
        now = time.monotonic()
        if self._agent_tried_at is not None and now - self._agent_tried_at < AGENT_RETRY_S:
            return
        self._agent_tried_at = now
        self.launch_agent()

    def launch_agent(self) -> bool:
        """Start `storebox sync` for this shop now, detached (it outlives the window, as
        Maestral's daemon outlives its GUI: sales made just before closing still reach the
        hub). True if a process was started."""
        from sync import agent_process

        try:
            process = agent_process.start(
                self.shop.settings.data_dir,
                config_path=self.config_path,
                hub_url=self.shop.settings.hub_url,
                detached=True,
            )
        except OSError as exc:
            log.error("could not start the sync agent: %s", exc)
            self.show_error(self.tr("Could not start the sync agent: %1").replace("%1", str(exc)))
            return False
        log.info("started the sync agent, pid %s", process.pid)
        self._agent_process = process  # reaped by the OS's init once the window exits
        return True

    def retranslate_status(self) -> None:
        who = self.actor.name if self.actor else self.tr("nobody")
        self.status_user.setText(self.tr("Signed in: %1").replace("%1", who))
        status = self.last_status
        if status is None or status.shift_user is None:
            self.status_shift.setText(self.tr("No open shift"))
        else:
            opened = (
                status.shift_opened.astimezone(self.shop.settings.zone)
                if status.shift_opened
                else None
            )
            since = opened.strftime("%H:%M") if opened else ""
            self.status_shift.setText(
                self.tr("Shift: %1 since %2").replace("%1", status.shift_user).replace("%2", since)
            )
        view = status.sync if status else None
        words = sync_words(view, self.shop.settings.hub_url, self.shop.now())
        self.status_sync.setText(words.state)
        self.status_sync.setToolTip(words.detail)
        self.status_sync.setProperty("state", words.tone)
        self.status_sync.style().unpolish(self.status_sync)
        self.status_sync.style().polish(self.status_sync)
        pending = view.status.pending_events if view else (status.pending_events if status else 0)
        self.status_pending.setText(self.tr("Waiting to sync: %1").replace("%1", str(pending)))
        dead = view.status.dead_letters if view else 0
        self.status_dead.setVisible(dead > 0)
        self.status_dead.setText(self.tr("Refused by the hub: %1").replace("%1", str(dead)))
        undecided = status.undecided if status else 0
        self.status_unknown.setVisible(undecided > 0)
        self.status_unknown.setText(
            self.tr("%1 payments of unknown outcome").replace("%1", str(undecided))
        )
        owed = status.bill_refunds if status else 0
        self.status_bill_refunds.setVisible(owed > 0)
        self.status_bill_refunds.setText(
            self.tr("%1 failed bill payments to refund").replace("%1", str(owed))
        )
        sell = self.pages.get("sell")
        show_owed = getattr(sell, "show_bill_refunds", None)
        if callable(show_owed):
            show_owed(owed)
        if self.devices is None:
            self.status_devices.setText(self.tr("Devices: none configured"))
        else:
            self.status_devices.setText(self.devices.status_text())
        if not self.has_cjk_font:
            self.status_font.setText(
                self.tr("No Chinese font installed (fonts-noto-cjk): Chinese shows as boxes")
            )

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("storebox — till"))
        self.lock_button.setText(self.tr("Lock (F12)"))
        if self.actor is None:
            self.user_label.setText(self.tr("Locked"))
        else:
            role = self.tr("owner") if self.actor.is_owner else self.tr("cashier")
            self.user_label.setText(f"{self.actor.name} · {role}")
        for key, page in self.pages.items():
            label = page.title()
            if page.shortcut:
                label += f"  {page.shortcut}"
            self.nav_buttons[key].setText(label)
        self.retranslate_status()

    def closeEvent(self, event: QCloseEvent) -> None:
        self._status_timer.stop()
        if self.devices is not None:
            self.devices.close()
        if self.customer_display is not None:
            self.customer_display.close()
        super().closeEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
