"""The local store's tables (SQLAlchemy 2.x typed models).

Rules that hold for every table: ids are UUIDv7 strings made on the device; money is integer
fen; instants are stored as UTC; invariants that must survive any code path are constraints
(UNIQUE, CHECK, partial unique indexes), not searches before inserts.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Aware datetimes in, aware UTC datetimes out; stored naive-UTC (SQLite has no zones)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        assert isinstance(value, dt.datetime)
        return value.replace(tzinfo=dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


Id = String(36)


class Device(Base):
    """This installation. One row; its number makes sale numbers unique per device and day."""

    __tablename__ = "device"
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    device_no: Mapped[int] = mapped_column(Integer)
    store_name: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    __table_args__ = (CheckConstraint("device_no BETWEEN 1 AND 99", name="device_no_range"),)


class User(Base):
    __tablename__ = "users"
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    role: Mapped[str] = mapped_column(String(10))
    pin_hash: Mapped[str] = mapped_column(String(200))
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    __table_args__ = (CheckConstraint("role IN ('owner', 'cashier')", name="role"),)


class Product(Base):
    __tablename__ = "products"
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    #: Integer key of the product in the full-text index (FTS5 needs an integer rowid).
    search_id: Mapped[int] = mapped_column(Integer, unique=True)
    name: Mapped[str] = mapped_column(String(120))
    #: The name with CJK characters split by spaces, so FTS5 phrase queries find any substring.
    search_text: Mapped[str] = mapped_column(Text)
    pinyin: Mapped[str] = mapped_column(String(400))
    initials: Mapped[str] = mapped_column(String(120))
    category: Mapped[str] = mapped_column(String(40), default="")
    unit: Mapped[str] = mapped_column(String(10), default="个")
    price_fen: Mapped[int] = mapped_column(Integer)
    cost_fen: Mapped[int] = mapped_column(Integer, default=0)
    stock_qty: Mapped[int] = mapped_column(Integer, default=0)
    reorder_level: Mapped[int] = mapped_column(Integer, default=0)
    mall_sku: Mapped[str | None] = mapped_column(String(40))
    #: Units sold, kept with each sale and refund: ranks best sellers first in search.
    sold_qty: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    __table_args__ = (
        CheckConstraint("price_fen >= 0 AND price_fen <= 100000000", name="price"),
        CheckConstraint("cost_fen >= 0 AND cost_fen <= 100000000", name="cost"),
        CheckConstraint("reorder_level >= 0", name="reorder_level"),
        # Search reads indexes only (catalog.search): each prefix index carries search_id, the
        # rank index is best-seller order, and ix_products_search looks a match's rank up.
        Index("ix_products_name", "name", "search_id"),
        Index("ix_products_initials", "initials", "search_id"),
        Index("ix_products_pinyin", "pinyin", "search_id"),
        Index("ix_products_rank", "sold_qty", "search_id", "active"),
        Index("ix_products_search", "search_id", "active", "sold_qty"),
    )


class Barcode(Base):
    __tablename__ = "barcodes"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    product_id: Mapped[str] = mapped_column(ForeignKey("products.id"), index=True)
    #: ean13 / ean8 / upca / shop (a code the shop printed itself, no GS1 check)
    kind: Mapped[str] = mapped_column(String(8))


class StockMove(Base):
    """The stock ledger: stock_qty on a product is the sum of its moves."""

    __tablename__ = "stock_moves"
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    product_id: Mapped[str] = mapped_column(ForeignKey("products.id"))
    qty_delta: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(16))
    ref_id: Mapped[str | None] = mapped_column(Id)
    note: Mapped[str] = mapped_column(String(200), default="")
    user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    __table_args__ = (
        Index("ix_stock_moves_product_at", "product_id", "at"),
        Index("ix_stock_moves_ref", "ref_id"),
        CheckConstraint("qty_delta <> 0", name="nonzero"),
        CheckConstraint(
            "reason IN ('initial', 'sale', 'refund', 'adjust', 'receive', 'count')", name="reason"
        ),
    )


class Shift(Base):
    __tablename__ = "shifts"
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    device_id: Mapped[str] = mapped_column(ForeignKey("device.id"))
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    business_day: Mapped[dt.date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(8))
    opened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    float_fen: Mapped[int] = mapped_column(Integer)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    closed_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    counted_fen: Mapped[int | None] = mapped_column(Integer)
    expected_fen: Mapped[int | None] = mapped_column(Integer)
    variance_fen: Mapped[int | None] = mapped_column(Integer)
    #: What the person closing the shift wrote about the count (why the drawer is short).
    close_note: Mapped[str | None] = mapped_column(String(200))
    __table_args__ = (
        CheckConstraint("status IN ('open', 'closed')", name="status"),
        CheckConstraint("float_fen >= 0", name="float"),
        # One open shift per device, whatever two processes try at once.
        Index("uq_shifts_one_open", "device_id", unique=True, sqlite_where=text("status = 'open'")),
    )


class CashMovement(Base):
    __tablename__ = "cash_movements"
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    shift_id: Mapped[str] = mapped_column(ForeignKey("shifts.id"), index=True)
    kind: Mapped[str] = mapped_column(String(4))
    amount_fen: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(200))
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    __table_args__ = (
        CheckConstraint("kind IN ('in', 'out')", name="kind"),
        CheckConstraint("amount_fen > 0", name="amount"),
    )


class Counter(Base):
    """Per device, day and kind: the last number handed out (sale and refund numbers)."""

    __tablename__ = "counters"
    device_id: Mapped[str] = mapped_column(ForeignKey("device.id"), primary_key=True)
    business_day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    last: Mapped[int] = mapped_column(Integer)


class Sale(Base):
    __tablename__ = "sales"
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    number: Mapped[str] = mapped_column(String(24))
    device_id: Mapped[str] = mapped_column(ForeignKey("device.id"))
    business_day: Mapped[dt.date] = mapped_column(Date)
    seq: Mapped[int] = mapped_column(Integer)
    shift_id: Mapped[str] = mapped_column(ForeignKey("shifts.id"), index=True)
    cashier_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    list_total_fen: Mapped[int] = mapped_column(Integer)
    total_fen: Mapped[int] = mapped_column(Integer)
    completed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    __table_args__ = (
        UniqueConstraint("device_id", "business_day", "seq", name="uq_sales_device_day_seq"),
        # A number repeats on the same date a year later: unique with its business day.
        UniqueConstraint("number", "business_day", name="uq_sales_number_day"),
        Index("ix_sales_day", "business_day"),
        CheckConstraint("total_fen >= 0", name="total"),
    )


class SaleLine(Base):
    __tablename__ = "sale_lines"
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    sale_id: Mapped[str] = mapped_column(ForeignKey("sales.id"))
    line_no: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[str] = mapped_column(ForeignKey("products.id"))
    name: Mapped[str] = mapped_column(String(120))
    barcode: Mapped[str | None] = mapped_column(String(32))
    qty: Mapped[int] = mapped_column(Integer)
    list_price_fen: Mapped[int] = mapped_column(Integer)
    unit_price_fen: Mapped[int] = mapped_column(Integer)
    line_total_fen: Mapped[int] = mapped_column(Integer)
    override_reason: Mapped[str | None] = mapped_column(String(200))
    override_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    refunded_qty: Mapped[int] = mapped_column(Integer, default=0)
    __table_args__ = (
        UniqueConstraint("sale_id", "line_no", name="uq_sale_lines_sale_line_no"),
        Index("ix_sale_lines_product", "product_id"),
        CheckConstraint("qty > 0", name="qty"),
        CheckConstraint("line_total_fen = qty * unit_price_fen", name="line_total"),
        # Never refund more than was sold, whatever code path tries.
        CheckConstraint("refunded_qty >= 0 AND refunded_qty <= qty", name="refunded_qty"),
    )


class Payment(Base):
    """One tender of a sale: cash, card (terminal) or wallet (QR through the hub)."""

    __tablename__ = "payments"
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    sale_id: Mapped[str] = mapped_column(ForeignKey("sales.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    amount_fen: Mapped[int] = mapped_column(Integer)  # applied to the sale
    tendered_fen: Mapped[int] = mapped_column(Integer)  # handed over (cash) or charged
    change_fen: Mapped[int] = mapped_column(Integer, default=0)
    refunded_fen: Mapped[int] = mapped_column(Integer, default=0)
    reference: Mapped[str | None] = mapped_column(String(64))
    auth_code: Mapped[str] = mapped_column(String(16), default="")
    terminal_id: Mapped[str] = mapped_column(String(16), default="")
    trace: Mapped[str] = mapped_column(String(16), default="")
    receipt_no: Mapped[str] = mapped_column(String(16), default="")
    masked_pan: Mapped[str] = mapped_column(String(24), default="")
    card_name: Mapped[str] = mapped_column(String(40), default="")
    __table_args__ = (
        CheckConstraint("kind IN ('cash', 'card', 'wallet')", name="kind"),
        CheckConstraint("amount_fen > 0", name="amount"),
        CheckConstraint("tendered_fen = amount_fen + change_fen", name="change"),
        CheckConstraint(
            "change_fen >= 0 AND (change_fen = 0 OR kind = 'cash')", name="change_cash"
        ),
        CheckConstraint("refunded_fen >= 0 AND refunded_fen <= amount_fen", name="refunded"),
    )


class PaymentAttempt(Base):
    """A card or wallet request written *before* it leaves the shop.

    If the process dies or the line drops after the request was sent, this row is the proof
    that money may have moved: it stays 'pending'/'unknown' until enquiry settles it or a
    reversal cancels it, before the next payment on that device.
    """

    __tablename__ = "payment_attempts"
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    reference: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(8))
    operation: Mapped[str] = mapped_column(String(8))
    amount_fen: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10))
    result_json: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    __table_args__ = (
        CheckConstraint("kind IN ('card', 'wallet')", name="kind"),
        CheckConstraint("operation IN ('sale', 'refund')", name="operation"),
        CheckConstraint(
            "status IN ('pending', 'approved', 'declined', 'unknown', 'reversed', 'used')",
            name="status",
        ),
        Index("ix_payment_attempts_open", "status"),
    )


class Refund(Base):
    __tablename__ = "refunds"
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    number: Mapped[str] = mapped_column(String(24))
    sale_id: Mapped[str] = mapped_column(ForeignKey("sales.id"), index=True)
    device_id: Mapped[str] = mapped_column(ForeignKey("device.id"))
    business_day: Mapped[dt.date] = mapped_column(Date, index=True)
    seq: Mapped[int] = mapped_column(Integer)
    shift_id: Mapped[str] = mapped_column(ForeignKey("shifts.id"), index=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    approved_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(String(200))
    total_fen: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    __table_args__ = (
        UniqueConstraint("device_id", "business_day", "seq", name="uq_refunds_device_day_seq"),
        UniqueConstraint("number", "business_day", name="uq_refunds_number_day"),
        CheckConstraint("total_fen > 0", name="total"),
    )


class RefundLine(Base):
    __tablename__ = "refund_lines"
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    refund_id: Mapped[str] = mapped_column(ForeignKey("refunds.id"), index=True)
    sale_line_id: Mapped[str] = mapped_column(ForeignKey("sale_lines.id"), index=True)
    qty: Mapped[int] = mapped_column(Integer)
    amount_fen: Mapped[int] = mapped_column(Integer)
    __table_args__ = (CheckConstraint("qty > 0", name="qty"),)


class RefundPayment(Base):
    """Where a refund's money went: back to which original tender."""

    __tablename__ = "refund_payments"
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    refund_id: Mapped[str] = mapped_column(ForeignKey("refunds.id"), index=True)
    payment_id: Mapped[str] = mapped_column(ForeignKey("payments.id"))
    kind: Mapped[str] = mapped_column(String(8))
    amount_fen: Mapped[int] = mapped_column(Integer)
    reference: Mapped[str] = mapped_column(String(64), default="")
    __table_args__ = (CheckConstraint("amount_fen > 0", name="amount"),)


