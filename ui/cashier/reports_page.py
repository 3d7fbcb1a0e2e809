"""The reports screen: the X report of the open shift (any time), the Z report of a chosen day
(the owner's: a cashier is asked for the owner's PIN), and closing the day (日结).

Each report is shown twice: as a summary a person reads at a glance, and as the receipt text
the printer will print (monospace, CJK-aligned by the core). Print queues the report shown
for the receipt printer, when the till has one.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDateEdit,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from drivers.printer.layout import report_payload
from storebox import reports, shifts
from storebox.errors import NotFound, PermissionDenied
from storebox.money import format_fen
from storebox.ports import ReceiptPrinter
from storebox.reports import XReport, ZReport
from storebox.shifts import Tally
from storebox.users import Actor
from ui.cashier.refund_page import tender_name
from ui.cashier.shift_page import ConfirmingPage, local_time
from ui.cashier.signin import ask_owner
from ui.ops import CoreOp, report_error

if TYPE_CHECKING:
    from ui.cashier.window import CashierWindow

#: Fonts whose CJK characters are exactly two Latin columns wide, so the receipt text lines up.
RECEIPT_FONTS = ["Noto Sans Mono CJK SC", "Sarasa Mono SC", "WenQuanYi Zen Hei Mono", "monospace"]


#: (label, value) pairs of a report's summary
Rows = list[tuple[str, str]]


def to_qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def from_qdate(day: QDate) -> dt.date:
    return dt.date(day.year(), day.month(), day.day())


class ReportsPage(ConfirmingPage):
    key = "reports"
    shortcut = "F4"

    def __init__(self, window: CashierWindow) -> None:
        super().__init__(window)
        self.report: XReport | ZReport | None = None
        #: why there is no report to show (no open shift, someone else's shift)
        self.empty_reason: str | None = None
        self._busy = False

        layout = QVBoxLayout(self)
        self.heading = QLabel(self)
        self.heading.setObjectName("pageTitle")
        layout.addWidget(self.heading)

        bar = QHBoxLayout()
        self.x_button = QPushButton(self)
        self.x_button.setObjectName("xReport")
        self.x_button.clicked.connect(self.show_x)
        self.day_label = QLabel(self)
        self.day = QDateEdit(self)
        self.day.setObjectName("reportDay")
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("yyyy-MM-dd")
        self.z_button = QPushButton(self)
        self.z_button.setObjectName("zReport")
        self.z_button.clicked.connect(self.show_z)
        self.close_day_button = QPushButton(self)
        self.close_day_button.setObjectName("danger")
        self.close_day_button.clicked.connect(self.close_day)
        self.print_button = QPushButton(self)
        self.print_button.setObjectName("printReport")
        self.print_button.setEnabled(False)
        self.print_button.clicked.connect(self.print_report)
        bar.addWidget(self.x_button)
        bar.addSpacing(24)
        bar.addWidget(self.day_label)
        bar.addWidget(self.day)
        bar.addWidget(self.z_button)
        bar.addWidget(self.close_day_button)
        bar.addStretch(1)
        bar.addWidget(self.print_button)
        layout.addLayout(bar)

        body = QHBoxLayout()
        self.summary_card = QFrame(self)
        self.summary_card.setObjectName("card")
        card = QVBoxLayout(self.summary_card)
        self.report_title = QLabel(self.summary_card)
        self.report_title.setObjectName("sectionTitle")
        self.report_title.setWordWrap(True)
        card.addWidget(self.report_title)
        self.rows_widget = QWidget(self.summary_card)
        self.rows = QGridLayout(self.rows_widget)
        self.rows.setContentsMargins(0, 0, 0, 0)
        self.rows.setVerticalSpacing(4)
        self.rows.setColumnStretch(1, 1)
        self.rows.setColumnStretch(3, 1)
        self.rows.setHorizontalSpacing(24)
        card.addWidget(self.rows_widget)
        card.addStretch(1)
        self.empty = QLabel(self)
        self.empty.setObjectName("emptyState")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        body.addWidget(self.summary_card, 1)
        body.addWidget(self.empty, 1)

        self.text = QPlainTextEdit(self)
        self.text.setObjectName("receiptText")
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        font = QFont()
        font.setFamilies(RECEIPT_FONTS)
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setFixedPitch(True)
        self.text.setFont(font)
        self.text.ensurePolished()  # the style sheet sets the size: measure with it
        metrics = self.text.fontMetrics()
        self.text.setFixedWidth(metrics.horizontalAdvance("0" * (reports.RECEIPT_WIDTH + 6)) + 32)
        body.addWidget(self.text)
        layout.addLayout(body, 1)
        #: the summary as (label, value) pairs, as last drawn (tests read it)
        self.summary: list[tuple[str, str]] = []
        self._row_widgets: list[QLabel] = []

        self.retranslate()

    # Page -------------------------------------------------------------------------------

    def title(self) -> str:
        return self.tr("Reports")

    def activate(self) -> None:
        today = self.shop.business_day()
        self.day.setMaximumDate(to_qdate(today))
        self.day.setDate(to_qdate(today))
        self.report = None
        self.empty_reason = None
        self._render()
        self.show_x()

    # Reports ----------------------------------------------------------------------------

    def show_x(self) -> None:
        actor = self.win.actor
        if actor is None:
            return
        CoreOp(self, lambda: reports.x_report(self.shop, actor)).success(self._show).failure(
            self._x_missing
        ).run()

    def _x_missing(self, exc: BaseException) -> None:
        if isinstance(exc, NotFound | PermissionDenied):
            self.report = None
            self.empty_reason = (
                self.tr("No shift is open on this till.")
                if isinstance(exc, NotFound)
                else exc.message
            )
            self._render()
        else:
            report_error(self, exc)

    def show_z(self) -> None:
        day = from_qdate(self.day.date())
        ask_owner(
            self,
            self.shop,
            self.tr("The owner's PIN is needed to see the day (Z) report of %1.").replace(
                "%1", day.isoformat()
            ),
            lambda owner: self._z(owner, day),
        )

    def _z(self, owner: Actor, day: dt.date) -> None:
        CoreOp(self, lambda: reports.z_report(self.shop, day, actor=owner)).success(
            self._show
        ).run()

    def close_day(self) -> None:
        if self._busy:
            return
        day = from_qdate(self.day.date())
        self.confirm(
            self.tr("Close the day"),
            self.tr(
                "Close business day %1 (日结)?\n\n"
                "Its Z report is frozen: nothing more can be sold, refunded or opened on that "
                "day. Every shift of the day must be closed first."
            ).replace("%1", day.isoformat()),
            self.tr("Close the day"),
            lambda: ask_owner(
                self,
                self.shop,
                self.tr("The owner's PIN is needed to close business day %1.").replace(
                    "%1", day.isoformat()
                ),
                lambda owner: self._close_day(owner, day),
            ),
        )

    def _close_day(self, owner: Actor, day: dt.date) -> None:
        if self._busy:
            return
        self._busy = True
        self.close_day_button.setEnabled(False)

        def failed(exc: BaseException) -> None:
            self._busy = False
            self.close_day_button.setEnabled(True)
            report_error(self, exc)

        CoreOp(self, lambda: reports.close_day(self.shop, owner, day)).success(
            self._day_closed
        ).failure(failed).run()

    def _day_closed(self, report: ZReport) -> None:
        self._busy = False
        self.close_day_button.setEnabled(True)
        self.win.show_info(
            self.tr("Business day %1 is closed; its Z report is kept as it is now.").replace(
                "%1", report.business_day.isoformat()
            )
        )
        self.win.refresh_status()
        self._show(report)

    def _show(self, report: XReport | ZReport) -> None:
        self.report = report
        self.empty_reason = None
        self._render()

    # Drawing ----------------------------------------------------------------------------

    def _sales_rows(self, t: Tally) -> Rows:
        rows = [
            (self.tr("Sales"), str(t.sales_count)),
            (self.tr("Sales total"), format_fen(t.sales_total_fen)),
        ]
        rows += [
            ("    " + tender_name(kind), format_fen(t.tender_sales_fen.get(kind, 0)))
            for kind in shifts.TENDERS
        ]
        rows.append((self.tr("Net (sales − refunds)"), format_fen(t.net_fen)))
        return rows

    def _refund_rows(self, t: Tally) -> Rows:
        rows = [
            (self.tr("Refunds"), str(t.refunds_count)),
            (self.tr("Refunds total"), format_fen(t.refunds_total_fen)),
        ]
        rows += [
            ("    " + tender_name(kind), format_fen(t.tender_refunds_fen.get(kind, 0)))
            for kind in shifts.TENDERS
        ]
        rows += [
            (self.tr("Voided carts"), f"{t.voids_count} · {format_fen(t.voids_total_fen)}"),
            (self.tr("Cash in"), format_fen(t.cash_in_fen)),
            (self.tr("Cash out"), format_fen(t.cash_out_fen)),
        ]
        return rows

    def _x_rows(self, report: XReport) -> tuple[str, Rows, Rows]:
        s = report.shift
        status = self.tr("open") if s.is_open else self.tr("closed")
        title = (
            self.tr("X report · shift of %1 · %2 · since %3")
            .replace("%1", s.user_name)
            .replace("%2", status)
            .replace("%3", local_time(s.opened_at, self, "%m-%d %H:%M"))
        )
        left = self._sales_rows(s.tally)
        right = self._refund_rows(s.tally)
        right.append((self.tr("Float"), format_fen(s.float_fen)))
        right.append((self.tr("Expected cash"), format_fen(s.expected_cash_fen)))
        if s.counted_fen is not None:
            right.append((self.tr("Counted cash"), format_fen(s.counted_fen)))
        if s.variance_fen is not None:
            right.append((self.tr("Variance"), format_fen(s.variance_fen)))
        return title, left, right

    def _z_rows(self, report: ZReport) -> tuple[str, Rows, Rows]:
        if report.closed_at is not None:
            status = self.tr("closed at %1").replace(
                "%1", local_time(report.closed_at, self, "%m-%d %H:%M")
            )
        else:
            status = self.tr("not closed yet")
        title = (
            self.tr("Z report · business day %1 · %2")
            .replace("%1", report.business_day.isoformat())
            .replace("%2", status)
        )
        left = self._sales_rows(report.tally)
        left.append((self.tr("Waiting to sync"), str(report.pending_sync_events)))
        right = self._refund_rows(report.tally)
        right.append(
            (
                self.tr("Shifts"),
                self.tr("%1 (%2 still open)")
                .replace("%1", str(len(report.shifts)))
                .replace("%2", str(report.open_shifts)),
            )
        )
        for s in report.shifts:
            span = f"{local_time(s.opened_at, self)}–{local_time(s.closed_at, self)}"
            figure = self.tr("open") if s.variance_fen is None else format_fen(s.variance_fen)
            right.append((f"    {s.user_name} {span}", figure))
        right.append((self.tr("Variance, all shifts"), format_fen(report.variance_total_fen)))
        return title, left, right

    def _render(self) -> None:
        report = self.report
        for label in self._row_widgets:
            self.rows.removeWidget(label)
            label.deleteLater()
        self._row_widgets = []
        shown = report is not None
        self.print_button.setEnabled(shown and self._printer() is not None)
        self.summary_card.setVisible(shown)
        self.text.setVisible(shown)
        self.empty.setVisible(not shown)
        if report is None:
            self.summary = []
            self.text.clear()
            reason = self.empty_reason or self.tr("Reading the report…")
            self.empty.setText(
                reason + "\n\n" + self.tr("Choose a day for its Z report (the owner's).")
            )
            return
        title, left, right = (
            self._x_rows(report) if isinstance(report, XReport) else self._z_rows(report)
        )
        self.summary = left + right
        self.report_title.setText(title)
        for column, rows in ((0, left), (2, right)):
            for row, (label_text, value_text) in enumerate(rows):
                label = QLabel(label_text, self.rows_widget)
                value = QLabel(value_text, self.rows_widget)
                value.setObjectName("reportFigure")
                value.setAlignment(Qt.AlignmentFlag.AlignRight)
                self.rows.addWidget(label, row, column)
                self.rows.addWidget(value, row, column + 1)
                self._row_widgets += [label, value]
        self.text.setPlainText(report.render_text())

    def _printer(self) -> ReceiptPrinter | None:
        devices = self.win.devices
        return devices.printer if devices is not None else None

    def print_report(self) -> None:
        report = self.report
        printer = self._printer()
        if report is None or printer is None:
            return
        kind = "x_report" if isinstance(report, XReport) else "z_report"
        payload = report_payload(report)
        CoreOp(self, lambda: printer.print_document(kind, payload)).success(
            lambda _job: self._printed()
        ).run()

    def _printed(self) -> None:
        self.win.show_info(self.tr("The report is on its way to the printer."))
        self.win.refresh_status()

    def summary_value(self, label: str) -> str | None:
        """The value drawn next to `label` in the summary (for tests and the curious)."""
        return next((v for k, v in self.summary if k == label), None)

    def retranslate(self) -> None:
        self.heading.setText(self.tr("Reports"))
        self.x_button.setText(self.tr("X report: this shift"))
        self.day_label.setText(self.tr("Day"))
        self.z_button.setText(self.tr("Z report of the day"))
        self.close_day_button.setText(self.tr("Close the day (日结)…"))
        self.print_button.setText(self.tr("Print"))
        self.print_button.setToolTip(
            self.tr("Print the report shown on the receipt printer")
            if self._printer() is not None
            else self.tr("No receipt printer is configured: set printer_url (the drivers issue)")
        )
        self._render()
