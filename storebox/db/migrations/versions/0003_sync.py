"""sync with the hub

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25

The shop's side of the sync protocol (sync/agent.py through storebox.syncstate): the device's
enrolment with its hub (one row, with the device token), the agent's state for the status bar
(one row), a cursor per pull stream, and the pulled copies the hub owns: the mall catalogue,
the billers and the hub's config entries.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hub_enrolment",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("hub_url", sa.String(length=200), nullable=False),
        sa.Column("store_id", sa.String(length=64), nullable=False),
        sa.Column("store_name", sa.String(length=200), nullable=False),
        sa.Column("device_id", sa.String(length=64), nullable=False),
        sa.Column("device_name", sa.String(length=80), nullable=False),
        sa.Column("token", sa.String(length=200), nullable=False),
        sa.Column("enrolled_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_hub_enrolment_one_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hub_enrolment")),
    )
    op.create_table(
        "sync_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("online", sa.Boolean(), nullable=False),
        sa.Column("last_attempt_at", sa.DateTime(), nullable=True),
        sa.Column("last_success_at", sa.DateTime(), nullable=True),
        sa.Column("pending_events", sa.Integer(), nullable=False),
        sa.Column("dead_letters", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_sync_state_one_row")),
        sa.CheckConstraint(
            "pending_events >= 0 AND dead_letters >= 0", name=op.f("ck_sync_state_counts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_state")),
    )
    op.create_table(
        "sync_streams",
        sa.Column("stream", sa.String(length=40), nullable=False),
        sa.Column("cursor", sa.Text(), nullable=True),
        sa.Column("last_pulled_at", sa.DateTime(), nullable=True),
        sa.Column("resyncs", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("stream", name=op.f("pk_sync_streams")),
    )
    op.create_table(
        "mall_items",
        sa.Column("sku", sa.String(length=40), nullable=False),
        sa.Column("barcode", sa.String(length=32), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("spec", sa.String(length=80), nullable=False),
        sa.Column("unit", sa.String(length=10), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("case_qty", sa.Integer(), nullable=False),
        sa.Column("wholesale_price_fen", sa.Integer(), nullable=False),
        sa.Column("retail_price_fen", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.CheckConstraint("case_qty >= 1", name=op.f("ck_mall_items_case_qty")),
        sa.CheckConstraint(
            "wholesale_price_fen >= 0 AND retail_price_fen >= 0", name=op.f("ck_mall_items_prices")
        ),
        sa.PrimaryKeyConstraint("sku", name=op.f("pk_mall_items")),
    )
    with op.batch_alter_table("mall_items", schema=None) as batch_op:
        batch_op.create_index("ix_mall_items_barcode", ["barcode"], unique=False)
    op.create_table(
        "billers",
        sa.Column("biller_id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("rules_json", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('electricity', 'water', 'gas', 'mobile', 'credit_card')",
            name=op.f("ck_billers_kind"),
        ),
        sa.PrimaryKeyConstraint("biller_id", name=op.f("pk_billers")),
    )
    op.create_table(
        "hub_config",
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("value_json", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_hub_config")),
    )


def downgrade() -> None:
    op.drop_table("hub_config")
    op.drop_table("billers")
    with op.batch_alter_table("mall_items", schema=None) as batch_op:
        batch_op.drop_index("ix_mall_items_barcode")
    op.drop_table("mall_items")
    op.drop_table("sync_streams")
    op.drop_table("sync_state")
    op.drop_table("hub_enrolment")
