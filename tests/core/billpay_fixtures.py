"""Billers shaped like the hub's simulated ones (sync/hub/billers_data.py), installed into a shop
through the real pull path (`syncstate.apply_page`), and the hub's offline limits."""

from __future__ import annotations

from typing import Any

from storebox import syncstate
from storebox.billers import BillerData
from storebox.hub_config import ConfigValue
from storebox.shop import Shop

UTILITY_HOURS = ["00:30-23:30"]

BILLERS: dict[str, dict[str, Any]] = {
    "sgcc-bj": {
        "kind": "electricity",
        "name": "国家电网 北京电力（电费）",
        "rules": {
            "account_label": "户号",
            "account_pattern": r"^(\d{10}|110\d{10})$",
            "account_tip": "13 位户号（110 开头）",
            "lookup": True,
            "amount_min_fen": 100,
            "amount_max_fen": 500000,
            "partial": False,
            "overpay": True,
            "per_day_max_fen": 1000000,
            "hours": UTILITY_HOURS,
            "commission": {"kind": "fixed", "fixed_fen": 50},
            "bill_barcode": r"^(?P<account>110\d{10})\d{6}(?P<amount_fen>\d{8})$",
        },
    },
    "bjwater": {
        "kind": "water",
        "name": "北京自来水集团（水费）",
        "rules": {
            "account_label": "户号",
            "account_pattern": r"^\d{8,12}$",
            "lookup": True,
            "amount_min_fen": 100,
            "amount_max_fen": 200000,
            "partial": False,
            "overpay": False,
            "hours": UTILITY_HOURS,
            "commission": {"kind": "fixed", "fixed_fen": 50},
        },
    },
    "bjgas": {
        "kind": "gas",
        "name": "北京燃气（燃气费）",
        "rules": {
            "account_label": "燃气用户号",
            "account_pattern": r"^\d{10}$",
            "lookup": True,
            "amount_min_fen": 1000,
            "amount_max_fen": 300000,
            "amount_step_fen": 100,
            "partial": True,
            "overpay": True,
            "commission": {"kind": "fixed", "fixed_fen": 50},
        },
    },
    "cmcc": {
        "kind": "mobile",
        "name": "中国移动 话费充值",
        "rules": {
            "account_label": "手机号",
            "account_pattern": r"^1[3-9]\d{9}$",
            "denominations_fen": [1000, 2000, 3000, 5000, 10000, 20000, 30000, 50000],
            "per_day_max_fen": 100000,
            "prefixes": ["1340", "1341", "135", "136", "137", "138", "139", "150", "188"],
            "commission": {"kind": "percent", "basis_points": 150},
        },
    },
    "cucc": {
        "kind": "mobile",
        "name": "中国联通 话费充值",
        "rules": {
            "account_label": "手机号",
            "account_pattern": r"^1[3-9]\d{9}$",
            "denominations_fen": [1000, 2000, 3000, 5000, 10000],
            "prefixes": ["130", "131", "132", "155", "156", "185", "186"],
            "commission": {"kind": "percent", "basis_points": 100},
        },
    },
    "ctcc": {
        "kind": "mobile",
        "name": "中国电信 话费充值",
        "rules": {
            "account_label": "手机号",
            "account_pattern": r"^1[3-9]\d{9}$",
            "denominations_fen": [1000, 2000, 3000, 5000, 10000],
            "prefixes": ["133", "1349", "153", "180", "181", "189"],
            "commission": {"kind": "percent", "basis_points": 100},
        },
    },
    "cc-repay": {
        "kind": "credit_card",
        "name": "信用卡还款",
        "rules": {
            "account_label": "信用卡号",
            "account_pattern": r"^\d{15,19}$",
            "luhn": True,
            "amount_min_fen": 100,
            "amount_max_fen": 5000000,
            "bins": [
                {"prefix": "622575", "bank": "招商银行", "type": "credit", "posting": "realtime"},
                {"prefix": "62223", "bank": "工商银行", "type": "credit", "posting": "realtime"},
                {"prefix": "622588", "bank": "招商银行", "type": "debit", "posting": "realtime"},
            ],
            "commission": {"kind": "fixed", "fixed_fen": 100},
        },
    },
}

CMB_CREDIT = "6225750000000006"
"""A Luhn-valid 16-digit number on CMB's credit BIN 622575."""
CMB_DEBIT = "6225880000000001"
"""Luhn-valid, on CMB's debit BIN 622588."""


def luhn_complete(body: str) -> str:
    """`body` with the check digit that makes it pass Luhn."""
    for digit in "0123456789":
        number = body + digit
        total = 0
        for i, ch in enumerate(reversed(number)):
            d = int(ch) * (2 if i % 2 else 1)
            total += d - 9 if d > 9 else d
        if total % 10 == 0:
            return number
    raise AssertionError("unreachable")


def biller(biller_id: str) -> BillerData:
    data = BILLERS[biller_id]
    return BillerData(biller_id, data["kind"], data["name"], True, data["rules"])


def install_billers(shop: Shop, *, offline_max: int = 20_000, per_day: int = 50_000) -> None:
    """The billers and the hub's offline limits, as the agent would have pulled them."""
    syncstate.apply_page(
        shop,
        "billers",
        [syncstate.Upsert(b, biller(b)) for b in BILLERS],
        "billers.1.1.1.1",
    )
    syncstate.apply_page(
        shop,
        "config",
        [
            syncstate.Upsert(
                "offline_bill_payment_max_fen",
                ConfigValue("offline_bill_payment_max_fen", offline_max),
            ),
            syncstate.Upsert(
                "offline_bill_payments_per_day_max_fen",
                ConfigValue("offline_bill_payments_per_day_max_fen", per_day),
            ),
        ],
        "config.1.1.1.1",
    )
