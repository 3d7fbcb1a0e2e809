"""The till's devices beyond the printer: a serial scanner over a real pty feeds the sell screen
as a wedge scanner does; the terminal simulator over a real pty shows as ready in the status bar;
a device that cannot be opened says so."""

from __future__ import annotations

import dataclasses
import os
import tty
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from drivers.terminal.simulator import ZvtSimulator, serve_pty
from storebox import demo, shifts
from storebox.shop import Shop
from tests.ui.conftest import owner_actor, settle, shown_window, sign_in
from tests.ui.test_sell import demo_product, names
from ui.cashier.sell_page import SellPage
from ui.cashier.window import CashierWindow
from ui.devices import Kind, State


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
