"""The till's devices beyond the printer: a serial scanner over a real pty feeds the sell screen
as a wedge scanner does; the terminal simulator over a real pty shows as ready in the status bar;
a device that cannot be opened says so."""

from __future__ import annotations

import dataclasses
import os
import threading
import tty
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from drivers.terminal.health import CheckedTerminal
from drivers.terminal.health import Health as TerminalHealth
from drivers.terminal.simulator import ZvtSimulator, serve_pty
from storebox import config, demo, shifts
from storebox.money import format_fen
from storebox.shop import Shop
from tests.ui.conftest import owner_actor, settle, shown_window, sign_in
from tests.ui.test_printing import pay_cash
from tests.ui.test_sell import demo_product, names
from ui.cashier.devices_page import CUSTOMER, DevicesPage
from ui.cashier.sell_page import SellPage
from ui.cashier.window import CashierWindow
from ui.devices import Kind, State

CUT = b"\x1d\x56"


class Pty:
    """A serial line: the test writes on the master, the till opens the slave by name."""

    def __init__(self) -> None:
        self.master, slave = os.openpty()
        tty.setraw(slave)
        self.path = os.ttyname(slave)
        os.close(slave)

    def write(self, data: bytes) -> None:
        os.write(self.master, data)

    def close(self) -> None:
        os.close(self.master)


@pytest.fixture
def pty() -> Iterator[Pty]:
    line = Pty()
    yield line
    line.close()


@pytest.fixture
def sim() -> Iterator[ZvtSimulator]:
    simulator, _path = serve_pty()
    yield simulator
    simulator.stop()


@pytest.fixture
def device_window(
    qtbot: QtBot, shop: Shop, people: demo.DemoPeople, pty: Pty, sim: ZvtSimulator
) -> Iterator[CashierWindow]:
    shop.settings = dataclasses.replace(
        shop.settings, scanner_url=pty.path, terminal_url=sim.path
    )
    with shown_window(qtbot, shop) as win:
        yield win
        win.close()
        devices = win.devices
        assert devices is not None and devices.scanner is None and devices.terminal is None
        alive = {t.name for t in threading.enumerate()}
        assert not any(n.startswith(("scanner ", "storebox-terminal")) for n in alive), alive


def test_a_serial_scan_lands_in_the_cart_like_a_wedge_scan(
    qtbot: QtBot, device_window: CashierWindow, shop: Shop, pty: Pty
) -> None:
    win = device_window
    devices = win.devices
    assert devices is not None
    qtbot.waitUntil(lambda: devices.health(Kind.SCANNER).state is State.READY, timeout=10_000)
    shifts.open_shift(shop, owner_actor(shop), 20_000)
    sign_in(qtbot, win, *demo.CASHIERS[0])
    sell = win.pages["sell"]
    assert isinstance(sell, SellPage) and win.current_page() is sell
    water = demo_product("农夫山泉饮用天然水550ml")
    cola = demo_product("可口可乐")

    pty.write(water.barcode.encode() + b"\r\n")
    qtbot.waitUntil(lambda: names(sell) == [water.name], timeout=10_000)
    # split across reads, ended by LF alone: one code, the second line
    pty.write(cola.barcode[:5].encode())
    pty.write(cola.barcode[5:].encode() + b"\n")
    qtbot.waitUntil(lambda: names(sell) == [water.name, cola.name], timeout=10_000)
    settle(qtbot)
    assert devices.last_code == cola.barcode
    assert sell.search.text() == ""  # nothing was typed into the search field


def test_a_serial_scan_while_locked_is_refused_plainly(
    qtbot: QtBot, device_window: CashierWindow, pty: Pty
) -> None:
    win = device_window
    devices = win.devices
    assert devices is not None
    qtbot.waitUntil(lambda: devices.health(Kind.SCANNER).state is State.READY, timeout=10_000)
    with qtbot.waitSignal(devices.scanned, timeout=10_000):
        pty.write(b"6901234567892\r")
    qtbot.waitUntil(win.message.isVisible)
    assert win.message.text() == "Sign in before scanning."


