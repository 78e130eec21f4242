"""Tables of group deals: a merchant's deal on a product, the teams that buy under it, their
members, and how many units each shopper has taken of a deal (the per-user limit).

Every counter here (``sold``, ``joined``, ``units``) and every status changes by a guarded
single-statement UPDATE in the services; the CHECK constraints are the last line of defence.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from agora.core.db import Base
from agora.core.ids import new_id


class GroupDeal(Base):
    """A group price on a product for teams of ``team_size``, with ``stock`` units set aside.

    ``sold`` counts the units held by open and complete teams; a failed team gives its units
    back. At most one deal per product is ``active`` (a partial unique index).
    """

    __tablename__ = "group_deals"
    __table_args__ = (
        Index(
            "uq_group_deals_active_product",
            "product_id",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
        Index("ix_group_deals_store", "store_id", "created_at"),
        CheckConstraint("team_size >= 2 AND team_size <= 10", name="team_size_range"),
        CheckConstraint("group_price > 0", name="group_price_positive"),
        CheckConstraint("window_hours >= 1", name="window_positive"),
        CheckConstraint("user_limit >= 1", name="user_limit_positive"),
        CheckConstraint("sold >= 0 AND sold <= stock", name="sold_within_stock"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    product_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("products.id", ondelete="RESTRICT"))
    store_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("stores.id", ondelete="RESTRICT"))
    team_size: Mapped[int]
    group_price: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    window_hours: Mapped[int]
    user_limit: Mapped[int]
    stock: Mapped[int]
    sold: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(16), default="active")
    created_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime]
    ended_at: Mapped[datetime | None] = mapped_column(default=None)


class GroupTeam(Base):
    """A team: opened by its leader's paid order, complete when ``joined`` reaches ``size``,
    failed (every member refunded) when ``expires_at`` passes first."""

    __tablename__ = "group_teams"
    __table_args__ = (
        Index("ix_group_teams_deal", "deal_id", "status", "expires_at"),
        CheckConstraint("joined >= 0 AND joined <= size", name="joined_within_size"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    deal_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("group_deals.id", ondelete="RESTRICT"))
    leader_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    size: Mapped[int]
    joined: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(16), default="open")
    expires_at: Mapped[datetime]
    created_at: Mapped[datetime]
    completed_at: Mapped[datetime | None] = mapped_column(default=None)
    failed_at: Mapped[datetime | None] = mapped_column(default=None)


class GroupTeamMember(Base):
    """One member of a team and the order they paid; one row per person per team."""

    __tablename__ = "group_team_members"
    __table_args__ = (
        Index("ix_group_team_members_user", "user_id", "joined_at"),
        CheckConstraint("quantity >= 1", name="quantity_positive"),
    )

    team_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("group_teams.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), primary_key=True
    )
    # Set in the same transaction that inserts the row, once the seat and the order exist.
    order_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("orders.id", ondelete="RESTRICT"), default=None
    )
    sku_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("skus.id", ondelete="RESTRICT"))
    quantity: Mapped[int]
    position: Mapped[int] = mapped_column(default=0)
    joined_at: Mapped[datetime]


class GroupDealBuyer(Base):
    """Units a shopper holds of one deal (open and complete teams), bounded by its limit."""

    __tablename__ = "group_deal_buyers"
    __table_args__ = (CheckConstraint("units >= 0", name="units_not_negative"),)

    deal_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("group_deals.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    units: Mapped[int] = mapped_column(default=0)