class Void(Base):
    """An unpaid cart abandoned at the counter: no money moved, but the Z report counts it."""

    __tablename__ = "voids"
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    device_id: Mapped[str] = mapped_column(ForeignKey("device.id"))
    business_day: Mapped[dt.date] = mapped_column(Date, index=True)
    shift_id: Mapped[str] = mapped_column(ForeignKey("shifts.id"), index=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(String(200))
    lines_count: Mapped[int] = mapped_column(Integer)
    total_fen: Mapped[int] = mapped_column(Integer)
    lines_json: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class DayClose(Base):
    """The business day closed (日结) with its Z report frozen as it was at closing."""

    __tablename__ = "day_closes"
    device_id: Mapped[str] = mapped_column(ForeignKey("device.id"), primary_key=True)
    business_day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    closed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    closed_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    report_json: Mapped[str] = mapped_column(Text)


class Setting(Base):
    """Shop settings the owner changes at the till (limits, refund threshold)."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value_json: Mapped[str] = mapped_column(Text)


class JournalEntry(Base):
    """Append-only, hash-chained record of every money event.

    hash = SHA-256(prev_hash || canonical JSON of (seq, id, at, kind, ref_id, payload)).
    Editing or deleting any entry breaks every hash after it; `storebox db check` names the
    first broken link.
    """

    __tablename__ = "journal"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    id: Mapped[str] = mapped_column(Id, unique=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(40))
    ref_id: Mapped[str | None] = mapped_column(Id)
    payload_json: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class OutboxEvent(Base):
    """An event for the hub, written in the same transaction as the change it describes.

    `event_id` is the idempotency key the hub enforces; `seq` keeps push order.
    """

    __tablename__ = "outbox"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(Id, unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    payload_json: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(8), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'sent', 'dead')", name="status"),
        Index("ix_outbox_pending", "status", "seq"),
        {"sqlite_autoincrement": True},  # never reuse a seq, even after pruning sent events
    )


class PrintJob(Base):
    """A document for the receipt printer, queued in the local database (storebox.printing).

    queued -> printing (marked before a byte is sent) -> done; a job found 'printing' after a
    restart may already be on paper, so it becomes 'failed' and waits for an explicit reprint
    (a new job with `reprint` set, printed with a 重打印 / REPRINT mark).
    """

    __tablename__ = "print_jobs"
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    payload_json: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(8), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    reprint: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    printed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'printing', 'done', 'failed')", name="status"),
        Index("ix_print_jobs_queue", "status", "created_at"),
    )


# --- sync with the hub (storebox.syncstate, storebox.mall_catalog, storebox.billers, ...) ------


class HubEnrolment(Base):
    """This shop's enrolment with its hub: one row (id = 1), replaced by a new enrolment.

    `token` is the device's bearer token. The hub keeps only its hash; the shop must keep the
    token itself to authenticate, so it lives here, in the shop's own database, whose file the
    shop protects (it holds the till's money records anyway). It is never printed or logged.
    """

    __tablename__ = "hub_enrolment"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    hub_url: Mapped[str] = mapped_column(String(200))
    store_id: Mapped[str] = mapped_column(String(64))
    store_name: Mapped[str] = mapped_column(String(200))
    device_id: Mapped[str] = mapped_column(String(64))
    device_name: Mapped[str] = mapped_column(String(80))
    token: Mapped[str] = mapped_column(String(200))
    enrolled_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    __table_args__ = (CheckConstraint("id = 1", name="one_row"),)


class SyncState(Base):
    """What the sync agent last saw, one row (id = 1), rewritten every round; the window's
    status bar reads it. Counts are as of `updated_at`; the outbox itself is the truth."""

    __tablename__ = "sync_state"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    online: Mapped[bool] = mapped_column(Boolean, default=False)
    last_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_success_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    pending_events: Mapped[int] = mapped_column(Integer, default=0)
    dead_letters: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    __table_args__ = (
        CheckConstraint("id = 1", name="one_row"),
        CheckConstraint("pending_events >= 0 AND dead_letters >= 0", name="counts"),
    )


class SyncStream(Base):
    """Per pull stream: the hub's opaque cursor after the last page applied, stored in the same
    transaction as that page. No row (or a NULL cursor) = pull from the start."""

    __tablename__ = "sync_streams"
    stream: Mapped[str] = mapped_column(String(40), primary_key=True)
    cursor: Mapped[str | None] = mapped_column(Text)
    last_pulled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    resyncs: Mapped[int] = mapped_column(Integer, default=0)


class MallItem(Base):
    """The community mall's catalogue and wholesale price list, as last pulled from the hub."""

    __tablename__ = "mall_items"
    sku: Mapped[str] = mapped_column(String(40), primary_key=True)
    barcode: Mapped[str | None] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    spec: Mapped[str] = mapped_column(String(80), default="")
    unit: Mapped[str] = mapped_column(String(10), default="件")
    category: Mapped[str] = mapped_column(String(40), default="")
    case_qty: Mapped[int] = mapped_column(Integer, default=1)
    wholesale_price_fen: Mapped[int] = mapped_column(Integer)
    retail_price_fen: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    __table_args__ = (
        CheckConstraint("case_qty >= 1", name="case_qty"),
        CheckConstraint("wholesale_price_fen >= 0 AND retail_price_fen >= 0", name="prices"),
        Index("ix_mall_items_barcode", "barcode"),
    )


class BillerEntry(Base):
    """A convenience-payment biller as last pulled from the hub; its input rules are data."""

    __tablename__ = "billers"
    biller_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    rules_json: Mapped[str] = mapped_column(Text, default="{}")
    __table_args__ = (
        CheckConstraint(
            "kind IN ('electricity', 'water', 'gas', 'mobile', 'credit_card')", name="kind"
        ),
    )


class HubConfigEntry(Base):
    """A setting the hub decides for the shop (limits, ...), as last pulled; value as JSON."""

    __tablename__ = "hub_config"
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value_json: Mapped[str] = mapped_column(Text)


# --- convenience payments (便民支付, storebox.billpay) ------------------------------------------


class BillPayment(Base):
    """A convenience payment (utility bill, phone top-up, credit-card repayment) the shop took
    money for as the biller's agent. The money is the platform's, not the shop's takings, so it
    has its own table and the reports keep it apart; only the commission is the shop's.

    `id` is the payment_id: the idempotency key the hub enforces (the same id in the
    `bill_payment.accepted` event, the online submit and the `bill_results` stream). A looked-up
    bill (`query_no`) is paid once: the partial unique index refuses a second payment of it
    while an earlier one has not failed, whatever two tills try at once.
    """

    __tablename__ = "bill_payments"
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    number: Mapped[str] = mapped_column(String(24))
    device_id: Mapped[str] = mapped_column(ForeignKey("device.id"))
    business_day: Mapped[dt.date] = mapped_column(Date)
    seq: Mapped[int] = mapped_column(Integer)
    shift_id: Mapped[str] = mapped_column(ForeignKey("shifts.id"), index=True)
    cashier_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    biller_id: Mapped[str] = mapped_column(String(40))
    biller_kind: Mapped[str] = mapped_column(String(16))
    biller_name: Mapped[str] = mapped_column(String(200))
    #: In full: the biller needs it, and an offline payment is submitted from this row's event.
    account: Mapped[str] = mapped_column(String(32))
    account_masked: Mapped[str] = mapped_column(String(32))
    holder_masked: Mapped[str] = mapped_column(String(40), default="")
    period: Mapped[str] = mapped_column(String(40), default="")
    query_no: Mapped[str] = mapped_column(String(64), default="")
    amount_fen: Mapped[int] = mapped_column(Integer)
    #: Expected from the biller's rules when accepted; the hub's figure once it says success.
    #: Earned only when `status` is 'success'.
    commission_fen: Mapped[int] = mapped_column(Integer, default=0)
    tender: Mapped[str] = mapped_column(String(8))
    tendered_fen: Mapped[int] = mapped_column(Integer)
    change_fen: Mapped[int] = mapped_column(Integer, default=0)
    #: The card payment attempt's reference (storebox.sales machinery), for card tenders.
    card_reference: Mapped[str | None] = mapped_column(String(64), unique=True)
    auth_code: Mapped[str] = mapped_column(String(16), default="")
    terminal_id: Mapped[str] = mapped_column(String(16), default="")
    trace: Mapped[str] = mapped_column(String(16), default="")
    receipt_no: Mapped[str] = mapped_column(String(16), default="")
    masked_pan: Mapped[str] = mapped_column(String(24), default="")
    card_name: Mapped[str] = mapped_column(String(40), default="")
    accepted_offline: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(8), default="pending")
    biller_reference: Mapped[str] = mapped_column(String(64), default="")
    reason_code: Mapped[str] = mapped_column(String(40), default="")
    message: Mapped[str] = mapped_column(String(200), default="")
    accepted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    #: When the hub first answered about it (submit or stream); None: not yet heard of there.
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    final_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    __table_args__ = (
        UniqueConstraint(
            "device_id", "business_day", "seq", name="uq_bill_payments_device_day_seq"
        ),
        UniqueConstraint("number", "business_day", name="uq_bill_payments_number_day"),
        Index(
            "uq_bill_payments_one_bill",
            "biller_id",
            "query_no",
            unique=True,
            sqlite_where=text("query_no <> '' AND status <> 'failed'"),
        ),
        Index("ix_bill_payments_day", "business_day"),
        Index("ix_bill_payments_account", "biller_id", "account", "accepted_at"),
        Index("ix_bill_payments_status", "status"),
        CheckConstraint("tender IN ('cash', 'card')", name="tender"),
        CheckConstraint("status IN ('pending', 'success', 'failed')", name="status"),
        CheckConstraint("amount_fen > 0", name="amount"),
        CheckConstraint("commission_fen >= 0", name="commission"),
        CheckConstraint("tendered_fen = amount_fen + change_fen", name="change"),
        CheckConstraint(
            "change_fen >= 0 AND (change_fen = 0 OR tender = 'cash')", name="change_cash"
        ),
        CheckConstraint("(status = 'pending') = (final_at IS NULL)", name="final"),
    )


class BillRefund(Base):
    """A refund task (退款任务): the biller failed a payment, so the shop owes the customer the
    money back, to the tender it came from. Raised when the failure is learnt ('open'; the
    window shows it until it is done), 'done' in the transaction that records the refund and
    queues `bill_payment.refunded`. One per payment (UNIQUE), whatever repeats the failure."""

    __tablename__ = "bill_refunds"
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    payment_id: Mapped[str] = mapped_column(ForeignKey("bill_payments.id"), unique=True)
    status: Mapped[str] = mapped_column(String(8), default="open")
    amount_fen: Mapped[int] = mapped_column(Integer)
    tender: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str] = mapped_column(String(200), default="")
    raised_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    done_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: The shift whose drawer paid a cash refund (and the day it is booked on).
    shift_id: Mapped[str | None] = mapped_column(ForeignKey("shifts.id"), index=True)
    business_day: Mapped[dt.date | None] = mapped_column(Date, index=True)
    user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    #: The card refund's payment attempt reference.
    reference: Mapped[str | None] = mapped_column(String(64), unique=True)
    receipt_no: Mapped[str] = mapped_column(String(16), default="")
    masked_pan: Mapped[str] = mapped_column(String(24), default="")
    __table_args__ = (
        CheckConstraint("status IN ('open', 'done')", name="status"),
        CheckConstraint("tender IN ('cash', 'card')", name="tender"),
        CheckConstraint("amount_fen > 0", name="amount"),
        CheckConstraint("(status = 'open') = (done_at IS NULL)", name="done"),
        Index("ix_bill_refunds_open", "status"),
    )


class BillResultEntry(Base):
    """The hub's latest answer about one of this shop's bill payments, as last pulled from the
    per-store `bill_results` stream (the hub owns bill results). A copy: clearing it for a
    resync never touches the payments, whose status only ever moves pending -> final."""

    __tablename__ = "bill_results"
    payment_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    status: Mapped[str] = mapped_column(String(8))
    result_json: Mapped[str] = mapped_column(Text)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    __table_args__ = (CheckConstraint("status IN ('pending', 'success', 'failed')", name="status"),)
