"""Barcodes: what a scanned or typed code is, whether it is valid, and codes the shop makes.

Kinds (stored in `barcodes.kind`):

* ``ean13`` — 13 digits, GS1 check digit (690–699 is GS1 China);
* ``ean8`` — 8 digits, GS1 check digit;
* ``upca`` — 12 digits, GS1 check digit (the same number as EAN-13 with a leading 0);
* ``shop`` — a code the shop made itself: any GS1-shaped code whose first digit is 2
  (restricted circulation: EAN-13 prefixes 20–29, UPC-A number system 2 = GS1 020–029,
  EAN-8 prefix 2), and — only when the caller says it is a shop code — any other code of
  4–20 letters and digits (a shelf label, a supplier's article number).

An all-digit code of a GS1 length always has its check digit verified, whatever the caller
says: a misread scan must never be stored. Codes the shop makes for goods without a barcode
(`new_shop_code`) are EAN-13 ``20`` + two-digit device number + eight-digit sequence + check
digit, so two tills of one shop can make codes offline without ever colliding, and a
scale's price/weight layouts (usually prefixes 21–29) are left alone.

Scanners are keyboards: input is normalised first (NFKC turns full-width ``６９０`` typed
through a Chinese input method into ``690``; whitespace, control characters and the
scanner's Enter are dropped; letters are upper-cased).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storebox.db.models import Barcode
from storebox.errors import InvalidInput

EAN13 = "ean13"
EAN8 = "ean8"
UPCA = "upca"
SHOP = "shop"
KINDS = (EAN13, EAN8, UPCA, SHOP)

GS1_LENGTHS = {13: EAN13, 12: UPCA, 8: EAN8}
SHOP_CODE_MIN, SHOP_CODE_MAX = 4, 20
_SHOP_CODE = re.compile(r"[0-9A-Z]+")
#: Prefix of the EAN-13 codes `new_shop_code` makes.
SHOP_PREFIX = "20"


@dataclass(frozen=True)
class Code:
    """A valid, normalised code and its kind."""

    code: str
    kind: str


def normalize(raw: str) -> str:
    """Scanned or typed text → the code as stored: NFKC, no whitespace/control, upper case."""
    text = unicodedata.normalize("NFKC", raw)
    kept = (ch for ch in text if not ch.isspace() and unicodedata.category(ch)[0] != "C")
    return "".join(kept).upper()


def gs1_check_digit(body: str) -> int:
    """The GS1 check digit for the digits before it (EAN-8/13, UPC-A, GTIN-14 alike).

    From the right, digits are weighted 3, 1, 3, 1, …; the check digit tops the sum up to a
    multiple of ten.
    """
    if not (body.isascii() and body.isdigit()):
        raise ValueError(f"not digits: {body!r}")
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def is_valid_gs1(code: str) -> bool:
    return (
        code.isascii()
        and code.isdigit()
        and len(code) in GS1_LENGTHS
        and gs1_check_digit(code[:-1]) == int(code[-1])
    )


def classify(raw: str, *, shop_code: bool = False) -> Code:
    """Validate a code and say what it is; InvalidInput (nothing else) when it is not valid.

    `shop_code=True` allows the shop's own non-GS1 codes (4–20 letters and digits).
    """
    code = normalize(raw)
    if not code:
        raise InvalidInput("请输入条码 / a barcode is required")
    if code.isascii() and code.isdigit() and len(code) in GS1_LENGTHS:
        kind = GS1_LENGTHS[len(code)]
        expected = gs1_check_digit(code[:-1])
        if expected != int(code[-1]):
            raise InvalidInput(
                f"条码 {code} 校验位错误，应为 {expected} / "
                f"barcode {code} has a wrong check digit: expected {expected}, "
                f"found {code[-1]} (misread scan?)"
            )
        return Code(code, SHOP if code[0] == "2" else kind)
    if not shop_code:
        if code.isascii() and code.isdigit():
            raise InvalidInput(
                f"条码 {code} 位数不对（应为 8、12 或 13 位）/ "
                f"barcode {code} has {len(code)} digits; EAN-8, UPC-A and EAN-13 have 8, 12, 13"
            )
        raise InvalidInput(
            f"条码 {code} 不是商品条码；店内自编码请标明 / "
            f"{code!r} is not an EAN/UPC barcode; mark it as a shop code to use it"
        )
    if not (
        code.isascii()
        and _SHOP_CODE.fullmatch(code)
        and SHOP_CODE_MIN <= len(code) <= SHOP_CODE_MAX
    ):
        raise InvalidInput(
            f"店内自编码应为 {SHOP_CODE_MIN}-{SHOP_CODE_MAX} 位字母或数字 / "
            f"a shop code is {SHOP_CODE_MIN} to {SHOP_CODE_MAX} letters and digits, "
            f"got {code!r}"
        )
    return Code(code, SHOP)


def with_check_digit(body: str) -> str:
    """`body` followed by its GS1 check digit: '690123456789' → '6901234567892'."""
    return body + str(gs1_check_digit(body))


def new_shop_code(session: Session, device_no: int) -> str:
    """A new EAN-13 shop code, unique in this shop: 20 + device (2) + sequence (8) + check.

    Call inside the write transaction that stores it: BEGIN IMMEDIATE serialises writers, and
    the barcodes primary key refuses a duplicate whatever happens.
    """
    if not 1 <= device_no <= 99:
        raise ValueError(f"device number out of range: {device_no}")
    stem = f"{SHOP_PREFIX}{device_no:02d}"
    last = session.scalar(
        select(Barcode.code)
        .where(Barcode.code >= stem, Barcode.code < stem + ":")  # ':' sorts after '9'
        .where(func.length(Barcode.code) == 13)
        .order_by(Barcode.code.desc())
        .limit(1)
    )
    seq = 1
    if last is not None and last.isdigit():
        seq = int(last[4:12]) + 1
    if seq > 99_999_999:
        raise InvalidInput("店内条码已用完 / this till has used up its shop barcodes")
    return with_check_digit(f"{stem}{seq:08d}")
