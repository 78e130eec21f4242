"""treasure: holdings, pending deposits, daily rates, incomes, the redemption counter.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import agora.core.db

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "treasure_holdings",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("confirmed", sa.BigInteger(), nullable=False),
        sa.Column("income_total", sa.BigInteger(), nullable=False),
        sa.Column("yesterday_income", sa.BigInteger(), nullable=False),
        sa.Column("last_income_day", sa.Date(), nullable=True),
        sa.Column("updated_at", agora.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "confirmed >= 0", name=op.f("ck_treasure_holdings_confirmed_not_negative")
        ),
        sa.CheckConstraint(
            "income_total >= 0", name=op.f("ck_treasure_holdings_income_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_treasure_holdings_user_id_users"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_treasure_holdings")),
    )
    op.create_table(
        "treasure_deposits",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=250), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("remaining", sa.BigInteger(), nullable=False),
        sa.Column("confirm_on", sa.Date(), nullable=False),
        sa.Column("created_at", agora.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_treasure_deposits_amount_positive")),
        sa.CheckConstraint(
            "remaining >= 0 AND remaining <= amount",
            name=op.f("ck_treasure_deposits_remaining_within"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_treasure_deposits_user_id_users"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_treasure_deposits")),
        sa.UniqueConstraint("key", name=op.f("uq_treasure_deposits_key")),
    )
    op.create_index(
        "ix_treasure_deposits_pending",
        "treasure_deposits",
        ["user_id", "created_at"],
        unique=False,
        sqlite_where=sa.text("remaining > 0"),
        postgresql_where=sa.text("remaining > 0"),
    )
    op.create_index(
        "ix_treasure_deposits_due",
        "treasure_deposits",
        ["confirm_on"],
        unique=False,
        sqlite_where=sa.text("remaining > 0"),
        postgresql_where=sa.text("remaining > 0"),
    )
    op.create_table(
        "treasure_rates",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("per_10k", sa.BigInteger(), nullable=False),
        sa.Column("published_by", sa.Uuid(), nullable=False),
        sa.Column("published_at", agora.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("accrued_at", agora.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("declared", sa.BigInteger(), nullable=False),
        sa.Column("paid", sa.BigInteger(), nullable=False),
        sa.Column("residue", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("per_10k >= 0", name=op.f("ck_treasure_rates_per_10k_not_negative")),
        sa.CheckConstraint(
            "declared >= 0 AND paid >= 0 AND residue >= 0 AND declared = paid + residue",
            name=op.f("ck_treasure_rates_declared_split"),
        ),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_treasure_rates")),
    )
    op.create_table(
        "treasure_incomes",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_treasure_incomes_amount_positive")),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_treasure_incomes_user_id_users"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("user_id", "day", name=op.f("pk_treasure_incomes")),
    )
    op.create_table(
        "treasure_redemption_days",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "amount >= 0", name=op.f("ck_treasure_redemption_days_amount_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_treasure_redemption_days_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "day", name=op.f("pk_treasure_redemption_days")),
    )


def downgrade() -> None:
    op.drop_table("treasure_redemption_days")
    op.drop_table("treasure_incomes")
    op.drop_table("treasure_rates")
    op.drop_index("ix_treasure_deposits_due", table_name="treasure_deposits")
    op.drop_index("ix_treasure_deposits_pending", table_name="treasure_deposits")
    op.drop_table("treasure_deposits")
    op.drop_table("treasure_holdings")
