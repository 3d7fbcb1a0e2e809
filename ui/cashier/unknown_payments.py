"""Payments of unknown outcome (支付结果未知): the owner's dialog for card and wallet payment
attempts whose outcome a crash or a dead line left undecided.

It is the window's face of `storebox payments list | resolve | settle` and calls the same core
use cases: `sales.undecided_attempts` lists them (open, and no live till waiting on them),
"ask again" is `sales.resolve_open_attempts` run through `PaymentRunner.resolve` — on the card
terminal's own thread for card payments, never beside a payment, and on the wallet's thread
for wallet ones — and the owner's word is `sales.settle_attempt` (journaled with who and why).

The owner's PIN is asked before the dialog opens, even when the owner is signed in: settling
money by hand is the one decision the core cannot check, and the command line asks for the PIN
too. "The customer was charged / not charged" is offered for a payment only after asking again
left it open (or when no terminal or hub can be asked at all): the terminal's or acquirer's
answer comes before anyone's memory.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from storebox import sales
from storebox.errors import ShopError
from storebox.money import format_fen
from storebox.sales import CARD, WALLET, AttemptInfo
from storebox.shop import Shop
from storebox.users import Actor
from ui.cashier.payment import PaymentRunner, Resolution
from ui.cashier.refund_page import tender_name
from ui.cashier.signin import OwnerPinDialog
from ui.devices import Devices
from ui.ops import CoreOp

log = logging.getLogger(__name__)

#: the table's columns
COLUMNS = ("time", "amount", "tender", "sale", "card", "references", "note")


def badge_text(count: int) -> str:
    """The red badge's words: 'N 笔支付结果未知'."""
    return QCoreApplication.translate("UnknownPayments", "%1 payments of unknown outcome").replace(
        "%1", str(count)
    )


def card_words(attempt: AttemptInfo) -> str:
    """The masked card number and scheme the device last reported ('' when none)."""
    last = attempt.last
    parts = [str(last.get("card_name", "")), str(last.get("masked_pan", ""))]
    return " ".join(p for p in parts if p)


def reference_words(attempt: AttemptInfo) -> str:
    """What finds the payment on the terminal's or acquirer's records: the shop's reference
    (its last 8 characters, as the till's banner and `storebox payments settle` take it), the
    terminal id, trace and receipt number the device gave, or the trace the terminal stood at
    before the payment (recorded before it was sent)."""
    last = attempt.last
    match = attempt.context.get(sales.MATCH_KEY)
    match = match if isinstance(match, dict) else {}
    parts = [
        QCoreApplication.translate("UnknownPayments", "ref %1").replace(
            "%1", attempt.reference[-8:]
        )
    ]
    terminal_id = last.get("terminal_id") or match.get("terminal_id")
    if terminal_id:
        parts.append(
            QCoreApplication.translate("UnknownPayments", "TID %1").replace("%1", str(terminal_id))
        )
    if last.get("trace"):
        parts.append(
            QCoreApplication.translate("UnknownPayments", "trace %1").replace(
                "%1", str(last["trace"])
            )
        )
    elif match.get("trace_before"):
        parts.append(
            QCoreApplication.translate("UnknownPayments", "after trace %1").replace(
                "%1", str(match["trace_before"])
            )
        )
    if last.get("receipt_no"):
        parts.append(
            QCoreApplication.translate("UnknownPayments", "receipt %1").replace(
                "%1", str(last["receipt_no"])
            )
        )
    return " · ".join(parts)


def state_words(attempt: AttemptInfo) -> str:
    """Where the attempt stands, in the owner's words (the core's own note is the tooltip)."""
    if attempt.status == "pending":
        return QCoreApplication.translate(
            "UnknownPayments", "no answer recorded: the till stopped while paying"
        )
    if "revers" in attempt.message:
        return QCoreApplication.translate(
            "UnknownPayments", "unknown: the reversal was not confirmed"
        )
    return QCoreApplication.translate("UnknownPayments", "unknown: no final answer")


