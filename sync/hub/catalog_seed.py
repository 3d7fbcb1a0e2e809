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

# One line of goods: (category, unit, brands, products, variants, specs [(text, case qty, price
# factor)], base retail fen). Products in a line share their specs, so a toothbrush never comes in
# 750ml; a category may have several lines.
_Line = tuple[
    str,
    str,
    tuple[str, ...],
    tuple[str, ...],
    tuple[str, ...],
    tuple[tuple[str, int, float], ...],
    int,
]
_CATEGORIES: tuple[_Line, ...] = (
    (
        "饮料",
        "瓶",
        ("农夫山泉", "怡宝", "百岁山", "娃哈哈", "景田"),
        ("饮用天然水", "纯净水", "矿泉水"),
        ("",),
        (("380ml", 24, 0.8), ("550ml", 24, 1.0), ("1.5L", 12, 2.2), ("4L", 6, 4.5)),
        200,
    ),
    (
        "饮料",
        "瓶",
        ("康师傅", "统一", "东方树叶", "三得利", "元气森林"),
        ("冰红茶", "绿茶", "茉莉清茶", "乌龙茶", "气泡水"),
        ("", "无糖", "低糖", "青柠味", "白桃味"),
        (("330ml", 24, 0.8), ("500ml", 15, 1.0), ("1L", 12, 1.8)),
        350,
    ),
    (
        "饮料",
        "罐",
        ("可口可乐", "百事", "雪碧", "芬达", "王老吉", "加多宝"),
        ("汽水", "可乐", "凉茶"),
        ("", "原味", "零度", "橙味"),
        (("330ml", 24, 1.0), ("500ml", 24, 1.3), ("2L", 6, 3.0)),
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
            "拌面",
        ),
        ("", "经典", "加量"),
        (("100g", 24, 1.0), ("120g", 24, 1.2), ("5×100g", 6, 4.5), ("桶装 110g", 12, 1.5)),
        350,
    ),
    (
        "方便食品",
        "盒",
        ("自嗨锅", "莫小仙", "海底捞", "统一"),
        ("自热米饭", "自热火锅", "煲仔饭"),
        ("", "麻辣", "番茄", "咖喱"),
        (("260g", 12, 1.0), ("400g", 8, 1.5)),
        1590,
    ),
    (
        "休闲零食",
        "袋",
        ("乐事", "旺旺", "卫龙", "三只松鼠", "良品铺子", "好丽友", "盼盼", "徐福记"),
        ("薯片", "雪饼", "辣条", "夏威夷果", "每日坚果", "牛肉干", "瓜子", "海苔"),
        ("原味", "黄瓜味", "番茄味", "烧烤味", "香辣味", "五香味"),
        (("40g", 30, 0.6), ("70g", 24, 1.0), ("135g", 12, 1.8), ("250g", 10, 3.0)),
        650,
    ),
    (
        "休闲零食",
        "盒",
        ("奥利奥", "好丽友", "达利园", "嘉顿", "康师傅"),
        ("夹心饼干", "巧克力派", "法式小面包", "苏打饼干", "蛋黄派"),
        ("原味", "巧克力味", "草莓味", "奶油味"),
        (("97g", 24, 1.0), ("200g", 12, 1.9), ("388g", 8, 3.4)),
        690,
    ),
    (
        "乳制品",
        "盒",
        ("伊利", "蒙牛", "光明", "君乐宝", "三元", "特仑苏"),
        ("纯牛奶", "早餐奶", "高钙奶", "调制乳"),
        ("", "全脂", "低脂", "脱脂"),
        (("200ml", 24, 1.0), ("250ml", 24, 1.2), ("1L", 12, 3.8)),
        350,
    ),
    (
        "乳制品",
        "杯",
        ("伊利", "蒙牛", "光明", "君乐宝", "简爱", "养乐多"),
        ("酸奶", "风味发酵乳", "乳酸菌饮品"),
        ("原味", "草莓味", "黄桃味", "蓝莓味"),
        (("100g", 24, 0.7), ("200g", 12, 1.0), ("100ml×5", 10, 2.2)),
        450,
    ),
    (
        "酒类",
        "瓶",
        ("青岛", "雪花", "燕京", "百威", "哈尔滨"),
        ("啤酒", "纯生啤酒", "精酿啤酒"),
        ("", "经典", "清爽", "特制"),
        (("330ml", 24, 1.0), ("500ml", 12, 1.4), ("600ml", 12, 1.6)),
        500,
    ),
    (
        "酒类",
        "瓶",
        ("牛栏山", "红星", "江小白", "泸州老窖", "古越龙山"),
        ("二锅头", "白酒", "黄酒"),
        ("", "陈酿", "清香型", "浓香型"),
        (("100ml", 40, 0.3), ("500ml", 12, 1.0)),
        2000,
    ),
    (
        "粮油调味",
        "袋",
        ("金龙鱼", "福临门", "中粮", "五常", "香满园"),
        ("大米", "面粉", "挂面"),
        ("", "特级", "一级", "家用"),
        (("1kg", 10, 1.0), ("2.5kg", 6, 2.3), ("5kg", 4, 4.3)),
        1290,
    ),
    (
        "粮油调味",
        "桶",
        ("金龙鱼", "福临门", "鲁花", "胡姬花"),
        ("花生油", "调和油", "大豆油", "菜籽油"),
        ("", "压榨", "一级"),
        (("900ml", 12, 1.0), ("1.8L", 6, 1.9), ("5L", 4, 4.5)),
        2690,
    ),
    (
        "粮油调味",
        "瓶",
        ("海天", "李锦记", "千禾", "厨邦", "老干妈", "恒顺"),
        ("生抽", "老抽", "蚝油", "陈醋", "料酒", "辣椒酱"),
        ("", "特级", "零添加", "金标"),
        (("280g", 24, 0.8), ("500ml", 12, 1.0), ("1.9L", 6, 3.2)),
        890,
    ),
    (
        "日化清洁",
        "瓶",
        ("蓝月亮", "立白", "汰渍", "奥妙", "超能"),
        ("洗衣液", "柔顺剂"),
        ("", "薰衣草香", "除菌", "深层洁净"),
        (("1kg", 12, 1.0), ("2kg", 6, 1.8), ("3kg", 4, 2.5)),
        2490,
    ),
    (
        "日化清洁",
        "瓶",
        ("立白", "雕牌", "威猛先生", "滴露", "蓝月亮"),
        ("洗洁精", "洗手液", "消毒液", "洁厕灵"),
        ("", "柠檬香", "除菌", "家庭装"),
        (("500g", 12, 1.0), ("1kg", 12, 1.7), ("1.5kg", 8, 2.3)),
        990,
    ),
    (
        "个人护理",
        "支",
        ("高露洁", "佳洁士", "云南白药", "黑人", "舒适达"),
        ("牙膏",),
        ("清新薄荷", "美白", "护龈", "抗敏感"),
        (("90g", 24, 0.7), ("120g", 24, 1.0), ("180g", 12, 1.4)),
        1290,
    ),
    (
        "个人护理",
        "支",
        ("高露洁", "佳洁士", "黑人", "狮王"),
        ("牙刷",),
        ("软毛", "超细毛", "儿童"),
        (("1支", 48, 1.0), ("3支装", 24, 2.4)),
        890,
    ),
    (
        "个人护理",
        "瓶",
        ("舒肤佳", "海飞丝", "潘婷", "清扬", "力士", "六神"),
        ("沐浴露", "洗发水", "护发素"),
        ("", "去屑", "修护", "清爽", "男士"),
        (("200ml", 24, 0.6), ("400ml", 12, 1.0), ("750ml", 6, 1.6)),
        2990,
    ),
    (
        "纸品",
        "提",
        ("维达", "心相印", "清风", "洁柔", "舒洁"),
        ("抽纸", "卷纸", "手帕纸"),
        ("", "3层", "4层", "加厚", "无香"),
        (("3包", 10, 1.0), ("6包", 6, 1.9), ("10卷", 6, 2.4), ("18包", 2, 4.6)),
        990,
    ),
    (
        "纸品",
        "包",
        ("维达", "心相印", "清风", "洁柔"),
        ("湿巾", "厨房用纸"),
        ("", "无香", "婴儿"),
        (("10片", 48, 0.4), ("80片", 12, 1.0), ("2卷", 12, 1.2)),
        990,
    ),
    (
        "冷冻食品",
        "袋",
        ("三全", "思念", "湾仔码头", "安井", "正大"),
        ("水饺", "馄饨", "速冻包子"),
        ("猪肉白菜", "韭菜鸡蛋", "三鲜", "玉米猪肉"),
        (("400g", 12, 1.0), ("500g", 12, 1.2), ("1kg", 6, 2.2)),
        1290,
    ),
    (
        "冷冻食品",
        "袋",
        ("三全", "思念", "安井", "正大"),
        ("汤圆", "鱼丸", "手抓饼", "鸡块"),
        ("原味", "黑芝麻", "花生"),
        (("300g", 12, 0.8), ("454g", 12, 1.0), ("1kg", 6, 2.0)),
        1190,
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


EDITIONS = (
    "",
    "家庭装",
    "促销装",
    "新包装",
    "量贩装",
    "便携装",
    "加量装",
    "组合装",
    "礼盒装",
    "经典装",
    "升级款",
    "尝鲜装",
    "整箱装",
    "限定款",
    "节日装",
    "实惠装",
    "囤货装",
    "分享装",
    "随心装",
    "超值装",
)
"""Editions make the generated goods distinct: a brand's product, variant and size come in
several packs, as a mall's list does."""


def _combinations() -> list[tuple[int, int, int, int, int, int]]:
    """Every (line, brand, product, variant, spec, edition) there is, in a fixed order."""
    out: list[tuple[int, int, int, int, int, int]] = []
    for c, (_cat, _unit, brands, products, variants, specs, _base) in enumerate(_CATEGORIES):
        for b in range(len(brands)):
            for p in range(len(products)):
                for v in range(len(variants)):
                    for s in range(len(specs)):
                        out.extend((c, b, p, v, s, e) for e in range(len(EDITIONS)))
    return out


def generate(count: int, seed: int = 5) -> Iterator[dict[str, Any]]:
    """`count` catalogue items as plain dicts in the `CatalogItem` shape. Names and sizes do not
    repeat until every combination is used (then a numbered series continues them)."""
    rng = random.Random(seed)
    codes = _brand_codes()
    combos = _combinations()
    rng.shuffle(combos)
    next_item: dict[tuple[int, int], int] = {}
    for index in range(count):
        c, b, p, v, s, e = combos[index % len(combos)]
        series = index // len(combos)
        category, unit, brands, products, variants, specs, base = _CATEGORIES[c]
        spec, case_qty, factor = specs[s]
        item_no = next_item.get((c, b), 0)
        next_item[(c, b)] = item_no + 1
        retail = _round_price(base * factor * rng.uniform(0.8, 1.35))
        wholesale = int(retail * rng.uniform(0.72, 0.88))
        barcode = ean13(codes[(c, b)] + f"{item_no % 100000:05d}")
        edition = EDITIONS[e] + (f"（第{series + 1}批）" if series else "")
        yield {
            "sku": f"M{index + 1:07d}",
            "barcode": barcode,
            "name": f"{brands[b]}{variants[v]}{products[p]}{edition}",
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
