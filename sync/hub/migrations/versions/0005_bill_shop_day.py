"""bill payments on the shop's business day

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26

A bill payment's `business_day` becomes the shop's business day when the shop sends it (its
cut-off runs past midnight, so a payment at 01:30 is the day before's): the statement and the
report then agree with the shop's Z report, as they do for sales. The China calendar day stays
in the new `china_day`, the day of an account's per-day limit (the biller's, across all shops).
Existing rows get china_day = business_day, which is what business_day meant until now.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("bill_payments") as batch_op:
        batch_op.add_column(sa.Column("china_day", sa.Date(), nullable=True))
    op.execute("UPDATE bill_payments SET china_day = business_day")


def downgrade() -> None:
    with op.batch_alter_table("bill_payments") as batch_op:
        batch_op.drop_column("china_day")
