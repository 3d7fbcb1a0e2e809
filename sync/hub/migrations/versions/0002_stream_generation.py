"""stream generation

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25

A pruned stream counts its prunes: a cursor handed out after the last prune is good wherever it
stands, one handed out before it is expired only below the horizon (see sync/hub/streams.py).
Existing horizons start at generation 0, so every cursor already handed out stays as it was.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("stream_horizons", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("generation", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("stream_horizons", schema=None) as batch_op:
        batch_op.drop_column("generation")
