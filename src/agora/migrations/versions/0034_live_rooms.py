"""Live selling rooms, the products they sell, flash deals and their buyers.

Revision ID: 0034
Revises: 0033
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from agora.core.db import UTCDateTime

revision = "0034"
down_revision = "0033"
branch_labels = None
depends_on = None

RUNNING = sa.text("status IN ('counting_down', 'open')")


def upgrade() -> None:
    op.create_table(
        "live_rooms",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("store_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=80), nullable=False),
        sa.Column("cover_url", sa.String(length=500), nullable=False),
        sa.Column("stream_url", sa.String(length=500), nullable=False),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=True),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
        sa.Column("pinned_product_id", sa.Uuid(), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("peak_viewers", sa.BigInteger(), nullable=False),
        sa.Column("likes", sa.BigInteger(), nullable=False),
        sa.Column("comments", sa.BigInteger(), nullable=False),
        sa.Column("orders", sa.BigInteger(), nullable=False),
        sa.Column("gmv", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "peak_viewers >= 0 AND likes >= 0 AND comments >= 0 AND orders >= 0 AND gmv >= 0",
            name=op.f("ck_live_rooms_counters_not_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["stores.id"],
            name=op.f("fk_live_rooms_store_id_stores"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["pinned_product_id"],
            ["products.id"],
            name=op.f("fk_live_rooms_pinned_product_id_products"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_live_rooms_created_by_users"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_live_rooms")),
    )
    op.create_index("ix_live_rooms_status", "live_rooms", ["status", "created_at"])
    op.create_index("ix_live_rooms_store", "live_rooms", ["store_id", "created_at"])
    op.create_table(
        "live_room_products",
        sa.Column("room_id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["room_id"],
            ["live_rooms.id"],
            name=op.f("fk_live_room_products_room_id_live_rooms"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_live_room_products_product_id_products"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("room_id", "product_id", name=op.f("pk_live_room_products")),
    )
    op.create_table(
        "live_flash_deals",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("room_id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("sku_id", sa.Uuid(), nullable=False),
        sa.Column("price", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("units", sa.BigInteger(), nullable=False),
        sa.Column("per_buyer_limit", sa.BigInteger(), nullable=False),
        sa.Column("countdown_seconds", sa.BigInteger(), nullable=False),
        sa.Column("duration_seconds", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("opens_at", UTCDateTime(), nullable=False),
        sa.Column("closes_at", UTCDateTime(), nullable=False),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("remaining", sa.BigInteger(), nullable=False),
        sa.Column("sold", sa.BigInteger(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("price >= 1", name=op.f("ck_live_flash_deals_price_positive")),
        sa.CheckConstraint("units >= 0", name=op.f("ck_live_flash_deals_units_not_negative")),
        sa.CheckConstraint("per_buyer_limit >= 1", name=op.f("ck_live_flash_deals_limit_positive")),
        sa.CheckConstraint(
            "remaining >= 0 AND remaining <= units",
            name=op.f("ck_live_flash_deals_remaining_within_units"),
        ),
        sa.CheckConstraint("sold >= 0", name=op.f("ck_live_flash_deals_sold_not_negative")),
        sa.ForeignKeyConstraint(
            ["room_id"],
            ["live_rooms.id"],
            name=op.f("fk_live_flash_deals_room_id_live_rooms"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_live_flash_deals_product_id_products"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["sku_id"],
            ["skus.id"],
            name=op.f("fk_live_flash_deals_sku_id_skus"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_live_flash_deals_created_by_users"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_live_flash_deals")),
    )
    op.create_index(
        "uq_live_flash_deals_running_room",
        "live_flash_deals",
        ["room_id"],
        unique=True,
        sqlite_where=RUNNING,
        postgresql_where=RUNNING,
    )
    op.create_index("ix_live_flash_deals_room", "live_flash_deals", ["room_id", "created_at"])
    op.create_table(
        "live_flash_deal_buyers",
        sa.Column("deal_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "quantity >= 0", name=op.f("ck_live_flash_deal_buyers_quantity_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["deal_id"],
            ["live_flash_deals.id"],
            name=op.f("fk_live_flash_deal_buyers_deal_id_live_flash_deals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_live_flash_deal_buyers_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("deal_id", "user_id", name=op.f("pk_live_flash_deal_buyers")),
    )


def downgrade() -> None:
    op.drop_table("live_flash_deal_buyers")
    op.drop_index("ix_live_flash_deals_room", table_name="live_flash_deals")
    op.drop_index("uq_live_flash_deals_running_room", table_name="live_flash_deals")
    op.drop_table("live_flash_deals")
    op.drop_table("live_room_products")
    op.drop_index("ix_live_rooms_store", table_name="live_rooms")
    op.drop_index("ix_live_rooms_status", table_name="live_rooms")
    op.drop_table("live_rooms")
