"""The simulated billers' data: the registry the hub publishes as the `billers` stream, and the
few tables the simulator needs beyond it (number portability, reserved test accounts, failure
reasons). Data, not code: a new number segment, BIN or biller is an edit here (or, on a live
hub, a publish to the `billers` stream, which the hub reads back for every check).

Sources are `../shared/reference/billpay.md`: carrier segments §1.2 (VincentSit README,
current as of 2020-05; 134 is Mobile only for 1340-1348, 1349 is Telecom), denominations §1.3,
credit-card BINs §2.2 (hexindai/bcbc, 2025-02), posting per issuer §6.2.3, State Grid account
numbers §3.1 (10 digits, 13 with the province prefix 110 for Beijing), amount rules §3.3 and
§6.3, commission §4.1/§6.4.12. Values marked U there (utilities' opening hours, water/gas
account lengths, bill barcodes, commission) are assumptions for the simulator.
"""

from __future__ import annotations

from typing import Any, Final

_UTILITY_HOURS: Final = ["00:30-23:30"]
"""Utilities refuse payments during their nightly settlement (日切), assumed 23:30-00:30."""
_UTILITY_COMMISSION: Final = {"kind": "fixed", "fixed_fen": 50}
"""¥0.50 per successful bill (billpay.md §4.1, U)."""
_DENOMINATIONS: Final = [1000, 2000, 3000, 5000, 10000, 20000, 30000, 50000]
"""¥10 … ¥500, the hub default of billpay.md §1.3."""

# --- mobile segments (billpay.md §1.2, basic operators only; MVNO segments are refused) ------

CMCC_PREFIXES: Final = [
    *(f"134{d}" for d in range(9)),  # 1340-1348; 1349 is Telecom's satellite segment
    "135", "136", "137", "138", "139", "147", "150", "151", "152", "157", "158", "159",
    "172", "178", "182", "183", "184", "187", "188", "195", "197", "198",
]  # fmt: skip
CUCC_PREFIXES: Final = [
    "130", "131", "132", "145", "155", "156", "166", "175", "176", "185", "186", "196",
]  # fmt: skip
CTCC_PREFIXES: Final = [
    "133", "1349", "149", "153", "173", "177", "180", "181", "189", "190", "191", "193", "199",
]  # fmt: skip
MVNO_PREFIXES: Final = ("162", "165", "167", "170", "171")
"""Virtual operators (虚拟运营商): aggregators refuse them (billpay.md §1.4, §6.1.2)."""

MNP_OVERRIDES: Final[dict[str, str]] = {
    # 携号转网: a number keeps its segment but moves carrier (billpay.md §1.1). The simulator's
    # small stand-in for the carriers' portability lookup: number -> the biller it now belongs to.
    "13800138000": "cucc",  # a Mobile segment, ported to Unicom
    "13912345678": "ctcc",  # Mobile -> Telecom
    "18612345678": "cmcc",  # Unicom -> Mobile
    "18912345678": "cucc",  # Telecom -> Unicom
}

# --- credit-card BINs (billpay.md §2.2; credit BINs and a few debit BINs of the same banks) --

