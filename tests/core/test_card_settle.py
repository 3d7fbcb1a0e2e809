"""A card payment's match context is in its attempt row before the request leaves; the owner
settles, journaled, an attempt that no enquiry can decide; the ZVT driver matches a payment
it never sent (a fresh process) with that context."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping

import pytest
from sqlalchemy import select

from drivers.terminal.simulator import ZvtSimulator, serve_pty
from drivers.terminal.zvt.client import ZvtTerminal
from storebox import journal, sales
from storebox.catalog import ProductInfo
from storebox.db.models import JournalEntry, PaymentAttempt
from storebox.errors import (
    InvalidInput,
    NotFound,
    PaymentUnknown,
    PermissionDenied,
    RuleViolation,
    ShopError,
)
from storebox.ports import PaymentResult, PaymentStatus
from storebox.sales import Card, Cart
from storebox.shop import Shop
from tests.core.factories import Till, make_product, open_till
from tests.fakes import FakeTerminal


@pytest.fixture
def till(shop: Shop) -> Till:
    return open_till(shop)


@pytest.fixture
def cola(shop: Shop) -> ProductInfo:
    return make_product(shop, "可口可乐 330ml", 500, barcode="6901234567892", stock=10)


class NoTerminal(ShopError):
    pass


class MatchingTerminal(FakeTerminal):
    """A fake that also gives a match context, and checks it was stored before sending."""

    def __init__(self, shop: Shop) -> None:
        super().__init__()
        self.shop = shop
        self.stored: list[dict[str, object]] = []

    def match_context(self, amount_fen: int, reference: str) -> dict[str, str]:
        self.calls.append(("match_context", {"amount_fen": amount_fen}))
        return {"trace_before": "000100", "amount_fen": str(amount_fen)}

    def authorize(self, amount_fen: int, reference: str, on_status: object = None) -> PaymentResult:
        with self.shop.store.read() as session:
            row = session.scalars(
                select(PaymentAttempt).where(PaymentAttempt.reference == reference)
            ).one()
            self.stored.append(json.loads(row.result_json)["context"])
        return super().authorize(amount_fen, reference)

    def enquire_matching(self, reference: str, match: Mapping[str, str]) -> PaymentResult:
        self.calls.append(("enquire_matching", {"reference": reference, "match": dict(match)}))
        return self._enquire(reference)


def _left_open(shop: Shop, amount: int = 990) -> str:
    reference = sales.begin_attempt(shop, "card", "sale", amount, {"cart_id": "lost"})
    sales.release_attempts([reference])
    return reference


def test_the_match_context_is_in_the_row_before_the_request_leaves(
    shop: Shop, till: Till, cola: ProductInfo
) -> None:
    terminal = MatchingTerminal(shop)
    cart = Cart()
    sales.add_product(cart, cola, 2)
    sales.checkout(shop, till.cashier, cart, [Card(1000)], terminal=terminal)
    (context,) = terminal.stored
    assert context["terminal_match"] == {"trace_before": "000100", "amount_fen": "1000"}
    assert [c for c, _ in terminal.calls][:2] == ["match_context", "authorize"]


def test_an_unreachable_terminal_leaves_no_attempt(
    shop: Shop, till: Till, cola: ProductInfo
) -> None:
    class Unreachable(MatchingTerminal):
        def match_context(self, amount_fen: int, reference: str) -> dict[str, str]:
            raise NoTerminal("no terminal")

    cart = Cart()
    sales.add_product(cart, cola, 1)
    with pytest.raises(NoTerminal):
        sales.checkout(shop, till.cashier, cart, [Card(500)], terminal=Unreachable(shop))
    with shop.store.read() as session:
        assert session.scalars(select(PaymentAttempt)).all() == []


def test_the_owner_settles_an_undecidable_attempt_journaled(shop: Shop, till: Till) -> None:
    reference = _left_open(shop)
    with pytest.raises(PaymentUnknown):
        sales.refuse_if_unresolved(shop, {sales.CARD})
    with pytest.raises(PermissionDenied):
        sales.settle_attempt(shop, reference, "not-charged", till.cashier, "gone")
    with pytest.raises(InvalidInput):
        sales.settle_attempt(shop, reference, "maybe", till.owner, "gone")
    with pytest.raises(InvalidInput):
        sales.settle_attempt(shop, reference, "not-charged", till.owner, "  ")
    with pytest.raises(NotFound):
        sales.settle_attempt(shop, "nosuchattempt", "not-charged", till.owner, "gone")

    info = sales.settle_attempt(
        shop, reference[-8:], "not-charged", till.owner, "terminal replaced; slip shows none"
    )
    assert (info.reference, info.status) == (reference, "declined")
    assert "王老板" in info.message
    sales.refuse_if_unresolved(shop, {sales.CARD})  # no longer blocks
    assert sales.unsettled_attempts(shop) == []
    with pytest.raises(RuleViolation):
        sales.settle_attempt(shop, reference, "charged", till.owner, "again")
    with shop.store.read() as session:
        (entry,) = session.scalars(
            select(JournalEntry).where(JournalEntry.kind == "payment.settled_by_owner")
        ).all()
        payload = json.loads(entry.payload_json)
        assert journal.verify(session).ok
    assert payload["reference"] == reference
    assert (payload["outcome"], payload["status"], payload["was"]) == (
        "not-charged",
        "declined",
        "pending",
    )
    assert payload["amount_fen"] == 990 and payload["user_id"] == till.owner.user_id


def test_settled_as_charged_stays_listed_for_the_owner(shop: Shop, till: Till) -> None:
    reference = _left_open(shop, 1250)
    sales.settle_attempt(shop, reference, "charged", till.owner, "customer's bank shows it")
    sales.refuse_if_unresolved(shop, {sales.CARD})
    (listed,) = sales.unsettled_attempts(shop)
    assert (listed.reference, listed.status, listed.amount_fen) == (reference, "approved", 1250)


def test_an_attempt_a_live_till_waits_on_cannot_be_settled(shop: Shop, till: Till) -> None:
    reference = sales.begin_attempt(shop, "card", "sale", 990, {})
    try:
        with pytest.raises(RuleViolation):
            sales.settle_attempt(shop, reference, "not-charged", till.owner, "too early")
    finally:
        sales.release_attempts([reference])


# --- the ZVT driver, a fresh instance (a restarted till) -----------------------------------------


@pytest.fixture
def sim() -> Iterator[ZvtSimulator]:
    simulator, _path = serve_pty()
    yield simulator
    simulator.stop()


def _zvt(sim: ZvtSimulator) -> ZvtTerminal:
    return ZvtTerminal(sim.path, ack_timeout=1.0, answer_timeout=2.0, completion_timeout=5.0)


def test_a_fresh_driver_matches_what_another_sent(sim: ZvtSimulator) -> None:
    first = _zvt(sim)
    try:
        match = first.match_context(1000, "ref-a")
        assert first.authorize(1000, "ref-a").status is PaymentStatus.APPROVED
        declined_match = first.match_context(700, "ref-b")
    finally:
        first.close()
    assert match["trace_before"] and match["trace_before"] != declined_match["trace_before"]
    fresh = _zvt(sim)
    try:
        # without the context a fresh driver cannot tell (the bug this fixes)
        assert fresh.enquire("ref-a").status is PaymentStatus.UNKNOWN
        found = fresh.enquire_matching("ref-a", match)
        assert (found.status, found.amount_fen) == (PaymentStatus.APPROVED, 1000)
        assert found.receipt_no and found.masked_pan == "621234******7890"
        # ref-b was never sent: the terminal's last trace is where it stood before it
        assert fresh.enquire_matching("ref-b", declined_match).status is PaymentStatus.DECLINED
        # another amount than recorded: not this payment
        other = {**match, "amount_fen": "999"}
        assert fresh.enquire_matching("ref-c", other).status is PaymentStatus.UNKNOWN
        # recorded on another terminal
        elsewhere = {**match, "terminal_id": "52099999"}
        assert fresh.enquire_matching("ref-d", elsewhere).status is PaymentStatus.UNKNOWN
        # nothing recorded about where the terminal stood
        blind = {**match, "trace_before": ""}
        assert fresh.enquire_matching("ref-e", blind).status is PaymentStatus.UNKNOWN
    finally:
        fresh.close()
