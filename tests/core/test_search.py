from __future__ import annotations

import pytest
from sqlalchemy import text, update

from storebox import catalog, users
from storebox.barcodes import with_check_digit
from storebox.catalog import ProductRow, SearchHit
from storebox.db.models import Product
from storebox.errors import InvalidInput
from storebox.shop import Shop
from storebox.users import Actor

GOODS = [
    # name, sold_qty
    ("可口可乐330ml罐装", 50),
    ("零度可口可乐330ml罐装", 5),
    ("百事可乐500ml", 20),
    ("可比克薯片番茄味60g", 8),
    ("农夫山泉饮用天然水550ml", 90),
    ("农夫果园30%混合果蔬汁500ml", 3),
    ("康师傅红烧牛肉面桶装", 40),
    ("乐事薯片原味70g", 30),
    ("快乐柠檬茶", 1),
    ("青岛啤酒经典500ml罐装", 25),
    ("雪碧330ml罐装", 35),
]


def code_for(i: int) -> str:
    return with_check_digit(f"69012345{i:04d}")


@pytest.fixture
def owner(shop: Shop) -> Actor:
    return users.create_user(shop, name="店主", role="owner", pin="1234", by=None)


@pytest.fixture
def goods(shop: Shop, owner: Actor) -> dict[str, str]:
    """The goods above, with their sales figures; name → product id."""
    ids = {}
    for i, (name, _) in enumerate(GOODS):
        ids[name] = catalog.add_product(
            shop, owner, name=name, price_fen=300, barcodes=(code_for(i),)
        ).id
    set_sold(shop, {name: sold for name, sold in GOODS}, ids)
    return ids


def set_sold(shop: Shop, sold: dict[str, int], ids: dict[str, str]) -> None:
    with shop.store.write() as session:
        for name, qty in sold.items():
            session.execute(update(Product).where(Product.id == ids[name]).values(sold_qty=qty))


def names(hits: list[SearchHit]) -> list[str]:
    return [h.product.name for h in hits]


def matches(hits: list[SearchHit]) -> list[tuple[str, str]]:
    return [(h.product.name, h.match) for h in hits]


def test_kkl_finds_coca_cola_through_its_initials(shop: Shop, goods: dict[str, str]) -> None:
    # 可口可乐 is ke kou ke le: initials 'kkkl'; 'kkl' is inside them, not at the start.
    assert matches(catalog.search(shop, "kkl")) == [
        ("可口可乐330ml罐装", "initials"),
        ("零度可口可乐330ml罐装", "initials"),
    ]
    assert matches(catalog.search(shop, "KKKL")) == [
        ("可口可乐330ml罐装", "initials_prefix"),
        ("零度可口可乐330ml罐装", "initials"),
    ]


def test_nfsq_finds_nongfu_spring(shop: Shop, goods: dict[str, str]) -> None:
    assert matches(catalog.search(shop, "nfsq")) == [("农夫山泉饮用天然水550ml", "initials_prefix")]
    assert matches(catalog.search(shop, "ｎｆｓｑ")) == [
        ("农夫山泉饮用天然水550ml", "initials_prefix")
    ]


def test_kele_finds_every_cola_and_nothing_else(shop: Shop, goods: dict[str, str]) -> None:
    colas = ["可口可乐330ml罐装", "百事可乐500ml", "零度可口可乐330ml罐装"]
    assert names(catalog.search(shop, "可乐")) == colas  # best sellers first
    assert all(h.match == "name" for h in catalog.search(shop, "可乐"))
    assert names(catalog.search(shop, "kele")) == colas
    assert [h.match for h in catalog.search(shop, "kele")] == ["pinyin"] * 3


def test_one_chinese_character_is_enough(shop: Shop, goods: dict[str, str]) -> None:
    # 乐 starts one name and is inside five more: the prefix match comes first.
    assert matches(catalog.search(shop, "乐")) == [
        ("乐事薯片原味70g", "name_prefix"),
        ("可口可乐330ml罐装", "name"),
        ("百事可乐500ml", "name"),
        ("零度可口可乐330ml罐装", "name"),
        ("快乐柠檬茶", "name"),
    ]


