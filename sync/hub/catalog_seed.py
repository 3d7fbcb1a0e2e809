"""A generated community-mall catalogue: 100,000+ goods with Chinese names, specs, GS1 China
barcodes and wholesale/suggested retail prices in fen — for the demo, the benchmarks and tests.

Deterministic for a seed. Names are built from real-looking parts (category → brand, product,
variant, spec); barcodes are EAN-13 with a 690–699 prefix, a manufacturer code per brand and an
item code per good, so they are unique and their check digits valid.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

from sync.protocol import CatalogItem

# (category, unit, brands, products, variants, specs [(text, case qty, price factor)], base retail fen)
_CATEGORIES: tuple[
    tuple[
        str,
        str,
        tuple[str, ...],
        tuple[str, ...],
        tuple[str, ...],
        tuple[tuple[str, int, float], ...],
        int,
    ],
    ...,
] = (
    (
        "饮料",
        "瓶",
        (
            "农夫山泉",
            "怡宝",
            "康师傅",
            "统一",
            "可口可乐",
            "百事",
            "元气森林",
            "王老吉",
            "加多宝",
            "娃哈哈",
            "东方树叶",
            "脉动",
        ),
        (
            "矿泉水",
            "纯净水",
            "冰红茶",
            "绿茶",
            "茉莉清茶",
            "气泡水",
            "橙汁",
            "凉茶",
            "可乐",
            "雪碧",
            "苏打水",
            "乌龙茶",
        ),
        ("", "无糖", "青柠味", "白桃味", "蜜桃味", "柠檬味", "原味", "低糖"),
        (
            ("330ml", 24, 0.7),
            ("500ml", 24, 1.0),
            ("550ml", 24, 1.05),
            ("1.5L", 12, 2.1),
            ("2L", 6, 2.6),
        ),
        300,
    ),
    (
        "方便食品",
        "袋",
        ("康师傅", "统一", "今麦郎", "白象", "五谷道场", "农心", "日清"),
        (
            "红烧牛肉面",
            "老坛酸菜牛肉面",
            "香辣牛肉面",
            "鲜虾鱼板面",
            "番茄鸡蛋面",
            "酸辣粉",
            "自热米饭",
            "拌面",
        ),
        ("", "经典", "加量", "桶装", "五连包"),
        (("100g", 24, 1.0), ("120g", 24, 1.2), ("5×100g", 6, 4.5), ("桶装 110g", 12, 1.5)),
        350,
    ),
    (
        "休闲零食",
        "袋",
        (
            "乐事",
            "旺旺",
            "卫龙",
            "三只松鼠",
            "良品铺子",
            "好丽友",
            "奥利奥",
            "盼盼",
            "达利园",
            "徐福记",
        ),
        (
            "薯片",
            "雪饼",
            "辣条",
            "夏威夷果",
            "每日坚果",
            "派",
            "夹心饼干",
            "法式小面包",
            "沙琪玛",
            "牛肉干",
            "瓜子",
            "海苔",
        ),
        ("原味", "黄瓜味", "番茄味", "烧烤味", "香辣味", "麻辣味", "奶油味", "巧克力味"),
        (
            ("40g", 30, 0.6),
            ("70g", 24, 1.0),
            ("135g", 12, 1.8),
            ("250g", 10, 3.0),
            ("500g", 6, 5.5),
        ),
        650,
    ),
    (
        "乳制品",
        "盒",
        ("伊利", "蒙牛", "光明", "君乐宝", "三元", "旺仔", "养乐多"),
        ("纯牛奶", "酸奶", "早餐奶", "高钙奶", "乳酸菌饮品", "调制乳", "风味发酵乳"),
        ("", "原味", "草莓味", "香蕉味", "低脂", "全脂", "脱脂"),
        (("200ml", 24, 1.0), ("250ml", 24, 1.2), ("1L", 12, 3.8), ("100ml×5", 10, 2.2)),
        350,
    ),
    (
        "酒类",
        "瓶",
        ("青岛", "雪花", "燕京", "百威", "哈尔滨", "牛栏山", "红星", "江小白", "泸州老窖"),
        ("啤酒", "纯生啤酒", "精酿啤酒", "二锅头", "白酒", "黄酒", "米酒"),
        ("", "经典", "清爽", "特制", "陈酿"),
        (("330ml", 24, 1.0), ("500ml", 12, 1.4), ("600ml", 12, 1.6), ("100ml", 40, 0.8)),
        600,
    ),
    (
        "粮油调味",
        "袋",
        ("金龙鱼", "福临门", "海天", "李锦记", "老干妈", "太太乐", "中粮", "鲁花", "千禾"),
        (
            "大米",
            "面粉",
            "挂面",
            "花生油",
            "调和油",
            "生抽",
            "老抽",
            "蚝油",
            "陈醋",
            "辣椒酱",
            "鸡精",
            "食盐",
        ),
        ("", "特级", "一级", "零添加", "家用"),
        (
            ("500g", 20, 1.0),
            ("1kg", 10, 1.9),
            ("5kg", 4, 8.5),
            ("500ml", 12, 1.1),
            ("1.8L", 6, 3.5),
        ),
        900,
    ),
    (
        "日化清洁",
        "瓶",
        ("蓝月亮", "立白", "汰渍", "奥妙", "雕牌", "威猛先生", "滴露", "超能"),
        ("洗衣液", "洗衣粉", "洗洁精", "洗手液", "消毒液", "洁厕灵", "柔顺剂", "肥皂"),
        ("", "薰衣草香", "柠檬香", "除菌", "深层洁净", "家庭装"),
        (("500g", 12, 1.0), ("1kg", 12, 1.8), ("2kg", 6, 3.4), ("3kg", 4, 4.8)),
        1500,
    ),
    (
        "个人护理",
        "支",
        ("高露洁", "佳洁士", "云南白药", "舒肤佳", "海飞丝", "潘婷", "清扬", "妮维雅", "大宝"),
        ("牙膏", "牙刷", "沐浴露", "洗发水", "护发素", "洗面奶", "护手霜", "润唇膏"),
        ("", "清新薄荷", "美白", "修护", "去屑", "男士", "儿童"),
        (("90g", 24, 0.8), ("120g", 24, 1.0), ("400ml", 12, 2.5), ("750ml", 6, 4.0)),
        1290,
    ),
    (
        "纸品",
        "提",
        ("维达", "心相印", "清风", "洁柔", "舒洁"),
        ("抽纸", "卷纸", "手帕纸", "湿巾", "厨房用纸"),
        ("", "3层", "4层", "加厚", "无香"),
        (("3包", 10, 1.0), ("6包", 6, 1.9), ("10卷", 6, 2.4), ("18包", 2, 4.6)),
        990,
    ),
    (
        "冷冻食品",
        "袋",
        ("三全", "思念", "湾仔码头", "安井", "正大"),
        ("水饺", "汤圆", "馄饨", "鱼丸", "速冻包子", "手抓饼", "鸡块"),
        ("猪肉白菜", "韭菜鸡蛋", "三鲜", "黑芝麻", "玉米猪肉", "原味"),
        (("400g", 12, 1.0), ("500g", 12, 1.2), ("1kg", 6, 2.2)),
        1290,
    ),
)


def ean13(first12: str) -> str:
    """The 12 digits and their EAN-13 check digit (weights 1,3,1,3… from the left)."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return first12 + str((10 - total % 10) % 10)


