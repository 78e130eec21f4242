"""Tables of recommendations: what each consenting shopper did (viewed, searched, bought ...).

Rows exist only for shoppers with the personalised-recommendations consent; they are deleted when
it is withdrawn, after the retention period, and with the account (CASCADE on ``users.id``).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from agora.core.db import Base
from agora.core.ids import new_id


class BehaviourEvent(Base):
    """One thing a shopper did: ``kind`` is one of ``domain.KINDS``; ``product_id`` for all but
    searches, ``query`` for searches, ``amount`` (fen paid per unit) for purchases."""

    __tablename__ = "behaviour_events"
    __table_args__ = (
        Index("ix_behaviour_events_user", "user_id", "occurred_at"),
        Index("ix_behaviour_events_product", "product_id"),
        Index("ix_behaviour_events_occurred", "occurred_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(12))
    product_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), default=None
    )
    query: Mapped[str | None] = mapped_column(String(200), default=None)
    amount: Mapped[int | None] = mapped_column(default=None)
    occurred_at: Mapped[datetime]
