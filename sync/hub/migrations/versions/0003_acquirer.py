"""acquirer

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26

The simulated acquirer (issue 6): its orders (micropays, refunds, dynamic QR orders), UNIQUE by
(store, the shop's idempotency key), and each store's script of micropay behaviours.
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
        "acquirer_orders",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("store_id", sa.String(length=36), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("acquirer_reference", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("final_status", sa.String(length=12), nullable=True),
        sa.Column("paying_until", sa.DateTime(), nullable=True),
        sa.Column("wallet", sa.String(length=10), nullable=True),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("refunded_fen", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("fee_fen", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("original_reference", sa.String(length=64), nullable=True),
        sa.Column("sale_reference", sa.String(length=64), server_default="", nullable=False),
        sa.Column("description", sa.String(length=128), server_default="", nullable=False),
        sa.Column("message", sa.String(length=200), server_default="", nullable=False),
        sa.Column("qr_payload", sa.Text(), nullable=True),
        sa.Column("expires_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("final_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_acquirer_orders_store_id_stores")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_acquirer_orders")),
        sa.UniqueConstraint(
            "acquirer_reference", name=op.f("uq_acquirer_orders_acquirer_reference")
        ),
        sa.UniqueConstraint("store_id", "reference", name="uq_acquirer_orders_store_reference"),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_acquirer_orders_store_created", "acquirer_orders", ["store_id", "created_at"]
    )
    op.create_table(
        "acquirer_scripts",
        sa.Column("store_id", sa.String(length=36), nullable=False),
        sa.Column("steps", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_acquirer_scripts_store_id_stores")
        ),
        sa.PrimaryKeyConstraint("store_id", name=op.f("pk_acquirer_scripts")),
    )


def downgrade() -> None:
    op.drop_table("acquirer_scripts")
    op.drop_index("ix_acquirer_orders_store_created", table_name="acquirer_orders")
    op.drop_table("acquirer_orders")
