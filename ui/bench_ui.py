"""The cashier window's speed figures for `storebox bench` (issue #3).

Given the data folder of a shop the benchmark built (100,000 products), this measures:

* **window start** — a fresh process runs the real `storebox cashier` entry point and stops at
  the moment the window is ready: shown, drawn once, and every start-up read (people, status)
  back on the UI thread. Elapsed time counts from just before the parent spawned the process
  (`time.time()` passed in argv), so interpreter start, imports, opening the store, building
  every screen and the translation are all in. Bare baseline: a process that only imports
  PySide6.QtWidgets and makes a QApplication, timed the same way.
* **scan to line visible** — wedge keystrokes (digits and Enter, as fast as a scanner types)
  into the real window on the sell screen, until the cart's viewport has painted the new
  line. Baseline: the core's `sales.add_barcode` for the same codes, in the same process.
* **search after a keystroke** — a person typing (one key at a time, pausing like a person)
  into the sell screen's search field, and into the products screen's, until the results
  for what the field now holds are painted. Latin keys go through the application's wedge
  filter as real key events; Chinese arrives as an input-method commit. Baseline: the core's
  `catalog.search` for the same texts, in the same process.

The in-window figures run in a child process too (`python -m ui.bench_ui window ...`), so
the benchmark process never starts Qt and its JSON output stays one document. This module
imports only the standard library at the top; Qt is imported inside the child functions.
Figures are returned as plain dicts in the shape of `cli.bench.Figure`.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication, QLineEdit, QWidget

#: The bench shop's owner (cli.bench.run creates it).
OWNER = ("店主", "8888")
#: Start-ups measured (and bare baselines), taking turns.
START_RUNS = 5
#: A person types a key about this often; the next key waits for at least this long.
TYPING_GAP_S = 0.18
#: Longest wait for a result to show before the sample counts as a miss.
WAIT_S = 3.0
MARK = "BENCH "


def _child_env() -> dict[str, str]:
    return {**os.environ, "QT_QPA_PLATFORM": "offscreen", "STOREBOX_CONFIG": ""}


def _run_child(args: Sequence[str], timeout: float = 600) -> Any:
    """Run a child process; return the JSON it printed after MARK."""
    out = subprocess.run(
        [sys.executable, *args],
        check=True,
        capture_output=True,
        text=True,
        env=_child_env(),
        timeout=timeout,
    )
    for line in reversed(out.stdout.splitlines()):
        if line.startswith(MARK):
            return json.loads(line[len(MARK) :])
    raise RuntimeError(f"no result from {args[:2]}: {out.stdout[-500:]} {out.stderr[-2000:]}")


def _pct(samples: Sequence[float], p: float) -> float:
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def _figure(
    name: str,
    value: float,
    unit: str,
    goal: str,
    baseline: float | None = None,
    note: str = "",
) -> dict[str, Any]:
    ratio = value / baseline if baseline else None
    return {
        "name": name,
        "value": value,
        "unit": unit,
        "goal": goal,
        "baseline": baseline,
        "ratio": ratio,
        "note": note,
    }


# --- window start ---------------------------------------------------------------------------

_BARE_START = (
    "import sys, time\n"
    "import PySide6.QtWidgets\n"
    "app = PySide6.QtWidgets.QApplication(sys.argv[:1])\n"
    f"print({MARK!r} + str((time.time() - float(sys.argv[1])) * 1000))\n"
)

_WINDOW_START = (
    "import sys\n"
    "from ui.bench_ui import stop_at_ready\n"
    "stop_at_ready(float(sys.argv[1]))\n"
    "from cli.main import main\n"
    "sys.exit(main(['cashier', '--data-dir', sys.argv[2], '--set', 'pin_scrypt_n=16']))\n"
)


def stop_at_ready(spawned_at: float) -> None:
    """(In the child) replace QApplication.exec with: wait until the window is ready, print the
    time since `spawned_at` and return, so the real entry point runs up to its event loop."""
    from PySide6.QtCore import QEvent, QEventLoop, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    from ui.ops import tasks

    def ready_then_return(app: QApplication) -> int:
        painted: list[bool] = []

        class Painted(QObject):
            def eventFilter(self, watched: QObject, event: QEvent) -> bool:
                if event.type() == QEvent.Type.Paint:
                    painted.append(True)
                return False

        probe = Painted()
        for widget in app.topLevelWidgets():
            if widget.isVisible():
                widget.installEventFilter(probe)
        loop = QEventLoop()
        poll = QTimer()
        poll.setInterval(1)
        poll.timeout.connect(lambda: loop.quit() if painted and tasks().pending == 0 else None)
        poll.start()
        QTimer.singleShot(30_000, loop.quit)
        loop.exec()
        app.processEvents()
        elapsed = (time.time() - spawned_at) * 1000
        print(MARK + json.dumps({"ms": elapsed, "ready": bool(painted)}), flush=True)
        return 0

    QApplication.exec = ready_then_return  # type: ignore[assignment,method-assign]


def window_start(data_dir: Path, runs: int = START_RUNS) -> dict[str, Any]:
    """Median milliseconds from spawn to a ready window, and to a bare QApplication."""
    window: list[float] = []
    bare: list[float] = []
    for _ in range(runs):
        got = _run_child(["-c", _WINDOW_START, repr(time.time()), str(data_dir)])
        if not got["ready"]:
            raise RuntimeError("the cashier window did not become ready in 30 s")
        window.append(float(got["ms"]))
        bare.append(float(_run_child(["-c", _BARE_START, repr(time.time())])))
    return {"window": window, "bare": bare}


# --- in the window --------------------------------------------------------------------------


def in_window(
    data_dir: Path, codes: Sequence[str], latin: Sequence[str], chinese: Sequence[str]
) -> dict[str, Any]:
    """Scan and search samples (ms) from the real window in a child process."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as spec:
        json.dump({"codes": list(codes), "latin": list(latin), "chinese": list(chinese)}, spec)
    try:
        result: dict[str, Any] = _run_child(
            ["-m", "ui.bench_ui", "window", str(data_dir), spec.name], timeout=1800
        )
        return result
    finally:
        os.unlink(spec.name)


