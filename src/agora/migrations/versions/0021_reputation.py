"""store reputation: one row per store with its figures and the counts behind them.

Revision ID: 0021
Revises: 0020
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import agora.core.db

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "store_reputation",
        sa.Column("store_id", sa.Uuid(), nullable=False),
        sa.Column("window_days", sa.BigInteger(), nullable=False),
        sa.Column("reviews", sa.BigInteger(), nullable=False),
        sa.Column("stars_total", sa.BigInteger(), nullable=False),
        sa.Column("rating_hundredths", sa.BigInteger(), nullable=True),
        sa.Column("judged_orders", sa.BigInteger(), nullable=False),
        sa.Column("on_time_orders", sa.BigInteger(), nullable=False),
        sa.Column("on_time_bp", sa.BigInteger(), nullable=True),
        sa.Column("delivered_orders", sa.BigInteger(), nullable=False),
        sa.Column("returned_orders", sa.BigInteger(), nullable=False),
        sa.Column("return_bp", sa.BigInteger(), nullable=True),
        sa.Column("computed_at", agora.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["stores.id"],
            name=op.f("fk_store_reputation_store_id_stores"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("store_id", name=op.f("pk_store_reputation")),
    )


def downgrade() -> None:
    op.drop_table("store_reputation")
