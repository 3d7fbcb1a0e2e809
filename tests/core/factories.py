"""Small factories for the core tests: people, an open till, products, row counts."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, text

from storebox import catalog, shifts, users
from storebox.catalog import ProductInfo
from storebox.db.models import Barcode, Base, Product, StockMove
from storebox.ids import new_id
from storebox.shop import Shop
from storebox.users import Actor


@dataclass(frozen=True)
class Till:
    owner: Actor
    cashier: Actor


def make_people(shop: Shop) -> Till:
    owner = users.create_user(shop, name="王老板", role="owner", pin="1234", by=None)
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
    """A product with a barcode (and an 'initial' stock move, so stock equals its ledger)."""
    pinyin, initials, search_text = catalog.search_fields(name)
    now = shop.now()
    with shop.store.write() as session:
        search_id = int(session.scalar(select(func.coalesce(func.max(Product.search_id), 0))) or 0)
        product = Product(
            id=new_id(),
            search_id=search_id + 1,
            name=name,
            search_text=search_text,
            pinyin=pinyin,
            initials=initials,
            category="",
            unit="个",
            price_fen=price_fen,
            cost_fen=0,
            stock_qty=stock,
            reorder_level=0,
            mall_sku=None,
            sold_qty=0,
            active=active,
            created_at=now,
            updated_at=now,
        )
        session.add(product)
        session.flush()
        code = barcode or f"20{search_id + 1:011d}"
        session.add(Barcode(code=code, product_id=product.id, kind="shop"))
        if stock:
            session.add(
                StockMove(
                    id=new_id(),
                    product_id=product.id,
                    qty_delta=stock,
                    reason="initial",
                    ref_id=None,
                    note="",
                    user_id=None,
                    at=now,
                )
            )
        session.flush()
        return catalog.to_info(session, product)


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
