"""Every tender, end to end: the shop's journal, the hub and the acquirer agree to the fen.

Real parts only: a seeded shop enrolled with the real hub (uvicorn on loopback, SQLite), the
real ZVT driver talking to the terminal simulator over a pty, the hub's simulated acquirer over
HTTP through the shop's `HubWallet`. The simulation pays through the same use cases as the
cashier's window (card and wallet code through `sales.checkout`, the shop's QR through an
attempt, the code, the customer paying it and `QrPaid`), refunds go back to each original
tender, then the sync agent pushes everything and three outsiders are asked:

- the hub's report per tender equals the shop's Z report per tender;
- the acquirer's settlement file holds exactly the shop's wallet payments and refunds, by
  reference and amount;
- the terminal's own ledger holds exactly the shop's card payments and refunds;
- `storebox reconcile` finds no difference.

The second test scripts declines and slow customers (the acquirer's `decline` and
`user_paying:N`, the terminal's `decline`): the customer falls back to cash, and nobody is
charged twice — a payment whose outcome the till could not learn is reversed at the acquirer
once the customer finishes on the phone, and holds no money there.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from drivers.terminal.simulator import ZvtSimulator
from drivers.terminal.zvt.client import ZvtTerminal
from storebox import config, demo, demo_catalog, integrity, reports, sales, simulate, syncstate
from storebox.db.models import PaymentAttempt
from storebox.shop import Shop, open_shop
from sync import enrolment
from sync.agent import SyncAgent
from sync.client import HubClient
from sync.hub import acquirer
from sync.hub.models import AcquirerOrder
from sync.wallet import HubWallet
from tests.e2e.cli_run import storebox
from tests.sync.acquirer_fixtures import HubClock
from tests.sync.conftest import RunningHub

pytestmark = pytest.mark.slow

KINDS = ("cash", "card", "wallet")


def rows(db: Path, sql: str) -> list[tuple[Any, ...]]:
    con = sqlite3.connect(db, timeout=30)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def shop_wallet_money(db: Path) -> tuple[dict[str, int], dict[str, int]]:
    """The journal's wallet payments and refunds, reference -> fen."""
    paid = dict(rows(db, "SELECT reference, amount_fen FROM payments WHERE kind = 'wallet'"))
    back = dict(rows(db, "SELECT reference, amount_fen FROM refund_payments WHERE kind = 'wallet'"))
    return paid, back


def card_money(db: Path) -> tuple[list[int], list[int]]:
    paid = [r[0] for r in rows(db, "SELECT amount_fen FROM payments WHERE kind = 'card'")]
    back = [r[0] for r in rows(db, "SELECT amount_fen FROM refund_payments WHERE kind = 'card'")]
    return sorted(paid), sorted(back)


def terminal_ledger(sim: ZvtSimulator) -> tuple[list[int], list[int]]:
    """What the terminal carried out and kept: approved sales not reversed, approved refunds."""
    paid = [
        t.amount_fen
        for t in sim.transactions
        if t.kind == "sale" and t.result_code == 0 and not t.reversed
    ]
    back = [t.amount_fen for t in sim.transactions if t.kind == "refund" and t.result_code == 0]
    return sorted(paid), sorted(back)


def settlement_rows(hub: RunningHub, store_id: str, day: dt.date) -> list[Any]:
    """The acquirer's settlement lines of the shop's business day: the file of that calendar day
    and the next (a sale after midnight, before the shop's 04:00 cut-off, is in the next file;
    the hub is fresh, so nothing of another business day is in either)."""
    out: list[Any] = []
    for d in (day, day + dt.timedelta(days=1)):
        out += acquirer.settlement(hub.db, store_id, d).rows
    return out


def terminal_totals(terminal: dict[str, Any]) -> tuple[int, int, int, int]:
    return (
        terminal["payments_count"],
        terminal["payments_fen"],
        terminal["refunds_count"],
        terminal["refunds_fen"],
    )


def shop_card_totals(card: dict[str, int], terminal: dict[str, Any]) -> tuple[int, int, int, int]:
    """The shop's card figures on the terminal's basis: ZVT nets refunds off its turnover and
    counts every booking ("net"); a "gross" terminal keeps them apart."""
    if terminal["basis"] == "net":
        return (
            card["payments_count"] + card["refunds_count"],
            card["payments_fen"] - card["refunds_fen"],
            0,
            0,
        )
    return (
        card["payments_count"],
        card["payments_fen"],
        card["refunds_count"],
        card["refunds_fen"],
    )


def per_tender(doc: dict[str, Any]) -> dict[str, tuple[int, int, int]]:
    return {
        k: (
            doc["tenders"][k]["sales_fen"],
            doc["tenders"][k]["refunds_fen"],
            doc["tenders"][k]["net_fen"],
        )
        for k in KINDS
    }


