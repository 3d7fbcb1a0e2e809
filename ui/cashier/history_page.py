"""Sales history: the sales of today or any past business day, each with its lines; a sale
chosen here can be refunded on the refund screen."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from storebox import sales
from storebox.money import format_fen
from storebox.sales import SaleView
from ui.cashier.page import Page
from ui.cashier.refund_page import RefundPage, tender_name
from ui.cashier.reports_page import from_qdate, to_qdate
from ui.cashier.shift_page import local_time
from ui.ops import CoreOp

if TYPE_CHECKING:
    from ui.cashier.window import CashierWindow

RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


def _table(parent: QWidget, columns: int, name: str) -> QTableWidget:
    table = QTableWidget(0, columns, parent)
    table.setObjectName(name)
    table.setAlternatingRowColors(True)
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    return table


def _cell(text: str, *, right: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if right:
        item.setTextAlignment(RIGHT)
    return item


class HistoryPage(Page):
    key = "history"
    shortcut = "F6"

    def __init__(self, window: CashierWindow) -> None:
        super().__init__(window)
        self.day_shown: dt.date | None = None
        self.sales: list[SaleView] = []
        self.selected: SaleView | None = None

        layout = QVBoxLayout(self)
        self.heading = QLabel(self)
        self.heading.setObjectName("pageTitle")
        layout.addWidget(self.heading)

        bar = QHBoxLayout()
        self.previous_button = QPushButton(self)
        self.previous_button.clicked.connect(lambda: self._step(-1))
        self.day = QDateEdit(self)
        self.day.setObjectName("historyDay")
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("yyyy-MM-dd")
        self.day.dateChanged.connect(lambda _d: self.load())
        self.next_button = QPushButton(self)
        self.next_button.clicked.connect(lambda: self._step(1))
        self.today_button = QPushButton(self)
        self.today_button.clicked.connect(self.show_today)
        self.totals = QLabel(self)
        self.totals.setObjectName("dayTotals")
        bar.addWidget(self.previous_button)
        bar.addWidget(self.day)
        bar.addWidget(self.next_button)
        bar.addWidget(self.today_button)
        bar.addSpacing(24)
        bar.addWidget(self.totals, 1)
        layout.addLayout(bar)

        split = QSplitter(Qt.Orientation.Vertical, self)
        top = QWidget(split)
        top_box = QVBoxLayout(top)
        top_box.setContentsMargins(0, 0, 0, 0)
        self.table = _table(top, 7, "historySales")
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.cellDoubleClicked.connect(lambda _r, _c: self.refund_selected())
        self.empty = QLabel(top)
        self.empty.setObjectName("emptyState")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        top_box.addWidget(self.table, 1)
        top_box.addWidget(self.empty, 1)
        split.addWidget(top)

        bottom = QWidget(split)
        bottom_box = QVBoxLayout(bottom)
        bottom_box.setContentsMargins(0, 8, 0, 0)
        head = QHBoxLayout()
        self.sale_title = QLabel(bottom)
        self.sale_title.setObjectName("sectionTitle")
        self.sale_title.setWordWrap(True)
        self.refund_button = QPushButton(bottom)
        self.refund_button.setObjectName("refundSale")
        self.refund_button.clicked.connect(self.refund_selected)
        head.addWidget(self.sale_title, 1)
        head.addWidget(self.refund_button)
        bottom_box.addLayout(head)
        self.lines = _table(bottom, 6, "historyLines")
        self.lines.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        bottom_box.addWidget(self.lines, 1)
        split.addWidget(bottom)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([380, 240])
        self.table.horizontalHeader().setStretchLastSection(False)
        self.table.horizontalHeader().setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.lines.horizontalHeader().setStretchLastSection(False)
        self.lines.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(split, 1)

        self.retranslate()

    # Page -------------------------------------------------------------------------------

    def title(self) -> str:
        return self.tr("History")

    def activate(self) -> None:
        today = self.shop.business_day()
        self.day.setMaximumDate(to_qdate(today))
        if self.day_shown is None:
            self.show_today()
        else:
            self.load()

    def show_today(self) -> None:
        today = to_qdate(self.shop.business_day())
        if self.day.date() == today:
            self.load()
        else:
            self.day.setDate(today)  # dateChanged loads it

    def show_day(self, day: dt.date) -> None:
        self.day.setDate(to_qdate(day))

    def _step(self, days: int) -> None:
        self.day.setDate(self.day.date().addDays(days))

    def load(self) -> None:
        day = from_qdate(self.day.date())
        CoreOp(self, lambda: sales.sales_of_day(self.shop, day)).success(
            lambda found: self._show(day, found)
        ).run()

    def _show(self, day: dt.date, found: list[SaleView]) -> None:
        if day != from_qdate(self.day.date()):
            return  # the person has moved on to another day meanwhile
        keep = self.selected.id if self.selected is not None and self.day_shown == day else None
        self.day_shown = day
        self.sales = found
        self.selected = None
        self._render_sales()
        for row, sale in enumerate(found):
            if sale.id == keep:
                self.table.selectRow(row)
        self._render_selected()

    def _selection_changed(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        row = rows[0].row() if rows else -1
        self.selected = self.sales[row] if 0 <= row < len(self.sales) else None
        self._render_selected()

    def select_number(self, number: str) -> bool:
        for row, sale in enumerate(self.sales):
            if sale.number == number:
                self.table.selectRow(row)
                return True
        return False

    def refund_selected(self) -> None:
        sale = self.selected
        page = self.win.pages.get("refund")
        if sale is not None and isinstance(page, RefundPage):
            page.open_sale(sale.id)

    # Drawing ----------------------------------------------------------------------------

    def _render_sales(self) -> None:
        table = self.table
        table.blockSignals(True)
        table.clearSelection()
        table.setRowCount(len(self.sales))
        for row, sale in enumerate(self.sales):
            tenders = " + ".join(
                f"{tender_name(p.kind)} {format_fen(p.amount_fen)}" for p in sale.payments
            )
            refunded = format_fen(sale.refunded_fen) if sale.refunded_fen else ""
            cells = (
                _cell(sale.number),
                _cell(local_time(sale.completed_at, self, "%H:%M:%S")),
                _cell(sale.cashier_name),
                _cell(str(sum(line.qty for line in sale.lines)), right=True),
                _cell(format_fen(sale.total_fen), right=True),
                _cell(tenders),
                _cell(refunded, right=True),
            )
            for column, item in enumerate(cells):
                table.setItem(row, column, item)
        table.blockSignals(False)
        has = bool(self.sales)
        table.setVisible(has)
        self.empty.setVisible(not has)
        day = self.day_shown.isoformat() if self.day_shown else ""
        self.empty.setText(self.tr("No sales on %1.").replace("%1", day))
        total = sum(s.total_fen for s in self.sales)
        refunded_fen = sum(s.refunded_fen for s in self.sales)
        self.totals.setText(
            self.tr("%1 sales · %2 · refunded %3")
            .replace("%1", str(len(self.sales)))
            .replace("%2", format_fen(total))
            .replace("%3", format_fen(refunded_fen))
        )
        today = self.shop.business_day()
        self.next_button.setEnabled(self.day_shown is None or self.day_shown < today)

    def _render_selected(self) -> None:
        sale = self.selected
        self.refund_button.setEnabled(sale is not None and not sale.fully_refunded)
        self.lines.setRowCount(0 if sale is None else len(sale.lines))
        if sale is None:
            self.sale_title.setText(self.tr("Choose a sale to see its items."))
            return
        title = (
            self.tr("Sale %1 · %2 · %3")
            .replace("%1", sale.number)
            .replace("%2", local_time(sale.completed_at, self, "%Y-%m-%d %H:%M"))
            .replace("%3", sale.cashier_name)
        )
        if sale.refund_numbers:
            title += " · " + self.tr("refunds %1").replace("%1", ", ".join(sale.refund_numbers))
        self.sale_title.setText(title)
        for row, line in enumerate(sale.lines):
            name = line.name
            if line.override_reason:
                name += " · " + self.tr("price changed: %1").replace("%1", line.override_reason)
            cells = (
                _cell(name),
                _cell(line.barcode or ""),
                _cell(str(line.qty), right=True),
                _cell(format_fen(line.unit_price_fen), right=True),
                _cell(format_fen(line.line_total_fen), right=True),
                _cell(str(line.refunded_qty) if line.refunded_qty else "", right=True),
            )
            for column, item in enumerate(cells):
                self.lines.setItem(row, column, item)

    def retranslate(self) -> None:
        self.heading.setText(self.tr("Sales history"))
        self.previous_button.setText(self.tr("◀ Previous day"))
        self.next_button.setText(self.tr("Next day ▶"))
        self.today_button.setText(self.tr("Today"))
        self.refund_button.setText(self.tr("Refund…"))
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Number"),
                self.tr("Time"),
                self.tr("Cashier"),
                self.tr("Items"),
                self.tr("Total"),
                self.tr("Paid with"),
                self.tr("Refunded"),
            ]
        )
        self.lines.setHorizontalHeaderLabels(
            [
                self.tr("Item"),
                self.tr("Barcode"),
                self.tr("Qty"),
                self.tr("Price"),
                self.tr("Line total"),
                self.tr("Refunded"),
            ]
        )
        self._render_sales()
        self._render_selected()
