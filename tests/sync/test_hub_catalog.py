"""The generated mall catalogue the hub serves: every item fits the wire schema, barcodes are
valid EAN-13 with a GS1 China prefix and unique, names and sizes do not repeat, prices are
integer fen with the wholesale price below the shelf price, and a seed gives the same list."""

from __future__ import annotations

from sync.hub import catalog_seed


def ean13_ok(code: str) -> bool:
    digits = [int(d) for d in code]
    return len(code) == 13 and sum(d * (3 if i % 2 else 1) for i, d in enumerate(digits)) % 10 == 0


def test_the_generated_catalogue_is_valid_and_realistic() -> None:
    items = list(catalog_seed.generate(20_000, seed=3))
    assert [catalog_seed.check(i).sku for i in items] == [i["sku"] for i in items]
    barcodes = [i["barcode"] for i in items]
    assert len(set(barcodes)) == len(items)
    assert all(ean13_ok(b) and 690 <= int(b[:3]) <= 699 for b in barcodes)
    assert len({(i["name"], i["spec"]) for i in items}) == len(items)
    for item in items:
        assert isinstance(item["retail_price_fen"], int) and isinstance(
            item["wholesale_price_fen"], int
        )
        assert 0 < item["wholesale_price_fen"] < item["retail_price_fen"]
    assert {i["category"] for i in items} >= {
        "饮料",
        "方便食品",
        "休闲零食",
        "乳制品",
        "粮油调味",
        "日化清洁",
    }
    assert list(catalog_seed.generate(50, seed=3)) == items[:50]
    assert list(catalog_seed.generate(50, seed=4)) != items[:50]


def test_known_check_digits() -> None:
    assert catalog_seed.ean13("690123456789") == "6901234567892"
    assert ean13_ok("6921168509256")  # 农夫山泉 550ml
