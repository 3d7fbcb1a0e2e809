"""The community mall's catalogue and wholesale price list, as the shop last pulled it.

The hub owns this data (DESIGN.md, "Authority"): the shop never edits it, it only replaces its
copy page by page as the sync agent pulls the `catalog` stream (`storebox.syncstate`), and
reads it to restock and to order futures. Writes here run inside the page's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storebox.db import raw
from storebox.db.models import MallItem
from storebox.errors import InvalidInput
from storebox.shop import Shop

STREAM = "catalog"


@dataclass(frozen=True)
class MallItemData:
    """One of the mall's goods with its price list entry (money in fen)."""

    sku: str
    name: str
    wholesale_price_fen: int
    retail_price_fen: int
    barcode: str | None = None
    spec: str = ""
    unit: str = "件"
    category: str = ""
    case_qty: int = 1
    active: bool = True

    @property
    def key(self) -> str:
        return self.sku

    def check(self) -> None:
        if not self.sku or not self.name:
            raise InvalidInput(f"mall item {self.sku!r}: sku and name are required")
        if self.case_qty < 1:
            raise InvalidInput(f"mall item {self.sku!r}: case_qty must be at least 1")
        if self.wholesale_price_fen < 0 or self.retail_price_fen < 0:
            raise InvalidInput(f"mall item {self.sku!r}: prices cannot be negative")


_UPSERT = (
    "INSERT INTO mall_items (sku, barcode, name, spec, unit, category, case_qty, "
    "wholesale_price_fen, retail_price_fen, active) VALUES (:sku, :barcode, :name, :spec, :unit, "
    ":category, :case_qty, :wholesale_price_fen, :retail_price_fen, :active) "
    "ON CONFLICT (sku) DO UPDATE SET barcode = excluded.barcode, name = excluded.name, "
    "spec = excluded.spec, unit = excluded.unit, category = excluded.category, "
    "case_qty = excluded.case_qty, wholesale_price_fen = excluded.wholesale_price_fen, "
    "retail_price_fen = excluded.retail_price_fen, active = excluded.active"
)


def upsert(session: Session, items: Sequence[object]) -> None:
    """Insert or replace items, in the caller's transaction (plain SQL: a page is 2,000 rows)."""
    rows = []
    for item in items:
        if not isinstance(item, MallItemData):
            raise InvalidInput(f"the catalog stream carries mall items, got {type(item).__name__}")
        item.check()
        rows.append(
            {
                "sku": item.sku,
                "barcode": item.barcode,
                "name": item.name,
                "spec": item.spec,
                "unit": item.unit,
                "category": item.category,
                "case_qty": item.case_qty,
                "wholesale_price_fen": item.wholesale_price_fen,
                "retail_price_fen": item.retail_price_fen,
                "active": 1 if item.active else 0,
            }
        )
    raw.connection(session).executemany(_UPSERT, rows)


def remove(session: Session, keys: Sequence[str]) -> None:
    raw.connection(session).executemany(
        "DELETE FROM mall_items WHERE sku = ?", [(k,) for k in keys]
    )


def clear(session: Session) -> int:
    return raw.connection(session).execute("DELETE FROM mall_items").rowcount


def _data(row: MallItem) -> MallItemData:
    return MallItemData(
        sku=row.sku,
        name=row.name,
        wholesale_price_fen=row.wholesale_price_fen,
        retail_price_fen=row.retail_price_fen,
        barcode=row.barcode,
        spec=row.spec,
        unit=row.unit,
        category=row.category,
        case_qty=row.case_qty,
        active=row.active,
    )


def count(shop: Shop, *, active_only: bool = False) -> int:
    query = select(func.count()).select_from(MallItem)
    if active_only:
        query = query.where(MallItem.active.is_(True))
    with shop.store.read() as session:
        return session.scalar(query) or 0


def get(shop: Shop, sku: str) -> MallItemData | None:
    with shop.store.read() as session:
        row = session.get(MallItem, sku)
        return None if row is None else _data(row)


def by_barcode(shop: Shop, barcode: str) -> list[MallItemData]:
    """The mall's items with this barcode (a case and a single can share one)."""
    with shop.store.read() as session:
        rows = session.scalars(
            select(MallItem).where(MallItem.barcode == barcode).order_by(MallItem.sku)
        ).all()
        return [_data(r) for r in rows]
