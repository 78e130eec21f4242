"""store_reputation counts counterfeit complaints: those decided in the window, and upheld.

Revision ID: 0026
Revises: 0025
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("store_reputation") as batch:
        batch.add_column(
            sa.Column("counterfeit_complaints", sa.BigInteger(), nullable=False, server_default="0")
        )
        batch.add_column(
            sa.Column("counterfeit_upheld", sa.BigInteger(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("store_reputation") as batch:
        batch.drop_column("counterfeit_upheld")
        batch.drop_column("counterfeit_complaints")
