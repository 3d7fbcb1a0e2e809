"""The cart, cash checkout, sale numbers, voids and look-ups, on a real SQLite file."""

from __future__ import annotations

import datetime as dt
import json
import threading
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from storebox import integrity, outbox, sales
from storebox.catalog import ProductInfo
from storebox.clock import FixedClock
from storebox.db.models import (
    Counter,
    DayClose,
    JournalEntry,
    OutboxEvent,
    Payment,
    Sale,
    SaleLine,
    StockMove,
    Void,
)
from storebox.errors import InvalidInput, NotFound, PermissionDenied, RuleViolation
from storebox.money import MAX_LINE_FEN
from storebox.sales import Card, Cart, Cash
from storebox.shop import Shop
from tests.core.factories import (
    Till,
    changed_tables,
    make_people,
    make_product,
    open_till,
    product_state,
    row_counts,
)

COLA = "6901234567892"


@pytest.fixture
def till(shop: Shop) -> Till:
    return open_till(shop)


@pytest.fixture
def cola(shop: Shop) -> ProductInfo:
    return make_product(shop, "可口可乐 330ml", 350, barcode=COLA, stock=10)


@pytest.fixture
def bread(shop: Shop) -> ProductInfo:
    return make_product(shop, "面包", 600, barcode="6900000000014", stock=5)


def _cart(shop: Shop, *codes: str) -> Cart:
    cart = Cart()
    for code in codes:
        sales.add_barcode(shop, cart, code)
    return cart


# --- the cart --------------------------------------------------------------------------------


def test_same_product_merges_into_one_line(shop: Shop, cola: ProductInfo) -> None:
    cart = _cart(shop, COLA, COLA)
    sales.add_product(cart, cola, 3)
    assert len(cart.lines) == 1
    assert cart.lines[0].qty == 5
    assert cart.lines[0].barcode == COLA
    assert cart.total_fen == 5 * 350


def test_a_line_with_a_changed_price_does_not_absorb_new_units(
    shop: Shop, till: Till, cola: ProductInfo
) -> None:
    cart = _cart(shop, COLA)
    sales.override_price(cart, 0, 300, "临期 / near expiry", till.owner)
    sales.add_barcode(shop, cart, COLA)
    assert [(line.qty, line.unit_price_fen) for line in cart.lines] == [(1, 300), (1, 350)]
    assert cart.list_total_fen == 700
    assert cart.total_fen == 650
    assert cart.discount_fen == 50


@pytest.mark.parametrize("qty", [0, -1, 10_000, "3", 2.0, True, None])
def test_quantity_must_be_a_whole_number_from_1_to_9999(
    shop: Shop, cola: ProductInfo, qty: Any
) -> None:
    cart = _cart(shop, COLA)
    with pytest.raises(InvalidInput):
        sales.add_product(cart, cola, qty)
    with pytest.raises(InvalidInput):
        sales.set_qty(cart, 0, qty)
    with pytest.raises(InvalidInput):
        sales.add_barcode(shop, cart, COLA, qty)
    assert [line.qty for line in cart.lines] == [1]


def test_merging_cannot_push_a_line_past_9999(shop: Shop, cola: ProductInfo) -> None:
    cart = Cart()
    sales.add_product(cart, cola, 9999)
    with pytest.raises(InvalidInput):
        sales.add_product(cart, cola, 1)
    assert cart.lines[0].qty == 9999


def test_set_qty_and_remove(shop: Shop, cola: ProductInfo, bread: ProductInfo) -> None:
    cart = _cart(shop, COLA, "6900000000014")
    sales.set_qty(cart, 0, 4)
    assert cart.total_fen == 4 * 350 + 600
    removed = sales.remove(cart, 1)
    assert removed.product_id == bread.id
    assert cart.total_fen == 1400
    with pytest.raises(InvalidInput):
        sales.remove(cart, 5)
    with pytest.raises(InvalidInput):
        sales.set_qty(cart, -1, 2)


