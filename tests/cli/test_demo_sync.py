"""`storebox demo` runs the whole shop: its setup (cli.demo_hub), headless, brings up a real hub
(`storebox hub` on loopback, SQLite in the demo's folder) and a real agent (`storebox sync`),
both subprocesses; a sale made in the shop reaches the hub, the till's device states reach the
hub's health view, and stopping leaves nothing running. A second start reuses the store and
the enrolment."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from cli.demo_hub import HUB_DB, DemoSync, start_demo_sync
from storebox import demo, mall_catalog, reports, simulate, syncstate, till_devices
from storebox.config import Settings
from storebox.shop import Shop, open_shop
from sync.agent import running_agent
from sync.hub import admin, report
from sync.hub.db import Database


def wait_for(what: str, done: Callable[[], Any], timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = done()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.fixture
def live_shop(settings: Settings) -> Iterator[Shop]:
    """The demo's shop on the real clock (the agent, another process, stamps real times)."""
    with open_shop(settings) as opened:
        yield opened


def hub_report(data_dir: Path, store_id: str) -> dict[str, Any]:
    db = Database(str(data_dir / HUB_DB))
    try:
        return report.store_report(db, store_id, None)
    finally:
        db.dispose()


def cli_hub_report(data_dir: Path, store_id: str) -> dict[str, Any]:
    """What `storebox hub report --json` says, the operator's own view."""
    done = subprocess.run(
        [
            *(sys.executable, "-m", "cli", "hub", "report"),
            *("--db", str(data_dir / HUB_DB), "--store", store_id, "--json"),
        ],
        capture_output=True,
        check=True,
        timeout=60,
    )
    doc: dict[str, Any] = json.loads(done.stdout)
    return doc


def stopped(running: DemoSync) -> None:
    running.stop()
    for process, ok in ((running.agent, {0}), (running.hub, {0, -signal.SIGTERM})):
        # uvicorn shuts down gracefully on SIGTERM, then ends itself with the same signal
        assert process is not None and process.poll() is not None, "still running"
        assert process.returncode in ok, f"pid {process.pid} exited {process.returncode}"


def test_the_demo_brings_up_hub_and_agent_a_sale_reaches_the_hub_and_all_stops(
    live_shop: Shop,
) -> None:
    shop = live_shop
    data_dir = shop.settings.data_dir
    demo.build(shop, sales_count=3)
    people = demo.ensure_people(shop)
    # the window would write this; the agent's first health report must carry it
    till_devices.record(
        shop,
        [
            till_devices.TillDevice("printer", "png:/tmp/r", "ok", "ready"),
            till_devices.TillDevice("scanner", "/dev/ttyUSB0", "error", "port not found"),
            till_devices.TillDevice("pole", "", "unknown", "opening"),
        ],
    )

    running = start_demo_sync(shop, catalog_items=300, agent_interval=1.0)
    try:
        assert running.hub is not None and running.agent is not None
        assert running.hub_url.startswith("http://127.0.0.1:")
        store_id = running.store_id
        assert syncstate.enrolment(shop) is not None
        # the morning's sales, then the catalogue, arrive without anyone asking
        z = reports.z_report(shop, as_admin=True).as_dict()
        assert z["sales_count"] == 3
        wait_for(
            "the morning's sales at the hub",
            lambda: hub_report(data_dir, store_id)["sales_count"] == z["sales_count"],
        )
        wait_for("the mall catalogue in the shop", lambda: mall_catalog.count(shop) == 300)

        # a sale made now reaches the hub within a round
        simulate.run(shop, people.cashiers, people.owner, sales_count=1, seed=99)
        z = reports.z_report(shop, as_admin=True).as_dict()
        wait_for(
            "the new sale at the hub",
            lambda: hub_report(data_dir, store_id)["sales_count"] == z["sales_count"],
        )
        doc = cli_hub_report(data_dir, store_id)
        assert doc["sales_count"] == z["sales_count"]
        assert doc["sales_total_fen"] == z["sales_total_fen"]
        assert doc["events_rejected"] == 0
        wait_for("nothing pending", lambda: syncstate.status(shop).pending_events == 0)

        # the till's live device states are in the hub's health view; unknown stays unknown
        [device] = doc["devices"]
        health = device["health"]
        assert health is not None
        states = {d["name"]: d["state"] for d in health["devices"]}
        assert states["printer"] == "ok"
        assert states["scanner"] == "error"
        assert states["pole"] == "unknown"
        assert health["agent"]["online"] is True
        assert running_agent(data_dir) == running.agent.pid
    finally:
        stopped(running)
    assert running_agent(data_dir) is None
    status = syncstate.status(shop)
    assert status.online and status.pending_events == 0 and status.dead_letters == 0

    # again: the same store and the same enrolment, no second device on the hub
    before = syncstate.enrolment(shop)
    again = start_demo_sync(shop, catalog_items=300, agent_interval=1.0)
    try:
        assert again.store_id == store_id
        assert syncstate.enrolment(shop) == before
        db = Database(str(data_dir / HUB_DB))
        try:
            assert len(admin.list_devices(db, store_id)) == 1
        finally:
            db.dispose()
        assert again.agent is not None
        wait_for("the agent's lock", lambda: running_agent(data_dir) == again.agent.pid)  # type: ignore[union-attr]
    finally:
        stopped(again)
    assert running_agent(data_dir) is None
