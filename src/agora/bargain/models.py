"""Tables of bargains: a merchant's offer on one SKU, the shoppers' campaigns under it, and the
friends' helps that cut each campaign's price.

Every counter (``sold``, ``helpers_done``) and every status changes by a guarded single-statement
UPDATE in the services; the CHECK constraints are the last line of defence, never the mechanism.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from agora.core.db import Base
from agora.core.ids import new_id


class BargainOffer(Base):
    """ "Help me cut the price" on one SKU: from ``start_price`` down to ``floor_price`` with the
    help of ``helpers_needed`` friends (a number shoppers are told), within ``window_hours``.

    ``sold`` counts the campaigns that became orders, at most ``allotment``. At most one offer
    per product is ``active`` (a partial unique index).
    """

    __tablename__ = "bargain_offers"
    __table_args__ = (
        Index(
            "uq_bargain_offers_active_product",
            "product_id",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
        Index("ix_bargain_offers_store", "store_id", "created_at"),
        CheckConstraint("floor_price > 0", name="floor_positive"),
        CheckConstraint("start_price > floor_price", name="start_above_floor"),
        CheckConstraint("helpers_needed >= 1 AND helpers_needed <= 100", name="helpers_range"),
        # Every helper's cut is at least one fen.
        CheckConstraint("start_price - floor_price >= helpers_needed", name="cut_per_helper"),
        CheckConstraint("window_hours >= 1", name="window_positive"),
        CheckConstraint("sold >= 0 AND sold <= allotment", name="sold_within_allotment"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    product_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("products.id", ondelete="RESTRICT"))
    sku_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("skus.id", ondelete="RESTRICT"))
    store_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("stores.id", ondelete="RESTRICT"))
    start_price: Mapped[int]
    floor_price: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    helpers_needed: Mapped[int]
    window_hours: Mapped[int]
    allotment: Mapped[int]
    sold: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(16), default="active")
    created_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime]
    ended_at: Mapped[datetime | None] = mapped_column(default=None)


class Bargain(Base):
    """One shopper's campaign under an offer. The offer's numbers are copied at the start, and
    ``cuts`` is the schedule drawn then: ``helpers_needed`` positive amounts summing exactly to
    ``start_price - floor_price``; the k-th helper cuts ``cuts[k-1]``, so the price is
    ``start_price - sum(cuts[:helpers_done])`` and reaches the floor at the last helper.

    One campaign per shopper and offer unless it expired (a partial unique index): an expired
    campaign may be tried again, a bought one not.
    """

    __tablename__ = "bargains"
    __table_args__ = (
        Index(
            "uq_bargains_live_owner",
            "offer_id",
            "user_id",
            unique=True,
            sqlite_where=text("status <> 'expired'"),
            postgresql_where=text("status <> 'expired'"),
        ),
        Index("ix_bargains_user", "user_id", "created_at"),
        Index("uq_bargains_order", "order_id", unique=True),
        CheckConstraint(
            "helpers_done >= 0 AND helpers_done <= helpers_needed", name="helpers_within_needed"
        ),
        CheckConstraint("price >= floor_price AND price <= start_price", name="price_in_range"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    offer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("bargain_offers.id", ondelete="RESTRICT")
    )
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    start_price: Mapped[int]
    floor_price: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    helpers_needed: Mapped[int]
    cuts: Mapped[list[int]] = mapped_column(JSON)
    helpers_done: Mapped[int] = mapped_column(default=0)
    price: Mapped[int]
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    reached_at: Mapped[datetime | None] = mapped_column(default=None)
    order_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("orders.id", ondelete="SET NULL"), default=None
    )


class BargainHelp(Base):
    """A friend's help: the ``position``-th helper of the campaign, who cut ``cut`` fen off.
    One per helper and campaign (the primary key)."""

    __tablename__ = "bargain_helps"
    __table_args__ = (
        Index("uq_bargain_helps_position", "bargain_id", "position", unique=True),
        Index("ix_bargain_helps_helper", "helper_id", "created_at"),
        CheckConstraint("position >= 1", name="position_positive"),
        CheckConstraint("cut >= 1", name="cut_positive"),
    )

    bargain_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("bargains.id", ondelete="CASCADE"), primary_key=True
    )
    helper_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int]
    cut: Mapped[int]
    created_at: Mapped[datetime]
