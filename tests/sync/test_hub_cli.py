"""`storebox hub …` as an operator types it: the admin commands with their --json contract,
one clear line and exit 2 for a mistake, and `storebox hub` serving a shop over HTTP."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from sync import protocol
from tests.sync.test_hub_push import event, sale


def storebox(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "STOREBOX_HUB_DB"}
    return subprocess.run(
        [sys.executable, "-m", "cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=check,
        env=env,
    )


def as_json(*args: str) -> dict[str, Any]:
    doc = json.loads(storebox(*args, "--json").stdout)
    assert isinstance(doc, dict)
    return doc


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_admin_commands_and_their_json_contract(tmp_path: Path) -> None:
    data = tmp_path / "data"
    store = as_json("hub", "create-store", "--name", "幸福里便利店", "--data-dir", str(data))[
        "store_id"
    ]
    assert (data / "hub.db").exists()  # the default: the data dir's hub.db
    code = as_json("hub", "enrol-code", "--store", store, "--data-dir", str(data))["code"]
    assert len(code) >= 6
    report = as_json("hub", "report", "--store", store, "--data-dir", str(data))
    for key in (
        "sales_count",
        "sales_total_fen",
        "refunds_count",
        "refunds_total_fen",
        "bill_payments_count",
        "bill_payments_total_fen",
    ):
        assert report[key] == 0
    assert report["devices"] == [] and report["events_received"] == 0
    # the plain text says the same for a person
    assert (
        "幸福里便利店"
        in storebox("hub", "report", "--store", store, "--data-dir", str(data)).stdout
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["enrol-code", "--store", "nope"], "no store"),
        (["revoke", "--device", "nope"], "no device"),
        (["report", "--store", "nope", "--date", "2026-02-30"], "--date"),
        (["create-store", "--name", " "], "name"),
        (["enrol-code", "--store", "x", "--ttl-hours", "0"], "ttl"),
    ],
)
def test_mistakes_get_one_clear_line_and_exit_2(
    tmp_path: Path, args: list[str], message: str
) -> None:
    db = str(tmp_path / "hub.db")
    storebox("hub", "create-store", "--name", "店", "--db", db)
    done = storebox("hub", *args, "--db", db, check=False)
    assert done.returncode == 2
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr


def test_a_mistyped_database_is_not_created(tmp_path: Path) -> None:
    done = storebox("hub", "report", "--store", "x", "--db", str(tmp_path / "typo.db"), check=False)
    assert done.returncode == 2 and "no hub database" in done.stderr
    assert not (tmp_path / "typo.db").exists()
    done = storebox("hub", "report", "--store", "x", "--db", "mysql://h/d", check=False)
    assert done.returncode == 2 and "SQLite or PostgreSQL" in done.stderr


@pytest.mark.slow
def test_storebox_hub_serves_a_shop_and_report_and_revoke_see_it(tmp_path: Path) -> None:
    db = str(tmp_path / "hub.db")
    store = as_json("hub", "create-store", "--name", "测试店", "--db", db)["store_id"]
    code = as_json("hub", "enrol-code", "--store", store, "--db", db)["code"]
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "STOREBOX_HUB_DB"}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cli",
            "hub",
            "--db",
            db,
            "--port",
            str(port),
            "--catalog-items",
            "300",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(base + "/healthz", timeout=1).ok:
                    break
            except requests.ConnectionError:
                pass
            assert server.poll() is None, server.stderr.read().decode() if server.stderr else ""
            assert time.monotonic() < deadline, "storebox hub did not answer"
            time.sleep(0.1)
        enrolled = protocol.EnrolResponse.model_validate_json(
            requests.post(
                base + protocol.ENROL_PATH, json={"code": code, "device_name": "till"}, timeout=10
            ).content
        )
        http = requests.Session()
        http.headers["Authorization"] = f"Bearer {enrolled.token}"
        assert http.post(
            base + protocol.PUSH_PATH,
            json={"events": [event("sale.completed", sale(4200))]},
            timeout=10,
        ).ok
        page = protocol.PullPage.model_validate_json(
            http.get(base + "/v1/streams/catalog", timeout=10).content
        )
        assert len(page.changes) == 300
        assert (
            requests.get(base + "/openapi.json", timeout=10).json()["info"]["title"]
            == "storebox hub"
        )

        report = as_json("hub", "report", "--store", store, "--db", db)
        assert (report["sales_count"], report["sales_total_fen"]) == (1, 4200)
        assert (
            as_json("hub", "revoke", "--device", enrolled.device_id, "--db", db)["revoked"] is True
        )
        assert http.get(base + protocol.ME_PATH, timeout=10).status_code == 401
        devices = as_json("hub", "devices", "--store", store, "--db", db)["devices"]
        assert devices[0]["revoked_at"] is not None
    finally:
        server.terminate()
        server.wait(30)
        if server.stderr:
            server.stderr.close()
