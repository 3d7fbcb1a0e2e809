"""The sell screen: scan or type, the cart, the total, take the money, a receipt, the next sale.

The money: cash (F9), card (Ctrl+K, on the terminal; with cash typed in first, the card pays the
rest — a split tender), or a customer's wallet code (付款码) scanned while the payment dialog is
open. Card and wallet payments run off the UI thread (`ui.cashier.payment`); their outcome may
be unknown, and then the dialog stays in "payment unknown" until the core has settled it.

Built for a scanner and a keyboard, usable by touch. The search field has the focus: typing
anywhere is a search (Chinese through the input method, pinyin initials, a barcode by hand);
scans never reach it — the application's `WedgeScanner` takes them and they arrive in
`on_scan`. Every frequent action has a key, shown on its button.

The cart lives on the core's worker thread: every change to it runs inside a `CoreOp` and
returns a `CartView` snapshot that the screen draws (see `ui.cashier.sell_cart`).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, QTimer
from PySide6.QtGui import QFont, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from storebox import barcodes, catalog, sales, scancodes, shifts
from storebox.catalog import ProductInfo, SearchHit
from storebox.errors import NotFound, RuleViolation, ShopError
from storebox.money import format_fen
from storebox.ports import DynamicQr, QrOrder, QrState, StatusCallback
from storebox.sales import (
    CARD,
    WALLET,
    AttemptInfo,
    Card,
    Cart,
    Cash,
    QrPaid,
    SaleReceipt,
    Tender,
    Wallet,
)
from ui.cashier.page import Page
from ui.cashier.payment import Outcome, PaymentRunner, Resolution, open_payments
from ui.cashier.sell_cart import (
    RECEIPT_WIDTH,
    CartModel,
    CartView,
    LineView,
    ReceiptLabels,
    SearchModel,
    empty_view,
    line_index,
    receipt_text,
    snapshot,
)
from ui.cashier.sell_dialogs import TENDER, PayCashDialog, PriceDialog, QtyDialog, VoidDialog
from ui.cashier.signin import ask_owner
from ui.customer_display import qr_image
from ui.ops import CoreOp, report_error
from ui.widgets.icons import WHITE, icon, icon_size
from ui.widgets.keypad import add_shortcut

if TYPE_CHECKING:
    from storebox.users import Actor
    from ui.cashier.window import CashierWindow

log = logging.getLogger(__name__)

#: how often the hub is asked whether the shop's code has been paid
QR_POLL_MS = 1_000
#: the till closes an expired code itself only this long after the hub should have (clocks differ)
QR_CLOCK_MARGIN = dt.timedelta(seconds=30)
#: search-as-you-type waits this long after the last keystroke
SEARCH_LIMIT = 8
RESULT_ROWS = 6
RESULT_ROW_HEIGHT = 38
#: an all-digit text this long, typed and Entered, is a barcode typed by hand
TYPED_CODE_MIN = 6
#: fixed-pitch faces in which a CJK character is exactly two Latin columns wide
RECEIPT_FONTS = ["Noto Sans Mono CJK SC", "Sarasa Mono SC", "WenQuanYi Zen Hei Mono", "monospace"]

ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


def is_wallet_code(code: str) -> bool:
    """A customer's wallet payment code (付款码): never a product, it is taken at payment."""
    return scancodes.is_wallet_code(code)


