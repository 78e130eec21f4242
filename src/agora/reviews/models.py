"""Review tables: one review per delivered order line, the store's one reply, shoppers' reports."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from agora.core.db import Base
from agora.core.ids import new_id


class Review(Base):
    """A buyer's review of one order line. The unique line makes "one review per line" hold
    however many pages submit at once; product, store and author are copied from the order so
    a product's page and a store's console read reviews by one index each."""

    __tablename__ = "reviews"
    __table_args__ = (
        UniqueConstraint("order_line_id", name="uq_reviews_line"),
        CheckConstraint("stars BETWEEN 1 AND 5", name="stars_range"),
        Index("ix_reviews_product", "product_id", "created_at", "id"),
        Index("ix_reviews_store", "store_id", "created_at", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    order_line_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("order_lines.id", ondelete="RESTRICT")
    )
    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id", ondelete="RESTRICT"))
    product_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    store_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("stores.id", ondelete="RESTRICT"))
    author_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    stars: Mapped[int]
    text: Mapped[str] = mapped_column(Text, default="")
    image_urls: Mapped[list[Any]] = mapped_column(JSON, default=list)
    has_images: Mapped[bool] = mapped_column(default=False)
    variant: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime]
    reply_text: Mapped[str | None] = mapped_column(Text, default=None)
    reply_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    replied_at: Mapped[datetime | None] = mapped_column(default=None)
    reports: Mapped[int] = mapped_column(default=0)


class ReviewReport(Base):
    """A shopper's report of an abusive review: one per shopper and review."""

    __tablename__ = "review_reports"

    review_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("reviews.id", ondelete="CASCADE"), primary_key=True
    )
    reporter_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    reason: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime]
