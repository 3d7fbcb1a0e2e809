"""The shift screen (交班): open with the counted float, move cash in or out with a reason, close
with the counted cash and see the variance large and coloured.

Also home to `ConfirmingPage`, which the refund, reports and history screens share: a page that
asks a window-modal question without blocking the event loop.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from storebox import reports, shifts
from storebox.errors import InvalidInput, NotFound, PermissionDenied
from storebox.money import format_fen
from storebox.shifts import ShiftSummary
from storebox.users import Actor
from ui.cashier.page import Page
from ui.ops import CoreOp, report_error
from ui.widgets.keypad import Keypad
from ui.widgets.money import MoneyEdit

if TYPE_CHECKING:
    from ui.cashier.window import CashierWindow


# --- shared by the screens of this change ---------------------------------------------------


class ConfirmingPage(Page):
    """A page that asks before an action that moves money or ends something."""

    def __init__(self, window: CashierWindow) -> None:
        super().__init__(window)
        #: the question being asked, while it is open (tests answer it)
        self.confirm_box: QMessageBox | None = None

    def confirm(self, title: str, text: str, yes_text: str, then: Callable[[], None]) -> None:
        """Ask; `then` runs on yes. Opened window-modal with `open()` (never `exec()`): the
        event loop keeps running, so background operations and tests carry on. Enter chooses
        `yes_text`, Esc cancels."""
        box = QMessageBox(self)
        box.setObjectName("confirmBox")
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(title)
        box.setText(text)
        yes = QPushButton(yes_text, box)
        yes.setObjectName("primary")  # named before it is first styled
        box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        cancel.setText(QCoreApplication.translate("confirm", "Cancel (Esc)"))
        box.setDefaultButton(yes)
        box.setEscapeButton(cancel)

        def done(_result: int) -> None:
            said_yes = box.clickedButton() is yes
            if self.confirm_box is box:
                self.confirm_box = None
            box.deleteLater()
            if said_yes:
                then()

        box.finished.connect(done)
        self.confirm_box = box
        box.open()

    def confirming(self) -> bool:
        return self.confirm_box is not None


def local_time(at: dt.datetime | None, page: Page, fmt: str = "%H:%M") -> str:
    return at.astimezone(page.shop.settings.zone).strftime(fmt) if at else ""


# --- the shift screen -----------------------------------------------------------------------


@dataclass(frozen=True)
class TillShift:
    """What the till's drawer is doing, as this person may see it."""

    summary: ShiftSummary | None  # the open shift, if this person may see its figures
    other_name: str | None = None  # someone else's shift is open (a cashier sees only that)
    other_since: dt.datetime | None = None


def load_till_shift(page: Page, actor: Actor) -> TillShift:
    """Runs on the worker: the open shift through the X report's who-may-see-what rule."""
    try:
        return TillShift(reports.x_report(page.shop, actor).shift)
    except NotFound:
        return TillShift(None)
    except PermissionDenied:
        with page.shop.store.read() as session:
            shift = shifts.current_shift(session, page.shop)
            if shift is None:
                return TillShift(None)
            name = shifts._user_name(session, shift.user_id) or ""
            return TillShift(None, name, shift.opened_at)


