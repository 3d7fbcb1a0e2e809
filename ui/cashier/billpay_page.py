"""The 缴费 screen (convenience payments, issue 7): electricity, water, gas, mobile top-up and
credit-card repayment at the counter, in the order the counter works.

1. **Choose** — a big tile per kind, the kind's billers under it; or scan the barcode printed on
   a paper bill (`billpay.read_bill_barcode`), which picks the biller and fills the account.
2. **Account** — the number under the biller's own label and tip, checked as it is typed (the
   biller's rules, `billpay_rules.check_account`, pure: no store, no network, so it runs on the UI
   thread at every key) with the refusal under the field in red; a mobile number picks its
   carrier, a card number names its bank. Billers with a lookup are asked for the bill (holder
   masked, amount due, period, due date) off the UI thread; the amount defaults to what is due
   and is checked against the biller's partial/over-payment rules as it is typed; top-ups take
   a denomination tile, repayments a typed amount. The commission is shown small, for the
   cashier only.
3. **Confirm** — first `billpay.check` (off the UI thread): everything `pay` would refuse but
   the tender — the bill paid already (duplicate_bill), the account's per-day limit, the
   offline limits, no shift — is said here, in red, before the customer is asked anything;
   then the customer's screen shows biller, masked account and holder and the amount with
   请核对; the cashier goes on (Enter) only once the customer agrees.
4. **Pay** — the sell screen's own payment dialog (`PayCashDialog(sale=False)`): cash with change,
   or the whole amount on the card through the terminal with its prompts, a decline back to the
   choice, an unknown outcome in the red state. `billpay.pay` runs off the UI thread (on the
   terminal's thread for a card) and checks every rule before any money is taken: a refusal
   closes the dialog and is said on this screen, in red.
5. **Result** — exactly what the biller said: 成功 with its reference, or 受理中 (and, taken
   offline, that it is submitted when the network returns), or 失败 with its refund task; the
   receipt is queued on the printer.

**Today's payments** (Ctrl+L) lists the business day's bill payments (and any older one still
owed a refund) with 受理中 / 成功 / 失败 / 已退款: Ctrl+R asks the platform again (`refresh`),
Ctrl+P reprints, Enter on a failed one opens its refund (`ui.cashier.billpay_refund`).

Calls that reach the hub (lookup, pay in cash, refresh) run on the page's `PaymentRunner` pool,
not on the core's single worker, so a slow hub never holds up the till's other screens; card
payments and card refunds run on the terminal's thread. Every step is reachable by keyboard:
1-5 choose a kind, Tab and the arrows move between tiles, Enter goes on, Esc goes back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QButtonGroup,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from storebox import billpay, billpay_rules, shifts
from storebox.billers import BillerData
from storebox.billpay import BillView, OfflineAllowance
from storebox.billpay_rules import ScannedBill
from storebox.errors import PaymentDeclined, PaymentUnknown, ShopError
from storebox.ids import new_id
from storebox.money import format_fen
from storebox.ports import BillInfo, BillPay, StatusCallback
from storebox.sales import CARD, AttemptInfo, Card, Cash
from ui.cashier.billpay_words import (
    KINDS,
    account_note,
    card_issuer_words,
    kind_name,
    rule_error,
    status_name,
    tender_name,
)
from ui.cashier.page import Page
from ui.cashier.payment import PaymentRunner, Resolution, open_payments
from ui.cashier.sell_dialogs import PayCashDialog
from ui.cashier.signin import ask_owner
from ui.ops import CoreOp, report_error
from ui.widgets.keypad import add_shortcut
from ui.widgets.money import MoneyEdit

if TYPE_CHECKING:
    from storebox.users import Actor
    from ui.cashier.window import CashierWindow

log = logging.getLogger(__name__)
T = TypeVar("T")

# the page's steps (the stack's pages)
CHOOSE, ACCOUNT, CONFIRM, RESULT, TODAY = "choose", "account", "confirm", "result", "today"
# the kind of work the page's runner does off the UI thread when it is not a card payment
HUB = "billpay"

_STYLE = """
QPushButton#billKind { font-size: 24px; font-weight: bold; min-height: 96px; }
QPushButton#billKind:checked, QPushButton#billerTile:checked, QPushButton#denomination:checked {
  background: #0f766e; color: #ffffff; border-color: #0f766e; }
QPushButton#billerTile { font-size: 18px; min-height: 56px; text-align: left; padding: 8px 16px; }
QPushButton#billerTile:focus, QPushButton#billKind:focus, QPushButton#denomination:focus {
  border: 3px solid #f59e0b; }
