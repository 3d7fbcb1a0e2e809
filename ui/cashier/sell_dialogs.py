"""The sell screen's dialogs: take the money, change a quantity, change a price, void the sale.

Each one works by touch (keypad, big buttons) and by keyboard (type, Enter, Esc). None of them
calls the core: they collect what the person decided and the screen runs it.
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QCloseEvent, QImage, QIntValidator, QKeyEvent, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from storebox.money import format_fen
from ui.cashier.sell_cart import LineView
from ui.widgets.keypad import Keypad, add_shortcut
from ui.widgets.money import MoneyEdit

#: the notes a customer hands over most
QUICK_NOTES_FEN = (1_000, 2_000, 5_000, 10_000)

# The payment dialog's states.
#: choosing the tender: cash typed in, the card button, a wallet code scanned
TENDER = "tender"
#: a card or wallet payment is under way (the terminal's prompts shown)
WORKING = "working"
#: the outcome is not known: nothing else may happen until it is resolved
UNKNOWN = "unknown"
#: resolving (or resolved): what became of the unknown payment
RESOLVING = "resolving"


class _Dialog(QDialog):
    """Enter belongs to the fields (they confirm); no button is a hidden 'default'."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setModal(True)

    def finish_buttons(self) -> None:
        for button in self.findChildren(QPushButton):
            button.setAutoDefault(False)
            button.setDefault(False)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()
            return
        super().keyPressEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        """Set every visible text again."""


