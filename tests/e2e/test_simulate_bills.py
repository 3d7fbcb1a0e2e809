"""`storebox simulate` with bill payments of every kind, end to end, to the fen.

Real parts only: a shop enrolled with the real hub (uvicorn on loopback, SQLite) and the ZVT
terminal simulator on a pty; every step is the `storebox` command a person would type, each in
its own process. The hub's billers are scripted (`storebox hub biller-script`) so that some
payments stay 受理中 for a few seconds of the hub's clock and then succeed, and some fail late
(pending, then failed) or at once. The simulation pays top-ups, utility bills (looked up) and
card repayments in cash and by card, asks about what is pending as the cashier's 刷新 does, and
refunds every failure to its tender (card ones back through the terminal). Then the sync agent
pushes it all, and:

- the Z report's `bill_payments_count` / `bill_payments_total_fen` equal the hub's report and
  the simulation's own count, to the fen, and so do the commission and the failed payments;
- the hub's statement shows every failed payment refunded;
- `storebox bills reconcile` is clean and `storebox db check` is ok.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from drivers.terminal.simulator import ZvtSimulator
from storebox import billpay_rules
from storebox.billers import BillerData
from sync.hub import billers_data
from tests.e2e.cli_run import storebox
from tests.sync.conftest import RunningHub

pytestmark = pytest.mark.slow

KINDS = {"electricity", "water", "gas", "mobile", "credit_card"}
SCRIPT = ",".join(
    ["pending:2", "pending:3:failed:biller_rejected", "success", "failed:biller_rejected"] * 6
)
"""One step per new payment, for any biller: 受理中 2 s then 成功; 受理中 3 s then 失败; 成功 at
once; 失败 at once — six rounds, then each biller's default (pending 3-5 s, then success)."""


def _skip_when_the_clock_forbids() -> None:
    """The billers keep opening hours (China time); outside them the simulation's payments are
    refused before any money is taken, which is not this test's subject. (00:00-04:00 is no
    longer skipped: bill payments carry the shop's business day to the hub.)"""
    now = dt.datetime.now(dt.UTC)
    closed = [
        b["biller_id"]
        for b in billers_data.BILLERS
        if not billpay_rules.is_open(
            billpay_rules.rules_of(
                BillerData(b["biller_id"], b["kind"], b["name"], True, b["rules"])
            ),
            now,
        )
    ]
    if closed:
        pytest.skip(f"billers closed at this hour (China time): {closed}")


def test_a_simulated_day_with_bills_of_every_kind_agrees_with_the_hub_to_the_fen(
    hub: RunningHub, sim: ZvtSimulator, tmp_path: Path
) -> None:
    _skip_when_the_clock_forbids()
    data = tmp_path / "shop"
    hub_db = str(tmp_path / "hub.db")
    store_id = hub.create_store("代收缴费的店")
    storebox(data, "enrol", "--hub", hub.base_url, "--code", hub.enrol_code(store_id))

    # before the billers are pulled, bills are refused with the reason and nothing is sold
    early = storebox(data, "simulate", "--sales", "3", "--bills", "0.5", ok=False)
    assert early.returncode == 2 and "storebox sync --once" in early.stderr, early.stderr
    storebox(data, "sync", "--once")  # the billers and the offline limits arrive
    script = storebox(
        data, "hub", "biller-script", "--store", store_id, SCRIPT, "--json", "--db", hub_db
    )
    assert len(json.loads(script.stdout)["steps"]) == 24

    done = storebox(
        data,
        "simulate",
        "--sales", "50",
        "--seed", "7",
        "--tenders", "cash,card",
        "--terminal", sim.path,
        "--bills", "0.6",
        "--bills-wait", "30",
        "--json",
    )  # fmt: skip
    result = json.loads(done.stdout)
    bills = result["bill_payments"]
    assert set(bills["by_kind"]) == KINDS, bills["by_kind"]
    assert set(bills["by_tender"]) == {"cash", "card"}
    by_status = bills["by_status"]
    # nothing left 受理中 after the wait; the scripted failures happened and were refunded
    assert set(by_status) == {"success", "failed"}, by_status
    assert by_status["failed"]["count"] >= 6
    assert bills["refunded_count"] == by_status["failed"]["count"]
    assert bills["refunded_fen"] == by_status["failed"]["amount_fen"]
    assert bills["refunds_open"] == 0 and bills["fell_back_to_cash"] == 0
    assert bills["commission_fen"] > 0
    assert result["sales_count"] == 50

    # what the script asked for happened: waits that ended in 成功, failures late and at once
    listed = json.loads(storebox(data, "bills", "list", "--json").stdout)["payments"]
    assert len(listed) == bills["count"]

    def waited(p: dict[str, Any]) -> float:
        final = dt.datetime.fromisoformat(p["final_at"])
        return (final - dt.datetime.fromisoformat(p["accepted_at"])).total_seconds()

    assert any(p["status"] == "success" and waited(p) >= 2 for p in listed)
    assert any(p["status"] == "failed" and waited(p) >= 3 for p in listed)
    assert any(p["status"] == "failed" and waited(p) < 1 for p in listed)
    # every failure is a scripted one: what the hub refuses on its rules, the shop's check
    # (the same published rules) refused before any money was taken
    unscripted = [p for p in listed if p["status"] == "failed"]
    unscripted = [p for p in unscripted if p["reason_code"] != "biller_rejected"]
    assert unscripted == []
    assert bills["failed_reasons"].get("biller_rejected", 0) >= 6

    storebox(data, "sync", "--once")
    z = json.loads(storebox(data, "report", "z", "--json").stdout)
    day = z["business_day"]
    hub_report: dict[str, Any] = json.loads(
        storebox(
            data, "hub", "report", "--store", store_id, "--date", day, "--json", "--db", hub_db
        ).stdout
    )
    assert z["pending_sync_events"] == 0
    # the shop's books, the hub's report and the simulation's own count, to the fen
    for key in ("bill_payments_count", "bill_payments_total_fen"):
        assert z[key] == hub_report[key] == bills[key], key
    assert z["bill_payments_count"] == by_status["success"]["count"]
    assert hub_report["bill_commission_fen"] == bills["commission_fen"]
    assert z["bill_payments"]["commission_fen"] == bills["commission_fen"]
    failed_at_hub = hub_report["bill_payments_by_status"]["failed"]
    assert failed_at_hub == {
        "count": by_status["failed"]["count"],
        "amount_fen": by_status["failed"]["amount_fen"],
    }
    assert z["bill_payments"]["refunded_fen"] == bills["refunded_fen"]
    assert z["bill_payments"]["refunds_open_count"] == 0
    assert z["sales_total_fen"] == result["sales_total_fen"]  # bills are not the shop's takings

    # the hub's statement knows each failed payment was given back to the customer
    statement = json.loads(
        storebox(
            data, "hub", "bill-statement", "--store", store_id, "--date", day, "--json",
            "--db", hub_db,
        ).stdout
    )  # fmt: skip
    rows = statement["rows"]
    assert len(rows) == bills["count"]
    failed_rows = [r for r in rows if r["status"] == "failed"]
    assert failed_rows and all(r["refunded"] for r in failed_rows)

    recon = storebox(data, "bills", "reconcile", "--json", ok=False)
    doc = json.loads(recon.stdout)
    assert recon.returncode == 0 and doc["clean"] is True, recon.stdout
    check = json.loads(storebox(data, "db", "check", "--json").stdout)
    assert check["ok"] is True, check
