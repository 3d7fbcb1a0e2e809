"""Receipts print: a cash sale on the sell screen queues its receipt, the till's print worker
(on its own thread) prints it to a file printer; without a printer nothing is queued."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from storebox import config, demo, printing, shifts
from storebox.errors import ConfigError
from storebox.shop import Shop
from tests.ui.conftest import owner_actor, settle, shown_window, sign_in
from tests.ui.test_sell import demo_product, press, scan
from ui.cashier.reports_page import ReportsPage
from ui.cashier.sell_page import SellPage
from ui.cashier.window import CashierWindow

CUT = b"\x1d\x56"


@pytest.fixture
def out(tmp_path: Path) -> Path:
    return tmp_path / "printer" / "out.bin"


@pytest.fixture
def printing_window(
    qtbot: QtBot, shop: Shop, people: demo.DemoPeople, out: Path
) -> Iterator[CashierWindow]:
    out.parent.mkdir()
    shop.settings = dataclasses.replace(shop.settings, printer_url=f"file://{out}")
    with shown_window(qtbot, shop) as win:
        yield win
        settle(qtbot)
        win.close()
        assert win.devices is not None and not win.devices._threads  # the thread was stopped


def open_sell(qtbot: QtBot, win: CashierWindow, shop: Shop) -> SellPage:
    shifts.open_shift(shop, owner_actor(shop), 20_000)
    sign_in(qtbot, win, *demo.CASHIERS[0])
    page = win.pages["sell"]
    assert isinstance(page, SellPage) and win.current_page() is page
    settle(qtbot)
    return page


def pay_cash(qtbot: QtBot, win: CashierWindow, sell: SellPage, barcode: str) -> None:
    scan(qtbot, win, barcode)
    press(qtbot, win, Qt.Key.Key_F9)
    dialog = sell.pay_dialog
    assert dialog is not None
    dialog.quick_buttons[5_000].click()
    qtbot.keyClick(dialog.field, Qt.Key.Key_Return)
    settle(qtbot)
    assert sell.receipt is not None


def test_a_cash_sale_prints_its_receipt_and_reprint_is_marked(
    qtbot: QtBot, printing_window: CashierWindow, shop: Shop, out: Path
) -> None:
    win = printing_window
    assert win.devices is not None and win.devices.printer is not None
    sell = open_sell(qtbot, win, shop)
    item = demo_product("农夫山泉饮用天然水550ml")
    pay_cash(qtbot, win, sell, item.barcode)

    jobs = printing.jobs(shop)
    assert [j.kind for j in jobs] == ["sale"] and not jobs[0].reprint
    assert jobs[0].payload["number"] == sell.receipt.number  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: out.exists() and CUT in out.read_bytes(), timeout=10_000)
    data = out.read_bytes()
    assert item.name.encode("gb18030") in data
    assert b"\x1b\x70" in data  # a fresh cash sale kicks the drawer
    qtbot.waitUntil(lambda: printing.jobs(shop)[0].status == printing.DONE, timeout=10_000)

    size = len(data)
    press(qtbot, win, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    reprints = [j for j in printing.jobs(shop) if j.reprint]
    assert len(reprints) == 1 and reprints[0].kind == "sale"
    qtbot.waitUntil(lambda: out.read_bytes().count(CUT) >= 2, timeout=10_000)
    assert "REPRINT".encode("gb18030") in out.read_bytes()[size:]


def test_status_bar_shows_the_printer_and_its_queue(
    qtbot: QtBot, printing_window: CashierWindow
) -> None:
    win = printing_window
    devices = win.devices
    assert devices is not None
    win.refresh_status()
    settle(qtbot)
    text = win.status_devices.text()
    assert text.startswith("Printer: ") and "none configured" not in text
    # a file cannot answer a status query: unknown, and never shown as ready
    qtbot.waitUntil(lambda: devices.printer_status is not None)
    assert "ready" not in devices.status_text()


def test_the_reports_screen_prints_the_x_report(
    qtbot: QtBot, printing_window: CashierWindow, shop: Shop, out: Path
) -> None:
    win = printing_window
    shifts.open_shift(shop, owner_actor(shop), 20_000)
    sign_in(qtbot, win, *demo.OWNER)
    win.show_page("reports")
    settle(qtbot)
    page = win.pages["reports"]
    assert isinstance(page, ReportsPage) and page.report is not None
    assert page.print_button.isEnabled()
    page.print_button.click()
    settle(qtbot)
    assert [j.kind for j in printing.jobs(shop)] == ["x_report"]
    qtbot.waitUntil(lambda: out.exists() and CUT in out.read_bytes(), timeout=10_000)


def test_without_a_printer_nothing_is_queued(
    qtbot: QtBot, window: CashierWindow, shop: Shop
) -> None:
    assert window.devices is not None and window.devices.printer is None
    assert window.status_devices.text() == "Devices: none configured"
    sell = open_sell(qtbot, window, shop)
    assert sell.reprint_button.isHidden()
    pay_cash(qtbot, window, sell, demo_product("农夫山泉饮用天然水550ml").barcode)
    assert printing.jobs(shop) == []
    reports = window.pages["reports"]
    assert isinstance(reports, ReportsPage) and not reports.print_button.isEnabled()


def test_printer_settings_are_checked() -> None:
    settings = config.load(
        environ={}, overrides={"printer_url": "png:/tmp/r", "printer_width": "80"}
    )
    assert settings.printer_url == "png:/tmp/r" and settings.printer_width == 80
    assert config.load(environ={}).printer_url == ""
    with pytest.raises(ConfigError, match="printer_url"):
        config.load(environ={}, overrides={"printer_url": "http://printer"})
    with pytest.raises(ConfigError, match="printer_width"):
        config.load(environ={}, overrides={"printer_width": "76"})
