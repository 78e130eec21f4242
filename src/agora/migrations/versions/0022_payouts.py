"""Merchant payouts and per-store commission: a withdrawal may belong to a store (its payout,
from the store's settled balance) and carries the bank's reason when refused; stores keep their
payout account; a store may have its own commission rate (basis points, NULL = the default).

Revision ID: 0022
Revises: 0021
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import agora.core.db

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("stores") as batch:
        batch.add_column(sa.Column("commission_bps", sa.BigInteger(), nullable=True))
    with op.batch_alter_table("payment_withdrawals") as batch:
        batch.add_column(sa.Column("store_id", sa.Uuid(), nullable=True))
        batch.add_column(sa.Column("failure_reason", sa.String(200), nullable=True))
        batch.create_foreign_key(
            op.f("fk_payment_withdrawals_store_id_stores"),
            "stores",
            ["store_id"],
            ["id"],
            ondelete="RESTRICT",
        )
        batch.create_index("ix_payment_withdrawals_store", ["store_id", "id"], unique=False)
    op.create_table(
        "store_payout_accounts",
        sa.Column("store_id", sa.Uuid(), nullable=False),
        sa.Column("holder_name", sa.String(80), nullable=False),
        sa.Column("bank_name", sa.String(80), nullable=False),
        sa.Column("account_number", sa.String(34), nullable=False),
        sa.Column("updated_at", agora.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["stores.id"],
            name=op.f("fk_store_payout_accounts_store_id_stores"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by"],
            ["users.id"],
            name=op.f("fk_store_payout_accounts_updated_by_users"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("store_id", name=op.f("pk_store_payout_accounts")),
    )


def downgrade() -> None:
    op.drop_table("store_payout_accounts")
    with op.batch_alter_table("payment_withdrawals") as batch:
        batch.drop_index("ix_payment_withdrawals_store")
        batch.drop_constraint(op.f("fk_payment_withdrawals_store_id_stores"), type_="foreignkey")
        batch.drop_column("failure_reason")
        batch.drop_column("store_id")
    with op.batch_alter_table("stores") as batch:
        batch.drop_column("commission_bps")
