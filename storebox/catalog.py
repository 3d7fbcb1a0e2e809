"""The shop's own goods: products, their barcodes, pinyin look-up keys and stock.

(Foundation only: the full catalogue use cases and ranked search are built on top of this.)
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from pypinyin import Style, lazy_pinyin
from sqlalchemy import select
from sqlalchemy.orm import Session

from storebox.db.models import Barcode, Product


@dataclass(frozen=True)
class ProductInfo:
    id: str
    name: str
    category: str
    unit: str
    price_fen: int
    cost_fen: int
    stock_qty: int
    reorder_level: int
    mall_sku: str | None
    barcodes: tuple[str, ...]
    pinyin: str
    initials: str
    active: bool


def normalize_name(name: str) -> str:
    """NFKC folds full-width letters and digits (ＡＢ１２) into their ASCII forms."""
    return " ".join(unicodedata.normalize("NFKC", name).split())


def _is_cjk(ch: str) -> bool:
    return (
        "\u3400" <= ch <= "\u9fff"
        or "\uf900" <= ch <= "\ufaff"
        or "\U00020000" <= ch <= "\U0002fa1f"
    )


def search_fields(name: str) -> tuple[str, str, str]:
    """(pinyin, initials, search_text) for a product name.

    pinyin: 'kekoukele330ml'; initials: 'kkl330ml' (助记码); search_text: '可 口 可 乐 330ml'
    — CJK characters split so that an FTS5 phrase query matches any substring.
    """
    name = normalize_name(name).lower()
    syllables = [s for s in lazy_pinyin(name, errors="default") if s.strip()]
    firsts = [s for s in lazy_pinyin(name, style=Style.FIRST_LETTER, errors="default") if s.strip()]
    pinyin = "".join("".join(ch for ch in s if ch.isalnum()) for s in syllables)
    initials = "".join("".join(ch for ch in s if ch.isalnum()) for s in firsts)
    parts: list[str] = []
    for ch in name:
        if _is_cjk(ch):
            parts.append(f" {ch} ")
        else:
            parts.append(ch)
    search_text = " ".join("".join(parts).split())
    return pinyin, initials, search_text


def to_info(session: Session, product: Product) -> ProductInfo:
    codes = session.scalars(select(Barcode.code).where(Barcode.product_id == product.id)).all()
    return ProductInfo(
        id=product.id,
        name=product.name,
        category=product.category,
        unit=product.unit,
        price_fen=product.price_fen,
        cost_fen=product.cost_fen,
        stock_qty=product.stock_qty,
        reorder_level=product.reorder_level,
        mall_sku=product.mall_sku,
        barcodes=tuple(codes),
        pinyin=product.pinyin,
        initials=product.initials,
        active=product.active,
    )


def find_by_barcode_in(session: Session, code: str) -> Product | None:
    return session.scalars(
        select(Product)
        .join(Barcode, Barcode.product_id == Product.id)
        .where(Barcode.code == code.strip())
    ).first()