def test_the_status_bar_shows_the_terminal_and_the_scanner(
    qtbot: QtBot, device_window: CashierWindow, sim: ZvtSimulator
) -> None:
    win = device_window
    devices = win.devices
    assert devices is not None
    qtbot.waitUntil(lambda: "Card terminal: ready" in win.status_devices.text(), timeout=10_000)
    qtbot.waitUntil(lambda: "Scanner: ready" in win.status_devices.text(), timeout=10_000)
    assert "TID 52012345" not in devices.health(Kind.TERMINAL).detail  # no transaction yet
    assert [a.command for a in sim.received] == [(0x06, 0x00), (0x05, 0x01)]


def test_a_device_that_cannot_be_opened_says_so(
    qtbot: QtBot, shop: Shop, people: demo.DemoPeople
) -> None:
    shop.settings = dataclasses.replace(
        shop.settings,
        scanner_url="/dev/storebox-no-such-scanner",
        terminal_url="/dev/storebox-no-such-terminal",
    )
    with shown_window(qtbot, shop) as win:
        devices = win.devices
        assert devices is not None
        qtbot.waitUntil(
            lambda: "Card terminal: not available" in win.status_devices.text()
            and "Scanner: not available" in win.status_devices.text(),
            timeout=10_000,
        )
        assert "cannot open" in devices.health(Kind.SCANNER).detail
        assert devices.health(Kind.TERMINAL).state is State.PROBLEM
        win.close()


# --- the devices screen ----------------------------------------------------------------------


def open_devices(qtbot: QtBot, win: CashierWindow, tmp_path: Path) -> DevicesPage:
    win.config_path = tmp_path / "etc" / "config.toml"
    sign_in(qtbot, win, *demo.OWNER)
    win.show_page("devices")
    settle(qtbot)
    page = win.pages["devices"]
    assert isinstance(page, DevicesPage) and win.current_page() is page
    return page


def type_address(qtbot: QtBot, page: DevicesPage, kind: str, url: str) -> None:
    box = page.cards[kind].address
    edit = box.lineEdit()
    assert edit is not None
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    qtbot.keyClicks(edit, url)
    qtbot.waitUntil(lambda: page.address(kind) == url)


def note(page: DevicesPage, kind: str) -> str:
    return page.cards[kind].detail.text()


@pytest.fixture
def plain_window(qtbot: QtBot, shop: Shop, people: demo.DemoPeople) -> Iterator[CashierWindow]:
    with shown_window(qtbot, shop) as win:
        yield win
        win.close()


def test_saving_a_terminal_address_writes_the_config_and_opens_it_at_once(
    qtbot: QtBot, plain_window: CashierWindow, shop: Shop, sim: ZvtSimulator, tmp_path: Path
) -> None:
    win = plain_window
    page = open_devices(qtbot, win, tmp_path)
    devices = win.devices
    assert devices is not None
    assert "Not set up" in page.cards[Kind.TERMINAL].state.text()

    type_address(qtbot, page, Kind.TERMINAL, sim.path)
    page.cards[Kind.TERMINAL].save.click()
    qtbot.waitUntil(lambda: "Saved; in use now." in note(page, Kind.TERMINAL), timeout=10_000)
    assert config.load(config_path=win.config_path, environ={}).terminal_url == sim.path
    assert shop.settings.terminal_url == sim.path
    qtbot.waitUntil(lambda: "Ready" in page.cards[Kind.TERMINAL].state.text(), timeout=10_000)
    qtbot.waitUntil(lambda: "Card terminal: ready" in win.status_devices.text(), timeout=10_000)

    page.cards[Kind.TERMINAL].test.click()
    qtbot.waitUntil(lambda: "The terminal answered" in note(page, Kind.TERMINAL), timeout=10_000)
    assert [a.command for a in sim.received] == [(0x06, 0x00), (0x05, 0x01), (0x05, 0x01)]
    assert sim.transactions == []  # a test charges nobody


