from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select, text

from storebox import catalog, demo_catalog, journal, users
from storebox.barcodes import classify
from storebox.catalog import ProductRow
from storebox.db.models import JournalEntry, OutboxEvent, Product, StockMove
from storebox.errors import InvalidInput, NotFound, PermissionDenied, RuleViolation
from storebox.shop import Shop
from storebox.users import Actor

COLA = "6901234567892"
SPRITE = "6902538006100"


@pytest.fixture
def owner(shop: Shop) -> Actor:
    return users.create_user(shop, name="店主", role="owner", pin="1234", by=None)


@pytest.fixture
def cashier(shop: Shop, owner: Actor) -> Actor:
    return users.create_user(shop, name="收银员", role="cashier", pin="5678", by=owner)


def add_cola(shop: Shop, owner: Actor, **overrides: Any) -> catalog.ProductInfo:
    fields: dict[str, Any] = {
        "name": "可口可乐330ml罐装",
        "price_fen": 300,
        "barcodes": (COLA,),
        "category": "饮料",
        "unit": "罐",
        "cost_fen": 210,
        "initial_stock": 48,
        "reorder_level": 12,
    }
    fields.update(overrides)
    return catalog.add_product(shop, owner, **fields)


TABLES = ("products", "barcodes", "stock_moves", "outbox", "journal", "products_fts")


def snapshot(shop: Shop) -> dict[str, str]:
    """A digest of every row the catalogue may touch: equal snapshots, nothing changed."""
    out = {}
    with shop.store.read() as session:
        for table in (*TABLES, "products_keys_fts"):
            rows = session.execute(text(f"SELECT * FROM {table} ORDER BY 1")).all()
            out[table] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return out


def events(shop: Shop, kind: str | None = None) -> list[dict[str, Any]]:
    with shop.store.read() as session:
        stmt = select(OutboxEvent).order_by(OutboxEvent.seq)
        if kind is not None:
            stmt = stmt.where(OutboxEvent.kind == kind)
        return [{"kind": e.kind, **json.loads(e.payload_json)} for e in session.scalars(stmt)]


