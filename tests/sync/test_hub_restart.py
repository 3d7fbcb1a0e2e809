"""The hub killed (SIGKILL) at random moments while a shop pushes, and started again on the same
SQLite file: the shop resends what got no answer, and in the end every sale is at the hub
exactly once."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from sync import protocol
from tests.sync.test_hub_cli import as_json, free_port
from tests.sync.test_hub_push import event, sale


def start(db: str, port: int) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if k != "STOREBOX_HUB_DB"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "cli", "hub", "--db", db, "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).ok:
                return proc
        except requests.ConnectionError:
            pass
        assert proc.poll() is None and time.monotonic() < deadline, "the hub did not start"
        time.sleep(0.05)


@pytest.mark.slow
def test_a_hub_killed_mid_push_loses_nothing_and_applies_nothing_twice(tmp_path: Path) -> None:
    db = str(tmp_path / "hub.db")
    store = as_json("hub", "create-store", "--name", "重启店", "--db", db)["store_id"]
    code = as_json("hub", "enrol-code", "--store", store, "--db", db)["code"]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start(db, port)
    token = protocol.EnrolResponse.model_validate_json(
        requests.post(
            base + protocol.ENROL_PATH, json={"code": code, "device_name": "till"}, timeout=10
        ).content
    ).token
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {token}"
    rnd = random.Random(5)
    batches = [
        [event("sale.completed", sale(100 + i)) for i in range(j * 50, j * 50 + 50)]
        for j in range(16)
    ]
    kills = resent = 0
    try:
        for batch in batches:
            while True:
                if rnd.random() < 0.4:  # kill it while this batch may be in flight
                    delay = rnd.uniform(0, 0.05)
                    victim = proc

                    def kill_later(p: subprocess.Popen[bytes] = victim, d: float = delay) -> None:
                        time.sleep(d)
                        p.send_signal(signal.SIGKILL)

                    threading.Thread(target=kill_later).start()
                    killing = True
                else:
                    killing = False
                try:
                    answer = http.post(
                        base + protocol.PUSH_PATH, json={"events": batch}, timeout=10
                    )
                    ok = answer.status_code == 200
                    if ok:
                        protocol.PushResponse.model_validate_json(answer.content)
                except (requests.RequestException, ValueError):  # a cut body: ChunkedEncodingError
                    ok = False
                if killing:
                    proc.wait(10)
                    kills += 1
                    proc = start(db, port)
                if ok:
                    break
                resent += 1
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    assert kills >= 3 and resent > 0, (kills, resent)
    report = as_json("hub", "report", "--store", store, "--db", db)
    assert report["sales_count"] == 800
    assert report["sales_total_fen"] == sum(100 + i for i in range(800))
    assert report["events_received"] == 800 and report["events_rejected"] == 0
