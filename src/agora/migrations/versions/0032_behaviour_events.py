"""Behaviour events: what each consenting shopper viewed, searched, carted, bought, shared, liked
or dismissed, for the shopper profile and the recommenders.

Revision ID: 0032
Revises: 0031
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from agora.core.db import UTCDateTime

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "behaviour_events",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column(
            "user_id", sa.Uuid(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column(
            "product_id", sa.Uuid(), sa.ForeignKey("products.id", ondelete="CASCADE"), nullable=True
        ),
        sa.Column("query", sa.String(200), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=True),
        sa.Column("occurred_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_behaviour_events_user", "behaviour_events", ["user_id", "occurred_at"])
    op.create_index("ix_behaviour_events_product", "behaviour_events", ["product_id"])
    op.create_index("ix_behaviour_events_occurred", "behaviour_events", ["occurred_at"])


def downgrade() -> None:
    op.drop_index("ix_behaviour_events_occurred", table_name="behaviour_events")
    op.drop_index("ix_behaviour_events_product", table_name="behaviour_events")
    op.drop_index("ix_behaviour_events_user", table_name="behaviour_events")
    op.drop_table("behaviour_events")
