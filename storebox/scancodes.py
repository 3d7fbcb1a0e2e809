"""What a scanned code is: goods, a customer's wallet payment code, a receipt number, or unknown.

One pure function, `classify`, for every scanner (the keyboard wedge, a serial scanner, a code
typed and Entered) so the sell screen and the payment dialog agree on what they were given:

* ``product`` — a GS1 code with a valid check digit (EAN-13, EAN-8, UPC-A; a first digit 2 is
  the shop's own or a scale's code), or a candidate shop code (4–20 letters and digits) that
  the catalogue has to look up;
* ``payment`` — a customer-presented wallet payment code (付款码): WeChat 18 digits with prefix
  10–15, Alipay 16–24 digits with prefix 25–30, UnionPay 19 digits with prefix 62, e-CNY prefix
  01 (a weak source). The prefix is a routing hint only; the acquirer decides. These codes are
  one-time money: never log them whole — `Scan.masked()` and `repr()` show only the ends;
* ``sale`` — a receipt's sale number ``MMDD-NN-SSSS`` or a refund number ``RMMDD-NN-SSSS``;
* ``unknown`` — with `Scan.reason` saying why in Chinese and English (a wrong check digit and
  the digit expected, a payment-code prefix with the wrong length, …).

GS1 lengths (8, 12, 13) and payment-code lengths (16–24) never overlap, so a code with a valid
check digit is never taken for a payment, and a payment code is never looked up as goods.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from storebox.barcodes import GS1_LENGTHS, SHOP, SHOP_CODE_MAX, SHOP_CODE_MIN, gs1_check_digit
from storebox.barcodes import normalize as _normalize

PRODUCT = "product"
PAYMENT = "payment"
SALE = "sale"
UNKNOWN = "unknown"
KINDS = (PRODUCT, PAYMENT, SALE, UNKNOWN)

WECHAT = "wechat"
ALIPAY = "alipay"
UNIONPAY = "unionpay"
ECNY = "ecny"
WALLETS = (WECHAT, ALIPAY, UNIONPAY, ECNY)

#: wallet → (two-digit prefixes, allowed lengths, name for people)
WALLET_RULES: dict[str, tuple[frozenset[str], frozenset[int], str]] = {
    WECHAT: (frozenset(f"{p}" for p in range(10, 16)), frozenset({18}), "微信 WeChat"),
    ALIPAY: (frozenset(f"{p}" for p in range(25, 31)), frozenset(range(16, 25)), "支付宝 Alipay"),
    UNIONPAY: (frozenset({"62"}), frozenset({19}), "银联 UnionPay"),
    ECNY: (frozenset({"01"}), frozenset(range(16, 25)), "数字人民币 e-CNY"),
}
PAYMENT_LENGTHS = range(16, 25)

_SALE_NO = re.compile(r"(R?)(\d{2})(\d{2})-(\d{2})-(\d{4})")
_ALNUM = re.compile(r"[0-9A-Z]+")
#: digits kept at each end by `masked`
MASK_KEEP = 4


@dataclass(frozen=True)
class Scan:
    """A classified scan. `code` is normalised; for a payment code do not log it: use masked()."""

    kind: str
    code: str = field(repr=False)
    #: product: ean13 / ean8 / upca / shop (shop = the shop's own: look it up, it may not exist)
    symbology: str | None = None
    #: payment: wechat / alipay / unionpay / ecny (a routing hint, not a promise)
    wallet: str | None = None
    #: sale: True for a refund number (R…)
    refund: bool = False
    #: unknown: why, 中文 / English
    reason: str = ""

    @property
    def is_product(self) -> bool:
        return self.kind == PRODUCT

    @property
    def is_payment(self) -> bool:
        return self.kind == PAYMENT

    @property
    def is_sale(self) -> bool:
        return self.kind == SALE

    def masked(self) -> str:
        """The code safe to log or show: a payment code keeps its first and last 4 digits."""
        if self.kind != PAYMENT and not _looks_like_payment(self.code):
            return self.code
        return mask(self.code)

    def __repr__(self) -> str:
        extra = "".join(
            f", {name}={value!r}"
            for name, value in (
                ("symbology", self.symbology),
                ("wallet", self.wallet),
                ("refund", self.refund or None),
                ("reason", self.reason or None),
            )
            if value is not None
        )
        return f"Scan(kind={self.kind!r}, code={self.masked()!r}{extra})"

    __str__ = __repr__


def mask(code: str) -> str:
    """'134567890123456789' → '1345**********6789' (length kept, middle hidden)."""
    if len(code) <= 2 * MASK_KEEP:
        return "*" * len(code)
    return code[:MASK_KEEP] + "*" * (len(code) - 2 * MASK_KEEP) + code[-MASK_KEEP:]


def _looks_like_payment(code: str) -> bool:
    return code.isascii() and code.isdigit() and len(code) in PAYMENT_LENGTHS


def wallet_of(code: str) -> str | None:
    """The wallet whose prefix and length rule a normalised all-digit code meets, or None."""
    if not (code.isascii() and code.isdigit()):
        return None
    for wallet, (prefixes, lengths, _name) in WALLET_RULES.items():
        if code[:2] in prefixes and len(code) in lengths:
            return wallet
    return None


def _unknown(code: str, reason: str) -> Scan:
    return Scan(UNKNOWN, code, reason=reason)


def classify(raw: str) -> Scan:
    """Say what a scanned or typed code is. Never raises; `unknown` carries the reason."""
    code = _normalize(raw)
    if not code:
        return _unknown(code, "空码 / empty scan")
    digits = code.isascii() and code.isdigit()

    if digits and len(code) in GS1_LENGTHS:
        symbology = GS1_LENGTHS[len(code)]
        expected = gs1_check_digit(code[:-1])
        if expected != int(code[-1]):
            return _unknown(
                code,
                f"{symbology.upper()} 校验位错误，应为 {expected} / "
                f"{symbology.upper()} check digit wrong: expected {expected}, found {code[-1]} "
                f"(misread scan?)",
            )
        return Scan(PRODUCT, code, symbology=SHOP if code[0] == "2" else symbology)

    if digits and len(code) in PAYMENT_LENGTHS:
        wallet = wallet_of(code)
        if wallet is not None:
            return Scan(PAYMENT, code, wallet=wallet)
        for name, (prefixes, lengths, label) in WALLET_RULES.items():
            if code[:2] in prefixes:
                want = "、".join(str(n) for n in sorted(lengths))
                if name in (ALIPAY, ECNY):
                    want = f"{min(lengths)}-{max(lengths)}"
                return _unknown(
                    code,
                    f"{label} 付款码应为 {want} 位，这是 {len(code)} 位 / "
                    f"a {label.split()[-1]} payment code has {want} digits, this has {len(code)}",
                )

    sale = _SALE_NO.fullmatch(code)
    if sale is not None:
        month, day = int(sale.group(2)), int(sale.group(3))
        if 1 <= month <= 12 and 1 <= day <= 31:
            return Scan(SALE, code, refund=sale.group(1) == "R")
        return _unknown(
            code,
            f"单号日期不对：{sale.group(2)}{sale.group(3)} / no such date MMDD in a receipt number",
        )

    if code.isascii() and _ALNUM.fullmatch(code) and SHOP_CODE_MIN <= len(code) <= SHOP_CODE_MAX:
        return Scan(PRODUCT, code, symbology=SHOP)

    if digits:
        return _unknown(
            code,
            f"{len(code)} 位数字既不是商品条码也不是付款码 / "
            f"{len(code)} digits: neither EAN-8/UPC-A/EAN-13 (8, 12, 13) nor a payment code",
        )
    if not code.isascii():
        return _unknown(code, "含非 ASCII 字符 / contains non-ASCII characters")
    return _unknown(
        code,
        f"无法识别的码（店内码为 {SHOP_CODE_MIN}-{SHOP_CODE_MAX} 位字母或数字）/ "
        f"not a barcode, payment code or receipt number",
    )


def is_wallet_code(raw: str) -> bool:
    """True when a scanned or typed code is a wallet payment code (付款码)."""
    return classify(raw).kind == PAYMENT
