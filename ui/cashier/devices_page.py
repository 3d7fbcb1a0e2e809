"""The devices screen: each device's address, a test button, and how it is now.

One card per device: the receipt printer, the card terminal, the serial scanner, the pole
display (each chosen by URL, with the serial ports and USB printers found offered and any text
accepted) and the customer's screen (off, or a second window). **Save** checks the address,
writes it into the shop's config file (`storebox.config.save`, the file the till was started
with) and reopens the device at once (`Devices.apply`); a bad address is refused with the
reason and changes nothing. **Test** asks the device as it is now: the printer prints the test
page `storebox devices print-test` prints, the terminal is registered and asked a status
enquiry, the scanner's port is opened again and the next code read shows on the card, the
displays show a test line. Every device call runs on that device's own thread (`Devices.call`);
this screen only shows what comes back, and what each device last said (refreshed every second
while shown, and at once when a device reports a change).
"""

from __future__ import annotations

import os
from concurrent.futures import Future
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QHideEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from drivers import detect
from drivers.printer.driver import PrinterStatus
from drivers.printer.transports import parse_url
from drivers.terminal.health import Health as TerminalHealth
from storebox import config
from storebox.errors import ConfigError
from ui.cashier.page import Page
from ui.customer_display import CustomerLine
from ui.devices import URL_SETTING, Kind, State, printer_words
from ui.ops import CoreOp, report_error

if TYPE_CHECKING:
    from ui.cashier.window import CashierWindow

#: the customer's screen: not a URL but a mode (settings: customer_display)
CUSTOMER = "customer"
ROWS = (Kind.PRINTER, Kind.TERMINAL, Kind.SCANNER, Kind.POLE, CUSTOMER)
REFRESH_MS = 1_000
TEST_LINE_MS = 5_000


@dataclass
class _Card:
    frame: QFrame
    name: QLabel
    state: QLabel
    address: QComboBox
    save: QPushButton
    test: QPushButton
    detail: QLabel
    # the last test's or save's answer, shown under the address until the next one
    note: str = ""
    note_kind: str = "hint"


@dataclass(frozen=True)
class Found:
    serial: list[detect.Found]
    printers: list[detect.Found]


