"""Stores carry an origin region and a shipping promise; products a shipping weight.

Revision ID: 0020
Revises: 0019
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("stores") as batch:
        batch.add_column(
            sa.Column("origin_region", sa.String(40), nullable=False, server_default="Shanghai")
        )
        batch.add_column(
            sa.Column("ship_within_hours", sa.BigInteger(), nullable=False, server_default="48")
        )
    with op.batch_alter_table("products") as batch:
        batch.add_column(
            sa.Column("weight_grams", sa.BigInteger(), nullable=False, server_default="500")
        )


def downgrade() -> None:
    with op.batch_alter_table("products") as batch:
        batch.drop_column("weight_grams")
    with op.batch_alter_table("stores") as batch:
        batch.drop_column("ship_within_hours")
        batch.drop_column("origin_region")
