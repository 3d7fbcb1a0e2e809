"""The hub reads what the real shop writes: a simulated morning of the real core (sales with
change, refunds, voids, shifts, cash moves) pushed from its outbox, and the hub's report agrees
with the shop's own Z report on the contract keys."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

from sync import protocol
from tests.sync.conftest import RunningHub

CONTRACT = (
    "sales_count",
    "sales_total_fen",
    "refunds_count",
    "refunds_total_fen",
    "bill_payments_count",
    "bill_payments_total_fen",
)


def storebox(data_dir: Path, *args: str) -> str:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "cli",
            *args,
            "--data-dir",
            str(data_dir),
            "--set",
            "pin_scrypt_n=16",
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return done.stdout


def outbox_events(db: Path) -> list[dict[str, Any]]:
    con = sqlite3.connect(db)
    try:
        rows = con.execute(
            "SELECT event_id, kind, payload_json, created_at FROM outbox ORDER BY seq"
        ).fetchall()
    finally:
        con.close()
    return [
        {
            "event_id": event_id,
            "kind": kind,
            "created_at": dt.datetime.fromisoformat(created).replace(tzinfo=dt.UTC).isoformat(),
            "payload": json.loads(payload),
        }
        for event_id, kind, payload, created in rows
    ]


def test_a_simulated_shop_day_reaches_the_hub_and_the_figures_agree(
    hub: RunningHub, tmp_path: Path
) -> None:
    data = tmp_path / "shop"
    storebox(data, "simulate", "--sales", "120", "--seed", "7")
    z = json.loads(storebox(data, "report", "z", "--json"))
    events = outbox_events(data / "storebox.db")
    kinds = {e["kind"] for e in events}
    assert {"sale.completed", "refund.completed", "shift.opened"} <= kinds

    enrolled = hub.enrol()
    http = hub.session(enrolled.token)
    for start in range(0, len(events), protocol.MAX_BATCH):
        batch = events[start : start + protocol.MAX_BATCH]
        answer = http.post(hub.base_url + protocol.PUSH_PATH, json={"events": batch}, timeout=60)
        assert answer.status_code == 200, answer.text
        results = protocol.PushResponse.model_validate_json(answer.content).results
        assert [(r.status, r.reason) for r in results] == [("applied", None)] * len(batch)

    report = hub.report(enrolled.store_id, z["business_day"])
    assert {k: report[k] for k in CONTRACT} == {k: z[k] for k in CONTRACT}
    assert report["tenders"] == z["tenders"]
    assert report["sales_by_tender_fen"]["cash"] == z["tenders"]["cash"]["sales_fen"] > 0
    assert hub.report(enrolled.store_id)["events_received"] == len(events)
