"""The demo's cloud side: a local hub on SQLite in the demo's data folder, the demo shop enrolled
with it, and the sync agent beside the till — started by `storebox demo`, stopped when it ends.

    with demo_sync(shop, config_path=...) as running:
        ...  # the till sells; the agent pushes each sale to the hub within about a second

Both the hub (`storebox hub`) and the agent (`storebox sync`) run as **subprocesses**, not as
threads of the demo's process: the window keeps its own interpreter to itself (the hub encoding
a catalogue page or the agent applying one would otherwise take the GIL from the UI thread),
each stops cleanly on SIGTERM exactly as in a shop (uvicorn's graceful shutdown; the agent
finishes the batch in flight), and a stop that hangs can be ended with SIGKILL without taking the
window down. They are in the demo's process group (a Ctrl-C in the terminal reaches them too)
and are told to die with the demo (Linux's PR_SET_PDEATHSIG), so even a demo that is killed
leaves nothing running.

Setting up is idempotent: the hub's database and catalogue are made once (`--catalog-items`
publishes the generated mall catalogue only into an empty hub); the store is created and the
shop enrolled only while the shop's enrolment does not name a live device of a store this hub
knows. The hub listens on loopback, on the port it used last time when that is free.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from storebox import syncstate
from storebox.errors import ShopError
from storebox.shop import Shop

log = logging.getLogger(__name__)

#: goods in the demo mall's generated catalogue (the production-size figure is 100,000)
DEMO_MALL_ITEMS: Final = 5_000
HUB_DB: Final = "hub.db"
PORT_FILE: Final = "hub.port"
HUB_LOG: Final = "hub.log"
DEVICE_NAME: Final = "演示收银台"


class DemoHubFailed(ShopError):
    code = "demo_hub_failed"


@dataclass
class DemoSync:
    """What the demo started; `stop()` ends it (idempotent)."""

    hub_url: str
    store_id: str
    hub: subprocess.Popen[bytes] | None
    agent: subprocess.Popen[bytes] | None
    started: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def stop(self, timeout: float = 20.0) -> None:
        # The agent first, so that its last push still finds the hub.
        for process in reversed(self.started):
            _stop(process, timeout)
        self.started.clear()


def _stop(process: subprocess.Popen[bytes], timeout: float) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            log.warning(
                "pid %s did not stop on SIGTERM within %.0f s; killing it", process.pid, timeout
            )
            process.kill()
            process.wait(5)
    else:
        process.wait()


def _die_with_parent() -> Callable[[], None] | None:
    """A preexec_fn asking Linux to SIGTERM the child when the demo dies (None elsewhere).
    The libc function is looked up here, before the fork, so the child only calls it."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    pr_set_pdeathsig = 1

    def preexec() -> None:
        prctl(pr_set_pdeathsig, int(signal.SIGTERM))

    return preexec


def _spawn(argv: list[str], log_path: Path) -> subprocess.Popen[bytes]:
    with open(log_path, "ab") as out:
        return subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            close_fds=True,
            preexec_fn=_die_with_parent(),  # noqa: PLW1509 - one libc call, looked up before the fork
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def choose_port(data_dir: Path) -> int:
    """The port the demo's hub had last time if it is free (the enrolment keeps naming the
    same URL), else a free one the kernel picks, remembered for next time."""
    remembered = data_dir / PORT_FILE
    with contextlib.suppress(OSError, ValueError):
        port = int(remembered.read_text().strip())
        if 1024 <= port < 65536 and _port_free(port):
            return port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    remembered.write_text(f"{port}\n")
    return port


def _wait_for_hub(
    url: str, process: subprocess.Popen[bytes], log_path: Path, timeout: float
) -> None:
    import requests

    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise DemoHubFailed(
                f"演示云端未能启动 / the demo's hub exited ({process.returncode}); see {log_path}"
            )
        try:
            if requests.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            raise DemoHubFailed(
                f"演示云端未响应 / the demo's hub did not answer within {timeout:.0f} s; see {log_path}"
            )
        time.sleep(0.05)


def _enrolled_with(shop: Shop, hub_db: Path) -> str | None:
    """The store id, if the shop's enrolment names a device this hub knows and has not revoked."""
    from sync.hub import admin
    from sync.hub.db import Database
    from sync.hub.errors import AdminError

    enrolled = syncstate.enrolment(shop)
    if enrolled is None:
        return None
    db = Database(str(hub_db))
    try:
        devices = admin.list_devices(db, enrolled.store_id)
    except AdminError:
        return None
    finally:
        db.dispose()
    live = any(d.id == enrolled.device_id and d.revoked_at is None for d in devices)
    return enrolled.store_id if live else None