class PayCashDialog(_Dialog):
    """The payment dialog: cash (amount tendered → change, shown large), card (the whole
    total, or what the cash typed in leaves: a split tender), or a wallet code scanned while it
    is open (the screen takes it). It collects; the screen runs the payment and tells it what
    happens: `show_working` (the terminal's prompts), `show_unknown` (the outcome is not known:
    the dialog cannot be closed until it is resolved), `show_resolution`, `back_to_tender`.

    Signals: `confirmed(tendered_fen)` take cash; `card(card_fen, cash_fen)`; `abort()` ask the
    terminal to cancel; `resolve()` ask the terminal (or the hub) again; `leave()` leave an
    unknown payment unresolved (the screen asks for the owner's PIN).

    `sale=False` is a payment that is not a sale (a convenience payment, 便民缴费): the core
    takes it as cash or the whole amount on the card, so there is no wallet code to scan and
    no split — cash typed below the amount is short, and the card pays it all.
    """

    confirmed = Signal(int)
    card = Signal(int, int)
    qr = Signal(int, int)
    abort = Signal()
    resolve = Signal()
    leave = Signal()

    def __init__(
        self,
        parent: QWidget,
        total_fen: int,
        *,
        card_ready: bool = False,
        qr_ready: bool = False,
        sale: bool = True,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("payCash")
        self.setMinimumWidth(620)
        self.total_fen = total_fen
        self.sale = sale
        self.card_ready = card_ready
        self.qr_ready = qr_ready
        self._busy = False
        self.state = TENDER
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.pages = QStackedWidget(self)
        outer.addWidget(self.pages)
        self.tender_page = QWidget(self.pages)
        self.pages.addWidget(self.tender_page)
        layout = QVBoxLayout(self.tender_page)
        layout.setSpacing(10)

        due = QHBoxLayout()
        self.due_label = QLabel(self)
        self.due_label.setObjectName("payCaption")
        self.due = QLabel(format_fen(total_fen), self)
        self.due.setObjectName("bigTotal")
        self.due.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        due.addWidget(self.due_label)
        due.addWidget(self.due, 1)
        layout.addLayout(due)

        tendered = QHBoxLayout()
        self.tendered_label = QLabel(self)
        self.tendered_label.setObjectName("payCaption")
        self.field = MoneyEdit(self)
        self.field.setObjectName("tenderedField")
        self.field.textChanged.connect(self._update_change)
        self.field.returnPressed.connect(self.confirm)
        tendered.addWidget(self.tendered_label)
        tendered.addWidget(self.field, 1)
        layout.addLayout(tendered)

        quick = QHBoxLayout()
        self.exact_button = QPushButton(self)
        self.exact_button.setObjectName("quickCash")
        self.exact_button.clicked.connect(lambda: self.field.set_fen(self.total_fen))
        quick.addWidget(self.exact_button)
        self.quick_buttons: dict[int, QPushButton] = {}
        for note in QUICK_NOTES_FEN:
            button = QPushButton(format_fen(note).replace(".00", ""), self)
            button.setObjectName("quickCash")
            button.clicked.connect(partial(self.field.set_fen, note))
            # a note smaller than the total cannot pay it alone
            button.setEnabled(note >= total_fen)
            quick.addWidget(button)
            self.quick_buttons[note] = button
        layout.addLayout(quick)

        change = QHBoxLayout()
        self.change_label = QLabel(self)
        self.change_label.setObjectName("payCaption")
        self.change = QLabel(self)
        self.change.setObjectName("bigChange")
        self.change.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        change.addWidget(self.change_label)
        change.addWidget(self.change, 1)
        layout.addLayout(change)

        # the other tenders: the card button; a wallet code is simply scanned
        others = QHBoxLayout()
        self.card_button = QPushButton(self)
        self.card_button.setObjectName("cardTender")
        self.card_button.clicked.connect(self.take_card)
        self.card_button.setEnabled(card_ready)
        others.addWidget(self.card_button, 1)
        self.qr_button = QPushButton(self)
        self.qr_button.setObjectName("cardTender")
        self.qr_button.clicked.connect(self.take_qr)
        self.qr_button.setVisible(qr_ready)
        others.addWidget(self.qr_button, 1)
        self.wallet_hint = QLabel(self)
        self.wallet_hint.setObjectName("walletHint")
        self.wallet_hint.setWordWrap(True)
        self.wallet_hint.setVisible(sale)
        others.addWidget(self.wallet_hint, 1)
        layout.addLayout(others)

        self.message = QLabel(self)
        self.message.setObjectName("errorText")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)

        # The keypad's OK is the one "take the cash" button (Enter does the same).
        self.keypad = Keypad(self, with_point=True)
        self.keypad.key.connect(self.field.insert)
        self.keypad.back.connect(self.field.backspace)
        self.keypad.ok.connect(self.confirm)
        layout.addWidget(self.keypad, 1)

        self.cancel_button = QPushButton(self)
        self.cancel_button.clicked.connect(self.reject)
        layout.addWidget(self.cancel_button)

        self._build_progress()
        add_shortcut(self, "Ctrl+K", self.take_card)
        self.finish_buttons()
        self.retranslate()
        # The exact amount, selected: most customers pay it, and the first digit typed replaces it.
        self.field.set_fen(total_fen)
        self.field.setFocus()

    def _build_progress(self) -> None:
        """The page shown while a card or wallet payment is under way, and after it if its
        outcome is unknown: big words, few buttons."""
        self.progress_page = QWidget(self.pages)
        self.pages.addWidget(self.progress_page)
        box = QVBoxLayout(self.progress_page)
        box.setContentsMargins(24, 24, 24, 24)
        box.setSpacing(12)
        self.state_title = QLabel(self.progress_page)
        self.state_title.setObjectName("payStateTitle")
        self.state_title.setWordWrap(True)
        self.state_title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.state_amount = QLabel(self.progress_page)
        self.state_amount.setObjectName("bigTotal")
        self.state_amount.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.state_prompt = QLabel(self.progress_page)
        self.state_prompt.setObjectName("payPrompt")
        self.state_prompt.setWordWrap(True)
        self.state_prompt.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.state_detail = QLabel(self.progress_page)
        self.state_detail.setObjectName("payDetail")
        self.state_detail.setWordWrap(True)
        self.state_detail.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.state_detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.addWidget(self.state_title)
        box.addWidget(self.state_amount)
        box.addWidget(self.state_prompt)
        # the shop's dynamic code, for a till without a customer's screen
        self.state_qr = QLabel(self.progress_page)
        self.state_qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.state_qr.hide()
        box.addWidget(self.state_qr)
        box.addWidget(self.state_detail)
        box.addStretch(1)
        self.abort_button = QPushButton(self.progress_page)
        self.abort_button.clicked.connect(self._abort)
        self.resolve_button = QPushButton(self.progress_page)
        self.resolve_button.setObjectName("primary")
        self.resolve_button.clicked.connect(self.resolve.emit)
        self.leave_button = QPushButton(self.progress_page)
        self.leave_button.clicked.connect(self.leave.emit)
        self.back_button = QPushButton(self.progress_page)
        self.back_button.setObjectName("primary")
        self.back_button.clicked.connect(lambda: self.back_to_tender(""))
        for button in (self.abort_button, self.resolve_button, self.back_button):
            button.setMinimumHeight(64)
            box.addWidget(button)
        box.addWidget(self.leave_button)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Take payment"))
        self.due_label.setText(self.tr("To pay"))
        self.tendered_label.setText(self.tr("Cash given"))
        self.exact_button.setText(self.tr("Exact"))
        for note, button in self.quick_buttons.items():
            if not button.isEnabled():
                button.setToolTip(self.tr("Less than the total"))
            else:
                button.setToolTip(self.tr("The customer gives %1").replace("%1", format_fen(note)))
        self.keypad.set_ok_text(self.tr("Take cash  Enter"))
        self.cancel_button.setText(self.tr("Cancel  Esc"))
        self.wallet_hint.setText(self.tr("Wallet: scan the customer's payment code now"))
        if not self.card_ready:
            self.card_button.setToolTip(self.tr("No card terminal is set up (Devices, F11)"))
        self.abort_button.setText(
            self.tr("Cancel the code")
            if self.state_qr.isVisibleTo(self)
            else self.tr("Cancel on the terminal")
        )
        self.resolve_button.setText(self.tr("Ask the terminal again"))
        self.leave_button.setText(self.tr("Leave it unresolved (owner's PIN)"))
        self.back_button.setText(self.tr("Back to payment"))
        self._update_change()

    def tendered_fen(self) -> int | None:
        return self.field.fen()

    def split(self) -> tuple[int, int]:
        """(card or wallet amount, cash amount): cash typed in below the total is taken and the
        rest goes on the card or wallet; otherwise the card or wallet pays it all."""
        cash = self.field.fen() or 0
        if self.sale and 0 < cash < self.total_fen:
            return self.total_fen - cash, cash
        return self.total_fen, 0

    def _update_change(self) -> None:
        tendered = self.field.fen()
        self.message.clear()
        if tendered is None:
            self.change_label.setText(self.tr("Change"))
            self.change.setText("—")
            self.change.setProperty("short", False)
        elif tendered >= self.total_fen:
            self.change_label.setText(self.tr("Change"))
            self.change.setText(format_fen(tendered - self.total_fen))
            self.change.setProperty("short", False)
        else:
            self.change_label.setText(self.tr("Still to pay"))
            self.change.setText(format_fen(self.total_fen - tendered))
            self.change.setProperty("short", True)
        self.change.style().unpolish(self.change)
        self.change.style().polish(self.change)
        card_fen, cash_fen = self.split()
        if cash_fen:
            self.card_button.setText(
                self.tr("Card for the rest %1  Ctrl+K").replace("%1", format_fen(card_fen))
            )
        else:
            self.card_button.setText(self.tr("Card %1  Ctrl+K").replace("%1", format_fen(card_fen)))
        self.qr_button.setText(self.tr("Shop's QR code %1").replace("%1", format_fen(card_fen)))

    def confirm(self) -> None:
        if self._busy or self.state != TENDER:
            return
        tendered = self.field.fen()
        if tendered is None:
            self.show_error(self.tr("Type the amount of cash the customer gave."))
            return
        self.confirmed.emit(tendered)

    def take_card(self) -> None:
        if self._busy or self.state != TENDER:
            return
        if not self.card_ready:
            self.show_error(self.tr("No card terminal is set up: take cash or a wallet code."))
            return
        self.card.emit(*self.split())

    def take_qr(self) -> None:
        if self._busy or self.state != TENDER or not self.qr_ready:
            return
        self.qr.emit(*self.split())

    def show_qr(self, image: QImage, prompt: str) -> None:
        """The shop's code is shown: the customer scans it; the button cancels it."""
        self.state_qr.setPixmap(QPixmap.fromImage(image))
        self.state_qr.show()
        self.state_prompt.setText(prompt)
        self.abort_button.setText(self.tr("Cancel the code"))
        self.abort_button.show()
        self.abort_button.setEnabled(True)

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.keypad.setEnabled(not busy)
        self.card_button.setEnabled(self.card_ready and not busy)

    def show_error(self, text: str) -> None:
        self.message.setText(text)
        self.field.selectAll()
        self.field.setFocus()

    # The states of a card or wallet payment -----------------------------------------------

    def _state(self, state: str) -> None:
        self.state = state
        self.pages.setCurrentWidget(self.tender_page if state == TENDER else self.progress_page)
        self.progress_page.setProperty("state", state)
        for label in (self.state_title, self.state_prompt):
            label.setProperty("state", state)
            label.style().unpolish(label)
            label.style().polish(label)

    def show_working(self, title: str, amount_fen: int, prompt: str, *, can_abort: bool) -> None:
        """A payment under way: what it is, the amount, what the customer is asked to do."""
        self._busy = True
        self._state(WORKING)
        self.state_title.setText(title)
        self.state_amount.setText(format_fen(amount_fen))
        self.state_prompt.setText(prompt)
        self.state_detail.setText(self.tr("Please wait: the customer pays on the device."))
        self.abort_button.setVisible(can_abort)
        self.abort_button.setEnabled(can_abort)
        self.abort_button.setText(self.tr("Cancel on the terminal"))
        self.state_qr.hide()
        for button in (self.resolve_button, self.leave_button, self.back_button):
            button.hide()

    def set_prompt(self, prompt: str) -> None:
        if self.state == WORKING:
            self.state_prompt.setText(prompt)

    def _abort(self) -> None:
        self.abort_button.setEnabled(False)
        self.state_detail.setText(self.tr("Cancelling…"))
        self.abort.emit()

    def show_unknown(self, message: str, *, can_leave: bool = True) -> None:
        """The outcome is not known: say so, plainly, and offer only to find out."""
        self._busy = True
        self._state(UNKNOWN)
        self.state_qr.hide()
        self.state_title.setText(self.tr("Payment unknown"))
        self.state_prompt.setText(
            self.tr("Do not hand over the goods and do not take the money again yet.")
        )
        self.state_detail.setText(message)
        self.abort_button.hide()
        self.back_button.hide()
        self.resolve_button.show()
        self.resolve_button.setEnabled(True)
        self.leave_button.setVisible(can_leave)
        self.leave_button.setEnabled(True)

    def resolving(self) -> None:
        self.resolve_button.setEnabled(False)
        self.leave_button.setEnabled(False)
        self.state_prompt.setText(self.tr("Asking what became of the payment…"))

    def show_resolution(self, title: str, text: str, *, still_unknown: bool) -> None:
        """What became of the unknown payment. Still unknown: the same state, asked again."""
        if still_unknown:
            self.show_unknown(text)
            self.state_prompt.setText(title)
            return
        self._state(RESOLVING)
        self.state_qr.hide()
        self.state_title.setText(title)
        self.state_prompt.setText(self.tr("Take the payment again, or another tender."))
        self.state_detail.setText(text)
        self.abort_button.hide()
        self.resolve_button.hide()
        self.leave_button.hide()
        self.back_button.show()

    def back_to_tender(self, message: str) -> None:
        """Back to the tender choice (a declined card, a refused code), with the reason."""
        self._busy = False
        self._state(TENDER)
        self.set_busy(False)
        self.message.setText(message)
        self.field.setFocus()

    # Never closed by mistake while money is in the air ------------------------------------

    def reject(self) -> None:
        if self.state == TENDER and not self._busy:
            super().reject()
        elif self.state == RESOLVING:
            self.back_to_tender("")

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.state == TENDER and not self._busy:
            super().closeEvent(event)
        else:
            event.ignore()


