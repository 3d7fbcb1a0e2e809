"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-25

The whole first schema, plus what SQLAlchemy models cannot express: the FTS5 index over
product names (kept in step by triggers, so no code path can forget it) and triggers that make
the journal append-only.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "device",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("device_no", sa.Integer(), nullable=False),
        sa.Column("store_name", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("device_no BETWEEN 1 AND 99", name=op.f("ck_device_device_no_range")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_device")),
    )
    op.create_table(
        "journal",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("ref_id", sa.String(length=36), nullable=True),
        sa.Column("payload_json", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_journal")),
        sa.UniqueConstraint("hash", name=op.f("uq_journal_hash")),
        sa.UniqueConstraint("id", name=op.f("uq_journal_id")),
    )
    op.create_table(
        "outbox",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("payload_json", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.CheckConstraint("status IN ('pending', 'sent', 'dead')", name=op.f("ck_outbox_status")),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_outbox")),
        sa.UniqueConstraint("event_id", name=op.f("uq_outbox_event_id")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_pending", ["status", "seq"], unique=False)

    op.create_table(
        "payment_attempts",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("operation", sa.String(length=8), nullable=False),
        sa.Column("amount_fen", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("result_json", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("kind IN ('card', 'wallet')", name=op.f("ck_payment_attempts_kind")),
        sa.CheckConstraint(
            "operation IN ('sale', 'refund')", name=op.f("ck_payment_attempts_operation")
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'declined', 'unknown', 'reversed', 'used')",
            name=op.f("ck_payment_attempts_status"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_attempts")),
        sa.UniqueConstraint("reference", name=op.f("uq_payment_attempts_reference")),
    )
    with op.batch_alter_table("payment_attempts", schema=None) as batch_op:
        batch_op.create_index("ix_payment_attempts_open", ["status"], unique=False)

    op.create_table(
        "products",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("search_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("pinyin", sa.String(length=400), nullable=False),
        sa.Column("initials", sa.String(length=120), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("unit", sa.String(length=10), nullable=False),
        sa.Column("price_fen", sa.Integer(), nullable=False),
        sa.Column("cost_fen", sa.Integer(), nullable=False),
        sa.Column("stock_qty", sa.Integer(), nullable=False),
        sa.Column("reorder_level", sa.Integer(), nullable=False),
        sa.Column("mall_sku", sa.String(length=40), nullable=True),
        sa.Column("sold_qty", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "cost_fen >= 0 AND cost_fen <= 100000000", name=op.f("ck_products_cost")
        ),
        sa.CheckConstraint(
            "price_fen >= 0 AND price_fen <= 100000000", name=op.f("ck_products_price")
        ),
        sa.CheckConstraint("reorder_level >= 0", name=op.f("ck_products_reorder_level")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_products")),
        sa.UniqueConstraint("search_id", name=op.f("uq_products_search_id")),
    )
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.create_index("ix_products_initials", ["initials", "search_id"], unique=False)
        batch_op.create_index("ix_products_name", ["name", "search_id"], unique=False)
        batch_op.create_index("ix_products_pinyin", ["pinyin", "search_id"], unique=False)
        batch_op.create_index("ix_products_rank", ["sold_qty", "search_id", "active"], unique=False)
        batch_op.create_index(
            "ix_products_search", ["search_id", "active", "sold_qty"], unique=False
        )

    op.create_table(
        "settings",
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("value_json", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_settings")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("pin_hash", sa.String(length=200), nullable=False),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("role IN ('owner', 'cashier')", name=op.f("ck_users_role")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("name", name=op.f("uq_users_name")),
    )
    op.create_table(
        "barcodes",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("product_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_barcodes_product_id_products")
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_barcodes")),
    )
    with op.batch_alter_table("barcodes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_barcodes_product_id"), ["product_id"], unique=False)

    op.create_table(
        "counters",
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("business_day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["device_id"], ["device.id"], name=op.f("fk_counters_device_id_device")
        ),
        sa.PrimaryKeyConstraint("device_id", "business_day", "kind", name=op.f("pk_counters")),
    )
    op.create_table(
        "day_closes",
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("business_day", sa.Date(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=False),
        sa.Column("closed_by", sa.String(length=36), nullable=False),
        sa.Column("report_json", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["closed_by"], ["users.id"], name=op.f("fk_day_closes_closed_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["device_id"], ["device.id"], name=op.f("fk_day_closes_device_id_device")
        ),
        sa.PrimaryKeyConstraint("device_id", "business_day", name=op.f("pk_day_closes")),
    )
    op.create_table(
        "shifts",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("business_day", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("float_fen", sa.Integer(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("closed_by", sa.String(length=36), nullable=True),
        sa.Column("counted_fen", sa.Integer(), nullable=True),
        sa.Column("expected_fen", sa.Integer(), nullable=True),
        sa.Column("variance_fen", sa.Integer(), nullable=True),
        sa.Column("close_note", sa.String(length=200), nullable=True),
        sa.CheckConstraint("status IN ('open', 'closed')", name=op.f("ck_shifts_status")),
        sa.CheckConstraint("float_fen >= 0", name=op.f("ck_shifts_float")),
        sa.ForeignKeyConstraint(
            ["closed_by"], ["users.id"], name=op.f("fk_shifts_closed_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["device_id"], ["device.id"], name=op.f("fk_shifts_device_id_device")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_shifts_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shifts")),
    )
    with op.batch_alter_table("shifts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_shifts_business_day"), ["business_day"], unique=False)
        batch_op.create_index(
            "uq_shifts_one_open",
            ["device_id"],
            unique=True,
            sqlite_where=sa.text("status = 'open'"),
        )

    op.create_table(
        "stock_moves",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("product_id", sa.String(length=36), nullable=False),
        sa.Column("qty_delta", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("ref_id", sa.String(length=36), nullable=True),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "reason IN ('initial', 'sale', 'refund', 'adjust', 'receive', 'count')",
            name=op.f("ck_stock_moves_reason"),
        ),
        sa.CheckConstraint("qty_delta <> 0", name=op.f("ck_stock_moves_nonzero")),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_stock_moves_product_id_products")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_stock_moves_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_moves")),
    )
    with op.batch_alter_table("stock_moves", schema=None) as batch_op:
        batch_op.create_index("ix_stock_moves_product_at", ["product_id", "at"], unique=False)
        batch_op.create_index("ix_stock_moves_ref", ["ref_id"], unique=False)

    op.create_table(
        "cash_movements",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("shift_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=4), nullable=False),
        sa.Column("amount_fen", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('in', 'out')", name=op.f("ck_cash_movements_kind")),
        sa.CheckConstraint("amount_fen > 0", name=op.f("ck_cash_movements_amount")),
        sa.ForeignKeyConstraint(
            ["shift_id"], ["shifts.id"], name=op.f("fk_cash_movements_shift_id_shifts")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_cash_movements_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cash_movements")),
    )
    with op.batch_alter_table("cash_movements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cash_movements_shift_id"), ["shift_id"], unique=False)

    op.create_table(
        "sales",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("number", sa.String(length=24), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("business_day", sa.Date(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("shift_id", sa.String(length=36), nullable=False),
        sa.Column("cashier_id", sa.String(length=36), nullable=False),
        sa.Column("list_total_fen", sa.Integer(), nullable=False),
        sa.Column("total_fen", sa.Integer(), nullable=False),
        sa.Column("completed_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("total_fen >= 0", name=op.f("ck_sales_total")),
        sa.ForeignKeyConstraint(
            ["cashier_id"], ["users.id"], name=op.f("fk_sales_cashier_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["device_id"], ["device.id"], name=op.f("fk_sales_device_id_device")
        ),
        sa.ForeignKeyConstraint(["shift_id"], ["shifts.id"], name=op.f("fk_sales_shift_id_shifts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales")),
        sa.UniqueConstraint("device_id", "business_day", "seq", name="uq_sales_device_day_seq"),
        sa.UniqueConstraint("number", "business_day", name="uq_sales_number_day"),
    )
    with op.batch_alter_table("sales", schema=None) as batch_op:
        batch_op.create_index("ix_sales_day", ["business_day"], unique=False)
        batch_op.create_index(batch_op.f("ix_sales_shift_id"), ["shift_id"], unique=False)

    op.create_table(
        "voids",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("business_day", sa.Date(), nullable=False),
        sa.Column("shift_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("lines_count", sa.Integer(), nullable=False),
        sa.Column("total_fen", sa.Integer(), nullable=False),
        sa.Column("lines_json", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["device_id"], ["device.id"], name=op.f("fk_voids_device_id_device")
        ),
        sa.ForeignKeyConstraint(["shift_id"], ["shifts.id"], name=op.f("fk_voids_shift_id_shifts")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_voids_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voids")),
    )
    with op.batch_alter_table("voids", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_voids_business_day"), ["business_day"], unique=False)
        batch_op.create_index(batch_op.f("ix_voids_shift_id"), ["shift_id"], unique=False)

    op.create_table(
        "payments",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("sale_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("amount_fen", sa.Integer(), nullable=False),
        sa.Column("tendered_fen", sa.Integer(), nullable=False),
        sa.Column("change_fen", sa.Integer(), nullable=False),
        sa.Column("refunded_fen", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=True),
        sa.Column("auth_code", sa.String(length=16), nullable=False),
        sa.Column("terminal_id", sa.String(length=16), nullable=False),
        sa.Column("trace", sa.String(length=16), nullable=False),
        sa.Column("receipt_no", sa.String(length=16), nullable=False),
        sa.Column("masked_pan", sa.String(length=24), nullable=False),
        sa.Column("card_name", sa.String(length=40), nullable=False),
        sa.CheckConstraint(
            "change_fen >= 0 AND (change_fen = 0 OR kind = 'cash')",
            name=op.f("ck_payments_change_cash"),
        ),
        sa.CheckConstraint("kind IN ('cash', 'card', 'wallet')", name=op.f("ck_payments_kind")),
        sa.CheckConstraint("amount_fen > 0", name=op.f("ck_payments_amount")),
        sa.CheckConstraint(
            "refunded_fen >= 0 AND refunded_fen <= amount_fen", name=op.f("ck_payments_refunded")
        ),
        sa.CheckConstraint(
            "tendered_fen = amount_fen + change_fen", name=op.f("ck_payments_change")
        ),
        sa.ForeignKeyConstraint(["sale_id"], ["sales.id"], name=op.f("fk_payments_sale_id_sales")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
    )
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payments_sale_id"), ["sale_id"], unique=False)

    op.create_table(
        "refunds",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("number", sa.String(length=24), nullable=False),
        sa.Column("sale_id", sa.String(length=36), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("business_day", sa.Date(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("shift_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("approved_by", sa.String(length=36), nullable=True),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("total_fen", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("total_fen > 0", name=op.f("ck_refunds_total")),
        sa.ForeignKeyConstraint(
            ["approved_by"], ["users.id"], name=op.f("fk_refunds_approved_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["device_id"], ["device.id"], name=op.f("fk_refunds_device_id_device")
        ),
        sa.ForeignKeyConstraint(["sale_id"], ["sales.id"], name=op.f("fk_refunds_sale_id_sales")),
        sa.ForeignKeyConstraint(
            ["shift_id"], ["shifts.id"], name=op.f("fk_refunds_shift_id_shifts")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_refunds_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refunds")),
        sa.UniqueConstraint("device_id", "business_day", "seq", name="uq_refunds_device_day_seq"),
        sa.UniqueConstraint("number", "business_day", name="uq_refunds_number_day"),
    )
    with op.batch_alter_table("refunds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_refunds_business_day"), ["business_day"], unique=False)
        batch_op.create_index(batch_op.f("ix_refunds_sale_id"), ["sale_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_refunds_shift_id"), ["shift_id"], unique=False)

    op.create_table(
        "sale_lines",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("sale_id", sa.String(length=36), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("barcode", sa.String(length=32), nullable=True),
        sa.Column("qty", sa.Integer(), nullable=False),
        sa.Column("list_price_fen", sa.Integer(), nullable=False),
        sa.Column("unit_price_fen", sa.Integer(), nullable=False),
        sa.Column("line_total_fen", sa.Integer(), nullable=False),
        sa.Column("override_reason", sa.String(length=200), nullable=True),
        sa.Column("override_by", sa.String(length=36), nullable=True),
        sa.Column("refunded_qty", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "line_total_fen = qty * unit_price_fen", name=op.f("ck_sale_lines_line_total")
        ),
        sa.CheckConstraint("qty > 0", name=op.f("ck_sale_lines_qty")),
        sa.CheckConstraint(
            "refunded_qty >= 0 AND refunded_qty <= qty", name=op.f("ck_sale_lines_refunded_qty")
        ),
        sa.ForeignKeyConstraint(
            ["override_by"], ["users.id"], name=op.f("fk_sale_lines_override_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_sale_lines_product_id_products")
        ),
        sa.ForeignKeyConstraint(
            ["sale_id"], ["sales.id"], name=op.f("fk_sale_lines_sale_id_sales")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sale_lines")),
        sa.UniqueConstraint("sale_id", "line_no", name="uq_sale_lines_sale_line_no"),
    )
    with op.batch_alter_table("sale_lines", schema=None) as batch_op:
        batch_op.create_index("ix_sale_lines_product", ["product_id"], unique=False)

    op.create_table(
        "refund_lines",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("refund_id", sa.String(length=36), nullable=False),
        sa.Column("sale_line_id", sa.String(length=36), nullable=False),
        sa.Column("qty", sa.Integer(), nullable=False),
        sa.Column("amount_fen", sa.Integer(), nullable=False),
        sa.CheckConstraint("qty > 0", name=op.f("ck_refund_lines_qty")),
        sa.ForeignKeyConstraint(
            ["refund_id"], ["refunds.id"], name=op.f("fk_refund_lines_refund_id_refunds")
        ),
        sa.ForeignKeyConstraint(
            ["sale_line_id"],
            ["sale_lines.id"],
            name=op.f("fk_refund_lines_sale_line_id_sale_lines"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refund_lines")),
    )
    with op.batch_alter_table("refund_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_refund_lines_refund_id"), ["refund_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_refund_lines_sale_line_id"), ["sale_line_id"], unique=False
        )

    op.create_table(
        "refund_payments",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("refund_id", sa.String(length=36), nullable=False),
        sa.Column("payment_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("amount_fen", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.CheckConstraint("amount_fen > 0", name=op.f("ck_refund_payments_amount")),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payments.id"], name=op.f("fk_refund_payments_payment_id_payments")
        ),
        sa.ForeignKeyConstraint(
            ["refund_id"], ["refunds.id"], name=op.f("fk_refund_payments_refund_id_refunds")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refund_payments")),
    )
    with op.batch_alter_table("refund_payments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_refund_payments_refund_id"), ["refund_id"], unique=False
        )

    # Full-text index over product names. Names are stored with CJK characters split by
    # spaces (products.search_text), so a phrase query finds any substring of any length.
    op.execute(
        "CREATE VIRTUAL TABLE products_fts USING fts5("
        "search_text, tokenize = 'unicode61 remove_diacritics 2')"
    )
    op.execute(
        "CREATE TRIGGER products_fts_ai AFTER INSERT ON products BEGIN "
        "INSERT INTO products_fts(rowid, search_text) VALUES (new.search_id, new.search_text); END"
    )
    op.execute(
        "CREATE TRIGGER products_fts_ad AFTER DELETE ON products BEGIN "
        "DELETE FROM products_fts WHERE rowid = old.search_id; END"
    )
    op.execute(
        "CREATE TRIGGER products_fts_au AFTER UPDATE OF search_text, search_id ON products BEGIN "
        "DELETE FROM products_fts WHERE rowid = old.search_id; "
        "INSERT INTO products_fts(rowid, search_text) VALUES (new.search_id, new.search_text); END"
    )
    # Substring search over pinyin initials and full pinyin ('kkl' in 'kkkl', 可口可乐): a
    # trigram index. Each value ends with '|' so that a two-letter query at the very end still
    # has a trigram; the fts5vocab table lists the indexed trigrams, which is how a two-letter
    # query finds the trigrams that begin with it.
    op.execute(
        "CREATE VIRTUAL TABLE products_keys_fts USING fts5(initials, pinyin, tokenize = 'trigram')"
    )
    op.execute(
        "CREATE VIRTUAL TABLE products_keys_fts_vocab USING fts5vocab(products_keys_fts, 'col')"
    )
    op.execute(
        "CREATE TRIGGER products_keys_fts_ai AFTER INSERT ON products BEGIN "
        "INSERT INTO products_keys_fts(rowid, initials, pinyin) "
        "VALUES (new.search_id, new.initials || '|', new.pinyin || '|'); END"
    )
    op.execute(
        "CREATE TRIGGER products_keys_fts_ad AFTER DELETE ON products BEGIN "
        "DELETE FROM products_keys_fts WHERE rowid = old.search_id; END"
    )
    op.execute(
        "CREATE TRIGGER products_keys_fts_au "
        "AFTER UPDATE OF initials, pinyin, search_id ON products BEGIN "
        "DELETE FROM products_keys_fts WHERE rowid = old.search_id; "
        "INSERT INTO products_keys_fts(rowid, initials, pinyin) "
        "VALUES (new.search_id, new.initials || '|', new.pinyin || '|'); END"
    )
    # The journal is append-only: a change or deletion must go around SQLite itself.
    op.execute(
        "CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal BEGIN "
        "SELECT RAISE(ABORT, 'the journal is append-only'); END"
    )
    op.execute(
        "CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal BEGIN "
        "SELECT RAISE(ABORT, 'the journal is append-only'); END"
    )


def downgrade() -> None:
    for trigger in (
        "journal_no_delete",
        "journal_no_update",
        "products_keys_fts_au",
        "products_keys_fts_ad",
        "products_keys_fts_ai",
        "products_fts_au",
        "products_fts_ad",
        "products_fts_ai",
    ):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS products_keys_fts_vocab")
    op.execute("DROP TABLE IF EXISTS products_keys_fts")
    op.execute("DROP TABLE IF EXISTS products_fts")
    with op.batch_alter_table("refund_payments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_refund_payments_refund_id"))

    op.drop_table("refund_payments")
    with op.batch_alter_table("refund_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_refund_lines_sale_line_id"))
        batch_op.drop_index(batch_op.f("ix_refund_lines_refund_id"))

    op.drop_table("refund_lines")
    with op.batch_alter_table("sale_lines", schema=None) as batch_op:
        batch_op.drop_index("ix_sale_lines_product")

    op.drop_table("sale_lines")
    with op.batch_alter_table("refunds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_refunds_shift_id"))
        batch_op.drop_index(batch_op.f("ix_refunds_sale_id"))
        batch_op.drop_index(batch_op.f("ix_refunds_business_day"))

    op.drop_table("refunds")
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payments_sale_id"))

    op.drop_table("payments")
    with op.batch_alter_table("voids", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_voids_shift_id"))
        batch_op.drop_index(batch_op.f("ix_voids_business_day"))

    op.drop_table("voids")
    with op.batch_alter_table("sales", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sales_shift_id"))
        batch_op.drop_index("ix_sales_day")

    op.drop_table("sales")
    with op.batch_alter_table("cash_movements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cash_movements_shift_id"))

    op.drop_table("cash_movements")
    with op.batch_alter_table("stock_moves", schema=None) as batch_op:
        batch_op.drop_index("ix_stock_moves_ref")
        batch_op.drop_index("ix_stock_moves_product_at")

    op.drop_table("stock_moves")
    with op.batch_alter_table("shifts", schema=None) as batch_op:
        batch_op.drop_index("uq_shifts_one_open", sqlite_where=sa.text("status = 'open'"))
        batch_op.drop_index(batch_op.f("ix_shifts_business_day"))

    op.drop_table("shifts")
    op.drop_table("day_closes")
    op.drop_table("counters")
    with op.batch_alter_table("barcodes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_barcodes_product_id"))

    op.drop_table("barcodes")
    op.drop_table("users")
    op.drop_table("settings")
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.drop_index("ix_products_search")
        batch_op.drop_index("ix_products_rank")
        batch_op.drop_index("ix_products_pinyin")
        batch_op.drop_index("ix_products_name")
        batch_op.drop_index("ix_products_initials")

    op.drop_table("products")
    with op.batch_alter_table("payment_attempts", schema=None) as batch_op:
        batch_op.drop_index("ix_payment_attempts_open")

    op.drop_table("payment_attempts")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_pending")

    op.drop_table("outbox")
    op.drop_table("journal")
    op.drop_table("device")