def enrol_demo_shop(shop: Shop, hub_url: str, hub_db: Path) -> str:
    """Create the demo store on the hub and enrol this shop, unless it already is; the store id."""
    from sync.enrolment import enrol
    from sync.hub import admin
    from sync.hub.db import Database

    known = _enrolled_with(shop, hub_db)
    if known is not None:
        return known
    db = Database(str(hub_db))
    try:
        store_id = admin.create_store(db, shop.settings.store_name)
        code = admin.enrol_code(db, store_id)
    finally:
        db.dispose()
    return enrol(shop, hub_url, code, DEVICE_NAME).store_id


def start_demo_sync(
    shop: Shop,
    *,
    config_path: Path | None = None,
    catalog_items: int = DEMO_MALL_ITEMS,
    agent_interval: float | None = None,
    hub_timeout: float = 60.0,
) -> DemoSync:
    """Start the hub (unless the shop names one in hub_url), enrol, start the agent. On any
    failure what was started is stopped again before the error goes up."""
    from sync import agent_process
    from sync.agent import running_agent

    data_dir = shop.settings.data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    given = shop.settings.hub_url.strip()
    running = DemoSync(hub_url=given, store_id="", hub=None, agent=None)
    try:
        if not given:
            port = choose_port(data_dir)
            running.hub_url = f"http://127.0.0.1:{port}"
            hub_db = data_dir / HUB_DB
            argv = [
                sys.executable, "-m", "cli", "hub",
                "--db", str(hub_db), "--host", "127.0.0.1", "--port", str(port),
                "--catalog-items", str(catalog_items),
            ]  # fmt: skip
            log_path = data_dir / HUB_LOG
            running.hub = _spawn(argv, log_path)
            running.started.append(running.hub)
            _wait_for_hub(running.hub_url, running.hub, log_path, hub_timeout)
            running.store_id = enrol_demo_shop(shop, running.hub_url, hub_db)
        else:
            enrolled = syncstate.enrolment(shop)
            running.store_id = enrolled.store_id if enrolled else ""
        if syncstate.enrolment(shop) is not None and running_agent(data_dir) is None:
            argv = agent_process.command(
                data_dir, config_path=config_path, hub_url=running.hub_url, interval=agent_interval
            )
            running.agent = _spawn(argv, data_dir / agent_process.LOG_NAME)
            running.started.append(running.agent)
    except BaseException:
        running.stop()
        raise
    return running


@contextlib.contextmanager
def demo_sync(
    shop: Shop,
    *,
    config_path: Path | None = None,
    catalog_items: int = DEMO_MALL_ITEMS,
    agent_interval: float | None = None,
) -> Iterator[DemoSync]:
    running = start_demo_sync(
        shop, config_path=config_path, catalog_items=catalog_items, agent_interval=agent_interval
    )
    try:
        yield running
    finally:
        running.stop()


def screenshot_sync_state(shop: Shop, items: int = 40) -> None:
    """For `storebox screenshot` (a throw-away shop): what a shop that has synced looks like,
    written through the same core functions the agent uses: an enrolment, the mall catalogue's
    first page, the outbox delivered with one event refused by the hub, the last round. No agent
    runs, so the window truthfully says so."""
    from sync.hub import catalog_seed

    syncstate.save_enrolment(
        shop,
        hub_url="http://127.0.0.1:8700",
        store_id="d3b07384-demo-store",
        store_name=shop.settings.store_name,
        device_id="c157a79031e1-demo-device",
        device_name=DEVICE_NAME,
        token="screenshot-only",  # noqa: S106 - a throw-away shop that never talks to a hub
    )
    from storebox.mall_catalog import MallItemData

    page = [
        syncstate.Upsert(
            i["sku"],
            MallItemData(
                sku=i["sku"],
                name=i["name"],
                wholesale_price_fen=i["wholesale_price_fen"],
                retail_price_fen=i["retail_price_fen"],
                barcode=i["barcode"],
                spec=i["spec"],
                unit=i["unit"],
                category=i["category"],
                case_qty=i["case_qty"],
            ),
        )
        for i in catalog_seed.generate(items)
    ]
    syncstate.apply_page(shop, "catalog", page, "catalog.screenshot")
    refused = None
    while pending := syncstate.pending_events(shop, 200):
        outcomes = {e.event_id: syncstate.Outcome("applied") for e in pending}
        sale = next((e for e in pending if e.kind == "sale.completed"), None)
        if refused is None and sale is not None:
            refused = sale.event_id
            outcomes[refused] = syncstate.Outcome(
                "rejected", "sale.completed: payments add up to 1250 fen, the total is 1300 fen"
            )
        syncstate.mark_delivered(shop, outcomes)
    syncstate.record_round(shop, online=True, error=None)
