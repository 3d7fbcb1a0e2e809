"""Device health and agent state: each device reports, the hub keeps the latest per device and
shows it per store; a bad report is refused and changes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sync import protocol
from tests.sync.conftest import RunningHub


def report(pending: int = 3, printer: str = "ok") -> dict[str, Any]:
    return {
        "at": dt.datetime.now(dt.UTC).isoformat(),
        "app_version": "0.1.0",
        "devices": [
            {
                "name": "printer",
                "url": "usb://0x0416:0x5011",
                "state": printer,
                "detail": "缺纸" if printer != "ok" else "",
            },
            {"name": "terminal", "url": "socket://127.0.0.1:20007", "state": "ok"},
        ],
        "agent": {
            "online": True,
            "pending_events": pending,
            "dead_letters": 1,
            "last_success_at": dt.datetime.now(dt.UTC).isoformat(),
            "cursors": {"catalog": "catalog.x.0.1"},
        },
    }


def test_the_latest_report_per_device_is_shown_per_store(hub: RunningHub) -> None:
    store = hub.create_store("健康店")
    till, kiosk = hub.enrol(store, "till-1"), hub.enrol(store, "kiosk")
    other = hub.enrol(None, "elsewhere")
    for enrolled, body in ((till, report(3)), (till, report(0, "error")), (other, report(9))):
        answer = hub.session(enrolled.token).post(
            hub.base_url + protocol.HEALTH_PATH, json=body, timeout=10
        )
        assert answer.status_code == 200, answer.text
        protocol.HealthAck.model_validate_json(answer.content)
    devices = {d["name"]: d for d in hub.report(store)["devices"]}
    assert set(devices) == {"till-1", "kiosk"}  # not the other store's device
    assert devices["kiosk"]["health"] is None and devices["kiosk"]["reported_at"] is None
    latest = devices["till-1"]["health"]
    assert latest["agent"]["pending_events"] == 0
    assert [d["state"] for d in latest["devices"]] == ["error", "ok"]
    assert kiosk.device_id == devices["kiosk"]["device_id"]


@pytest.mark.parametrize(
    "change",
    [
        lambda r: r.pop("agent"),
        lambda r: r["agent"].update(pending_events=-1),
        lambda r: r["devices"][0].update(state="on fire"),
        lambda r: r.update(at="2026-11-25T10:00:00"),
        lambda r: r.update(devices=[r["devices"][0]] * 21),
        lambda r: r.update(surprise=1),
    ],
)
def test_a_bad_report_is_refused_and_changes_nothing(hub: RunningHub, change: Any) -> None:
    store = hub.create_store()
    enrolled = hub.enrol(store)
    body = report()
    change(body)
    answer = hub.session(enrolled.token).post(
        hub.base_url + protocol.HEALTH_PATH, json=body, timeout=10
    )
    assert answer.status_code == 422
    assert protocol.ErrorBody.model_validate_json(answer.content).error == "invalid_request"
    assert hub.report(store)["devices"][0]["health"] is None


def test_a_body_too_big_is_refused_before_it_is_read(hub: RunningHub) -> None:
    enrolled = hub.enrol()
    answer = hub.session(enrolled.token).post(
        hub.base_url + protocol.PUSH_PATH,
        data=b" " * (17 * 1024 * 1024),
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert answer.status_code == 413
    assert protocol.ErrorBody.model_validate_json(answer.content).error == "too_large"