class ShiftPage(ConfirmingPage):
    key = "shift"
    shortcut = "F3"

    def __init__(self, window: CashierWindow) -> None:
        super().__init__(window)
        self.state: TillShift | None = None
        #: the shift this person closed here, shown until the next shift opens
        self.closed: ShiftSummary | None = None
        self._closed_for: str | None = None
        self._busy = False

        layout = QVBoxLayout(self)
        self.heading = QLabel(self)
        self.heading.setObjectName("pageTitle")
        layout.addWidget(self.heading)

        self.panels = QStackedWidget(self)
        layout.addWidget(self.panels, 1)
        self._target: MoneyEdit | None = None
        #: a keypad beside each form; each types into the money field that last had focus
        self.keypads: list[Keypad] = []

        # Waiting for the first answer, or someone else's shift: one line of text.
        self.message_panel = QLabel(self)
        self.message_panel.setObjectName("emptyState")
        self.message_panel.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message_panel.setWordWrap(True)
        self.panels.addWidget(self.message_panel)

        # No open shift: count the float in.
        self.open_panel = QFrame(self)
        self.open_panel.setObjectName("card")
        grid = QGridLayout(self.open_panel)
        self.open_title = QLabel(self.open_panel)
        self.open_title.setObjectName("sectionTitle")
        self.open_hint = QLabel(self.open_panel)
        self.open_hint.setObjectName("hint")
        self.open_hint.setWordWrap(True)
        self.float_label = QLabel(self.open_panel)
        self.float_field = self._money(self.open_panel, self._open_shift)
        self.open_button = QPushButton(self.open_panel)
        self.open_button.setObjectName("primary")
        self.open_button.clicked.connect(self._open_shift)
        grid.addWidget(self.open_title, 0, 0, 1, 2)
        grid.addWidget(self.open_hint, 1, 0, 1, 2)
        grid.addWidget(self.float_label, 2, 0)
        grid.addWidget(self.float_field, 2, 1)
        grid.addWidget(self.open_button, 3, 1)
        grid.setRowStretch(4, 1)
        grid.setColumnStretch(1, 1)
        self.keypad = self._keypad()
        self.open_holder = self._top(self.open_panel, self.keypad)
        self.panels.addWidget(self.open_holder)

        # The open shift: its money so far, cash in / out, close.
        self.run_panel = QWidget(self)
        run = QHBoxLayout(self.run_panel)
        run.setContentsMargins(0, 0, 0, 0)
        self.summary_card = QFrame(self.run_panel)
        self.summary_card.setObjectName("card")
        summary = QGridLayout(self.summary_card)
        self.summary_title = QLabel(self.summary_card)
        self.summary_title.setObjectName("sectionTitle")
        summary.addWidget(self.summary_title, 0, 0, 1, 2)
        self.figure_labels: dict[str, QLabel] = {}
        self.figures: dict[str, QLabel] = {}
        for row, name in enumerate(
            ("float", "sales", "cash_sales", "cash_refunds", "cash_in", "cash_out"), start=1
        ):
            label = QLabel(self.summary_card)
            value = QLabel(self.summary_card)
            value.setAlignment(Qt.AlignmentFlag.AlignRight)
            value.setObjectName(f"figure_{name}")
            summary.addWidget(label, row, 0)
            summary.addWidget(value, row, 1)
            self.figure_labels[name] = label
            self.figures[name] = value
        rule = QFrame(self.summary_card)
        rule.setFrameShape(QFrame.Shape.HLine)
        summary.addWidget(rule, 7, 0, 1, 2)
        self.expected_label = QLabel(self.summary_card)
        self.expected_value = QLabel(self.summary_card)
        self.expected_value.setObjectName("expectedCash")
        self.expected_value.setAlignment(Qt.AlignmentFlag.AlignRight)
        summary.addWidget(self.expected_label, 8, 0)
        summary.addWidget(self.expected_value, 8, 1)
        summary.setRowStretch(9, 1)
        run.addWidget(self.summary_card, 1)

        actions = QVBoxLayout()
        self.move_card = QFrame(self.run_panel)
        self.move_card.setObjectName("card")
        move = QGridLayout(self.move_card)
        self.move_title = QLabel(self.move_card)
        self.move_title.setObjectName("sectionTitle")
        self.move_amount_label = QLabel(self.move_card)
        self.move_reason_label = QLabel(self.move_card)
        self.move_reason = QLineEdit(self.move_card)
        self.move_reason.setObjectName("moveReason")
        self.move_reason.setMaxLength(shifts.MAX_TEXT)
        self.move_amount = self._money(self.move_card, self.move_reason.setFocus)
        self.cash_in_button = QPushButton(self.move_card)
        self.cash_in_button.setObjectName("cashIn")
        self.cash_in_button.clicked.connect(lambda: self._move("in"))
        self.cash_out_button = QPushButton(self.move_card)
        self.cash_out_button.setObjectName("cashOut")
        self.cash_out_button.clicked.connect(lambda: self._move("out"))
        move.addWidget(self.move_title, 0, 0, 1, 3)
        move.addWidget(self.move_amount_label, 1, 0)
        move.addWidget(self.move_amount, 1, 1, 1, 2)
        move.addWidget(self.move_reason_label, 2, 0)
        move.addWidget(self.move_reason, 2, 1, 1, 2)
        move.addWidget(self.cash_in_button, 3, 1)
        move.addWidget(self.cash_out_button, 3, 2)
        move.setColumnStretch(1, 1)
        move.setColumnStretch(2, 1)
        actions.addWidget(self.move_card)

        self.close_card = QFrame(self.run_panel)
        self.close_card.setObjectName("card")
        close = QGridLayout(self.close_card)
        self.close_title = QLabel(self.close_card)
        self.close_title.setObjectName("sectionTitle")
        self.counted_label = QLabel(self.close_card)
        self.note_label = QLabel(self.close_card)
        self.close_note = QLineEdit(self.close_card)
        self.close_note.setMaxLength(shifts.MAX_TEXT)
        self.counted_field = self._money(self.close_card, self._close_shift)
        self.close_button = QPushButton(self.close_card)
        self.close_button.setObjectName("danger")
        self.close_button.clicked.connect(self._close_shift)
        close.addWidget(self.close_title, 0, 0, 1, 2)
        close.addWidget(self.counted_label, 1, 0)
        close.addWidget(self.counted_field, 1, 1)
        close.addWidget(self.note_label, 2, 0)
        close.addWidget(self.close_note, 2, 1)
        close.addWidget(self.close_button, 3, 1)
        close.setColumnStretch(1, 1)
        actions.addWidget(self.close_card)
        actions.addStretch(1)
        run.addLayout(actions, 1)
        pad = QVBoxLayout()
        pad.addWidget(self._keypad())
        pad.addStretch(1)
        run.addLayout(pad)
        self.panels.addWidget(self.run_panel)

        # Just closed: expected against counted, the variance large and coloured.
        self.closed_panel = QFrame(self)
        self.closed_panel.setObjectName("card")
        done = QGridLayout(self.closed_panel)
        self.closed_title = QLabel(self.closed_panel)
        self.closed_title.setObjectName("sectionTitle")
        self.closed_expected_label = QLabel(self.closed_panel)
        self.closed_expected = QLabel(self.closed_panel)
        self.closed_counted_label = QLabel(self.closed_panel)
        self.closed_counted = QLabel(self.closed_panel)
        self.variance_label = QLabel(self.closed_panel)
        self.variance = QLabel(self.closed_panel)
        self.variance.setObjectName("bigVariance")
        self.variance_words = QLabel(self.closed_panel)
        self.variance_words.setObjectName("varianceWords")
        for value in (self.closed_expected, self.closed_counted, self.variance):
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.variance_words.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.next_shift_button = QPushButton(self.closed_panel)
        self.next_shift_button.setObjectName("primary")
        self.next_shift_button.clicked.connect(self._start_next)
        done.addWidget(self.closed_title, 0, 0, 1, 2)
        done.addWidget(self.closed_expected_label, 1, 0)
        done.addWidget(self.closed_expected, 1, 1)
        done.addWidget(self.closed_counted_label, 2, 0)
        done.addWidget(self.closed_counted, 2, 1)
        done.addWidget(self.variance_label, 3, 0)
        done.addWidget(self.variance, 3, 1)
        done.addWidget(self.variance_words, 4, 1)
        done.addWidget(self.next_shift_button, 5, 1)
        done.setRowStretch(6, 1)
        done.setColumnStretch(1, 1)
        self.closed_holder = self._top(self.closed_panel)
        self.panels.addWidget(self.closed_holder)

        self.retranslate()

    # Building ---------------------------------------------------------------------------

    def _money(self, parent: QWidget, on_enter: Callable[[], object]) -> MoneyEdit:
        field = MoneyEdit(parent)
        field.returnPressed.connect(on_enter)
        field.focused.connect(lambda: self._aim(field))
        return field

    def _keypad(self) -> Keypad:
        keypad = Keypad(self, with_point=True)
        keypad.setFixedSize(300, 380)
        keypad.key.connect(self._pad_key)
        keypad.back.connect(self._pad_back)
        keypad.ok.connect(self._pad_ok)
        self.keypads.append(keypad)
        return keypad

    def _top(self, card: QWidget, keypad: Keypad | None = None) -> QWidget:
        """A card at the top left of its panel (its keypad beside it), not stretched across
        the whole screen."""
        holder = QWidget(self)
        row = QHBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        column = QVBoxLayout()
        card.setMaximumWidth(640)
        column.addWidget(card)
        column.addStretch(1)
        row.addLayout(column, 1)
        if keypad is not None:
            pad = QVBoxLayout()
            pad.addWidget(keypad)
            pad.addStretch(1)
            row.addLayout(pad)
        row.addStretch(1)
        return holder

    # The keypad types into the money field that last had focus --------------------------

    def _aim(self, field: MoneyEdit) -> None:
        self._target = field

    def _pad_key(self, key: str) -> None:
        if self._target is not None and self._target.isVisible():
            self._target.insert(key)
            self._target.setFocus()

    def _pad_back(self) -> None:
        if self._target is not None and self._target.isVisible():
            self._target.backspace()

    def _pad_ok(self) -> None:
        if self._target is not None and self._target.isVisible():
            self._target.returnPressed.emit()

    # Page -------------------------------------------------------------------------------

    def title(self) -> str:
        return self.tr("Shift")

    def activate(self) -> None:
        self.reload()

    def reload(self) -> None:
        actor = self.win.actor
        if actor is None:
            return
        CoreOp(self, lambda: load_till_shift(self, actor)).success(self._show).run()

    def _show(self, state: TillShift) -> None:
        self.state = state
        actor = self.win.actor
        shift_open = state.summary is not None or state.other_name is not None
        someone_else = actor is None or actor.user_id != self._closed_for
        if shift_open or someone_else:
            self.closed = None
        self._render()
        panel = self.panels.currentWidget()
        field = self.float_field if panel is self.open_holder else None
        if panel is self.run_panel:
            field = self.counted_field
        if field is not None and self.isVisible():
            field.setFocus()
            self._aim(field)

    def _render(self) -> None:
        state = self.state
        if self.closed is not None:
            self._render_closed(self.closed)
            self.panels.setCurrentWidget(self.closed_holder)
        elif state is None:
            self.message_panel.setText(self.tr("Reading the till's shift…"))
            self.panels.setCurrentWidget(self.message_panel)
        elif state.summary is not None:
            self._render_summary(state.summary)
            self.panels.setCurrentWidget(self.run_panel)
        elif state.other_name is not None:
            self.message_panel.setText(
                self.tr(
                    "%1's shift has been open on this till since %2.\n"
                    "Only %1 or the owner can see its cash or close it."
                )
                .replace("%1", state.other_name)
                .replace("%2", local_time(state.other_since, self))
            )
            self.panels.setCurrentWidget(self.message_panel)
        else:
            self.panels.setCurrentWidget(self.open_holder)

    def _render_summary(self, s: ShiftSummary) -> None:
        t = s.tally
        self.summary_title.setText(
            self.tr("Shift of %1 · since %2")
            .replace("%1", s.user_name)
            .replace("%2", local_time(s.opened_at, self, "%m-%d %H:%M"))
        )
        self.figures["float"].setText(format_fen(s.float_fen))
        self.figures["sales"].setText(f"{t.sales_count} · {format_fen(t.sales_total_fen)}")
        self.figures["cash_sales"].setText(format_fen(t.tender_sales_fen.get(shifts.CASH, 0)))
        self.figures["cash_refunds"].setText(format_fen(-t.tender_refunds_fen.get(shifts.CASH, 0)))
        self.figures["cash_in"].setText(format_fen(t.cash_in_fen))
        self.figures["cash_out"].setText(format_fen(-t.cash_out_fen))
        self.expected_value.setText(format_fen(s.expected_cash_fen))

    def _render_closed(self, s: ShiftSummary) -> None:
        variance = s.variance_fen or 0
        self.closed_title.setText(
            self.tr("Shift of %1 closed at %2")
            .replace("%1", s.user_name)
            .replace("%2", local_time(s.closed_at, self))
        )
        self.closed_expected.setText(format_fen(s.expected_cash_fen))
        self.closed_counted.setText(format_fen(s.counted_fen or 0))
        self.variance.setText(("+" if variance > 0 else "") + format_fen(variance))
        if variance < 0:
            state, words = "short", self.tr("The drawer is short by %1")
        elif variance > 0:
            state, words = "over", self.tr("The drawer is over by %1")
        else:
            state, words = "exact", self.tr("The drawer is exact")
        self.variance_words.setText(words.replace("%1", format_fen(abs(variance))))
        for label in (self.variance, self.variance_words):
            label.setProperty("state", state)
            label.style().unpolish(label)
            label.style().polish(label)

    # Actions ----------------------------------------------------------------------------

    def _amount(self, field: MoneyEdit) -> int | None:
        try:
            return field.parsed()
        except InvalidInput as exc:
            self.win.show_error(exc.message)
            field.setFocus()
            return None

    def _start(self, *buttons: QPushButton) -> bool:
        if self._busy:
            return False
        self._busy = True
        for button in buttons:
            button.setEnabled(False)
        return True

    def _finish(self, *buttons: QPushButton) -> None:
        self._busy = False
        for button in buttons:
            button.setEnabled(True)

    def _failed(self, *buttons: QPushButton) -> Callable[[BaseException], None]:
        def failed(exc: BaseException) -> None:
            self._finish(*buttons)
            report_error(self, exc)
            self.reload()

        return failed

    def _open_shift(self) -> None:
        actor = self.win.actor
        fen = self._amount(self.float_field)
        if actor is None or fen is None or not self._start(self.open_button):
            return
        CoreOp(self, lambda: shifts.open_shift(self.shop, actor, fen)).success(
            lambda _info: self._opened(fen)
        ).failure(self._failed(self.open_button)).run()

    def _opened(self, fen: int) -> None:
        self._finish(self.open_button)
        self.float_field.clear()
        self.closed = None
        self.win.show_info(self.tr("Shift open with a float of %1.").replace("%1", format_fen(fen)))
        self.win.refresh_status()
        self.reload()

    def _move(self, kind: str) -> None:
        actor = self.win.actor
        fen = self._amount(self.move_amount)
        if actor is None or fen is None:
            return
        reason = self.move_reason.text().strip()
        if not reason:
            self.win.show_error(self.tr("Say why the cash goes in or out."))
            self.move_reason.setFocus()
            return
        buttons = (self.cash_in_button, self.cash_out_button)
        if not self._start(*buttons):
            return
        use = shifts.cash_in if kind == "in" else shifts.cash_out
        CoreOp(self, lambda: use(self.shop, actor, fen, reason)).success(self._moved).failure(
            self._failed(*buttons)
        ).run()

    def _moved(self, info: shifts.CashMovementInfo) -> None:
        self._finish(self.cash_in_button, self.cash_out_button)
        self.move_amount.clear()
        self.move_reason.clear()
        text = (
            self.tr("%1 put into the drawer. It should now hold %2.")
            if info.kind == "in"
            else self.tr("%1 taken out of the drawer. It should now hold %2.")
        )
        self.win.show_info(
            text.replace("%1", format_fen(info.amount_fen)).replace(
                "%2", format_fen(info.expected_cash_fen)
            )
        )
        self.reload()

    def _close_shift(self) -> None:
        actor = self.win.actor
        state = self.state
        if actor is None or state is None or state.summary is None or self._busy:
            return
        fen = self._amount(self.counted_field)
        if fen is None:
            return
        shift_id = state.summary.id
        note = self.close_note.text()
        self.confirm(
            self.tr("Close the shift"),
            self.tr(
                "Close %1's shift with %2 counted in the drawer?\n\n"
                "This ends the shift: the next sale needs a new shift."
            )
            .replace("%1", state.summary.user_name)
            .replace("%2", format_fen(fen)),
            self.tr("Close the shift"),
            lambda: self._do_close(actor, shift_id, fen, note),
        )

    def _do_close(self, actor: Actor, shift_id: str, fen: int, note: str) -> None:
        if not self._start(self.close_button):
            return
        CoreOp(
            self, lambda: shifts.close_shift(self.shop, actor, fen, note, shift_id=shift_id)
        ).success(lambda summary: self._closed(actor, summary)).failure(
            self._failed(self.close_button)
        ).run()

    def _closed(self, actor: Actor, summary: ShiftSummary) -> None:
        self._finish(self.close_button)
        self.counted_field.clear()
        self.close_note.clear()
        self.closed = summary
        self._closed_for = actor.user_id
        self.state = TillShift(None)
        self._render()
        self.win.refresh_status()

    def _start_next(self) -> None:
        self.closed = None
        self._render()
        self.float_field.setFocus()
        self._aim(self.float_field)

    # Texts ------------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.heading.setText(self.tr("Shift"))
        self.open_title.setText(self.tr("Open a shift"))
        self.open_hint.setText(
            self.tr("Count the float (the change) into the drawer and enter the amount.")
        )
        self.float_label.setText(self.tr("Float counted"))
        self.open_button.setText(self.tr("Open shift (Enter)"))
        names = {
            "float": self.tr("Float"),
            "sales": self.tr("Sales (all tenders)"),
            "cash_sales": self.tr("Cash sales (net of change)"),
            "cash_refunds": self.tr("Cash refunds"),
            "cash_in": self.tr("Cash in"),
            "cash_out": self.tr("Cash out"),
        }
        for name, label in self.figure_labels.items():
            label.setText(names[name])
        self.expected_label.setText(self.tr("Expected in the drawer"))
        self.move_title.setText(self.tr("Cash in / cash out"))
        self.move_amount_label.setText(self.tr("Amount"))
        self.move_reason_label.setText(self.tr("Reason"))
        self.move_reason.setPlaceholderText(self.tr("e.g. change from the safe, paid a supplier"))
        self.cash_in_button.setText(self.tr("Cash in"))
        self.cash_out_button.setText(self.tr("Cash out"))
        self.close_title.setText(self.tr("Close the shift"))
        self.counted_label.setText(self.tr("Cash counted"))
        self.note_label.setText(self.tr("Note"))
        self.close_note.setPlaceholderText(self.tr("optional"))
        self.close_button.setText(self.tr("Close shift…"))
        self.closed_expected_label.setText(self.tr("Expected"))
        self.closed_counted_label.setText(self.tr("Counted"))
        self.variance_label.setText(self.tr("Variance"))
        self.next_shift_button.setText(self.tr("Open the next shift"))
        for keypad in self.keypads:
            keypad.set_ok_text(self.tr("OK"))
        self._render()
