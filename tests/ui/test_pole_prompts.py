"""The pole display (ASCII, 2 × 20) during a card payment: the real window, the terminal
simulator over a pty through the real ZVT driver, and the pole display's bytes read from
another pty. It shows the amount and a short cue from the terminal's prompt while the card is
in the air, the total and change after an approval, the total again after a decline."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from drivers.terminal.simulator import ZvtSimulator, serve_pty
from storebox import demo, shifts
from storebox.money import format_fen
from storebox.shop import Shop
from tests.ui.conftest import owner_actor, settle, shown_window, sign_in
from tests.ui.test_card_payment import open_payment, sell_page
from tests.ui.test_devices import Pty, pty  # noqa: F401 - the fixture
from tests.ui.test_sell import demo_product, scan
from ui import devices as till_devices
from ui.cashier.sell_dialogs import TENDER
from ui.cashier.window import CashierWindow
from ui.devices import Kind, State, pole_cue

WATER = "农夫山泉饮用天然水550ml"


def read_until(fd: int, wanted: bytes, seen: bytes = b"") -> bytes:
    """Read the pty's master until `wanted` arrived after what was `seen` (the test's timeout
    bounds it); returns everything read."""
    start = len(seen)
    while wanted not in seen[start:]:
        seen += os.read(fd, 4096)
    return seen


@pytest.fixture
def sim() -> Iterator[ZvtSimulator]:
    simulator, _path = serve_pty(status_delay=0.3)
    yield simulator
    simulator.stop()


@pytest.fixture
def till(
    qtbot: QtBot,
    shop: Shop,
    people: demo.DemoPeople,
    sim: ZvtSimulator,
    pty: Pty,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[CashierWindow]:
    monkeypatch.setattr(
        till_devices,
        "TERMINAL_TIMEOUTS",
        {"ack_timeout": 0.5, "answer_timeout": 1.0, "completion_timeout": 3.0},
    )
    shop.settings = dataclasses.replace(
        shop.settings, terminal_url=sim.path, pole_display_url=pty.path, language="en"
    )
    with shown_window(qtbot, shop) as win:
        devices = win.devices
        assert devices is not None
        for kind in (Kind.TERMINAL, Kind.POLE):
            qtbot.waitUntil(lambda k=kind: devices.health(k).state is State.READY, timeout=10_000)
        shifts.open_shift(shop, owner_actor(shop), 20_000)
        sign_in(qtbot, win, *demo.CASHIERS[0])
        yield win
        win.close()


def test_the_pole_display_cues_the_card_and_returns_to_the_total(
    qtbot: QtBot,
    till: CashierWindow,
    sim: ZvtSimulator,
    pty: Pty,  # noqa: F811
) -> None:
    sell = sell_page(till)
    item = demo_product(WATER)
    amount = format_fen(item.price_fen, symbol="").encode()
    scan(qtbot, till, item.barcode)
    seen = read_until(pty.master, b"TOTAL")

    # declined: the amount and the terminal's cue while paying, then the total is due again
    dialog = open_payment(qtbot, till)
    sim.push("decline")
    dialog.card_button.click()
    seen = read_until(pty.master, b"CARD", seen)
    seen = read_until(pty.master, amount, seen)
    qtbot.waitUntil(lambda: dialog.state == TENDER and bool(dialog.message.text()), timeout=15_000)
    settle(qtbot)
    seen = read_until(pty.master, b"TOTAL", seen)

    # approved, the terminal asking for the PIN and the host on the way: its prompts as cues,
    # then the total and the change
    sim.push("slow")
    dialog.card_button.click()
    seen = read_until(pty.master, b"PIN ...", seen)
    seen = read_until(pty.master, b"PLEASE WAIT ...", seen)
    qtbot.waitUntil(lambda: sell.receipt is not None, timeout=15_000)
    settle(qtbot)
    read_until(pty.master, b"CHANGE", seen)


def test_terminal_prompts_become_short_ascii_cues() -> None:
    assert pole_cue("请插卡") == pole_cue("Insert card") == "CARD: INSERT/TAP"
    assert pole_cue("请输入密码") == pole_cue("Enter PIN") == "PIN ..."
    assert pole_cue("密码错误") == "WRONG PIN, TRY AGAIN"
    assert pole_cue("请稍候") == "PLEASE WAIT ..."
    assert pole_cue("Card expired") == "CARD EXPIRED"  # plain ASCII: as it is, upper case
    assert pole_cue("处理错误") == "FOLLOW THE TERMINAL"  # nothing a pole display can show
    assert all(len(pole_cue(p)) <= 20 for p in ("Sending auto-reversal to the host now",))
