"""The refund screen (退货): find a sale (typed number, scanned receipt, today's list), choose
what comes back, give a reason, confirm the money, and see how much cash to hand back.

Refunds above the shop's limit need the owner: a cashier is asked for the owner's PIN in place
and the refund is made with the owner as approver. The core checks every rule again.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from storebox import refunds, sales
from storebox.money import format_fen
from storebox.ports import StatusCallback
from storebox.refunds import RefundReceipt
from storebox.sales import SaleView
from storebox.users import Actor
from ui.cashier.payment import PaymentRunner
from ui.cashier.shift_page import ConfirmingPage, local_time
from ui.cashier.signin import ask_owner
from ui.ops import CoreOp, report_error

if TYPE_CHECKING:
    from ui.cashier.window import CashierWindow

#: What a sale number looks like on a receipt: MMDD-till-sequence (sales.sale_number).
SALE_NUMBER = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{4,}")
#: A sale's id (a QR code on a receipt may carry it).
SALE_ID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def looks_like_sale(code: str) -> bool:
    code = code.strip()
    return bool(SALE_NUMBER.fullmatch(code) or SALE_ID.fullmatch(code))


def tender_name(kind: str) -> str:
    names = {
        "cash": QCoreApplication.translate("tenders", "cash"),
        "card": QCoreApplication.translate("tenders", "card"),
        "wallet": QCoreApplication.translate("tenders", "wallet"),
    }
    return names.get(kind, kind)


def refund_split(sale: SaleView, total_fen: int) -> list[tuple[str, int]]:
    """Where `total_fen` would go back to, as `refunds.refund` places it: non-cash tenders first
    (in the order taken), then cash from the drawer. A preview: the receipt says what happened."""
    left = total_fen
    split: list[tuple[str, int]] = []
    for p in sorted(sale.payments, key=lambda p: (p.kind == sales.CASH, p.id)):
        take = min(p.amount_fen - p.refunded_fen, left)
        if take > 0:
            split.append((p.kind, take))
            left -= take
    return split


class QtyStepper(QWidget):
    """− n +: how many of a line come back. Big enough for a finger; typed or arrowed too."""

    def __init__(self, parent: QWidget, maximum: int) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(4, 2, 4, 2)
        row.setSpacing(4)
        self.spin = QSpinBox(self)
        self.spin.setObjectName("refundQty")
        # (the arrows are made zero-wide by the style sheet: NoButtons under a style sheet
        # leaves the number a one-pixel-wide field)
        self.spin.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.spin.setRange(0, maximum)
        self.spin.setFixedWidth(56)
        self.minus = QPushButton("−", self)
        self.plus = QPushButton("+", self)
        for button, step in ((self.minus, self.spin.stepDown), (self.plus, self.spin.stepUp)):
            button.setObjectName("stepButton")
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setAutoRepeat(True)
            button.clicked.connect(step)
        row.addWidget(self.minus)
        row.addWidget(self.spin)
        row.addWidget(self.plus)
        self.setEnabled(maximum > 0)


class RefundPage(ConfirmingPage):
    key = "refund"
    shortcut = "F2"

    def __init__(self, window: CashierWindow) -> None:
        super().__init__(window)
        self.sale: SaleView | None = None
        self.today: list[SaleView] = []
        self.receipt: RefundReceipt | None = None
        self.spins: list[QSpinBox] = []
        self._spin_lines: list[str] = []  # the sale line each spin box belongs to
        self._fresh = True  # next drawing of the sale: everything refundable chosen
        self._pending: str | None = None
        self._busy = False
        # card and wallet refunds run on the terminal's (or the wallet's) thread
        self._runner: PaymentRunner | None = None

        layout = QVBoxLayout(self)
        self.heading = QLabel(self)
        self.heading.setObjectName("pageTitle")
        layout.addWidget(self.heading)

        find = QHBoxLayout()
        self.number_label = QLabel(self)
        self.number = QLineEdit(self)
        self.number.setObjectName("saleNumber")
        self.number.setMaxLength(40)
        self.number.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)
        self.number.returnPressed.connect(self.find_typed)
        self.find_button = QPushButton(self)
        self.find_button.setObjectName("primary")
        self.find_button.clicked.connect(self.find_typed)
        self.find_hint = QLabel(self)
        self.find_hint.setObjectName("hint")
        find.addWidget(self.number_label)
        find.addWidget(self.number, 1)
        find.addWidget(self.find_button)
        find.addWidget(self.find_hint, 1)
        layout.addLayout(find)

        body = QHBoxLayout()
        left = QVBoxLayout()
        self.today_label = QLabel(self)
        self.today_label.setObjectName("sectionTitle")
        self.today_table = QTableWidget(0, 4, self)
        self.today_table.setObjectName("todaySales")
        self._table_style(self.today_table)
        self.today_table.setFixedWidth(380)
        self.today_table.horizontalHeader().setStretchLastSection(True)
        self.today_table.cellClicked.connect(self._pick_today)
        self.today_empty = QLabel(self)
        self.today_empty.setObjectName("emptyState")
        self.today_empty.setWordWrap(True)
        left.addWidget(self.today_label)
        left.addWidget(self.today_table, 1)
        left.addWidget(self.today_empty)
        body.addLayout(left)

        right = QVBoxLayout()
        self.done = QFrame(self)
        self.done.setObjectName("refundDone")
        done = QVBoxLayout(self.done)
        self.done_text = QLabel(self.done)
        self.done_text.setWordWrap(True)
        self.hand_back = QLabel(self.done)
        self.hand_back.setObjectName("bigChange")
        done.addWidget(self.done_text)
        done.addWidget(self.hand_back)
        self.done.hide()
        right.addWidget(self.done)

        self.sale_title = QLabel(self)
        self.sale_title.setObjectName("sectionTitle")
        self.sale_info = QLabel(self)
        self.sale_info.setWordWrap(True)
        right.addWidget(self.sale_title)
        right.addWidget(self.sale_info)
        self.empty = QLabel(self)
        self.empty.setObjectName("emptyState")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        right.addWidget(self.empty, 1)

        self.lines = QTableWidget(0, 6, self)
        self.lines.setObjectName("refundLines")
        self._table_style(self.lines)
        self.lines.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.lines.verticalHeader().setDefaultSectionSize(44)
        right.addWidget(self.lines, 1)

        self.form = QWidget(self)
        form = QVBoxLayout(self.form)
        form.setContentsMargins(0, 0, 0, 0)
        pick = QHBoxLayout()
        self.all_button = QPushButton(self.form)
        self.all_button.clicked.connect(lambda: self._set_all(True))
        self.none_button = QPushButton(self.form)
        self.none_button.clicked.connect(lambda: self._set_all(False))
        pick.addWidget(self.all_button)
        pick.addWidget(self.none_button)
        pick.addStretch(1)
        form.addLayout(pick)
        why = QHBoxLayout()
        self.reason_label = QLabel(self.form)
        self.reason = QLineEdit(self.form)
        self.reason.setObjectName("refundReason")
        self.reason.setMaxLength(refunds.MAX_REASON)
        self.reason.returnPressed.connect(self.start_refund)
        why.addWidget(self.reason_label)
        why.addWidget(self.reason, 1)
        self.reason_chips: list[QPushButton] = []
        for _ in range(4):
            chip = QPushButton(self.form)
            chip.setObjectName("reasonChip")
            chip.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            chip.clicked.connect(lambda _c=False, b=chip: self.reason.setText(b.text()))
            why.addWidget(chip)
            self.reason_chips.append(chip)
        form.addLayout(why)
        go = QHBoxLayout()
        self.total_label = QLabel(self.form)
        self.total_label.setObjectName("refundTotal")
        self.total_label.setWordWrap(True)
        self.refund_button = QPushButton(self.form)
        self.refund_button.setObjectName("primary")
        self.refund_button.setMinimumHeight(52)
        self.refund_button.clicked.connect(self.start_refund)
        go.addWidget(self.total_label, 1)
        go.addWidget(self.refund_button)
        form.addLayout(go)
        right.addWidget(self.form)
        body.addLayout(right, 1)
        layout.addLayout(body, 1)

        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self.start_refund)

        self.retranslate()

    @staticmethod
    def _table_style(table: QTableWidget) -> None:
        table.setAlternatingRowColors(True)
        table.verticalHeader().hide()
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)

    # Page -------------------------------------------------------------------------------

    def title(self) -> str:
        return self.tr("Refund")

    def activate(self) -> None:
        self._load_today()
        pending, self._pending = self._pending, None
        if pending is not None:
            self.load(pending)
        elif self.sale is not None:
            self.load(self.sale.id, quiet=True)
        self.number.setFocus()

    def on_scan(self, code: str) -> bool:
        """A receipt's sale number scanned here looks the sale up; goods go to the sell screen."""
        if not looks_like_sale(code):
            return False
        if self.confirming():
            self.win.show_error(self.tr("Finish or cancel this refund first."))
            return True
        self.number.setText(code.strip())
        self.load(code.strip())
        return True

    def open_sale(self, number_or_id: str) -> None:
        """Show this screen on one sale (from the history screen)."""
        self._pending = number_or_id
        self.win.show_page(self.key)

    # Finding ----------------------------------------------------------------------------

    def find_typed(self) -> None:
        text = self.number.text().strip()
        if not text:
            self.win.show_error(self.tr("Type the sale number from the receipt, or scan it."))
            self.number.setFocus()
            return
        self.load(text)

    def load(self, ref: str, *, quiet: bool = False) -> None:
        shop = self.shop

        def read() -> SaleView:
            # "7" or "0007": sale 7 of today on this till, as printed at the end of its number
            if ref.isdigit() and len(ref) <= 4:
                number = sales.sale_number(shop.business_day(), shop.device_no, int(ref))
                return sales.find_sale(shop, number)
            return sales.find_sale(shop, ref)

        op = CoreOp(self, read).success(self._show_sale)
        if quiet:
            op.failure(lambda _exc: self._show_sale(None))
        op.run()

    def _load_today(self) -> None:
        shop = self.shop
        CoreOp(self, lambda: sales.sales_of_day(shop, shop.business_day())).success(
            self._show_today
        ).run()

    def _show_today(self, found: list[SaleView]) -> None:
        self.today = list(reversed(found))  # the latest first: it is usually the one
        self._render_today()

    def _pick_today(self, row: int, _column: int) -> None:
        if 0 <= row < len(self.today):
            sale = self.today[row]
            self.number.setText(sale.number)
            self.load(sale.id)

    def _show_sale(self, sale: SaleView | None) -> None:
        if sale is None or self.sale is None or sale.id != self.sale.id:
            self.reason.clear()
            self._fresh = True
        if self.receipt is not None and (sale is None or self.receipt.sale_id != sale.id):
            self.receipt = None
        self.sale = sale
        self._render_sale()
        self._render_receipt()

    # Choosing ---------------------------------------------------------------------------

    def chosen_qty(self) -> list[int]:
        return [spin.value() for spin in self.spins]

    def chosen(self) -> dict[str, int]:
        """{sale line id: quantity} of what the cashier chose to take back."""
        pairs = zip(self._spin_lines, self.chosen_qty(), strict=True)
        return {line_id: qty for line_id, qty in pairs if qty > 0}

    def chosen_fen(self) -> int:
        if self.sale is None:
            return 0
        qty = self.chosen()
        return sum(line.unit_price_fen * qty.get(line.id, 0) for line in self.sale.lines)

    def _set_all(self, everything: bool) -> None:
        for spin in self.spins:
            spin.setValue(spin.maximum() if everything else 0)

    def _update_total(self) -> None:
        sale = self.sale
        total = self.chosen_fen()
        if sale is None:
            return
        if total == 0:
            self.total_label.setText(self.tr("Choose what comes back."))
        else:
            parts = [
                self.tr("%1 in cash from the drawer").replace("%1", format_fen(fen))
                if kind == sales.CASH
                else self.tr("%1 back to the %2")
                .replace("%1", format_fen(fen))
                .replace("%2", tender_name(kind))
                for kind, fen in refund_split(sale, total)
            ]
            self.total_label.setText(
                self.tr("Refund %1: %2")
                .replace("%1", format_fen(total))
                .replace("%2", "; ".join(parts))
            )
        self.refund_button.setText(
            self.tr("Refund %1… (Ctrl+Enter)").replace("%1", format_fen(total))
        )
        self.refund_button.setEnabled(total > 0 and not self._busy)

    # Refunding --------------------------------------------------------------------------

    def start_refund(self) -> None:
        sale, actor = self.sale, self.win.actor
        if sale is None or actor is None or self._busy:
            return
        lines = self.chosen()
        total = self.chosen_fen()
        if not lines or total <= 0:
            self.win.show_error(self.tr("Choose at least one item to take back."))
            return
        reason = self.reason.text().strip()
        if not reason:
            self.win.show_error(self.tr("A refund needs a reason: type one or tap a common one."))
            self.reason.setFocus()
            return
        split = refund_split(sale, total)
        cash = sum(fen for kind, fen in split if kind == sales.CASH)
        text = (
            self.tr("Refund %1 for %2 item(s) of sale %3?")
            .replace("%1", format_fen(total))
            .replace("%2", str(sum(lines.values())))
            .replace("%3", sale.number)
        )
        if cash:
            text += "\n\n" + self.tr("Hand back %1 in cash from the drawer.").replace(
                "%1", format_fen(cash)
            )
        for kind, fen in split:
            if kind != sales.CASH:
                text += "\n" + self.tr("%1 goes back to the customer's %2.").replace(
                    "%1", format_fen(fen)
                ).replace("%2", tender_name(kind))
        limit = self.shop.settings.refund_limit_fen
        owner_needed = total > limit and not actor.is_owner
        if owner_needed:
            text += "\n\n" + self.tr(
                "This is above the refund limit of %1: the owner's PIN is needed next."
            ).replace("%1", format_fen(limit))

        def go() -> None:
            if not owner_needed:
                self._refund(actor, sale, lines, reason, None)
                return
            ask_owner(
                self,
                self.shop,
                self.tr("The owner's PIN is needed to refund %1 (above the limit of %2).")
                .replace("%1", format_fen(total))
                .replace("%2", format_fen(limit)),
                lambda owner: self._refund(actor, sale, lines, reason, owner),
            )

        self.confirm(
            self.tr("Refund"),
            text,
            self.tr("Refund %1").replace("%1", format_fen(total)),
            go,
        )

    def _refund(
        self,
        actor: Actor,
        sale: SaleView,
        lines: dict[str, int],
        reason: str,
        approver: Actor | None,
    ) -> None:
        if self._busy:
            return
        self._busy = True
        self.refund_button.setEnabled(False)
        shop = self.shop
        kinds = {kind for kind, _fen in refund_split(sale, self.chosen_fen())}
        devices = self.win.devices
        if kinds <= {sales.CASH} or devices is None:
            CoreOp(
                self,
                lambda: refunds.refund(shop, actor, sale.id, lines, reason, approver=approver),
            ).success(self._refunded).failure(self._refund_failed).run()
            return
        # Back to the card through the terminal (on its own thread), or to the wallet through
        # the hub: the core writes the attempt first and settles an unknown outcome.
        if self._runner is None:
            self._runner = PaymentRunner(devices, self)
            self._runner.prompt.connect(self.win.show_info)
        terminal, wallet = devices.terminal, devices.wallet
        kind = sales.CARD if sales.CARD in kinds else sales.WALLET
        self.win.show_info(
            self.tr("Refund to the card: follow the terminal.")
            if kind == sales.CARD
            else self.tr("Refund to the wallet: asking the hub…")
        )

        def run(on_status: StatusCallback) -> RefundReceipt:
            return refunds.refund(
                shop,
                actor,
                sale.id,
                lines,
                reason,
                approver=approver,
                terminal=terminal,
                wallet=wallet,
                on_status=on_status,
            )

        def done(receipt: RefundReceipt | None, exc: BaseException | None) -> None:
            if receipt is not None:
                self._refunded(receipt)
            else:
                self._refund_failed(exc or RuntimeError("no answer"))

        self._runner.call(kind, run, done)

    def _refund_failed(self, exc: BaseException) -> None:
        self._busy = False
        report_error(self, exc)
        if self.sale is not None:
            self.load(self.sale.id, quiet=True)

    def _refunded(self, receipt: RefundReceipt) -> None:
        self._busy = False
        self.receipt = receipt
        self.reason.clear()
        self._fresh = True  # the sale comes back with what is left to refund, all chosen
        self.refund_button.setEnabled(False)  # until the sale is read again
        self.win.refresh_status()
        self._render_receipt()
        self.load(receipt.sale_id, quiet=True)
        self._load_today()

    # Drawing ----------------------------------------------------------------------------

    def _render_today(self) -> None:
        table = self.today_table
        table.setRowCount(len(self.today))
        for row, sale in enumerate(self.today):
            if sale.fully_refunded:
                status = self.tr("refunded")
            elif sale.refund_numbers:
                status = self.tr("part")
            else:
                status = ""
            cells = (
                sale.number,
                local_time(sale.completed_at, self),
                format_fen(sale.total_fen),
                status,
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == 2:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                table.setItem(row, column, item)
        self.today_empty.setVisible(not self.today)

    def _render_sale(self) -> None:
        sale = self.sale
        shown = sale is not None
        self.lines.setVisible(shown)
        self.form.setVisible(shown)
        self.sale_info.setVisible(shown)
        self.empty.setVisible(not shown)
        if sale is None:
            self.sale_title.setText(self.tr("No sale chosen"))
            self.spins, self._spin_lines = [], []
            self.lines.setRowCount(0)
            return
        self.sale_title.setText(self.tr("Sale %1").replace("%1", sale.number))
        paid = " + ".join(
            f"{tender_name(p.kind)} {format_fen(p.amount_fen)}" for p in sale.payments
        )
        info = (
            self.tr("%1 · %2 · total %3 · paid %4")
            .replace("%1", local_time(sale.completed_at, self, "%Y-%m-%d %H:%M"))
            .replace("%2", sale.cashier_name)
            .replace("%3", format_fen(sale.total_fen))
            .replace("%4", paid)
        )
        if sale.refund_numbers:
            info += "\n" + self.tr("Refunded already: %1 (%2)").replace(
                "%1", format_fen(sale.refunded_fen)
            ).replace("%2", ", ".join(sale.refund_numbers))
        self.sale_info.setText(info)

        # Redrawn (a new language, the same sale read again): keep what the cashier chose.
        keep = {} if self._fresh else dict(zip(self._spin_lines, self.chosen_qty(), strict=True))
        self._fresh = False
        self.lines.setRowCount(len(sale.lines))
        self.spins = []
        for row, line in enumerate(sale.lines):
            cells = (
                line.name,
                format_fen(line.unit_price_fen),
                str(line.qty),
                str(line.refunded_qty),
                str(line.refundable_qty),
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                if line.refundable_qty == 0:
                    item.setForeground(QBrush(QColor("#9aa5b1")))
                self.lines.setItem(row, column, item)
            stepper = QtyStepper(self.lines, line.refundable_qty)
            spin = stepper.spin
            spin.setValue(min(keep.get(line.id, line.refundable_qty), line.refundable_qty))
            spin.valueChanged.connect(self._update_total)
            self.lines.setCellWidget(row, 5, stepper)
            self.spins.append(spin)
        self._spin_lines = [line.id for line in sale.lines]
        self.lines.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        everything_back = sale.fully_refunded
        self.form.setEnabled(not everything_back)
        self._update_total()
        if everything_back:
            self.total_label.setText(self.tr("Everything on this sale has been refunded."))

    def _render_receipt(self) -> None:
        receipt = self.receipt
        self.done.setVisible(receipt is not None)
        if receipt is None:
            return
        text = self.tr("Refund %1 recorded: %2 for sale %3.").replace("%1", receipt.number)
        text = text.replace("%2", format_fen(receipt.total_fen)).replace("%3", receipt.sale_number)
        for p in receipt.payments:
            if p.kind != sales.CASH:
                text += " " + self.tr("%1 went back to the %2.").replace(
                    "%1", format_fen(p.amount_fen)
                ).replace("%2", tender_name(p.kind))
        self.done_text.setText(text)
        if receipt.cash_fen:
            self.hand_back.setText(
                self.tr("Hand back %1 cash").replace("%1", format_fen(receipt.cash_fen))
            )
        else:
            self.hand_back.setText(self.tr("No cash to hand back"))

    def retranslate(self) -> None:
        self.heading.setText(self.tr("Refund"))
        self.number_label.setText(self.tr("Sale number"))
        self.number.setPlaceholderText(self.tr("e.g. 1125-01-0007, or just 7 for today's"))
        self.find_button.setText(self.tr("Find (Enter)"))
        self.find_hint.setText(self.tr("or scan the receipt's barcode"))
        self.today_label.setText(self.tr("Today's sales"))
        self.today_table.setHorizontalHeaderLabels(
            [self.tr("Number"), self.tr("Time"), self.tr("Total"), self.tr("Refunded")]
        )
        self.today_empty.setText(self.tr("No sales yet today."))
        self.empty.setText(
            self.tr("Type a sale number, scan the receipt, or pick one of today's sales.")
        )
        self.lines.setHorizontalHeaderLabels(
            [
                self.tr("Item"),
                self.tr("Price"),
                self.tr("Sold"),
                self.tr("Refunded"),
                self.tr("Can refund"),
                self.tr("Take back"),
            ]
        )
        self.all_button.setText(self.tr("Everything"))
        self.none_button.setText(self.tr("Nothing"))
        self.reason_label.setText(self.tr("Reason"))
        self.reason.setPlaceholderText(self.tr("required"))
        chips = (
            self.tr("Damaged"),
            self.tr("Expired"),
            self.tr("Wrong item"),
            self.tr("Changed mind"),
        )
        for chip, text in zip(self.reason_chips, chips, strict=True):
            chip.setText(text)
        self._render_today()
        self._render_sale()
        self._render_receipt()
