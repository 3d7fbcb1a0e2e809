"""The hot path's plain SQL writes exactly what the ORM would, and reads back the same."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, text

from storebox import outbox, sales
from storebox.db import raw
from storebox.db.models import Counter, JournalEntry, OutboxEvent, Sale
from storebox.shop import Shop
from tests.core.factories import make_product, open_till


def test_datetimes_written_raw_read_back_through_the_orm(shop: Shop) -> None:
    at = dt.datetime(2026, 11, 25, 9, 30, 1, 123456, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    with shop.store.write() as session:
        outbox.record(session, at=at, kind="test.raw", ref_id=None, payload={"x": 1})
    with shop.store.read() as session:
        event = session.scalars(select(OutboxEvent)).one()
        entry = session.scalars(select(JournalEntry)).one()
        assert event.created_at == at == entry.at
        assert event.created_at.tzinfo is dt.UTC


def test_raw_text_forms_equal_the_orm_text_forms(shop: Shop) -> None:
    at = dt.datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=dt.UTC)
    with shop.store.write() as session:
        session.add(JournalEntry(seq=1, id="j", at=at, kind="k", ref_id=None, payload_json="{}",
                                 prev_hash="0", hash="h"))  # fmt: skip
        session.add(
            Counter(device_id=shop.device_id, business_day=dt.date(2026, 1, 2), kind="t", last=1)
        )
    with shop.store.read() as session:
        stored_at = session.execute(text("SELECT at FROM journal")).scalar_one()
        stored_day = session.execute(text("SELECT business_day FROM counters")).scalar_one()
    assert stored_at == raw.db_datetime(at)
    assert stored_day == raw.db_date(dt.date(2026, 1, 2))


def test_sale_rows_written_raw_load_through_the_orm(shop: Shop) -> None:
    till = open_till(shop)
    product = make_product(shop, "农夫山泉饮用天然水550ml", 200)
    cart = sales.Cart()
    sales.add_product(cart, product, 2)
    receipt = sales.checkout(shop, till.cashier, cart, [sales.Cash(10_000)])
    with shop.store.read() as session:
        sale = session.scalars(select(Sale)).one()
        assert sale.completed_at == shop.now()
        assert sale.business_day == shop.business_day()
        assert sale.number == receipt.number
