"""Tables of live selling: a store's rooms, the products each will sell, the flash deals a host
starts in a room, and how many units each shopper has taken of a deal (its per-buyer limit).

Statuses and counters (a room's ``orders`` and ``gmv``, a deal's ``remaining`` and ``sold``, a
buyer's ``quantity``) change by guarded single-statement UPDATEs in the services; the CHECK
constraints are the last line of defence.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from agora.core.db import Base
from agora.core.ids import new_id

# A deal is running while it counts down or is open; one per room (a partial unique index).
RUNNING_SQL = "status IN ('counting_down', 'open')"


class LiveRoom(Base):
    """A store's live broadcast: ``scheduled → live → ended``. An ended room keeps its stream,
    pinned product and orders (the replay)."""

    __tablename__ = "live_rooms"
    __table_args__ = (
        Index("ix_live_rooms_status", "status", "created_at"),
        Index("ix_live_rooms_store", "store_id", "created_at"),
        CheckConstraint(
            "peak_viewers >= 0 AND likes >= 0 AND comments >= 0 AND orders >= 0 AND gmv >= 0",
            name="counters_not_negative",
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    store_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("stores.id", ondelete="RESTRICT"))
    title: Mapped[str] = mapped_column(String(80))
    cover_url: Mapped[str] = mapped_column(String(500), default="")
    stream_url: Mapped[str] = mapped_column(String(500))
    starts_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    ended_at: Mapped[datetime | None] = mapped_column(default=None)
    pinned_product_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("products.id", ondelete="RESTRICT"), default=None
    )
    created_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime]
    peak_viewers: Mapped[int] = mapped_column(default=0)
    likes: Mapped[int] = mapped_column(default=0)
    comments: Mapped[int] = mapped_column(default=0)
    orders: Mapped[int] = mapped_column(default=0)
    gmv: Mapped[int] = mapped_column(default=0)
    """Fen paid for the room's flash-deal orders."""


class LiveRoomProduct(Base):
    """A product the room will sell (always one of the room's own store)."""

    __tablename__ = "live_room_products"

    room_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("live_rooms.id", ondelete="CASCADE"), primary_key=True
    )
    product_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("products.id", ondelete="RESTRICT"), primary_key=True
    )
    position: Mapped[int]


class FlashDeal(Base):
    """A flash deal on one SKU of the room's pinned product: ``counting_down → open → closed``.

    ``units`` are set aside from the SKU's stock when it opens (fewer if the stock is short);
    ``remaining`` is what is still to sell, and goes back to the stock when it closes.
    """

    __tablename__ = "live_flash_deals"
    __table_args__ = (
        Index(
            "uq_live_flash_deals_running_room",
            "room_id",
            unique=True,
            sqlite_where=text(RUNNING_SQL),
            postgresql_where=text(RUNNING_SQL),
        ),
        Index("ix_live_flash_deals_room", "room_id", "created_at"),
        CheckConstraint("price >= 1", name="price_positive"),
        CheckConstraint("units >= 0", name="units_not_negative"),
        CheckConstraint("per_buyer_limit >= 1", name="limit_positive"),
        CheckConstraint("remaining >= 0 AND remaining <= units", name="remaining_within_units"),
        CheckConstraint("sold >= 0", name="sold_not_negative"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    room_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("live_rooms.id", ondelete="RESTRICT"))
    product_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("products.id", ondelete="RESTRICT"))
    sku_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("skus.id", ondelete="RESTRICT"))
    price: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    units: Mapped[int]
    per_buyer_limit: Mapped[int]
    countdown_seconds: Mapped[int]
    duration_seconds: Mapped[int]
    status: Mapped[str] = mapped_column(String(16), default="counting_down")
    opens_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    remaining: Mapped[int] = mapped_column(default=0)
    sold: Mapped[int] = mapped_column(default=0)
    created_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime]


class FlashDealBuyer(Base):
    """Units a shopper has taken of one deal, bounded by its per-buyer limit."""

    __tablename__ = "live_flash_deal_buyers"
    __table_args__ = (CheckConstraint("quantity >= 0", name="quantity_not_negative"),)

    deal_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("live_flash_deals.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    quantity: Mapped[int] = mapped_column(default=0)
