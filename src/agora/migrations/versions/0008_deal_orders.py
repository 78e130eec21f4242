"""Orders of deals: a group team's or a bargain's order, and the hold on a forming team.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.add_column(sa.Column("deal_kind", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("deal_id", sa.Uuid(), nullable=True))
        batch.add_column(sa.Column("held", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.drop_column("held")
        batch.drop_column("deal_id")
        batch.drop_column("deal_kind")
