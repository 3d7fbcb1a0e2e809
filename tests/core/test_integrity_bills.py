"""`storebox db check` on bill payments: each invariant holds on a day of real bill payments
(cash and card, success, failed and refunded, failed and still owed, a closed shift), and each
is found broken when the file is edited by hand the way it names — and only that one.

The books are written through the core's own use cases (`billpay.pay`, `billpay.refund`,
`shifts.close_shift`) with the fake biller platform and terminal; the damage is done with
plain sqlite3 on the file, as someone editing it would."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from storebox import billpay, integrity, shifts
from storebox.sales import Card, Cash
from storebox.shop import Shop
from tests.core.billpay_fixtures import CMB_CREDIT, install_billers
from tests.core.factories import open_till
from tests.fakes import FakeBillPay, FakeTerminal


@dataclass(frozen=True)
class Day:
    """The payments of the day, by what became of them (payment ids)."""

    cash_ok: str
    card_ok: str
    cash_refunded: str
    card_refunded: str
    still_owed: str
    shift_id: str


@pytest.fixture
def day(shop: Shop) -> Day:
    install_billers(shop)
    till = open_till(shop)
    terminal = FakeTerminal()
    port = FakeBillPay(submit_script=["success", "success", "failed", "failed", "failed"])
    cashier = till.cashier

    def pay(biller: str, account: str, amount: int, tender: Cash | Card) -> str:
        return billpay.pay(
            shop, cashier, biller, account, amount, tender, port=port, terminal=terminal
        ).payment_id

    cash_ok = pay("cmcc", "13812345678", 5_000, Cash(10_000))
    card_ok = pay("cc-repay", CMB_CREDIT, 20_000, Card(20_000))
    cash_refunded = pay("cmcc", "13912345678", 3_000, Cash(3_000))
    card_refunded = pay("cmcc", "13712345678", 2_000, Card(2_000))
    still_owed = pay("cmcc", "13612345678", 1_000, Cash(1_000))
    billpay.refund(shop, cashier, cash_refunded)
    billpay.refund(shop, cashier, card_refunded, terminal=terminal)
    with shop.store.read() as session:
        shift = shifts.require_open_shift(session, shop)
        expected = shifts.expected_cash(session, shift)
    # the drawer holds the float, the ¥50 top-up, the ¥10 still owed (the ¥30 went back)
    assert expected == 20_000 + 5_000 + 1_000
    shifts.close_shift(shop, cashier, expected)
    report = integrity.check(shop)
    assert report.ok, report.render_text()
    return Day(cash_ok, card_ok, cash_refunded, card_refunded, still_owed, shift.id)


def _edit(shop: Shop, *statements: tuple[str, tuple[object, ...]]) -> None:
    con = sqlite3.connect(shop.settings.db_path, isolation_level=None)
    try:
        for sql, params in statements:
            con.execute(sql, params)
    finally:
        con.close()


def _number(shop: Shop, payment_id: str) -> str:
    return billpay.find(shop, payment_id).number


def _broken(shop: Shop) -> dict[str, list[str]]:
    report = integrity.check(shop)
    assert not report.ok
    assert "PROBLEMS FOUND" in report.render_text()
    return report.broken_invariants


Breakage = Callable[[Day], list[tuple[str, tuple[object, ...]]]]

MONEY_BREAKAGES: dict[str, tuple[Breakage, str]] = {
    # the card attempt that charged the repayment says another amount
    "card attempt amount": (
        lambda d: [
            (
                "UPDATE payment_attempts SET amount_fen = amount_fen - 1 WHERE reference = "
                "(SELECT card_reference FROM bill_payments WHERE id = ?)",
                (d.card_ok,),
            )
        ],
        "card_ok",
    ),
    # the card payment's attempt is gone (nothing proves the terminal charged it)
    "card attempt missing": (
        lambda d: [
            (
                "DELETE FROM payment_attempts WHERE reference = "
                "(SELECT card_reference FROM bill_payments WHERE id = ?)",
                (d.card_ok,),
            )
        ],
        "card_ok",
    ),
    # a payment booked as card whose attempt was never used by it
    "card attempt not used": (
        lambda d: [
            (
                "UPDATE payment_attempts SET status = 'approved' WHERE reference = "
                "(SELECT card_reference FROM bill_payments WHERE id = ?)",
                (d.card_ok,),
            )
        ],
        "card_ok",
    ),
    # a cash payment that names a card attempt: which tender took the money?
    "cash payment naming a card": (
        lambda d: [
            ("UPDATE bill_payments SET card_reference = 'stray-ref' WHERE id = ?", (d.cash_ok,))
        ],
        "cash_ok",
    ),
}


@pytest.mark.parametrize("case", sorted(MONEY_BREAKAGES))
def test_a_payment_whose_money_is_not_its_amount_on_its_tender(
    shop: Shop, day: Day, case: str
) -> None:
    breakage, which = MONEY_BREAKAGES[case]
    _edit(shop, *breakage(day))
    broken = _broken(shop)
    assert broken == {"bill_payment_money_differs": [_number(shop, getattr(day, which))]}


def test_a_failed_payment_without_its_refund_task(shop: Shop, day: Day) -> None:
    _edit(shop, ("DELETE FROM bill_refunds WHERE payment_id = ?", (day.still_owed,)))
    assert _broken(shop) == {
        "bill_refund_task_not_one_per_failed_payment": [_number(shop, day.still_owed)]
    }


def test_a_refund_task_for_a_payment_that_did_not_fail(shop: Shop, day: Day) -> None:
    _edit(
        shop,
        (
            "INSERT INTO bill_refunds (id, payment_id, status, amount_fen, tender, reason, "
            "raised_at, receipt_no, masked_pan) VALUES ('0190bbbb-0000-7000-8000-000000000001', "
            "?, 'open', 5000, 'cash', 'by hand', '2026-11-25 02:00:00.000000', '', '')",
            (day.cash_ok,),
        ),
    )
    assert _broken(shop) == {
        "bill_refund_task_not_one_per_failed_payment": [_number(shop, day.cash_ok)]
    }


def test_two_refund_tasks_for_one_failed_payment(shop: Shop, day: Day) -> None:
    """UNIQUE(payment_id) keeps a second task out; a table rebuilt by hand has no such
    constraint, and the check still finds the second task (the customer would be paid twice)."""
    _edit(
        shop,
        ("PRAGMA foreign_keys = OFF", ()),
        ("CREATE TABLE bill_refunds_copy AS SELECT * FROM bill_refunds", ()),
        ("DROP TABLE bill_refunds", ()),
        ("ALTER TABLE bill_refunds_copy RENAME TO bill_refunds", ()),
        (
            "INSERT INTO bill_refunds SELECT '0190bbbb-0000-7000-8000-000000000002', payment_id, "
            "status, amount_fen, tender, reason, raised_at, done_at, shift_id, business_day, "
            "user_id, NULL, receipt_no, masked_pan FROM bill_refunds WHERE payment_id = ?",
            (day.still_owed,),
        ),
    )
    assert _broken(shop) == {
        "bill_refund_task_not_one_per_failed_payment": [_number(shop, day.still_owed)]
    }


REFUND_BREAKAGES: dict[str, tuple[Breakage, str]] = {
    # the task owes less than the customer paid
    "amount": (
        lambda d: [
            (
                "UPDATE bill_refunds SET amount_fen = amount_fen - 100 WHERE payment_id = ?",
                (d.still_owed,),
            )
        ],
        "still_owed",
    ),
    # the card refund's attempt gave back another amount than the task's
    "card refund attempt": (
        lambda d: [
            (
                "UPDATE payment_attempts SET amount_fen = amount_fen + 1 WHERE reference = "
                "(SELECT reference FROM bill_refunds WHERE payment_id = ?)",
                (d.card_refunded,),
            )
        ],
        "card_refunded",
    ),
    # a refund of a cash payment booked as gone back to a card
    "tender": (
        lambda d: [
            ("UPDATE bill_refunds SET tender = 'card' WHERE payment_id = ?", (d.cash_refunded,))
        ],
        "cash_refunded",
    ),
    # a cash refund paid out of no shift's drawer
    "cash refund without a drawer": (
        lambda d: [
            ("UPDATE bill_refunds SET shift_id = NULL WHERE payment_id = ?", (d.cash_refunded,))
        ],
        "cash_refunded",
    ),
}


@pytest.mark.parametrize("case", sorted(REFUND_BREAKAGES))
def test_a_refund_whose_money_is_not_the_payments(shop: Shop, day: Day, case: str) -> None:
    breakage, which = REFUND_BREAKAGES[case]
    _edit(shop, *breakage(day))
    broken = _broken(shop)
    number = _number(shop, getattr(day, which))
    if case in ("tender", "cash refund without a drawer"):
        # the closed shift's drawer no longer paid that cash out: its ledger differs too
        assert broken == {
            "bill_refund_money_differs": [number],
            "shift_expected_cash_differs": [day.shift_id],
        }
    else:
        assert broken == {"bill_refund_money_differs": [number]}


@pytest.mark.parametrize(
    ("kind", "which"),
    [("bill_payment.accepted", "card_ok"), ("bill_payment.refunded", "card_refunded")],
)
def test_a_payment_or_refund_whose_event_does_not_name_it(
    shop: Shop, day: Day, kind: str, which: str
) -> None:
    payment_id = getattr(day, which)
    _edit(
        shop,
        (
            "UPDATE outbox SET payload_json = json_set(payload_json, '$.payment_id', "
            "'0190cccc-0000-7000-8000-000000000000') WHERE kind = ? "
            "AND json_extract(payload_json, '$.payment_id') = ?",
            (kind, payment_id),
        ),
    )
    assert _broken(shop) == {"bill_payment_event_missing": [_number(shop, payment_id)]}


def test_an_accepted_event_with_another_amount(shop: Shop, day: Day) -> None:
    _edit(
        shop,
        (
            "UPDATE outbox SET payload_json = json_set(payload_json, '$.amount_fen', 4999) "
            "WHERE kind = 'bill_payment.accepted' "
            "AND json_extract(payload_json, '$.payment_id') = ?",
            (day.cash_ok,),
        ),
    )
    assert _broken(shop) == {"bill_payment_event_missing": [_number(shop, day.cash_ok)]}


def test_a_closed_shift_whose_expected_cash_left_out_the_bill_cash(shop: Shop, day: Day) -> None:
    """What a till that forgot the platform's money in its drawer would have frozen: the float
    and nothing else (the only cash of this shift was bill cash)."""
    _edit(shop, ("UPDATE shifts SET expected_fen = float_fen WHERE id = ?", (day.shift_id,)))
    assert _broken(shop) == {"shift_expected_cash_differs": [day.shift_id]}


def test_a_closed_shift_whose_expected_cash_kept_a_refunded_bill(shop: Shop, day: Day) -> None:
    """The ¥30 refunded in cash must leave the drawer's expected cash."""
    _edit(
        shop, ("UPDATE shifts SET expected_fen = expected_fen + 3000 WHERE id = ?", (day.shift_id,))
    )
    assert _broken(shop) == {"shift_expected_cash_differs": [day.shift_id]}
