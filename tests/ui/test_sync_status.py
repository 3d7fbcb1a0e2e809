"""The window and the sync agent: the status bar says online / offline, what waits and what the
hub refused, from the shop's own database; the sync screen lists the dead letters with the hub's
reasons and the mall catalogue's age; the window starts a missing agent (detached) when the shop
is enrolled; the till's live device states are written for the agent's health report."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from storebox import demo, device_health, syncstate, till_devices
from storebox.clock import FixedClock
from storebox.errors import InvalidInput
from storebox.mall_catalog import MallItemData
from storebox.outbox import enqueue
from storebox.shop import Shop
from sync.agent import AgentLock, running_agent
from tests.sync.conftest import RunningHub
from tests.ui.conftest import owner_actor, settle, shown_window
from ui.cashier.run import build
from ui.cashier.sync_page import SyncPage
from ui.cashier.window import CashierWindow
from ui.ops import reset_tasks


def enrol_locally(shop: Shop, hub_url: str = "http://127.0.0.1:9") -> None:
    syncstate.save_enrolment(
        shop,
        hub_url=hub_url,
        store_id="store-1",
        store_name="幸福里便利店",
        device_id="device-1",
        device_name="till",
        token="secret-token",
    )


def a_refused_event(shop: Shop, clock: FixedClock) -> None:
    """An event the hub answered 'rejected' (as the agent records the hub's answer)."""
    with shop.store.write() as session:
        enqueue(
            session,
            event_id="00000000-0000-7000-8000-000000000001",
            at=clock.now(),
            kind="sale.completed",
            payload_json=json.dumps({"broken": True}),
        )
    syncstate.mark_delivered(
        shop,
        {
            "00000000-0000-7000-8000-000000000001": syncstate.Outcome(
                "rejected", "payload does not fit sale.completed: total_fen missing"
            )
        },
    )


def refresh(qtbot: QtBot, win: CashierWindow) -> None:
    win.refresh_status()
    settle(qtbot)


def test_not_enrolled_says_so_and_never_claims_online(qtbot: QtBot, window: CashierWindow) -> None:
    refresh(qtbot, window)
    assert window.status_sync.text() == "Sync: no hub configured"
    assert not window.status_dead.isVisible()
    window.sign_in(owner_actor(window.shop))
    window.show_page("sync")
    settle(qtbot)
    page = window.pages["sync"]
    assert isinstance(page, SyncPage)
    assert page.values["hub"].text().startswith("not enrolled")
    assert page.empty.isVisible() and not page.dead_table.isVisible()


def test_status_bar_and_sync_screen_follow_the_agents_state(
    qtbot: QtBot, window: CashierWindow, clock: FixedClock
) -> None:
    shop = window.shop
    enrol_locally(shop)
    a_refused_event(shop, clock)
    syncstate.apply_page(
        shop,
        "catalog",
        [syncstate.Upsert(f"M{i}", MallItemData(f"M{i}", f"商品{i}", 100, 150)) for i in range(3)],
        "catalog.1.0.0.3",
    )
    syncstate.record_round(shop, online=True, error=None)

    # enrolled, but no agent holds the lock: offline, whatever the last round said
    refresh(qtbot, window)
    assert window.status_sync.text() == "Offline · sync agent not running"
    assert window.status_sync.property("state") == "offline"
    assert window.status_dead.isVisible()
    assert window.status_dead.text() == "Refused by the hub: 1"

    with AgentLock(shop.settings.data_dir):
        refresh(qtbot, window)
        assert window.status_sync.text() == "Online"
        assert window.status_sync.property("state") == "online"
        assert "Mall catalogue synced just now (3 goods)" in window.status_sync.toolTip()

        # the agent's next round fails: offline, with the age of the last success
        clock.advance(minutes=3)
        syncstate.record_round(shop, online=False, error="hub unreachable: connection refused")
        refresh(qtbot, window)
        assert window.status_sync.text() == "Offline · last synced 3 min ago"
        assert "hub unreachable" in window.status_sync.toolTip()

        window.sign_in(owner_actor(shop))
        window.show_page("sync")
        settle(qtbot)
        page = window.pages["sync"]
        assert isinstance(page, SyncPage)
        assert page.values["agent"].text().startswith("running (pid ")
        assert page.values["catalog"].text() == "synced 3 min ago (3 goods)"
        assert page.values["error"].text() == "hub unreachable: connection refused"
        assert page.dead_table.rowCount() == 1
        assert page.dead_table.item(0, 0).text() == "sale (sale.completed)"
        assert page.dead_table.item(0, 2).text().endswith("total_fen missing")
        assert not page.start_button.isEnabled()
    refresh(qtbot, window)
    assert page.values["agent"].text() == "not running"
    assert page.start_button.isEnabled()


def test_a_cashier_does_not_see_the_sync_screen(qtbot: QtBot, window: CashierWindow) -> None:
    people = demo.ensure_people(window.shop)
    window.sign_in(people.cashiers[0])
    assert not window.nav_buttons["sync"].isVisible()


def test_the_till_writes_its_device_states_for_the_agent(
    qtbot: QtBot, shop: Shop, people: demo.DemoPeople, tmp_path: Path, clock: FixedClock
) -> None:
    win, language, scanner = build(shop, "en", printer_url=f"png:{tmp_path / 'receipts'}")
    qtbot.addWidget(win)
    try:
        assert win.devices is not None
        devices = win.devices
        qtbot.waitUntil(lambda: devices.worker is not None and devices.printer_status is not None)
        refresh(qtbot, win)
        snap = till_devices.read(shop)
        assert snap is not None and snap.fresh(clock.now())
        states = {d.name: d for d in snap.devices}
        assert set(states) == {"printer", "terminal", "scanner", "pole"}
        assert states["printer"].url.startswith("png:")
        assert states["terminal"].state == "off"
        # what the agent reports: the till's word, never 'ok' for what does not say
        reported = {d.name: d.state for d in device_health.devices(shop)}
        expected = {"ok": "ok", "unknown": "unknown"}[states["printer"].state]
        assert reported["printer"] == expected
        # a stale snapshot (the window closed long ago) is reported 'unknown'
        clock.advance(minutes=10)
        stale = {d.name: d for d in device_health.devices(shop)}
        assert stale["printer"].state == "unknown"
        assert "last saw it" in stale["printer"].detail
    finally:
        win.close()
        scanner.deleteLater()
        language.set("en")
        reset_tasks()


def test_till_states_map_to_the_wire_and_unknown_is_never_ok(shop: Shop) -> None:
    till_devices.record(
        shop,
        [
            till_devices.TillDevice("printer", "usb://1:2", "unknown", "does not report"),
            till_devices.TillDevice("terminal", "/dev/ttyS0", "ok", "TID 1"),
        ],
    )
    reported = {d.name: d.state for d in device_health.devices(shop)}
    assert reported == {"printer": "unknown", "terminal": "ok"}
    with pytest.raises(InvalidInput, match="state"):
        till_devices.record(shop, [till_devices.TillDevice("printer", "", "fine")])


@pytest.fixture
def real_hub(tmp_path: Path) -> Iterator[RunningHub]:
    running = RunningHub(str(tmp_path / "hub.db")).start()
    try:
        yield running
    finally:
        running.close()


def test_the_window_starts_a_missing_agent_detached(
    qtbot: QtBot, shop: Shop, people: demo.DemoPeople, real_hub: RunningHub
) -> None:
    answer = real_hub.enrol(device_name="till-1")
    syncstate.save_enrolment(
        shop,
        hub_url=real_hub.base_url,
        store_id=answer.store_id,
        store_name=answer.store_name,
        device_id=answer.device_id,
        device_name="till-1",
        token=answer.token,
    )
    data_dir = shop.settings.data_dir
    with shown_window(qtbot, shop) as win:
        win.start_agent = True
        refresh(qtbot, win)
        process = win._agent_process
        assert process is not None
        try:
            qtbot.waitUntil(lambda: running_agent(data_dir) == process.pid, timeout=30_000)
            # a second look does not start a second agent
            refresh(qtbot, win)
            assert win._agent_process is process
            # the agent's rounds reach the hub: its health report arrives there
            qtbot.waitUntil(
                lambda: real_hub.report(answer.store_id)["devices"][0]["health"] is not None,
                timeout=30_000,
            )
            refresh(qtbot, win)
            qtbot.waitUntil(lambda: win.status_sync.text() == "Online", timeout=30_000)
        finally:
            process.terminate()
            assert process.wait(30) == 0
    assert running_agent(data_dir) is None
