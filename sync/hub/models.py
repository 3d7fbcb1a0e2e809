"""The hub's tables (SQLAlchemy 2.x typed models). The hub shares no table with the shop.

Money is integer fen (BigInteger: a store's all-time totals outgrow 32 bits). Times are stored
as naive UTC (`UtcDateTime` adds and checks the zone at the edge), so SQLite and PostgreSQL hold
the same values.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: An autoincrementing 64-bit key: BIGINT on PostgreSQL, INTEGER (the rowid) on SQLite.
BigId = BigInteger().with_variant(Integer(), "sqlite")

ID = 36  # a UUID's text


class UtcDateTime(TypeDecorator[dt.datetime]):
    """Aware UTC in Python, naive UTC in the database."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("the hub stores aware times only")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        assert isinstance(value, dt.datetime)
        return value.replace(tzinfo=dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class HubMeta(Base):
    """Facts about this hub database, e.g. its epoch (cursors from another database expire)."""

    __tablename__ = "hub_meta"
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


class Store(Base):
    __tablename__ = "stores"
    id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class EnrolCode(Base):
    """A one-time, expiring code; kept as a hash like the tokens it is exchanged for."""

    __tablename__ = "enrol_codes"
    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    store_id: Mapped[str] = mapped_column(ForeignKey("stores.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    device_id: Mapped[str | None] = mapped_column(String(ID))


class Device(Base):
    __tablename__ = "devices"
    id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    store_id: Mapped[str] = mapped_column(ForeignKey("stores.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    app_version: Mapped[str] = mapped_column(String(40))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class ReceivedEvent(Base):
    """Every event a device pushed, with the answer it got: the primary key on event_id is the
    idempotency guarantee (insert and catch the clash, never search then insert)."""

    __tablename__ = "events"
    event_id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    store_id: Mapped[str] = mapped_column(ForeignKey("stores.id"))
    device_id: Mapped[str] = mapped_column(String(ID))
    kind: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    received_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    digest: Mapped[str] = mapped_column(String(64))
    payload_json: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10))
    """applied or rejected: what the first delivery was answered."""
    reason: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_events_store_kind", "store_id", "kind"),)


class Sale(Base):
    __tablename__ = "sales"
    store_id: Mapped[str] = mapped_column(ForeignKey("stores.id"), primary_key=True)
    sale_id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(ID))
    device_id: Mapped[str] = mapped_column(String(ID))
    number: Mapped[str] = mapped_column(String(40))
    business_day: Mapped[dt.date] = mapped_column(Date)
    completed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    lines_count: Mapped[int] = mapped_column(Integer)
    list_total_fen: Mapped[int] = mapped_column(BigInteger)
    total_fen: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (Index("ix_sales_store_day", "store_id", "business_day"),)


class SalePayment(Base):
    __tablename__ = "sale_payments"
    store_id: Mapped[str] = mapped_column(ForeignKey("stores.id"), primary_key=True)
    payment_id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    sale_id: Mapped[str] = mapped_column(String(ID))
    business_day: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(20))
    amount_fen: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (Index("ix_sale_payments_store_day", "store_id", "business_day"),)


class Refund(Base):
    __tablename__ = "refunds"
    store_id: Mapped[str] = mapped_column(ForeignKey("stores.id"), primary_key=True)
    refund_id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(ID))
    device_id: Mapped[str] = mapped_column(String(ID))
    sale_id: Mapped[str] = mapped_column(String(ID))
    number: Mapped[str] = mapped_column(String(40))
    business_day: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    total_fen: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (Index("ix_refunds_store_day", "store_id", "business_day"),)


class RefundPayment(Base):
    __tablename__ = "refund_payments"
    store_id: Mapped[str] = mapped_column(ForeignKey("stores.id"), primary_key=True)
    refund_id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    payment_id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    business_day: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(20))
    amount_fen: Mapped[int] = mapped_column(BigInteger)


