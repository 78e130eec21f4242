"""Catalog tables: stores and their staff, the category tree, products and SKUs."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from agora.core.db import Base
from agora.core.ids import new_id


class Store(Base):
    __tablename__ = "stores"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name_en: Mapped[str] = mapped_column(String(80))
    name_zh: Mapped[str | None] = mapped_column(String(80), default=None)
    description_en: Mapped[str] = mapped_column(Text, default="")
    description_zh: Mapped[str | None] = mapped_column(Text, default=None)
    self_operated: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(16), default="active")
    created_at: Mapped[datetime]
    commission_bps: Mapped[int | None] = mapped_column(default=None)
    """The platform's commission on this store's orders in basis points (550 = 5.50 %), set by
    the operator; NULL: the platform default (catalog/commission.py)."""
    origin_region: Mapped[str] = mapped_column(String(40), default="Shanghai")
    """Where the store's parcels leave from (a province-level region): carriers price by zone."""
    ship_within_hours: Mapped[int] = mapped_column(default=48)
    """The store's promise: a paid order is handed to a carrier within this many hours."""
    deliver_within_days: Mapped[int] = mapped_column(default=4)
    """The store's promise to the shopper: a paid order arrives within this many days. Rate
    shopping prefers carriers whose ETA keeps it."""
    fleet_opt_in: Mapped[bool] = mapped_column(default=False)
    """The platform's own fleet ships for self-operated stores and for stores that opt in."""


class StoreStaff(Base):
    """Merchant staff of a store: ``owner`` (manages staff) or ``staff`` (manages products)."""

    __tablename__ = "store_staff"
    __table_args__ = (Index("ix_store_staff_user", "user_id"),)

    store_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("stores.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(16), default="staff")
    created_at: Mapped[datetime]


class Category(Base):
    __tablename__ = "categories"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    parent_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("categories.id", ondelete="RESTRICT"), default=None, index=True
    )
    name_en: Mapped[str] = mapped_column(String(80))
    name_zh: Mapped[str | None] = mapped_column(String(80), default=None)
    position: Mapped[int] = mapped_column(default=0)


class Product(Base):
    """A listing. ``min_price``/``max_price`` mirror its SKUs for filtering and sorting."""

    __tablename__ = "products"
    __table_args__ = (
        Index("ix_products_store", "store_id", "created_at"),
        Index("ix_products_category", "category_id"),
        CheckConstraint("min_price >= 0 AND max_price >= min_price", name="price_range"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    store_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("stores.id", ondelete="RESTRICT"))
    category_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("categories.id", ondelete="RESTRICT"))
    title_en: Mapped[str] = mapped_column(String(120))
    title_zh: Mapped[str | None] = mapped_column(String(120), default=None)
    description_en: Mapped[str] = mapped_column(Text, default="")
    description_zh: Mapped[str | None] = mapped_column(Text, default=None)
    image_url: Mapped[str] = mapped_column(String(500))
    list_price: Mapped[int]
    min_price: Mapped[int]
    max_price: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    status: Mapped[str] = mapped_column(String(16), default="active")
    sales_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    weight_grams: Mapped[int] = mapped_column(default=500)
    """One unit's shipping weight, packaging included: carriers price by weight."""


class Sku(Base):
    """A purchasable variant: colour and size plus any other attributes, with its own price."""

    __tablename__ = "skus"
    __table_args__ = (
        UniqueConstraint("product_id", "colour", "size", name="uq_skus_variant"),
        CheckConstraint("price > 0", name="price_positive"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    product_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str | None] = mapped_column(String(64), default=None)
    colour: Mapped[str] = mapped_column(String(32), default="")
    size: Mapped[str] = mapped_column(String(32), default="")
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    price: Mapped[int]
    image_url: Mapped[str | None] = mapped_column(String(500), default=None)
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)


class SearchEntry(Base):
    """What search filters and sorts on, one row per product, keyed by a small integer.

    The text index (FTS5 on SQLite, a tsvector table on PostgreSQL) is keyed by ``id``, so a match
    joins here by integer and only the final page of hits touches ``products``.
    """

    __tablename__ = "search_entries"
    __table_args__ = (
        Index("ix_search_entries_sales", "active", "sales_count"),
        Index("ix_search_entries_price", "active", "min_price"),
        Index("ix_search_entries_created", "active", "created_at"),
        Index("ix_search_entries_category", "category_id", "sales_count"),
        Index("ix_search_entries_store", "store_id", "sales_count"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    product_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), unique=True
    )
    store_id: Mapped[uuid.UUID]
    category_id: Mapped[uuid.UUID]
    min_price: Mapped[int]
    sales_count: Mapped[int]
    created_at: Mapped[datetime]
    active: Mapped[bool]


class ProductImage(Base):
    """An uploaded picture of a product: the first by ``position`` is the main one; one per
    colour may stand for that colour of the product's SKUs. Its files are named by ``digest``
    (``media.rendition_key``)."""

    __tablename__ = "product_images"
    __table_args__ = (
        Index("ix_product_images_product", "product_id", "position"),
        # NULLs are distinct: any number of images show no colour, one shows each colour.
        UniqueConstraint("product_id", "colour", name="uq_product_images_colour"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    product_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    position: Mapped[int]
    colour: Mapped[str | None] = mapped_column(String(32), default=None)
    digest: Mapped[str] = mapped_column(String(64))
    width: Mapped[int]
    height: Mapped[int]
    created_at: Mapped[datetime]