class QtyDialog(_Dialog):
    """A new quantity for one line."""

    def __init__(self, parent: QWidget, line: LineView) -> None:
        super().__init__(parent)
        self.setObjectName("qtyDialog")
        self.line = line
        layout = QVBoxLayout(self)
        self.name = QLabel(line.name, self)
        self.name.setObjectName("dialogHeading")
        self.name.setWordWrap(True)
        layout.addWidget(self.name)
        self.field = QLineEdit(str(line.qty), self)
        self.field.setObjectName("qtyField")
        self.field.setValidator(QIntValidator(1, 9999, self))
        self.field.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.field.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)
        self.field.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly)
        self.field.returnPressed.connect(self._ok)
        self.field.selectAll()
        layout.addWidget(self.field)
        self.keypad = Keypad(self)
        self.keypad.key.connect(self.field.insert)
        self.keypad.back.connect(self.field.backspace)
        self.keypad.ok.connect(self._ok)
        layout.addWidget(self.keypad)
        self.message = QLabel(self)
        self.message.setObjectName("errorText")
        layout.addWidget(self.message)
        self.cancel_button = QPushButton(self)
        self.cancel_button.clicked.connect(self.reject)
        layout.addWidget(self.cancel_button)
        self.finish_buttons()
        self.retranslate()
        self.field.setFocus()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Quantity"))
        self.keypad.set_ok_text(self.tr("OK"))
        self.cancel_button.setText(self.tr("Cancel  Esc"))

    def value(self) -> int | None:
        text = self.field.text()
        return int(text) if text.isdigit() and 1 <= int(text) <= 9999 else None

    def _ok(self) -> None:
        if self.value() is None:
            self.message.setText(self.tr("A whole number from 1 to 9999."))
            return
        self.accept()