class BillPayment(Base):
    """A convenience payment (issue 7), from the shop's POST or its `bill_payment.accepted`
    event, whichever came first: (store_id, payment_id) is the primary key, the shop's
    idempotency key, and `digest` the hash of the request that made it (the same id with other
    fields is refused). `status` is pending, success or failed; a pending payment becomes
    `final_status` once the hub's clock passes `due_at` (its scripted behaviour).
    `business_day` is the shop's business day the request carries (its cut-off runs past
    midnight), else the China calendar day of `accepted_at`: the statement's, the report's and
    the store's offline limit's day, as the shop's Z report counts it. `china_day` is the China
    calendar day of `accepted_at`: the day of the account's per-day limit, which is the
    biller's, across all shops. `account` is kept in full because the biller needs it; it leaves the hub
    masked only."""

    __tablename__ = "bill_payments"
    store_id: Mapped[str] = mapped_column(ForeignKey("stores.id"), primary_key=True)
    payment_id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    device_id: Mapped[str] = mapped_column(String(ID))
    source: Mapped[str] = mapped_column(String(10))
    """post or event: what brought the payment first."""
    digest: Mapped[str] = mapped_column(String(64))
    biller_id: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(20))
    account: Mapped[str] = mapped_column(String(40))
    """Normalised (Beijing's 10-digit 户号 with its 110 prefix)."""
    account_masked: Mapped[str] = mapped_column(String(40))
    bill_key: Mapped[str | None] = mapped_column(String(120))
    """biller:account:period of a looked-up bill; None for billers without bills."""
    query_no: Mapped[str] = mapped_column(String(64), server_default="")
    number: Mapped[str] = mapped_column(String(40))
    tender: Mapped[str] = mapped_column(String(10))
    accepted_offline: Mapped[bool] = mapped_column(Boolean, server_default=false())
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    business_day: Mapped[dt.date] = mapped_column(Date)
    china_day: Mapped[dt.date | None] = mapped_column(Date)
    """None only on rows from before migration 0005 (then equal to business_day)."""
    status: Mapped[str] = mapped_column(String(10))
    final_status: Mapped[str | None] = mapped_column(String(10))
    due_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    reason_code: Mapped[str] = mapped_column(String(40), server_default="")
    message: Mapped[str] = mapped_column(String(300), server_default="")
    biller_reference: Mapped[str] = mapped_column(String(32), unique=True)
    commission_fen: Mapped[int] = mapped_column(BigInteger, server_default="0")
    counted_fen: Mapped[int] = mapped_column(BigInteger, server_default="0")
    """What this payment adds to its account's per-day total (0 once failed)."""
    accepted_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    received_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    final_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    refunded: Mapped[bool] = mapped_column(Boolean, server_default=false())
    refund_json: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        Index("ix_bill_payments_store_day", "store_id", "business_day"),
        Index("ix_bill_payments_status_due", "status", "due_at"),
        Index("ix_bill_payments_bill", "bill_key"),
    )


class BillQuery(Base):
    """A bill lookup's answer, by its query number: a payment of a looked-up bill names it, and
    it is valid until `expires_at` (30 minutes on the hub's clock)."""

    __tablename__ = "bill_queries"
    query_no: Mapped[str] = mapped_column(String(64), primary_key=True)
    store_id: Mapped[str] = mapped_column(ForeignKey("stores.id"))
    biller_id: Mapped[str] = mapped_column(String(40))
    account: Mapped[str] = mapped_column(String(40))
    period: Mapped[str] = mapped_column(String(10))
    amount_due_fen: Mapped[int] = mapped_column(BigInteger)
    penalty_fen: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class BillInFlight(Base):
    """One row per bill being paid: the primary key on the bill is what refuses a second
    concurrent payment of the same bill (duplicate_bill), in any shop. Deleted when the
    payment becomes final (a failed payment frees the bill; a paid one leaves nothing due)."""

    __tablename__ = "bills_in_flight"
    bill_key: Mapped[str] = mapped_column(String(120), primary_key=True)
    store_id: Mapped[str] = mapped_column(String(ID))
    payment_id: Mapped[str] = mapped_column(String(ID))


