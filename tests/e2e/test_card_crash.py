"""A till killed (SIGKILL) in the middle of a card payment, and a fresh process that settles it.

Real processes on one real SQLite file, the real ZVT driver talking to the terminal simulator
over a real pty. The child runs the core's checkout with a card tender and is killed:

- after the terminal approved (the simulator's ``stall``: the transaction is on the terminal's
  ledger, its result not yet sent) and before the sale was recorded. A fresh process matches
  the terminal's last transaction with what the attempt row recorded before the request left
  (the trace number before it, the amount): approved with no sale — so it is reversed on the
  terminal (the core's rule: never charged for a sale that did not complete). The simulator's
  ledger shows the sale reversed once; the next card payment goes through.
- before the terminal approved (while it was prompting): the terminal never carried it out,
  so the fresh process closes it as not charged, and nothing is reversed.

Without the recorded context (the driver kept it in memory only) the attempt stays unknown and
every later card payment is refused: these tests fail.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from drivers.terminal.simulator import ZvtSimulator, serve_pty
from drivers.terminal.zvt.client import ZvtTerminal
from storebox import catalog, config, integrity, sales, shifts, users
from storebox.db.models import JournalEntry, Payment, PaymentAttempt
from storebox.errors import PaymentUnknown
from storebox.ports import MatchableTerminal
from storebox.shop import Shop, open_shop

pytestmark = pytest.mark.slow

BARCODE = "6901234567892"
PRICE = 500

CHILD = r"""
import sys
from drivers.terminal.zvt.client import ZvtTerminal
from storebox import config, sales, users
from storebox.shop import open_shop

data_dir, path = sys.argv[1], sys.argv[2]
settings = config.load(environ={}, overrides={"data_dir": data_dir, "pin_scrypt_n": 16})
with open_shop(settings) as shop:
    actor = users.authenticate(shop, "cashier", "5678")
    cart = sales.Cart()
    sales.add_barcode(shop, cart, sys.argv[3], 2)
    terminal = ZvtTerminal(path, ack_timeout=5.0, answer_timeout=30.0, completion_timeout=60.0)
    print("paying", flush=True)
    receipt = sales.checkout(shop, actor, cart, [sales.Card(cart.total_fen)], terminal=terminal)
    print("recorded", receipt.number, flush=True)
