"""`storebox screenshot --out DIR`: every screen, rendered offscreen with demo data, as PNG.

Used to look at each screen before calling it done, and by the tests (every screen renders
without a Qt warning)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QApplication

from storebox import demo, demo_catalog, users
from storebox.shop import Shop
from ui.cashier.run import build
from ui.cashier.window import CashierWindow
from ui.devices import Devices, Kind, State
from ui.ops import reset_tasks, tasks

SIZE = (1366, 768)


def settle(app: QApplication, timeout_s: float = 10.0) -> None:
    """Run the event loop until every background operation has come back."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        app.processEvents()
        if tasks().pending == 0:
            app.processEvents()
            return
        time.sleep(0.005)
    raise TimeoutError("background operations did not finish")


def render_all(shop: Shop, out: Path, language: str) -> list[Path]:
    """Every screen as the demo shows it: receipts as images, the terminal simulator live."""
    from drivers.terminal.simulator import serve_pty

    out.mkdir(parents=True, exist_ok=True)
    sim, terminal = serve_pty()
    printer = f"png:{shop.settings.data_dir / 'receipts'}"
    try:
        return _render(shop, out, language, printer, terminal)
    finally:
        sim.stop()


def _render(shop: Shop, out: Path, language: str, printer: str, terminal: str) -> list[Path]:
    window, _language, _scanner = build(shop, language, printer, terminal, config_path=None)
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    window.resize(*SIZE)
    window.show()
    written: list[Path] = []
    try:
        settle(app)
        written.append(_grab(window, out / "00-signin.png", app))
        owner = users.authenticate(shop, *demo.OWNER)
        window.sign_in(owner)
        settle(app)
        for n, key in enumerate(window.pages, start=1):
            window.show_page(key)
            settle(app)
            devices = window.devices
            if key == "devices" and devices is not None:  # the terminal's first answer
                _wait(app, _terminal_ready(devices))
            written.append(_grab(window, out / f"{n:02d}-{key}.png", app))
            if key == "sell":  # the busiest moment too: a customer's goods scanned in
                for product in demo_catalog.read_demo_products()[:4]:
                    window.pages[key].on_scan(product.barcode)
                    settle(app)
                written.append(_grab(window, out / f"{n:02d}-{key}-cart.png", app))
    finally:
        window.close()
        reset_tasks()
    return written


def _terminal_ready(devices: Devices) -> Callable[[], bool]:
    return lambda: devices.health(Kind.TERMINAL).state is State.READY


def _wait(app: QApplication, done: Callable[[], bool], timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not done() and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)
    app.processEvents()


def _grab(window: CashierWindow, path: Path, app: QApplication) -> Path:
    app.processEvents()
    window.grab().save(str(path))
    return path