def test_full_pinyin_prefix(shop: Shop, goods: dict[str, str]) -> None:
    assert matches(catalog.search(shop, "nongfu")) == [
        ("农夫山泉饮用天然水550ml", "pinyin_prefix"),
        ("农夫果园30%混合果蔬汁500ml", "pinyin_prefix"),
    ]
    assert names(catalog.search(shop, "kangshifu")) == ["康师傅红烧牛肉面桶装"]


def test_barcode_first_then_prefixes_then_the_rest(shop: Shop, goods: dict[str, str]) -> None:
    # A scanned code is the product, nothing else.
    assert matches(catalog.search(shop, code_for(3))) == [("可比克薯片番茄味60g", "barcode")]
    # 'kb' is the start of 可比克's initials, and inside nothing else.
    # 'kl': initials prefix of 快乐柠檬茶 (kl...), inside 可口可乐 (kkkl) and 百事可乐 (bskl):
    # the prefix ranks first although it sells least.
    hits = catalog.search(shop, "kl")
    assert matches(hits)[0] == ("快乐柠檬茶", "initials_prefix")
    assert names(hits)[1:4] == ["可口可乐330ml罐装", "百事可乐500ml", "零度可口可乐330ml罐装"]


def test_a_code_that_is_also_a_name_prefix_comes_first(shop: Shop, owner: Actor) -> None:
    catalog.add_product(shop, owner, name="A001 胶带", price_fen=100, shop_codes=("B001",))
    tape = catalog.add_product(shop, owner, name="小胶带", price_fen=100, shop_codes=("A001",))
    assert matches(catalog.search(shop, "A001")) == [
        ("小胶带", "barcode"),
        ("A001 胶带", "name_prefix"),
    ]
    # Lower case: the scanner's code is normalised; the name prefix is then an initials prefix.
    assert matches(catalog.search(shop, "a001")) == [
        ("小胶带", "barcode"),
        ("A001 胶带", "initials_prefix"),
    ]
    assert catalog.search(shop, "a001")[0].product == tape


def test_best_sellers_first_among_equals(shop: Shop, goods: dict[str, str]) -> None:
    spring, orchard = "农夫山泉饮用天然水550ml", "农夫果园30%混合果蔬汁500ml"
    # Two initials prefixes, then 可比克薯片番茄味 whose pinyin ...pia(nf)an... holds 'nf'.
    assert matches(catalog.search(shop, "nf")) == [
        (spring, "initials_prefix"),
        (orchard, "initials_prefix"),
        ("可比克薯片番茄味60g", "pinyin"),
    ]
    set_sold(shop, {orchard: 500}, goods)
    assert names(catalog.search(shop, "nf"))[:2] == [orchard, spring]
    # Equal sellers: the newer product first.
    set_sold(shop, {orchard: 90}, goods)
    assert names(catalog.search(shop, "nf"))[:2] == [orchard, spring]
    set_sold(shop, {orchard: 89}, goods)
    assert names(catalog.search(shop, "nf"))[:2] == [spring, orchard]


def test_two_letters_at_the_very_end_of_the_initials(shop: Shop, goods: dict[str, str]) -> None:
    # 红烧牛肉面桶装 ends in ...mtz: 'tz' has no trigram of its own but the end marker.
    assert matches(catalog.search(shop, "tz")) == [("康师傅红烧牛肉面桶装", "initials")]
    assert matches(catalog.search(shop, "tongzhuang")) == [("康师傅红烧牛肉面桶装", "pinyin")]
    assert len(catalog.search(shop, "zhuang")) == 5  # every 罐装 and 桶装


def test_limit_is_respected_and_checked(shop: Shop, goods: dict[str, str]) -> None:
    assert len(catalog.search(shop, "k", limit=2)) == 2
    with pytest.raises(InvalidInput):
        catalog.search(shop, "k", limit=0)
    with pytest.raises(InvalidInput):
        catalog.search(shop, "k", limit=10_000)


