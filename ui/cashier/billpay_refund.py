"""The refund of a failed bill payment (缴费失败退款): the money goes back to the tender it came
from — cash out of this till's drawer, or a card refund through the terminal — and the core
records it (`billpay.refund`, with the `bill_payment.refunded` event) and queues the slip.

A failed payment's refund cannot be hidden: the sell screen and the status bar say how many are
owed until each is done (`CashierWindow.refresh_status`). This dialog is where they end.
Cash refunds run on the core's worker; card refunds on the terminal's own thread, its prompts
shown here. The money is owed whatever its amount (the platform said failed), but above the
shop's refund limit a cashier hands it out only with the owner's PIN, asked here as the refund
page asks it for a sale's refund (`ask_owner`); the core journals who handed it out and who
approved it. A declined card refund leaves the task open and says so; an unknown one is said in
red and the till's unknown-payments machinery (the red badge) settles it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout

from storebox import billpay
from storebox.billpay import BillView, RefundTask
from storebox.errors import PaymentUnknown, ShopError
from storebox.money import format_fen
from storebox.ports import StatusCallback
from storebox.sales import CARD
from ui.cashier.billpay_words import rule_error
from ui.cashier.signin import ask_owner
from ui.ops import CoreOp

if TYPE_CHECKING:
    from storebox.users import Actor
    from ui.cashier.billpay_page import BillPayPage

log = logging.getLogger(__name__)


class BillRefundDialog(QDialog):
    """One refund task: what is owed, to which tender; Enter pays it back, Esc closes."""

    def __init__(self, page: BillPayPage, view: BillView) -> None:
        super().__init__(page)
        assert view.refund is not None
        self.setObjectName("billRefund")
        self.setModal(True)
        self.setMinimumWidth(560)
        self.page = page
        self.view = view
        self.task: RefundTask = view.refund
        self.done_task: RefundTask | None = None
        self._busy = False
        box = QVBoxLayout(self)
        box.setSpacing(10)
        self.heading = QLabel(self)
        self.heading.setObjectName("dialogHeading")
        self.heading.setWordWrap(True)
        box.addWidget(self.heading)
        self.amount = QLabel(format_fen(self.task.amount_fen), self)
        self.amount.setObjectName("bigTotal")
        self.amount.setAlignment(Qt.AlignmentFlag.AlignCenter)
        box.addWidget(self.amount)
        self.detail = QLabel(self)
        self.detail.setWordWrap(True)
        box.addWidget(self.detail)
        self.prompt = QLabel(self)
        self.prompt.setObjectName("payPrompt")
        self.prompt.setWordWrap(True)
        self.prompt.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.prompt.hide()
        box.addWidget(self.prompt)
        self.message = QLabel(self)
        self.message.setObjectName("errorText")
        self.message.setWordWrap(True)
        box.addWidget(self.message)
        row = QHBoxLayout()
        self.close_button = QPushButton(self)
        self.close_button.clicked.connect(self.reject)
        self.refund_button = QPushButton(self)
        self.refund_button.setObjectName("danger")
        self.refund_button.setMinimumHeight(56)
        self.refund_button.clicked.connect(self.refund)
        row.addWidget(self.close_button, 1)
        row.addWidget(self.refund_button, 2)
        box.addLayout(row)
        for button in (self.close_button, self.refund_button):
            button.setAutoDefault(False)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        if page.payments is not None:
            page.payments.prompt.connect(self._prompt)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Refund a failed bill payment"))
        self.heading.setText(
            self.tr("Bill payment %1 failed: give the customer the money back").replace(
                "%1", self.view.number
            )
        )
        lines = [
            f"{self.view.biller_name} · {self.view.account_masked}",
            self.tr("The biller said: %1").replace(
                "%1", self.view.message or self.view.reason_code or "—"
            ),
        ]
        if self.task.tender == CARD:
            lines.append(
                self.tr("Back to the card %1 through the terminal.").replace(
                    "%1", self.task.masked_pan or ""
                )
            )
            self.refund_button.setText(self.tr("Refund to the card  Enter"))
        else:
            lines.append(self.tr("In cash, from the drawer."))
            self.refund_button.setText(self.tr("Refund in cash  Enter"))
        if self.owner_needed():
            lines.append(
                self.tr("This is above the refund limit of %1: the owner's PIN is needed.").replace(
                    "%1", format_fen(self.page.shop.settings.refund_limit_fen)
                )
            )
        self.detail.setText("\n".join(lines))
        self.close_button.setText(self.tr("Not now  Esc"))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.refund()
            event.accept()
            return
        super().keyPressEvent(event)

    def _prompt(self, text: str) -> None:
        if self._busy:
            self.prompt.setText(text)

    def owner_needed(self) -> bool:
        """Above the refund limit, and the person at the till is not the owner."""
        actor = self.page.win.actor
        return actor is not None and billpay.owner_needed(
            self.page.shop, actor, self.task.amount_fen
        )

    def refund(self) -> None:
        """Pay it back, after the owner's PIN when it is above the refund limit."""
        if self._busy or self.done_task is not None or self.page.win.actor is None:
            return
        if not self.owner_needed():
            self._refund(None)
            return
        limit = self.page.shop.settings.refund_limit_fen
        ask_owner(
            self,
            self.page.shop,
            self.tr("The owner's PIN is needed to refund %1 (above the limit of %2).")
            .replace("%1", format_fen(self.task.amount_fen))
            .replace("%2", format_fen(limit)),
            self._refund,
        )

    def _refund(self, approver: Actor | None) -> None:
        """Cash on the core's worker; card on the terminal's thread."""
        if self._busy or self.done_task is not None:
            return
        page = self.page
        actor = page.win.actor
        if actor is None:
            return
        devices = page.win.devices
        printer = devices.printer if devices is not None else None
        terminal = devices.terminal if devices is not None else None
        shop, task_id = page.shop, self.task.id
        self._busy = True
        self.refund_button.setEnabled(False)
        self.close_button.setEnabled(False)
        self.message.clear()
        self.prompt.show()
        if self.task.tender == CARD:
            runner = page.payments
            if runner is None or terminal is None:
                self._failed(None, None, no_terminal=True)
                return
            self.prompt.setText(self.tr("Follow the terminal: the card is refunded"))

            def by_card(emit: StatusCallback) -> RefundTask:
                return billpay.refund(
                    shop,
                    actor,
                    task_id,
                    approver=approver,
                    terminal=terminal,
                    printer=printer,
                    on_status=emit,
                )

            runner.call(CARD, by_card, self._finished)
            return
        self.prompt.setText(self.tr("Recording the refund…"))
        CoreOp(
            self,
            lambda: billpay.refund(shop, actor, task_id, approver=approver, printer=printer),
        ).success(lambda task: self._finished(task, None)).failure(
            lambda exc: self._finished(None, exc)
        ).run()

    def _finished(self, task: RefundTask | None, exc: BaseException | None) -> None:
        if task is None:
            self._failed(task, exc)
            return
        self._busy = False
        self.done_task = task
        how = (
            self.tr("to the card")
            if task.tender == CARD
            else self.tr("in cash: give the customer %1 from the drawer").replace(
                "%1", format_fen(task.amount_fen)
            )
        )
        self.page.win.show_info(
            self.tr("Refunded %1 of bill payment %2 %3. The slip is printing.")
            .replace("%1", format_fen(task.amount_fen))
            .replace("%2", task.number)
            .replace("%3", how)
        )
        self.accept()

    def _failed(
        self, _task: RefundTask | None, exc: BaseException | None, *, no_terminal: bool = False
    ) -> None:
        self._busy = False
        self.prompt.hide()
        self.close_button.setEnabled(True)
        self.refund_button.setEnabled(True)
        if no_terminal:
            text = self.tr(
                "This was paid by card: the refund goes back to the card through the terminal, "
                "and no terminal is set up (Devices, F11)."
            )
        else:
            text = rule_error(exc) if exc is not None else ""
            if exc is not None and not isinstance(exc, ShopError):
                log.error("bill refund failed", exc_info=exc)
        if isinstance(exc, PaymentUnknown):
            self.refund_button.setEnabled(False)  # settled by the unknown-payments machinery
        self.message.setText(text)
        self.page.win.refresh_status()

    def reject(self) -> None:
        if not self._busy:
            super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._busy:
            event.ignore()
        else:
            super().closeEvent(event)
