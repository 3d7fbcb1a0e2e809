"""The customer display: a second window, for a second screen, that the customer faces.

Four states, one method each, called by the cashier window as the sale goes on:

* `idle()` — a welcome;
* `show_cart(lines, total_fen)` — the lines (name, quantity, amount) and the total in very
  large type; `lines` are anything with ``name``, ``qty`` and ``line_total_fen`` (the sell
  screen's `LineView`, the core's `CartLine`, or `CustomerLine`);
* `show_qr(text, amount_fen, caption)` — a QR code for the customer to scan (a merchant QR,
  a bill-payment link), the amount and a caption; drawn with the ``qrcode`` package;
* `show_payment(amount_fen, caption, prompt)` — a card or wallet payment under way: the amount,
  what to do (the terminal's own prompt: 请插卡, 请输入密码 …) in very large type; `set_prompt`
  follows the terminal as it changes its mind;
* `show_bill(biller, account, holder, amount_fen)` — a convenience payment (便民缴费) to check
  before any money is taken: the biller, the masked account and holder, the amount, and
  "请核对" in large type, so that a wrong account is caught by the one person who knows it;
* `thank_you(change_fen)` — 谢谢惠顾 / Thank you, and the change when there is any.

Texts are `tr()` English source strings, translated to Chinese by the shop's .ts file; the
window redraws them on a language change. `frameless=True` makes a bare window for a
dedicated screen; `place_on_screen()` moves it full screen onto the second screen when there is
one. The display only shows; it takes no input and never takes the focus from the till.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import qrcode
import qrcode.constants
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QImage, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from storebox.money import format_fen

IDLE, CART, QR, PAY, BILL, THANKS = "idle", "cart", "qr", "pay", "bill", "thanks"
#: a QR code's side on screen, in pixels (phones read it easily from ~40 cm)
QR_SIZE = 360


class DisplayLine(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def qty(self) -> int: ...
    @property
    def line_total_fen(self) -> int: ...


@dataclass(frozen=True)
class CustomerLine:
    name: str
    qty: int
    line_total_fen: int


def qr_image(text: str, size: int = QR_SIZE) -> QImage:
    """`text` as a square black-on-white QR code image `size` pixels wide (quiet zone included)."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    qr.add_data(text)
    qr.make(fit=True)
    matrix = qr.get_matrix()  # border included
    modules = len(matrix)
    small = QImage(modules, modules, QImage.Format.Format_RGB32)
    small.fill(QColor("white"))
    black = QColor("black").rgb()
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                small.setPixel(x, y, black)
    side = max(1, size // modules) * modules  # whole pixels per module: sharp edges
    return small.scaled(
        side,
        side,
        Qt.AspectRatioMode.IgnoreAspectRatio,
        Qt.TransformationMode.FastTransformation,
    )


def _font(point_size: int, bold: bool = False) -> QFont:
    font = QFont()
    font.setPointSize(point_size)
    font.setBold(bold)
    return font


class CustomerDisplay(QWidget):
    def __init__(
        self, parent: QWidget | None = None, *, frameless: bool = False, shop_name: str = ""
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        if frameless:
            self.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating, True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setObjectName("customerDisplay")
        self.setStyleSheet(
            "#customerDisplay { background: #ffffff; }"
            "QLabel { color: #1f2933; }"
            "QLabel#total { color: #c62828; }"
            "QLabel#thanks { color: #2e7d32; }"
            "QLabel#customerPrompt { color: #0d47a1; }"
        )
        self.state = IDLE
        self._lines: tuple[DisplayLine, ...] = ()
        self._total_fen = 0
        self._qr_text = ""
        self._qr_amount_fen = 0
        self._qr_caption = ""
        self._change_fen = 0
        self._pay_amount_fen = 0
        #: the bill payment on show for the customer to check (biller, account, holder, amount)
        self.bill: tuple[str, str, str, int] | None = None

        self.stack = QStackedWidget(self)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(32, 24, 32, 24)
        self.shop_title = QLabel(shop_name, self)
        self.shop_title.setVisible(bool(shop_name))
        self.shop_title.setFont(_font(20, bold=True))
        self.shop_title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        outer.addWidget(self.shop_title)
        outer.addWidget(self.stack, 1)

        # idle
        self.idle_page = QWidget(self)
        self.welcome = QLabel(self.idle_page)
        self.welcome.setFont(_font(48, bold=True))
        self.welcome.setAlignment(Qt.AlignmentFlag.AlignCenter)
        QVBoxLayout(self.idle_page).addWidget(self.welcome)

        # cart
        self.cart_page = QWidget(self)
        self.table = QTableWidget(0, 3, self.cart_page)
        self.table.setFont(_font(20))
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(48)
        self.table.setShowGrid(False)
        self.table.setFrameShape(QFrame.Shape.NoFrame)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setFont(_font(16))
        self.total_caption = QLabel(self.cart_page)
        self.total_caption.setFont(_font(32))
        self.total = QLabel(self.cart_page)
        self.total.setObjectName("total")
        self.total.setFont(_font(96, bold=True))
        self.total.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.count = QLabel(self.cart_page)
        self.count.setFont(_font(18))
        cart = QVBoxLayout(self.cart_page)
        cart.addWidget(self.table, 1)
        total_row = QHBoxLayout()
        total_row.addWidget(self.total_caption)
        total_row.addWidget(self.count)
        total_row.addStretch(1)
        total_row.addWidget(self.total)
        cart.addLayout(total_row)

        # qr
        self.qr_page = QWidget(self)
        self.qr_caption = QLabel(self.qr_page)
        self.qr_caption.setFont(_font(28, bold=True))
        self.qr_caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.qr_caption.setWordWrap(True)
        self.qr = QLabel(self.qr_page)
        self.qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.qr_amount = QLabel(self.qr_page)
        self.qr_amount.setObjectName("total")
        self.qr_amount.setFont(_font(72, bold=True))
        self.qr_amount.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.qr_hint = QLabel(self.qr_page)
        self.qr_hint.setFont(_font(18))
        self.qr_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        qr_box = QVBoxLayout(self.qr_page)
        qr_box.addWidget(self.qr_caption)
        qr_box.addWidget(self.qr, 1)
        qr_box.addWidget(self.qr_amount)
        qr_box.addWidget(self.qr_hint)

        # a card or wallet payment under way
        self.pay_page = QWidget(self)
        self.pay_caption = QLabel(self.pay_page)
        self.pay_caption.setFont(_font(32, bold=True))
        self.pay_caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pay_caption.setWordWrap(True)
        self.pay_amount = QLabel(self.pay_page)
        self.pay_amount.setObjectName("total")
        self.pay_amount.setFont(_font(96, bold=True))
        self.pay_amount.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pay_prompt = QLabel(self.pay_page)
        self.pay_prompt.setObjectName("customerPrompt")
        self.pay_prompt.setFont(_font(56, bold=True))
        self.pay_prompt.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pay_prompt.setWordWrap(True)
        pay = QVBoxLayout(self.pay_page)
        pay.addStretch(1)
        pay.addWidget(self.pay_caption)
        pay.addWidget(self.pay_amount)
        pay.addSpacing(24)
        pay.addWidget(self.pay_prompt)
        pay.addStretch(2)

        # a bill payment for the customer to check before paying
        self.bill_page = QWidget(self)
        self.bill_check = QLabel(self.bill_page)
        self.bill_check.setObjectName("customerPrompt")
        self.bill_check.setFont(_font(48, bold=True))
        self.bill_check.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.bill_grid = QGridLayout()
        self.bill_grid.setHorizontalSpacing(24)
        self.bill_grid.setVerticalSpacing(12)
        self.bill_captions: list[QLabel] = []
        self.bill_values: list[QLabel] = []
        for row in range(3):
            caption = QLabel(self.bill_page)
            caption.setFont(_font(24))
            caption.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            value = QLabel(self.bill_page)
            value.setObjectName(f"billValue{row}")
            value.setFont(_font(32, bold=True))
            value.setWordWrap(True)
            self.bill_grid.addWidget(caption, row, 0)
            self.bill_grid.addWidget(value, row, 1)
            self.bill_captions.append(caption)
            self.bill_values.append(value)
        self.bill_grid.setColumnStretch(1, 1)
        self.bill_amount = QLabel(self.bill_page)
        self.bill_amount.setObjectName("total")
        self.bill_amount.setFont(_font(96, bold=True))
        self.bill_amount.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.bill_hint = QLabel(self.bill_page)
        self.bill_hint.setFont(_font(20))
        self.bill_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.bill_hint.setWordWrap(True)
        bill = QVBoxLayout(self.bill_page)
        bill.addStretch(1)
        bill.addWidget(self.bill_check)
        bill.addSpacing(16)
        bill.addLayout(self.bill_grid)
        bill.addWidget(self.bill_amount)
        bill.addWidget(self.bill_hint)
        bill.addStretch(1)

        # thanks
        self.thanks_page = QWidget(self)
        self.thanks = QLabel(self.thanks_page)
        self.thanks.setObjectName("thanks")
        self.thanks.setFont(_font(72, bold=True))
        self.thanks.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.change = QLabel(self.thanks_page)
        self.change.setFont(_font(40))
        self.change.setAlignment(Qt.AlignmentFlag.AlignCenter)
        thanks = QVBoxLayout(self.thanks_page)
        thanks.addStretch(1)
        thanks.addWidget(self.thanks)
        thanks.addWidget(self.change)
        thanks.addStretch(1)

        self._pages = {
            IDLE: self.idle_page,
            CART: self.cart_page,
            QR: self.qr_page,
            PAY: self.pay_page,
            BILL: self.bill_page,
            THANKS: self.thanks_page,
        }
        for page in self._pages.values():
            self.stack.addWidget(page)
        self.resize(1024, 768)
        self.retranslate()

    # The API ----------------------------------------------------------------------------

    def idle(self) -> None:
        self._go(IDLE)

    def show_cart(self, lines: Sequence[DisplayLine], total_fen: int) -> None:
        self._lines = tuple(lines)
        self._total_fen = total_fen
        self.table.setRowCount(len(self._lines))
        for row, line in enumerate(self._lines):
            cells = (line.name, f"×{line.qty}", format_fen(line.line_total_fen))
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(row, col, item)
        if self._lines:
            self.table.scrollToBottom()  # the line just scanned is the one to see
        self.total.setText(format_fen(total_fen))
        self._go(CART)

    def show_qr(self, text: str, amount_fen: int, caption: str) -> None:
        self._qr_text = text
        self._qr_amount_fen = amount_fen
        self._qr_caption = caption
        self.qr.setPixmap(QPixmap.fromImage(qr_image(text)))
        self.qr_caption.setText(caption)
        self.qr_amount.setText(format_fen(amount_fen))
        self._go(QR)

    def show_payment(self, amount_fen: int, caption: str, prompt: str = "") -> None:
        """A card or wallet payment of `amount_fen` under way; `prompt` says what to do now."""
        self._pay_amount_fen = amount_fen
        self.pay_caption.setText(caption)
        self.pay_amount.setText(format_fen(amount_fen))
        self.pay_prompt.setText(prompt)
        self._go(PAY)

    def set_prompt(self, prompt: str) -> None:
        """The terminal's newest prompt (请输入密码 …), while a payment is shown."""
        self.pay_prompt.setText(prompt)

    def show_bill(self, biller: str, account: str, holder: str, amount_fen: int) -> None:
        """A bill payment for the customer to check before the money is taken (请核对): the
        account and holder come masked, as the biller gives them."""
        self.bill = (biller, account, holder, amount_fen)
        self.bill_values[0].setText(biller)
        self.bill_values[1].setText(account)
        self.bill_values[2].setText(holder or "—")
        self.bill_amount.setText(format_fen(amount_fen))
        self._go(BILL)

    def thank_you(self, change_fen: int = 0) -> None:
        self._change_fen = change_fen
        self._go(THANKS)

    def place_on_screen(self) -> bool:
        """Full screen on the second screen when there is one; False (left as is) otherwise."""
        screens = QGuiApplication.screens()
        primary = QGuiApplication.primaryScreen()
        others = [s for s in screens if s is not primary]
        if not others:
            return False
        self.setScreen(others[0])
        self.setGeometry(others[0].geometry())
        self.showFullScreen()
        return True

    # Texts ------------------------------------------------------------------------------

    def _go(self, state: str) -> None:
        self.state = state
        self.stack.setCurrentWidget(self._pages[state])
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Customer display"))
        self.welcome.setText(self.tr("Welcome"))
        self.table.setHorizontalHeaderLabels([self.tr("Item"), self.tr("Qty"), self.tr("Amount")])
        self.total_caption.setText(self.tr("Total"))
        items = sum(line.qty for line in self._lines)
        self.count.setText(self.tr("%n item(s)", "", items))
        self.qr_hint.setText(self.tr("Scan the code with your phone to pay"))
        self.bill_check.setText(self.tr("Please check"))
        for caption, text in zip(
            self.bill_captions,
            (self.tr("Biller"), self.tr("Account"), self.tr("Holder")),
            strict=True,
        ):
            caption.setText(text)
        self.bill_hint.setText(
            self.tr("Check the account and the amount, then tell the cashier to go on.")
        )
        self.thanks.setText(self.tr("Thank you"))
        self.change.setText(
            self.tr("Your change: %1").replace("%1", format_fen(self._change_fen))
            if self._change_fen > 0
            else ""
        )
        self.change.setVisible(self._change_fen > 0)