def test_empty_and_unknown_queries(shop: Shop, goods: dict[str, str]) -> None:
    assert catalog.search(shop, "") == []
    assert catalog.search(shop, "   ") == []
    assert catalog.search(shop, "xyzzy") == []
    assert catalog.search(shop, "6999999999999") == []
    assert catalog.search(shop, "鲨鱼") == []


HOSTILE = [
    '"',
    '""',
    '"可乐',
    '可乐"',
    "*",
    "可*",
    "kk*",
    "^可",
    "NEAR(可 乐)",
    "可 OR 乐",
    "NOT 乐",
    "可 AND 乐",
    "search_text:可",
    "{initials pinyin} : kkl",
    "(",
    ")",
    "'; DROP TABLE products; --",
    "%",
    "_",
    "k%l",
    "\x00",
    "🥤可乐",
    "\\",
    "可" * 500,
]


@pytest.mark.parametrize("query", HOSTILE)
def test_fts_syntax_in_a_query_is_harmless(shop: Shop, goods: dict[str, str], query: str) -> None:
    hits = catalog.search(shop, query)
    assert len(hits) <= 20
    # User text is only ever literal: 可 OR 乐 does not mean "either character".
    if query in ("可 OR 乐", "NOT 乐", "可 AND 乐"):
        assert hits == []
    with shop.store.read() as session:
        assert session.execute(text("SELECT count(*) FROM products")).scalar() == len(GOODS)
    assert names(catalog.search(shop, "可乐"))[0] == "可口可乐330ml罐装"


def test_quotes_and_stars_around_a_real_word_still_find_it(
    shop: Shop, goods: dict[str, str]
) -> None:
    for query in ['"可乐"', "可乐*", "*可乐*", "「可乐」", "可 乐"]:
        assert len(catalog.search(shop, query)) == 3, query


def test_phrase_last_token_is_a_prefix(shop: Shop, goods: dict[str, str]) -> None:
    assert names(catalog.search(shop, "可乐33")) == ["可口可乐330ml罐装", "零度可口可乐330ml罐装"]


def bulk(shop: Shop, n: int) -> None:
    rows = [
        ProductRow(
            name=f"可口可乐 {flavour} {size}ml",
            price_fen=300,
            barcodes=(with_check_digit(f"6930000{i:05d}"),),
            sold_qty=(i * 7919) % 1000,
        )
        for i, (flavour, size) in enumerate(
            (f, s)
            for f in ["原味", "柠檬味", "香草味", "樱桃味", "无糖"]
            for s in range(100, 100 + n // 5)
        )
    ]
    with shop.store.write() as session:
        catalog.bulk_insert_products(session, rows, at=shop.now())


@pytest.mark.parametrize("query", ["可乐", "kkkl", "kk", "k", "kekou", "柠檬", "樱桃味 12"])
def test_broad_and_narrow_plans_rank_alike(
    shop: Shop, monkeypatch: pytest.MonkeyPatch, query: str
) -> None:
    """Many matches walk the best-seller index, few are sorted: the same answer either way."""
    bulk(shop, 600)
    narrow = catalog.search(shop, query, limit=50)
    monkeypatch.setattr(catalog, "CANDIDATE_CAP", 3)
    broad = catalog.search(shop, query, limit=50)
    assert narrow == broad
    assert len(narrow) == 50 or query == "樱桃味 12"
    sold = [h.product.sold_qty for h in narrow if h.match == narrow[0].match]
    assert sold == sorted(sold, reverse=True)


def test_the_broad_plan_skips_what_ranked_higher(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    bulk(shop, 50)
    monkeypatch.setattr(catalog, "CANDIDATE_CAP", 2)
    code = with_check_digit("693000000003")
    hits = catalog.search(shop, code)
    assert [h.match for h in hits] == ["barcode"]
    hits = catalog.search(shop, "kk", limit=60)
    assert len({h.product.id for h in hits}) == len(hits) == 50