def moves(shop: Shop, product_id: str) -> list[tuple[int, str, str]]:
    with shop.store.read() as session:
        rows = session.execute(
            select(StockMove.qty_delta, StockMove.reason, StockMove.note)
            .where(StockMove.product_id == product_id)
            .order_by(StockMove.at, StockMove.id)
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


# --- adding -----------------------------------------------------------------------------------


def test_add_product_stores_fields_keys_stock_move_and_event(shop: Shop, owner: Actor) -> None:
    info = add_cola(shop, owner)
    assert info.name == "可口可乐330ml罐装"
    assert info.pinyin == "kekoukele330mlguanzhuang"
    assert info.initials == "kkkl330mlgz"
    assert info.barcodes == (COLA,)
    assert (info.price_fen, info.cost_fen, info.stock_qty, info.reorder_level) == (300, 210, 48, 12)
    assert catalog.get_product(shop, info.id) == info
    assert catalog.find_by_barcode(shop, COLA) == info
    with shop.store.read() as session:
        product = session.get_one(Product, info.id)
        assert product.search_text == "可 口 可 乐 330ml 罐 装"
        assert product.search_id == 1
        fts = session.execute(text("SELECT rowid, search_text FROM products_fts")).all()
        assert fts == [(1, "可 口 可 乐 330ml 罐 装")]
        keys = session.execute(text("SELECT initials, pinyin FROM products_keys_fts")).all()
        assert keys == [("kkkl330mlgz|", "kekoukele330mlguanzhuang|")]
        stock_sum = session.scalar(
            select(func.sum(StockMove.qty_delta)).where(StockMove.product_id == info.id)
        )
        assert stock_sum == 48
    assert moves(shop, info.id) == [(48, "initial", "")]
    [event] = events(shop)
    assert event["kind"] == "product.created"
    assert event["ref_id"] == info.id
    assert event["barcodes"] == [COLA]
    assert event["stock_qty"] == 48


def test_search_ids_count_up(shop: Shop, owner: Actor) -> None:
    add_cola(shop, owner)
    second = catalog.add_product(
        shop, owner, name="雪碧330ml罐装", price_fen=300, barcodes=(SPRITE,)
    )
    with shop.store.read() as session:
        assert session.get_one(Product, second.id).search_id == 2


def test_goods_without_a_barcode_get_a_shop_code(shop: Shop, owner: Actor) -> None:
    first = catalog.add_product(shop, owner, name="散装花生", price_fen=1500, unit="斤")
    second = catalog.add_product(shop, owner, name="散装瓜子", price_fen=1200, unit="斤")
    assert first.barcodes == ("2001000000012",)
    assert second.barcodes == ("2001000000029",)
    assert classify(first.barcodes[0]).kind == "shop"
    assert catalog.find_by_barcode(shop, "2001000000029") == second
    assert first.stock_qty == 0
    assert moves(shop, first.id) == []


def test_shop_codes_and_several_barcodes(shop: Shop, owner: Actor) -> None:
    info = catalog.add_product(
        shop,
        owner,
        name="农夫山泉饮用天然水550ml",
        price_fen=200,
        barcodes=("６９２１１６８５０９２５６",),  # full width, as typed through an IME
        shop_codes=("nfsq550",),
    )
    assert info.barcodes == ("6921168509256", "NFSQ550")
    assert catalog.find_by_barcode(shop, "nfsq550") == info


def test_add_product_is_owner_only(shop: Shop, cashier: Actor) -> None:
    before = snapshot(shop)
    with pytest.raises(PermissionDenied):
        add_cola(shop, cashier)
    assert snapshot(shop) == before


BAD_INPUT: list[tuple[str, dict[str, Any], str]] = [
    ("empty name", {"name": "  "}, "required"),
    ("long name", {"name": "可" * 61}, "at most 60"),
    ("control chars", {"name": "可乐\x00"}, "control"),
    ("name not text", {"name": 42}, "text"),
    ("negative price", {"price_fen": -1}, "invalid amount"),
    ("absurd price", {"price_fen": 100_000_001}, "above the limit"),
    ("float price", {"price_fen": 3.5}, "whole fen"),
    ("bool price", {"price_fen": True}, "whole fen"),
    ("negative cost", {"cost_fen": -5}, "invalid amount"),
    ("absurd cost", {"cost_fen": 10**9}, "above the limit"),
    ("negative stock", {"initial_stock": -1}, "initial stock"),
    ("huge stock", {"initial_stock": 10**7}, "initial stock"),
    ("negative reorder", {"reorder_level": -2}, "reorder level"),
    ("bad check digit", {"barcodes": ("6901234567891",)}, "expected 2"),
    ("letters code unmarked", {"barcodes": ("AB1234",)}, "shop code"),
    ("bad shop code", {"shop_codes": ("A",)}, "4 to 20"),
    ("same code twice", {"barcodes": (COLA, " " + COLA)}, "given twice"),
    ("long category", {"category": "饮" * 21}, "at most 20"),
    ("empty unit", {"unit": ""}, "required"),
    ("long mall sku", {"mall_sku": "S" * 41}, "at most 40"),
]


@pytest.mark.parametrize(("case", "change", "message"), BAD_INPUT, ids=[c[0] for c in BAD_INPUT])
def test_bad_input_is_refused_and_changes_nothing(
    shop: Shop, owner: Actor, case: str, change: dict[str, Any], message: str
) -> None:
    add_cola(shop, owner, barcodes=(SPRITE,), name="雪碧")
    before = snapshot(shop)
    with pytest.raises(InvalidInput) as err:
        add_cola(shop, owner, **change)
    assert message in err.value.message
    assert " / " in err.value.message  # bilingual
    assert snapshot(shop) == before


def test_duplicate_barcode_names_the_owner_and_changes_nothing(shop: Shop, owner: Actor) -> None:
    cola = add_cola(shop, owner)
    before = snapshot(shop)
    with pytest.raises(InvalidInput) as err:
        catalog.add_product(
            shop, owner, name="百事可乐330ml罐装", price_fen=300, barcodes=(SPRITE, COLA)
        )
    assert COLA in err.value.message
    assert "可口可乐330ml罐装" in err.value.message
    assert snapshot(shop) == before
    assert catalog.find_by_barcode(shop, SPRITE) is None
    assert catalog.find_by_barcode(shop, COLA) == cola


# --- changing ---------------------------------------------------------------------------------


def test_rename_regenerates_pinyin_and_search(shop: Shop, owner: Actor) -> None:
    cola = add_cola(shop, owner, name="可口可乐")
    assert [h.product.id for h in catalog.search(shop, "kkkl")] == [cola.id]
    assert catalog.search(shop, "bskl") == []
    renamed = catalog.update_product(shop, owner, cola.id, name="百事可乐")
    assert (renamed.name, renamed.pinyin, renamed.initials) == ("百事可乐", "baishikele", "bskl")
    assert [h.product.id for h in catalog.search(shop, "bskl")] == [cola.id]
    assert [h.product.id for h in catalog.search(shop, "百事")] == [cola.id]
    assert catalog.search(shop, "kkkl") == []
    assert catalog.search(shop, "口") == []
    assert catalog.search(shop, "kekou") == []
    [event] = events(shop, "product.updated")
    assert event["changed"] == ["initials", "name", "pinyin", "search_text"]
    assert event["name"] == "百事可乐"


def test_update_changes_only_what_is_given(shop: Shop, owner: Actor) -> None:
    cola = add_cola(shop, owner, mall_sku="MALL-1")
    updated = catalog.update_product(
        shop, owner, cola.id, price_fen=350, category="汽水", reorder_level=24
    )
    assert (updated.price_fen, updated.category, updated.reorder_level) == (350, "汽水", 24)
    assert (updated.name, updated.cost_fen, updated.mall_sku) == (cola.name, 210, "MALL-1")
    cleared = catalog.update_product(shop, owner, cola.id, mall_sku="")
    assert cleared.mall_sku is None
    assert [e["changed"] for e in events(shop, "product.updated")] == [
        ["category", "price_fen", "reorder_level"],
        ["mall_sku"],
    ]


def test_an_update_that_changes_nothing_writes_nothing(shop: Shop, owner: Actor) -> None:
    cola = add_cola(shop, owner)
    before = snapshot(shop)
    assert catalog.update_product(shop, owner, cola.id, price_fen=300, name=cola.name) == cola
    assert snapshot(shop) == before


@pytest.mark.parametrize(
    "change",
    [{"name": ""}, {"price_fen": -1}, {"price_fen": 100_000_001}, {"active": "yes"}],
)
def test_bad_update_changes_nothing(shop: Shop, owner: Actor, change: dict[str, Any]) -> None:
    cola = add_cola(shop, owner)
    before = snapshot(shop)
    with pytest.raises(InvalidInput):
        catalog.update_product(shop, owner, cola.id, **change)
    assert snapshot(shop) == before


def test_update_is_owner_only_and_needs_a_real_product(
    shop: Shop, owner: Actor, cashier: Actor
) -> None:
    cola = add_cola(shop, owner)
    before = snapshot(shop)
    with pytest.raises(PermissionDenied):
        catalog.update_product(shop, cashier, cola.id, price_fen=1)
    with pytest.raises(NotFound):
        catalog.update_product(shop, owner, "no-such-id", price_fen=1)
    with pytest.raises(NotFound):
        catalog.get_product(shop, "no-such-id")
    assert snapshot(shop) == before


def test_deactivated_products_leave_search_and_lists(shop: Shop, owner: Actor) -> None:
    cola = add_cola(shop, owner)
    catalog.update_product(shop, owner, cola.id, active=False)
    assert catalog.search(shop, "可乐") == []
    assert catalog.search(shop, COLA) == []
    assert catalog.list_products(shop) == []
    assert catalog.find_by_barcode(shop, COLA) is not None  # still known at the till
    assert [p.id for p in catalog.list_products(shop, include_inactive=True)] == [cola.id]


def test_add_and_remove_barcodes(shop: Shop, owner: Actor) -> None:
    cola = add_cola(shop, owner)
    sprite = catalog.add_product(shop, owner, name="雪碧", price_fen=300, barcodes=(SPRITE,))
    with_case = catalog.add_barcode(shop, owner, cola.id, "6901234567908")
    assert with_case.barcodes == (COLA, "6901234567908")
    assert catalog.find_by_barcode(shop, "6901234567908") == with_case

    before = snapshot(shop)
    with pytest.raises(InvalidInput) as err:
        catalog.add_barcode(shop, owner, cola.id, SPRITE)
    assert "雪碧" in err.value.message
    with pytest.raises(InvalidInput, match="expected"):
        catalog.add_barcode(shop, owner, cola.id, "6901234567909")
    with pytest.raises(NotFound):
        catalog.remove_barcode(shop, owner, cola.id, SPRITE)  # belongs to another product
    with pytest.raises(PermissionDenied):
        catalog.remove_barcode(shop, users.Actor("x", "x", "cashier"), cola.id, COLA)
    assert snapshot(shop) == before

    after = catalog.remove_barcode(shop, owner, cola.id, COLA)
    assert after.barcodes == ("6901234567908",)
    assert catalog.find_by_barcode(shop, COLA) is None
    assert catalog.get_product(shop, sprite.id).barcodes == (SPRITE,)
    assert [e["barcodes"] for e in events(shop, "product.updated")] == [
        [COLA, "6901234567908"],
        ["6901234567908"],
    ]


# --- stock ------------------------------------------------------------------------------------


def journal_kinds(shop: Shop) -> list[str]:
    with shop.store.read() as session:
        return list(session.scalars(select(JournalEntry.kind).order_by(JournalEntry.seq)))


def test_adjust_stock_writes_a_move_an_event_and_a_journal_entry(shop: Shop, owner: Actor) -> None:
    cola = add_cola(shop, owner)
    after = catalog.adjust_stock(shop, owner, cola.id, -3, "破损 3 罐")
    assert after.stock_qty == 45
    assert moves(shop, cola.id) == [(48, "initial", ""), (-3, "adjust", "破损 3 罐")]
    [event] = events(shop, "stock.adjusted")
    assert event["qty_delta"] == -3
    assert event["stock_qty"] == 45
    assert event["reason"] == "adjust"
    assert event["user_id"] == owner.user_id
    assert journal_kinds(shop) == ["product.created", "stock.adjusted"]
    with shop.store.read() as session:
        assert journal.verify(session).ok


def test_count_and_receive(shop: Shop, owner: Actor, cashier: Actor) -> None:
    cola = add_cola(shop, owner)
    assert catalog.count_stock(shop, owner, cola.id, 40).stock_qty == 40
    assert catalog.count_stock(shop, owner, cola.id, 40).stock_qty == 40  # agrees: no move
    assert catalog.adjust_stock(shop, owner, cola.id, 2, "找到两罐", kind="count").stock_qty == 42
    assert catalog.receive_stock(shop, cashier, cola.id, 24, "批发到货").stock_qty == 66
    assert moves(shop, cola.id)[1:] == [
        (-8, "count", "盘点 / stock-take"),
        (2, "count", "找到两罐"),
        (24, "receive", "批发到货"),
    ]
    assert [e["kind"] for e in events(shop)] == [
        "product.created",
        "stock.adjusted",
        "stock.adjusted",
        "stock.received",
    ]
    with shop.store.read() as session:
        total = session.scalar(
            select(func.sum(StockMove.qty_delta)).where(StockMove.product_id == cola.id)
        )
    assert total == 66 == catalog.get_product(shop, cola.id).stock_qty


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda s, a, p: catalog.adjust_stock(s, a, p, 0, "nothing"), InvalidInput),
        (lambda s, a, p: catalog.adjust_stock(s, a, p, -49, "too many"), RuleViolation),
        (lambda s, a, p: catalog.adjust_stock(s, a, p, 1, "  "), InvalidInput),
        (lambda s, a, p: catalog.adjust_stock(s, a, p, 1.5, "half"), InvalidInput),
        (lambda s, a, p: catalog.adjust_stock(s, a, p, 10**6, "typo"), InvalidInput),
        (lambda s, a, p: catalog.adjust_stock(s, a, p, 1, "x", kind="sale"), InvalidInput),
        (lambda s, a, p: catalog.adjust_stock(s, a, "nope", 1, "x"), NotFound),
        (lambda s, a, p: catalog.count_stock(s, a, p, -1), InvalidInput),
        (lambda s, a, p: catalog.receive_stock(s, a, p, 0), InvalidInput),
        (lambda s, a, p: catalog.receive_stock(s, a, p, -5), InvalidInput),
    ],
)
def test_bad_stock_changes_change_nothing(
    shop: Shop, owner: Actor, call: Callable[[Shop, Actor, str], object], error: type[Exception]
) -> None:
    cola = add_cola(shop, owner)
    before = snapshot(shop)
    with pytest.raises(error):
        call(shop, owner, cola.id)
    assert snapshot(shop) == before


