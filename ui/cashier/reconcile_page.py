"""The reconciliation screen (对账, the owner's): the business day's card and wallet money
against what the card terminal and the acquirer say, with every difference named.

"Run reconciliation" does what `storebox reconcile` does (`cli.reconcile_cmd`), each part on
the thread that owns what it talks to, one after the other:

1. the acquirer's settlement file, fetched through the shop's own hub client
   (`sync.reconcile_fetch.fetch_settlement`) on the wallet's thread — a hub that cannot be
   reached is a note ("wallet not checked"), never a failure of the whole run;
2. the card terminal's end-of-day on the terminal's own thread (`Devices.call`), so it never
   runs beside a card payment; asked about first, because it closes the terminal's batch. Its
   totals are read by `storebox.end_of_day.terminal_totals`, as `storebox reconcile` reads
   them; an answer without totals leaves the card side "not checked", in amber, never zero;
3. `storebox.reconcile.reconcile` on the core's worker, as the signed-in owner: it stores the
   result (settings row `reconciliation:<day>`) and journals it.

When the till has a bill-payment port (`CashierWindow.billpay`), a third part, 便民缴费: the hub's
bill statement lines of the day fetched on the same thread as the acquirer's
(`storebox.billpay_reconcile.fetch_lines`), matched against the shop's records on the core's
worker (`billpay_reconcile.match`). Its totals are a row of their own, its differences rows of the
same table (the receipt number in the sale column). Offline or refused: an amber note, never
zero; the other parts still run. The bill part is not stored: it is shown for the runs of this
session only.

The last stored result of the chosen day is shown when the page opens and when the day
changes. What could not be checked is said in amber; each difference is a row: its kind,
tender, the shop's and the other side's amounts, the reference and the sale it belongs to.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDateEdit,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)
from sqlalchemy import select

from storebox import billpay_reconcile, reconcile
from storebox.db.models import BillPayment
from storebox.end_of_day import terminal_totals
from storebox.errors import ShopError
from storebox.money import format_fen
from storebox.ports import BillStatementLine
from storebox.reconcile import Settlement, TerminalTotals
from storebox.sales import WALLET
from storebox.users import Actor
from ui.cashier.payment import PaymentRunner
from ui.cashier.refund_page import tender_name
from ui.cashier.shift_page import ConfirmingPage
from ui.devices import Kind
from ui.ops import CoreOp, report_error

if TYPE_CHECKING:
    from ui.cashier.window import CashierWindow

log = logging.getLogger(__name__)

#: the differences table's columns
COLUMNS = ("kind", "tender", "shop", "other", "sale", "reference", "detail")


@dataclass(frozen=True)
class Fetched:
    """What one part of a run brought back: the data, or None with why (a note)."""

    value: Any
    note: str = ""


@dataclass(frozen=True)
class BillPart:
    """The bill-payment part of a run: `BillReconciliation.as_dict()` plus the commissions
    (`shop_commission_fen`, `hub_commission_fen`), or None when not checked (the note says why)."""

    document: dict[str, Any] | None
    note: str = ""


# a bill receipt number (B1125-02-0001): its device number
_BILL_NUMBER = re.compile(r"^B\d{4}-(\d{2})-\d{4}$")


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _date(day: QDate) -> dt.date:
    return dt.date(day.year(), day.month(), day.day())


def _fen(value: object) -> str:
    return format_fen(value) if isinstance(value, int) and not isinstance(value, bool) else "—"


class ReconcilePage(ConfirmingPage):
    key = "reconcile"
    shortcut = ""  # every function key is taken; the navigation button opens it
    owner_only = True

    def __init__(self, window: CashierWindow) -> None:
        super().__init__(window)
        #: the result shown (`Reconciliation.as_dict()`, as stored), None before any run
        self.document: dict[str, Any] | None = None
        #: why parts of a run were not checked, per day, as said by the runs of this session
        self.notes: dict[dt.date, list[str]] = {}
        #: the bill-payment part of this session's runs, per day (not stored)
        self.bills: dict[dt.date, BillPart] = {}
        self.running = False
        self._step = ""
        self._runner: PaymentRunner | None = None

        layout = QVBoxLayout(self)
        self.heading = QLabel(self)
        self.heading.setObjectName("pageTitle")
        layout.addWidget(self.heading)

        bar = QHBoxLayout()
        self.day_label = QLabel(self)
        bar.addWidget(self.day_label)
        self.day = QDateEdit(self)
        self.day.setObjectName("reconcileDay")
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("yyyy-MM-dd")
        self.day.dateChanged.connect(lambda _d: self.load_stored())
        bar.addWidget(self.day)
        bar.addSpacing(16)
        self.with_terminal = QCheckBox(self)
        self.with_terminal.setObjectName("withTerminal")
        bar.addWidget(self.with_terminal)
        bar.addStretch(1)
        self.unknown_button = QPushButton(self)
        self.unknown_button.setObjectName("openUnknown")
        self.unknown_button.clicked.connect(self.win.open_unknown_payments)
        bar.addWidget(self.unknown_button)
        layout.addLayout(bar)

        self.run_button = QPushButton(self)
        self.run_button.setObjectName("primary")
        self.run_button.setMinimumHeight(56)
        # the screen's one big action (the application style sheet gives its colours)
        self.run_button.setStyleSheet("font-size: 22px; font-weight: bold;")
        self.run_button.clicked.connect(self.ask_run)
        layout.addWidget(self.run_button)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 0)  # busy: no end known
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(8)
        self.progress.hide()
        layout.addWidget(self.progress)
        self.step_label = QLabel(self)
        self.step_label.setObjectName("hint")
        layout.addWidget(self.step_label)

        # the verdict and the totals side by side on one card; the differences below, full width
        self.summary = QFrame(self)
        self.summary.setObjectName("card")
        card = QVBoxLayout(self.summary)
        top = QHBoxLayout()
        verdict = QVBoxLayout()
        self.verdict = QLabel(self.summary)
        self.verdict.setObjectName("bigVariance")
        verdict.addWidget(self.verdict)
        self.run_info = QLabel(self.summary)
        self.run_info.setObjectName("hint")
        self.run_info.setWordWrap(True)
        verdict.addWidget(self.run_info)
        verdict.addStretch(1)
        top.addLayout(verdict, 2)
        top.addSpacing(24)
        self.totals = QGridLayout()
        self.totals.setHorizontalSpacing(24)
        self.totals.setVerticalSpacing(6)
        top.addLayout(self.totals, 3)
        card.addLayout(top)
        self.notes_label = QLabel(self.summary)
        self.notes_label.setObjectName("warning")
        self.notes_label.setWordWrap(True)
        card.addWidget(self.notes_label)
        layout.addWidget(self.summary)

        self.diff_heading = QLabel(self)
        self.diff_heading.setObjectName("sectionTitle")
        layout.addWidget(self.diff_heading)
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setObjectName("differences")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        for col in range(len(COLUMNS) - 1):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)
        self.empty = QLabel(self)
        self.empty.setObjectName("emptyState")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        layout.addWidget(self.empty, 1)
        #: the totals grid as (tender, shop, other side) texts, as last drawn (tests read it)
        self.total_rows: list[tuple[str, str, str]] = []
        self._total_widgets: list[QLabel] = []
        self.retranslate()

    # Page ----------------------------------------------------------------------------------

    def title(self) -> str:
        return self.tr("Reconcile")

    def activate(self) -> None:
        today = self.shop.business_day()
        self.day.blockSignals(True)
        self.day.setMaximumDate(_qdate(today))
        if not self.running:
            self.day.setDate(_qdate(today))
        self.day.blockSignals(False)
        has_terminal = self.terminal() is not None
        self.with_terminal.setEnabled(has_terminal and not self.running)
        self.with_terminal.setChecked(has_terminal)
        self.run_button.setFocus()  # Enter runs it (after the question, when the terminal is in)
        self.load_stored()

    def chosen_day(self) -> dt.date:
        return _date(self.day.date())

    def terminal(self) -> Any:
        devices = self.win.devices
        return devices.terminal if devices is not None else None

    def load_stored(self) -> None:
        """The last result stored for the chosen day (none: said so)."""
        if self.running:
            return
        shop, day = self.shop, self.chosen_day()

        def read() -> dict[str, Any] | None:
            with shop.store.read() as session:
                return reconcile.stored(session, day)

        CoreOp(self, read).success(self._show).run()

    # Running -------------------------------------------------------------------------------

    def ask_run(self) -> None:
        actor = self.win.actor
        if self.running or actor is None:
            return
        day = self.chosen_day()
        if self.with_terminal.isChecked() and self.terminal() is not None:
            self.confirm(
                self.tr("Close the terminal's batch?"),
                self.tr(
                    "Reconciling runs the card terminal's end-of-day (结算): it closes the "
                    "terminal's batch for %1 and sends it to the bank. Card payments after it "
                    "start a new batch. Go on?"
                ).replace("%1", day.isoformat()),
                self.tr("Settle the terminal and reconcile"),
                lambda: self.run(actor, day, with_terminal=True),
            )
        else:
            self.run(actor, day, with_terminal=False)

    def run(self, owner: Actor, day: dt.date, *, with_terminal: bool) -> None:
        """Fetch the acquirer's side, then the terminal's, then reconcile (see the module)."""
        if self.running:
            return
        self._set_running(True, self.tr("Fetching the acquirer's settlement from the hub…"))
        notes: list[str] = []
        shop = self.shop

        def fetch() -> Fetched:  # on the wallet's thread
            return self._fetch_settlement(day)

        def fetched(settlement: Fetched) -> None:
            if settlement.note:
                notes.append(settlement.note)
            if self.win.billpay is None:
                terminal_part(settlement, Fetched(None))
                return
            self._step_to(self.tr("Fetching the bill-payment statement from the hub…"))
            self._off_thread(
                lambda: self._fetch_bills(day),
                lambda lines: terminal_part(settlement, lines),
                self._bills_note,
            )

        def terminal_part(settlement: Fetched, lines: Fetched) -> None:
            bills_checked = lines.value is not None
            if self.win.billpay is not None and not bills_checked:
                notes.append(lines.note or self._bills_note(""))
            bill_lines: list[BillStatementLine] | None = lines.value
            if with_terminal and self.terminal() is not None:
                self._step_to(self.tr("The card terminal is settling its batch…"))
                self._end_of_day(lambda totals: matched(settlement.value, totals, bill_lines))
            else:
                if self.terminal() is None:
                    notes.append(
                        self.tr(
                            "Card: no card terminal is set up on this till: card totals not "
                            "checked."
                        )
                    )
                else:
                    notes.append(
                        self.tr("Card: the terminal was not asked: card totals not checked.")
                    )
                matched(settlement.value, Fetched(None), bill_lines)

        def matched(
            settlement: Settlement | None,
            totals: Fetched,
            bill_lines: list[BillStatementLine] | None,
        ) -> None:
            if totals.note:
                notes.append(totals.note)
            self._step_to(self.tr("Matching the day's payments…"))

            has_bills = self.win.billpay is not None

            def work() -> tuple[dict[str, Any], BillPart | None]:
                result = reconcile.reconcile(
                    shop, day, terminal=totals.value, settlement=settlement, actor=owner
                )
                bills: BillPart | None = None
                if bill_lines is not None:
                    bills = self._match_bills(day, bill_lines)
                elif has_bills:
                    bills = BillPart(None)
                return result.as_dict(), bills

            def done(answer: tuple[dict[str, Any], BillPart | None]) -> None:
                document, bills = answer
                if bills is not None and bills.note:
                    notes.append(bills.note)
                self._ran(day, document, notes, bills)

            CoreOp(self, work).success(done).failure(self._failed).run()

        self._off_thread(fetch, fetched)

    def _fetch_settlement(self, day: dt.date) -> Fetched:
        """The acquirer's lines of `day` through a client of the shop's enrolment (its own, closed
        after: the window's wallet keeps its own session). Runs off the UI thread."""
        from storebox import syncstate

        enrolled = syncstate.enrolment(self.shop)
        if enrolled is None:
            return Fetched(
                None,
                self.tr(
                    "Wallet: this shop is not enrolled with a hub: the acquirer was not asked."
                ),
            )
        from sync.client import HubClient, HubError
        from sync.reconcile_fetch import fetch_settlement

        hub_url = self.shop.settings.hub_url.strip() or enrolled.hub_url
        try:
            client = HubClient(hub_url, enrolled.token)
        except HubError as exc:
            return Fetched(None, self._offline_note(exc.message))
        try:
            return Fetched(fetch_settlement(client, day, self.shop.business_day))
        except HubError as exc:
            return Fetched(None, self._offline_note(exc.message))
        finally:
            client.close()

    def _fetch_bills(self, day: dt.date) -> Fetched:
        """The hub's bill statement lines of `day` (the hub's days `day` and the day after),
        through the window's bill-payment port. Runs off the UI thread."""
        port = self.win.billpay
        if port is None:
            return Fetched(None)
        try:
            return Fetched(billpay_reconcile.fetch_lines(self.shop, port, day))
        except ShopError as exc:  # offline or refused: said, never zero
            return Fetched(None, self._bills_note(exc.message))

    def _match_bills(self, day: dt.date, lines: list[BillStatementLine]) -> BillPart:
        """The bill part matched (on the core's worker), with both sides' commissions."""
        shop = self.shop
        try:
            result = billpay_reconcile.match(shop, day, lines)
        except ShopError as exc:
            return BillPart(None, self._bills_note(exc.message))
        with shop.store.read() as session:
            ours = session.execute(
                select(BillPayment.id, BillPayment.status, BillPayment.commission_fen).where(
                    BillPayment.device_id == shop.device_id, BillPayment.business_day == day
                )
            ).all()
        ids = {row.id for row in ours}

        def this_tills(line: BillStatementLine) -> bool:
            if line.payment_id in ids:
                return True
            found = _BILL_NUMBER.fullmatch(line.number)
            return not line.other_till and (found is None or int(found.group(1)) == shop.device_no)

        document = result.as_dict()
        document["shop_commission_fen"] = sum(
            row.commission_fen for row in ours if row.status == "success"
        )
        document["hub_commission_fen"] = sum(
            line.commission_fen for line in lines if this_tills(line)
        )
        return BillPart(document)

    def _bills_note(self, why: str) -> str:
        return self.tr(
            "Bill payments: the hub's statement could not be fetched (%1): bill payments not "
            "checked. Run it again when the shop is online."
        ).replace("%1", why)

    def _offline_note(self, why: str) -> str:
        return self.tr(
            "Wallet: the hub could not be reached (%1): the acquirer's settlement was not "
            "checked. Run it again when the shop is online."
        ).replace("%1", why)

    def _end_of_day(self, then: Callable[[Fetched], None]) -> None:
        """The terminal's end-of-day on its own thread; its totals, or None with a note."""
        devices = self.win.devices
        terminal = self.terminal()
        assert devices is not None and terminal is not None

        def settle() -> Fetched:
            try:
                answer = terminal.end_of_day()
            except ShopError as exc:
                return Fetched(None, self._card_note(exc.message))
            try:
                totals: TerminalTotals | None = terminal_totals(answer)
            except ShopError as exc:
                return Fetched(None, self._card_note(exc.message))
            if totals is not None:
                return Fetched(totals)
            if str(answer.status) == "approved":
                return Fetched(
                    None,
                    self.tr(
                        "Card: the terminal settled its batch but does not report its totals: "
                        "card totals not checked."
                    ),
                )
            return Fetched(None, self._card_note(answer.message or str(answer.status)))

        def done(future: Future[Any]) -> None:
            exc = future.exception()
            if exc is not None:  # a bug in the driver: the run goes on without the card side
                log.error("terminal end-of-day failed", exc_info=exc)
                then(Fetched(None, self._card_note(type(exc).__name__)))
                return
            then(future.result())

        devices.call(Kind.TERMINAL, settle, done, self)

    def _card_note(self, why: str) -> str:
        return self.tr(
            "Card: the terminal's end-of-day did not run (%1): card totals not checked."
        ).replace("%1", why)

    def _off_thread(
        self,
        fn: Callable[[], Fetched],
        done: Callable[[Fetched], None],
        note: Callable[[str], str] | None = None,
    ) -> None:
        """Hub calls run on the wallet's thread (a PaymentRunner's), not on the core's worker:
        a hub that does not answer must not hold up the till's other screens."""
        devices = self.win.devices
        if devices is None:
            CoreOp(self, fn).success(done).failure(self._failed).run()
            return
        if self._runner is None:
            self._runner = PaymentRunner(devices, self)

        def finish(value: Fetched | None, exc: BaseException | None) -> None:
            if exc is not None or value is None:
                log.error("fetching from the hub failed", exc_info=exc)
                done(Fetched(None, (note or self._offline_note)(type(exc).__name__)))
                return
            done(value)

        self._runner.call(WALLET, lambda _emit: fn(), finish)

    def _ran(
        self,
        day: dt.date,
        document: dict[str, Any],
        notes: list[str],
        bills: BillPart | None = None,
    ) -> None:
        self.notes[day] = notes
        if bills is None:
            self.bills.pop(day, None)
        else:
            self.bills[day] = bills
        self._set_running(False)
        count = int(document.get("differences_count", 0))
        if bills is not None and bills.document is not None:
            count += int(bills.document.get("differences_count", 0))
        if not count:
            self.win.show_info(
                self.tr("Reconciled %1: no differences.").replace("%1", day.isoformat())
            )
        else:
            self.win.show_error(
                self.tr("Reconciled %1: %2 differences.")
                .replace("%1", day.isoformat())
                .replace("%2", str(count))
            )
        if self.chosen_day() == day:
            self._show(document)

    def _failed(self, exc: BaseException) -> None:
        self._set_running(False)
        report_error(self, exc)

    def _set_running(self, running: bool, step: str = "") -> None:
        self.running = running
        self.run_button.setEnabled(not running)
        self.day.setEnabled(not running)
        self.with_terminal.setEnabled(not running and self.terminal() is not None)
        self.progress.setVisible(running)
        self._step_to(step)
        self.run_button.setText(
            self.tr("Reconciling…") if running else self.tr("Run reconciliation")
        )

    def _step_to(self, step: str) -> None:
        self._step = step
        self.step_label.setText(step)
        self.step_label.setVisible(bool(step))

    # Showing -------------------------------------------------------------------------------

    def _show(self, document: dict[str, Any] | None) -> None:
        self.document = document
        self._render()

    def _render(self) -> None:
        document = self.document
        for widget in self._total_widgets:
            self.totals.removeWidget(widget)
            widget.deleteLater()
        self._total_widgets = []
        self.total_rows = []
        if document is None:
            self.verdict.setText(self.tr("Not reconciled yet"))
            self.verdict.setProperty("state", "")
            self._repolish(self.verdict)
            self.run_info.setText(
                self.tr("No reconciliation has run for %1 on this till.").replace(
                    "%1", self.chosen_day().isoformat()
                )
            )
            self.notes_label.clear()
            self.notes_label.hide()
            self.table.setRowCount(0)
            self.table.hide()
            self.diff_heading.setText(self.tr("Differences"))
            self.empty.setText(self.tr("Choose the day and run the reconciliation."))
            self.empty.show()
            return

        diffs: list[dict[str, Any]] = list(document.get("differences", []))
        bills = self._bill_part(document)
        if bills is not None and bills.document is not None:
            diffs += [self._bill_row(d) for d in bills.document.get("differences", [])]
        clean = not diffs
        self.verdict.setText(
            self.tr("No differences")
            if clean
            else self.tr("%1 differences").replace("%1", str(len(diffs)))
        )
        self.verdict.setProperty("state", "exact" if clean else "short")
        self._repolish(self.verdict)
        run_at = dt.datetime.fromisoformat(str(document["run_at"]))
        if run_at.tzinfo is None:
            run_at = run_at.replace(tzinfo=dt.UTC)
        self.run_info.setText(
            self.tr("Business day %1 · run at %2")
            .replace("%1", str(document["business_day"]))
            .replace("%2", run_at.astimezone(self.shop.settings.zone).strftime("%Y-%m-%d %H:%M"))
        )
        self._render_totals(document)
        notes = self._unchecked_notes(document)
        self.notes_label.setText("\n".join(f"⚠ {n}" for n in notes))
        self.notes_label.setVisible(bool(notes))

        self.diff_heading.setText(self.tr("Differences (%1)").replace("%1", str(len(diffs))))
        other = self.table.horizontalHeaderItem(COLUMNS.index("other"))
        if other is not None:
            other.setText(self._other_side(document))
        self.table.setRowCount(len(diffs))
        for row, d in enumerate(diffs):
            sale = str(d.get("sale_number") or "")
            if d.get("refund_number"):
                sale = f"{d['refund_number']} ({sale})" if sale else str(d["refund_number"])
            # the shop's reference by its last 8 characters, as the till and `storebox
            # payments` name it; the acquirer's whole (its own records use it); both in full
            # in the tooltip
            full = str(d.get("reference") or "")
            parts = [f"…{full[-8:]}" if len(full) > 8 else full]
            if d.get("acquirer_reference"):
                parts.append(str(d["acquirer_reference"]))
            reference = " / ".join(p for p in parts if p)
            cells = (
                self.kind_name(str(d.get("kind", ""))),
                self._tender(str(d.get("tender", ""))),
                _fen(d.get("shop_fen")),
                _fen(d.get("other_fen")),
                sale or "—",
                reference or "—",
                str(d.get("detail", "")),
            )
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if COLUMNS[col] == "reference":
                    item.setToolTip(
                        " / ".join(
                            str(d.get(k)) for k in ("reference", "acquirer_reference") if d.get(k)
                        )
                    )
                else:
                    item.setToolTip(text)
                if COLUMNS[col] in ("shop", "other"):
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(row, col, item)
        self.table.setVisible(bool(diffs))
        self.empty.setText(
            self.tr("Every payment matched: the shop, the terminal and the acquirer agree.")
            if document.get("terminal_checked")
            and document.get("settlement_checked")
            and (bills is None or bills.document is not None)
            else self.tr("No differences in what could be checked (see the notes).")
        )
        self.empty.setVisible(not diffs)

    def _render_totals(self, document: dict[str, Any]) -> None:
        shop = document.get("shop", {})
        terminal = document.get("terminal") if document.get("terminal_checked") else None
        acquirer = document.get("acquirer") if document.get("settlement_checked") else None
        headers = (
            self.tr("Tender"),
            self.tr("The shop"),
            self._other_side(document),
        )
        rows: list[tuple[str, str, str, bool]] = [
            (
                tender_name("card"),
                self._side(shop.get("card")),
                self._side(terminal) if terminal else self.tr("terminal: not checked"),
                terminal is None,
            ),
            (
                tender_name("wallet"),
                self._side(shop.get("wallet")),
                self._side(acquirer) if acquirer else self.tr("acquirer: not checked"),
                acquirer is None,
            ),
        ]
        bills = self._bill_part(document)
        if bills is not None:
            bill = bills.document
            rows.append(
                (
                    self.tr("Bill payments"),
                    self._bill_side(bill, "shop") if bill else "—",
                    self._bill_side(bill, "hub") if bill else self.tr("hub: not checked"),
                    bill is None,
                )
            )
        for col, text in enumerate(headers):
            self._total_cell(text, 0, col, "sectionTitle")
        for row, (tender, ours, theirs, unchecked) in enumerate(rows, start=1):
            self._total_cell(tender, row, 0, "reportFigure")
            self._total_cell(ours, row, 1, "")
            self._total_cell(theirs, row, 2, "warning" if unchecked else "")
            self.total_rows.append((tender, ours, theirs))

    def _total_cell(self, text: str, row: int, col: int, name: str) -> None:
        label = QLabel(text, self.summary)
        if name:
            label.setObjectName(name)
        self.totals.addWidget(label, row, col)
        self._total_widgets.append(label)

    def _other_side(self, document: dict[str, Any] | None) -> str:
        """The other side's heading: the hub too when the bill part is shown."""
        if document is not None and self._bill_part(document) is not None:
            return self.tr("Terminal / acquirer / hub")
        return self.tr("Terminal / acquirer")

    def _bill_part(self, document: dict[str, Any]) -> BillPart | None:
        """The bill-payment part of this session's run of the document's day, if any."""
        return self.bills.get(dt.date.fromisoformat(str(document["business_day"])))

    def _bill_side(self, bill: dict[str, Any], side: str) -> str:
        """'3 paid ¥100.00 · commission ¥1.50' of the shop's or the hub's bill payments."""
        return (
            self.tr("%1 paid %2 · commission %3")
            .replace("%1", str(bill.get(f"{side}_count", 0)))
            .replace("%2", _fen(bill.get(f"{side}_amount_fen", 0)))
            .replace("%3", _fen(bill.get(f"{side}_commission_fen", 0)))
        )

    def _bill_row(self, d: dict[str, Any]) -> dict[str, Any]:
        """A bill difference as a row of the differences table: the receipt number in the sale
        column, the payment id as the reference, differing statuses in the detail."""
        detail = str(d.get("detail") or "")
        if d.get("kind") == "status_differs":
            states = (
                self.tr("shop %1, hub %2")
                .replace("%1", str(d.get("shop_status") or "—"))
                .replace("%2", str(d.get("hub_status") or "—"))
            )
            detail = f"{states} · {detail}" if detail else states
        return {
            "kind": f"bill:{d.get('kind', '')}",
            "tender": "bill",
            "shop_fen": d.get("shop_fen"),
            "other_fen": d.get("hub_fen"),
            "sale_number": d.get("number"),
            "reference": d.get("payment_id"),
            "detail": detail,
        }

    def _side(self, totals: object) -> str:
        """'3 payments ¥45.00 · 1 refund ¥5.00' of one side's totals."""
        if not isinstance(totals, dict):
            return "—"
        text = (
            self.tr("%1 paid %2")
            .replace("%1", str(totals.get("payments_count", 0)))
            .replace("%2", _fen(totals.get("payments_fen", 0)))
        )
        if totals.get("refunds_count"):
            text += " · " + (
                self.tr("%1 refunded %2")
                .replace("%1", str(totals.get("refunds_count", 0)))
                .replace("%2", _fen(totals.get("refunds_fen", 0)))
            )
        return text

    def _unchecked_notes(self, document: dict[str, Any]) -> list[str]:
        """Why a side was not checked: this session's run's own words when it ran here, else
        what the stored result says (it keeps only whether each side was checked)."""
        day = dt.date.fromisoformat(str(document["business_day"]))
        said = self.notes.get(day)
        if said:
            return said
        notes: list[str] = []
        if not document.get("terminal_checked"):
            notes.append(self.tr("Card: the terminal's totals were not checked."))
        if not document.get("settlement_checked"):
            notes.append(self.tr("Wallet: the acquirer's settlement was not checked."))
        return notes

    def _tender(self, tender: str) -> str:
        return self.tr("Bill payments") if tender == "bill" else tender_name(tender)

    def kind_name(self, kind: str) -> str:
        names = {
            "missing_at_acquirer": self.tr("in the shop, not at the acquirer"),
            "missing_in_shop": self.tr("at the acquirer, not in the shop"),
            "reversed_at_acquirer": self.tr("reversed at the acquirer, paid in the shop"),
            "amount_mismatch": self.tr("amounts differ"),
            "refunded_at_acquirer": self.tr("refunded at the acquirer beyond the shop"),
            "terminal_count": self.tr("the terminal's count differs"),
            "terminal_amount": self.tr("the terminal's amount differs"),
            "terminal_scheme": self.tr("a card scheme's total differs"),
            "bill:missing_at_hub": self.tr("bill paid in the shop, not at the hub"),
            "bill:missing_in_shop": self.tr("bill at the hub, not in the shop"),
            "bill:amount_differs": self.tr("bill amounts differ"),
            "bill:status_differs": self.tr("bill statuses differ"),
            "bill:commission_differs": self.tr("bill commissions differ"),
        }
        return names.get(kind, kind)

    @staticmethod
    def _repolish(label: QLabel) -> None:
        label.style().unpolish(label)
        label.style().polish(label)

    def retranslate(self) -> None:
        self.heading.setText(self.tr("Reconciliation (end of day)"))
        self.day_label.setText(self.tr("Business day"))
        self.with_terminal.setText(self.tr("Include the card terminal's end-of-day"))
        self.unknown_button.setText(self.tr("Payments of unknown outcome…"))
        self.run_button.setText(
            self.tr("Reconciling…") if self.running else self.tr("Run reconciliation")
        )
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Kind"),
                self.tr("Tender"),
                self.tr("The shop"),
                self.tr("Terminal / acquirer"),
                self.tr("Sale"),
                self.tr("Reference"),
                self.tr("Detail"),
            ]
        )
        self._render()