class SellPage(Page):
    key = "sell"
    shortcut = "F1"

    def __init__(self, window: CashierWindow) -> None:
        super().__init__(window)
        self._cart = Cart()
        self.view: CartView = empty_view(self._cart)
        self.receipt: SaleReceipt | None = None
        # the last sale paid on this screen (what Ctrl+P reprints), kept past the next scan
        self.last_receipt: SaleReceipt | None = None
        self.pay_dialog: PayCashDialog | None = None
        self.shift_open: bool | None = None
        self._paying = False
        # the card or wallet payment under way or unknown: (kind, amount)
        self._noncash: tuple[str, int] | None = None
        # the shop's dynamic code on show: (the order, the cash beside it)
        self._qr: QrOrder | None = None
        self._qr_cash = 0
        self._qr_cancelled = False
        self._qr_timer = QTimer(self)
        self._qr_timer.setSingleShot(True)
        self._qr_timer.timeout.connect(self._poll_qr)
        self.payments = PaymentRunner(window.devices, self) if window.devices else None
        if self.payments is not None:
            self.payments.prompt.connect(self._terminal_prompt)
        self._search_seq = 0
        self._shown_query: str | None = None  # the query the result list answers
        self._searching = False
        #: the text changed while a search was running: run again for the newest text
        self._rerun = False
        self._enter_pending = False
        self._user_moved = False
        self._build()
        self._shortcuts()
        self.retranslate()
        self._show_view(self.view, None)

    # Building ----------------------------------------------------------------------------

    def _build(self) -> None:
        root = QHBoxLayout(self)
        root.setContentsMargins(16, 12, 16, 12)
        root.setSpacing(16)

        left = QVBoxLayout()
        left.setSpacing(8)
        self.shift_banner = QLabel(self)
        self.shift_banner.setObjectName("shiftBanner")
        self.shift_banner.setWordWrap(True)
        self.shift_banner.hide()
        left.addWidget(self.shift_banner)
        # a card or wallet payment whose outcome is still unknown (a crash, a dead line)
        self.unknown_banner = QFrame(self)
        self.unknown_banner.setObjectName("unknownBanner")
        banner = QHBoxLayout(self.unknown_banner)
        banner.setContentsMargins(12, 8, 12, 8)
        self.unknown_text = QLabel(self.unknown_banner)
        self.unknown_text.setObjectName("unknownText")
        self.unknown_text.setWordWrap(True)
        banner.addWidget(self.unknown_text, 1)
        self.unknown_button = QPushButton(self.unknown_banner)
        self.unknown_button.setObjectName("primary")
        self.unknown_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.unknown_button.clicked.connect(partial(self.settle_open_payments, None))
        banner.addWidget(self.unknown_button)
        self.unknown_banner.hide()
        self.open_payments: tuple[AttemptInfo, ...] = ()
        left.addWidget(self.unknown_banner)
        # failed bill payments (便民缴费) whose customers are owed their money: shown until each
        # is refunded (the window's status read counts them; `show_bill_refunds`)
        self.bill_banner = QFrame(self)
        self.bill_banner.setObjectName("unknownBanner")
        bill_row = QHBoxLayout(self.bill_banner)
        bill_row.setContentsMargins(12, 8, 12, 8)
        self.bill_text = QLabel(self.bill_banner)
        self.bill_text.setObjectName("unknownText")
        self.bill_text.setWordWrap(True)
        bill_row.addWidget(self.bill_text, 1)
        self.bill_button = QPushButton(self.bill_banner)
        self.bill_button.setObjectName("primary")
        self.bill_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.bill_button.clicked.connect(self.win.open_bill_refunds)
        bill_row.addWidget(self.bill_button)
        self.bill_banner.hide()
        self.bill_refunds_owed = 0
        left.addWidget(self.bill_banner)

        self.search = QLineEdit(self)
        self.search.setObjectName("searchField")
        self.search.setClearButtonEnabled(True)
        self.search.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.search.installEventFilter(self)
        self.search.textChanged.connect(self._search_changed)
        left.addWidget(self.search)

        self.results_model = SearchModel()
        self.results = QTableView(self)
        self.results.setObjectName("searchResults")
        self.results.setModel(self.results_model)
        self._table_look(self.results, row_height=RESULT_ROW_HEIGHT)
        header = self.results.horizontalHeader()
        header.setSectionResizeMode(SearchModel.NAME, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(SearchModel.PRICE, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(SearchModel.STOCK, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(SearchModel.PRICE, 120)
        header.resizeSection(SearchModel.STOCK, 120)
        self.results.clicked.connect(self._result_tapped)
        self.results.hide()
        left.addWidget(self.results)
        self.no_match = QLabel(self)
        self.no_match.setObjectName("noMatch")
        self.no_match.hide()
        left.addWidget(self.no_match)

        self.cart_stack = QStackedWidget(self)
        self.empty = QLabel(self.cart_stack)
        self.empty.setObjectName("emptyState")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.cart_stack.addWidget(self.empty)

        self.model = CartModel()
        self.table = QTableView(self.cart_stack)
        self.table.setObjectName("cart")
        self.table.setModel(self.model)
        self._table_look(self.table, row_height=46)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(CartModel.NAME, QHeaderView.ResizeMode.Stretch)
        for column, width in (
            (CartModel.NUMBER, 44),
            (CartModel.QTY, 80),
            (CartModel.PRICE, 200),
            (CartModel.TOTAL, 130),
        ):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
            header.resizeSection(column, width)
        self.cart_stack.addWidget(self.table)

        self.receipt_panel = QWidget(self.cart_stack)
        self.receipt_panel.setObjectName("receiptPanel")
        panel = QHBoxLayout(self.receipt_panel)
        panel.setContentsMargins(8, 8, 8, 8)
        done = QVBoxLayout()
        self.paid_heading = QLabel(self.receipt_panel)
        self.paid_heading.setObjectName("paidHeading")
        self.paid_heading.setWordWrap(True)
        self.change_caption = QLabel(self.receipt_panel)
        self.change_caption.setObjectName("changeCaption")
        self.last_change = QLabel(self.receipt_panel)
        self.last_change.setObjectName("bigChange")
        self.next_hint = QLabel(self.receipt_panel)
        self.next_hint.setObjectName("emptyState")
        self.next_hint.setWordWrap(True)
        done.addWidget(self.paid_heading)
        done.addSpacing(12)
        done.addWidget(self.change_caption)
        done.addWidget(self.last_change)
        done.addSpacing(12)
        done.addWidget(self.next_hint)
        done.addStretch(1)
        self.reprint_button = self._button(self.reprint_last, "reprintButton")
        self.reprint_button.setVisible(
            self.win.devices is not None and self.win.devices.printer is not None
        )
        done.addWidget(self.reprint_button)
        panel.addLayout(done, 1)
        self.receipt_view = QPlainTextEdit(self.receipt_panel)
        self.receipt_view.setObjectName("receiptText")
        self.receipt_view.setReadOnly(True)
        self.receipt_view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.receipt_view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        font = QFont()
        font.setFamilies(RECEIPT_FONTS)
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setFixedPitch(True)
        font.setPixelSize(15)
        self.receipt_view.setFont(font)
        # 32 columns of the fixed-pitch face, and room for the frame and a scroll bar
        columns = self.receipt_view.fontMetrics().horizontalAdvance("0" * (RECEIPT_WIDTH + 2))
        self.receipt_view.setFixedWidth(columns + 40)
        panel.addWidget(self.receipt_view)
        self.cart_stack.addWidget(self.receipt_panel)
        left.addWidget(self.cart_stack, 1)

        actions = QHBoxLayout()
        actions.setSpacing(8)
        self.minus_button = self._button(lambda: self.step_qty(-1), "lineButton")
        self.plus_button = self._button(lambda: self.step_qty(+1), "lineButton")
        self.qty_button = self._button(self.ask_qty, "lineButton")
        self.price_button = self._button(self.ask_price, "lineButton")
        self.remove_button = self._button(self.remove_line, "lineButton")
        self.void_button = self._button(self.ask_void, "danger")
        self.void_button.setIcon(icon("void", WHITE))
        for button in (
            self.minus_button,
            self.plus_button,
            self.qty_button,
            self.price_button,
            self.remove_button,
        ):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.void_button)
        left.addLayout(actions)
        root.addLayout(left, 1)

        side = QFrame(self)
        side.setObjectName("sellSide")
        side.setFixedWidth(330)
        right = QVBoxLayout(side)
        right.setContentsMargins(16, 16, 16, 16)
        right.setSpacing(6)
        self.total_caption = QLabel(side)
        self.total_caption.setObjectName("totalCaption")
        self.total = QLabel(side)
        self.total.setObjectName("bigTotal")
        self.total.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.count = QLabel(side)
        self.count.setObjectName("cartCount")
        self.count.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.discount = QLabel(side)
        self.discount.setObjectName("cartDiscount")
        self.discount.setAlignment(Qt.AlignmentFlag.AlignRight)
        right.addWidget(self.total_caption)
        right.addWidget(self.total)
        right.addWidget(self.count)
        right.addWidget(self.discount)
        right.addStretch(1)
        self.pay_button = self._button(self.ask_pay, "primary")
        self.pay_button.setMinimumHeight(80)
        self.pay_button.setIcon(icon("cash", WHITE))
        self.pay_button.setIconSize(icon_size(28))
        right.addWidget(self.pay_button)
        others = QHBoxLayout()
        self.card_button = self._button(self.ask_card, "tenderButton")
        self.wallet_button = self._button(self.ask_wallet, "tenderButton")
        self.card_button.setIcon(icon("card"))
        self.wallet_button.setIcon(icon("wallet"))
        for button in (self.card_button, self.wallet_button):
            button.setIconSize(icon_size(20))
            others.addWidget(button)
        right.addLayout(others)
        self.tender_note = QLabel(side)
        self.tender_note.setObjectName("tenderNote")
        self.tender_note.setWordWrap(True)
        right.addWidget(self.tender_note)
        root.addWidget(side)

    def _table_look(self, table: QTableView, *, row_height: int) -> None:
        table.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the search field keeps the keyboard
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.setShowGrid(False)
        table.setWordWrap(False)
        table.verticalHeader().hide()
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        table.verticalHeader().setDefaultSectionSize(row_height)
        table.horizontalHeader().setHighlightSections(False)
        table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def _button(self, slot: Callable[[], object], name: str) -> QPushButton:
        button = QPushButton(self)
        button.setObjectName(name)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button.clicked.connect(slot)
        return button

    def _shortcuts(self) -> None:
        # Window-wide keys, live only while this screen is shown (a hidden page's shortcuts
        # do not fire) and not while one of its dialogs is open (the dialog is active).
        for key, slot in (
            ("F9", self.ask_pay),
            ("Ctrl+K", self.ask_card),
            ("F8", self.ask_qty),
            ("F10", self.ask_price),
            ("Del", self.remove_line),
            ("Ctrl+Del", self.ask_void),
            ("Ctrl+P", self.reprint_last),
        ):
            add_shortcut(self, key, slot)

    # Texts ---------------------------------------------------------------------------------

    def title(self) -> str:
        return self.tr("Sell")

    def retranslate(self) -> None:
        self.search.setPlaceholderText(
            self.tr("Search: name, pinyin initials (nfsq) or barcode — or just scan")
        )
        self.empty.setText(
            self.tr("Scan or type to add goods")
            + "\n\n"
            + self.tr(
                "Enter adds the chosen result · Esc clears the search · F9 cash · Ctrl+K card"
            )
        )
        self.minus_button.setText(self.tr("One less  -"))
        self.plus_button.setText(self.tr("One more  +"))
        self.qty_button.setText(self.tr("Qty  F8"))
        self.price_button.setText(self.tr("Price  F10"))
        self.price_button.setToolTip(self.tr("Changing a price needs the owner's PIN"))
        self.remove_button.setText(self.tr("Remove  Del"))
        self.void_button.setText(self.tr("Void  Ctrl+Del"))
        self.total_caption.setText(self.tr("Total"))
        self.pay_button.setText(self.tr("Pay cash  F9"))
        self.card_button.setText(self.tr("Card  Ctrl+K"))
        self.wallet_button.setText(self.tr("Wallet code"))
        self.card_button.setToolTip(self.tr("The total goes to the card terminal"))
        self.wallet_button.setToolTip(
            self.tr("Open the payment, then scan the customer's payment code (付款码)")
        )
        self.tender_note.setText(
            self.tr("Split: type the cash first in the payment (F9), then Card pays the rest.")
        )
        self.change_caption.setText(self.tr("Change"))
        self.next_hint.setText(self.tr("Scan the next item to start a new sale."))
        self.reprint_button.setText(self.tr("Reprint last (Ctrl+P)"))
        self.unknown_button.setText(self.tr("Ask the terminal now"))
        self._show_open_payments(self.open_payments)
        self.bill_button.setText(self.tr("Refund now"))
        self.show_bill_refunds(self.bill_refunds_owed)
        self.shift_banner.setText(
            self.tr(
                "No shift is open, so nothing can be paid yet. "
                "Open one on the Shift screen (F3): count the float into the drawer."
            )
        )
        self.model.retranslate()
        self.results_model.retranslate()
        self._show_totals()
        self._show_search_state()
        self._show_receipt()

    # The page's life -----------------------------------------------------------------------

    def activate(self) -> None:
        self.search.setFocus()
        self.check_shift()
        # a printer set up (or removed) on the devices screen since this screen was built
        self.reprint_button.setVisible(
            self.win.devices is not None and self.win.devices.printer is not None
        )

    def check_shift(self) -> None:
        shop = self.shop

        def read() -> bool:
            with shop.store.read() as session:
                return shifts.current_shift(session, shop) is not None

        CoreOp(self, read).success(self._set_shift).run()
        self.check_open_payments()

    def check_open_payments(self) -> None:
        """Card or wallet payments left unknown (a crash mid-payment, a line that stayed dead):
        said on the screen until settled; the core settles them before the next such payment."""
        shop = self.shop

        def read() -> tuple[AttemptInfo, ...]:
            return open_payments(shop, CARD) + open_payments(shop, WALLET)

        CoreOp(self, read).success(self._show_open_payments).run()

    def _show_open_payments(self, found: tuple[AttemptInfo, ...]) -> None:
        self.open_payments = found
        if self.pay_dialog is not None and self.pay_dialog.state != TENDER:
            found = ()  # the dialog says it, bigger
        self.unknown_banner.setVisible(bool(found))
        if found:
            self.unknown_text.setText(
                self.tr("Payment unknown: %1. Do not take it again; it is settled first.").replace(
                    "%1", "; ".join(self.tender_words(a.kind, a.amount_fen) for a in found)
                )
            )
            self.unknown_button.setEnabled(not self._paying)

    def show_bill_refunds(self, owed: int) -> None:
        """N 笔缴费失败待退款: failed bill payments whose customers are owed their money, in red
        until each is refunded (it cannot be closed; "Refund now" opens the list)."""
        self.bill_refunds_owed = owed
        self.bill_banner.setVisible(owed > 0)
        self.bill_text.setText(
            self.tr(
                "%1 failed bill payments to refund: the customers are owed their money."
            ).replace("%1", str(owed))
        )

    def settle_open_payments(self, kind: str | None = None) -> None:
        """Ask about the open payments of `kind` (default: the oldest one's) now."""
        runner = self.payments
        if runner is None or not self.open_payments or self._paying:
            return
        kind = kind or self.open_payments[0].kind
        self.unknown_button.setEnabled(False)
        runner.resolve(self.shop, kind, self._settled)

    def _settled(self, resolution: Resolution) -> None:
        words = [self._attempt_words(a) for a in resolution.touched + resolution.still_open]
        if resolution.still_open:
            self.win.show_error(" ".join(words))
        else:
            self.win.show_info(" ".join(words))
        self.check_open_payments()

    def _set_shift(self, is_open: bool) -> None:
        self.shift_open = is_open
        self.shift_banner.setVisible(not is_open)

    def _refocus(self) -> None:
        """After a dialog: the keyboard (and the scanner) belong to the search field again."""
        if self.isVisible():
            self.win.activateWindow()
            self.search.setFocus()

    # Scans ---------------------------------------------------------------------------------

    def on_scan(self, code: str) -> bool:
        code = code.strip()
        if not code:
            return True
        if self._paying or self.pay_dialog is not None:
            dialog = self.pay_dialog
            if dialog is not None and is_wallet_code(code):
                # a customer's payment code, scanned while paying: that is the wallet tender
                if self._paying or dialog.state != TENDER:
                    self.win.show_error(self.tr("A payment is under way: wait for its answer."))
                else:
                    self.take_wallet(code)
                return True
            message = self.tr("Finish or cancel the payment first.")
            if dialog is not None and dialog.state == TENDER:
                dialog.show_error(message)
            else:
                self.win.show_error(message)
            return True
        if is_wallet_code(code):
            self.win.show_error(self.payment_code_text())
            return True
        if QApplication.activeModalWidget() is not None:
            # a quantity, price, void or PIN dialog is open: it is about the cart as it is
            self.win.show_error(self.tr("Close the open dialog first, then scan again."))
            return True
        self.add_code(code)
        return True

    def payment_code_text(self) -> str:
        return self.tr(
            "That is a customer's payment code, not goods: payment codes are taken at payment."
        )

    def add_code(self, code: str) -> None:
        """A barcode, scanned or typed by hand: exactly that product, or a clear refusal."""
        cart = self._cart
        shop = self.shop
        self._change(
            lambda: sales.add_barcode(shop, cart, code),
            failure=lambda exc: self._add_failed(code, exc),
            new_line=True,
        )

    def add_product(self, product: ProductInfo, code: str | None = None) -> None:
        cart = self._cart
        self._change(lambda: sales.add_product(cart, product, barcode=code), new_line=True)

    def _add_failed(self, code: str, exc: BaseException) -> None:
        if isinstance(exc, NotFound):
            self.win.show_error(
                self.tr(
                    "Unknown barcode %1: no product has this code. Search by name instead."
                ).replace("%1", barcodes.normalize(code))
            )
        else:
            report_error(self, exc)

    # Changing the cart ---------------------------------------------------------------------

    def _change(
        self,
        change: Callable[[], int | None],
        *,
        failure: Callable[[BaseException], None] | None = None,
        new_line: bool = False,
    ) -> None:
        """Run one change of the cart on the worker; show the snapshot it leaves."""
        if self._paying or self.pay_dialog is not None:
            self.win.show_error(self.tr("Finish or cancel the payment first."))
            return
        cart = self._cart

        def op() -> tuple[CartView, int | None]:
            index = change()
            return snapshot(cart), index

        def done(result: tuple[CartView, int | None]) -> None:
            view, index = result
            if cart is not self._cart:  # a sale finished meanwhile: that cart is gone
                return
            if new_line:
                self.receipt = None
            self._show_view(view, index)

        op_ = CoreOp(self, op).success(done)
        if failure is not None:
            op_.failure(failure)
        op_.run()

    def _show_view(self, view: CartView, select: int | None) -> None:
        self.view = view
        self.model.set_view(view)
        display = self.win.customer_display
        if display is not None:  # the customer sees what is rung up, as it is rung up
            if view.lines:
                display.show_cart(view.lines, view.total_fen)
            else:
                display.idle()
        pole = self.win.devices.pole if self.win.devices is not None else None
        if pole is not None:  # queued to the pole display's own thread; returns at once
            if view.lines:
                pole.total(view.total_fen)
            elif self.receipt is None:
                pole.clear()
        if view.lines:
            self.cart_stack.setCurrentWidget(self.table)
            row = min(select if select is not None else len(view.lines) - 1, len(view.lines) - 1)
            self.table.selectRow(row)
            self.table.scrollTo(self.model.index(row, 0))
        elif self.receipt is not None:
            self.cart_stack.setCurrentWidget(self.receipt_panel)
        else:
            self.cart_stack.setCurrentWidget(self.empty)
        has_lines = bool(view.lines)
        for button in (
            self.minus_button,
            self.plus_button,
            self.qty_button,
            self.price_button,
            self.remove_button,
            self.void_button,
            self.pay_button,  # F9 on an empty cart still says why nothing happens
        ):
            button.setEnabled(has_lines)
        self._show_totals()

    def _show_totals(self) -> None:
        view = self.view
        self.total.setText(format_fen(view.total_fen))
        if view.lines:
            self.count.setText(
                self.tr("Items: %1 · lines: %2")
                .replace("%1", str(view.item_count))
                .replace("%2", str(len(view.lines)))
            )
        else:
            self.count.setText(self.tr("No goods yet"))
        if view.discount_fen > 0:
            self.discount.setText(
                self.tr("Discount %1 (list %2)")
                .replace("%1", format_fen(view.discount_fen))
                .replace("%2", format_fen(view.list_total_fen))
            )
            self.discount.show()
        elif view.discount_fen < 0:
            self.discount.setText(
                self.tr("Prices raised by %1").replace("%1", format_fen(-view.discount_fen))
            )
            self.discount.show()
        else:
            self.discount.hide()

    def selected_line(self) -> LineView | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or not self.view.lines:
            return None
        row = rows[0].row()
        return self.view.lines[row] if row < len(self.view.lines) else None

    def _line_or_say(self) -> LineView | None:
        line = self.selected_line()
        if line is None:
            self.win.show_error(self.tr("Choose a line in the cart first."))
        return line

    def step_qty(self, delta: int) -> None:
        line = self._line_or_say()
        if line is None:
            return
        if line.qty + delta < 1:
            self.win.show_error(
                self.tr("The quantity is 1: use Remove (Del) to take the line off.")
            )
            return
        self.set_qty(line, line.qty + delta)

    def set_qty(self, line: LineView, qty: int) -> None:
        cart = self._cart

        def change() -> int:
            index = line_index(cart, line.key)
            sales.set_qty(cart, index, qty)
            return index

        self._change(change)

    def ask_qty(self) -> None:
        line = self._line_or_say()
        if line is None:
            return
        dialog = QtyDialog(self, line)
        dialog.finished.connect(self._refocus)

        def done() -> None:
            qty = dialog.value()
            if qty is not None and qty != line.qty:
                self.set_qty(line, qty)

        dialog.accepted.connect(done)
        dialog.open()

    def remove_line(self) -> None:
        line = self._line_or_say()
        if line is None:
            return
        cart = self._cart

        def change() -> int:
            index = line_index(cart, line.key)
            sales.remove(cart, index)
            return max(0, index - 1) if index >= len(cart.lines) else index

        self._change(change)

    def ask_price(self) -> None:
        line = self._line_or_say()
        if line is None:
            return
        ask_owner(
            self,
            self.shop,
            self.tr("Changing the price of %1 needs the owner's PIN.").replace("%1", line.name),
            lambda approver: self._price_dialog(line, approver),
        )

    def _price_dialog(self, line: LineView, approver: Actor) -> None:
        dialog = PriceDialog(self, line, approver.name)
        dialog.finished.connect(self._refocus)

        def done() -> None:
            price = dialog.price_fen()
            if price is None:
                return
            reason = dialog.reason_text()
            cart = self._cart

            def change() -> int:
                index = line_index(cart, line.key)
                sales.override_price(cart, index, price, reason, approver)
                return index

            self._change(change)

        dialog.accepted.connect(done)
        dialog.open()

    # Void ----------------------------------------------------------------------------------

    def ask_void(self) -> None:
        if not self.view.lines:
            self.win.show_info(self.tr("The cart is empty: there is nothing to void."))
            return
        dialog = VoidDialog(self, self.view.item_count, self.view.total_fen)
        dialog.finished.connect(self._refocus)
        dialog.accepted.connect(lambda: self._void(dialog.reason_text()))
        dialog.open()

    def _void(self, reason: str) -> None:
        cart = self._cart
        actor = self.win.actor
        if actor is None:
            return
        shop = self.shop
        CoreOp(self, lambda: sales.void_cart(shop, actor, cart, reason)).success(
            lambda _id: self._voided(cart)
        ).failure(self._void_failed).run()

    def _voided(self, cart: Cart) -> None:
        if cart is not self._cart:
            return
        self._new_sale()
        self.win.show_info(self.tr("Sale voided: nothing was charged."))
        self.win.refresh_status()

    def _void_failed(self, exc: BaseException) -> None:
        if isinstance(exc, ShopError) and exc.message == shifts.NO_OPEN_SHIFT:
            self._set_shift(False)
        report_error(self, exc)

    # Paying --------------------------------------------------------------------------------

    def ask_pay(self) -> PayCashDialog | None:
        if self.pay_dialog is not None or self._paying:
            return None
        if not self.view.lines:
            self.win.show_error(self.tr("The cart is empty: scan or search for goods first."))
            return None
        terminal = self.win.devices.terminal if self.win.devices is not None else None
        dialog = PayCashDialog(
            self,
            self.view.total_fen,
            card_ready=terminal is not None,
            qr_ready=self._qr_port() is not None,
        )
        self.pay_dialog = dialog
        dialog.confirmed.connect(self._take_cash)
        dialog.card.connect(self._take_card)
        dialog.qr.connect(self._take_qr)
        dialog.resolve.connect(self._resolve)
        dialog.leave.connect(self._leave_unresolved)
        dialog.abort.connect(self._abort)
        dialog.finished.connect(self._pay_dialog_closed)
        dialog.open()
        return dialog

    def ask_card(self) -> None:
        """Ctrl+K: the whole total on the card (from the payment dialog: what cash leaves)."""
        dialog = self.pay_dialog or self.ask_pay()
        if dialog is not None and dialog.state == TENDER:
            dialog.take_card()

    def ask_wallet(self) -> None:
        dialog = self.pay_dialog or self.ask_pay()
        if dialog is not None and dialog.state == TENDER:
            if self.win.devices is None or self.win.devices.wallet is None:
                dialog.show_error(self.wallet_unavailable_text())
            else:
                dialog.show_error(self.tr("Scan the customer's payment code now."))

    def wallet_unavailable_text(self) -> str:
        return self.tr("Wallet payments need the hub, and this till has none: take cash or card.")

    # Card and wallet ------------------------------------------------------------------------

    def _abort(self) -> None:
        if self._qr is not None:
            self._qr_cancelled = True
            self._close_qr()
        elif self.payments is not None:
            self.payments.cancel_on_terminal()

    def _take_card(self, card_fen: int, cash_fen: int) -> None:
        self._take_noncash(CARD, Card(card_fen), card_fen, cash_fen)

    def take_wallet(self, code: str) -> None:
        dialog = self.pay_dialog
        if dialog is None:
            return
        if self.win.devices is None or self.win.devices.wallet is None:
            dialog.show_error(self.wallet_unavailable_text())
            return
        amount, cash = dialog.split()
        self._take_noncash(WALLET, Wallet(code, amount), amount, cash)

    def tender_words(self, kind: str, amount_fen: int) -> str:
        if kind == CARD:
            return self.tr("Card payment %1").replace("%1", format_fen(amount_fen))
        return self.tr("Wallet payment %1").replace("%1", format_fen(amount_fen))

    def _take_noncash(self, kind: str, tender: Tender, amount_fen: int, cash_fen: int) -> None:
        dialog = self.pay_dialog
        actor = self.win.actor
        runner = self.payments
        if dialog is None or actor is None or runner is None or self._paying:
            return
        cart = self._cart
        shop = self.shop
        expected = dialog.total_fen
        changed = self.tr("The cart changed while paying: check the total and take the cash again.")

        def check() -> None:
            if cart.total_fen != expected:
                raise RuleViolation(changed)

        tenders: list[Tender] = [tender]
        if cash_fen:
            tenders.append(Cash(cash_fen))
        self._paying = True
        self._noncash = (kind, amount_fen)
        if kind == CARD:
            prompt = self.tr("Follow the terminal: insert, tap or swipe the card")
            caption = self.tr("Pay by card")
        else:
            prompt = self.tr("User paying: the customer confirms on the phone")
            caption = self.tr("Pay by wallet")
        dialog.show_working(caption, amount_fen, prompt, can_abort=kind == CARD)
        display = self.win.customer_display
        if display is not None:
            display.show_payment(amount_fen, caption, self._customer_prompt(kind))
        runner.pay(shop, actor, cart, tenders, kind, check, self._noncash_done)

    # The shop's dynamic code (扫码付) ----------------------------------------------------------

    def _qr_port(self) -> DynamicQr | None:
        wallet = self.win.devices.wallet if self.win.devices is not None else None
        return wallet if isinstance(wallet, DynamicQr) else None

    def _take_qr(self, amount_fen: int, cash_fen: int) -> None:
        dialog, runner, port = self.pay_dialog, self.payments, self._qr_port()
        if dialog is None or runner is None or port is None or self._paying:
            return
        shop, cart_id, total = self.shop, self._cart.id, dialog.total_fen
        self._paying = True
        self._noncash = (WALLET, amount_fen)
        self._qr_cash = cash_fen
        self._qr_cancelled = False
        dialog.show_working(
            self.tr("Pay by the shop's QR code"),
            amount_fen,
            self.tr("Making the code…"),
            can_abort=False,
        )

        def make(_emit: StatusCallback) -> QrOrder:
            # the attempt first, kept in flight until the sale is recorded or the code closed
            reference = sales.begin_attempt(
                shop, WALLET, "sale", amount_fen, {"cart_id": cart_id, "total_fen": total, "qr": 1}
            )
            try:
                # the sale's reference in the code (EMVCo field 62 takes 25 characters)
                sale_reference = cart_id.replace("-", "")[-20:]
                return port.create(amount_fen, reference, sale_reference=sale_reference)
            except ShopError as exc:
                sales.mark_attempt(shop, reference, "declined", None, f"not sent: {exc.message}")
                sales.release_attempts([reference])
                raise

        runner.call(WALLET, make, self._qr_made)

    def _qr_made(self, order: QrOrder | None, exc: BaseException | None) -> None:
        dialog = self.pay_dialog
        if order is None:
            self._qr_failed(exc)
            return
        self._qr = order
        if order.state is not QrState.WAITING or not order.payload:
            self._close_qr()  # it may exist at the hub: close it before anything else
            return
        prompt = self.tr("The customer scans the code with the phone")
        if dialog is not None:
            dialog.show_qr(qr_image(order.payload, 240), prompt)
        display = self.win.customer_display
        if display is not None:
            display.show_qr(order.payload, order.amount_fen, self.tr("Scan to pay"))
        self._qr_timer.start(QR_POLL_MS)

    def _qr_failed(self, exc: BaseException | None) -> None:
        self._paying = False
        self._noncash = None
        self._qr = None
        message = (
            exc.message
            if isinstance(exc, ShopError)
            else self.tr("Something went wrong inside storebox; nothing was sold.")
        )
        if exc is not None and not isinstance(exc, ShopError):
            report_error(self, exc)
        self._customer_sees_cart()
        if self.pay_dialog is not None:
            self.pay_dialog.back_to_tender(message)

    def _poll_qr(self) -> None:
        order, runner, port = self._qr, self.payments, self._qr_port()
        if order is None or runner is None or port is None or self._qr_cancelled:
            return
        reference = order.reference
        runner.call(WALLET, lambda _emit: port.status(reference), self._qr_polled)

    def _qr_polled(self, order: QrOrder | None, exc: BaseException | None) -> None:
        if self._qr is None or self._qr_cancelled:
            return
        state = order.state if order is not None else QrState.UNKNOWN
        if state is QrState.PAID:
            self._qr_paid()
        elif state is QrState.CLOSED:
            self._qr_closed(self.tr("The code expired or was closed: nothing was paid."))
        elif (
            self._qr.expires_at is not None
            and self.shop.now() >= self._qr.expires_at + QR_CLOCK_MARGIN
        ):  # the hub closes it on time; this is the backstop should its answer never come
            self._close_qr()
        else:  # waiting, or the hub did not answer this time: ask again
            self._qr_timer.start(QR_POLL_MS)

    def _close_qr(self) -> None:
        order, runner, port = self._qr, self.payments, self._qr_port()
        if order is None or runner is None or port is None:
            return
        self._qr_timer.stop()
        reference = order.reference
        runner.call(WALLET, lambda _emit: port.close(reference), self._qr_after_close)

    def _qr_after_close(self, order: QrOrder | None, exc: BaseException | None) -> None:
        state = order.state if order is not None else QrState.UNKNOWN
        if state is QrState.PAID:  # paid just before it closed: the sale goes through
            self._qr_paid()
        elif state is QrState.CLOSED:
            self._qr_closed(self.tr("The code was cancelled: nothing was paid."))
        else:  # unclear: the core settles it (query, then reverse)
            current = self._qr
            self._qr = None
            self._paying = False
            if current is not None:
                sales.release_attempts([current.reference])
                self._show_unknown(
                    self.tr("The hub did not say whether the code was paid."),
                    (self._qr_attempt(current),),
                )

    def _qr_attempt(self, order: QrOrder) -> AttemptInfo:
        return AttemptInfo(
            reference=order.reference,
            kind=WALLET,
            operation="sale",
            amount_fen=self._noncash[1] if self._noncash else order.amount_fen,
            status="unknown",
            created_at=self.shop.now(),
            message="",
            context={},
        )

    def _qr_closed(self, message: str) -> None:
        order = self._qr
        self._qr = None
        if order is not None:
            reference, shop = order.reference, self.shop

            def close() -> None:
                sales.mark_attempt(shop, reference, "declined", None, "qr closed unpaid")
                sales.release_attempts([reference])

            CoreOp(self, close).run()
        self._paying = False
        self._noncash = None
        self._customer_sees_cart()
        if self.pay_dialog is not None:
            self.pay_dialog.back_to_tender(message)

    def _qr_paid(self) -> None:
        order, dialog, actor, runner = self._qr, self.pay_dialog, self.win.actor, self.payments
        self._qr = None
        if order is None or actor is None or runner is None:
            return
        amount = self._noncash[1] if self._noncash else order.amount_fen
        tenders: list[Tender] = [QrPaid(order.reference, amount)]
        if self._qr_cash:
            tenders.append(Cash(self._qr_cash))
        cart, expected = self._cart, dialog.total_fen if dialog is not None else 0
        changed = self.tr("The cart changed while paying: check the total and take the cash again.")

        def check() -> None:
            if cart.total_fen != expected:
                raise RuleViolation(changed)

        if dialog is not None:
            dialog.set_prompt(self.tr("Paid: recording the sale…"))
        runner.pay(self.shop, actor, cart, tenders, WALLET, check, self._noncash_done)

    def _customer_prompt(self, kind: str) -> str:
        if kind == CARD:
            return self.tr("Please follow the card terminal")
        return self.tr("Please confirm the payment on your phone")

    def _terminal_prompt(self, text: str) -> None:
        """The terminal's prompt (插卡, 输入密码 …): for the cashier and for the customer."""
        if self.pay_dialog is not None:
            self.pay_dialog.set_prompt(text)
        display = self.win.customer_display
        if display is not None and self._paying:
            display.set_prompt(text)

    def _noncash_done(self, outcome: Outcome) -> None:
        self.check_open_payments()
        if outcome.receipt is not None:
            self._noncash = None
            self._paid(outcome.receipt)
            return
        self._paying = False
        exc = outcome.error
        dialog = self.pay_dialog
        if isinstance(exc, ShopError):
            if exc.message == shifts.NO_OPEN_SHIFT:
                self._set_shift(False)
            message = exc.message
        else:
            if exc is not None:
                report_error(self, exc)
            message = self.tr("Something went wrong inside storebox; nothing was sold.")
        if outcome.still_open:
            self._show_unknown(message, outcome.still_open)
            return
        self._noncash = None
        self._customer_sees_cart()
        if dialog is not None:
            dialog.back_to_tender(message)
        else:
            self.win.show_error(message)

    def _show_unknown(self, message: str, still_open: tuple[AttemptInfo, ...]) -> None:
        dialog = self.pay_dialog
        lines = [self._attempt_words(a) for a in still_open]
        text = message + "\n\n" + "\n".join(lines) if lines else message
        if dialog is not None:
            dialog.show_unknown(text)
        else:
            self.win.show_error(message)
        display = self.win.customer_display
        if display is not None:
            _kind, amount = self._noncash or (still_open[0].kind, still_open[0].amount_fen)
            display.show_payment(
                amount,
                self.tr("Checking your payment"),
                self.tr("Please wait a moment"),
            )

    def _attempt_words(self, attempt: AttemptInfo) -> str:
        what = self.tender_words(attempt.kind, attempt.amount_fen)
        ref = attempt.reference[-8:]
        words = {
            "reversed": self.tr("%1 (ref %2): reversed — the customer is not charged."),
            "declined": self.tr("%1 (ref %2): did not go through — the customer is not charged."),
            "used": self.tr("%1 (ref %2): charged, and its sale is recorded."),
        }.get(
            attempt.status,
            self.tr("%1 (ref %2): outcome still unknown."),
        )
        return words.replace("%1", what).replace("%2", ref)

    def _resolve(self) -> None:
        dialog = self.pay_dialog
        runner = self.payments
        if dialog is None or runner is None or self._paying:
            return
        kind = self._noncash[0] if self._noncash else CARD
        dialog.resolving()
        self._paying = True
        runner.resolve(self.shop, kind, self._resolved)

    def _resolved(self, resolution: Resolution) -> None:
        self._paying = False
        self.check_open_payments()
        dialog = self.pay_dialog
        lines = [self._attempt_words(a) for a in resolution.touched]
        lines += [
            self._attempt_words(a)
            for a in resolution.still_open
            if a.reference not in {t.reference for t in resolution.touched}
        ]
        text = "\n".join(lines)
        if resolution.still_open:
            title = self.tr(
                "Still unknown: the terminal did not answer. Check its cable and power, "
                "then ask again."
            )
            if dialog is not None:
                dialog.show_resolution(title, text, still_unknown=True)
            return
        self._noncash = None
        statuses = {a.status for a in resolution.touched}
        if "used" in statuses:
            title = self.tr("Charged: the payment belongs to a recorded sale")
        elif statuses:
            title = self.tr("Not charged: the customer paid nothing")
        else:
            title = self.tr("Settled: no payment is open any more")
        self._customer_sees_cart()
        if dialog is not None:
            dialog.show_resolution(title, text, still_unknown=False)
        self.win.refresh_status()

    def _leave_unresolved(self) -> None:
        dialog = self.pay_dialog
        if dialog is None or self._paying:
            return

        def leave(approver: Actor) -> None:
            if self.pay_dialog is not dialog:
                return
            log.warning("payment left unresolved at the till by %s", approver.name)
            self._noncash = None
            self._customer_sees_cart()
            dialog.back_to_tender(
                self.tr(
                    "Left unresolved by %1: it is settled before the next card or wallet "
                    "payment. Take cash now, or ask again later."
                ).replace("%1", approver.name)
            )

        ask_owner(
            self,
            self.shop,
            self.tr("Leaving a payment unresolved needs the owner's PIN."),
            leave,
        )

    def _customer_sees_cart(self) -> None:
        display = self.win.customer_display
        if display is not None and self.view.lines:
            display.show_cart(self.view.lines, self.view.total_fen)

    def _pay_dialog_closed(self) -> None:
        self.pay_dialog = None
        self._refocus()
        if self.open_payments:
            self.check_open_payments()

    def _take_cash(self, tendered_fen: int) -> None:
        dialog = self.pay_dialog
        actor = self.win.actor
        if dialog is None or actor is None or self._paying:
            return
        cart = self._cart
        shop = self.shop
        expected = dialog.total_fen
        changed = self.tr("The cart changed while paying: check the total and take the cash again.")

        def pay() -> SaleReceipt:
            if cart.total_fen != expected:  # a change queued before F9 landed after it
                raise RuleViolation(changed)
            return sales.checkout(shop, actor, cart, [Cash(tendered_fen)])

        self._paying = True
        dialog.set_busy(True)
        CoreOp(self, pay).success(self._paid).failure(self._pay_failed).run()

    def _paid(self, receipt: SaleReceipt) -> None:
        self._paying = False
        self.shift_open = True
        self.shift_banner.hide()
        self.receipt = receipt
        self.last_receipt = receipt
        self._print(receipt, reprint=False)
        self._new_sale()
        if self.win.customer_display is not None:
            self.win.customer_display.thank_you(receipt.change_fen)
        pole = self.win.devices.pole if self.win.devices is not None else None
        if pole is not None:
            pole.total(receipt.total_fen, receipt.tendered_fen)
        if self.pay_dialog is not None:
            self.pay_dialog.accept()
        card = next((p for p in receipt.payments if p.kind == CARD), None)
        if card is not None:
            self.win.show_info(
                self.tr("Sale %1 paid: card %2 charged, auth %3. Change: %4")
                .replace("%1", receipt.number)
                .replace("%2", format_fen(card.amount_fen))
                .replace("%3", card.auth_code or "—")
                .replace("%4", format_fen(receipt.change_fen))
            )
        else:
            self.win.show_info(
                self.tr("Sale %1 paid. Change: %2")
                .replace("%1", receipt.number)
                .replace("%2", format_fen(receipt.change_fen))
            )
        self.win.refresh_status()

    # Printing ------------------------------------------------------------------------------

    def _print(self, receipt: SaleReceipt, *, reprint: bool) -> bool:
        """Queue the receipt for the printer (the driver opens the drawer for a fresh cash
        sale, never for a reprint). False: there is no printer."""
        devices = self.win.devices
        printer = devices.printer if devices is not None else None
        if printer is None:
            return False
        payload = receipt.as_dict()
        CoreOp(self, lambda: printer.print_document("sale", payload, reprint=reprint)).success(
            lambda _job: self.win.refresh_status()
        ).run()
        return True

    def reprint_last(self) -> None:
        receipt = self.last_receipt
        if receipt is None:
            self.win.show_error(self.tr("No receipt to reprint yet."))
            return
        if self._print(receipt, reprint=True):
            self.win.show_info(self.tr("Reprinting sale %1.").replace("%1", receipt.number))
        else:
            self.win.show_error(self.tr("No receipt printer is configured."))

    def _pay_failed(self, exc: BaseException) -> None:
        self._paying = False
        dialog = self.pay_dialog
        if isinstance(exc, ShopError):
            if exc.message == shifts.NO_OPEN_SHIFT:
                self._set_shift(False)
            message = exc.message
        else:
            report_error(self, exc)
            message = self.tr("Something went wrong inside storebox; nothing was sold.")
        if dialog is not None:
            dialog.set_busy(False)
            dialog.show_error(message)
        else:
            self.win.show_error(message)

    def _new_sale(self) -> None:
        """A clean cart; the receipt (if any) stays on show until the next line is added."""
        self._cart = Cart()
        self._show_view(empty_view(self._cart), None)
        self._show_receipt()

    def _show_receipt(self) -> None:
        receipt = self.receipt
        if receipt is None:
            return
        self.paid_heading.setText(
            self.tr("Paid · sale %1 · total %2")
            .replace("%1", receipt.number)
            .replace("%2", format_fen(receipt.total_fen))
        )
        self.last_change.setText(format_fen(receipt.change_fen))
        labels = ReceiptLabels(
            sale=self.tr("Sale No."),
            cashier=self.tr("Cashier"),
            total=self.tr("Total"),
            discount=self.tr("Discount"),
            cash=self.tr("Cash"),
            change=self.tr("Change"),
            paid=self.tr("Paid"),
            price_changed=self.tr("list price %1"),
            thanks=self.tr("Thank you!"),
            card=self.tr("Card"),
            wallet=self.tr("Wallet"),
            auth=self.tr("Auth code"),
            terminal=self.tr("Terminal"),
            voucher=self.tr("Voucher"),
        )
        self.receipt_view.setPlainText(
            receipt_text(receipt, labels, self.shop.settings.zone, RECEIPT_WIDTH)
        )

    # Search --------------------------------------------------------------------------------

    def _search_changed(self, text: str) -> None:
        self._user_moved = False
        if not text.strip():
            self._rerun = False
            self._search_seq += 1  # whatever is still on its way is stale
            self._shown_query = None
            self._enter_pending = False
            self.results_model.set_hits([])
            self._show_search_state()
            return
        self._request_search()

    def _request_search(self) -> None:
        """No debounce (it would cost every keystroke its delay): one search at a time, and
        when it returns, the newest text is asked for if the person typed on meanwhile."""
        if self._searching:
            self._rerun = True
        else:
            self._run_search()

    def _rerun_if_typed_on(self) -> bool:
        self._searching = False
        if self._rerun:
            self._rerun = False
            self._run_search()
            return True
        return False

    def _run_search(self) -> None:
        query = self.search.text().strip()
        if not query:
            return
        self._search_seq += 1
        seq = self._search_seq
        shop = self.shop
        self._searching = True
        CoreOp(self, lambda: catalog.search(shop, query, limit=SEARCH_LIMIT)).success(
            lambda hits: self._show_hits(seq, query, hits)
        ).failure(lambda exc: self._search_failed(seq, exc)).run()

    def _search_failed(self, seq: int, exc: BaseException) -> None:
        if self._rerun_if_typed_on():
            return
        if seq == self._search_seq:
            self._enter_pending = False
            report_error(self, exc)

    def _show_hits(self, seq: int, query: str, hits: list[SearchHit]) -> None:
        if self._rerun_if_typed_on():
            return  # the person typed on: the newest text is being asked for
        if seq != self._search_seq or query != self.search.text().strip():
            return  # an older query's answer
        if self._user_moved:
            return  # they are choosing in the list on show: do not pull it from under them
        self._shown_query = query
        self._user_moved = False
        self.results_model.set_hits(hits)
        if hits:
            self.results.selectRow(0)
            # as many rows as there are hits, up to RESULT_ROWS; the cart gives way
            rows = min(len(hits), RESULT_ROWS)
            header = self.results.horizontalHeader().sizeHint().height()
            self.results.setFixedHeight(header + rows * RESULT_ROW_HEIGHT + 4)
        self._show_search_state()
        if self._enter_pending:
            self._enter_pending = False
            self._add_chosen(query)

    @property
    def shown_query(self) -> str | None:
        """The text the result list answers (None: no list)."""
        return self._shown_query

    def _show_search_state(self) -> None:
        query = self._shown_query
        has_hits = bool(self.results_model.hits)
        self.results.setVisible(query is not None and has_hits)
        self.no_match.setVisible(query is not None and not has_hits)
        if query is not None and not has_hits:
            self.no_match.setText(self.tr("No goods match “%1”.").replace("%1", query))

    def _results_current(self) -> bool:
        """Does the list answer what the field holds now?"""
        return (
            self._shown_query is not None
            and self._shown_query == self.search.text().strip()
            and not self._searching
            and not self._rerun
        )

    def _move(self, delta: int) -> None:
        if self.results.isVisible() and self.results_model.hits:
            rows = self.results.selectionModel().selectedRows()
            row = rows[0].row() if rows else -1
            row = max(0, min(len(self.results_model.hits) - 1, row + delta))
            self.results.selectRow(row)
            self._user_moved = True
            return
        if self.view.lines:
            line = self.table.selectionModel().selectedRows()
            row = line[0].row() if line else -1
            self.table.selectRow(max(0, min(len(self.view.lines) - 1, row + delta)))

    def _enter(self) -> None:
        text = self.search.text().strip()
        if not text:
            return
        if self._user_moved:  # chosen with Up/Down in the list on show since the last key
            self._add_chosen(text)
            return
        code = barcodes.normalize(text)
        if is_wallet_code(code):
            self.win.show_error(self.payment_code_text())
            return
        if code.isascii() and code.isdigit() and len(code) >= TYPED_CODE_MIN:
            self.search.clear()
            self.add_code(code)
            return
        if self._results_current():
            self._add_chosen(text)
            return
        # The answer for this text is not back yet: ask now and add when it comes.
        self._enter_pending = True
        self._request_search()

    def _add_chosen(self, query: str) -> None:
        rows = self.results.selectionModel().selectedRows()
        product = self.results_model.product(rows[0].row() if rows else 0)
        if product is None:
            self.win.show_error(self.tr("No goods match “%1”.").replace("%1", query))
            return
        hit = self.results_model.hits[rows[0].row() if rows else 0]
        code = barcodes.normalize(query) if hit.match == catalog.MATCH_BARCODE else None
        self.search.clear()
        self.add_product(product, code)

    def _result_tapped(self, index: QModelIndex) -> None:
        product = self.results_model.product(index.row())
        if product is not None:
            self.search.clear()
            self.add_product(product)
            self.search.setFocus()

    # Keys in the search field ----------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is not self.search:
            return False
        if event.type() == QEvent.Type.ShortcutOverride:
            assert isinstance(event, QKeyEvent)
            # The field would keep Del and Ctrl+Del for itself; when it is empty (and always for
            # Ctrl+Del) they belong to the cart.
            if event.key() == Qt.Key.Key_Delete and (
                not self.search.text() or event.modifiers() & Qt.KeyboardModifier.ControlModifier
            ):
                event.ignore()
                return True
            return False
        if event.type() != QEvent.Type.KeyPress:
            return False
        assert isinstance(event, QKeyEvent)
        key = event.key()
        if key in ENTER_KEYS:
            self._enter()
            return True
        if key == Qt.Key.Key_Escape:
            if self.search.text():
                self.search.clear()
                return True
            return False
        if key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            self._move(-1 if key == Qt.Key.Key_Up else 1)
            return True
        if not self.search.text() and event.text() in ("+", "-"):
            self.step_qty(1 if event.text() == "+" else -1)
            return True
        return False