def test_adjusting_stock_is_owner_only(shop: Shop, owner: Actor, cashier: Actor) -> None:
    cola = add_cola(shop, owner)
    before = snapshot(shop)
    with pytest.raises(PermissionDenied):
        catalog.adjust_stock(shop, cashier, cola.id, -1, "偷吃")
    with pytest.raises(PermissionDenied):
        catalog.count_stock(shop, cashier, cola.id, 0)
    assert snapshot(shop) == before


def test_low_stock(shop: Shop, owner: Actor) -> None:
    cola = add_cola(shop, owner, initial_stock=12, reorder_level=12)  # at the line: low
    add_cola(shop, owner, name="雪碧", barcodes=(SPRITE,), initial_stock=13)  # above: fine
    empty = catalog.add_product(shop, owner, name="红牛", price_fen=600, reorder_level=6)
    gone = catalog.add_product(shop, owner, name="旧货", price_fen=100, reorder_level=6)
    catalog.update_product(shop, owner, gone.id, active=False)
    assert [p.id for p in catalog.low_stock(shop)] == [empty.id, cola.id]
    catalog.receive_stock(shop, owner, empty.id, 24)
    assert [p.id for p in catalog.low_stock(shop)] == [cola.id]


def test_lists_and_categories(shop: Shop, owner: Actor) -> None:
    add_cola(shop, owner)
    add_cola(shop, owner, name="雪碧", barcodes=(SPRITE,))
    catalog.add_product(shop, owner, name="晨光中性笔", price_fen=200, category="文具")
    assert catalog.categories(shop) == ["饮料", "文具"]
    page = catalog.list_products(shop, category="饮料")
    assert [p.name for p in page] == ["可口可乐330ml罐装", "雪碧"]  # pinyin order
    assert [p.name for p in catalog.list_products(shop, offset=1, limit=1)] == ["可口可乐330ml罐装"]
    assert catalog.list_products(shop)[0].name == "晨光中性笔"
    with pytest.raises(InvalidInput):
        catalog.list_products(shop, limit=0)


