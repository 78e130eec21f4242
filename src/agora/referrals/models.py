"""Tables of referrals: one reward per referred shopper, decided at their first completed order.

``share_id`` and ``order_id`` name rows of sharing and ordering without foreign keys: referrals
hears of orders through events only, and a reward stays on record whatever happens to the share.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from agora.core.db import Base
from agora.core.ids import new_id


class ReferralReward(Base):
    """The sharer who brought ``referee_id`` is rewarded (``granted``), or the reward waits for an
    operator (``withheld``, with the fraud signals in ``reasons``) until released (``released``).

    Unique per referee: whichever completed order is handled first decides, once.
    ``decided_at``/``decided_by`` record when the points were granted and by which operator
    (``None``: granted at once by the system; both ``None`` while withheld).
    """

    __tablename__ = "referral_rewards"
    __table_args__ = (
        Index("ix_referral_rewards_referrer", "referrer_id", "created_at"),
        Index("ix_referral_rewards_status", "status", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    referee_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), unique=True
    )
    referrer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    share_id: Mapped[uuid.UUID]
    order_id: Mapped[uuid.UUID]
    points: Mapped[int]
    status: Mapped[str] = mapped_column(String(10))
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime]
    decided_at: Mapped[datetime | None] = mapped_column(default=None)
    decided_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