class _Probe:
    """Waits until `ready()` holds at a paint of one of `widgets`; the moment the event loop
    returns after that paint (the frame is drawn and flushed) is the sample's end."""

    def __init__(self, widgets: Sequence[QWidget]) -> None:
        from PySide6.QtCore import QEvent, QEventLoop, QObject

        self.ready: Callable[[], bool] = lambda: False
        self.loop = QEventLoop()
        self.hit = False
        probe = self

        class Filter(QObject):
            def eventFilter(self, watched: QObject, event: QEvent) -> bool:
                if event.type() == QEvent.Type.Paint and not probe.hit and probe.ready():
                    probe.hit = True
                    probe.loop.quit()
                return False

        self.filter = Filter()
        for widget in widgets:
            widget.installEventFilter(self.filter)

    def wait(self, ready: Callable[[], bool], start: Callable[[], None]) -> float | None:
        """Run `start` and wait; milliseconds from `start` to the painted result, or None."""
        from PySide6.QtCore import QTimer

        self.ready, self.hit = ready, False
        timer = QTimer()
        timer.setSingleShot(True)
        timer.timeout.connect(self.loop.quit)
        t0 = time.perf_counter()
        start()
        if not self.hit:
            timer.start(int(WAIT_S * 1000))
            self.loop.exec()
            timer.stop()
        ms = (time.perf_counter() - t0) * 1000
        return ms if self.hit else None


