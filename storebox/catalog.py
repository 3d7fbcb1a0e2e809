"""The shop's own goods: products, their barcodes, pinyin look-up keys, stock and search.

Use cases take the open `Shop`; each one that changes something is one write transaction
that also journals the change and queues it for the hub (`outbox.record`). Bad input raises
`InvalidInput` before anything is written, and a refused write leaves the database as it was.

Search
------
A cashier types one of: a barcode; part of the Chinese name (any length from one
character); the pinyin initials (助记码, 'nfsq' for 农夫山泉); the start of the full pinyin
('nongfu'). Results come in three tiers; inside each, best sellers (`sold_qty`) first and the
newer product first among equals; inactive products never:

0. exact barcode (the barcodes primary key). A scanned code (8+ digits) that hits stops here;
1. prefixes: name, initials or full pinyin begins with the query — B-tree ranges
   (``initials >= q AND initials < q || '{'``) over indexes that carry `search_id`;
2. the rest: the query anywhere in the name — an FTS5 phrase over `products_fts`, the query
   cut exactly like `search_text` (one token per CJK character, the last token a prefix) —
   or, for two letters or more, anywhere in the initials or full pinyin — the trigram FTS5
   table `products_keys_fts` (values end with '|'; a two-letter query becomes the OR of the
   indexed trigrams that begin with it, read from `products_keys_fts_vocab`). 'kkl' finds
   可口可乐 this way: its initials are 'kkkl' (ke kou ke le).

A tier is queried only while the page has room, so a one-letter query never pays for a
substring search. Every step reads indexes only (`_rank`). User text never becomes FTS
syntax: only letters, digits and CJK characters survive, inside one double-quoted phrase.

Measured with a throw-away script: 100,000 products (316 demo names × 40 flavours × 25 sizes,
realistic Zipf-like `sold_qty`), inserted by `bulk_insert_products` in one transaction
(16 s, FTS triggers included; 144 MB file), SQLite 3.40.1, Python 3.11, a 2-core VM shared
with other work; 400 random queries per class, wall-clock, p50 / p95 / max in ms:

  =========================================  =====  =====  =====
  barcode → `find_by_barcode`                 0.37   0.72   3.2   (bare sqlite3 PK: 0.008)
  barcode → `search`                          0.58   2.2    2.7
  name, 1–4 Chinese characters                2.4    5.4   10.7
  initials prefix, 1–4 letters                2.6    5.2    7.2
  initials substring, 2–4 letters             3.1    7.7   14.7
  full-pinyin prefix, 4–8 letters             2.0    3.8    6.5
  =========================================  =====  =====  =====

(CPU time of the same runs: p95 0.44 for the look-up, 3.6–5.9 for searches.) Designs measured
and dropped on the way: ``LIKE '%kkl%'`` over initials and pinyin scans every row, 55–70 ms a
query; ranking the matches by visiting their table rows cost ~3 µs a row, 70–80 ms for a
one-letter query (15,000 matches) and up to 430 ms for frequent substrings. Hence covering
indexes and two plans: up to `CANDIDATE_CAP` matches are looked up in `ix_products_search` and
sorted; more are dense enough that walking `ix_products_rank` from the best seller down fills
the page quickly. The remaining slow cases are very frequent CJK characters in a phrase
('…味', a flavour: ~10 ms) where FTS5 must read long position lists.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, func, insert, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from storebox import barcodes as codes
from storebox import outbox
from storebox.db.models import Barcode, Product, StockMove
from storebox.errors import InvalidInput, NotFound, RuleViolation
from storebox.ids import new_id
from storebox.money import check_amount
from storebox.shop import Shop
from storebox.users import Actor, require_owner

NAME_MAX = 60
CATEGORY_MAX = 20
UNIT_MAX = 10
MALL_SKU_MAX = 40
NOTE_MAX = 200
#: Largest quantity one stock operation (or a reorder level) may carry: more is a typo.
QTY_MAX = 100_000
SEARCH_LIMIT_MAX = 200

#: How a search hit matched, best first.
MATCH_BARCODE = "barcode"
MATCH_NAME_PREFIX = "name_prefix"
MATCH_INITIALS_PREFIX = "initials_prefix"
MATCH_PINYIN_PREFIX = "pinyin_prefix"
MATCH_NAME = "name"
MATCH_INITIALS = "initials"
MATCH_PINYIN = "pinyin"
MATCH_ORDER = (
    MATCH_BARCODE,
    MATCH_NAME_PREFIX,
    MATCH_INITIALS_PREFIX,
    MATCH_PINYIN_PREFIX,
    MATCH_NAME,
    MATCH_INITIALS,
    MATCH_PINYIN,
)


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
    sold_qty: int = 0


@dataclass(frozen=True)
class SearchHit:
    product: ProductInfo
    #: one of MATCH_ORDER: what the query matched
    match: str


@dataclass(frozen=True)
class ProductRow:
    """One product for `bulk_insert_products` (benchmarks, imports): already-checked values."""

    name: str
    price_fen: int
    barcodes: tuple[str, ...] = ()
    category: str = ""
    unit: str = "个"
    cost_fen: int = 0
    stock_qty: int = 0
    reorder_level: int = 0
    mall_sku: str | None = None
    sold_qty: int = 0


# ---------------------------------------------------------------------------------------------
# Names and their search keys


def normalize_name(name: str) -> str:
    """NFKC folds full-width letters and digits (ＡＢ１２) into their ASCII forms."""
    return " ".join(unicodedata.normalize("NFKC", name).split())


def _is_cjk(ch: str) -> bool:
    return (
        "\u3400" <= ch <= "\u9fff"
        or "\uf900" <= ch <= "\ufaff"
        or "\U00020000" <= ch <= "\U0002fa1f"
    )


@functools.lru_cache(maxsize=65_536)
def _word_keys(word: str) -> tuple[str, str]:
    """(pinyin, initials) of one whitespace-free word.

    pypinyin segments text into runs of hanzi and runs of other characters and never matches
    a phrase across them, so converting word by word gives exactly what converting the whole
    name gives — and lets 100,000 generated names share the work of their common words.

    pypinyin is imported here, not at the top: its dictionaries take about 58 MB, and a till
    that only sells and searches never needs them (only adding or renaming a product does).
    """
    from pypinyin import Style, lazy_pinyin

    syllables = [s for s in lazy_pinyin(word, errors="default") if s.strip()]
    firsts = [s for s in lazy_pinyin(word, style=Style.FIRST_LETTER, errors="default") if s.strip()]
    pinyin = "".join("".join(ch for ch in s if ch.isalnum()) for s in syllables)
    initials = "".join("".join(ch for ch in s if ch.isalnum()) for s in firsts)
    return pinyin, initials


def search_fields(name: str) -> tuple[str, str, str]:
    """(pinyin, initials, search_text) for a product name.

    pinyin: 'kekoukele330ml'; initials: 'kkkl330ml' (助记码); search_text: '可 口 可 乐 330ml'
    — CJK characters split so that an FTS5 phrase query matches any substring.
    """
    name = normalize_name(name).lower()
    keys = [_word_keys(word) for word in name.split()]
    pinyin = "".join(k[0] for k in keys)
    initials = "".join(k[1] for k in keys)
    parts: list[str] = []
    for ch in name:
        if _is_cjk(ch):
            parts.append(f" {ch} ")
        else:
            parts.append(ch)
    search_text = " ".join("".join(parts).split())
    return pinyin, initials, search_text


def _query_tokens(query: str) -> list[str]:
    """The query cut like `search_text` is cut by the FTS5 tokenizer: one token per CJK
    character, runs of letters and digits, everything else a separator."""
    tokens: list[str] = []
    run: list[str] = []
    for ch in query:
        if _is_cjk(ch):
            if run:
                tokens.append("".join(run))
                run = []
            tokens.append(ch)
        elif ch.isalnum():
            run.append(ch)
        elif run:
            tokens.append("".join(run))
            run = []
    if run:
        tokens.append("".join(run))
    return tokens


def fts_phrase(query: str) -> str | None:
    """A safe FTS5 expression for 'these tokens in a row, the last one a prefix', or None.

    Only letters, digits and CJK characters survive, inside one double-quoted string, so
    quotes, '*', '^', ':', NEAR(), AND/OR/NOT typed by a person are plain text.
    """
    tokens = _query_tokens(normalize_name(query).lower())
    if not tokens:
        return None
    phrase = " ".join(tokens).replace('"', '""')
    return f'"{phrase}" *'


# ---------------------------------------------------------------------------------------------
# Reading


def _load_codes(session: Session, product_ids: Sequence[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {pid: [] for pid in product_ids}
    if product_ids:
        rows = session.execute(
            select(Barcode.product_id, Barcode.code)
            .where(Barcode.product_id.in_(product_ids))
            .order_by(Barcode.code)
        )
        for product_id, code in rows:
            found[product_id].append(code)
    return found


def _info(product: Product, product_codes: Sequence[str]) -> ProductInfo:
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
        barcodes=tuple(product_codes),
        pinyin=product.pinyin,
        initials=product.initials,
        active=product.active,
        sold_qty=product.sold_qty,
    )


_CODES_SEP = "\x1f"
_OtherBarcode = aliased(Barcode)
#: Everything a ProductInfo holds, its barcodes folded into one column.
_INFO_SELECT = select(
    Product.id,
    Product.name,
    Product.category,
    Product.unit,
    Product.price_fen,
    Product.cost_fen,
    Product.stock_qty,
    Product.reorder_level,
    Product.mall_sku,
    Product.pinyin,
    Product.initials,
    Product.active,
    Product.sold_qty,
    Product.search_id,
    select(func.group_concat(_OtherBarcode.code, _CODES_SEP))
    .where(_OtherBarcode.product_id == Product.id)
    .scalar_subquery(),
)


#: Built once: building and caching a statement per scan cost more than running it.
_BY_BARCODE = _INFO_SELECT.join(Barcode, Barcode.product_id == Product.id).where(
    Barcode.code == bindparam("code")
)


def _info_from_row(row: Sequence[Any]) -> ProductInfo:
    (pid, name, category, unit, price, cost, stock, reorder, sku, pinyin, initials, active,
     sold, _search_id, folded) = row  # fmt: skip
    return ProductInfo(
        id=pid,
        name=name,
        category=category,
        unit=unit,
        price_fen=price,
        cost_fen=cost,
        stock_qty=stock,
        reorder_level=reorder,
        mall_sku=sku,
        barcodes=tuple(sorted(folded.split(_CODES_SEP))) if folded else (),
        pinyin=pinyin,
        initials=initials,
        active=bool(active),
        sold_qty=sold,
    )


def to_info(session: Session, product: Product) -> ProductInfo:
    return _info(product, _load_codes(session, [product.id])[product.id])


def infos(session: Session, products: Sequence[Product]) -> list[ProductInfo]:
    """ProductInfo for many products with one barcode query."""
    by_id = _load_codes(session, [p.id for p in products])
    return [_info(p, by_id[p.id]) for p in products]


def find_by_barcode_in(session: Session, code: str) -> Product | None:
    return session.scalars(
        select(Product)
        .join(Barcode, Barcode.product_id == Product.id)
        .where(Barcode.code == codes.normalize(code))
    ).first()


def find_by_barcode(shop: Shop, code: str) -> ProductInfo | None:
    """The product a scanned code belongs to (active or not), or None. Never raises on junk.

    One Core statement (product columns and its barcodes), no ORM objects: this runs at every
    scan.
    """
    code = codes.normalize(code)
    if not code or len(code) > 32:
        return None
    with shop.store.read() as session:
        row = session.connection().execute(_BY_BARCODE, {"code": code}).first()
        return None if row is None else _info_from_row(row)


def get_product(shop: Shop, product_id: str) -> ProductInfo:
    with shop.store.read() as session:
        return to_info(session, _get(session, product_id))


def _get(session: Session, product_id: str) -> Product:
    product = session.get(Product, product_id) if isinstance(product_id, str) else None
    if product is None:
        raise NotFound(f"没有此商品 / no product with id {product_id!r}")
    return product


def list_products(
    shop: Shop,
    category: str | None = None,
    offset: int = 0,
    limit: int = 50,
    *,
    include_inactive: bool = False,
) -> list[ProductInfo]:
    """A page of products in pinyin order, optionally of one category."""
    _check_int(offset, "offset", 0, 10**9)
    _check_int(limit, "limit", 1, 1000)
    stmt = select(Product)
    if category is not None:
        stmt = stmt.where(Product.category == normalize_name(category))
    if not include_inactive:
        stmt = stmt.where(Product.active)
    stmt = stmt.order_by(Product.pinyin, Product.id).offset(offset).limit(limit)
    with shop.store.read() as session:
        return infos(session, session.scalars(stmt).all())


def categories(shop: Shop) -> list[str]:
    """Categories in use by active products, the fullest first."""
    count = func.count()
    stmt = (
        select(Product.category)
        .where(Product.active, Product.category != "")
        .group_by(Product.category)
        .order_by(count.desc(), Product.category)
    )
    with shop.store.read() as session:
        return list(session.scalars(stmt).all())


def low_stock(shop: Shop) -> list[ProductInfo]:
    """Active products at or below their reorder level, the emptiest (relative) first."""
    stmt = (
        select(Product)
        .where(Product.active, Product.stock_qty <= Product.reorder_level)
        .order_by(Product.stock_qty - Product.reorder_level, Product.pinyin)
    )
    with shop.store.read() as session:
        return infos(session, session.scalars(stmt).all())


# ---------------------------------------------------------------------------------------------
# Checking input


def _check_int(value: object, what: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{what}: 必须是整数 / must be a whole number, got {value!r}")
    if not low <= value <= high:
        raise InvalidInput(f"{what}: 应在 {low} 到 {high} 之间 / must be {low} to {high}")
    return value


def _check_text(value: object, what: str, low: int, high: int) -> str:
    if not isinstance(value, str):
        raise InvalidInput(f"{what}: 必须是文字 / must be text, got {value!r}")
    cleaned = normalize_name(value)
    if any(unicodedata.category(ch)[0] == "C" for ch in cleaned):
        raise InvalidInput(f"{what}: 含有控制字符 / contains control characters")
    if len(cleaned) < low:
        raise InvalidInput(f"{what}: 不能为空 / is required")
    if len(cleaned) > high:
        raise InvalidInput(f"{what}: 最多 {high} 个字 / at most {high} characters")
    return cleaned


def _check_name(name: object) -> str:
    return _check_text(name, "商品名称 / product name", 1, NAME_MAX)


def _check_mall_sku(mall_sku: object) -> str | None:
    if mall_sku is None:
        return None
    sku = _check_text(mall_sku, "商城编码 / mall SKU", 0, MALL_SKU_MAX)
    return sku or None


def _check_codes(raw: Iterable[str], shop_codes: Iterable[str]) -> list[codes.Code]:
    checked = [codes.classify(c) for c in raw] + [
        codes.classify(c, shop_code=True) for c in shop_codes
    ]
    seen: set[str] = set()
    for c in checked:
        if c.code in seen:
            raise InvalidInput(f"条码 {c.code} 重复 / barcode {c.code} is given twice")
        seen.add(c.code)
    return checked


def _is_barcode_clash(exc: IntegrityError) -> bool:
    return "barcodes.code" in str(exc.orig)


def _barcode_owner_error(shop: Shop, wanted: Iterable[str]) -> InvalidInput:
    """After a refused insert: name the product that already has one of `wanted`."""
    wanted = list(wanted)
    with shop.store.read() as session:
        row = session.execute(
            select(Barcode.code, Product.name)
            .join(Product, Product.id == Barcode.product_id)
            .where(Barcode.code.in_(wanted))
            .limit(1)
        ).first()
    if row is None:  # pragma: no cover - the clash vanished between the two transactions
        return InvalidInput("条码已被其他商品使用 / a barcode is already used by another product")
    code, owner = row
    return InvalidInput(
        f"条码 {code} 已属于「{owner}」/ barcode {code} already belongs to {owner!r}"
    )


# ---------------------------------------------------------------------------------------------
# Changing the catalogue


def _payload(product: Product, product_codes: Sequence[str]) -> dict[str, Any]:
    return {
        "product_id": product.id,
        "name": product.name,
        "barcodes": list(product_codes),
        "category": product.category,
        "unit": product.unit,
        "price_fen": product.price_fen,
        "cost_fen": product.cost_fen,
        "reorder_level": product.reorder_level,
        "mall_sku": product.mall_sku,
        "active": product.active,
    }


def _next_search_id(session: Session) -> int:
    return int(session.scalar(select(func.coalesce(func.max(Product.search_id), 0))) or 0) + 1


def add_product(
    shop: Shop,
    actor: Actor,
    *,
    name: str,
    price_fen: int,
    barcodes: Sequence[str] = (),
    shop_codes: Sequence[str] = (),
    category: str = "",
    unit: str = "个",
    cost_fen: int = 0,
    initial_stock: int = 0,
    reorder_level: int = 0,
    mall_sku: str | None = None,
) -> ProductInfo:
    """Add a product (owner only). `barcodes` are EAN/UPC codes (check digit verified);
    `shop_codes` are the shop's own codes (4–20 letters/digits). With neither, a new EAN-13
    shop code (prefix 20) is made so the goods can carry a printed label.

    Writes the product, its barcodes, an 'initial' stock move when `initial_stock` > 0, and a
    'product.created' event, in one transaction.
    """
    require_owner(actor, "add a product")
    name = _check_name(name)
    category = _check_text(category, "分类 / category", 0, CATEGORY_MAX)
    unit = _check_text(unit, "单位 / unit", 1, UNIT_MAX)
    check_amount(price_fen, "售价 / price")
    check_amount(cost_fen, "进价 / cost")
    _check_int(initial_stock, "初始库存 / initial stock", 0, QTY_MAX)
    _check_int(reorder_level, "补货线 / reorder level", 0, QTY_MAX)
    sku = _check_mall_sku(mall_sku)
    checked = _check_codes(barcodes, shop_codes)
    pinyin, initials, search_text = search_fields(name)
    now = shop.now()
    try:
        with shop.store.write() as session:
            if not checked:
                made = codes.new_shop_code(session, shop.device_no)
                checked = [codes.Code(made, codes.SHOP)]
            product = Product(
                id=new_id(),
                search_id=_next_search_id(session),
                name=name,
                search_text=search_text,
                pinyin=pinyin,
                initials=initials,
                category=category,
                unit=unit,
                price_fen=price_fen,
                cost_fen=cost_fen,
                stock_qty=initial_stock,
                reorder_level=reorder_level,
                mall_sku=sku,
                sold_qty=0,
                active=True,
                created_at=now,
                updated_at=now,
            )
            session.add(product)
            session.flush()
            session.add_all(
                Barcode(code=c.code, product_id=product.id, kind=c.kind) for c in checked
            )
            if initial_stock:
                session.add(
                    StockMove(
                        id=new_id(),
                        product_id=product.id,
                        qty_delta=initial_stock,
                        reason="initial",
                        ref_id=None,
                        note="",
                        user_id=actor.user_id,
                        at=now,
                    )
                )
            session.flush()
            all_codes = [c.code for c in checked]
            outbox.record(
                session,
                at=now,
                kind="product.created",
                ref_id=product.id,
                payload={**_payload(product, all_codes), "stock_qty": initial_stock},
            )
            return _info(product, sorted(all_codes))
    except IntegrityError as exc:
        if not _is_barcode_clash(exc):
            raise
        raise _barcode_owner_error(shop, [c.code for c in checked]) from None


def update_product(
    shop: Shop,
    actor: Actor,
    product_id: str,
    *,
    name: str | None = None,
    category: str | None = None,
    unit: str | None = None,
    price_fen: int | None = None,
    cost_fen: int | None = None,
    reorder_level: int | None = None,
    mall_sku: str | None = None,
    active: bool | None = None,
) -> ProductInfo:
    """Change a product (owner only); None leaves a field as it is, `mall_sku=''` clears it.

    A new name regenerates pinyin, initials and search_text (the FTS triggers follow).
    """
    require_owner(actor, "change a product")
    changes: dict[str, Any] = {}
    if name is not None:
        changes["name"] = _check_name(name)
        changes["pinyin"], changes["initials"], changes["search_text"] = search_fields(
            changes["name"]
        )
    if category is not None:
        changes["category"] = _check_text(category, "分类 / category", 0, CATEGORY_MAX)
    if unit is not None:
        changes["unit"] = _check_text(unit, "单位 / unit", 1, UNIT_MAX)
    if price_fen is not None:
        changes["price_fen"] = check_amount(price_fen, "售价 / price")
    if cost_fen is not None:
        changes["cost_fen"] = check_amount(cost_fen, "进价 / cost")
    if reorder_level is not None:
        changes["reorder_level"] = _check_int(reorder_level, "补货线 / reorder level", 0, QTY_MAX)
    if mall_sku is not None:
        changes["mall_sku"] = _check_mall_sku(mall_sku)
    if active is not None:
        if not isinstance(active, bool):
            raise InvalidInput(f"active: 必须是真或假 / must be true or false, got {active!r}")
        changes["active"] = active
    now = shop.now()
    with shop.store.write() as session:
        product = _get(session, product_id)
        before = {key: getattr(product, key) for key in changes}
        for key, value in changes.items():
            setattr(product, key, value)
        changed = {k: v for k, v in changes.items() if before[k] != v}
        product_codes = _load_codes(session, [product.id])[product.id]
        if changed:
            product.updated_at = now
            session.flush()
            outbox.record(
                session,
                at=now,
                kind="product.updated",
                ref_id=product.id,
                payload={**_payload(product, product_codes), "changed": sorted(changed)},
            )
        return _info(product, product_codes)


def add_barcode(
    shop: Shop, actor: Actor, product_id: str, code: str, *, shop_code: bool = False
) -> ProductInfo:
    """Give a product one more code (owner only); a code another product has is refused."""
    require_owner(actor, "add a barcode")
    checked = codes.classify(code, shop_code=shop_code)
    now = shop.now()
    try:
        with shop.store.write() as session:
            product = _get(session, product_id)
            session.add(Barcode(code=checked.code, product_id=product.id, kind=checked.kind))
            product.updated_at = now
            session.flush()
            product_codes = _load_codes(session, [product.id])[product.id]
            outbox.record(
                session,
                at=now,
                kind="product.updated",
                ref_id=product.id,
                payload={**_payload(product, product_codes), "changed": ["barcodes"]},
            )
            return _info(product, product_codes)
    except IntegrityError as exc:
        if not _is_barcode_clash(exc):
            raise
        raise _barcode_owner_error(shop, [checked.code]) from None


def remove_barcode(shop: Shop, actor: Actor, product_id: str, code: str) -> ProductInfo:
    """Take a code off a product (owner only). The product stays findable by name."""
    require_owner(actor, "remove a barcode")
    wanted = codes.normalize(code)
    now = shop.now()
    with shop.store.write() as session:
        product = _get(session, product_id)
        row = session.get(Barcode, wanted)
        if row is None or row.product_id != product.id:
            raise NotFound(
                f"「{product.name}」没有条码 {wanted} / {product.name!r} has no barcode {wanted!r}"
            )
        session.delete(row)
        product.updated_at = now
        session.flush()
        product_codes = _load_codes(session, [product.id])[product.id]
        outbox.record(
            session,
            at=now,
            kind="product.updated",
            ref_id=product.id,
            payload={**_payload(product, product_codes), "changed": ["barcodes"]},
        )
        return _info(product, product_codes)


# ---------------------------------------------------------------------------------------------
# Stock

STOCK_KINDS = ("adjust", "count")


def _move_stock(
    shop: Shop,
    actor: Actor,
    product_id: str,
    *,
    reason: str,
    event: str,
    note: str,
    delta: int | None = None,
    counted: int | None = None,
) -> ProductInfo:
    now = shop.now()
    with shop.store.write() as session:
        product = _get(session, product_id)
        before = product.stock_qty
        if counted is not None:
            delta = counted - before
            if delta == 0:  # the count agrees: nothing to move, nothing to tell the hub
                return to_info(session, product)
        assert delta is not None
        if delta < 0 and before + delta < 0:
            raise RuleViolation(
                f"「{product.name}」库存只有 {before}，不能减少 {-delta} / "
                f"only {before} in stock; cannot take away {-delta}"
            )
        move = StockMove(
            id=new_id(),
            product_id=product.id,
            qty_delta=delta,
            reason=reason,
            ref_id=None,
            note=note,
            user_id=actor.user_id,
            at=now,
        )
        session.add(move)
        product.stock_qty = before + delta
        product.updated_at = now
        session.flush()
        outbox.record(
            session,
            at=now,
            kind=event,
            ref_id=product.id,
            payload={
                "product_id": product.id,
                "move_id": move.id,
                "reason": reason,
                "qty_delta": delta,
                "stock_qty": product.stock_qty,
                "note": note,
                "user_id": actor.user_id,
            },
        )
        return to_info(session, product)


def adjust_stock(
    shop: Shop, actor: Actor, product_id: str, delta: int, reason: str, *, kind: str = "adjust"
) -> ProductInfo:
    """Correct stock by `delta` (owner only): breakage, expiry, theft (kind 'adjust') or a
    stock-take difference (kind 'count'). `reason` is the note kept with the move.

    Writes a stock move and a 'stock.adjusted' event; stock may not go below zero this way.
    """
    require_owner(actor, "adjust stock")
    if kind not in STOCK_KINDS:
        raise InvalidInput(f"调整类型无效 / kind must be one of {', '.join(STOCK_KINDS)}")
    _check_int(delta, "数量 / quantity", -QTY_MAX, QTY_MAX)
    if delta == 0:
        raise InvalidInput("数量不能为 0 / the quantity cannot be 0")
    note = _check_text(reason, "原因 / reason", 1, NOTE_MAX)
    return _move_stock(
        shop, actor, product_id, reason=kind, event="stock.adjusted", note=note, delta=delta
    )


def count_stock(
    shop: Shop, actor: Actor, product_id: str, counted: int, note: str = "盘点 / stock-take"
) -> ProductInfo:
    """Set stock to what was counted on the shelf (owner only); writes the difference as a
    'count' move and a 'stock.adjusted' event (nothing when the count agrees)."""
    require_owner(actor, "count stock")
    _check_int(counted, "盘点数量 / counted quantity", 0, QTY_MAX)
    note = _check_text(note, "备注 / note", 1, NOTE_MAX)
    return _move_stock(
        shop, actor, product_id, reason="count", event="stock.adjusted", note=note, counted=counted
    )


def receive_stock(
    shop: Shop, actor: Actor, product_id: str, qty: int, note: str = ""
) -> ProductInfo:
    """Goods delivered onto the shelf (any user): a 'receive' move and a 'stock.received' event."""
    _check_int(qty, "到货数量 / quantity received", 1, QTY_MAX)
    note = _check_text(note, "备注 / note", 0, NOTE_MAX)
    return _move_stock(
        shop, actor, product_id, reason="receive", event="stock.received", note=note, delta=qty
    )


# ---------------------------------------------------------------------------------------------
# Bulk loading


def bulk_insert_products(
    session: Session, rows: Iterable[ProductRow], *, at: dt.datetime, user_id: str | None = None
) -> int:
    """Insert many products in the caller's transaction with executemany (the FTS triggers
    fire per row). Names get the same search fields as `add_product`; barcodes are checked.
    No events are queued: this is for benchmarks and for loading a catalogue the hub sent.
    Returns the number of products inserted.
    """
    search_id = _next_search_id(session)
    products: list[dict[str, Any]] = []
    code_rows: list[dict[str, Any]] = []
    moves: list[dict[str, Any]] = []
    for row in rows:
        name = _check_name(row.name)
        pinyin, initials, search_text = search_fields(name)
        product_id = new_id()
        products.append(
            {
                "id": product_id,
                "search_id": search_id,
                "name": name,
                "search_text": search_text,
                "pinyin": pinyin,
                "initials": initials,
                "category": row.category,
                "unit": row.unit,
                "price_fen": check_amount(row.price_fen, "售价 / price"),
                "cost_fen": check_amount(row.cost_fen, "进价 / cost"),
                "stock_qty": row.stock_qty,
                "reorder_level": row.reorder_level,
                "mall_sku": row.mall_sku,
                "sold_qty": row.sold_qty,
                "active": True,
                "created_at": at,
                "updated_at": at,
            }
        )
        search_id += 1
        for raw in row.barcodes:
            c = codes.classify(raw)
            code_rows.append({"code": c.code, "product_id": product_id, "kind": c.kind})
        if row.stock_qty:
            moves.append(
                {
                    "id": new_id(),
                    "product_id": product_id,
                    "qty_delta": row.stock_qty,
                    "reason": "initial",
                    "ref_id": None,
                    "note": "",
                    "user_id": user_id,
                    "at": at,
                }
            )
    if products:
        session.execute(insert(Product), products)
    if code_rows:
        session.execute(insert(Barcode), code_rows)
    if moves:
        session.execute(insert(StockMove), moves)
    return len(products)


# ---------------------------------------------------------------------------------------------
# Search

#: The highest code point: ``q <= s < q || _MAX_CHAR`` is "s starts with q" for any text.
_MAX_CHAR = "\U0010ffff"
#: Up to this many matches a tier is ranked by sorting its matches; beyond, by walking the
#: products in best-seller order (`ix_products_rank`) until the page is full (see `_rank`).
CANDIDATE_CAP = 2000


def _prefix_sources(lq: str) -> list[str]:
    """Index-only selects of the products whose name, initials or pinyin start with the query."""
    sources = ["SELECT search_id FROM products WHERE name >= :q AND name < :q_end"]
    if lq:
        sources.append(
            "SELECT search_id FROM products WHERE initials >= :lq AND initials < :lq_end"
        )
    if len(lq) >= 2:  # for one letter the pinyin and initials prefixes are the same products
        sources.append("SELECT search_id FROM products WHERE pinyin >= :lq AND pinyin < :lq_end")
    return sources


def _keys_match(session: Session, lq: str) -> str | None:
    """FTS5 expression over the trigram table for 'lq anywhere in the initials or pinyin'.

    Three letters or more are a trigram phrase. Two letters have no trigram of their own, so
    they become the OR of the indexed trigrams that begin with them (from the fts5vocab table:
    a range over the index's terms), the end marker included ('kl|').
    """
    if len(lq) >= 3:
        return f'{{initials pinyin}} : "{lq}"'
    rows = session.execute(
        text(
            "SELECT col, term FROM products_keys_fts_vocab "
            "WHERE term >= :lq AND term < :lq_end AND col IN ('initials', 'pinyin')"
        ),
        {"lq": lq, "lq_end": lq + _MAX_CHAR},
    ).all()
    parts = []
    for column in ("initials", "pinyin"):
        terms = [str(t).replace('"', '""') for c, t in rows if c == column]
        if terms:
            parts.append(f"{{{column}}} : (" + " OR ".join(f'"{t}"' for t in terms) + ")")
    return " OR ".join(parts) or None


def _substring_sources(session: Session, phrase: str | None, lq: str) -> tuple[list[str], str]:
    """Selects of the products whose name holds the query (FTS5 phrase), or whose initials or
    pinyin hold it (trigram FTS5), and the trigram expression (parameter :keys)."""
    sources = []
    if phrase is not None:
        sources.append("SELECT rowid FROM products_fts WHERE products_fts MATCH :phrase")
    letters = sum(ch.isalpha() for ch in lq)
    keys = _keys_match(session, lq) if len(lq) >= 2 and letters >= 2 else None
    if keys is not None:
        sources.append("SELECT rowid FROM products_keys_fts WHERE products_keys_fts MATCH :keys")
    return sources, keys or ""


def _rank(
    session: Session, sources: Sequence[str], params: dict[str, Any], found: set[int], n: int
) -> list[int]:
    """The best `n` active products any source selects, best sellers first and newest first
    among equals, leaving out `found` (already ranked higher).

    Every step reads indexes only. Up to CANDIDATE_CAP matches are looked up one by one in
    `ix_products_search` and sorted; more matches than that are dense enough that walking
    `ix_products_rank` from the best seller down, keeping members of the match set, fills the
    page after a few hundred entries.
    """
    if not sources:
        return []
    candidates: set[int] = set()
    for source in sources:
        ids = _ids(session, f"{source} LIMIT {CANDIDATE_CAP}", params)
        candidates.update(ids)
        if len(ids) >= CANDIDATE_CAP or len(candidates) >= CANDIDATE_CAP:
            break
    else:
        wanted = sorted(candidates - found)
        if not wanted:
            return []
        return _ids(
            session,
            "SELECT search_id FROM products INDEXED BY ix_products_search "
            "WHERE search_id IN (SELECT value FROM json_each(:ids)) AND active "
            "ORDER BY sold_qty DESC, search_id DESC LIMIT :n",
            {"ids": json.dumps(wanted), "n": n},
        )
    # '+' keeps SQLite from turning the IN into look-ups: we want the ordered walk.
    exclude = ", ".join(str(int(s)) for s in found)
    sql = (
        "SELECT p.search_id FROM products p INDEXED BY ix_products_rank "
        f"WHERE p.active AND +p.search_id IN ({' UNION ALL '.join(sources)}) "
        + (f"AND +p.search_id NOT IN ({exclude}) " if exclude else "")
        + "ORDER BY p.sold_qty DESC, p.search_id DESC LIMIT :n"
    )
    return _ids(session, sql, {**params, "n": n})


def _ids(session: Session, sql: str, params: dict[str, Any]) -> list[int]:
    """Integers from SQL we wrote, straight from the driver in the session's transaction:
    thousands of candidate ids cost microseconds this way, not milliseconds."""
    driver = session.connection().connection.driver_connection
    assert driver is not None
    return [int(row[0]) for row in driver.execute(sql, params).fetchall()]


def _latin_key(query: str) -> str:
    """The query as an initials/pinyin key: lower-case ASCII letters and digits, or ''."""
    key = "".join(ch for ch in query.lower() if ch.isalnum())
    return key if key.isascii() else ""


def _name_has(name: str, tokens: Sequence[str]) -> bool:
    """Python's reading of the FTS5 phrase: `tokens` in a row in the name, the last a prefix."""
    have = _query_tokens(normalize_name(name).lower())
    k = len(tokens)
    return any(
        have[i : i + k - 1] == list(tokens[:-1]) and have[i + k - 1].startswith(tokens[-1])
        for i in range(len(have) - k + 1)
    )


def _match_kind(product: ProductInfo, q: str, lq: str, tokens: Sequence[str]) -> str:
    if product.name.startswith(q):
        return MATCH_NAME_PREFIX
    if lq and product.initials.startswith(lq):
        return MATCH_INITIALS_PREFIX
    if lq and product.pinyin.startswith(lq):
        return MATCH_PINYIN_PREFIX
    if tokens and _name_has(product.name, tokens):
        return MATCH_NAME
    if lq and lq in product.initials:
        return MATCH_INITIALS
    if lq and lq in product.pinyin:
        return MATCH_PINYIN
    return MATCH_NAME  # pragma: no cover - every hit satisfies one of the tests above


def search(shop: Shop, query: str, limit: int = 20) -> list[SearchHit]:
    """Products for what a cashier typed, best first (see the module docstring)."""
    _check_int(limit, "limit", 1, SEARCH_LIMIT_MAX)
    if not isinstance(query, str):
        raise InvalidInput(f"搜索内容必须是文字 / the query must be text, got {query!r}")
    q = normalize_name(query)[:NAME_MAX]
    if not q:
        return []
    lq = _latin_key(q)
    tokens = _query_tokens(q.lower())
    phrase = fts_phrase(q)
    with shop.store.read() as session:
        ranked: list[int] = []
        barcode_ids: set[int] = set()
        code = codes.normalize(q)
        if code.isascii() and code.isalnum() and len(code) <= 32:
            ranked += session.scalars(
                select(Product.search_id)
                .join(Barcode, Barcode.product_id == Product.id)
                .where(Barcode.code == code, Product.active)
            ).all()
            barcode_ids.update(ranked)
        scanned = bool(ranked) and code.isdigit() and len(code) >= 8
        params: dict[str, Any] = {"q": q, "q_end": q + _MAX_CHAR, "lq": lq, "lq_end": lq + "{"}
        if not scanned and len(ranked) < limit:
            ranked += _rank(session, _prefix_sources(lq), params, set(ranked), limit - len(ranked))
        if not scanned and len(ranked) < limit:
            sources, keys = _substring_sources(session, phrase, lq)
            params.update(phrase=phrase, keys=keys)
            ranked += _rank(session, sources, params, set(ranked), limit - len(ranked))
        if not ranked:
            return []
        rows = session.execute(_INFO_SELECT.where(Product.search_id.in_(ranked))).all()
    by_sid = {row[13]: row for row in rows}
    hits = []
    for sid in ranked:
        info = _info_from_row(by_sid[sid])
        match = MATCH_BARCODE if sid in barcode_ids else _match_kind(info, q, lq, tokens)
        hits.append(SearchHit(info, match))
    return hits