def test_find_by_barcode_never_raises_on_junk(shop: Shop, owner: Actor) -> None:
    cola = add_cola(shop, owner)
    assert catalog.find_by_barcode(shop, f" {COLA}\r\n") == cola
    assert catalog.find_by_barcode(shop, "６９０１２３４５６７８９２") == cola
    for junk in ["", "   ", "x" * 500, "'; DROP TABLE products; --", "\x00"]:
        assert catalog.find_by_barcode(shop, junk) is None


def test_bulk_insert_uses_the_same_field_generation(shop: Shop) -> None:
    rows = [
        ProductRow(name="可口可乐 香辣味 500ml", price_fen=350, barcodes=(COLA,), stock_qty=5),
        ProductRow(name="农夫山泉 原味 1L", price_fen=300, barcodes=(SPRITE,), sold_qty=9),
    ]
    with shop.store.write() as session:
        assert catalog.bulk_insert_products(session, rows, at=shop.now()) == 2
    cola = catalog.find_by_barcode(shop, COLA)
    assert cola is not None
    assert (cola.pinyin, cola.initials) == catalog.search_fields(cola.name)[:2]
    assert cola.initials == "kkklxlw500ml"
    assert cola.stock_qty == 5
    assert moves(shop, cola.id) == [(5, "initial", "")]
    assert [h.product.name for h in catalog.search(shop, "nfsq")] == ["农夫山泉 原味 1L"]
    assert [h.product.name for h in catalog.search(shop, "香辣")] == ["可口可乐 香辣味 500ml"]
    with shop.store.write() as session, pytest.raises(InvalidInput):
        catalog.bulk_insert_products(
            session, [ProductRow(name="x", price_fen=1, barcodes=("123",))], at=shop.now()
        )