class _ReasonDialog(_Dialog):
    """A required reason with a few ready-made ones to tap."""

    def add_reason(self, layout: QVBoxLayout) -> None:
        self.reason_label = QLabel(self)
        layout.addWidget(self.reason_label)
        # Reasons are written in Chinese: the input method stays on here.
        self.reason = QLineEdit(self)
        self.reason.setObjectName("reasonField")
        self.reason.setMaxLength(200)
        layout.addWidget(self.reason)
        self.presets_box = QGridLayout()
        layout.addLayout(self.presets_box)
        self.preset_buttons: list[QPushButton] = []

    def set_presets(self, texts: list[str]) -> None:
        for button in self.preset_buttons:
            self.presets_box.removeWidget(button)
            button.deleteLater()
        self.preset_buttons = []
        for n, text in enumerate(texts):
            button = QPushButton(text, self)
            button.setObjectName("presetButton")
            button.setAutoDefault(False)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(partial(self.reason.setText, text))
            self.presets_box.addWidget(button, n // 2, n % 2)
            self.preset_buttons.append(button)

    def reason_text(self) -> str:
        return self.reason.text().strip()


class PriceDialog(_ReasonDialog):
    """The owner changes one line's unit price, with a reason."""

    def __init__(self, parent: QWidget, line: LineView, approver_name: str) -> None:
        super().__init__(parent)
        self.setObjectName("priceDialog")
        self.line = line
        self.approver_name = approver_name
        # Left: what changes and why; right: the keypad for the price, its OK confirms.
        outer = QHBoxLayout(self)
        outer.setSpacing(16)
        layout = QVBoxLayout()
        outer.addLayout(layout, 1)
        self.name = QLabel(line.name, self)
        self.name.setObjectName("dialogHeading")
        self.name.setWordWrap(True)
        layout.addWidget(self.name)
        self.list_price = QLabel(self)
        layout.addWidget(self.list_price)
        row = QHBoxLayout()
        self.price_label = QLabel(self)
        self.price = MoneyEdit(self)
        self.price.setObjectName("priceField")
        self.price.returnPressed.connect(self.reason_focus)
        row.addWidget(self.price_label)
        row.addWidget(self.price, 1)
        layout.addLayout(row)
        self.add_reason(layout)
        self.reason.returnPressed.connect(self._ok)
        self.message = QLabel(self)
        self.message.setObjectName("errorText")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        layout.addStretch(1)
        self.cancel_button = QPushButton(self)
        self.cancel_button.clicked.connect(self.reject)
        layout.addWidget(self.cancel_button)
        self.keypad = Keypad(self, with_point=True)
        self.keypad.setMinimumWidth(300)
        self.keypad.key.connect(self.price.insert)
        self.keypad.back.connect(self.price.backspace)
        self.keypad.ok.connect(self._ok)
        outer.addWidget(self.keypad)
        self.finish_buttons()
        self.retranslate()
        self.price.set_fen(line.unit_price_fen)
        self.price.setFocus()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Change the price"))
        self.list_price.setText(
            self.tr("List price %1 · approved by %2")
            .replace("%1", format_fen(self.line.list_price_fen))
            .replace("%2", self.approver_name)
        )
        self.price_label.setText(self.tr("New unit price"))
        self.reason_label.setText(self.tr("Reason (required)"))
        self.set_presets(
            [
                self.tr("Damaged packaging"),
                self.tr("Near its date"),
                self.tr("Shelf label shows less"),
                self.tr("Regular customer"),
            ]
        )
        self.keypad.set_ok_text(self.tr("Change the price  Enter"))
        self.cancel_button.setText(self.tr("Cancel  Esc"))

    def reason_focus(self) -> None:
        self.reason.setFocus()

    def price_fen(self) -> int | None:
        return self.price.fen()

    def _ok(self) -> None:
        if self.price.fen() is None:
            self.message.setText(self.tr("Type the new price."))
            self.price.setFocus()
            return
        if not self.reason_text():
            self.message.setText(self.tr("Say why the price changes."))
            self.reason.setFocus()
            return
        self.accept()


class VoidDialog(_ReasonDialog):
    """Confirm that the whole cart is given up, and why."""

    def __init__(self, parent: QWidget, item_count: int, total_fen: int) -> None:
        super().__init__(parent)
        self.setObjectName("voidDialog")
        self.setMinimumWidth(520)
        self.item_count = item_count
        self.total_fen = total_fen
        layout = QVBoxLayout(self)
        self.question = QLabel(self)
        self.question.setObjectName("dialogHeading")
        self.question.setWordWrap(True)
        layout.addWidget(self.question)
        self.add_reason(layout)
        self.reason.returnPressed.connect(self._ok)
        self.message = QLabel(self)
        self.message.setObjectName("errorText")
        layout.addWidget(self.message)
        buttons = QHBoxLayout()
        self.cancel_button = QPushButton(self)
        self.cancel_button.clicked.connect(self.reject)
        self.ok_button = QPushButton(self)
        self.ok_button.setObjectName("danger")
        self.ok_button.clicked.connect(self._ok)
        buttons.addWidget(self.cancel_button, 1)
        buttons.addWidget(self.ok_button, 1)
        layout.addLayout(buttons)
        self.finish_buttons()
        self.retranslate()
        self.reason.setFocus()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Void the sale"))
        self.question.setText(
            self.tr("Void this sale? Items: %1, total %2. Nothing is charged.")
            .replace("%1", str(self.item_count))
            .replace("%2", format_fen(self.total_fen))
        )
        self.reason_label.setText(self.tr("Reason (required)"))
        self.set_presets(
            [
                self.tr("Customer changed their mind"),
                self.tr("Customer left"),
                self.tr("Not enough money"),
                self.tr("Scanned by mistake"),
            ]
        )
        self.cancel_button.setText(self.tr("Keep the sale  Esc"))
        self.ok_button.setText(self.tr("Void the sale  Enter"))

    def _ok(self) -> None:
        if not self.reason_text():
            self.message.setText(self.tr("Say why the sale is voided."))
            self.reason.setFocus()
            return
        self.accept()
