"""billers

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26

The simulated billers (issue 7): bill payments as the hub now keeps them (UNIQUE by store and
the shop's payment id, with their status, result and refund), bill lookups by query number, the
bills in flight (the primary key refuses a second concurrent payment of one bill), the per-day
totals per account, and each store's scripted results.

Pull streams become scoped: `stream_changes.store_id` ("" for the mall-wide streams, a store's
id for a per-store stream such as bill_results), UNIQUE per (stream, store_id, key), ordered
per (stream, store_id, txid, seq). Existing rows get "": every stream so far was mall-wide, and
their cursors stay valid (same seq, same txid).

The old `bill_payments` table is dropped and made again: it held the provisional
`bill_payment.completed` projection, which no shop release ever sent (the events themselves,
if any, stay in `events` with their payloads).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_stream_changes_order", table_name="stream_changes")
    with op.batch_alter_table(
        "stream_changes", table_kwargs={"sqlite_autoincrement": True}
    ) as batch_op:
        batch_op.add_column(
            sa.Column("store_id", sa.String(length=36), server_default="", nullable=False)
        )
        batch_op.drop_constraint("uq_stream_changes_stream_key", type_="unique")
        batch_op.create_unique_constraint(
            "uq_stream_changes_stream_store_key", ["stream", "store_id", "key"]
        )
    op.create_index(
        "ix_stream_changes_order", "stream_changes", ["stream", "store_id", "txid", "seq"]
    )

    op.drop_table("bill_payments")
    op.create_table(
        "bill_payments",
        sa.Column("store_id", sa.String(length=36), nullable=False),
        sa.Column("payment_id", sa.String(length=36), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("biller_id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("account", sa.String(length=40), nullable=False),
        sa.Column("account_masked", sa.String(length=40), nullable=False),
        sa.Column("bill_key", sa.String(length=120), nullable=True),
        sa.Column("query_no", sa.String(length=64), server_default="", nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("tender", sa.String(length=10), nullable=False),
        sa.Column("accepted_offline", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("business_day", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("final_status", sa.String(length=10), nullable=True),
        sa.Column("due_at", sa.DateTime(), nullable=True),
        sa.Column("reason_code", sa.String(length=40), server_default="", nullable=False),
        sa.Column("message", sa.String(length=300), server_default="", nullable=False),
        sa.Column("biller_reference", sa.String(length=32), nullable=False),
        sa.Column("commission_fen", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("counted_fen", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("accepted_at", sa.DateTime(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("final_at", sa.DateTime(), nullable=True),
        sa.Column("refunded", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("refund_json", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_bill_payments_store_id_stores")
        ),
        sa.PrimaryKeyConstraint("store_id", "payment_id", name=op.f("pk_bill_payments")),
        sa.UniqueConstraint("biller_reference", name=op.f("uq_bill_payments_biller_reference")),
    )
    op.create_index("ix_bill_payments_store_day", "bill_payments", ["store_id", "business_day"])
    op.create_index("ix_bill_payments_status_due", "bill_payments", ["status", "due_at"])
    op.create_index("ix_bill_payments_bill", "bill_payments", ["bill_key"])
    op.create_table(
        "bill_queries",
        sa.Column("query_no", sa.String(length=64), nullable=False),
        sa.Column("store_id", sa.String(length=36), nullable=False),
        sa.Column("biller_id", sa.String(length=40), nullable=False),
        sa.Column("account", sa.String(length=40), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("amount_due_fen", sa.BigInteger(), nullable=False),
        sa.Column("penalty_fen", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_bill_queries_store_id_stores")
        ),
        sa.PrimaryKeyConstraint("query_no", name=op.f("pk_bill_queries")),
    )
    op.create_table(
        "bills_in_flight",
        sa.Column("bill_key", sa.String(length=120), nullable=False),
        sa.Column("store_id", sa.String(length=36), nullable=False),
        sa.Column("payment_id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("bill_key", name=op.f("pk_bills_in_flight")),
    )
    op.create_table(
        "bill_day_totals",
        sa.Column("biller_id", sa.String(length=40), nullable=False),
        sa.Column("account", sa.String(length=40), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("total_fen", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("biller_id", "account", "day", name=op.f("pk_bill_day_totals")),
    )
    op.create_table(
        "bill_scripts",
        sa.Column("store_id", sa.String(length=36), nullable=False),
        sa.Column("biller_id", sa.String(length=40), nullable=False),
        sa.Column("steps", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_bill_scripts_store_id_stores")
        ),
        sa.PrimaryKeyConstraint("store_id", "biller_id", name=op.f("pk_bill_scripts")),
    )


def downgrade() -> None:
    op.drop_table("bill_scripts")
    op.drop_table("bill_day_totals")
    op.drop_table("bills_in_flight")
    op.drop_table("bill_queries")
    op.drop_index("ix_bill_payments_bill", table_name="bill_payments")
    op.drop_index("ix_bill_payments_status_due", table_name="bill_payments")
    op.drop_index("ix_bill_payments_store_day", table_name="bill_payments")
    op.drop_table("bill_payments")
    op.create_table(
        "bill_payments",
        sa.Column("store_id", sa.String(length=36), nullable=False),
        sa.Column("payment_id", sa.String(length=36), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("biller_id", sa.String(length=40), nullable=False),
        sa.Column("business_day", sa.Date(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_bill_payments_store_id_stores")
        ),
        sa.PrimaryKeyConstraint("store_id", "payment_id", name=op.f("pk_bill_payments")),
    )
    op.drop_index("ix_stream_changes_order", table_name="stream_changes")
    op.execute("DELETE FROM stream_changes WHERE store_id <> ''")
    with op.batch_alter_table(
        "stream_changes", table_kwargs={"sqlite_autoincrement": True}
    ) as batch_op:
        batch_op.drop_constraint("uq_stream_changes_stream_store_key", type_="unique")
        batch_op.create_unique_constraint("uq_stream_changes_stream_key", ["stream", "key"])
        batch_op.drop_column("store_id")
    op.create_index("ix_stream_changes_order", "stream_changes", ["stream", "txid", "seq"])