def test_search_fields_word_by_word_equals_whole_name() -> None:
    from pypinyin import Style, lazy_pinyin

    for name in ["可口可乐330ml", "康师傅 红烧牛肉面 120g", "RIO锐澳鸡尾酒", "银行卡 行李", "乐事"]:
        low = catalog.normalize_name(name).lower()
        whole = "".join(c for s in lazy_pinyin(low) for c in s if c.isalnum())
        firsts = lazy_pinyin(low, style=Style.FIRST_LETTER)
        initials = "".join(c for s in firsts for c in s if c.isalnum())
        assert catalog.search_fields(name)[:2] == (whole, initials)


# --- the demo shop ----------------------------------------------------------------------------


def test_demo_csv_is_about_300_real_goods_with_valid_unique_barcodes() -> None:
    items = demo_catalog.read_demo_products()
    assert 280 <= len(items) <= 350
    codes = [item.barcode for item in items]
    assert len(set(codes)) == len(codes)
    for item in items:
        parsed = classify(item.barcode)
        assert parsed.kind == "ean13", item
        assert "690" <= item.barcode[:3] <= "695", item
        assert 0 < item.cost_fen < item.price_fen <= 100_000_000, item
        assert item.initial_stock >= 0 and item.reorder_level >= 0
    names = {item.name for item in items}
    assert len(names) == len(items)
    for must in [
        "农夫山泉饮用天然水550ml",
        "可口可乐330ml罐装",
        "康师傅红烧牛肉面桶装",
        "伊利纯牛奶250ml",
    ]:
        assert must in names
    assert {
        "饮料",
        "方便食品",
        "零食",
        "乳品",
        "酒类",
        "粮油调味",
        "日用品",
        "个人护理",
        "文具",
        "冷冻食品",
    } <= {item.category for item in items}


def test_seed_catalog_loads_once(shop: Shop, owner: Actor) -> None:
    items = demo_catalog.read_demo_products()
    assert demo_catalog.seed_catalog(shop, owner) == len(items)
    assert demo_catalog.seed_catalog(shop, owner) == 0
    assert len(catalog.list_products(shop, limit=1000)) == len(items)
    water = catalog.find_by_barcode(shop, items[0].barcode)
    assert water is not None and water.name == items[0].name
    assert catalog.search(shop, "nfsq", limit=3)[0].product.name.startswith("农夫山泉")
    with pytest.raises(PermissionDenied):
        demo_catalog.seed_catalog(shop, users.Actor("x", "x", "cashier"))
