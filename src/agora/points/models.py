"""Tables of points: lots of active points (what expires when), each order's points, and the
points a pending bank payment plans to redeem.

The balances themselves live in the ledger (currency ``PTS``); these rows say where a balance
came from. A user's ``points`` account always equals the sum of ``remaining`` over their lots
(:func:`agora.points.audit` checks it). ``order_id`` and ``payment_ref`` name ordering's and
payments' rows without a foreign key: points sits below ordering and never reads its tables.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from agora.core.db import Base
from agora.core.ids import new_id


class PointsLot(Base):
    """Points that became active together and expire together.

    ``remaining`` falls as points are redeemed (soonest expiry first); a lot past ``expires_at``
    is swept: ``expired`` takes what remained and ``remaining`` drops to zero.
    """

    __tablename__ = "points_lots"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint(
            "remaining >= 0 AND expired >= 0 AND remaining + expired <= amount",
            name="within_amount",
        ),
        # Only lots with points left are ever searched: redemption by user, the sweep by time.
        Index(
            "ix_points_lots_usable",
            "user_id",
            "expires_at",
            sqlite_where=text("remaining > 0"),
            postgresql_where=text("remaining > 0"),
        ),
        Index(
            "ix_points_lots_due",
            "expires_at",
            sqlite_where=text("remaining > 0"),
            postgresql_where=text("remaining > 0"),
        ),
        Index("ix_points_lots_user", "user_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    key: Mapped[str] = mapped_column(String(200), unique=True)
    """What created the lot, once: ``grant:{key}``, ``order:{id}``, ``refund:{id}``."""
    source: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(200), default="")
    amount: Mapped[int]
    remaining: Mapped[int]
    expired: Mapped[int] = mapped_column(default=0)
    expires_at: Mapped[datetime]
    created_at: Mapped[datetime]


class PointsOrder(Base):
    """The points of one paid order: earned (pending until it completes, reversed pro rata as
    money is refunded) and redeemed (restored pro rata as the discount is refunded).

    ``discount`` is the fen the redeemed points stood for; ``status`` is ``pending`` (earned
    points wait for completion), ``active`` (they became a lot) or ``reversed`` (refunded).
    """

    __tablename__ = "points_orders"
    __table_args__ = (
        Index("ix_points_orders_user", "user_id", "created_at"),
        CheckConstraint(
            "earned >= 0 AND reversed >= 0 AND reversed <= earned", name="reversed_within"
        ),
        CheckConstraint(
            "money_refunded >= 0 AND money_refunded <= money_paid", name="money_within"
        ),
        CheckConstraint(
            "redeemed >= 0 AND restored >= 0 AND restored <= redeemed", name="restored_within"
        ),
        CheckConstraint(
            "discount >= 0 AND discount_refunded >= 0 AND discount_refunded <= discount",
            name="discount_within",
        ),
    )

    order_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    status: Mapped[str] = mapped_column(String(16))
    money_paid: Mapped[int]
    money_refunded: Mapped[int] = mapped_column(default=0)
    earned: Mapped[int]
    reversed: Mapped[int] = mapped_column(default=0)
    redeemed: Mapped[int] = mapped_column(default=0)
    restored: Mapped[int] = mapped_column(default=0)
    discount: Mapped[int] = mapped_column(default=0)
    discount_refunded: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]
    activated_at: Mapped[datetime | None] = mapped_column(default=None)


class PointsPlan(Base):
    """Points a buyer chose to redeem on an order paid partly at the bank: redeemed when the
    bank's charge (``payment_ref``) is captured, if the points are still there then."""

    __tablename__ = "points_plans"
    __table_args__ = (CheckConstraint("discount > 0", name="discount_positive"),)

    payment_ref: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    order_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    discount: Mapped[int]
    created_at: Mapped[datetime]