def test_a_bad_address_is_refused_with_the_reason_and_changes_nothing(
    qtbot: QtBot, plain_window: CashierWindow, shop: Shop, tmp_path: Path
) -> None:
    win = plain_window
    page = open_devices(qtbot, win, tmp_path)
    devices = win.devices
    assert devices is not None and win.config_path is not None

    type_address(qtbot, page, Kind.TERMINAL, "ttyUSB0")
    page.cards[Kind.TERMINAL].save.click()
    qtbot.waitUntil(lambda: "must be a serial port" in note(page, Kind.TERMINAL), timeout=10_000)
    assert page.cards[Kind.TERMINAL].detail.objectName() == "errorText"
    assert "terminal_url must be a serial port" in win.message.text()

    type_address(qtbot, page, Kind.PRINTER, "usb://xp58")
    page.cards[Kind.PRINTER].save.click()
    assert "Not a printer address" in note(page, Kind.PRINTER)
    assert "usb://VID:PID in hex" in note(page, Kind.PRINTER)
    settle(qtbot)

    assert not win.config_path.exists()
    assert devices.urls[Kind.TERMINAL] == "" and devices.urls[Kind.PRINTER] == ""
    assert shop.settings.terminal_url == "" and shop.settings.printer_url == ""


def test_the_printer_test_prints_the_test_page(
    qtbot: QtBot, plain_window: CashierWindow, tmp_path: Path
) -> None:
    win = plain_window
    page = open_devices(qtbot, win, tmp_path)
    out = tmp_path / "printer.bin"
    url = f"file://{out}"
    type_address(qtbot, page, Kind.PRINTER, url)
    page.cards[Kind.PRINTER].test.click()  # not saved yet: it says so
    assert "Save the new address first" in note(page, Kind.PRINTER)
    page.cards[Kind.PRINTER].save.click()
    devices = win.devices
    assert devices is not None
    qtbot.waitUntil(lambda: devices.driver is not None, timeout=10_000)
    page.cards[Kind.PRINTER].test.click()
    qtbot.waitUntil(lambda: "Test page sent" in note(page, Kind.PRINTER), timeout=10_000)
    data = out.read_bytes()
    assert CUT in data and "测试".encode("gb18030") in data
    # a file printer cannot say how it is: never shown as ready
    assert "does not report" in page.cards[Kind.PRINTER].state.text()


def test_the_scanner_card_shows_the_last_code_and_keeps_the_scan(
    qtbot: QtBot, plain_window: CashierWindow, pty: Pty, tmp_path: Path
) -> None:
    win = plain_window
    page = open_devices(qtbot, win, tmp_path)
    type_address(qtbot, page, Kind.SCANNER, pty.path)
    page.cards[Kind.SCANNER].save.click()
    qtbot.waitUntil(lambda: "Ready" in page.cards[Kind.SCANNER].state.text(), timeout=10_000)
    page.cards[Kind.SCANNER].test.click()
    qtbot.waitUntil(lambda: "opened again" in note(page, Kind.SCANNER), timeout=10_000)
    qtbot.waitUntil(lambda: "Ready" in page.cards[Kind.SCANNER].state.text(), timeout=10_000)
    pty.write(b"6901234567892\r\n")
    qtbot.waitUntil(lambda: "Last code read: 6901234567892" in note(page, Kind.SCANNER))
    assert "Scanned here: 6901234567892" in note(page, Kind.SCANNER)
    assert win.current_page() is page  # a scan on this screen is a test, not a sale


def test_the_pole_display_test_writes_a_test_line(
    qtbot: QtBot, plain_window: CashierWindow, pty: Pty, tmp_path: Path
) -> None:
    win = plain_window
    page = open_devices(qtbot, win, tmp_path)
    type_address(qtbot, page, Kind.POLE, pty.path)
    page.cards[Kind.POLE].save.click()
    qtbot.waitUntil(lambda: "Ready" in page.cards[Kind.POLE].state.text(), timeout=10_000)
    page.cards[Kind.POLE].test.click()
    qtbot.waitUntil(lambda: "test line is on the pole" in note(page, Kind.POLE), timeout=10_000)
    seen = b""
    while b"STOREBOX TEST" not in seen:
        seen += os.read(pty.master, 4096)  # the frame is there: the display said it wrote it
    assert b"\x1b@" in seen  # initialised once opened