def test_every_tender_the_journal_the_hub_the_acquirer_and_the_terminal_agree(
    hub: RunningHub, sim: ZvtSimulator, tmp_path: Path
) -> None:
    data = tmp_path / "shop"
    db = data / "storebox.db"
    store_id = hub.create_store("每样都收的店")
    storebox(data, "enrol", "--hub", hub.base_url, "--code", hub.enrol_code(store_id))

    done = storebox(
        data,
        "simulate",
        "--sales",
        "40",
        "--seed",
        "11",
        "--refund-rate",
        "0.3",
        "--terminal",
        sim.path,
        "--hub",
        "--hub-db",
        str(tmp_path / "hub.db"),
        "--json",
    )
    result = json.loads(done.stdout)
    # every way of paying was used, and refunds went back to card and wallet
    assert result["sales_count"] == 40
    assert set(result["chosen"]) == {"cash", "card", "wallet", "qr", "split"}
    assert result["paid_with"].keys() & {"split_card", "split_wallet"}
    assert result["fell_back_to_cash"] == 0 and result["declined"] == result["unknown"] == {}
    for kind in KINDS:
        assert result["tenders"][kind]["sales_fen"] > 0, kind
    assert result["tenders"]["card"]["refunds_count"] > 0
    assert result["tenders"]["wallet"]["refunds_count"] > 0
    assert result["notes"] == [] and result["sales_per_s"] > 0

    storebox(data, "sync", "--once")
    z = json.loads(storebox(data, "report", "z", "--json").stdout)
    day = z["business_day"]
    hub_report = json.loads(
        storebox(
            data,
            "hub",
            "report",
            "--store",
            store_id,
            "--date",
            day,
            "--json",
            "--db",
            str(tmp_path / "hub.db"),
        ).stdout
    )
    assert z["pending_sync_events"] == 0
    # the shop's journal, the hub and the simulation's own count, per tender, to the fen
    assert per_tender(hub_report) == per_tender(z)
    assert {
        k: (t["sales_fen"], t["refunds_fen"], t["net_fen"]) for k, t in result["tenders"].items()
    } == per_tender(z)
    for key in ("sales_count", "sales_total_fen", "refunds_count", "refunds_total_fen"):
        assert hub_report[key] == z[key], key

    # the acquirer's settlement file: exactly the shop's wallet money, line by line
    lines = settlement_rows(hub, store_id, dt.date.fromisoformat(day))
    paid, back = shop_wallet_money(db)
    assert {r.reference: r.amount_fen for r in lines if r.type == "payment"} == paid
    assert {r.reference: -r.amount_fen for r in lines if r.type == "refund"} == back
    assert not [r for r in lines if r.status == "reversed"]
    assert sum(paid.values()) == z["tenders"]["wallet"]["sales_fen"]
    assert sum(back.values()) == z["tenders"]["wallet"]["refunds_fen"]
    kinds_paid = Counter(r.kind for r in lines if r.type == "payment")
    assert kinds_paid["micropay"] > 0 and kinds_paid["qr"] > 0

    # the terminal's own ledger: exactly the shop's card money
    assert terminal_ledger(sim) == card_money(db)
    assert sum(card_money(db)[0]) == z["tenders"]["card"]["sales_fen"]

    # end-of-day reconciliation through the real commands: nothing to report
    checked = storebox(data, "reconcile", "--terminal", sim.path, "--json", ok=False)
    recon = json.loads(checked.stdout)
    assert checked.returncode == 0, json.dumps(recon["differences"], ensure_ascii=False)
    assert recon["differences"] == []
    assert recon["settlement_checked"] is True
    # the terminal's end-of-day totals (read by the ZVT driver since 89e7d25) match as well
    assert recon["terminal_checked"] is True and recon["notes"] == []
    assert terminal_totals(recon["terminal"]) == shop_card_totals(
        recon["shop"]["card"], recon["terminal"]
    )
    report = json.loads(storebox(data, "db", "check", "--json").stdout)
    assert report["ok"] is True


# --- declines and slow customers ------------------------------------------------------------


def open_attempt_count(shop: Shop) -> int:
    return sum(1 for a in sales.unsettled_attempts(shop) if a.status in sales.OPEN_STATUSES)