_POSTING = {
    # §6.2.3: the big state banks and CMB post in real time, most others the same day, a few T+1
    "ICBC": "realtime",
    "CCB": "realtime",
    "ABC": "realtime",
    "BOC": "realtime",
    "COMM": "realtime",
    "CMB": "realtime",
    "CITIC": "same_day",
    "CEB": "same_day",
    "CIB": "same_day",
    "SPDB": "same_day",
    "SPABANK": "same_day",
    "CMBC": "next_day",
    "GDB": "next_day",
    "PSBC": "same_day",
    "HXBANK": "next_day",
}
_BANK_NAMES = {
    "ICBC": "工商银行",
    "CCB": "建设银行",
    "ABC": "农业银行",
    "BOC": "中国银行",
    "COMM": "交通银行",
    "CMB": "招商银行",
    "CITIC": "中信银行",
    "CEB": "光大银行",
    "CIB": "兴业银行",
    "SPDB": "浦发银行",
    "SPABANK": "平安银行",
    "CMBC": "民生银行",
    "GDB": "广发银行",
    "PSBC": "邮储银行",
    "HXBANK": "华夏银行",
}
_CREDIT_BINS: Final[dict[str, list[str]]] = {
    "ICBC": [
        "622158", "622159", "622210", "622211", "622212", "622213", "622214", "622215",
        "62223", "622240", "622245", "622246", "622597", "622599", "622910", "625247",
        "625249", "625858", "625859", "625915", "625916", "625917", "628286", "628288",
        "427020", "427030", "451810", "451811", "524047", "524091", "528856", "550213",
    ],
    "CCB": [
        "622166", "622168", "622675", "622676", "622677", "622708", "625362", "625363",
        "625964", "625965", "625966", "628317", "628366", "436745", "436748", "489592",
        "531693", "532458",
    ],
    "ABC": [
        "622836", "622837", "622838", "622839", "625336", "625826", "625827", "625996",
        "625997", "625998", "628268", "628269", "403361", "463758", "514027", "548478",
    ],
    "BOC": [
        "62275", "622760", "622761", "622762", "622763", "622764", "622765", "625040",
        "625055", "625141", "625143", "625337", "625905", "625906", "625907", "625908",
        "625909", "625910", "628312", "409666", "438088", "518476", "525746",
    ],
    "COMM": ["622251", "622252", "622253", "622285", "622656", "458123", "458124", "521899"],
    "CMB": [
        "622575", "622576", "622577", "622578", "622579", "622581", "622582", "628262",
        "628362", "439188", "439225", "439226", "439227", "479229", "518710", "518718",
        "545619", "545620", "545621", "545623", "545947", "545948", "552534", "552587",
    ],
    "CITIC": [
        "622453", "622456", "622678", "622679", "622680", "622688", "622689", "622766",
        "622767", "622768", "622916", "622918", "622919", "628206", "628208", "628209",
        "433666", "433667", "433668", "433669", "520108", "556617",
    ],
    "CEB": [
        "622161", "622162", "622570", "622650", "622655", "622657", "622658", "622659",
        "622685", "622687", "62519321", "625339", "625975", "625976", "625977", "628201",
        "628202", "406252", "406254", "425862", "481699", "486497",
    ],
    "CIB": [
        "622571", "622572", "622573", "622901", "622902", "622922", "625082", "625083",
        "625960", "625961", "628212", "451289", "451290", "486493", "486494", "548738",
    ],
    "SPDB": [
        "622176", "622177", "622228", "622276", "622277", "622500", "622693", "625957",
        "625958", "625970", "625971", "625993", "628221", "628222", "456418", "498451",
    ],
    "SPABANK": [
        "622155", "622156", "622157", "622525", "622526", "625360", "625361", "435744",
        "435745", "483536", "526855", "528020",
    ],
    "CMBC": [
        "622600", "622601", "622602", "622603", "622621", "622623", "625911", "625912",
        "625913", "628258", "407405", "421869", "421870", "421871", "512466", "545392",
    ],
    "GDB": [
        "622555", "622556", "622557", "622558", "622559", "622560", "625071", "625072",
        "625073", "625808", "625809", "625810", "628259", "628260", "406365", "406366",
    ],
    "PSBC": ["622810", "622811", "622812", "622835", "625367", "625368", "625603", "628310"],
    "HXBANK": ["622636", "622637", "622638", "625967", "625968", "625969", "628318"],
}  # fmt: skip
_DEBIT_BINS: Final[dict[str, list[str]]] = {
    # debit (DC) cards of the same banks: a repayment to one is refused (not_a_credit_card)
    "ICBC": ["621226", "621558", "622202", "622208"],
    "CCB": ["621700", "622700", "436742"],
    "ABC": ["622848", "622845", "622846"],
    "BOC": ["621661", "621785", "456351"],
    "CMB": ["621483", "622588", "621286"],
    "PSBC": ["621799", "622188"],
}  # fmt: skip


def _bins() -> list[dict[str, str]]:
    rows = [
        {"prefix": p, "bank": _BANK_NAMES[b], "type": "credit", "posting": _POSTING[b]}
        for b, prefixes in _CREDIT_BINS.items()
        for p in prefixes
    ]
    rows += [
        {"prefix": p, "bank": _BANK_NAMES[b], "type": "debit", "posting": _POSTING[b]}
        for b, prefixes in _DEBIT_BINS.items()
        for p in prefixes
    ]
    return rows


def _mobile(biller_id: str, name: str, prefixes: list[str], basis_points: int) -> dict[str, Any]:
    return {
        "biller_id": biller_id,
        "kind": "mobile",
        "name": name,
        "rules": {
            "account_label": "手机号",
            "account_pattern": r"^1[3-9]\d{9}$",
            "account_tip": "11 位手机号；携号转网后号段不代表运营商，云端会核对",
            "denominations_fen": _DENOMINATIONS,
            "amount_min_fen": 1000,
            "amount_max_fen": 50000,
            "per_day_max_fen": 100000,
            "prefixes": prefixes,
            "commission": {"kind": "percent", "basis_points": basis_points},
            "posting": "通常几分钟到账，最长 72 小时 / usually minutes, at most 72 h",
        },
    }