def test_line_total_above_one_million_yuan_is_refused(shop: Shop) -> None:
    gold = make_product(shop, "金条", MAX_LINE_FEN // 2 + 1, barcode="6900000000021")
    cart = Cart()
    sales.add_product(cart, gold)
    with pytest.raises(InvalidInput, match="limit"):
        sales.set_qty(cart, 0, 2)
    with pytest.raises(InvalidInput):
        sales.add_product(cart, gold)
    assert cart.lines[0].qty == 1


def test_unknown_barcode_names_the_code(shop: Shop, cola: ProductInfo) -> None:
    cart = Cart()
    with pytest.raises(NotFound, match="6909999999999"):
        sales.add_barcode(shop, cart, " 6909999999999 ")
    with pytest.raises(InvalidInput):
        sales.add_barcode(shop, cart, "   ")
    assert cart.lines == []


def test_a_scan_typed_through_a_chinese_input_method_is_normalised(
    shop: Shop, cola: ProductInfo
) -> None:
    cart = Cart()
    sales.add_barcode(shop, cart, "６９０１２３４５６７８９２\r\n")  # full-width digits, Enter
    assert (cart.lines[0].product_id, cart.lines[0].barcode) == (cola.id, COLA)


def test_inactive_product_is_refused(shop: Shop) -> None:
    make_product(shop, "停售饮料", 300, barcode="6900000000038", active=False)
    cart = Cart()
    with pytest.raises(RuleViolation, match="no longer sold"):
        sales.add_barcode(shop, cart, "6900000000038")
    assert cart.lines == []


@pytest.mark.parametrize("price", [-1, MAX_LINE_FEN + 1, 10**12, 3.5, "300"])
def test_absurd_price_override_is_refused(
    shop: Shop, till: Till, cola: ProductInfo, price: Any
) -> None:
    cart = _cart(shop, COLA)
    with pytest.raises(InvalidInput):
        sales.override_price(cart, 0, price, "错价", till.owner)
    assert cart.lines[0].unit_price_fen == 350
    assert cart.lines[0].override_by is None


def test_override_whose_line_total_is_absurd_is_refused(
    shop: Shop, till: Till, cola: ProductInfo
) -> None:
    cart = Cart()
    sales.add_product(cart, cola, 100)
    with pytest.raises(InvalidInput, match="limit"):
        sales.override_price(cart, 0, MAX_LINE_FEN // 100 + 1, "错价", till.owner)
    assert cart.lines[0].unit_price_fen == 350


def test_override_needs_the_owner_and_a_reason(shop: Shop, till: Till, cola: ProductInfo) -> None:
    cart = _cart(shop, COLA)
    with pytest.raises(PermissionDenied):
        sales.override_price(cart, 0, 100, "朋友价", till.cashier)
    with pytest.raises(PermissionDenied):
        sales.override_price(cart, 0, 100, "朋友价", None)
    for reason in ("", "   "):
        with pytest.raises(InvalidInput, match="reason"):
            sales.override_price(cart, 0, 100, reason, till.owner)
    assert cart.lines[0].unit_price_fen == 350

    sales.override_price(cart, 0, 0, " 赠品 / free sample ", till.owner)
    line = cart.lines[0]
    assert (line.unit_price_fen, line.override_reason, line.override_by) == (
        0,
        "赠品 / free sample",
        till.owner.user_id,
    )


def test_a_price_changed_behind_the_owners_back_is_refused_at_checkout(
    shop: Shop, till: Till, cola: ProductInfo
) -> None:
    cart = _cart(shop, COLA)
    cart.lines[0].unit_price_fen = 1  # a caller poking the plain object
    with pytest.raises(InvalidInput, match="without the owner"):
        sales.checkout(shop, till.cashier, cart, [Cash(100)])


# --- cash checkout ------------------------------------------------------------------------------


def test_cash_sale_with_change(shop: Shop, till: Till, cola: ProductInfo) -> None:
    cart = _cart(shop, COLA, COLA)
    before = row_counts(shop)

    receipt = sales.checkout(shop, till.cashier, cart, [Cash(1000)])

    assert receipt.number == "1125-01-0001"
    assert receipt.business_day == dt.date(2026, 11, 25)
    assert (receipt.total_fen, receipt.tendered_fen, receipt.change_fen) == (700, 1000, 300)
    assert receipt.cashier_name == "小李"
    assert [(p.kind, p.amount_fen, p.tendered_fen, p.change_fen) for p in receipt.payments] == [
        ("cash", 700, 1000, 300)
    ]
    assert [(line.name, line.qty, line.line_total_fen) for line in receipt.lines] == [
        ("可口可乐 330ml", 2, 700)
    ]
    # Everything of the sale, in one commit: counted row by row.
    assert changed_tables(before, row_counts(shop)) == {
        "sales": 1,
        "sale_lines": 1,
        "payments": 1,
        "stock_moves": 1,
        "counters": 1,
        "journal": 1,
        "outbox": 1,
    }
    assert product_state(shop, cola.id) == (8, 2)
    with shop.store.read() as session:
        move = session.scalars(select(StockMove).where(StockMove.reason == "sale")).one()
        assert (move.product_id, move.qty_delta, move.ref_id) == (cola.id, -2, receipt.sale_id)
        entry = session.scalars(
            select(JournalEntry).where(JournalEntry.kind == "sale.completed")
        ).one()
        event = session.scalars(select(OutboxEvent).where(OutboxEvent.event_id == entry.id)).one()
        assert entry.ref_id == receipt.sale_id
        payload = json.loads(event.payload_json)
        assert payload["number"] == "1125-01-0001"
        assert payload["business_day"] == "2026-11-25"
        assert payload["total_fen"] == 700
        assert payload["change_fen"] == 300
        assert payload["lines"][0]["qty"] == 2
        assert payload["payments"][0]["tendered_fen"] == 1000
    assert cart.closed_as == "sale 1125-01-0001"
    assert integrity.check(shop).ok


def test_exact_cash_and_stock_may_go_negative(shop: Shop, till: Till) -> None:
    last = make_product(shop, "最后一包烟", 2000, barcode="6900000000045", stock=1)
    cart = Cart()
    sales.add_product(cart, last, 3)
    receipt = sales.checkout(shop, till.cashier, cart, [Cash(6000)])
    assert receipt.change_fen == 0
    assert product_state(shop, last.id) == (-2, 3)  # a wrong count never blocks a sale
    assert integrity.check(shop).ok


def test_a_paid_cart_cannot_be_paid_again(shop: Shop, till: Till, cola: ProductInfo) -> None:
    cart = _cart(shop, COLA)
    sales.checkout(shop, till.cashier, cart, [Cash(350)])
    with pytest.raises(RuleViolation, match="already"):
        sales.checkout(shop, till.cashier, cart, [Cash(350)])
    with pytest.raises(RuleViolation):
        sales.add_barcode(shop, cart, COLA)
    # Even a copy that forgot it was paid: the sale's primary key is the cart's id.
    again = Cart(id=cart.id, lines=list(cart.lines))
    with pytest.raises(RuleViolation, match="already"):
        sales.checkout(shop, till.cashier, again, [Cash(350)])
    assert len(sales.sales_of_day(shop, dt.date(2026, 11, 25))) == 1


def test_sale_numbers_increase_restart_each_day_and_stay_unique(
    shop: Shop, clock: FixedClock, till: Till, cola: ProductInfo
) -> None:
    numbers = [
        sales.checkout(shop, till.cashier, _cart(shop, COLA), [Cash(350)]).number for _ in range(2)
    ]
    assert numbers == ["1125-01-0001", "1125-01-0002"]
    clock.advance(hours=17)  # 03:00 the next morning: still the 25th's business day (cut-off 4)
    assert sales.checkout(shop, till.cashier, _cart(shop, COLA), [Cash(350)]).number == (
        "1125-01-0003"
    )
    clock.advance(hours=2)  # 05:00: a new business day
    assert sales.checkout(shop, till.cashier, _cart(shop, COLA), [Cash(350)]).number == (
        "1126-01-0001"
    )
    with shop.store.read() as session:
        counters = {
            (c.business_day, c.kind): c.last for c in session.scalars(select(Counter)).all()
        }
    assert counters == {
        (dt.date(2026, 11, 25), "sale"): 3,
        (dt.date(2026, 11, 26), "sale"): 1,
    }


def test_the_unique_constraint_guards_sale_numbers(
    shop: Shop, till: Till, cola: ProductInfo
) -> None:
    """If the counter were ever wrong, the UNIQUE constraint refuses the duplicate number and
    nothing of the second sale is kept."""
    sales.checkout(shop, till.cashier, _cart(shop, COLA), [Cash(350)])
    with shop.store.write() as session:
        session.execute(text("UPDATE counters SET last = 0"))
    before = row_counts(shop)
    with pytest.raises(RuleViolation, match="nothing was sold"):
        sales.checkout(shop, till.cashier, _cart(shop, COLA), [Cash(350)])
    assert row_counts(shop) == before
    with shop.store.read() as session, pytest.raises(IntegrityError):
        session.execute(
            text(
                "INSERT INTO sales SELECT 'x', 'other', device_id, business_day, seq, shift_id, "
                "cashier_id, list_total_fen, total_fen, completed_at FROM sales"
            )
        )


def test_two_tills_selling_at_once_never_share_a_number(
    shop: Shop, till: Till, cola: ProductInfo
) -> None:
    """Two threads (think: cashier window and kiosk) check out at the same moment."""
    numbers: list[str] = []
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def sell() -> None:
        try:
            start.wait()
            for _ in range(10):
                cart = Cart()
                sales.add_product(cart, cola)
                numbers.append(sales.checkout(shop, till.cashier, cart, [Cash(350)]).number)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=sell) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(numbers) == [f"1125-01-{n:04d}" for n in range(1, 21)]
    assert product_state(shop, cola.id) == (-10, 20)
    assert integrity.check(shop).ok


def test_nothing_is_booked_on_a_closed_day(shop: Shop, till: Till, cola: ProductInfo) -> None:
    with shop.store.write() as session:
        session.add(
            DayClose(
                device_id=shop.device_id,
                business_day=dt.date(2026, 11, 25),
                closed_at=shop.now(),
                closed_by=till.owner.user_id,
                report_json="{}",
            )
        )
    before = row_counts(shop)
    with pytest.raises(RuleViolation, match="already closed"):
        sales.checkout(shop, till.cashier, _cart(shop, COLA), [Cash(350)])
    with pytest.raises(RuleViolation, match="already closed"):
        sales.void_cart(shop, till.cashier, _cart(shop, COLA), "不要了")
    assert row_counts(shop) == before


def test_a_number_repeats_a_year_later_without_clashing(
    shop: Shop, clock: FixedClock, till: Till, cola: ProductInfo
) -> None:
    first = sales.checkout(shop, till.cashier, _cart(shop, COLA), [Cash(350)])
    clock.advance(days=365)
    later = sales.checkout(shop, till.cashier, _cart(shop, COLA), [Cash(350)])
    assert first.number == later.number == "1125-01-0001"
    assert sales.find_sale(shop, "1125-01-0001").id == later.sale_id  # the latest day first
    assert sales.find_sale(shop, first.sale_id).business_day == dt.date(2026, 11, 25)


def test_cash_short_says_how_much_is_missing(shop: Shop, till: Till, cola: ProductInfo) -> None:
    cart = _cart(shop, COLA, COLA)
    before = row_counts(shop)
    with pytest.raises(InvalidInput, match=r"short by ¥2\.00"):
        sales.checkout(shop, till.cashier, cart, [Cash(500)])
    with pytest.raises(InvalidInput, match=r"¥7\.00 is still to pay"):
        sales.checkout(shop, till.cashier, cart, [])
    assert row_counts(shop) == before
    assert product_state(shop, cola.id) == (10, 0)
    assert cart.closed_as is None


@pytest.mark.parametrize(
    "tenders",
    [
        [Cash(350), Cash(350)],
        [Cash(-5)],
        [Cash(350 + 100_001)],  # change above ¥1,000: a typing slip
        [Cash("3.50")],  # type: ignore[arg-type]
        [Card(351)],
        [Card(0), Cash(350)],
        [Card(350), Cash(100)],  # nothing left for cash to pay
        ["cash"],  # type: ignore[list-item]
    ],
)
def test_bad_tenders_are_refused(
    shop: Shop, till: Till, cola: ProductInfo, tenders: list[sales.Tender]
) -> None:
    before = row_counts(shop)
    with pytest.raises(InvalidInput):
        sales.checkout(shop, till.cashier, _cart(shop, COLA), tenders)
    assert row_counts(shop) == before


def test_empty_cart_is_refused(shop: Shop, till: Till) -> None:
    before = row_counts(shop)
    with pytest.raises(InvalidInput, match="empty"):
        sales.checkout(shop, till.cashier, Cart(), [Cash(100)])
    assert row_counts(shop) == before


def test_no_open_shift_no_sale(shop: Shop, cola: ProductInfo) -> None:
    people = make_people(shop)
    before = row_counts(shop)
    with pytest.raises(RuleViolation, match="open a shift"):
        sales.checkout(shop, people.cashier, _cart(shop, COLA), [Cash(350)])
    assert row_counts(shop) == before


def test_a_failure_inside_the_sale_transaction_leaves_nothing(
    shop: Shop, till: Till, cola: ProductInfo, monkeypatch: pytest.MonkeyPatch
) -> None:
    cart = _cart(shop, COLA, COLA)
    before = row_counts(shop)

    def broken(*args: object, **kwargs: object) -> str:
        raise RuntimeError("disk went away")

    monkeypatch.setattr(outbox, "record", broken)
    with pytest.raises(RuntimeError):
        sales.checkout(shop, till.cashier, cart, [Cash(1000)])
    monkeypatch.undo()

    assert row_counts(shop) == before
    assert product_state(shop, cola.id) == (10, 0)
    with shop.store.read() as session:
        assert session.scalars(select(Sale)).all() == []
        assert session.scalars(select(SaleLine)).all() == []
        assert session.scalars(select(StockMove).where(StockMove.reason == "sale")).all() == []
        assert session.scalars(select(Payment)).all() == []
        assert session.scalars(select(Counter)).all() == []
        assert (
            session.scalars(select(JournalEntry).where(JournalEntry.kind == "sale.completed")).all()
            == []
        )
    # The cart is still open and sells once the fault is gone, under the first number.
    assert cart.closed_as is None
    assert sales.checkout(shop, till.cashier, cart, [Cash(1000)]).number == "1125-01-0001"


def test_zero_total_sale_needs_no_tender(shop: Shop, till: Till, cola: ProductInfo) -> None:
    cart = _cart(shop, COLA)
    sales.override_price(cart, 0, 0, "赠品 / free sample", till.owner)
    receipt = sales.checkout(shop, till.cashier, cart, [])
    assert receipt.total_fen == 0
    assert receipt.payments == ()
    assert receipt.discount_fen == 350
    assert product_state(shop, cola.id) == (9, 1)
    with shop.store.read() as session:
        line = session.scalars(select(SaleLine)).one()
        assert (line.override_reason, line.override_by) == (
            "赠品 / free sample",
            till.owner.user_id,
        )
    assert integrity.check(shop).ok


# --- voids --------------------------------------------------------------------------------------


def test_void_is_recorded_without_money_or_stock(shop: Shop, till: Till, cola: ProductInfo) -> None:
    cart = _cart(shop, COLA, COLA)
    before = row_counts(shop)
    void_id = sales.void_cart(shop, till.cashier, cart, "顾客不要了 / customer changed mind")
    assert void_id == cart.id
    assert changed_tables(before, row_counts(shop)) == {"voids": 1, "journal": 1, "outbox": 1}
    assert product_state(shop, cola.id) == (10, 0)
    with shop.store.read() as session:
        void = session.get_one(Void, void_id)
        assert (void.lines_count, void.total_fen, void.user_id) == (1, 700, till.cashier.user_id)
        assert json.loads(void.lines_json)[0]["qty"] == 2
        event = session.scalars(select(OutboxEvent).where(OutboxEvent.kind == "sale.voided")).one()
        assert json.loads(event.payload_json)["total_fen"] == 700
    assert cart.closed_as == "voided"
    with pytest.raises(RuleViolation):
        sales.checkout(shop, till.cashier, cart, [Cash(700)])


def test_void_rules(shop: Shop, cola: ProductInfo) -> None:
    people = make_people(shop)
    before = row_counts(shop)
    assert sales.void_cart(shop, people.cashier, Cart(), "") is None  # empty: nothing to void
    cart = _cart(shop, COLA)
    with pytest.raises(RuleViolation, match="open a shift"):
        sales.void_cart(shop, people.cashier, cart, "不要了")
    with pytest.raises(InvalidInput, match="reason"):
        sales.void_cart(shop, people.cashier, cart, " ")
    assert row_counts(shop) == before


# --- looking sales up -----------------------------------------------------------------------


def test_find_sale_and_sales_of_day(
    shop: Shop, till: Till, cola: ProductInfo, bread: ProductInfo
) -> None:
    first = sales.checkout(shop, till.cashier, _cart(shop, COLA, "6900000000014"), [Cash(1000)])
    second = sales.checkout(shop, till.cashier, _cart(shop, COLA), [Cash(500)])

    view = sales.find_sale(shop, " 1125-01-0001 ")
    assert view.id == first.sale_id
    assert view.cashier_name == "小李"
    assert [
        (line.name, line.qty, line.refunded_qty, line.refundable_qty) for line in view.lines
    ] == [
        ("可口可乐 330ml", 1, 0, 1),
        ("面包", 1, 0, 1),
    ]
    assert [(p.kind, p.amount_fen, p.change_fen) for p in view.payments] == [("cash", 950, 50)]
    assert sales.find_sale(shop, second.sale_id).number == "1125-01-0002"
    with pytest.raises(NotFound, match="9999"):
        sales.find_sale(shop, "1125-01-9999")
    with pytest.raises(InvalidInput):
        sales.find_sale(shop, "")

    day = sales.sales_of_day(shop, dt.date(2026, 11, 25))
    assert [v.number for v in day] == ["1125-01-0001", "1125-01-0002"]
    assert [v.total_fen for v in day] == [950, 350]
    assert sales.sales_of_day(shop, dt.date(2026, 11, 24)) == []


def test_mask_pan_never_keeps_a_full_card_number() -> None:
    assert sales.mask_pan("6225881234567890") == "622588******7890"
    assert sales.mask_pan("622588******7890") == "622588******7890"
    assert sales.mask_pan("6225 88EE EEEE 7890") == "6225 88EE EEEE 7890"
    assert sales.mask_pan("") == ""
