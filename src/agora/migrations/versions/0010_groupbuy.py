"""Group deals and teams.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import agora.core.db

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "group_deals",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("store_id", sa.Uuid(), nullable=False),
        sa.Column("team_size", sa.BigInteger(), nullable=False),
        sa.Column("group_price", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("window_hours", sa.BigInteger(), nullable=False),
        sa.Column("user_limit", sa.BigInteger(), nullable=False),
        sa.Column("stock", sa.BigInteger(), nullable=False),
        sa.Column("sold", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", agora.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", agora.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "team_size >= 2 AND team_size <= 10", name=op.f("ck_group_deals_team_size_range")
        ),
        sa.CheckConstraint("group_price > 0", name=op.f("ck_group_deals_group_price_positive")),
        sa.CheckConstraint("window_hours >= 1", name=op.f("ck_group_deals_window_positive")),
        sa.CheckConstraint("user_limit >= 1", name=op.f("ck_group_deals_user_limit_positive")),
        sa.CheckConstraint(
            "sold >= 0 AND sold <= stock", name=op.f("ck_group_deals_sold_within_stock")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_group_deals_created_by_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_group_deals_product_id_products"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["stores.id"],
            name=op.f("fk_group_deals_store_id_stores"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_deals")),
    )
    op.create_index("ix_group_deals_store", "group_deals", ["store_id", "created_at"], unique=False)
    op.create_index(
        "uq_group_deals_active_product",
        "group_deals",
        ["product_id"],
        unique=True,
        sqlite_where=sa.text("status = 'active'"),
        postgresql_where=sa.text("status = 'active'"),
    )
    op.create_table(
        "group_deal_buyers",
        sa.Column("deal_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("units", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("units >= 0", name=op.f("ck_group_deal_buyers_units_not_negative")),
        sa.ForeignKeyConstraint(
            ["deal_id"],
            ["group_deals.id"],
            name=op.f("fk_group_deal_buyers_deal_id_group_deals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_group_deal_buyers_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("deal_id", "user_id", name=op.f("pk_group_deal_buyers")),
    )
    op.create_table(
        "group_teams",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("deal_id", sa.Uuid(), nullable=False),
        sa.Column("leader_id", sa.Uuid(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("joined", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("expires_at", agora.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_at", agora.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("completed_at", agora.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("failed_at", agora.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "joined >= 0 AND joined <= size", name=op.f("ck_group_teams_joined_within_size")
        ),
        sa.ForeignKeyConstraint(
            ["deal_id"],
            ["group_deals.id"],
            name=op.f("fk_group_teams_deal_id_group_deals"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["leader_id"],
            ["users.id"],
            name=op.f("fk_group_teams_leader_id_users"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_teams")),
    )
    op.create_index(
        "ix_group_teams_deal", "group_teams", ["deal_id", "status", "expires_at"], unique=False
    )
    op.create_table(
        "group_team_members",
        sa.Column("team_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=True),
        sa.Column("sku_id", sa.Uuid(), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("joined_at", agora.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("quantity >= 1", name=op.f("ck_group_team_members_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_group_team_members_order_id_orders"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["sku_id"],
            ["skus.id"],
            name=op.f("fk_group_team_members_sku_id_skus"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["group_teams.id"],
            name=op.f("fk_group_team_members_team_id_group_teams"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_group_team_members_user_id_users"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("team_id", "user_id", name=op.f("pk_group_team_members")),
    )
    op.create_index(
        "ix_group_team_members_user",
        "group_team_members",
        ["user_id", "joined_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_group_team_members_user", table_name="group_team_members")
    op.drop_table("group_team_members")
    op.drop_index("ix_group_teams_deal", table_name="group_teams")
    op.drop_table("group_teams")
    op.drop_table("group_deal_buyers")
    op.drop_index("uq_group_deals_active_product", table_name="group_deals")
    op.drop_index("ix_group_deals_store", table_name="group_deals")
    op.drop_table("group_deals")