def test_the_customer_screen_turns_on_and_shows_a_test_line(
    qtbot: QtBot, plain_window: CashierWindow, tmp_path: Path
) -> None:
    win = plain_window
    page = open_devices(qtbot, win, tmp_path)
    assert win.customer_display is None
    box = page.cards[CUSTOMER].address
    box.setCurrentIndex(box.findData("window"))
    page.cards[CUSTOMER].save.click()
    qtbot.waitUntil(lambda: win.customer_display is not None, timeout=10_000)
    assert config.load(config_path=win.config_path, environ={}).customer_display == "window"
    page.cards[CUSTOMER].test.click()
    display = win.customer_display
    assert display is not None and display.state == "cart"
    box.setCurrentIndex(box.findData("off"))
    page.cards[CUSTOMER].save.click()
    qtbot.waitUntil(lambda: win.customer_display is None, timeout=10_000)


def read_until(fd: int, wanted: bytes, seen: bytes = b"") -> bytes:
    """Read the pty's master until `wanted` arrived (the test's timeout bounds it)."""
    while wanted not in seen:
        seen += os.read(fd, 4096)
    return seen


def test_the_pole_display_follows_the_sale(
    qtbot: QtBot, shop: Shop, people: demo.DemoPeople, pty: Pty
) -> None:
    shop.settings = dataclasses.replace(shop.settings, pole_display_url=pty.path)
    with shown_window(qtbot, shop) as win:
        devices = win.devices
        assert devices is not None
        qtbot.waitUntil(lambda: devices.health(Kind.POLE).state is State.READY, timeout=10_000)
        shifts.open_shift(shop, owner_actor(shop), 20_000)
        sign_in(qtbot, win, *demo.CASHIERS[0])
        sell = win.pages["sell"]
        assert isinstance(sell, SellPage)
        water = demo_product("农夫山泉饮用天然水550ml")
        sell.on_scan(water.barcode)
        settle(qtbot)
        total = format_fen(water.price_fen, symbol="").encode()
        seen = read_until(pty.master, b"TOTAL")
        seen = read_until(pty.master, total, seen)
        pay_cash(qtbot, win, sell, demo_product("可口可乐").barcode)
        read_until(pty.master, b"CHANGE")
        win.close()


def test_device_calls_run_on_the_devices_own_threads(
    qtbot: QtBot,
    plain_window: CashierWindow,
    sim: ZvtSimulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    win = plain_window
    page = open_devices(qtbot, win, tmp_path)
    devices = win.devices
    assert devices is not None
    seen: list[str] = []
    original = CheckedTerminal.check

    def check(terminal: CheckedTerminal) -> TerminalHealth:
        seen.append(threading.current_thread().name)
        return original(terminal)

    monkeypatch.setattr(CheckedTerminal, "check", check)
    type_address(qtbot, page, Kind.TERMINAL, sim.path)
    page.cards[Kind.TERMINAL].save.click()
    qtbot.waitUntil(lambda: len(seen) == 1, timeout=10_000)
    page.cards[Kind.TERMINAL].test.click()
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=10_000)
    devices.check_terminal()  # the status bar's periodic check
    qtbot.waitUntil(lambda: len(seen) == 3, timeout=10_000)
    settle(qtbot)
    assert all(name.startswith("storebox-terminal") for name in seen), seen


def test_a_terminal_that_failed_its_check_is_asked_again_soon(
    qtbot: QtBot, shop: Shop, people: demo.DemoPeople, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A terminal switched on after the till shows as ready within seconds, not after the
    ready terminal's half-minute interval; a ready one is not asked more often than that."""
    from ui import devices as till_devices

    monkeypatch.setattr(till_devices, "TERMINAL_RETRY_S", 0.2)
    answers = [TerminalHealth(False, "no answer"), TerminalHealth(True, "ok", "52012345")]
    asked: list[float] = []

    def check(terminal: CheckedTerminal) -> TerminalHealth:
        asked.append(1)
        return answers[min(len(asked), len(answers)) - 1]

    monkeypatch.setattr(CheckedTerminal, "check", check)
    devices = till_devices.Devices(
        shop,
        dataclasses.replace(shop.settings, terminal_url="/dev/null-terminal"),
        terminal_check_s=30.0,
    )
    try:
        devices.apply(dataclasses.replace(shop.settings, terminal_url="/dev/null-terminal"))
        qtbot.waitUntil(lambda: devices.health(Kind.TERMINAL).state is State.READY, timeout=5_000)
        after_ready = len(asked)
        qtbot.wait(800)  # four retry ticks: a ready terminal is left alone until 30 s have passed
        assert len(asked) == after_ready
    finally:
        devices.close()
