"""Bargains.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import agora.core.db

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bargain_offers",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("sku_id", sa.Uuid(), nullable=False),
        sa.Column("store_id", sa.Uuid(), nullable=False),
        sa.Column("start_price", sa.BigInteger(), nullable=False),
        sa.Column("floor_price", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("helpers_needed", sa.BigInteger(), nullable=False),
        sa.Column("window_hours", sa.BigInteger(), nullable=False),
        sa.Column("allotment", sa.BigInteger(), nullable=False),
        sa.Column("sold", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", agora.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", agora.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("floor_price > 0", name=op.f("ck_bargain_offers_floor_positive")),
        sa.CheckConstraint(
            "start_price > floor_price", name=op.f("ck_bargain_offers_start_above_floor")
        ),
        sa.CheckConstraint(
            "helpers_needed >= 1 AND helpers_needed <= 100",
            name=op.f("ck_bargain_offers_helpers_range"),
        ),
        sa.CheckConstraint(
            "start_price - floor_price >= helpers_needed",
            name=op.f("ck_bargain_offers_cut_per_helper"),
        ),
        sa.CheckConstraint("window_hours >= 1", name=op.f("ck_bargain_offers_window_positive")),
        sa.CheckConstraint(
            "sold >= 0 AND sold <= allotment", name=op.f("ck_bargain_offers_sold_within_allotment")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_bargain_offers_created_by_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_bargain_offers_product_id_products"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["sku_id"],
            ["skus.id"],
            name=op.f("fk_bargain_offers_sku_id_skus"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["stores.id"],
            name=op.f("fk_bargain_offers_store_id_stores"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bargain_offers")),
    )
    op.create_index(
        "ix_bargain_offers_store", "bargain_offers", ["store_id", "created_at"], unique=False
    )
    op.create_index(
        "uq_bargain_offers_active_product",
        "bargain_offers",
        ["product_id"],
        unique=True,
        sqlite_where=sa.text("status = 'active'"),
        postgresql_where=sa.text("status = 'active'"),
    )
    op.create_table(
        "bargains",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("offer_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("start_price", sa.BigInteger(), nullable=False),
        sa.Column("floor_price", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("helpers_needed", sa.BigInteger(), nullable=False),
        sa.Column("cuts", sa.JSON(), nullable=False),
        sa.Column("helpers_done", sa.BigInteger(), nullable=False),
        sa.Column("price", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", agora.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", agora.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reached_at", agora.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("order_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "helpers_done >= 0 AND helpers_done <= helpers_needed",
            name=op.f("ck_bargains_helpers_within_needed"),
        ),
        sa.CheckConstraint(
            "price >= floor_price AND price <= start_price", name=op.f("ck_bargains_price_in_range")
        ),
        sa.ForeignKeyConstraint(
            ["offer_id"],
            ["bargain_offers.id"],
            name=op.f("fk_bargains_offer_id_bargain_offers"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_bargains_order_id_orders"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_bargains_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bargains")),
    )
    op.create_index("ix_bargains_user", "bargains", ["user_id", "created_at"], unique=False)
    op.create_index("uq_bargains_order", "bargains", ["order_id"], unique=True)
    op.create_index(
        "uq_bargains_live_owner",
        "bargains",
        ["offer_id", "user_id"],
        unique=True,
        sqlite_where=sa.text("status <> 'expired'"),
        postgresql_where=sa.text("status <> 'expired'"),
    )
    op.create_table(
        "bargain_helps",
        sa.Column("bargain_id", sa.Uuid(), nullable=False),
        sa.Column("helper_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("cut", sa.BigInteger(), nullable=False),
        sa.Column("created_at", agora.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("position >= 1", name=op.f("ck_bargain_helps_position_positive")),
        sa.CheckConstraint("cut >= 1", name=op.f("ck_bargain_helps_cut_positive")),
        sa.ForeignKeyConstraint(
            ["bargain_id"],
            ["bargains.id"],
            name=op.f("fk_bargain_helps_bargain_id_bargains"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["helper_id"],
            ["users.id"],
            name=op.f("fk_bargain_helps_helper_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("bargain_id", "helper_id", name=op.f("pk_bargain_helps")),
    )
    op.create_index(
        "ix_bargain_helps_helper", "bargain_helps", ["helper_id", "created_at"], unique=False
    )
    op.create_index(
        "uq_bargain_helps_position", "bargain_helps", ["bargain_id", "position"], unique=True
    )


def downgrade() -> None:
    op.drop_index("uq_bargain_helps_position", table_name="bargain_helps")
    op.drop_index("ix_bargain_helps_helper", table_name="bargain_helps")
    op.drop_table("bargain_helps")
    op.drop_index("uq_bargains_live_owner", table_name="bargains")
    op.drop_index("uq_bargains_order", table_name="bargains")
    op.drop_index("ix_bargains_user", table_name="bargains")
    op.drop_table("bargains")
    op.drop_index("uq_bargain_offers_active_product", table_name="bargain_offers")
    op.drop_index("ix_bargain_offers_store", table_name="bargain_offers")
    op.drop_table("bargain_offers")