class DevicesPage(Page):
    key = "devices"
    shortcut = "F11"

    def __init__(self, window: CashierWindow) -> None:
        super().__init__(window)
        outer = QVBoxLayout(self)
        top = QHBoxLayout()
        self.heading = QLabel(self)
        self.heading.setObjectName("pageTitle")
        top.addWidget(self.heading)
        top.addStretch(1)
        self.rescan_button = QPushButton(self)
        self.rescan_button.setObjectName("rescanButton")
        self.rescan_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.rescan_button.clicked.connect(self.rescan)
        top.addWidget(self.rescan_button)
        outer.addLayout(top)
        self.where = QLabel(self)
        self.where.setObjectName("hint")
        self.where.setWordWrap(True)
        outer.addWidget(self.where)

        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget(scroll)
        body.setObjectName("devicesBody")
        cards = QVBoxLayout(body)
        cards.setContentsMargins(0, 0, 8, 0)
        cards.setSpacing(6)
        self.cards: dict[str, _Card] = {}
        for kind in ROWS:
            card = self._card(body, kind)
            self.cards[kind] = card
            cards.addWidget(card.frame)
        cards.addStretch(1)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)

        self.found = Found([], [])
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.refresh)
        devices = self.win.devices
        if devices is not None:
            devices.changed.connect(self.refresh, Qt.ConnectionType.QueuedConnection)
        self.retranslate()

    def _card(self, parent: QWidget, kind: str) -> _Card:
        frame = QFrame(parent)
        frame.setObjectName("card")
        grid = QGridLayout(frame)
        grid.setContentsMargins(10, 0, 10, 0)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(2)
        name = QLabel(frame)
        name.setObjectName("sectionTitle")
        name.setFixedWidth(200)
        state = QLabel(frame)
        state.setObjectName("deviceState")
        state.setMinimumWidth(150)
        address = QComboBox(frame)
        address.setObjectName(f"{kind}Address")
        address.setEditable(kind != CUSTOMER)
        address.setMinimumWidth(360)
        address.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        if address.isEditable():
            # what the person types or picks is kept when the list of found devices is redrawn
            edit = address.lineEdit()
            assert edit is not None
            edit.textEdited.connect(lambda _t: address.setProperty("edited", True))
            address.activated.connect(lambda _i: address.setProperty("edited", True))
        save = QPushButton(frame)
        save.setObjectName("primary")
        save.clicked.connect(lambda: self.save(kind))
        test = QPushButton(frame)
        test.setObjectName("testButton")
        test.clicked.connect(lambda: self.test(kind))
        detail = QLabel(frame)
        detail.setObjectName("hint")
        detail.setWordWrap(True)
        detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        detail.hide()
        grid.addWidget(name, 0, 0)
        grid.addWidget(address, 0, 1)
        grid.addWidget(save, 0, 2)
        grid.addWidget(test, 0, 3)
        below = QHBoxLayout()
        below.setSpacing(16)
        below.addWidget(state)
        below.addWidget(detail, 1)
        grid.addLayout(below, 1, 0, 1, 4)
        grid.setColumnStretch(1, 1)
        return _Card(frame, name, state, address, save, test, detail)

    def title(self) -> str:
        return self.tr("Devices")

    # Showing ----------------------------------------------------------------------------

    def activate(self) -> None:
        for card in self.cards.values():
            card.note = ""
            card.address.setProperty("edited", False)
        self._fill_addresses()
        self.refresh()
        self.rescan()
        self._timer.start(REFRESH_MS)

    def hideEvent(self, event: QHideEvent) -> None:
        self._timer.stop()
        super().hideEvent(event)

    def rescan(self) -> None:
        """Look for serial ports and USB printers (off the UI thread) and offer them."""
        CoreOp(self, lambda: Found(detect.serial_ports(), detect.usb_printers())).success(
            self._found
        ).run()

    def _found(self, found: Found) -> None:
        self.found = found
        self._fill_addresses()

    def _saved_url(self, kind: str) -> str:
        settings = self.shop.settings
        if kind == CUSTOMER:
            return settings.customer_display
        devices = self.win.devices
        if devices is not None:
            return devices.urls[Kind(kind)]
        return str(getattr(settings, URL_SETTING[Kind(kind)])).strip()

    def _fill_addresses(self) -> None:
        """Each address box: the address in use, then what was found; typed text is kept."""
        for kind, card in self.cards.items():
            box = card.address
            typed = box.currentText() if box.isEditable() else ""
            saved = self._saved_url(kind)
            box.blockSignals(True)
            box.clear()
            if kind == CUSTOMER:
                box.addItem(self.tr("Off"), "off")
                box.addItem(self.tr("On: a second window for the customer"), "window")
                box.setCurrentIndex(max(0, box.findData(saved)))
                box.blockSignals(False)
                continue
            options: list[tuple[str, str]] = []
            if kind == Kind.PRINTER:
                options += [(f.url, f.description) for f in self.found.printers]
                options += [
                    (f"serial://{f.url}?baudrate=19200", f.description) for f in self.found.serial
                ]
            else:
                options += [(f.url, f.description) for f in self.found.serial]
            box.addItem("", "")
            for url, description in options:
                box.addItem(f"{url}  —  {description}" if description else url, url)
            keep = typed if box.property("edited") else saved
            index = box.findData(keep) if keep else -1
            if index >= 0:
                box.setCurrentIndex(index)
            else:
                box.setEditText(keep)
            box.blockSignals(False)

    def address(self, kind: str) -> str:
        """The address as chosen or typed (a found device's line means its URL)."""
        box = self.cards[kind].address
        if kind == CUSTOMER:
            return str(box.currentData())
        text = box.currentText().strip()
        index = box.findText(text)
        if index >= 0 and box.itemData(index) is not None:
            return str(box.itemData(index))
        return text

    def refresh(self) -> None:
        """Every card's state from what its device last said."""
        devices = self.win.devices
        for kind, card in self.cards.items():
            if kind == CUSTOMER:
                on = self.win.customer_display is not None
                self._state(
                    card, "ready" if on else "none", self.tr("On") if on else self.tr("Off")
                )
                self._detail(card, "")
                continue
            if devices is None:
                self._state(card, "none", self.tr("Not set up"))
                continue
            health = devices.health(Kind(kind))
            words = {
                State.NONE: self.tr("Not set up"),
                State.OPENING: self.tr("Connecting…"),
                State.READY: self.tr("Ready"),
                State.UNKNOWN: self.tr("Connected; it does not report its state"),
                State.PROBLEM: self.tr("Not available"),
            }[health.state]
            if kind == Kind.PRINTER and health.state not in (State.NONE, State.OPENING):
                status = devices.printer_status
                if devices.error is None and status is not None:
                    words = {
                        PrinterStatus.OK: self.tr("Ready"),
                        PrinterStatus.NEAR_END: self.tr("Ready; paper nearly out"),
                        PrinterStatus.PAPER_OUT: self.tr("Out of paper"),
                        PrinterStatus.COVER_OPEN: self.tr("Cover open"),
                        PrinterStatus.OFFLINE: self.tr("Offline"),
                        PrinterStatus.UNKNOWN: self.tr("Connected; it does not report its state"),
                    }[status]
            self._state(card, health.state.value, words)
            # the printer's words are its state already; only a failure to open says more
            detail = (devices.error or "") if kind == Kind.PRINTER else health.detail
            if kind == Kind.SCANNER and (devices.last_code or health.state is State.READY):
                code = devices.last_code
                line = (
                    self.tr("Last code read: %1").replace("%1", code)
                    if code
                    else self.tr("Scan a code: it shows here.")
                )
                detail = f"{line}   {detail}" if detail else line
            self._detail(card, detail, problem=health.state is State.PROBLEM)

    def _state(self, card: _Card, state: str, text: str) -> None:
        card.state.setText("●  " + text)
        if card.state.property("state") != state:
            card.state.setProperty("state", state)
            card.state.style().unpolish(card.state)
            card.state.style().polish(card.state)

    def _detail(self, card: _Card, detail: str, problem: bool = False) -> None:
        if detail and detail in card.note:
            detail = ""  # the test's answer said it already
        text = "\n".join(t for t in (card.note, detail) if t)
        card.detail.setText(text)
        card.detail.setVisible(bool(text))
        error = card.note_kind == "error" if card.note else problem
        name = "errorText" if error else "hint"
        if card.detail.objectName() != name:
            card.detail.setObjectName(name)
            card.detail.style().unpolish(card.detail)
            card.detail.style().polish(card.detail)

    def _note(self, kind: str, text: str, note_kind: str = "hint") -> None:
        card = self.cards[kind]
        card.note, card.note_kind = text, note_kind
        self.refresh()

    # Saving -----------------------------------------------------------------------------

    def problem(self, kind: str, url: str) -> str | None:
        """Why `url` cannot be `kind`'s address, or None (checked before anything is written)."""
        if kind == Kind.PRINTER and url:
            try:
                parse_url(url)
            except ValueError as exc:
                return self.tr("Not a printer address: %1").replace("%1", str(exc))
        return None

    def save(self, kind: str) -> None:
        url = self.address(kind)
        setting = "customer_display" if kind == CUSTOMER else URL_SETTING[Kind(kind)]
        problem = self.problem(kind, url)
        if problem is not None:
            self._refuse(kind, problem)
            return
        path = self.win.config_path
        if path is None:
            self._refuse(kind, self.tr("This till has no config file to save to."))
            return
        self.cards[kind].save.setEnabled(False)
        CoreOp(self, lambda: config.save(path, {setting: url})).success(
            lambda _s: self._saved(kind, setting, url)
        ).failure(lambda exc: self._save_failed(kind, exc)).run()

    def _refuse(self, kind: str, message: str) -> None:
        self._note(kind, message, "error")
        self.win.show_error(message)

    def _save_failed(self, kind: str, exc: BaseException) -> None:
        self.cards[kind].save.setEnabled(True)
        if isinstance(exc, ConfigError):
            self._refuse(kind, exc.message)
        else:
            report_error(self, exc)

    def _saved(self, kind: str, setting: str, url: str) -> None:
        self.cards[kind].save.setEnabled(True)
        shop = self.shop
        changes: dict[str, Any] = {setting: url}
        shop.settings = replace(shop.settings, **changes)
        if kind == CUSTOMER:
            self.win.set_customer_display(url)
        elif self.win.devices is not None:
            self.win.devices.apply(shop.settings)
        self.cards[kind].address.setProperty("edited", False)
        note = self.tr("Saved; in use now.")
        env = config.ENV_PREFIX + setting.upper()
        if env in os.environ:
            note += " " + self.tr(
                "%1 is set and overrides this when storebox starts again."
            ).replace("%1", env)
        self._note(kind, note)
        self.win.show_info(self.tr("%1: saved").replace("%1", self.cards[kind].name.text()))
        self.win.refresh_status()

    # Testing ----------------------------------------------------------------------------

    def test(self, kind: str) -> None:
        devices = self.win.devices
        if kind == CUSTOMER:
            self._test_customer_display()
            return
        if devices is not None and self.address(kind) != devices.urls[Kind(kind)]:
            self._note(kind, self.tr("Save the new address first, then test it."), "error")
            return
        if devices is None or not devices.urls[Kind(kind)]:
            self._note(kind, self.tr("Not set up: choose an address and save it first."), "error")
            return
        self._note(kind, self.tr("Testing…"))
        self.cards[kind].test.setEnabled(False)
        fn: Any = {
            Kind.PRINTER: devices.test_printer,
            Kind.TERMINAL: devices.test_terminal,
            Kind.SCANNER: devices.test_scanner,
            Kind.POLE: devices.test_pole,
        }[Kind(kind)]
        devices.call(Kind(kind), fn, lambda f: self._tested(kind, f), parent=self)

    def _tested(self, kind: str, future: Future[Any]) -> None:
        self.cards[kind].test.setEnabled(True)
        exc = future.exception()
        if exc is not None:
            reason = str(exc) or type(exc).__name__
            self._note(kind, self.tr("Test failed: %1").replace("%1", reason), "error")
            return
        result = future.result()
        if kind == Kind.PRINTER:
            assert isinstance(result, PrinterStatus)
            self._note(
                kind,
                self.tr("Test page sent. The printer says: %1").replace(
                    "%1", printer_words(result)
                ),
            )
        elif kind == Kind.TERMINAL:
            assert isinstance(result, TerminalHealth)
            if result.ready:
                text = self.tr("The terminal answered: registered, status enquiry answered.")
                if result.terminal_id:
                    text += " " + self.tr("Terminal ID %1").replace("%1", result.terminal_id)
                self._note(kind, text)
            else:
                self._note(kind, self.tr("Test failed: %1").replace("%1", result.message), "error")
        elif kind == Kind.SCANNER:
            self._note(kind, self.tr("The scanner's port was opened again; scan a code now."))
        elif result:
            self._note(kind, self.tr("Test failed: %1").replace("%1", str(result)), "error")
        else:
            self._note(kind, self.tr("A test line is on the pole display."))

    def _test_customer_display(self) -> None:
        display = self.win.customer_display
        if display is None:
            self._note(
                CUSTOMER,
                self.tr("The customer's screen is off: turn it on and save first."),
                "error",
            )
            return
        display.show_cart([CustomerLine(self.tr("Test line"), 1, 100)], 100)
        QTimer.singleShot(TEST_LINE_MS, display.idle)
        self._note(CUSTOMER, self.tr("A test line is on the customer's screen for 5 seconds."))

    # Scans ------------------------------------------------------------------------------

    def on_scan(self, code: str) -> bool:
        """A scan while this screen is shown is a scanner test: it stays here."""
        self._note(Kind.SCANNER, self.tr("Scanned here: %1").replace("%1", code))
        return True

    # Texts ------------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.heading.setText(self.tr("Devices"))
        self.rescan_button.setText(self.tr("Look for devices again"))
        path = self.win.config_path
        self.where.setText(
            self.tr("Addresses are saved to %1 and used at once.").replace("%1", str(path))
            if path is not None
            else self.tr("This till has no config file to save to.")
        )
        names = {
            Kind.PRINTER: self.tr("Receipt printer"),
            Kind.TERMINAL: self.tr("Card terminal"),
            Kind.SCANNER: self.tr("Serial scanner"),
            Kind.POLE: self.tr("Pole display"),
            CUSTOMER: self.tr("Customer's screen"),
        }
        hints: dict[str, str] = {
            Kind.PRINTER: self.tr(
                "usb://VID:PID, tcp://HOST:9100, serial:///dev/ttyUSB0, file:///dev/usb/lp0, png:FOLDER"
            ),
            Kind.TERMINAL: self.tr("a serial port (/dev/ttyUSB0) or tcp://HOST:20007 (ZVT)"),
            Kind.SCANNER: self.tr("a serial port, e.g. /dev/ttyACM0"),
            Kind.POLE: self.tr("a serial port, e.g. /dev/ttyUSB1"),
        }
        for kind, card in self.cards.items():
            card.name.setText(names[kind])
            card.save.setText(self.tr("Save"))
            card.test.setText(self.tr("Test"))
            if kind in hints:
                line = card.address.lineEdit()
                if line is not None:
                    line.setPlaceholderText(
                        self.tr("None. Type an address: %1").replace("%1", hints[kind])
                    )
        if self.isVisible():
            self._fill_addresses()
            self.refresh()
