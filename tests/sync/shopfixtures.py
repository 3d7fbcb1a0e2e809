"""Helpers for the agent's tests: sales made through the real core, outbox rows as stored."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from storebox import sales
from storebox.catalog import ProductInfo
from storebox.sales import Cart, Cash
from storebox.shop import Shop
from tests.core.factories import Till, make_product, open_till


@dataclass
class Counter:
    shop: Shop
    till: Till
    cola: ProductInfo
    bread: ProductInfo

    def sell(self, *, colas: int = 1, breads: int = 0, cash_fen: int = 10_000) -> sales.SaleReceipt:
        cart = Cart()
        for _ in range(colas):
            sales.add_product(cart, self.cola)
        for _ in range(breads):
            sales.add_product(cart, self.bread)
        return sales.checkout(self.shop, self.till.cashier, cart, [Cash(cash_fen)])


def open_counter(shop: Shop) -> Counter:
    cola = make_product(shop, "可口可乐 330ml", 350, barcode="6901939621233", stock=500)
    bread = make_product(shop, "桃李面包", 650, barcode="6948023402019", stock=500)
    return Counter(shop, open_till(shop), cola, bread)


def outbox_rows(shop: Shop) -> list[tuple[int, str, str, str, str | None]]:
    """(seq, event_id, kind, status, last_error) of every outbox row, in seq order."""
    con = sqlite3.connect(shop.settings.db_path)
    try:
        return [
            (int(r[0]), str(r[1]), str(r[2]), str(r[3]), r[4])
            for r in con.execute(
                "SELECT seq, event_id, kind, status, last_error FROM outbox ORDER BY seq"
            )
        ]
    finally:
        con.close()
