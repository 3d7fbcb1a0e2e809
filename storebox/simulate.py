"""A realistic stream of shop activity through the real use cases.

Used by `storebox simulate` and `storebox demo`, by the load benchmark and by the crash tests
(which kill this loop with SIGKILL at random moments). Every step goes through the same use
cases a cashier's window calls — scanning barcodes into a cart, paying cash, refunds, voids,
cash out, shift changes — so what the simulation proves, the shop does.

Shoppers buy a few popular goods more than the long tail (a Zipf-like weight), mostly one of
each; they pay with a round note; about one cart in thirty is abandoned (a void), about one sale
in twenty-five comes back for a refund, the till hands over to the next cashier every
`shift_every` sales, and a small variance is counted now and then.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from storebox import refunds, sales, shifts
from storebox.db.models import Barcode, Product
from storebox.errors import ShopError
from storebox.shop import Shop
from storebox.users import Actor

NOTES_FEN = (1_000, 2_000, 5_000, 10_000)


@dataclass
class SimulationResult:
    sales: int = 0
    sales_total_fen: int = 0
    refunds: int = 0
    refunds_total_fen: int = 0
    voids: int = 0
    shifts_closed: int = 0
    cash_outs: int = 0
    refused: dict[str, int] = field(default_factory=dict)
    last_sale_number: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "sales_count": self.sales,
            "sales_total_fen": self.sales_total_fen,
            "refunds_count": self.refunds,
            "refunds_total_fen": self.refunds_total_fen,
            "voids_count": self.voids,
            "shifts_closed": self.shifts_closed,
            "cash_outs": self.cash_outs,
            "refused": self.refused,
            "last_sale_number": self.last_sale_number,
        }


def shelf(shop: Shop) -> list[str]:
    """Barcodes of the active goods, best sellers first (they are picked most)."""
    with shop.store.read() as session:
        rows = session.execute(
            select(Barcode.code)
            .join(Product, Product.id == Barcode.product_id)
            .where(Product.active)
            .order_by(Product.sold_qty.desc(), Barcode.code)
        ).all()
    return [r[0] for r in rows]


def tender_for(total_fen: int, rnd: random.Random) -> int:
    """What a customer hands over: exact money sometimes, else the next round note(s)."""
    if rnd.random() < 0.25:
        return total_fen
    for note in NOTES_FEN:
        if note >= total_fen:
            return note
    return -(-total_fen // 10_000) * 10_000


def run(
    shop: Shop,
    cashiers: list[Actor],
    owner: Actor,
    *,
    sales_count: int,
    seed: int = 1,
    shift_every: int = 80,
    float_fen: int = 50_000,
    on_sale: Callable[[sales.SaleReceipt], None] | None = None,
) -> SimulationResult:
    if not cashiers:
        raise ValueError("at least one cashier is needed")
    rnd = random.Random(seed)
    codes = shelf(shop)
    if not codes:
        raise ShopError("没有商品，无法模拟 / the catalogue is empty; nothing to sell")
    weights = [1 / (rank + 1) ** 0.9 for rank in range(len(codes))]
    result = SimulationResult()
    recent: list[str] = []
    cashier = rnd.choice(cashiers)

    def refused(exc: ShopError) -> None:
        result.refused[exc.code] = result.refused.get(exc.code, 0) + 1

    with shop.store.read() as session:
        open_now = shifts.current_shift(session, shop)
    if open_now is None:
        shifts.open_shift(shop, cashier, float_fen)

    while result.sales < sales_count:
        cart = sales.Cart()
        for code in rnd.choices(codes, weights=weights, k=rnd.choice((1, 1, 2, 2, 3, 3, 4, 5))):
            qty = 1 if rnd.random() < 0.85 else rnd.randint(2, 6)
            sales.add_barcode(shop, cart, code, qty)
        if rnd.random() < 1 / 30:
            sales.void_cart(shop, cashier, cart, "顾客不要了 / customer changed their mind")
            result.voids += 1
            continue
        receipt = sales.checkout(shop, cashier, cart, [sales.Cash(tender_for(cart.total_fen, rnd))])
        result.sales += 1
        result.sales_total_fen += receipt.total_fen
        result.last_sale_number = receipt.number
        recent.append(receipt.number)
        del recent[:-50]
        if on_sale is not None:
            on_sale(receipt)

        if recent and rnd.random() < 1 / 25:
            number = rnd.choice(recent)
            try:
                back = refunds.refund(
                    shop, cashier, number, None, "顾客退货 / customer returned it", approver=owner
                )
            except ShopError as exc:  # already refunded in full: a real answer, counted
                refused(exc)
            else:
                result.refunds += 1
                result.refunds_total_fen += back.total_fen

        if rnd.random() < 1 / 200:
            try:
                shifts.cash_out(shop, cashier, 10_000, "存入银行 / banked")
                result.cash_outs += 1
            except ShopError as exc:
                refused(exc)

        if result.sales % shift_every == 0:
            with shop.store.read() as session:
                shift = shifts.require_open_shift(session, shop)
                expected = shifts.expected_cash(session, shift)
            variance = rnd.choice((0, 0, 0, 0, -100, 50))
            closer = cashier if shift.user_id == cashier.user_id else owner
            shifts.close_shift(shop, closer, max(0, expected + variance), shift_id=shift.id)
            result.shifts_closed += 1
            cashier = rnd.choice(cashiers)
            shifts.open_shift(shop, cashier, float_fen)
    return result
