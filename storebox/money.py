"""Money is an integer number of fen. Text and Decimal exist only at the edges, here.

No float ever touches money: parsing goes through Decimal with an exact check that the
amount has at most two decimal places, and formatting is integer arithmetic.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from storebox.errors import InvalidInput

#: The largest amount one sale line may carry: ¥1,000,000.00. Anything above is a typo.
MAX_LINE_FEN = 100_000_000


def parse_yuan(text: str) -> int:
    """'12.5' / '¥12.50' / '12' → fen. Rejects negatives, more than 2 decimals and junk."""
    cleaned = text.strip().replace("¥", "").replace("￥", "").replace(",", "").strip()
    if not cleaned:
        raise InvalidInput("请输入金额 / an amount is required")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise InvalidInput(f"金额格式不正确 / not an amount: {text!r}") from None
    if not value.is_finite():
        raise InvalidInput(f"金额格式不正确 / not an amount: {text!r}")
    if value < 0:
        raise InvalidInput(f"金额不能为负 / amount cannot be negative: {text!r}")
    fen = value * 100
    if fen != fen.to_integral_value():
        raise InvalidInput(f"金额最多两位小数 / at most two decimals: {text!r}")
    return int(fen)


def format_fen(fen: int, symbol: str = "¥") -> str:
    """1234 → '¥12.34'; -50 → '-¥0.50'."""
    sign = "-" if fen < 0 else ""
    whole, part = divmod(abs(fen), 100)
    return f"{sign}{symbol}{whole:,}.{part:02d}"


def check_amount(
    fen: int, what: str, *, allow_zero: bool = True, maximum: int = MAX_LINE_FEN
) -> int:
    """Validate an amount in fen at a use-case boundary (type, sign, absurd size)."""
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise InvalidInput(f"{what}: 金额必须是整数分 / amount must be whole fen, got {fen!r}")
    if fen < 0 or (fen == 0 and not allow_zero):
        raise InvalidInput(f"{what}: 金额无效 / invalid amount {format_fen(fen)}")
    if fen > maximum:
        raise InvalidInput(
            f"{what}: 金额过大 / amount {format_fen(fen)} is above the limit {format_fen(maximum)}"
        )
    return fen
