"""A shop-presented dynamic code (扫码付) at checkout: the attempt is written before the code is
made; the sale is recorded only when the acquirer confirms the payment for that amount."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from storebox import sales
from storebox.catalog import ProductInfo
from storebox.db.models import Payment, PaymentAttempt
from storebox.errors import PaymentDeclined, PaymentUnknown
from storebox.sales import Cart, Cash, QrPaid
from storebox.shop import Shop
from tests.core.factories import Till, make_product, open_till
from tests.fakes import FakeWallet, _Entry


@pytest.fixture
def till(shop: Shop) -> Till:
    return open_till(shop)


@pytest.fixture
def cola(shop: Shop) -> ProductInfo:
    return make_product(shop, "可口可乐 330ml", 500, barcode="6901234567892", stock=10)


def _cart(cola: ProductInfo, qty: int = 2) -> Cart:
    cart = Cart()
    sales.add_product(cart, cola, qty)
    return cart


def _attempts(shop: Shop) -> list[tuple[str, str, int]]:
    with shop.store.read() as session:
        rows = session.scalars(select(PaymentAttempt).order_by(PaymentAttempt.created_at)).all()
        return [(a.kind, a.status, a.amount_fen) for a in rows]


def _shown_and(wallet: FakeWallet, shop: Shop, amount: int, state: str) -> str:
    """The till begins the attempt, shows the code; the customer pays it (or not)."""
    reference = sales.begin_attempt(shop, sales.WALLET, "sale", amount, {"qr": True})
    wallet.ledger[reference] = _Entry("pay", amount, state, False)
    return reference


def test_a_paid_code_records_the_sale_with_cash_beside_it(
    shop: Shop, till: Till, cola: ProductInfo
) -> None:
    wallet = FakeWallet()
    cart = _cart(cola)  # 10.00
    reference = _shown_and(wallet, shop, 800, "approved")
    receipt = sales.checkout(
        shop, till.cashier, cart, [QrPaid(reference, 800), Cash(200)], wallet=wallet
    )
    assert sorted((p.kind, p.amount_fen) for p in receipt.payments) == [
        ("cash", 200),
        ("wallet", 800),
    ]
    with shop.store.read() as session:
        paid = session.scalars(select(Payment).where(Payment.kind == "wallet")).one()
        assert paid.reference == reference
    assert _attempts(shop) == [("wallet", "used", 800)]
    assert wallet.called("query") == [{"reference": reference}]
    assert wallet.called("micropay") == []  # nothing charged twice


def test_an_unpaid_code_sells_nothing(shop: Shop, till: Till, cola: ProductInfo) -> None:
    wallet = FakeWallet()
    cart = _cart(cola)
    reference = _shown_and(wallet, shop, 1000, "declined")
    with pytest.raises(PaymentDeclined):
        sales.checkout(shop, till.cashier, cart, [QrPaid(reference, 1000)], wallet=wallet)
    assert _attempts(shop) == [("wallet", "declined", 1000)]
    assert cart.closed_as is None


def test_a_code_the_acquirer_cannot_confirm_stays_open_to_be_resolved(
    shop: Shop, till: Till, cola: ProductInfo
) -> None:
    wallet = FakeWallet(reverse_script=["approve"])
    cart = _cart(cola)
    reference = _shown_and(wallet, shop, 1000, "unknown")
    with pytest.raises(PaymentUnknown):
        sales.checkout(shop, till.cashier, cart, [QrPaid(reference, 1000)], wallet=wallet)
    assert _attempts(shop) == [("wallet", "unknown", 1000)]
    touched = sales.resolve_open_attempts(shop, wallet=wallet)
    assert [(a.reference, a.status) for a in touched] == [(reference, "reversed")]
    assert wallet.charged_fen == 0