def outcome_words(attempt: AttemptInfo) -> str:
    """What became of an attempt after asking again, in the owner's words."""
    what = QCoreApplication.translate("UnknownPayments", "%1 %2 (ref %3)").replace(
        "%1", tender_name(attempt.kind)
    )
    what = what.replace("%2", format_fen(attempt.amount_fen)).replace("%3", attempt.reference[-8:])
    words = {
        "reversed": QCoreApplication.translate(
            "UnknownPayments", "%1: reversed — the customer is not charged."
        ),
        "declined": QCoreApplication.translate(
            "UnknownPayments", "%1: did not go through — the customer is not charged."
        ),
        "used": QCoreApplication.translate(
            "UnknownPayments", "%1: charged, and its sale is recorded."
        ),
        "approved": QCoreApplication.translate(
            "UnknownPayments", "%1: the money went through but was not recorded: follow it up."
        ),
    }.get(attempt.status, QCoreApplication.translate("UnknownPayments", "%1: still unknown."))
    return words.replace("%1", what)


class UnknownPaymentsDialog(QDialog):
    """The list, "ask again", and the owner's word on each payment still undecided."""

    def __init__(self, parent: QWidget, shop: Shop, devices: Devices | None, owner: Actor) -> None:
        super().__init__(parent)
        self.setObjectName("unknownPayments")
        self.setModal(True)
        self.resize(1180, 560)
        self.shop = shop
        self.devices = devices
        self.owner = owner
        #: the attempts as last read, in table order
        self.attempts: list[AttemptInfo] = []
        #: references asked about again in this dialog (only those may be settled by hand)
        self.asked: set[str] = set()
        self.busy = False
        self._runner = PaymentRunner(devices, self) if devices is not None else None
        self.finished.connect(self._closed)

        layout = QVBoxLayout(self)
        self.heading = QLabel(self)
        self.heading.setObjectName("dialogHeading")
        layout.addWidget(self.heading)
        self.explain = QLabel(self)
        self.explain.setObjectName("hint")
        self.explain.setWordWrap(True)
        layout.addWidget(self.explain)

        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setObjectName("unknownTable")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        for col in range(len(COLUMNS) - 1):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._enable)
        layout.addWidget(self.table, 1)
        self.empty = QLabel(self)
        self.empty.setObjectName("emptyState")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.hide()
        layout.addWidget(self.empty, 1)

        self.progress = QProgressBar(self)
        self.progress.setRange(0, 0)  # busy: no end known
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(8)
        self.progress.hide()
        layout.addWidget(self.progress)
        self.message = QLabel(self)
        self.message.setObjectName("payDetail")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)

        ask = QHBoxLayout()
        self.ask_button = QPushButton(self)
        self.ask_button.setObjectName("primary")
        self.ask_button.clicked.connect(self.ask_again)
        ask.addWidget(self.ask_button)
        ask.addStretch(1)
        layout.addLayout(ask)

        decide = QHBoxLayout()
        self.reason_label = QLabel(self)
        decide.addWidget(self.reason_label)
        self.reason = QLineEdit(self)
        self.reason.setObjectName("settleReason")
        self.reason.setMaxLength(sales.MAX_REASON)
        self.reason.textChanged.connect(self._enable)
        decide.addWidget(self.reason, 1)
        self.charged_button = QPushButton(self)
        self.charged_button.setObjectName("danger")
        self.charged_button.clicked.connect(lambda: self.settle("charged"))
        decide.addWidget(self.charged_button)
        self.not_charged_button = QPushButton(self)
        self.not_charged_button.setObjectName("settleNotCharged")
        self.not_charged_button.clicked.connect(lambda: self.settle("not-charged"))
        decide.addWidget(self.not_charged_button)
        layout.addLayout(decide)

        bottom = QHBoxLayout()
        bottom.addStretch(1)
        self.close_button = QPushButton(self)
        self.close_button.clicked.connect(self.reject)
        bottom.addWidget(self.close_button)
        layout.addLayout(bottom)
        for button in self.findChildren(QPushButton):
            button.setAutoDefault(False)
        self.retranslate()
        self.load()

    # Reading -------------------------------------------------------------------------------

    def load(self) -> None:
        shop = self.shop
        CoreOp(self, lambda: sales.undecided_attempts(shop)).success(self._show).failure(
            self._failed
        ).run()

    def _show(self, attempts: list[AttemptInfo]) -> None:
        selected = self.selected()
        self.attempts = attempts
        zone = self.shop.settings.zone
        self.table.setRowCount(len(attempts))
        for row, a in enumerate(attempts):
            at = a.created_at if a.created_at.tzinfo else a.created_at.replace(tzinfo=dt.UTC)
            tender = tender_name(a.kind)
            if a.operation == "refund":
                tender = QCoreApplication.translate("UnknownPayments", "%1 refund").replace(
                    "%1", tender
                )
            sale = str(a.context.get("sale_number") or "") or QCoreApplication.translate(
                "UnknownPayments", "not recorded"
            )
            cells = (
                at.astimezone(zone).strftime("%m-%d %H:%M"),
                format_fen(a.amount_fen),
                tender,
                sale,
                card_words(a) or "—",
                reference_words(a),
                state_words(a),
            )
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                tips = {COLUMNS.index("references"): a.reference, COLUMNS.index("note"): a.message}
                item.setToolTip(tips.get(col) or text)
                if col == COLUMNS.index("amount"):
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(row, col, item)
        self.table.setVisible(bool(attempts))
        self.empty.setVisible(not attempts)
        refs = [a.reference for a in attempts]
        if selected is not None and selected.reference in refs:
            self.table.selectRow(refs.index(selected.reference))
        elif attempts:
            self.table.selectRow(0)
        self._enable()

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        if isinstance(exc, ShopError):
            self.say(exc.message, error=True)
        else:
            log.error("unknown payments: a bug", exc_info=exc)
            self.say(
                QCoreApplication.translate(
                    "UnknownPayments",
                    "Something went wrong inside storebox; it has been logged. Nothing was changed.",
                ),
                error=True,
            )

    def selected(self) -> AttemptInfo | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.attempts):
            return None
        return self.attempts[rows[0].row()]

    # Asking again --------------------------------------------------------------------------

    def can_ask(self, kind: str) -> bool:
        """Is there a device to ask about a payment of `kind` (the terminal, the hub's wallet)?"""
        devices = self.devices
        if devices is None:
            return False
        return (devices.terminal if kind == CARD else devices.wallet) is not None

    def ask_again(self) -> None:
        """`payments resolve` for every kind listed that has a device: card on the terminal's
        thread, wallet on the wallet's, one after the other."""
        runner = self._runner
        if self.busy or runner is None:
            return
        kinds = [k for k in (CARD, WALLET) if any(a.kind == k for a in self.attempts)]
        kinds = [k for k in kinds if self.can_ask(k)]
        if not kinds:
            self.say(
                QCoreApplication.translate(
                    "UnknownPayments", "No terminal or hub to ask: decide with what you found."
                ),
                error=True,
            )
            self._enable()
            return
        self._set_busy(True)
        self.say(
            QCoreApplication.translate("UnknownPayments", "Asking the terminal and the acquirer…")
        )
        lines: list[str] = []

        def next_kind(remaining: list[str]) -> None:
            if not remaining:
                self._asked(lines)
                return
            kind = remaining[0]
            self.asked.update(a.reference for a in self.attempts if a.kind == kind)

            def done(resolution: Resolution) -> None:
                lines.extend(outcome_words(a) for a in resolution.touched)
                if resolution.error is not None:
                    message = (
                        getattr(resolution.error, "message", "") or type(resolution.error).__name__
                    )
                    lines.append(
                        QCoreApplication.translate(
                            "UnknownPayments", "%1: could not be asked (%2)."
                        )
                        .replace("%1", tender_name(kind))
                        .replace("%2", message)
                    )
                next_kind(remaining[1:])

            runner.resolve(self.shop, kind, done)

        next_kind(kinds)

    def _asked(self, lines: list[str]) -> None:
        self._set_busy(False)
        if not lines:
            lines = [
                QCoreApplication.translate(
                    "UnknownPayments", "Nobody could tell: the terminal or hub gave no answer."
                )
            ]
        self.say("\n".join(lines))
        self.load()

    # The owner's word ----------------------------------------------------------------------

    def may_settle(self, attempt: AttemptInfo) -> bool:
        return attempt.reference in self.asked or not self.can_ask(attempt.kind)

    def settle(self, outcome: str) -> None:
        """`payments settle REF --as OUTCOME --by OWNER --reason TEXT` for the selected row."""
        attempt = self.selected()
        if self.busy or attempt is None or not self.may_settle(attempt):
            return
        shop, owner, reason = self.shop, self.owner, self.reason.text().strip()
        self._set_busy(True)

        def done(settled: AttemptInfo) -> None:
            self._set_busy(False)
            self.reason.clear()
            words = (
                QCoreApplication.translate(
                    "UnknownPayments",
                    "%1: settled as charged by %2. Give the money back or account for it.",
                )
                if outcome == "charged"
                else QCoreApplication.translate(
                    "UnknownPayments", "%1: settled as not charged by %2."
                )
            )
            what = QCoreApplication.translate("UnknownPayments", "%1 %2 (ref %3)").replace(
                "%1", tender_name(settled.kind)
            )
            what = what.replace("%2", format_fen(settled.amount_fen))
            what = what.replace("%3", settled.reference[-8:])
            self.say(words.replace("%1", what).replace("%2", owner.name))
            self.load()

        CoreOp(
            self,
            lambda: sales.settle_attempt(shop, attempt.reference, outcome, owner, reason),
        ).success(done).failure(self._settle_failed).run()

    def _settle_failed(self, exc: BaseException) -> None:
        self._failed(exc)
        self.load()

    # State ---------------------------------------------------------------------------------

    def say(self, text: str, *, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setObjectName("errorText" if error else "payDetail")
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.progress.setVisible(busy)
        self._enable()

    def _enable(self) -> None:
        attempt = self.selected()
        idle = not self.busy
        self.ask_button.setEnabled(
            idle and self._runner is not None and any(self.can_ask(a.kind) for a in self.attempts)
        )
        decide = idle and attempt is not None and self.may_settle(attempt)
        self.reason.setEnabled(decide)
        has_reason = bool(self.reason.text().strip())
        self.charged_button.setEnabled(decide and has_reason)
        self.not_charged_button.setEnabled(decide and has_reason)
        self.close_button.setEnabled(idle)

    def reject(self) -> None:
        if self.busy:  # the terminal is being asked: its answer must be shown, not dropped
            return
        super().reject()

    def _closed(self, _result: int) -> None:
        if self._runner is not None:
            self._runner.shutdown()

    def retranslate(self) -> None:
        self.setWindowTitle(
            QCoreApplication.translate("UnknownPayments", "Payments of unknown outcome")
        )
        self.heading.setText(
            QCoreApplication.translate("UnknownPayments", "Payments of unknown outcome")
        )
        self.explain.setText(
            QCoreApplication.translate(
                "UnknownPayments",
                "The till could not learn whether these card or wallet payments went through. "
                "First ask the terminal and the acquirer again. Only if they still cannot tell, "
                "check the terminal's printout or the customer's bank record and say what "
                "happened, with a reason.",
            )
        )
        self.table.setHorizontalHeaderLabels(
            [
                QCoreApplication.translate("UnknownPayments", "Time"),
                QCoreApplication.translate("UnknownPayments", "Amount"),
                QCoreApplication.translate("UnknownPayments", "Tender"),
                QCoreApplication.translate("UnknownPayments", "Sale"),
                QCoreApplication.translate("UnknownPayments", "Card"),
                QCoreApplication.translate("UnknownPayments", "Terminal references"),
                QCoreApplication.translate("UnknownPayments", "State"),
            ]
        )
        self.empty.setText(
            QCoreApplication.translate(
                "UnknownPayments", "No payment of unknown outcome: nothing to settle."
            )
        )
        self.ask_button.setText(
            QCoreApplication.translate("UnknownPayments", "Ask the terminal / acquirer again")
        )
        self.reason_label.setText(QCoreApplication.translate("UnknownPayments", "Reason:"))
        self.reason.setPlaceholderText(
            QCoreApplication.translate(
                "UnknownPayments", "what you checked (the terminal's printout, the bank)"
            )
        )
        self.charged_button.setText(
            QCoreApplication.translate("UnknownPayments", "The customer was charged")
        )
        self.not_charged_button.setText(
            QCoreApplication.translate("UnknownPayments", "The customer was not charged")
        )
        self.close_button.setText(QCoreApplication.translate("UnknownPayments", "Close"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


def open_unknown_payments(
    parent: QWidget,
    shop: Shop,
    devices: Devices | None,
    opened: Callable[[UnknownPaymentsDialog], None] | None = None,
) -> None:
    """Ask for the owner's PIN (always: see the module's note), then open the dialog."""
    pin = OwnerPinDialog(
        parent,
        shop,
        QCoreApplication.translate(
            "UnknownPayments", "Settling payments of unknown outcome needs the owner's PIN."
        ),
    )
    pin.setObjectName("ownerPin")

    def then(_result: int) -> None:
        owner = pin.approved
        pin.deleteLater()
        if owner is None:
            return
        dialog = UnknownPaymentsDialog(parent, shop, devices, owner)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        if opened is not None:
            opened(dialog)

    pin.finished.connect(then)
    pin.open()
