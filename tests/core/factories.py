"""Small factories for the core tests: people, an open till, products, row counts."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text

from storebox import catalog, shifts, users
from storebox.catalog import ProductInfo
from storebox.db.models import Base, Product
from storebox.shop import Shop
from storebox.users import Actor


@dataclass(frozen=True)
class Till:
    owner: Actor
    cashier: Actor


def _owner(shop: Shop) -> Actor:
    owners = [a for a in users.list_users(shop) if a.is_owner]
    if owners:
        return owners[0]
    return users.create_user(shop, name="王老板", role="owner", pin="1234", by=None)


def make_people(shop: Shop) -> Till:
    """The owner (the one already there, if a product was made first) and a cashier."""
    owner = _owner(shop)
    cashier = users.create_user(shop, name="小李", role="cashier", pin="5678", by=owner)
    return Till(owner, cashier)


def open_till(shop: Shop, *, float_fen: int = 20_000) -> Till:
    """People and an open shift held by the cashier."""
    till = make_people(shop)
    shifts.open_shift(shop, till.cashier, float_fen)
    return till


def make_product(
    shop: Shop,
    name: str,
    price_fen: int,
    *,
    barcode: str | None = None,
    stock: int = 0,
    active: bool = True,
) -> ProductInfo:
    """A product through the catalogue's own use case (barcode, 'initial' stock move, event)."""
    owner = _owner(shop)
    info = catalog.add_product(
        shop,
        owner,
        name=name,
        price_fen=price_fen,
        barcodes=[barcode] if barcode else (),
        initial_stock=stock,
    )
    if not active:
        info = catalog.update_product(shop, owner, info.id, active=False)
    return info


def product_state(shop: Shop, product_id: str) -> tuple[int, int]:
    """(stock_qty, sold_qty) as stored now."""
    with shop.store.read() as session:
        product = session.get_one(Product, product_id)
        return product.stock_qty, product.sold_qty


def row_counts(shop: Shop) -> dict[str, int]:
    """Rows in every table of the schema."""
    with shop.store.read() as session:
        return {
            table.name: int(
                session.execute(text(f'SELECT count(*) FROM "{table.name}"')).scalar_one()
            )
            for table in Base.metadata.sorted_tables
        }


def changed_tables(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {name: after[name] - before[name] for name in before if after[name] != before[name]}