BILLERS: Final[tuple[dict[str, Any], ...]] = (
    {
        "biller_id": "sgcc-bj",
        "kind": "electricity",
        "name": "国家电网 北京电力（电费）",
        "rules": {
            "account_label": "户号",
            "account_pattern": r"^(\d{10}|110\d{10})$",
            "account_tip": "13 位户号（110 开头）；旧 10 位户号可直接输入，云端自动加 110",
            "lookup": True,
            "amount_min_fen": 100,
            "amount_max_fen": 500000,
            "partial": False,
            "overpay": True,
            "per_day_max_fen": 1000000,
            "hours": _UTILITY_HOURS,
            "commission": _UTILITY_COMMISSION,
            "posting": "T+1 入账；多缴部分转为预存电费",
            "bill_barcode": r"^(?P<account>110\d{10})\d{6}(?P<amount_fen>\d{8})$",
        },
    },
    {
        "biller_id": "bjwater",
        "kind": "water",
        "name": "北京自来水集团（水费）",
        "rules": {
            "account_label": "户号",
            "account_pattern": r"^\d{8,12}$",
            "account_tip": "8–12 位户号，见水费单",
            "lookup": True,
            "amount_min_fen": 100,
            "amount_max_fen": 200000,
            "partial": False,
            "overpay": False,
            "per_day_max_fen": 400000,
            "hours": _UTILITY_HOURS,
            "commission": _UTILITY_COMMISSION,
            "posting": "T+1；须按账单金额缴清",
            "bill_barcode": r"^BW(?P<account>\d{8,12})-(?P<amount_fen>\d{8})$",
        },
    },
    {
        "biller_id": "bjgas",
        "kind": "gas",
        "name": "北京燃气（燃气费）",
        "rules": {
            "account_label": "燃气用户号",
            "account_pattern": r"^\d{10}$",
            "account_tip": "10 位用户号，见燃气卡或账单",
            "lookup": True,
            "amount_min_fen": 1000,
            "amount_max_fen": 300000,
            "amount_step_fen": 100,
            "partial": True,
            "overpay": True,
            "per_day_max_fen": 600000,
            "hours": _UTILITY_HOURS,
            "commission": _UTILITY_COMMISSION,
            "posting": "T+1；可部分缴费，多缴部分预存",
            "bill_barcode": r"^(?P<account>\d{10})\d{6}(?P<amount_fen>\d{8})$",
        },
    },
    _mobile("cmcc", "中国移动 话费充值", CMCC_PREFIXES, 150),
    _mobile("cucc", "中国联通 话费充值", CUCC_PREFIXES, 200),
    _mobile("ctcc", "中国电信 话费充值", CTCC_PREFIXES, 180),
    {
        "biller_id": "cc-repay",
        "kind": "credit_card",
        "name": "信用卡还款",
        "rules": {
            "account_label": "信用卡号",
            "account_pattern": r"^(3[47]\d{13}|\d{16})$",
            "account_tip": "本人信用卡 16 位卡号（美国运通联名卡 15 位；借记卡不能还款）",
            "luhn": True,
            "amount_min_fen": 100,
            "amount_max_fen": 5000000,
            "per_day_max_fen": 5000000,
            "bins": _bins(),
            "hours": ["00:30-23:00"],
            "commission": {"kind": "fixed", "fixed_fen": 100},
            "posting": "按发卡行：实时、当日或次日到账 / real time, same day or T+1 by issuer",
        },
    },
)

# --- the simulator's test accounts and failure reasons -----------------------------------

NORMALISE_PREFIX: Final[dict[str, tuple[int, str]]] = {
    # biller -> (old length, prefix): Beijing's 10-digit 户号 became 13 digits with "110"
    "sgcc-bj": (10, "110"),
}

NOT_FOUND_SUFFIX: Final = "0000"
"""An account ending in 0000 is unknown to the utility (未查询到用户信息)."""
NO_BILL_SUFFIX: Final = "9999"
"""An account ending in 9999 has nothing due (已缴费成功/超过受理期)."""

FAILURE_REASONS: Final[dict[str, str]] = {
    # billpay.md §1.4 (operators' reasons), §6.2.4 (cards), §6.3 (utilities)
    "number_suspended": "号码已停机 / the number is suspended",
    "number_not_found": "号码不存在 / no such number",
    "real_name_invalid": "用户实名制异常 / the subscriber's real-name registration is invalid",
    "carrier_maintenance": "运营商系统维护 / the carrier's system is under maintenance",
    "time_restricted": "充值时间受限 / top-ups are not allowed at this time",
    "rate_limited": "号码限流 / too many top-ups to this number",
    "card_closed": "卡片已销户 / the card is closed",
    "card_not_found": "卡号不存在 / no such card",
    "account_closed": "户号已销户 / the account is closed",
    "biller_rejected": "缴费单位拒绝 / the biller refused the payment",
}
