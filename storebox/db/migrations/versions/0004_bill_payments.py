"""bill payments

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26

Convenience payments (便民支付, storebox.billpay): the payments the shop took money for as the
billers' agent (their id is the hub's idempotency key; a looked-up bill is paid once, by a
partial unique index), the refund tasks a failed payment raises (one per payment), and the
copy of the per-store `bill_results` stream.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bill_results",
        sa.Column("payment_id", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("result_json", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'success', 'failed')", name=op.f("ck_bill_results_status")
        ),
        sa.PrimaryKeyConstraint("payment_id", name=op.f("pk_bill_results")),
    )
    op.create_table(
        "bill_payments",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("number", sa.String(length=24), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("business_day", sa.Date(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("shift_id", sa.String(length=36), nullable=False),
        sa.Column("cashier_id", sa.String(length=36), nullable=False),
        sa.Column("biller_id", sa.String(length=40), nullable=False),
        sa.Column("biller_kind", sa.String(length=16), nullable=False),
        sa.Column("biller_name", sa.String(length=200), nullable=False),
        sa.Column("account", sa.String(length=32), nullable=False),
        sa.Column("account_masked", sa.String(length=32), nullable=False),
        sa.Column("holder_masked", sa.String(length=40), nullable=False),
        sa.Column("period", sa.String(length=40), nullable=False),
        sa.Column("query_no", sa.String(length=64), nullable=False),
        sa.Column("amount_fen", sa.Integer(), nullable=False),
        sa.Column("commission_fen", sa.Integer(), nullable=False),
        sa.Column("tender", sa.String(length=8), nullable=False),
        sa.Column("tendered_fen", sa.Integer(), nullable=False),
        sa.Column("change_fen", sa.Integer(), nullable=False),
        sa.Column("card_reference", sa.String(length=64), nullable=True),
        sa.Column("auth_code", sa.String(length=16), nullable=False),
        sa.Column("terminal_id", sa.String(length=16), nullable=False),
        sa.Column("trace", sa.String(length=16), nullable=False),
        sa.Column("receipt_no", sa.String(length=16), nullable=False),
        sa.Column("masked_pan", sa.String(length=24), nullable=False),
        sa.Column("card_name", sa.String(length=40), nullable=False),
        sa.Column("accepted_offline", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("biller_reference", sa.String(length=64), nullable=False),
        sa.Column("reason_code", sa.String(length=40), nullable=False),
        sa.Column("message", sa.String(length=200), nullable=False),
        sa.Column("accepted_at", sa.DateTime(), nullable=False),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.Column("final_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "(status = 'pending') = (final_at IS NULL)", name=op.f("ck_bill_payments_final")
        ),
        sa.CheckConstraint(
            "change_fen >= 0 AND (change_fen = 0 OR tender = 'cash')",
            name=op.f("ck_bill_payments_change_cash"),
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'success', 'failed')", name=op.f("ck_bill_payments_status")
        ),
        sa.CheckConstraint("tender IN ('cash', 'card')", name=op.f("ck_bill_payments_tender")),
        sa.CheckConstraint("amount_fen > 0", name=op.f("ck_bill_payments_amount")),
        sa.CheckConstraint("commission_fen >= 0", name=op.f("ck_bill_payments_commission")),
        sa.CheckConstraint(
            "tendered_fen = amount_fen + change_fen", name=op.f("ck_bill_payments_change")
        ),
        sa.ForeignKeyConstraint(
            ["cashier_id"], ["users.id"], name=op.f("fk_bill_payments_cashier_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["device_id"], ["device.id"], name=op.f("fk_bill_payments_device_id_device")
        ),
        sa.ForeignKeyConstraint(
            ["shift_id"], ["shifts.id"], name=op.f("fk_bill_payments_shift_id_shifts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bill_payments")),
        sa.UniqueConstraint("card_reference", name=op.f("uq_bill_payments_card_reference")),
        sa.UniqueConstraint(
            "device_id", "business_day", "seq", name="uq_bill_payments_device_day_seq"
        ),
        sa.UniqueConstraint("number", "business_day", name="uq_bill_payments_number_day"),
    )
    with op.batch_alter_table("bill_payments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_bill_payments_account", ["biller_id", "account", "accepted_at"], unique=False
        )
        batch_op.create_index("ix_bill_payments_day", ["business_day"], unique=False)
        batch_op.create_index(batch_op.f("ix_bill_payments_shift_id"), ["shift_id"], unique=False)
        batch_op.create_index("ix_bill_payments_status", ["status"], unique=False)
        batch_op.create_index(
            "uq_bill_payments_one_bill",
            ["biller_id", "query_no"],
            unique=True,
            sqlite_where=sa.text("query_no <> '' AND status <> 'failed'"),
        )

    op.create_table(
        "bill_refunds",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("payment_id", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("amount_fen", sa.Integer(), nullable=False),
        sa.Column("tender", sa.String(length=8), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("raised_at", sa.DateTime(), nullable=False),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.Column("shift_id", sa.String(length=36), nullable=True),
        sa.Column("business_day", sa.Date(), nullable=True),
        sa.Column("user_id", sa.String(length=36), nullable=True),
        sa.Column("reference", sa.String(length=64), nullable=True),
        sa.Column("receipt_no", sa.String(length=16), nullable=False),
        sa.Column("masked_pan", sa.String(length=24), nullable=False),
        sa.CheckConstraint(
            "(status = 'open') = (done_at IS NULL)", name=op.f("ck_bill_refunds_done")
        ),
        sa.CheckConstraint("status IN ('open', 'done')", name=op.f("ck_bill_refunds_status")),
        sa.CheckConstraint("tender IN ('cash', 'card')", name=op.f("ck_bill_refunds_tender")),
        sa.CheckConstraint("amount_fen > 0", name=op.f("ck_bill_refunds_amount")),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["bill_payments.id"],
            name=op.f("fk_bill_refunds_payment_id_bill_payments"),
        ),
        sa.ForeignKeyConstraint(
            ["shift_id"], ["shifts.id"], name=op.f("fk_bill_refunds_shift_id_shifts")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_bill_refunds_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bill_refunds")),
        sa.UniqueConstraint("payment_id", name=op.f("uq_bill_refunds_payment_id")),
        sa.UniqueConstraint("reference", name=op.f("uq_bill_refunds_reference")),
    )
    with op.batch_alter_table("bill_refunds", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_bill_refunds_business_day"), ["business_day"], unique=False
        )
        batch_op.create_index("ix_bill_refunds_open", ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_bill_refunds_shift_id"), ["shift_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("bill_refunds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bill_refunds_shift_id"))
        batch_op.drop_index("ix_bill_refunds_open")
        batch_op.drop_index(batch_op.f("ix_bill_refunds_business_day"))

    op.drop_table("bill_refunds")
    with op.batch_alter_table("bill_payments", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_bill_payments_one_bill",
            sqlite_where=sa.text("query_no <> '' AND status <> 'failed'"),
        )
        batch_op.drop_index("ix_bill_payments_status")
        batch_op.drop_index(batch_op.f("ix_bill_payments_shift_id"))
        batch_op.drop_index("ix_bill_payments_day")
        batch_op.drop_index("ix_bill_payments_account")

    op.drop_table("bill_payments")
    op.drop_table("bill_results")