"""


def settings_for(data_dir: Path) -> config.Settings:
    return config.load(environ={}, overrides={"data_dir": str(data_dir), "pin_scrypt_n": 16})


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    data = tmp_path / "shop"
    with open_shop(settings_for(data)) as shop:
        owner = users.create_user(shop, name="owner", role="owner", pin="1234", by=None)
        cashier = users.create_user(shop, name="cashier", role="cashier", pin="5678", by=owner)
        catalog.add_product(
            shop,
            owner,
            name="可口可乐 330ml",
            price_fen=PRICE,
            barcodes=[BARCODE],
            initial_stock=10,
        )
        shifts.open_shift(shop, cashier, 20_000)
    return data


@pytest.fixture
def sim() -> Iterator[ZvtSimulator]:
    simulator, _path = serve_pty(status_delay=1.0, patience=2.0)
    yield simulator
    simulator.stop()


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


def start_child(data_dir: Path, sim: ZvtSimulator) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(data_dir), sim.path, BARCODE],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )


def kill(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    if proc.stdout is not None:
        out = proc.stdout.read().decode()
        assert "recorded" not in out, out  # killed before the sale was recorded
        proc.stdout.close()
    if proc.stderr is not None:
        proc.stderr.close()


def open_attempts(shop: Shop) -> list[tuple[str, str, int, dict[str, object]]]:
    with shop.store.read() as session:
        rows = session.scalars(select(PaymentAttempt).order_by(PaymentAttempt.created_at)).all()
        return [
            (a.kind, a.status, a.amount_fen, json.loads(a.result_json).get("context", {}))
            for a in rows
        ]


def card_payments(shop: Shop) -> list[int]:
    with shop.store.read() as session:
        return [p.amount_fen for p in session.scalars(select(Payment)).all()]


def pay_again(shop: Shop, terminal: ZvtTerminal) -> sales.SaleReceipt:
    actor = users.authenticate(shop, "cashier", "5678")
    cart = sales.Cart()
    sales.add_barcode(shop, cart, BARCODE, 1)
    return sales.checkout(shop, actor, cart, [sales.Card(cart.total_fen)], terminal=terminal)


def fresh_terminal(sim: ZvtSimulator) -> ZvtTerminal:
    return ZvtTerminal(sim.path, ack_timeout=2.0, answer_timeout=5.0, completion_timeout=10.0)


def test_killed_after_the_terminal_approved_a_fresh_process_reverses_it(
    data_dir: Path, sim: ZvtSimulator
) -> None:
    sim.push("stall")  # approved on the terminal at once; its result sent 2 s later
    child = start_child(data_dir, sim)
    try:
        wait_for(lambda: bool(sim.transactions), 60, "the terminal to carry out the payment")
    finally:
        kill(child)
    (tx,) = sim.transactions
    assert (tx.kind, tx.amount_fen, tx.result_code, tx.reversed) == ("sale", 2 * PRICE, 0, False)

    with open_shop(settings_for(data_dir)) as shop:
        ((kind, status, amount, context),) = open_attempts(shop)
        assert (kind, status, amount) == ("card", "pending", 2 * PRICE)
        match = context.get("terminal_match")
        assert isinstance(match, dict)
        assert match["amount_fen"] == str(2 * PRICE) and match["trace_before"]
        assert card_payments(shop) == []
        # the dead till blocks card payments until its attempt is settled
        with pytest.raises(PaymentUnknown):
            sales.refuse_if_unresolved(shop, {sales.CARD})

        wait_for(lambda: not sim.busy, 15, "the terminal to give up on the dead till")
        terminal = fresh_terminal(sim)
        assert isinstance(terminal, MatchableTerminal)
        try:
            (settled,) = sales.resolve_open_attempts(shop, terminal=terminal)
            assert settled.status == "reversed", settled.message
            # the customer: charged and the charge reversed on the terminal, exactly once
            assert [(t.kind, t.amount_fen, t.result_code) for t in sim.transactions] == [
                ("sale", 2 * PRICE, 0),
                ("reversal", 2 * PRICE, 0),
            ]
            assert sim.transactions[0].reversed
            assert card_payments(shop) == []  # no sale: the goods did not leave
            assert sales.resolve_open_attempts(shop, terminal=terminal) == []

            receipt = pay_again(shop, terminal)  # the next card payment works
        finally:
            terminal.close()
        assert receipt.total_fen == PRICE
        assert card_payments(shop) == [PRICE]
        assert [(t.kind, t.amount_fen, t.reversed) for t in sim.transactions] == [
            ("sale", 2 * PRICE, True),
            ("reversal", 2 * PRICE, False),
            ("sale", PRICE, False),
        ]
        statuses = sorted(s for _k, s, _a, _c in open_attempts(shop))
        assert statuses == ["reversed", "used"]
        report = integrity.check(shop)
        assert report.ok, report.render_text()


def test_killed_before_the_terminal_approved_is_settled_as_not_charged(
    data_dir: Path, sim: ZvtSimulator
) -> None:
    sim.push("slow")  # prompts (insert card, PIN …) 1 s apart before approving
    child = start_child(data_dir, sim)
    try:
        wait_for(
            lambda: any(c.command == (0x06, 0x01) for c in sim.received),
            60,
            "the authorisation to reach the terminal",
        )
        time.sleep(0.3)  # the first prompt answered; the next comes 1 s later
    finally:
        kill(child)
    wait_for(lambda: not sim.busy, 15, "the terminal to give up on the dead till")
    assert sim.transactions == []  # the customer never got as far as paying

    with open_shop(settings_for(data_dir)) as shop:
        ((_kind, status, _amount, _context),) = open_attempts(shop)
        assert status == "pending"
        terminal = fresh_terminal(sim)
        try:
            (settled,) = sales.resolve_open_attempts(shop, terminal=terminal)
            assert settled.status == "declined", settled.message
            assert sim.transactions == []  # nothing charged, nothing to reverse
            sales.refuse_if_unresolved(shop, {sales.CARD})  # no longer blocks
            receipt = pay_again(shop, terminal)
        finally:
            terminal.close()
        assert receipt.total_fen == PRICE
        assert card_payments(shop) == [PRICE]
        assert [(t.kind, t.amount_fen) for t in sim.transactions] == [("sale", PRICE)]


def storebox(data_dir: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cli", *args, "--data-dir", str(data_dir)],
        check=False,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "STOREBOX_PIN_SCRYPT_N": "16"},
    )


def test_a_replaced_terminal_cannot_tell_so_the_owner_settles_it_from_the_command_line(
    data_dir: Path, sim: ZvtSimulator
) -> None:
    sim.push("stall")
    child = start_child(data_dir, sim)
    try:
        wait_for(lambda: bool(sim.transactions), 60, "the terminal to carry out the payment")
    finally:
        kill(child)
    wait_for(lambda: not sim.busy, 15, "the terminal to give up on the dead till")
    # the old terminal goes back to the bank; a new one, with its own id and a fresh ledger
    # whose trace number happens to be where the old one stood before the payment
    new, _path = serve_pty(terminal_id="52099999")
    try:
        done = storebox(data_dir, "payments", "resolve", "--terminal", new.path, "--json")
        assert done.returncode == 1, done.stderr
        (row,) = json.loads(done.stdout)["attempts"]
        assert row["status"] == "unknown"  # never "not charged" on another terminal's word
        assert new.transactions == []  # and nothing reversed on the wrong terminal
        with open_shop(settings_for(data_dir)) as shop, pytest.raises(PaymentUnknown):
            sales.refuse_if_unresolved(shop, {sales.CARD})

        tail = row["reference"][-8:]
        args = ["payments", "settle", tail, "--as", "charged", "--by", "cashier"]
        refused = storebox(data_dir, *args, "--reason", "x", "--pin-stdin", stdin="5678\n")
        assert refused.returncode == 2  # only the owner
        settled = storebox(
            data_dir,
            *args[:-1],
            "owner",
            "--reason",
            "old terminal's slip shows it; given back in cash",
            "--pin-stdin",
            "--json",
            stdin="1234\n",
        )
        assert settled.returncode == 0, settled.stderr
        assert json.loads(settled.stdout)["status"] == "approved"
        again = storebox(
            data_dir, *args[:-1], "owner", "--reason", "y", "--pin-stdin", stdin="1234\n"
        )
        assert again.returncode == 2  # settled once only

        listed = storebox(data_dir, "payments", "list", "--json")
        (still,) = json.loads(listed.stdout)["attempts"]  # money taken, no sale: to follow up
        assert still["status"] == "approved" and "owner" in still["message"]

        with open_shop(settings_for(data_dir)) as shop:
            sales.refuse_if_unresolved(shop, {sales.CARD})  # the till is free again
            with shop.store.read() as session:
                (entry,) = session.scalars(
                    select(JournalEntry).where(JournalEntry.kind == "payment.settled_by_owner")
                ).all()
                payload = json.loads(entry.payload_json)
            assert (payload["outcome"], payload["amount_fen"], payload["user_name"]) == (
                "charged",
                2 * PRICE,
                "owner",
            )
            terminal = fresh_terminal(new)
            try:
                receipt = pay_again(shop, terminal)
            finally:
                terminal.close()
            assert receipt.total_fen == PRICE
            assert [(t.kind, t.amount_fen) for t in new.transactions] == [("sale", PRICE)]
            report = integrity.check(shop)
            assert report.ok, report.render_text()
    finally:
        new.stop()