class BillDayTotal(Base):
    """What an account was paid on a China day, across all shops (the per-day limit), kept by
    one atomic INSERT … ON CONFLICT DO UPDATE … RETURNING, so two concurrent payments cannot
    both slip under the limit."""

    __tablename__ = "bill_day_totals"
    biller_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    account: Mapped[str] = mapped_column(String(40), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    total_fen: Mapped[int] = mapped_column(BigInteger)


class BillScript(Base):
    """The next scripted results of a store's new bill payments, for one biller or (biller_id
    "") any; consumed one per new payment. Set by `storebox hub biller-script`."""

    __tablename__ = "bill_scripts"
    store_id: Mapped[str] = mapped_column(ForeignKey("stores.id"), primary_key=True)
    biller_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    steps: Mapped[str] = mapped_column(Text)


class DayClose(Base):
    """The shop's own Z report for a day, as it sent it: compared with what the hub holds."""

    __tablename__ = "day_closes"
    store_id: Mapped[str] = mapped_column(ForeignKey("stores.id"), primary_key=True)
    shop_device_id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    business_day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    event_id: Mapped[str] = mapped_column(String(ID))
    closed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    report_json: Mapped[str] = mapped_column(Text)


class DeviceHealthRow(Base):
    """The last health report of each device (a report replaces the one before)."""

    __tablename__ = "device_health"
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id"), primary_key=True)
    store_id: Mapped[str] = mapped_column(ForeignKey("stores.id"), index=True)
    received_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    report_json: Mapped[str] = mapped_column(Text)


class StreamChange(Base):
    """The pull streams' change log, compacted: one row per key (its latest upsert or delete).

    A change deletes the key's previous row and inserts a new one, so the log never holds more
    rows than keys, a first pull reads each item once, and a reader whose cursor is older than
    the new row still gets the latest version. `txid` is the writing transaction's id on
    PostgreSQL (xid8) and 0 on SQLite; pages are served in (txid, seq) order.
    """

    __tablename__ = "stream_changes"
    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    stream: Mapped[str] = mapped_column(String(40))
    store_id: Mapped[str] = mapped_column(String(ID), server_default="")
    """"" for the mall-wide streams; a store's id for a per-store stream (bill_results)."""
    key: Mapped[str] = mapped_column(String(80))
    op: Mapped[str] = mapped_column(String(10))
    data_json: Mapped[str | None] = mapped_column(Text)
    txid: Mapped[int] = mapped_column(BigInteger)
    changed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        UniqueConstraint("stream", "store_id", "key", name="uq_stream_changes_stream_store_key"),
        Index("ix_stream_changes_order", "stream", "store_id", "txid", "seq"),
        {"sqlite_autoincrement": True},
    )


class StreamHorizon(Base):
    """Tombstones below this point were pruned; `generation` counts the prunes that moved it. A
    cursor of an older generation below the point is no longer served (see `streams`)."""

    __tablename__ = "stream_horizons"
    stream: Mapped[str] = mapped_column(String(40), primary_key=True)
    txid: Mapped[int] = mapped_column(BigInteger)
    seq: Mapped[int] = mapped_column(BigInteger)
    generation: Mapped[int] = mapped_column(Integer, server_default="0")


class AcquirerOrder(Base):
    """An order at the simulated acquirer: a micropay, a refund or a dynamic QR order.

    (store_id, reference) is UNIQUE: the shop's idempotency key. `digest` is the hash of the
    request that created it, so the same key with other parameters is refused; the payment code
    itself is never stored. A micropay that is `user_paying` becomes `final_status` once the
    hub's clock passes `paying_until` (the customer typed the password, or gave up).
    """

    __tablename__ = "acquirer_orders"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    store_id: Mapped[str] = mapped_column(ForeignKey("stores.id"))
    device_id: Mapped[str] = mapped_column(String(ID))
    reference: Mapped[str] = mapped_column(String(64))
    acquirer_reference: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[str] = mapped_column(String(10))
    digest: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(12))
    final_status: Mapped[str | None] = mapped_column(String(12))
    paying_until: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    wallet: Mapped[str | None] = mapped_column(String(10))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    refunded_fen: Mapped[int] = mapped_column(BigInteger, server_default="0")
    fee_fen: Mapped[int] = mapped_column(BigInteger, server_default="0")
    original_reference: Mapped[str | None] = mapped_column(String(64))
    sale_reference: Mapped[str] = mapped_column(String(64), server_default="")
    description: Mapped[str] = mapped_column(String(128), server_default="")
    message: Mapped[str] = mapped_column(String(200), server_default="")
    qr_payload: Mapped[str | None] = mapped_column(Text)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    final_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)

    __table_args__ = (
        UniqueConstraint("store_id", "reference", name="uq_acquirer_orders_store_reference"),
        Index("ix_acquirer_orders_store_created", "store_id", "created_at"),
        {"sqlite_autoincrement": True},
    )


class AcquirerScript(Base):
    """The next scripted behaviours of a store's micropays (comma-separated, consumed one per
    new micropay; empty = approve). Set by `storebox hub acquirer-script`."""

    __tablename__ = "acquirer_scripts"
    store_id: Mapped[str] = mapped_column(ForeignKey("stores.id"), primary_key=True)
    steps: Mapped[str] = mapped_column(Text)