def _idle(app: QApplication, seconds: float) -> None:
    """Let the event loop run (timers, the worker's answers) for `seconds`."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(max(0, int(seconds * 1000)), loop.quit)
    loop.exec()
    app.processEvents()


def _settle(app: QApplication) -> None:
    from ui.ops import tasks

    deadline = time.monotonic() + 10
    while tasks().pending and time.monotonic() < deadline:
        _idle(app, 0.005)


def _type_queries(
    app: QApplication,
    field: QLineEdit,
    probe: _Probe,
    shown: Callable[[], str | None],
    latin: Sequence[str],
    chinese: Sequence[str],
) -> dict[str, Any]:
    """Type each query into `field` a key at a time (Latin) or as input-method commits
    (Chinese); per keystroke, ms until the results for the field's text were painted, and
    ms until the key reached the field (the wedge filter's hold)."""
    from PySide6.QtGui import QInputMethodEvent
    from PySide6.QtTest import QTest

    out: dict[str, Any] = {"latin": [], "chinese": [], "hold": [], "missed": 0}
    arrived: list[float] = []
    field.textChanged.connect(lambda _t: arrived.append(time.perf_counter()))

    def clear() -> None:
        field.clear()
        _idle(app, TYPING_GAP_S)
        _settle(app)

    def wanted(text: str) -> Callable[[], bool]:
        return lambda: field.text() == text and shown() == text.strip()

    for query in latin:
        clear()
        field.setFocus()
        for n in range(1, len(query) + 1):
            text, key = query[:n], query[n - 1]
            arrived.clear()
            sent = time.perf_counter()
            ms = probe.wait(wanted(text), lambda key=key: QTest.keyClick(field, key))  # type: ignore[misc]
            if ms is None:
                out["missed"] += 1
            else:
                out["latin"].append(ms)
                if arrived:
                    out["hold"].append((arrived[0] - sent) * 1000)
            _idle(app, max(0.0, TYPING_GAP_S - (time.perf_counter() - sent)))
    for query in chinese:
        clear()
        field.setFocus()

        def commit(query: str = query) -> None:
            event = QInputMethodEvent("", [])
            event.setCommitString(query)
            app.sendEvent(field, event)

        ms = probe.wait(wanted(query), commit)
        if ms is None:
            out["missed"] += 1
        else:
            out["chinese"].append(ms)
    clear()
    return out


def _child_window(data_dir: str, spec_path: str) -> None:
    """(In the child) open the bench shop in the real window and take the samples."""
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from storebox import catalog, config, sales, users
    from storebox.shop import open_shop
    from ui.cashier import products_model
    from ui.cashier.products_page import ProductsPage
    from ui.cashier.run import build
    from ui.ops import reset_tasks

    spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    settings = config.load(environ={}, overrides={"data_dir": data_dir, "pin_scrypt_n": 16})
    result: dict[str, Any] = {}
    with open_shop(settings) as shop:
        window, _language, _scanner = build(shop, settings.language)
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        window.resize(1366, 768)
        window.show()
        window.activateWindow()
        _settle(app)
        window.sign_in(users.authenticate(shop, *OWNER))
        _settle(app)

        # The core alone doing the same work: the baselines (each screen asks for its own
        # number of hits).
        texts = [q[:n] for q in spec["latin"] for n in range(1, len(q) + 1)] + spec["chinese"]

        def core_search(limit: int) -> list[float]:
            samples = []
            for text in texts:
                t0 = time.perf_counter()
                catalog.search(shop, text, limit=limit)
                samples.append((time.perf_counter() - t0) * 1000)
            return samples

        result["core_scan"] = []
        for code in spec["codes"]:
            t0 = time.perf_counter()
            sales.add_barcode(shop, sales.Cart(), code)
            result["core_scan"].append((time.perf_counter() - t0) * 1000)
        result["core_search_products"] = core_search(products_model.SEARCH_LIMIT)

        sell = window.pages.get("sell")
        if sell is not None:
            sell_limit = getattr(sys.modules[type(sell).__module__], "SEARCH_LIMIT", 20)
            result["core_search_sell"] = core_search(sell_limit)
            window.show_page("sell")
            _settle(app)
            result["sell_scan"] = _scans(app, sell, spec["codes"])
            result["serial_scan"] = _serial_scans(app, window, sell, spec["codes"])
            field = sell.search  # type: ignore[attr-defined]
            probe = _Probe([sell.results.viewport(), sell.no_match])  # type: ignore[attr-defined]
            result["sell_search"] = _type_queries(
                app,
                field,
                probe,
                lambda: sell.shown_query,  # type: ignore[attr-defined]
                spec["latin"],
                spec["chinese"],
            )
        products = window.pages["products"]
        assert isinstance(products, ProductsPage)
        window.show_page("products")
        _settle(app)
        shown_products = products.model

        def products_shown() -> str | None:
            query = shown_products.shown
            return None if query is None or not query.text.strip() else query.text.strip()

        probe = _Probe([products.table.viewport(), products.summary])
        result["products_search"] = _type_queries(
            app, products.search, probe, products_shown, spec["latin"], spec["chinese"]
        )
        window.close()
        QTest.qWait(0)
        reset_tasks()
    print(MARK + json.dumps(result), flush=True)


def _scans(app: QApplication, sell: Any, codes: Sequence[str]) -> dict[str, Any]:
    """Each code as a wedge scan (digits then Enter, no pause) into the focused search field;
    ms from the Enter to the painted cart with one more line. A new cart every 5 lines."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    probe = _Probe([sell.table.viewport()])
    samples: list[float] = []
    missed = 0
    for n, code in enumerate(codes):
        if n % 5 == 0:
            sell._new_sale()  # a fresh cart, as after a sale (the sell screen's own step)
            _settle(app)
        before = sell.model.rowCount()
        target = app.focusWidget() or sell.search
        QTest.keyClicks(target, code)  # no delay: a scanner
        ms = probe.wait(
            lambda before=before: sell.model.rowCount() == before + 1,  # type: ignore[misc]
            lambda target=target: QTest.keyClick(target, Qt.Key.Key_Return),  # type: ignore[misc]
        )
        if ms is None:
            missed += 1
        else:
            samples.append(ms)
        _idle(app, 0.06)
    return {"samples": samples, "missed": missed}


def _serial_scans(
    app: QApplication, window: Any, sell: Any, codes: Sequence[str]
) -> dict[str, Any]:
    """Each code written to a pty, as a USB-CDC scanner sends it (code, CR), which the till's
    serial scanner reads through pyserial on its own thread; ms from the write to the painted
    cart with one more line. A new cart every 5 lines."""
    import dataclasses
    import tty

    from ui.devices import Kind, State

    devices = window.devices
    master, slave = os.openpty()
    tty.setraw(slave)
    path = os.ttyname(slave)
    os.close(slave)
    probe = _Probe([sell.table.viewport()])
    samples: list[float] = []
    missed = 0
    try:
        devices.apply(dataclasses.replace(devices.settings, scanner_url=path))
        deadline = time.monotonic() + 10
        while devices.health(Kind.SCANNER).state is not State.READY:
            if time.monotonic() > deadline:
                return {"samples": [], "missed": len(codes)}
            _idle(app, 0.01)
        for n, code in enumerate(codes):
            if n % 5 == 0:
                sell._new_sale()
                _settle(app)
            before = sell.model.rowCount()

            def send(code: str = code) -> None:
                os.write(master, code.encode() + b"\r")

            ms = probe.wait(
                lambda before=before: sell.model.rowCount() == before + 1,  # type: ignore[misc]
                send,
            )
            if ms is None:
                missed += 1
            else:
                samples.append(ms)
            _idle(app, 0.02)
    finally:
        devices.apply(dataclasses.replace(devices.settings, scanner_url=""))
        _idle(app, 0.3)
        os.close(master)
    return {"samples": samples, "missed": missed}


# --- the figures ----------------------------------------------------------------------------


def figures(
    data_dir: Path,
    *,
    codes: Sequence[str],
    latin: Sequence[str],
    chinese: Sequence[str],
    log: Callable[[str], None] = print,
    start_runs: int = START_RUNS,
) -> list[dict[str, Any]]:
    """The UI figures (dicts shaped like `cli.bench.Figure`) for the shop in `data_dir`."""
    out: list[dict[str, Any]] = []
    log("timing the cashier window's start ...")
    start = window_start(data_dir, start_runs)
    med, bare = statistics.median(start["window"]), statistics.median(start["bare"])
    out.append(
        _figure(
            "ui_window_start_median",
            med,
            "ms",
            "< 1500 ms",
            bare,
            note=f"spawn → `storebox cashier` window drawn, start-up reads back; {len(start['window'])} "
            f"runs, max {max(start['window']):.0f} ms; bare = spawn → import PySide6.QtWidgets, "
            "QApplication([])",
        )
    )

    log("scanning and typing into the real window ...")
    got = in_window(data_dir, codes, latin, chinese)
    if "sell_scan" in got:
        scan = got["sell_scan"]
        out.append(
            _figure(
                "ui_scan_to_line_visible_p95",
                _pct(scan["samples"], 95),
                "ms",
                "< 50 ms",
                _pct(got["core_scan"], 95),
                note=f"p50 {_pct(scan['samples'], 50):.1f} ms over {len(scan['samples'])} wedge "
                f"scans (Enter → cart line painted), {scan['missed']} missed; "
                "bare = sales.add_barcode alone",
            )
        )
        serial = got.get("serial_scan", {"samples": [], "missed": 0})
        if serial["samples"]:
            out.append(
                _figure(
                    "ui_serial_scan_to_line_visible_p95",
                    _pct(serial["samples"], 95),
                    "ms",
                    "< 50 ms",
                    _pct(got["core_scan"], 95),
                    note=f"p50 {_pct(serial['samples'], 50):.1f} ms over "
                    f"{len(serial['samples'])} serial scans (code + CR written to a pty → read by "
                    f"pyserial on the scanner's thread → cart line painted), {serial['missed']} "
                    "missed; bare = sales.add_barcode alone",
                )
            )
        sell_core = _pct(got["core_search_sell"], 95)
        out.extend(_search_figures("ui_search", got["sell_search"], sell_core, "< 50 ms"))
    else:
        log("  no sell screen in this build: scan and sell-screen search not measured")
    products_core = _pct(got["core_search_products"], 95)
    out.extend(
        _search_figures("ui_products_search", got["products_search"], products_core, "report")
    )
    return out


def _search_figures(
    prefix: str, got: dict[str, Any], core_p95: float, goal: str
) -> list[dict[str, Any]]:
    latin, chinese, hold, missed = got["latin"], got["chinese"], got["hold"], got["missed"]
    return [
        _figure(
            f"{prefix}_keystroke_p95",
            _pct(latin, 95),
            "ms",
            goal,
            core_p95,
            note=f"p50 {_pct(latin, 50):.1f} ms over {len(latin)} typed keys (key → results "
            f"painted), {missed} missed; of which the wedge filter holds each typed key "
            f"p50 {_pct(hold, 50):.1f} ms; bare = catalog.search alone",
        ),
        _figure(
            f"{prefix}_ime_commit_p95",
            _pct(chinese, 95),
            "ms",
            goal,
            core_p95,
            note=f"p50 {_pct(chinese, 50):.1f} ms over {len(chinese)} Chinese input-method "
            "commits (not held by the wedge filter); bare = catalog.search alone",
        ),
    ]


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "window":
        _child_window(sys.argv[2], sys.argv[3])
    else:
        sys.exit("usage: python -m ui.bench_ui window DATA_DIR SPEC_JSON")
