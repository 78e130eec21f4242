"""The reputation table: one row per store, rewritten whole by each run of the job."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from agora.core.db import Base


class StoreReputation(Base):
    """A store's figures as the last run counted them, with the counts behind each.

    A figure is NULL when nothing it divides by happened in the window (no reviews, no order
    judged, none delivered): the pages say "not enough data yet" rather than show a zero. Rates
    are in basis points (1/100 of a percent) and the rating in hundredths of a star, each
    rounded half up from its counts, so the row can be filtered and sorted in SQL.
    """

    __tablename__ = "store_reputation"

    store_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("stores.id", ondelete="CASCADE"), primary_key=True
    )
    window_days: Mapped[int]
    reviews: Mapped[int]
    stars_total: Mapped[int]
    rating_hundredths: Mapped[int | None] = mapped_column(default=None)
    judged_orders: Mapped[int]
    """Orders paid in the window whose shipping promise was decided (see ``service``)."""
    on_time_orders: Mapped[int]
    on_time_bp: Mapped[int | None] = mapped_column(default=None)
    delivered_orders: Mapped[int]
    returned_orders: Mapped[int]
    return_bp: Mapped[int | None] = mapped_column(default=None)
    computed_at: Mapped[datetime]
    counterfeit_complaints: Mapped[int] = mapped_column(default=0)
    """"Not genuine" complaints against the store an operator decided in the window."""
    counterfeit_upheld: Mapped[int] = mapped_column(default=0)
    """Of them, those the operator upheld (refunded in full or in part)."""
