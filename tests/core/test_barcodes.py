from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storebox import barcodes
from storebox.barcodes import classify, gs1_check_digit, is_valid_gs1, new_shop_code
from storebox.db.models import Barcode, Product
from storebox.errors import InvalidInput
from storebox.ids import new_id
from storebox.shop import Shop


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("4006381333931", "ean13"),  # the textbook EAN-13
        ("6901028075763", "ean13"),  # GS1 China prefix 690
        ("96385074", "ean8"),
        ("036000291452", "upca"),
        ("2000001000007", "shop"),  # restricted circulation 20-29: made in the shop
        ("2912345678906", "shop"),
        ("212345678909", "shop"),  # UPC-A number system 2 (variable measure)
    ],
)
def test_valid_codes_are_classified(code: str, kind: str) -> None:
    assert is_valid_gs1(code)
    assert classify(code) == barcodes.Code(code, kind)


@pytest.mark.parametrize(
    ("code", "expected"),
    [("4006381333932", "1"), ("96385075", "4"), ("036000291453", "2"), ("6901028075760", "3")],
)
def test_wrong_check_digit_names_the_expected_digit(code: str, expected: str) -> None:
    assert not is_valid_gs1(code)
    with pytest.raises(InvalidInput) as err:
        classify(code)
    assert f"expected {expected}" in err.value.message
    assert f"应为 {expected}" in err.value.message


def test_wrong_check_digit_is_refused_even_when_marked_as_a_shop_code() -> None:
    with pytest.raises(InvalidInput, match="expected 1"):
        classify("4006381333932", shop_code=True)


def test_check_digit_of_known_bodies() -> None:
    assert gs1_check_digit("400638133393") == 1
    assert gs1_check_digit("9638507") == 4
    assert gs1_check_digit("03600029145") == 2
    assert barcodes.with_check_digit("690102807576") == "6901028075763"
    with pytest.raises(ValueError):
        gs1_check_digit("12a4")


@given(
    st.sampled_from([7, 11, 12]).flatmap(lambda n: st.text("0123456789", min_size=n, max_size=n))
)
def test_a_computed_check_digit_always_validates(body: str) -> None:
    code = barcodes.with_check_digit(body)
    assert is_valid_gs1(code)
    assert classify(code).code == code


@given(
    st.sampled_from([7, 11, 12]).flatmap(lambda n: st.text("0123456789", min_size=n, max_size=n)),
    st.data(),
)
def test_any_single_digit_change_fails(body: str, data: st.DataObject) -> None:
    code = barcodes.with_check_digit(body)
    position = data.draw(st.integers(0, len(code) - 1))
    digit = data.draw(st.sampled_from([d for d in "0123456789" if d != code[position]]))
    changed = code[:position] + digit + code[position + 1 :]
    assert not is_valid_gs1(changed)
    with pytest.raises(InvalidInput):
        classify(changed)


def test_scanned_input_is_normalised() -> None:
    # Full-width digits from a Chinese input method, the scanner's Enter, stray spaces.
    assert barcodes.normalize(" ６９０１０２８０７５７６３\r\n") == "6901028075763"
    assert classify("６９０１０２８０７５７６３\n").code == "6901028075763"
    assert classify(" 9638 5074\t").code == "96385074"
    assert barcodes.normalize("ab-12") == "AB-12"


@pytest.mark.parametrize(
    "code",
    ["", "   ", "12345", "123456789", "12345678901234", "69010280757", "ABC123", "可乐"],
)
def test_junk_is_not_a_product_barcode(code: str) -> None:
    with pytest.raises(InvalidInput):
        classify(code)


def test_shop_codes_need_the_caller_to_say_so() -> None:
    with pytest.raises(InvalidInput, match="shop code"):
        classify("A001")
    assert classify("a001", shop_code=True) == barcodes.Code("A001", "shop")
    assert classify("12345", shop_code=True) == barcodes.Code("12345", "shop")
    assert classify("X" * 20, shop_code=True).kind == "shop"


@pytest.mark.parametrize("code", ["AB1", "X" * 21, "AB-12", "可乐01", "A 1_2"])
def test_shop_codes_are_4_to_20_letters_and_digits(code: str) -> None:
    with pytest.raises(InvalidInput, match="4 to 20"):
        classify(code, shop_code=True)


def test_new_shop_codes_are_valid_unique_and_carry_the_device(shop: Shop) -> None:
    made: list[str] = []
    with shop.store.write() as session:
        product = Product(
            id=new_id(),
            search_id=1,
            name="散装花生",
            search_text="散 装 花 生",
            pinyin="sanzhuanghuasheng",
            initials="szhs",
            category="",
            unit="斤",
            price_fen=1200,
            cost_fen=0,
            stock_qty=0,
            reorder_level=0,
            mall_sku=None,
            sold_qty=0,
            active=True,
            created_at=shop.now(),
            updated_at=shop.now(),
        )
        session.add(product)
        session.flush()
        # A shorter shop code in the same range must not confuse the sequence.
        session.add(Barcode(code="2001999", product_id=product.id, kind="shop"))
        for _ in range(3):
            code = new_shop_code(session, shop.device_no)
            session.add(Barcode(code=code, product_id=product.id, kind="shop"))
            session.flush()
            made.append(code)
    assert made == ["2001000000012", "2001000000029", "2001000000036"]
    assert all(classify(c).kind == "shop" for c in made)
    with shop.store.read() as session:
        assert new_shop_code(session, 7).startswith("2007")
    with pytest.raises(ValueError), shop.store.read() as session:
        new_shop_code(session, 100)
