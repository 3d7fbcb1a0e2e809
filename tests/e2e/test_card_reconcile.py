"""对账 of card money end to end: the till's real checkout and refunds through the ZVT driver to
the terminal simulator over a pty, then `storebox reconcile --terminal` running the terminal's
end-of-day (06 50, its totals in BMP 60) and matching them against the shop's books.

A clean day of approvals, a refund and a payment lost on the line then reversed by
`storebox payments resolve` has zero card differences. Dirty days made on purpose are each
found, with the sale they belong to when there is one: a payment the terminal approved whose
answer the shop lost (its attempt named), a payment reversed on the terminal's keypad, a refund
keyed on the terminal the shop never recorded. Two terminals on one device (a till and a kiosk)
reconcile each against the card transactions made on its own terminal id.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from cli.main import main
from drivers.terminal.simulator import TERMINAL_ID, ZvtSimulator, serve_pty
from drivers.terminal.zvt.client import ZvtTerminal
from storebox import catalog, config, refunds, sales, shifts, users
from storebox.errors import PaymentUnknown
from storebox.shop import Shop, open_shop

pytestmark = pytest.mark.slow

KIOSK_ID = "52099999"
VISA = (10, "VISA")


def ean13(stem: str) -> str:
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(stem))
    return stem + str((10 - total % 10) % 10)


GOODS = {1000: ean13("690123400001"), 2550: ean13("690123400002"), 700: ean13("690123400003")}


def settings_for(data_dir: Path) -> config.Settings:
    return config.load(environ={}, overrides={"data_dir": str(data_dir), "pin_scrypt_n": 16})


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("STOREBOX_PIN_SCRYPT_N", "16")
    monkeypatch.setenv("STOREBOX_CONFIG", "")
    data = tmp_path / "shop"
    with open_shop(settings_for(data)) as shop:
        owner = users.create_user(shop, name="owner", role="owner", pin="1234", by=None)
        cashier = users.create_user(shop, name="cashier", role="cashier", pin="5678", by=owner)
        for price, barcode in GOODS.items():
            catalog.add_product(
                shop,
                owner,
                name=f"商品 {price}",
                price_fen=price,
                barcodes=[barcode],
                initial_stock=50,
            )
        shifts.open_shift(shop, cashier, 20_000)
    return data


@pytest.fixture
def sims() -> Iterator[list[ZvtSimulator]]:
    started: list[ZvtSimulator] = []
    yield started
    for sim in started:
        sim.stop()


def simulator(sims: list[ZvtSimulator], terminal_id: str = TERMINAL_ID) -> ZvtSimulator:
    sim, _path = serve_pty(status_delay=0.01, terminal_id=terminal_id)
    sims.append(sim)
    return sim


def driver(sim: ZvtSimulator) -> ZvtTerminal:
    return ZvtTerminal(
        sim.path,
        ack_timeout=0.5,
        inter_byte_timeout=0.1,
        answer_timeout=1.0,
        completion_timeout=1.0,
    )


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def sell(shop: Shop, terminal: ZvtTerminal, price: int) -> sales.SaleReceipt:
    actor = users.authenticate(shop, "cashier", "5678")
    cart = sales.Cart()
    sales.add_barcode(shop, cart, GOODS[price], 1)
    return sales.checkout(shop, actor, cart, [sales.Card(cart.total_fen)], terminal=terminal)


def refund_all(shop: Shop, terminal: ZvtTerminal, receipt: sales.SaleReceipt) -> str:
    actor = users.authenticate(shop, "cashier", "5678")
    owner = users.authenticate(shop, "owner", "1234")
    done = refunds.refund(
        shop, actor, receipt.number, None, "顾客退货", approver=owner, terminal=terminal
    )
    return done.number


def card_receipt_no(receipt: sales.SaleReceipt) -> int:
    (card,) = [p for p in receipt.payments if p.kind == "card"]
    return int(card.receipt_no)


def lose_a_payment(shop: Shop, sim: ZvtSimulator, price: int) -> str:
    """A payment the terminal approves while the line goes deaf for longer than the till's
    enquiry and reversal: the till is left with an unknown attempt. Returns its reference."""
    sim.drop_seconds = 5.0
    sim.push("drop")
    terminal = driver(sim)
    try:
        with pytest.raises(PaymentUnknown):
            sell(shop, terminal, price)
    finally:
        terminal.close()
    wait_for(lambda: not sim.busy, 15, "the terminal's line to come back")
    (open_one,) = [a for a in sales.unsettled_attempts(shop) if a.status == "unknown"]
    assert open_one.amount_fen == price
    return open_one.reference


def reconcile(
    capsys: pytest.CaptureFixture[str], data_dir: Path, *sims: ZvtSimulator
) -> tuple[int, dict[str, object]]:
    args = ["reconcile", "--data-dir", str(data_dir), "--no-acquirer", "--json"]
    for sim in sims:
        args += ["--terminal", sim.path]
    code = main(args)
    out, err = capsys.readouterr()
    assert code in (0, 1), err
    document: dict[str, object] = json.loads(out)
    return code, document


def differences(document: dict[str, object]) -> list[dict[str, object]]:
    found = document["differences"]
    assert isinstance(found, list)
    return found


def test_a_clean_day_of_approvals_a_refund_and_a_resolved_reversal_has_no_card_differences(
    capsys: pytest.CaptureFixture[str], data_dir: Path, sims: list[ZvtSimulator]
) -> None:
    sim = simulator(sims)
    with open_shop(settings_for(data_dir)) as shop:
        terminal = driver(sim)
        try:
            first = sell(shop, terminal, 1000)
            sim.card = VISA
            sell(shop, terminal, 2550)
            sim.card = (0xC6, "UnionPay")
            refund_all(shop, terminal, first)
        finally:
            terminal.close()
        lost = lose_a_payment(shop, sim, 700)
    # the lost payment settled as the till does: asked, found approved with no sale, reversed
    code = main(["payments", "resolve", "--data-dir", str(data_dir), "--terminal", sim.path])
    capsys.readouterr()
    assert code == 0
    with open_shop(settings_for(data_dir)) as shop:
        assert [a.reference for a in sales.unsettled_attempts(shop)] == []
    assert [(t.kind, t.amount_fen, t.reversed) for t in sim.batch] == [
        ("sale", 1000, False),
        ("sale", 2550, False),
        ("refund", 1000, False),
        ("sale", 700, True),
        ("reversal", 700, False),
    ]

    code, doc = reconcile(capsys, data_dir, sim)
    assert code == 0 and doc["clean"] is True and differences(doc) == [], doc
    terminal_doc = doc["terminal"]
    assert isinstance(terminal_doc, dict)
    assert terminal_doc["terminal_id"] == TERMINAL_ID and terminal_doc["basis"] == "net"
    assert (terminal_doc["payments_count"], terminal_doc["payments_fen"]) == (3, 2550)
    schemes = {s["scheme"]: (s["count"], s["amount_fen"]) for s in terminal_doc["schemes"]}
    assert schemes["Visa"] == (1, 2550) and schemes["other"] == (2, 0)
    assert sim.batch == []  # the terminal's batch is closed
    assert lost  # (its reference: reversed, so neither side counts it)


def test_a_payment_approved_whose_answer_the_shop_lost_is_found_with_its_attempt(
    capsys: pytest.CaptureFixture[str], data_dir: Path, sims: list[ZvtSimulator]
) -> None:
    sim = simulator(sims)
    with open_shop(settings_for(data_dir)) as shop:
        terminal = driver(sim)
        try:
            sell(shop, terminal, 1000)
        finally:
            terminal.close()
        lost = lose_a_payment(shop, sim, 700)

    code, doc = reconcile(capsys, data_dir, sim)
    assert code == 1
    found = {(d["kind"], d["reference"]) for d in differences(doc)}
    assert found == {
        ("terminal_count", ""),
        ("terminal_amount", ""),
        ("terminal_scheme", ""),
        ("missing_in_shop", lost),
    }
    (named,) = [d for d in differences(doc) if d["kind"] == "missing_in_shop"]
    assert named["tender"] == "card" and named["other_fen"] == 700
    assert "still unknown: resolve it" in str(named["detail"])
    assert f"terminal {TERMINAL_ID}" in str(named["detail"])
    (amount,) = [d for d in differences(doc) if d["kind"] == "terminal_amount"]
    assert (amount["shop_fen"], amount["other_fen"]) == (1000, 1700)


def test_a_payment_reversed_on_the_terminal_is_found_with_its_sale(
    capsys: pytest.CaptureFixture[str], data_dir: Path, sims: list[ZvtSimulator]
) -> None:
    sim = simulator(sims)
    with open_shop(settings_for(data_dir)) as shop:
        terminal = driver(sim)
        try:
            sell(shop, terminal, 1000)
            second = sell(shop, terminal, 2550)
            sell(shop, terminal, 700)
        finally:
            terminal.close()
    sim.reverse_at_terminal(card_receipt_no(second))  # the cashier, on the terminal's keypad

    code, doc = reconcile(capsys, data_dir, sim)
    assert code == 1
    kinds = sorted(str(d["kind"]) for d in differences(doc))
    assert kinds == ["missing_at_terminal", "terminal_amount", "terminal_count", "terminal_scheme"]
    (named,) = [d for d in differences(doc) if d["kind"] == "missing_at_terminal"]
    assert named["sale_number"] == second.number and named["sale_id"] == second.sale_id
    assert (named["shop_fen"], named["other_fen"]) == (2550, 0)


def test_a_refund_keyed_on_the_terminal_the_shop_never_recorded_is_found(
    capsys: pytest.CaptureFixture[str], data_dir: Path, sims: list[ZvtSimulator]
) -> None:
    sim = simulator(sims)
    with open_shop(settings_for(data_dir)) as shop:
        terminal = driver(sim)
        try:
            sell(shop, terminal, 1000)
            second = sell(shop, terminal, 2550)
        finally:
            terminal.close()
    sim.refund_at_terminal(2550)

    code, doc = reconcile(capsys, data_dir, sim)
    assert code == 1
    (named,) = [d for d in differences(doc) if d["kind"] == "missing_in_shop"]
    assert named["sale_number"] == second.number and named["other_fen"] == 2550
    assert "refund of" in str(named["detail"])
    (count,) = [d for d in differences(doc) if d["kind"] == "terminal_count"]
    assert "the shop has 2, the terminal 3" in str(count["detail"])


def test_two_terminals_on_one_device_are_each_reconciled_against_their_own_payments(
    capsys: pytest.CaptureFixture[str], data_dir: Path, sims: list[ZvtSimulator]
) -> None:
    till, kiosk = simulator(sims), simulator(sims, terminal_id=KIOSK_ID)
    with open_shop(settings_for(data_dir)) as shop:
        at_till, at_kiosk = driver(till), driver(kiosk)
        try:
            first = sell(shop, at_till, 1000)
            kiosk.card = VISA
            sell(shop, at_kiosk, 2550)
            kiosk.card = (0xC6, "UnionPay")  # the customer's card comes back for the refund
            refund_all(shop, at_kiosk, first)  # a till's payment refunded at the kiosk
            sell(shop, at_till, 700)
        finally:
            at_till.close()
            at_kiosk.close()

    # each terminal's end-of-day on its own: only its own transactions are compared, the
    # refund counted where it went through (its attempt's terminal id)
    code, doc = reconcile(capsys, data_dir, kiosk)
    assert code == 0 and differences(doc) == [], doc
    code, doc = reconcile(capsys, data_dir, till)
    assert code == 0 and differences(doc) == [], doc
    terminal_doc = doc["terminal"]
    assert isinstance(terminal_doc, dict)
    assert (terminal_doc["terminal_id"], terminal_doc["payments_fen"]) == (TERMINAL_ID, 1700)


def test_two_terminals_in_one_run_name_the_one_that_differs(
    capsys: pytest.CaptureFixture[str], data_dir: Path, sims: list[ZvtSimulator]
) -> None:
    till, kiosk = simulator(sims), simulator(sims, terminal_id=KIOSK_ID)
    with open_shop(settings_for(data_dir)) as shop:
        at_till, at_kiosk = driver(till), driver(kiosk)
        try:
            sell(shop, at_till, 1000)
            sell(shop, at_till, 2550)
            at_the_kiosk = sell(shop, at_kiosk, 700)
            sell(shop, at_kiosk, 1000)
        finally:
            at_till.close()
            at_kiosk.close()
    kiosk.reverse_at_terminal(card_receipt_no(at_the_kiosk))

    code, doc = reconcile(capsys, data_dir, till, kiosk)
    assert code == 1
    terminals = doc["terminals"]
    assert isinstance(terminals, list)
    assert [t["terminal_id"] for t in terminals] == [TERMINAL_ID, KIOSK_ID]
    found = differences(doc)
    assert all(f"terminal {KIOSK_ID}" in str(d["detail"]) for d in found), found
    (named,) = [d for d in found if d["kind"] == "missing_at_terminal"]
    assert named["sale_number"] == at_the_kiosk.number