QPushButton#denomination { font-size: 22px; font-weight: bold; min-height: 64px; }
QLineEdit#billAccount { font-size: 28px; font-weight: bold; letter-spacing: 2px; }
QLabel#billBiller { font-size: 24px; font-weight: bold; color: #0f766e; }
QLabel#billNote { font-size: 16px; color: #0d47a1; }
QLabel#billError { font-size: 17px; color: #b91c1c; font-weight: bold; }
QLabel#billCommission { font-size: 13px; color: #7b8794; }
QFrame#billInfo { background: #ffffff; border: 1px solid #cbd2d9; border-radius: 8px; }
QFrame#billInfo QLabel { background: transparent; font-size: 18px; }
QLabel#billDue { font-size: 36px; font-weight: bold; color: #0f766e; }
QLabel#billCheck { font-size: 40px; font-weight: bold; color: #0d47a1; }
QLabel#billSummary { font-size: 22px; }
QLabel#billResult { font-size: 48px; font-weight: bold; border-radius: 10px; padding: 16px; }
QLabel#billResult[status="success"] { color: #ffffff; background: #15803d; }
QLabel#billResult[status="pending"] { color: #ffffff; background: #b45309; }
QLabel#billResult[status="failed"] { color: #ffffff; background: #b91c1c; }
QLabel#billResultDetail { font-size: 20px; }
QTableWidget#billToday { font-size: 16px; }
"""


@dataclass(frozen=True)
class PayOutcome:
    """What a `billpay.pay` run came back with: the payment as recorded, or the error and the
    card payments left open by it (asked on the same thread, right after)."""

    view: BillView | None
    error: BaseException | None = None
    still_open: tuple[AttemptInfo, ...] = ()


def _fen_text(fen: int) -> str:
    return format_fen(fen).replace(".00", "")


class BillPayPage(Page):
    key = "billpay"
    shortcut = "Shift+F1"  # F1 sells; every plain function key is taken

    def __init__(self, window: CashierWindow) -> None:
        super().__init__(window)
        self.billers: list[BillerData] = []
        self.kind: str | None = None
        self.biller: BillerData | None = None
        # the account as the biller takes it, once the typed number passes its rules
        self.account: str | None = None
        self.bill: BillInfo | None = None
        self.amount: int | None = None
        # the idempotency key of the payment being taken (kept across a declined card)
        self.payment_id: str | None = None
        self.result: BillView | None = None
        self.pay_dialog: PayCashDialog | None = None
        self.today: list[BillView] = []
        # the account the shown bill was looked up for (another number drops the bill)
        self._looked_up_for = ""
        # offline (the port says the hub cannot be reached, or there is none): what the hub's
        # offline limits still allow today, None without limits; not offline: no entry
        self.offline: tuple[OfflineAllowance | None] | None = None
        self._busy = False
        self._paying = False
        self._paying_kind: str | None = None
        self.payments = PaymentRunner(window.devices, self) if window.devices else None
        if self.payments is not None:
            self.payments.prompt.connect(self._terminal_prompt)
        self.setStyleSheet(_STYLE)
        self._build()
        self._shortcuts()
        self._enter_clicks()
        self.retranslate()

    # Building ----------------------------------------------------------------------------

    def _build(self) -> None:
        root = QVBoxLayout(self)
        root.setContentsMargins(20, 12, 20, 12)
        self.heading = QLabel(self)
        self.heading.setObjectName("pageTitle")
        root.addWidget(self.heading)
        self.error = QLabel(self)
        self.error.setObjectName("billError")
        self.error.setWordWrap(True)
        self.error.hide()
        root.addWidget(self.error)
        self.stack = QStackedWidget(self)
        root.addWidget(self.stack, 1)
        self.steps: dict[str, QWidget] = {}
        for name, build in (
            (CHOOSE, self._build_choose),
            (ACCOUNT, self._build_account),
            (CONFIRM, self._build_confirm),
            (RESULT, self._build_result),
            (TODAY, self._build_today),
        ):
            step = QWidget(self.stack)
            step.setObjectName(f"bill_{name}")
            build(step)
            self.stack.addWidget(step)
            self.steps[name] = step
        self.step = CHOOSE

    def _build_choose(self, step: QWidget) -> None:
        box = QVBoxLayout(step)
        kinds = QHBoxLayout()
        self.kind_buttons: dict[str, QPushButton] = {}
        self.kind_group = QButtonGroup(self)
        self.kind_group.setExclusive(True)
        for kind in KINDS:
            button = QPushButton(step)
            button.setObjectName("billKind")
            button.setCheckable(True)
            button.clicked.connect(partial(self.choose_kind, kind))
            self.kind_group.addButton(button)
            kinds.addWidget(button, 1)
            self.kind_buttons[kind] = button
        box.addLayout(kinds)
        self.choose_hint = QLabel(step)
        self.choose_hint.setObjectName("hint")
        self.choose_hint.setWordWrap(True)
        box.addWidget(self.choose_hint)
        self.biller_box = QGridLayout()
        self.biller_box.setSpacing(10)
        box.addLayout(self.biller_box)
        self.biller_tiles: list[QPushButton] = []
        box.addStretch(1)
        bottom = QHBoxLayout()
        self.today_button = QPushButton(step)
        self.today_button.clicked.connect(self.show_today)
        bottom.addWidget(self.today_button)
        bottom.addStretch(1)
        box.addLayout(bottom)

    def _build_account(self, step: QWidget) -> None:
        box = QHBoxLayout(step)
        left = QVBoxLayout()
        box.addLayout(left, 3)
        self.biller_label = QLabel(step)
        self.biller_label.setObjectName("billBiller")
        self.biller_label.setWordWrap(True)
        left.addWidget(self.biller_label)
        # the kind's billers: a carrier picked from a phone number can be changed here
        self.carrier_row = QHBoxLayout()
        left.addLayout(self.carrier_row)
        self.carrier_buttons: list[QPushButton] = []
        self.account_label = QLabel(step)
        self.account_label.setObjectName("sectionTitle")
        left.addWidget(self.account_label)
        self.account_field = QLineEdit(step)
        self.account_field.setObjectName("billAccount")
        self.account_field.setMaxLength(40)
        self.account_field.textChanged.connect(self._account_changed)
        self.account_field.returnPressed.connect(self._account_entered)
        left.addWidget(self.account_field)
        self.account_tip = QLabel(step)
        self.account_tip.setObjectName("hint")
        self.account_tip.setWordWrap(True)
        left.addWidget(self.account_tip)
        self.account_error = QLabel(step)
        self.account_error.setObjectName("billError")
        self.account_error.setWordWrap(True)
        left.addWidget(self.account_error)
        self.account_note = QLabel(step)
        self.account_note.setObjectName("billNote")
        self.account_note.setWordWrap(True)
        left.addWidget(self.account_note)
        self.lookup_button = QPushButton(step)
        self.lookup_button.setObjectName("primary")
        self.lookup_button.clicked.connect(self.lookup)
        left.addWidget(self.lookup_button)
        self.busy_label = QLabel(step)
        self.busy_label.setObjectName("billNote")
        self.busy_label.hide()
        left.addWidget(self.busy_label)

        # the bill, once looked up
        self.info = QFrame(step)
        self.info.setObjectName("billInfo")
        grid = QGridLayout(self.info)
        self.info_captions: list[QLabel] = []
        self.info_values: list[QLabel] = []
        for row in range(4):
            caption = QLabel(self.info)
            value = QLabel(self.info)
            value.setObjectName(f"billInfo{row}")
            grid.addWidget(caption, row, 0)
            grid.addWidget(value, row, 1)
            self.info_captions.append(caption)
            self.info_values.append(value)
        self.due_caption = QLabel(self.info)
        self.due = QLabel(self.info)
        self.due.setObjectName("billDue")
        grid.addWidget(self.due_caption, 4, 0)
        grid.addWidget(self.due, 4, 1)
        grid.setColumnStretch(1, 1)
        self.info.hide()
        left.addWidget(self.info)
        left.addStretch(1)

        right = QVBoxLayout()
        box.addLayout(right, 2)
        self.amount_caption = QLabel(step)
        self.amount_caption.setObjectName("sectionTitle")
        right.addWidget(self.amount_caption)
        self.denominations = QGridLayout()
        self.denominations.setSpacing(8)
        right.addLayout(self.denominations)
        self.denomination_buttons: dict[int, QPushButton] = {}
        self.denomination_group = QButtonGroup(self)
        self.denomination_group.setExclusive(True)
        self.amount_field = MoneyEdit(step)
        self.amount_field.setObjectName("tenderedField")
        self.amount_field.textChanged.connect(self._amount_changed)
        self.amount_field.returnPressed.connect(self.confirm)
        right.addWidget(self.amount_field)
        self.amount_error = QLabel(step)
        self.amount_error.setObjectName("billError")
        self.amount_error.setWordWrap(True)
        right.addWidget(self.amount_error)
        self.commission = QLabel(step)
        self.commission.setObjectName("billCommission")
        right.addWidget(self.commission)
        # offline: what the hub's offline limits still allow today (said before it is asked)
        self.offline_note = QLabel(step)
        self.offline_note.setObjectName("billNote")
        self.offline_note.setWordWrap(True)
        self.offline_note.hide()
        right.addWidget(self.offline_note)
        right.addStretch(1)
        self.confirm_button = QPushButton(step)
        self.confirm_button.setObjectName("primary")
        self.confirm_button.setMinimumHeight(64)
        self.confirm_button.clicked.connect(self.confirm)
        right.addWidget(self.confirm_button)
        self.account_back = QPushButton(step)
        self.account_back.clicked.connect(self.back)
        right.addWidget(self.account_back)

    def _build_confirm(self, step: QWidget) -> None:
        box = QVBoxLayout(step)
        box.addStretch(1)
        self.check_title = QLabel(step)
        self.check_title.setObjectName("billCheck")
        self.check_title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        box.addWidget(self.check_title)
        self.summary = QLabel(step)
        self.summary.setObjectName("billSummary")
        self.summary.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.summary.setWordWrap(True)
        box.addWidget(self.summary)
        self.summary_amount = QLabel(step)
        self.summary_amount.setObjectName("bigTotal")
        self.summary_amount.setAlignment(Qt.AlignmentFlag.AlignCenter)
        box.addWidget(self.summary_amount)
        self.check_hint = QLabel(step)
        self.check_hint.setObjectName("hint")
        self.check_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.check_hint.setWordWrap(True)
        box.addWidget(self.check_hint)
        box.addStretch(1)
        row = QHBoxLayout()
        self.confirm_back = QPushButton(step)
        self.confirm_back.setMinimumHeight(64)
        self.confirm_back.clicked.connect(self.back)
        self.take_button = QPushButton(step)
        self.take_button.setObjectName("primary")
        self.take_button.setMinimumHeight(64)
        self.take_button.clicked.connect(self.take_money)
        row.addWidget(self.confirm_back, 1)
        row.addWidget(self.take_button, 2)
        box.addLayout(row)

    def _build_result(self, step: QWidget) -> None:
        box = QVBoxLayout(step)
        box.addStretch(1)
        self.result_title = QLabel(step)
        self.result_title.setObjectName("billResult")
        self.result_title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        box.addWidget(self.result_title)
        self.result_detail = QLabel(step)
        self.result_detail.setObjectName("billResultDetail")
        self.result_detail.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.result_detail.setWordWrap(True)
        self.result_detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.addWidget(self.result_detail)
        box.addStretch(1)
        row = QHBoxLayout()
        self.result_today = QPushButton(step)
        self.result_today.setMinimumHeight(56)
        self.result_today.clicked.connect(self.show_today)
        self.next_button = QPushButton(step)
        self.next_button.setObjectName("primary")
        self.next_button.setMinimumHeight(64)
        self.next_button.clicked.connect(self.new_customer)
        row.addWidget(self.result_today, 1)
        row.addWidget(self.next_button, 2)
        box.addLayout(row)

    def _build_today(self, step: QWidget) -> None:
        box = QVBoxLayout(step)
        self.table = QTableWidget(0, 7, step)
        self.table.setObjectName("billToday")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._today_selected)
        box.addWidget(self.table, 1)
        self.today_detail = QLabel(step)
        self.today_detail.setObjectName("billNote")
        self.today_detail.setWordWrap(True)
        box.addWidget(self.today_detail)
        row = QHBoxLayout()
        self.today_back = QPushButton(step)
        self.today_back.clicked.connect(self.back)
        self.refresh_button = QPushButton(step)
        self.refresh_button.clicked.connect(self.refresh_selected)
        self.reprint_button = QPushButton(step)
        self.reprint_button.clicked.connect(self.reprint_selected)
        self.refund_button = QPushButton(step)
        self.refund_button.setObjectName("danger")
        self.refund_button.clicked.connect(self.refund_selected)
        for button in (self.today_back, self.refresh_button, self.reprint_button):
            button.setMinimumHeight(48)
            row.addWidget(button)
        row.addStretch(1)
        self.refund_button.setMinimumHeight(48)
        row.addWidget(self.refund_button)
        box.addLayout(row)

    def _enter_clicks(self) -> None:
        """Enter on a focused button presses it, as Space does (autoDefault outside a dialog):
        the keyboard walks the tiles with Tab and the arrows and goes on with Enter."""
        for button in self.findChildren(QPushButton):
            button.setAutoDefault(True)

    def _shortcuts(self) -> None:
        for key, slot in (
            ("Ctrl+L", self.show_today),
            ("Ctrl+R", self.refresh_selected),
            ("Ctrl+P", self.reprint_selected),
        ):
            add_shortcut(self, key, slot)

    # Texts ---------------------------------------------------------------------------------

    def title(self) -> str:
        return self.tr("Bills")  # short: the navigation shows it with its key

    def retranslate(self) -> None:
        self.heading.setText(self.tr("Bill payments (便民缴费)"))
        for n, (kind, button) in enumerate(self.kind_buttons.items(), start=1):
            button.setText(f"{kind_name(kind)}\n{n}")
        self.choose_hint.setText(
            self.tr(
                "Choose the kind (1-5) and the biller, or scan the barcode on the customer's "
                "paper bill."
            )
            if self.billers
            else self.tr(
                "No billers yet: they come from the hub when the shop syncs (Sync screen)."
            )
        )
        self.today_button.setText(self.tr("Today's bill payments  Ctrl+L"))
        self.lookup_button.setText(self.tr("Look up the bill  Enter"))
        self.busy_label.setText(self.tr("Asking the biller…"))
        for caption, text in zip(
            self.info_captions,
            (self.tr("Holder"), self.tr("Period"), self.tr("Due date"), self.tr("Account")),
            strict=True,
        ):
            caption.setText(text)
        self.due_caption.setText(self.tr("Amount due"))
        self.confirm_button.setText(self.tr("Show the customer  Enter"))
        self.account_back.setText(self.tr("Back  Esc"))
        self.check_title.setText(self.tr("Please check (请核对)"))
        self.check_hint.setText(
            self.tr(
                "The customer's screen shows the same. Take the money only when the customer "
                "agrees."
            )
        )
        self.confirm_back.setText(self.tr("Change it  Esc"))
        self.take_button.setText(self.tr("The customer agrees: take the money  Enter"))
        self.result_today.setText(self.tr("Today's bill payments  Ctrl+L"))
        self.next_button.setText(self.tr("Next customer  Enter"))
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Time"),
                self.tr("Number"),
                self.tr("Biller"),
                self.tr("Account"),
                self.tr("Amount"),
                self.tr("Tender"),
                self.tr("Status"),
            ]
        )
        self.today_back.setText(self.tr("Back  Esc"))
        self.refresh_button.setText(self.tr("Ask the biller again  Ctrl+R"))
        self.reprint_button.setText(self.tr("Reprint  Ctrl+P"))
        self.refund_button.setText(self.tr("Refund the customer  Enter"))
        self._show_biller()
        self._show_amount_state()
        if self.step == CONFIRM:
            self._show_summary()
        if self.result is not None:
            self._draw_result(self.result)
        if self.step == TODAY:
            self._show_today(self.today)

    # The page's life -----------------------------------------------------------------------

    def activate(self) -> None:
        """Read the billers (the hub's list as last synced) each time the screen is shown."""
        shop = self.shop
        CoreOp(self, lambda: billpay.billers(shop)).success(self.set_billers).run()
        self._focus_step()

    def set_billers(self, found: list[BillerData]) -> None:
        """The billers to offer (the screenshot gives its own, made in memory)."""
        self.billers = [b for b in found if b.active]
        for kind, button in self.kind_buttons.items():
            button.setEnabled(any(b.kind == kind for b in self.billers))
        self.retranslate()
        if self.kind is not None and self.step == CHOOSE:
            self._show_biller_tiles(self.kind)

    def port(self) -> BillPay | None:
        return self.win.billpay

    def _go(self, step: str) -> None:
        self.step = step
        self.stack.setCurrentWidget(self.steps[step])
        self._focus_step()

    def _focus_step(self) -> None:
        if self.step == ACCOUNT:
            self.account_field.setFocus()
        elif self.step == CHOOSE:
            checked = self.kind_group.checkedButton()
            target = self.biller_tiles[0] if self.biller_tiles else checked
            (target or self.kind_buttons[KINDS[0]]).setFocus()
        elif self.step == TODAY:
            self.table.setFocus()
        elif self.step == CONFIRM:
            self.take_button.setFocus()
        else:
            self.next_button.setFocus()

    def say_error(self, text: str) -> None:
        """A refusal, in red at the top of the screen, until the next step."""
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def back(self) -> None:
        """Esc: one step back (the customer's screen forgets the bill when it is left)."""
        if self._busy or self._paying:
            return
        self.say_error("")
        if self.step == CONFIRM:
            self._customer_idle()
            self._go(ACCOUNT)
        elif self.step == ACCOUNT:
            self._go(CHOOSE)
            if self.kind is not None:
                self._show_biller_tiles(self.kind)
        elif self.step == TODAY:
            self._go(RESULT if self.result is not None else CHOOSE)
        elif self.step == RESULT:
            self.new_customer()

    def new_customer(self) -> None:
        """A clean screen for the next customer (the receipt of this one is printed)."""
        self.result = None
        self.payment_id = None
        self.bill = None
        self.amount = None
        self.account = None
        self.account_field.blockSignals(True)
        self.account_field.clear()
        self.account_field.blockSignals(False)
        self.amount_field.clear()
        self.say_error("")
        self._customer_idle()
        self._go(CHOOSE)
        if self.kind is not None:
            self._show_biller_tiles(self.kind)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key == Qt.Key.Key_Escape:
            self.back()
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            # A focused button presses itself (autoDefault). A line edit acts on its own Enter
            # (returnPressed) and lets the key through to here, after it may have moved to
            # the next step: the step must not act on the same key again. Only the list of
            # today's payments takes Enter here (the chosen row's refund).
            if self.step == TODAY and self.table.hasFocus():
                self.refund_selected()
            return
        if self.step == CHOOSE and Qt.Key.Key_1 <= key <= Qt.Key.Key_5:
            kind = KINDS[key - Qt.Key.Key_1]
            if self.kind_buttons[kind].isEnabled():
                self.choose_kind(kind)
            return
        if key in (Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Up, Qt.Key.Key_Down):
            forward = key in (Qt.Key.Key_Right, Qt.Key.Key_Down)
            if self.focusNextPrevChild(forward):
                return
        super().keyPressEvent(event)

    # 1. Choosing the biller -----------------------------------------------------------------

    def of_kind(self, kind: str) -> list[BillerData]:
        return [b for b in self.billers if b.kind == kind]

    def choose_kind(self, kind: str) -> None:
        """A kind's tile: its billers as tiles; one biller (or a top-up, whose carrier the
        phone number picks) goes straight to the number."""
        if self._busy or self._paying:
            return
        self.kind = kind
        self.kind_buttons[kind].setChecked(True)
        self.say_error("")
        found = self.of_kind(kind)
        if not found:
            self.say_error(self.tr("No biller of this kind yet: sync with the hub."))
            return
        if len(found) == 1 or kind == "mobile":
            self.choose_biller(found[0])
            return
        self._show_biller_tiles(kind)
        self.biller_tiles[0].setFocus()

    def _show_biller_tiles(self, kind: str) -> None:
        for tile in self.biller_tiles:
            self.biller_box.removeWidget(tile)
            tile.hide()  # at once: deleteLater waits for the event loop
            tile.deleteLater()
        self.biller_tiles = []
        for n, biller in enumerate(self.of_kind(kind)):
            tile = QPushButton(biller.name, self.steps[CHOOSE])
            tile.setObjectName("billerTile")
            tile.setProperty("biller_id", biller.biller_id)
            tile.clicked.connect(partial(self.choose_biller, biller))
            self.biller_box.addWidget(tile, n // 2, n % 2)
            self.biller_tiles.append(tile)
        self._enter_clicks()

    def choose_biller(self, biller: BillerData, account: str = "") -> None:
        self.biller = biller
        self.kind = biller.kind
        self.kind_buttons[biller.kind].setChecked(True)
        self.bill = None
        self.payment_id = None
        self._looked_up_for = ""
        self.info.hide()  # the last customer's bill
        self._show_carriers()
        self._show_biller()
        self._show_denominations()
        self.check_offline()
        self._go(ACCOUNT)
        self.account_field.setText(account)
        self._account_changed(account)
        self.amount_field.clear()
        self._show_amount_state()

    def _show_carriers(self) -> None:
        for button in self.carrier_buttons:
            self.carrier_row.removeWidget(button)
            button.hide()  # at once: deleteLater waits for the event loop
            button.deleteLater()
        self.carrier_buttons = []
        if self.kind is None:
            return
        siblings = self.of_kind(self.kind)
        if len(siblings) < 2:
            return
        for biller in siblings:
            button = QPushButton(biller.name, self.steps[ACCOUNT])
            button.setObjectName("billerTile")
            button.setCheckable(True)
            button.setChecked(self.biller is not None and biller.biller_id == self.biller.biller_id)
            button.setProperty("biller_id", biller.biller_id)
            button.clicked.connect(partial(self._switch_biller, biller))
            self.carrier_row.addWidget(button)
            self.carrier_buttons.append(button)
        self._enter_clicks()

    def _switch_biller(self, biller: BillerData) -> None:
        """The cashier changes the biller (the customer's carrier is not the segment's)."""
        text = self.account_field.text()
        self._set_biller(biller)
        self._account_changed(text)
        self.account_field.setFocus()

    def _set_biller(self, biller: BillerData) -> None:
        for button in self.carrier_buttons:  # a tile clicked again stays chosen
            button.setChecked(button.property("biller_id") == biller.biller_id)
        if self.biller is not None and self.biller.biller_id == biller.biller_id:
            return
        self.biller = biller
        self.bill = None
        self._show_biller()
        self._show_denominations()

    def _show_biller(self) -> None:
        biller = self.biller
        if biller is None:
            return
        rules = billpay_rules.rules_of(biller)
        self.biller_label.setText(f"{kind_name(biller.kind)} · {biller.name}")
        self.account_label.setText(rules.account_label)
        self.account_field.setPlaceholderText(rules.account_tip or rules.account_label)
        self.account_tip.setText(rules.account_tip)
        self.lookup_button.setVisible(rules.lookup)
        if rules.denominations_fen:
            self.amount_caption.setText(self.tr("Top-up amount: choose a tile"))
        elif rules.lookup:
            self.amount_caption.setText(self.tr("Amount to pay (the amount due unless changed)"))
        else:
            self.amount_caption.setText(self.tr("Amount to pay"))

    def _show_denominations(self) -> None:
        for button in self.denomination_buttons.values():
            self.denomination_group.removeButton(button)
            self.denominations.removeWidget(button)
            button.hide()  # at once: deleteLater waits for the event loop
            button.deleteLater()
        self.denomination_buttons = {}
        faces = billpay_rules.rules_of(self.biller).denominations_fen if self.biller else ()
        for n, fen in enumerate(sorted(faces)):
            button = QPushButton(_fen_text(fen), self.steps[ACCOUNT])
            button.setObjectName("denomination")
            button.setCheckable(True)
            button.clicked.connect(partial(self.choose_denomination, fen))
            self.denomination_group.addButton(button)
            self.denominations.addWidget(button, n // 3, n % 3)
            self.denomination_buttons[fen] = button
        self._enter_clicks()
        self.amount_field.setVisible(not faces)
        if faces:  # another carrier: the face chosen stays chosen if it has it too
            kept = self.denomination_buttons.get(self.amount_field.fen() or 0)
            if kept is not None:
                kept.setChecked(True)
            else:
                self.amount_field.clear()

    # 2. The account and the amount ----------------------------------------------------------

    def _account_changed(self, text: str) -> None:
        """Checked at every key against the biller's rules (pure, local): the first wrong
        digit is said at once, in the biller's words, before anything leaves the till."""
        self.account = None
        self.account_error.clear()
        self.account_note.clear()
        if self.bill is not None and billpay_rules.clean_account(text) != self._looked_up_for:
            self.bill = None  # the bill was for another number
            self.info.hide()
            self._show_amount_state()
        biller = self.biller
        if biller is None:
            return
        cleaned = billpay_rules.clean_account(text)
        if biller.kind == "mobile" and len(cleaned) >= 11:
            try:
                picked = billpay_rules.pick_mobile_biller(self.of_kind("mobile"), cleaned)
            except ShopError:
                picked = None
            if picked is not None:
                self._set_biller(picked)
                biller = picked
        if not cleaned:
            self._show_amount_state()
            return
        try:
            self.account = billpay_rules.check_account(biller, text)
        except ShopError as exc:
            self.account_error.setText(exc.message)
            issuer = card_issuer_words(biller, text)
            if issuer:
                self.account_note.setText(issuer)
        else:
            self.account_note.setText(account_note(biller, self.account))
        self._show_amount_state()

    def _account_entered(self) -> None:
        """Enter in the number: look the bill up, or go on to the amount."""
        if self.biller is None:
            return
        if self.account is None:
            if not self.account_field.text().strip():
                rules = billpay_rules.rules_of(self.biller)
                self.account_error.setText(
                    self.tr("Type the %1 first.").replace("%1", rules.account_label)
                )
            return
        rules = billpay_rules.rules_of(self.biller)
        if rules.lookup and self.bill is None:
            self.lookup()
        elif rules.denominations_fen:
            chosen = self.denomination_group.checkedButton()
            target = chosen or next(iter(self.denomination_buttons.values()), None)
            if target is not None:
                target.setFocus()
        elif self.amount is not None and rules.lookup:
            self.confirm()
        else:
            self.amount_field.setFocus()
            self.amount_field.selectAll()

    def lookup(self) -> None:
        """Ask the biller for the bill due, off the UI thread (the hub may be slow or away)."""
        biller, account = self.biller, self.account
        if biller is None or self._busy:
            return
        if account is None:
            self.account_field.setFocus()
            return
        shop, port = self.shop, self.port()
        self._set_busy(True)
        self._looked_up_for = account

        def ask() -> BillInfo:
            return billpay.lookup(shop, port, biller.biller_id, account)

        self._hub(ask, self._looked_up)

    def _looked_up(self, bill: BillInfo | None, exc: BaseException | None) -> None:
        self._set_busy(False)
        if bill is None:
            self.bill = None
            self.info.hide()
            self.account_error.setText(rule_error(exc) if exc else "")
            if exc is not None and not isinstance(exc, ShopError):
                report_error(self, exc)
            self._show_amount_state()
            return
        self.show_bill(bill)

    def show_bill(self, bill: BillInfo) -> None:
        """The bill the biller reported: holder (masked), period, due date, amount due; the
        amount to pay starts at what is due (with any late fee)."""
        self.bill = bill
        if self.account is not None:
            self._looked_up_for = self.account
        due = billpay_rules.due_fen(bill)
        values = (
            bill.holder_masked or "—",
            bill.period or "—",
            bill.due_date.isoformat() if bill.due_date else "—",
            bill.account_masked,
        )
        for label, text in zip(self.info_values, values, strict=True):
            label.setText(text)
        due_text = format_fen(due)
        if bill.penalty_fen:
            due_text += "  " + self.tr("(late fee %1 included)").replace(
                "%1", format_fen(bill.penalty_fen)
            )
        self.due.setText(due_text)
        self.info.show()
        self.amount_field.set_fen(due) if due > 0 else self.amount_field.clear()
        self._show_amount_state()
        self.amount_field.setFocus()
        self.amount_field.selectAll()

    def choose_denomination(self, fen: int) -> None:
        button = self.denomination_buttons.get(fen)
        if button is not None:
            button.setChecked(True)
        self.amount_field.set_fen(fen)
        self._show_amount_state()
        self.confirm_button.setFocus()

    def _amount_changed(self, _text: str) -> None:
        self._show_amount_state()

    def _show_amount_state(self) -> None:
        """The amount against the biller's rules (and the bill): the refusal under the field,
        or the commission, small, for the cashier."""
        self.amount = None
        self.amount_error.clear()
        self.commission.clear()
        biller = self.biller
        if biller is None:
            return
        rules = billpay_rules.rules_of(biller)
        fen = self.amount_field.fen()
        ready = self.account is not None and (not rules.lookup or self.bill is not None)
        self.confirm_button.setEnabled(ready and not self._busy)
        if fen is None:
            return
        try:
            self.amount = billpay_rules.check_amount(biller, fen, self.bill)
        except ShopError as exc:
            self.amount_error.setText(exc.message)
            self.confirm_button.setEnabled(False)
            return
        refusal = self._offline_refusal(self.amount)
        if refusal:
            self.amount_error.setText(refusal)
            self.amount = None
            self.confirm_button.setEnabled(False)
            return
        earned = billpay_rules.commission_fen(biller, self.amount)
        self.commission.setText(
            self.tr("Commission for the shop on success: %1").replace("%1", format_fen(earned))
        )

    def check_offline(self) -> None:
        """Is the hub reachable (the port's cheap, local answer)? If not, read what the hub's
        offline limits still allow today (off the UI thread) and say it before any amount is
        chosen: the core refuses the same, but only once the customer is paying."""
        port = self.port()
        if port is not None and port.online():
            self.offline = None
            self.offline_note.hide()
            self._show_amount_state()
            return
        shop = self.shop
        CoreOp(self, lambda: billpay.offline_allowance(shop)).success(self._show_offline).run()

    def _show_offline(self, allowance: OfflineAllowance | None) -> None:
        self.offline = (allowance,)
        if allowance is None:
            text = self.tr(
                "Offline, and the hub has never sent offline limits: no bill payment can be "
                "taken until the network returns."
            )
        else:
            text = (
                self.tr(
                    "Offline: at most %1 per payment, %2 left today. It is submitted when the "
                    "network returns."
                )
                .replace("%1", format_fen(allowance.per_payment_fen))
                .replace("%2", format_fen(allowance.left_fen))
            )
        self.offline_note.setText(text)
        lookup = self.biller is not None and billpay_rules.rules_of(self.biller).lookup
        self.offline_note.setVisible(not lookup)  # a lookup biller's lookup says it instead
        self._show_amount_state()

    def _offline_refusal(self, amount: int) -> str:
        """Why the offline limits refuse `amount` (empty: they do not, or the hub is there).
        Billers with a lookup are refused by the lookup itself."""
        if self.offline is None or self.biller is None:
            return ""
        if billpay_rules.rules_of(self.biller).lookup:
            return ""
        (allowance,) = self.offline
        if allowance is None:
            return self.tr("Offline: no bill payment can be taken until the network returns.")
        if amount > allowance.per_payment_fen:
            return self.tr("Offline, one payment may be at most %1: wait for the network.").replace(
                "%1", format_fen(allowance.per_payment_fen)
            )
        if amount > allowance.left_fen:
            return self.tr("Offline, only %1 may still be taken today.").replace(
                "%1", format_fen(allowance.left_fen)
            )
        return ""

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.busy_label.setVisible(busy)
        self.account_field.setReadOnly(busy)
        self.lookup_button.setEnabled(not busy)
        self._show_amount_state()

    # Scans -----------------------------------------------------------------------------------

    def on_scan(self, code: str) -> bool:
        """A paper bill's barcode picks its biller and fills the account (and the amount when
        the bill prints one); the bill is then looked up. Never goods on this screen."""
        code = code.strip()
        if not code:
            return True
        if self._paying or self.pay_dialog is not None or self._busy:
            self.win.show_error(self.tr("Finish this bill payment first."))
            return True
        if self.step not in (CHOOSE, ACCOUNT, RESULT):
            self.win.show_error(self.tr("Finish this bill payment first."))
            return True
        if QApplication.activeModalWidget() is not None:  # a refund or a PIN dialog is open
            self.win.show_error(self.tr("Close the open dialog first, then scan again."))
            return True
        shop = self.shop
        CoreOp(self, lambda: billpay.read_bill_barcode(shop, code)).success(self._scanned).failure(
            lambda exc: self.say_error(rule_error(exc))
        ).run()
        return True

    def _scanned(self, scanned: ScannedBill) -> None:
        if self.result is not None:
            self.new_customer()
        self.say_error("")
        if scanned.biller.biller_id not in {b.biller_id for b in self.billers}:
            self.billers.append(scanned.biller)
        self.choose_biller(scanned.biller, scanned.account)
        if scanned.amount_fen is not None:
            self.amount_field.set_fen(scanned.amount_fen)
        if billpay_rules.rules_of(scanned.biller).lookup and self.account is not None:
            self.lookup()

    # 3. Confirm with the customer -----------------------------------------------------------

    def confirm(self) -> None:
        """Everything the screen can check is right: show it to the customer (请核对)."""
        if self._busy or self.biller is None:
            return
        if self.account is None:
            self.account_field.setFocus()
            return
        rules = billpay_rules.rules_of(self.biller)
        if rules.lookup and self.bill is None:
            self.lookup()
            return
        if self.amount is None:
            if not self.amount_error.text():
                self.amount_error.setText(
                    self.tr("Choose the amount.")
                    if rules.denominations_fen
                    else self.tr("Type the amount.")
                )
            return
        self._check_before_customer()

    def _check_before_customer(self) -> None:
        """`billpay.check` — what `pay` would refuse apart from the tender (the bill paid
        already, the account's per-day limit, the offline limits, the shift, …) — before the
        customer is asked to check and hand over money. It reads the store (about 3 ms on the
        till, more with many payments pending), so it runs on the core's worker like the
        page's other reads; the screen is held (`_busy`) until it answers, and an answer for a
        screen that changed meanwhile is dropped."""
        assert self.biller is not None and self.account is not None and self.amount is not None
        shop, port = self.shop, self.port()
        online = port is not None and port.online()
        asked = (self.biller.biller_id, self.account, self.amount, self.bill)
        biller_id, account, amount, bill = asked
        self._busy = True
        self.confirm_button.setEnabled(False)

        def check() -> None:
            billpay.check(shop, biller_id, account, amount, bill=bill, online=online)

        CoreOp(self, check).success(lambda _none: self._checked(asked, None)).failure(
            lambda exc: self._checked(asked, exc)
        ).run()

    def _checked(
        self, asked: tuple[str, str, int, BillInfo | None], exc: BaseException | None
    ) -> None:
        self._busy = False
        now = (
            self.biller.biller_id if self.biller else None,
            self.account,
            self.amount,
            self.bill,
        )
        if self.step != ACCOUNT or now != asked:
            self._show_amount_state()
            return
        if exc is not None:
            # refused before the customer was asked for anything: said here, in red
            if not isinstance(exc, ShopError):
                report_error(self, exc)
            message = rule_error(exc)
            if isinstance(exc, ShopError) and exc.message == shifts.NO_OPEN_SHIFT:
                message = self.tr("No shift is open: open one on the Shift screen (F3) first.")
            self.say_error(message)
            self._show_amount_state()
            self.check_offline()  # the network may have gone (or come back) meanwhile
            return
        self.say_error("")
        self.payment_id = self.payment_id or new_id()
        self._show_summary()
        self._go(CONFIRM)
        display = self.win.customer_display
        if display is not None:
            display.show_bill(*self._customer_fields())

    def _customer_fields(self) -> tuple[str, str, str, int]:
        assert self.biller is not None and self.account is not None and self.amount is not None
        masked = self.bill.account_masked if self.bill else billpay_rules.mask_account(self.account)
        holder = self.bill.holder_masked if self.bill else ""
        return self.biller.name, masked, holder, self.amount

    def _show_summary(self) -> None:
        if self.biller is None or self.account is None or self.amount is None:
            return
        biller, masked, holder, amount = self._customer_fields()
        lines = [biller, f"{billpay_rules.rules_of(self.biller).account_label}: {masked}"]
        if holder:
            lines.append(self.tr("Holder: %1").replace("%1", holder))
        self.summary.setText("\n".join(lines))
        self.summary_amount.setText(format_fen(amount))

    def _customer_idle(self) -> None:
        display = self.win.customer_display
        if display is not None:
            display.idle()

    # 4. Taking the money ---------------------------------------------------------------------

    def take_money(self) -> PayCashDialog | None:
        """The sell screen's payment dialog, for an amount that is not a sale."""
        if self.step != CONFIRM or self.pay_dialog is not None or self._paying:
            return None
        if self.amount is None:
            return None
        devices = self.win.devices
        terminal = devices.terminal if devices is not None else None
        dialog = PayCashDialog(self, self.amount, card_ready=terminal is not None, sale=False)
        self.pay_dialog = dialog
        dialog.confirmed.connect(self._take_cash)
        dialog.card.connect(self._take_card)
        dialog.resolve.connect(self._resolve)
        dialog.leave.connect(self._leave_unresolved)
        dialog.abort.connect(self._abort)
        dialog.finished.connect(self._pay_dialog_closed)
        dialog.open()
        return dialog

    def _pay_dialog_closed(self) -> None:
        """After the dialog: the keyboard (and the scanner) belong to this screen again."""
        self.pay_dialog = None
        if self.isVisible():
            self.win.activateWindow()
            self._focus_step()

    def _payer(self, tender: Cash | Card) -> Callable[[StatusCallback | None], PayOutcome]:
        """`billpay.pay` for what the screen holds now, to run on another thread: everything
        it needs is read here, on the UI thread, so the run never touches the page."""
        shop, actor, biller = self.shop, self.win.actor, self.biller
        account, amount, bill, pid = self.account, self.amount, self.bill, self.payment_id
        port = self.port()
        devices = self.win.devices
        terminal = devices.terminal if devices is not None and isinstance(tender, Card) else None
        assert actor is not None and biller is not None and account is not None

        def pay(on_status: StatusCallback | None) -> PayOutcome:
            try:
                view = billpay.pay(
                    shop,
                    actor,
                    biller.biller_id,
                    account,
                    amount,
                    tender,
                    bill=bill,
                    port=port,
                    terminal=terminal,
                    on_status=on_status,
                    payment_id=pid,
                )
            except Exception as exc:
                # the card payments this run left open, asked on the same thread right after
                try:
                    still_open = open_payments(shop, CARD) if isinstance(tender, Card) else ()
                except Exception:
                    log.exception("cannot read the open payments")
                    still_open = ()
                return PayOutcome(None, exc, still_open)
            return PayOutcome(view)

        return pay

    def _take_cash(self, tendered_fen: int) -> None:
        dialog = self.pay_dialog
        if dialog is None or self._paying or self.amount is None:
            return
        if tendered_fen < self.amount:
            dialog.show_error(
                self.tr("Cash is short by %1.").replace(
                    "%1", format_fen(self.amount - tendered_fen)
                )
            )
            return
        self._paying = True
        self._paying_kind = "cash"
        dialog.set_busy(True)
        dialog.show_working(
            self.tr("Cash"),
            self.amount,
            self.tr("Recording and sending to the biller…"),
            can_abort=False,
        )
        tender = Cash(tendered_fen)
        pay = self._payer(tender)
        self._hub(lambda: pay(None), self._paid_pair)

    def _take_card(self, _card_fen: int, _cash_fen: int) -> None:
        dialog = self.pay_dialog
        runner = self.payments
        if dialog is None or runner is None or self._paying or self.amount is None:
            return
        amount = self.amount
        self._paying = True
        self._paying_kind = CARD
        dialog.show_working(
            self.tr("Pay by card"),
            amount,
            self.tr("Follow the terminal: insert, tap or swipe the card"),
            can_abort=True,
        )
        display = self.win.customer_display
        if display is not None:
            display.show_payment(
                amount, self.tr("Pay by card"), self.tr("Please follow the card terminal")
            )
        devices = self.win.devices
        if devices is not None:  # the pole display cues the customer, as for a sale
            devices.pole_paying(CARD, amount)
        tender = Card(amount)
        runner.call(CARD, self._payer(tender), self._paid_pair)

    def _paid_pair(self, outcome: PayOutcome | None, exc: BaseException | None) -> None:
        self._paid(outcome if outcome is not None else PayOutcome(None, exc))

    def _terminal_prompt(self, text: str) -> None:
        if self.pay_dialog is not None:
            self.pay_dialog.set_prompt(text)
        display = self.win.customer_display
        if display is not None and self._paying:
            display.set_prompt(text)
        devices = self.win.devices
        if devices is not None and self._paying_kind == CARD and self.amount is not None:
            devices.pole_paying(CARD, self.amount, text)

    def _abort(self) -> None:
        if self.payments is not None:
            self.payments.cancel_on_terminal()

    def _paid(self, outcome: PayOutcome) -> None:
        self._paying = False
        kind = self._paying_kind
        self._paying_kind = None
        dialog = self.pay_dialog
        devices = self.win.devices
        if outcome.view is not None:
            pole = devices.pole if devices is not None else None
            if pole is not None:
                pole.total(outcome.view.amount_fen, outcome.view.tendered_fen or None)
            if dialog is not None:
                dialog.accept()
            self.show_result(outcome.view)
            self._print(outcome.view, reprint=False)
            display = self.win.customer_display
            if display is not None and outcome.view.status == "failed":
                display.idle()  # refused at once: the cashier explains and refunds
            elif display is not None:
                display.thank_you(outcome.view.change_fen)
            self.win.refresh_status()
            return
        exc = outcome.error
        if kind == CARD and devices is not None and self.amount is not None:
            devices.pole_unpaid(self.amount, unknown=bool(outcome.still_open))
        message = rule_error(exc) if exc is not None else ""
        if exc is not None and not isinstance(exc, ShopError):
            report_error(self, exc)
        if isinstance(exc, ShopError) and exc.message == shifts.NO_OPEN_SHIFT:
            message = self.tr("No shift is open: open one on the Shift screen (F3) first.")
        if outcome.still_open or isinstance(exc, PaymentUnknown):
            if dialog is not None:
                lines = [self._attempt_words(a) for a in outcome.still_open]
                dialog.show_unknown("\n".join([message, *lines]))
            self.win.refresh_status()
            return
        if (
            kind == CARD
            and dialog is not None
            and (isinstance(exc, PaymentDeclined) or not _is_refusal(exc))
        ):
            # declined, or the terminal could not be reached: nothing was taken; choose again
            self._customer_check_again()
            dialog.back_to_tender(message)
            return
        if dialog is not None and kind == "cash" and not _is_refusal(exc):
            dialog.back_to_tender(message)
            return
        # a rule refused it before any money was taken: say why on the screen, close the dialog
        if dialog is not None:
            dialog.back_to_tender("")
            dialog.reject()
        self._customer_idle()
        self.say_error(message)
        self._go(ACCOUNT)
        self.check_offline()  # the network may have gone (or come back) meanwhile

    def _customer_check_again(self) -> None:
        display = self.win.customer_display
        if display is not None and self.amount is not None:
            display.show_bill(*self._customer_fields())

    def _attempt_words(self, attempt: AttemptInfo) -> str:
        return (
            self.tr("Card payment %1 (ref %2): outcome still unknown.")
            .replace("%1", format_fen(attempt.amount_fen))
            .replace("%2", attempt.reference[-8:])
        )

    def _resolve(self) -> None:
        dialog, runner = self.pay_dialog, self.payments
        if dialog is None or runner is None or self._paying:
            return
        dialog.resolving()
        self._paying = True
        runner.resolve(self.shop, CARD, self._resolved)

    def _resolved(self, resolution: Resolution) -> None:
        self._paying = False
        dialog = self.pay_dialog
        self.win.refresh_status()
        if dialog is None:
            return
        words = {
            "reversed": self.tr("reversed — the customer is not charged"),
            "declined": self.tr("did not go through — the customer is not charged"),
            "used": self.tr("charged, and recorded"),
        }
        lines = [
            f"{format_fen(a.amount_fen)} (ref {a.reference[-8:]}): "
            + words.get(a.status, self.tr("outcome still unknown"))
            for a in resolution.touched + resolution.still_open
        ]
        if resolution.still_open:
            dialog.show_resolution(
                self.tr("Still unknown: the terminal did not answer. Check it, then ask again."),
                "\n".join(lines),
                still_unknown=True,
            )
            return
        dialog.show_resolution(
            self.tr("Settled: take the payment again, or cash"),
            "\n".join(lines),
            still_unknown=False,
        )
        self._customer_check_again()

    def _leave_unresolved(self) -> None:
        dialog = self.pay_dialog
        if dialog is None or self._paying:
            return

        def leave(approver: Actor) -> None:
            if self.pay_dialog is dialog:
                log.warning("bill card payment left unresolved by %s", approver.name)
                dialog.back_to_tender(
                    self.tr(
                        "Left unresolved by %1: it is settled before the next card payment."
                    ).replace("%1", approver.name)
                )

        ask_owner(
            self, self.shop, self.tr("Leaving a payment unresolved needs the owner's PIN."), leave
        )

    # 5. The result ---------------------------------------------------------------------------

    def show_result(self, view: BillView) -> None:
        """Exactly what the biller said, in big words, and what the cashier does about it."""
        self._draw_result(view)
        self._go(RESULT)

    def _draw_result(self, view: BillView) -> None:
        self.result = view
        status = view.status
        self.result_title.setProperty("status", status)
        self.result_title.style().unpolish(self.result_title)
        self.result_title.style().polish(self.result_title)
        self.result_title.setText(f"{status_name(view)}  {format_fen(view.amount_fen)}")
        lines = [f"{view.biller_name} · {view.account_masked} · {view.number}"]
        if status == "success":
            lines.append(
                self.tr("The biller confirmed it. Reference: %1").replace(
                    "%1", view.biller_reference or "—"
                )
            )
        elif status == "pending":
            if view.accepted_offline and not view.submitted:
                lines.append(
                    self.tr(
                        "Accepted offline: it will be submitted when the network returns. The "
                        "receipt says 受理中."
                    )
                )
            else:
                lines.append(
                    self.tr(
                        "The biller has not answered yet (受理中); the result comes later. "
                        "Reference: %1"
                    ).replace("%1", view.biller_reference or "—")
                )
        else:
            lines.append(
                self.tr("The biller refused it: %1. The customer is owed a refund.").replace(
                    "%1", view.message or view.reason_code or "—"
                )
            )
        if view.tender == "cash" and view.change_fen:
            lines.append(self.tr("Change: %1").replace("%1", format_fen(view.change_fen)))
        elif view.tender == "card":
            lines.append(self.tr("Paid by card %1").replace("%1", view.masked_pan or ""))
        self.result_detail.setText("\n".join(lines))

    def _print(self, view: BillView, *, reprint: bool) -> bool:
        """Queue the receipt (a failed payment has none: its refund slip is printed later)."""
        devices = self.win.devices
        printer = devices.printer if devices is not None else None
        if printer is None or view.status == "failed":
            return False
        shop, pid = self.shop, view.payment_id
        CoreOp(self, lambda: billpay.print_receipt(shop, printer, pid, reprint=reprint)).success(
            lambda _job: self.win.refresh_status()
        ).run()
        return True

    # Today's payments ------------------------------------------------------------------------

    def show_today(self) -> None:
        if self._busy or self._paying or self.pay_dialog is not None:
            return
        self.say_error("")
        self._go(TODAY)
        self.load_today()

    def load_today(self) -> None:
        shop = self.shop

        def read() -> list[BillView]:
            views = billpay.payments(shop, shop.business_day())
            have = {v.payment_id for v in views}
            owed = [
                billpay.find(shop, t.payment_id)
                for t in billpay.refund_tasks(shop)
                if t.payment_id not in have
            ]
            return owed + views

        CoreOp(self, read).success(self._show_today).run()

    def _show_today(self, views: list[BillView]) -> None:
        selected = self.selected_view()
        self.today = views
        self.table.setRowCount(len(views))
        zone = self.shop.settings.zone
        for row, view in enumerate(views):
            cells = (
                view.accepted_at.astimezone(zone).strftime("%m-%d %H:%M"),
                view.number,
                view.biller_name,
                view.account_masked,
                format_fen(view.amount_fen),
                tender_name(view.tender),
                status_name(view),
            )
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col == 6:
                    owed = view.status == "failed" and (
                        view.refund is None or view.refund.status != "done"
                    )
                    if owed:
                        item.setForeground(Qt.GlobalColor.red)
                self.table.setItem(row, col, item)
        again = next(
            (r for r, v in enumerate(views) if selected and v.payment_id == selected.payment_id),
            None,
        )
        if again is None and views:
            # the oldest refund owed first, else the newest payment
            again = next((r for r, v in enumerate(views) if _owed(v)), len(views) - 1)
        if again is not None:
            self.table.selectRow(again)
        self._today_selected()

    def selected_view(self) -> BillView | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows or rows[0].row() >= len(self.today):
            return None
        return self.today[rows[0].row()]

    def _today_selected(self) -> None:
        view = self.selected_view()
        self.refund_button.setEnabled(view is not None and _owed(view))
        self.refresh_button.setEnabled(view is not None and view.status == "pending")
        self.reprint_button.setEnabled(view is not None and view.status != "failed")
        if view is None:
            self.today_detail.setText(self.tr("No bill payments today.") if not self.today else "")
            return
        detail = [f"{view.number} · {view.biller_name} · {status_name(view)}"]
        if view.biller_reference:
            detail.append(self.tr("Reference: %1").replace("%1", view.biller_reference))
        if view.message:
            detail.append(view.message)
        if _owed(view):
            detail.append(
                self.tr("Refund %1 to the customer's %2.")
                .replace("%1", format_fen(view.amount_fen))
                .replace("%2", tender_name(view.tender))
            )
        self.today_detail.setText(" · ".join(detail))

    def refresh_selected(self) -> None:
        """Ask the platform about the chosen pending payment now (`billpay.refresh`)."""
        view = self.selected_view()
        if self.step != TODAY or view is None or view.status != "pending" or self._busy:
            return
        port = self.port()
        if port is None:
            self.win.show_error(self.tr("This till has no hub: the result comes when it syncs."))
            return
        shop, pid = self.shop, view.payment_id
        self._busy = True
        self.refresh_button.setEnabled(False)
        self.today_detail.setText(self.tr("Asking the biller…"))

        def ask() -> BillView:
            return billpay.refresh(shop, port, pid)

        self._hub(ask, self._refreshed)

    def _refreshed(self, view: BillView | None, exc: BaseException | None) -> None:
        self._busy = False
        if view is None:
            self.win.show_error(rule_error(exc) if exc else "")
            if exc is not None and not isinstance(exc, ShopError):
                report_error(self, exc)
        else:
            self.win.show_info(
                self.tr("%1: %2").replace("%1", view.number).replace("%2", status_name(view))
            )
            if view.status == "success":
                self._print(view, reprint=True)  # the 受理中 receipt becomes a 成功 one
        self.win.refresh_status()
        self.load_today()

    def reprint_selected(self) -> None:
        view = self.selected_view() if self.step == TODAY else self.result
        if view is None:
            return
        if self._print(view, reprint=True):
            self.win.show_info(self.tr("Reprinting bill payment %1.").replace("%1", view.number))
        elif view.status == "failed":
            self.win.show_error(self.tr("A failed payment has no receipt: refund it."))
        else:
            self.win.show_error(self.tr("No receipt printer is configured."))

    def refund_selected(self) -> None:
        view = self.selected_view()
        if self.step != TODAY or view is None or not _owed(view) or view.refund is None:
            return
        from ui.cashier.billpay_refund import BillRefundDialog

        dialog = BillRefundDialog(self, view)
        dialog.finished.connect(lambda _r: self._refund_closed())
        dialog.open()

    def _refund_closed(self) -> None:
        if self.isVisible():
            self.win.activateWindow()
            self.table.setFocus()
        self.win.refresh_status()
        self.load_today()

    def open_refunds(self) -> None:
        """From the sell screen's red banner or the status bar: the list, the refund owed
        chosen."""
        self.win.show_page(self.key)
        self.show_today()

    # Off the UI thread -----------------------------------------------------------------------

    def _hub(
        self, fn: Callable[[], T], done: Callable[[T | None, BaseException | None], None]
    ) -> None:
        """`fn` (which may wait on the hub) on the runner's own pool, not on the core's single
        worker: a slow hub never holds up the other screens. Without devices (a bare window
        in a test), on the core's worker."""
        runner = self.payments
        if runner is not None:
            runner.call(HUB, lambda _emit: fn(), done)
            return
        CoreOp(self, fn).success(lambda r: done(r, None)).failure(lambda e: done(None, e)).run()


def _owed(view: BillView) -> bool:
    return view.status == "failed" and view.refund is not None and view.refund.status == "open"


def _is_refusal(exc: BaseException | None) -> bool:
    """A rule refused the payment (checked before any money was taken): not a decline or a
    device that could not be reached, which leave the cashier at the tender choice."""
    from storebox.errors import InvalidInput, NotFound, RuleViolation

    return isinstance(exc, InvalidInput | NotFound | RuleViolation)
