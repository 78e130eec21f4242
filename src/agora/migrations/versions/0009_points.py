"""Points: lots of active points, each order's points, and redemptions waiting for a bank.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import agora.core.db

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "points_lots",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("remaining", sa.BigInteger(), nullable=False),
        sa.Column("expired", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", agora.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_at", agora.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_points_lots_amount_positive")),
        sa.CheckConstraint(
            "remaining >= 0 AND expired >= 0 AND remaining + expired <= amount",
            name=op.f("ck_points_lots_within_amount"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_points_lots_user_id_users"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_points_lots")),
        sa.UniqueConstraint("key", name=op.f("uq_points_lots_key")),
    )
    op.create_index(
        "ix_points_lots_usable",
        "points_lots",
        ["user_id", "expires_at"],
        unique=False,
        sqlite_where=sa.text("remaining > 0"),
        postgresql_where=sa.text("remaining > 0"),
    )
    op.create_index(
        "ix_points_lots_due",
        "points_lots",
        ["expires_at"],
        unique=False,
        sqlite_where=sa.text("remaining > 0"),
        postgresql_where=sa.text("remaining > 0"),
    )
    op.create_index("ix_points_lots_user", "points_lots", ["user_id", "created_at"], unique=False)
    op.create_table(
        "points_orders",
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("money_paid", sa.BigInteger(), nullable=False),
        sa.Column("money_refunded", sa.BigInteger(), nullable=False),
        sa.Column("earned", sa.BigInteger(), nullable=False),
        sa.Column("reversed", sa.BigInteger(), nullable=False),
        sa.Column("redeemed", sa.BigInteger(), nullable=False),
        sa.Column("restored", sa.BigInteger(), nullable=False),
        sa.Column("discount", sa.BigInteger(), nullable=False),
        sa.Column("discount_refunded", sa.BigInteger(), nullable=False),
        sa.Column("created_at", agora.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("activated_at", agora.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "earned >= 0 AND reversed >= 0 AND reversed <= earned",
            name=op.f("ck_points_orders_reversed_within"),
        ),
        sa.CheckConstraint(
            "money_refunded >= 0 AND money_refunded <= money_paid",
            name=op.f("ck_points_orders_money_within"),
        ),
        sa.CheckConstraint(
            "redeemed >= 0 AND restored >= 0 AND restored <= redeemed",
            name=op.f("ck_points_orders_restored_within"),
        ),
        sa.CheckConstraint(
            "discount >= 0 AND discount_refunded >= 0 AND discount_refunded <= discount",
            name=op.f("ck_points_orders_discount_within"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_points_orders_user_id_users"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("order_id", name=op.f("pk_points_orders")),
    )
    op.create_index(
        "ix_points_orders_user", "points_orders", ["user_id", "created_at"], unique=False
    )
    op.create_table(
        "points_plans",
        sa.Column("payment_ref", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("discount", sa.BigInteger(), nullable=False),
        sa.Column("created_at", agora.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("discount > 0", name=op.f("ck_points_plans_discount_positive")),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_points_plans_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("payment_ref", "order_id", name=op.f("pk_points_plans")),
    )


def downgrade() -> None:
    op.drop_table("points_plans")
    op.drop_index("ix_points_orders_user", table_name="points_orders")
    op.drop_table("points_orders")
    op.drop_index("ix_points_lots_user", table_name="points_lots")
    op.drop_index("ix_points_lots_due", table_name="points_lots")
    op.drop_index("ix_points_lots_usable", table_name="points_lots")
    op.drop_table("points_lots")
