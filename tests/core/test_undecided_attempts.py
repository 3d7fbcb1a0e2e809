"""`sales.undecided_attempts`: the payments of unknown outcome the owner must see (the till's
red badge) are the open ones no live process waits on, with the device's last answer (masked
card, terminal references) kept beside them."""

from __future__ import annotations

from storebox import sales
from storebox.ports import PaymentResult, PaymentStatus
from storebox.shop import Shop
from tests.core.factories import open_till


def test_open_attempts_no_process_waits_on_are_listed_with_the_last_answer(shop: Shop) -> None:
    till = open_till(shop)
    left = sales.begin_attempt(shop, "card", "sale", 990, {"cart_id": "lost"})
    answer = PaymentResult(
        PaymentStatus.UNKNOWN,
        990,
        left,
        "line dropped",
        terminal_id="52500038",
        trace="000123",
        masked_pan="6212345678901234567",
    )
    sales.mark_attempt(shop, left, "unknown", answer, "no final answer")
    live = sales.begin_attempt(shop, "wallet", "sale", 500, {})
    try:
        # the first is still this process's own (in flight): nobody is asked to decide yet
        assert sales.undecided_attempts(shop) == []
        sales.release_attempts([left])
        (found,) = sales.undecided_attempts(shop)
        assert (found.reference, found.status, found.amount_fen) == (left, "unknown", 990)
        assert found.last["terminal_id"] == "52500038" and found.last["trace"] == "000123"
        assert found.last["masked_pan"] == "621234*********4567"  # never the full number
        # settled by the owner: no longer undecided, though 'charged' stays for follow-up
        sales.settle_attempt(shop, left, "charged", till.owner, "the bank statement shows it")
        assert sales.undecided_attempts(shop) == []
        assert [a.reference for a in sales.unsettled_attempts(shop)] == [left, live]
    finally:
        sales.release_attempts([live])
