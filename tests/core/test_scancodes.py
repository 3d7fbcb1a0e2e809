"""storebox.scancodes: goods, wallet payment codes, receipt numbers, unknown with a reason."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storebox import scancodes
from storebox.barcodes import with_check_digit
from storebox.scancodes import PAYMENT, PRODUCT, SALE, UNKNOWN, classify, mask

digits = st.text(alphabet="0123456789", min_size=1, max_size=30)


def gs1(length: int) -> st.SearchStrategy[str]:
    return st.text(alphabet="0123456789", min_size=length - 1, max_size=length - 1).map(
        with_check_digit
    )


@pytest.mark.parametrize(
    ("raw", "symbology"),
    [
        ("6901234567892", "ean13"),
        ("96385074", "ean8"),
        ("036000291452", "upca"),
        ("2001000000012", "shop"),
        ("  ６９０１２３４５６７８９２\r\n", "ean13"),  # full width through an input method
        ("shelfa1", "shop"),
    ],
)
def test_products(raw: str, symbology: str) -> None:
    scan = classify(raw)
    assert scan.kind == PRODUCT and scan.is_product
    assert scan.symbology == symbology


def test_wrong_check_digit_is_named() -> None:
    scan = classify("6901234567893")
    assert scan.kind == UNKNOWN
    assert "expected 2" in scan.reason and "应为 2" in scan.reason and "EAN13" in scan.reason
    assert "UPCA" in classify("036000291453").reason
    assert "EAN8" in classify("96385075").reason


@pytest.mark.parametrize(
    ("code", "wallet"),
    [
        ("134567890123456789", "wechat"),
        ("104567890123456789", "wechat"),
        ("154567890123456789", "wechat"),
        ("2845678901234567", "alipay"),
        ("284567890123456789", "alipay"),
        ("304567890123456789012345", "alipay"),
        ("6212345678901234567", "unionpay"),
        ("0123456789012345678", "ecny"),
    ],
)
def test_wallet_codes(code: str, wallet: str) -> None:
    scan = classify(code)
    assert scan.kind == PAYMENT and scan.is_payment and scan.wallet == wallet
    assert scancodes.is_wallet_code(code)


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("13456789012345678", "WeChat payment code has 18 digits, this has 17"),
        ("621234567890123456", "UnionPay payment code has 19 digits, this has 18"),
    ],
)
def test_wallet_prefix_with_wrong_length_is_unknown(code: str, words: str) -> None:
    scan = classify(code)
    assert scan.kind == UNKNOWN and words in scan.reason


def test_payment_code_never_shown_whole() -> None:
    code = "134567890123456789"
    scan = classify(code)
    assert scan.masked() == "1345**********6789"
    assert code not in repr(scan) and code not in str(scan) and code not in f"{scan}"
    assert code not in repr(classify(code[:-1]))  # a near miss is masked too
    assert mask("12345678") == "********"
    assert classify("6901234567892").masked() == "6901234567892"


@pytest.mark.parametrize(
    ("raw", "refund"),
    [("1125-01-0042", False), ("R1125-01-0007", True), ("r0101-99-9999", True)],
)
def test_sale_numbers(raw: str, refund: bool) -> None:
    scan = classify(raw)
    assert scan.kind == SALE and scan.is_sale and scan.refund is refund


def test_unknowns_say_why() -> None:
    assert "empty" in classify(" \r\n").reason
    assert "no such date" in classify("1345-01-0001").reason
    assert "neither" in classify("123").reason
    assert "neither" in classify("1234567890123456789012345").reason  # 25 digits
    assert "non-ASCII" in classify("可乐").reason
    assert classify("a b-c").kind == UNKNOWN
    for bad in ("", "123", "可乐"):
        assert classify(bad).reason


# --- properties ---------------------------------------------------------------------------


@given(st.one_of(gs1(8), gs1(12), gs1(13)))
def test_a_valid_gs1_code_is_always_goods_never_payment(code: str) -> None:
    scan = classify(code)
    assert scan.kind == PRODUCT
    assert not scancodes.is_wallet_code(code)


@given(st.integers(10, 15), st.text(alphabet="0123456789", min_size=16, max_size=16))
def test_eighteen_digits_with_prefix_10_to_15_is_wechat(prefix: int, rest: str) -> None:
    scan = classify(f"{prefix}{rest}")
    assert (scan.kind, scan.wallet) == (PAYMENT, "wechat")


@given(st.integers(25, 30), st.text(alphabet="0123456789", min_size=14, max_size=22))
def test_16_to_24_digits_with_prefix_25_to_30_is_alipay(prefix: int, rest: str) -> None:
    scan = classify(f"{prefix}{rest}")
    assert (scan.kind, scan.wallet) == (PAYMENT, "alipay")


@given(st.one_of(gs1(8), gs1(12), gs1(13)), st.integers(1, 9))
def test_a_wrong_check_digit_is_named_with_the_right_one(code: str, shift: int) -> None:
    bad = code[:-1] + str((int(code[-1]) + shift) % 10)
    scan = classify(bad)
    assert scan.kind == UNKNOWN
    assert f"expected {code[-1]}" in scan.reason


@given(st.text(max_size=40))
def test_classify_never_raises_and_unknown_always_has_a_reason(raw: str) -> None:
    scan = classify(raw)
    assert scan.kind in scancodes.KINDS
    assert (scan.kind == UNKNOWN) == bool(scan.reason)
    if scan.kind == PAYMENT:
        assert scan.code not in repr(scan)


@given(digits)
def test_payment_and_product_never_both(code: str) -> None:
    scan = classify(code)
    if scan.kind == PAYMENT:
        assert len(code) in range(16, 25)
    if len(code) in (8, 12, 13):
        assert scan.kind != PAYMENT
