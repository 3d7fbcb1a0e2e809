"""The sync screen (同步, the owner's): how the shop stands with its hub.

The agent's state as it left it in the shop's database (online or not, the last success, the
last error), the events waiting to go, the mall catalogue's age and size, each pull stream's last
page, and the dead letters: events the hub refused for good, with the hub's reason, which the
agent never sends again and which never block the events behind them. The owner can start the
agent from here when the shop is enrolled and none runs.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from storebox import syncstate
from ui.cashier.page import Page
from ui.ops import CoreOp, report_error
from ui.sync_status import SyncView, ago, catalog_words, read_sync_view, sync_words

if TYPE_CHECKING:
    from ui.cashier.window import CashierWindow

STREAM_NAMES = ("catalog", "billers", "config")


class SyncPage(Page):
    key = "sync"
    shortcut = ""  # every function key is taken; the navigation button opens it
    owner_only = True

    def __init__(self, window: CashierWindow) -> None:
        super().__init__(window)
        self.view: SyncView | None = None
        self.dead: list[syncstate.DeadLetter] = []
        self._loading = False

        layout = QVBoxLayout(self)
        self.heading = QLabel(self)
        self.heading.setObjectName("pageTitle")
        layout.addWidget(self.heading)

        form = QFormLayout()
        self.labels: dict[str, QLabel] = {}
        self.values: dict[str, QLabel] = {}
        for key in ("hub", "state", "agent", "success", "pending", "catalog", "streams", "error"):
            label, value = QLabel(self), QLabel(self)
            value.setObjectName(f"sync_{key}")
            value.setWordWrap(True)
            self.labels[key], self.values[key] = label, value
            form.addRow(label, value)
        layout.addLayout(form)

        bar = QHBoxLayout()
        self.start_button = QPushButton(self)
        self.start_button.setObjectName("startAgent")
        self.start_button.clicked.connect(self._start_agent)
        bar.addWidget(self.start_button)
        bar.addStretch(1)
        layout.addLayout(bar)

        self.dead_heading = QLabel(self)
        self.dead_heading.setObjectName("heading")
        layout.addWidget(self.dead_heading)
        self.dead_table = QTableWidget(0, 3, self)
        self.dead_table.setObjectName("deadLetters")
        self.dead_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.dead_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.dead_table.setAlternatingRowColors(True)
        self.dead_table.verticalHeader().hide()
        header = self.dead_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.dead_table, 1)
        self.empty = QLabel(self)
        self.empty.setObjectName("emptyState")
        layout.addWidget(self.empty)
        self.retranslate()

    def title(self) -> str:
        return self.tr("Sync")

    def activate(self) -> None:
        if self._loading:
            return
        self._loading = True
        shop = self.shop

        def read() -> tuple[SyncView, list[syncstate.DeadLetter]]:
            return read_sync_view(shop), syncstate.dead_letters(shop)

        CoreOp(self, read).success(self._loaded).failure(self._failed).run()

    def _failed(self, exc: BaseException) -> None:
        self._loading = False
        report_error(self, exc)

    def _loaded(self, found: tuple[SyncView, list[syncstate.DeadLetter]]) -> None:
        self._loading = False
        self.view, self.dead = found
        self._show()

    def _start_agent(self) -> None:
        if self.win.launch_agent():
            self.win.show_info(self.tr("The sync agent is starting."))
        self.start_button.setEnabled(False)

    def _show(self) -> None:
        view = self.view
        now = self.shop.now()
        zone = self.shop.settings.zone
        words = sync_words(view, self.shop.settings.hub_url, now)
        self.values["state"].setText(words.state)
        if view is None:
            return
        status = view.status
        if view.enrolled:
            self.values["hub"].setText(f"{view.hub_url} · {view.store_name}")
        else:
            self.values["hub"].setText(self.tr("not enrolled (storebox enrol --code CODE)"))
        if view.agent_pid is None:
            self.values["agent"].setText(self.tr("not running"))
        else:
            self.values["agent"].setText(
                self.tr("running (pid %1)").replace("%1", str(view.agent_pid))
            )
        self.start_button.setVisible(view.enrolled)
        self.start_button.setEnabled(view.enrolled and view.agent_pid is None)
        success = status.last_success_at
        when = (
            success.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S") + f" ({ago(success, now)})"
            if success
            else ago(None, now)
        )
        self.values["success"].setText(when)
        self.values["pending"].setText(str(status.pending_events))
        self.values["catalog"].setText(catalog_words(view, now, short=True))
        streams = []
        for name in STREAM_NAMES:
            stream = view.stream(name)
            pulled = stream.last_pulled_at if stream else None
            streams.append(f"{self._stream_name(name)} {ago(pulled, now)}")
        self.values["streams"].setText(" · ".join(streams))
        self.values["error"].setText(status.last_error or self.tr("none"))
        self.values["error"].setObjectName("errorText" if status.last_error else "sync_error")
        self.values["error"].style().unpolish(self.values["error"])
        self.values["error"].style().polish(self.values["error"])

        self.dead_heading.setText(
            self.tr("Refused by the hub (%1)").replace("%1", str(len(self.dead)))
        )
        self.dead_table.setRowCount(len(self.dead))
        for row, letter in enumerate(self.dead):
            at = letter.created_at
            if at.tzinfo is None:
                at = at.replace(tzinfo=dt.UTC)
            cells = (
                self._kind_name(letter.kind),
                at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
                letter.reason,
            )
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(f"{letter.event_id}\n{letter.reason}" if col == 2 else text)
                self.dead_table.setItem(row, col, item)
        self.dead_table.setVisible(bool(self.dead))
        self.empty.setVisible(not self.dead)

    def _stream_name(self, name: str) -> str:
        return {
            "catalog": self.tr("catalogue"),
            "billers": self.tr("billers"),
            "config": self.tr("settings"),
        }.get(name, name)

    def _kind_name(self, kind: str) -> str:
        names = {
            "sale.completed": self.tr("sale"),
            "refund.completed": self.tr("refund"),
            "day.closed": self.tr("day closed"),
            "bill_payment.completed": self.tr("bill payment"),
        }
        return f"{names[kind]} ({kind})" if kind in names else kind

    def retranslate(self) -> None:
        self.heading.setText(self.tr("Sync with the hub"))
        texts = {
            "hub": self.tr("Hub"),
            "state": self.tr("Connection"),
            "agent": self.tr("Sync agent"),
            "success": self.tr("Last success"),
            "pending": self.tr("Waiting to sync"),
            "catalog": self.tr("Mall catalogue"),
            "streams": self.tr("Last pulled"),
            "error": self.tr("Last error"),
        }
        for key, text in texts.items():
            self.labels[key].setText(text)
        self.start_button.setText(self.tr("Start the sync agent"))
        self.dead_table.setHorizontalHeaderLabels(
            [self.tr("Event"), self.tr("Time"), self.tr("The hub's reason")]
        )
        self.dead_heading.setText(
            self.tr("Refused by the hub (%1)").replace("%1", str(len(self.dead)))
        )
        self.empty.setText(self.tr("No refused events: everything the hub got, it took."))
        if self.view is not None:
            self._show()