def _brand_codes() -> dict[tuple[int, int], str]:
    """A GS1 China prefix (690–699) and a 4-digit manufacturer code per (category, brand)."""
    codes: dict[tuple[int, int], str] = {}
    n = 0
    for c, category in enumerate(_CATEGORIES):
        for b in range(len(category[2])):
            codes[(c, b)] = f"{690 + n % 10}{(1000 + n * 37) % 10000:04d}"
            n += 1
    return codes


def _round_price(fen: float) -> int:
    """Shelf prices end in 0 or 5 jiao-ish steps: 10 fen below 10 yuan, 50 fen above."""
    step = 10 if fen < 1000 else 50
    return max(step, round(fen / step) * step)


def generate(count: int, seed: int = 5) -> Iterator[dict[str, Any]]:
    """`count` catalogue items as plain dicts in the `CatalogItem` shape."""
    rng = random.Random(seed)
    codes = _brand_codes()
    next_item: dict[tuple[int, int], int] = {}
    for index in range(count):
        c = rng.randrange(len(_CATEGORIES))
        category, unit, brands, products, variants, specs, base = _CATEGORIES[c]
        b = rng.randrange(len(brands))
        spec, case_qty, factor = specs[rng.randrange(len(specs))]
        product = products[rng.randrange(len(products))]
        variant = variants[rng.randrange(len(variants))]
        item_no = next_item.get((c, b), 0)
        next_item[(c, b)] = item_no + 1
        retail = _round_price(base * factor * rng.uniform(0.8, 1.35))
        wholesale = int(retail * rng.uniform(0.72, 0.88))
        barcode = ean13(codes[(c, b)] + f"{item_no % 100000:05d}")
        yield {
            "sku": f"M{index + 1:07d}",
            "barcode": barcode,
            "name": f"{brands[b]}{variant}{product}",
            "spec": spec,
            "unit": unit,
            "category": category,
            "case_qty": case_qty,
            "wholesale_price_fen": wholesale,
            "retail_price_fen": retail,
            "active": True,
        }


def check(item: dict[str, Any]) -> CatalogItem:
    """The wire schema's verdict on a generated item (tests run every item through it)."""
    return CatalogItem.model_validate(item)