def test_declines_and_slow_customers_fall_back_to_cash_and_nobody_is_charged_twice(
    hub: RunningHub, sim: ZvtSimulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hub_clock = HubClock(monkeypatch)  # the hub runs in this process: its clock can be moved
    settings = config.load(
        environ={}, overrides={"data_dir": str(tmp_path / "shop"), "pin_scrypt_n": 16}
    )
    store_id = hub.create_store("拒付的店")
    # the first micropay declined, the second confirmed on the phone after 1 s, the third
    # still confirming when the till gives up (5 min); the first card declined at the terminal
    acquirer.set_script(hub.db, store_id, "decline,user_paying:1,user_paying:300")
    sim.push("decline")
    with open_shop(settings) as shop:
        people = demo.ensure_people(shop)
        demo_catalog.seed_catalog(shop, people.owner)
        enrolled = enrolment.enrol(shop, hub.base_url, hub.enrol_code(store_id), "till-1")
        client = HubClient(hub.base_url, enrolled.token, read_timeout=10)
        wallet = HubWallet(client, poll_interval=0.05, pay_deadline=3.0, reverse_wait=0.5)
        terminal = ZvtTerminal(sim.path, ack_timeout=2.0, answer_timeout=5.0)
        finished_on_phone: list[float] = []

        def customer_finishes(_receipt: sales.SaleReceipt) -> None:
            # the customer who was still confirming finishes five minutes later
            if open_attempt_count(shop) and not finished_on_phone:
                hub_clock.advance(301)
                finished_on_phone.append(time.monotonic())

        try:
            result = simulate.run(
                shop,
                people.cashiers,
                people.owner,
                sales_count=24,
                seed=5,
                refund_rate=0.2,
                on_sale=customer_finishes,
                ports=simulate.PaymentPorts(
                    terminal=terminal,
                    wallet=wallet,
                    qr=wallet,
                    pay_qr=lambda ref, w: acquirer.customer_pays(hub.db, store_id, ref, w),  # type: ignore[arg-type]
                ),
            )
            # the cashier asks once more at the end of the day: nothing may stay open
            sales.resolve_open_attempts(shop, terminal, wallet)
        finally:
            terminal.close()
        assert finished_on_phone, "no payment was left unknown: the script was not reached"
        assert open_attempt_count(shop) == 0

        # each failure was counted, and each of those customers paid cash instead
        assert result.declined.get("card", 0) + result.declined.get("split", 0) >= 1
        assert result.declined.get("wallet", 0) + result.declined.get("split", 0) >= 1
        assert sum(result.unknown.values()) >= 1
        failures = (
            sum(result.declined.values())
            + sum(result.unknown.values())
            + sum(result.unavailable.values())
        )
        assert result.fell_back_to_cash == failures
        assert result.paid_with["cash"] >= failures
        assert result.sales == 24

        with shop.store.read() as session:
            attempts = session.execute(
                select(PaymentAttempt.reference, PaymentAttempt.status).where(
                    PaymentAttempt.kind == "wallet",
                    PaymentAttempt.operation == "sale",
                )
            ).all()
        status_of = dict(attempts)
        day = shop.business_day()

        # the acquirer: money only for the references the shop recorded, the rest reversed or
        # declined; the customer left unknown was reversed once he had paid
        with hub.db.reading() as session:
            orders = session.scalars(
                select(AcquirerOrder).where(
                    AcquirerOrder.store_id == store_id, AcquirerOrder.kind != "refund"
                )
            ).all()
            held = {
                o.reference: o.amount_fen for o in orders if o.status in ("approved", "refunded")
            }
            gone = {
                o.reference: o.status for o in orders if o.status not in ("approved", "refunded")
            }
            slow_paid = [
                o.reference
                for o in orders
                if o.paying_until is not None and o.status in ("approved", "refunded")
            ]
            slow_reversed = [
                o.reference for o in orders if o.paying_until is not None and o.status == "reversed"
            ]
        paid, _back = shop_wallet_money(settings.db_path)
        assert held == paid
        assert len(slow_paid) == 1 and slow_paid[0] in paid  # confirmed after 1 s: sold
        assert len(slow_reversed) == 1 and status_of[slow_reversed[0]] == "reversed"
        assert slow_reversed[0] not in paid
        assert "declined" in gone.values()
        for reference, status in gone.items():
            assert status_of.get(reference) in ("declined", "reversed"), (reference, status)

        # the terminal: the declined card carried nothing; what it kept is the shop's card money
        assert any(t.kind == "sale" and t.result_code != 0 for t in sim.transactions)
        assert terminal_ledger(sim) == card_money(settings.db_path)

        # the agent pushes it all; hub and journal agree per tender; reconciliation is clean
        agent = SyncAgent(shop, HubClient(hub.base_url, enrolled.token, read_timeout=10))
        while syncstate.status(shop).pending_events:
            report = agent.run_round()
            assert report.error is None, report.error
        z = reports.z_report(shop, as_admin=True).as_dict()
        assert per_tender(hub.report(store_id, day.isoformat())) == per_tender(z)
        from cli.reconcile_cmd import fetch_and_reconcile

        notes: list[str] = []
        closing = ZvtTerminal(sim.path, ack_timeout=2.0, answer_timeout=5.0)
        try:
            recon = fetch_and_reconcile(shop, day, client=client, terminal=closing, notes=notes)
        finally:
            closing.close()
        assert recon.differences == (), [d.as_dict() for d in recon.differences]
        assert recon.settlement_checked and notes == []
        doc = recon.as_dict()
        assert doc["terminal_checked"] is True
        assert terminal_totals(doc["terminal"]) == shop_card_totals(
            doc["shop"]["card"], doc["terminal"]
        )
        check = integrity.check(shop)
        assert check.ok, check.render_text()
        client.close()
