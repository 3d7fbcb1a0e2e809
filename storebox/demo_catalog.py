"""The demo shop's shelves: about 300 real goods of a Chinese community convenience store.

The list lives in `resources/demo/products.csv` (brands and names real, barcodes synthetic
but valid EAN-13 with GS1 China prefixes 690–695). Seeding goes through `catalog.add_product`,
so every demo product is checked, indexed and journalled exactly like one the owner adds, and
it is idempotent: a product whose barcode is already in the catalogue is skipped.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from importlib import resources

from storebox import catalog
from storebox.errors import InvalidInput
from storebox.shop import Shop
from storebox.users import Actor, require_owner

#: `resources` is a package (it has an __init__.py); `demo/` is a plain folder inside it.
PACKAGE = "resources"
FILENAME = "products.csv"
COLUMNS = (
    "barcode",
    "name",
    "category",
    "unit",
    "price_fen",
    "cost_fen",
    "initial_stock",
    "reorder_level",
)


@dataclass(frozen=True)
class DemoProduct:
    barcode: str
    name: str
    category: str
    unit: str
    price_fen: int
    cost_fen: int
    initial_stock: int
    reorder_level: int


def read_demo_products() -> list[DemoProduct]:
    """The demo CSV, parsed; '#' lines are comments. A malformed row names its line."""
    source = resources.files(PACKAGE).joinpath("demo", FILENAME).read_text(encoding="utf-8")
    lines = [line for line in source.splitlines() if not line.startswith("#")]
    reader = csv.DictReader(io.StringIO("\n".join(lines)))
    if tuple(reader.fieldnames or ()) != COLUMNS:
        raise InvalidInput(f"{FILENAME}: 列名不对 / expected columns {', '.join(COLUMNS)}")
    products: list[DemoProduct] = []
    for row in reader:
        try:
            products.append(
                DemoProduct(
                    barcode=row["barcode"],
                    name=row["name"],
                    category=row["category"],
                    unit=row["unit"],
                    price_fen=int(row["price_fen"]),
                    cost_fen=int(row["cost_fen"]),
                    initial_stock=int(row["initial_stock"]),
                    reorder_level=int(row["reorder_level"]),
                )
            )
        except (TypeError, ValueError) as exc:
            raise InvalidInput(
                f"{FILENAME} 第 {reader.line_num} 行有误 / bad data row {reader.line_num}: {exc}"
            ) from None
    return products


def seed_catalog(shop: Shop, actor: Actor) -> int:
    """Add every demo product whose barcode is not in the catalogue yet; returns how many."""
    require_owner(actor, "load the demo catalogue")
    added = 0
    for item in read_demo_products():
        if catalog.find_by_barcode(shop, item.barcode) is not None:
            continue
        catalog.add_product(
            shop,
            actor,
            name=item.name,
            price_fen=item.price_fen,
            barcodes=(item.barcode,),
            category=item.category,
            unit=item.unit,
            cost_fen=item.cost_fen,
            initial_stock=item.initial_stock,
            reorder_level=item.reorder_level,
        )
        added += 1
    return added
