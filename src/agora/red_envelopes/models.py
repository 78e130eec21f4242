"""Tables of red envelopes: the envelope (with its counters), its shares drawn when it was sent,
and who grabbed which share.

``grabbed_count``, ``grabbed_amount`` and ``status`` change only by guarded single-statement
UPDATEs in the services; the CHECK constraints are the last line of defence against a share
handed out twice or more money handed out than the envelope holds.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from agora.core.db import Base
from agora.core.ids import new_id


class RedEnvelope(Base):
    """Money sent into a conversation in ``shares`` parts. Open until every share is taken
    (finished) or ``expires_at`` passes (expired: the rest goes back to the sender's wallet)."""

    __tablename__ = "red_envelopes"
    __table_args__ = (
        UniqueConstraint("sender_id", "client_id", name="uq_red_envelopes_client_id"),
        Index("ix_red_envelopes_conversation", "conversation_id", "created_at"),
        Index("ix_red_envelopes_sender", "sender_id", "created_at"),
        CheckConstraint("kind IN ('single', 'lucky', 'equal')", name="kind"),
        CheckConstraint("status IN ('open', 'finished', 'expired')", name="status"),
        CheckConstraint("shares >= 1 AND shares <= 100", name="shares_range"),
        CheckConstraint("total >= shares", name="a_fen_per_share"),
        CheckConstraint(
            "grabbed_count >= 0 AND grabbed_count <= shares", name="grabbed_within_shares"
        ),
        CheckConstraint(
            "grabbed_amount >= 0 AND grabbed_amount + refunded <= total",
            name="paid_within_total",
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    conversation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("chat_conversations.id", ondelete="RESTRICT")
    )
    sender_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    client_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(8))
    total: Mapped[int]
    shares: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    greeting: Mapped[str] = mapped_column(String(60), default="")
    source: Mapped[str] = mapped_column(String(16))
    message_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    status: Mapped[str] = mapped_column(String(16), default="open")
    grabbed_count: Mapped[int] = mapped_column(default=0)
    grabbed_amount: Mapped[int] = mapped_column(default=0)
    refunded: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    expired_at: Mapped[datetime | None] = mapped_column(default=None)


class RedEnvelopeShare(Base):
    """The share handed to the ``position``-th grabber, drawn when the envelope was sent."""

    __tablename__ = "red_envelope_shares"
    __table_args__ = (CheckConstraint("amount >= 1", name="a_fen_at_least"),)

    envelope_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("red_envelopes.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(primary_key=True)
    amount: Mapped[int]


class RedEnvelopeGrab(Base):
    """One member's grab: one row per person per envelope (the key refuses a second). The row is
    inserted with position 0 and given its share in the same transaction; a refused grab rolls
    back with its row."""

    __tablename__ = "red_envelope_grabs"
    __table_args__ = (
        Index(
            "uq_red_envelope_grabs_position",
            "envelope_id",
            "position",
            unique=True,
            sqlite_where=text("position > 0"),
            postgresql_where=text("position > 0"),
        ),
        Index("ix_red_envelope_grabs_user", "user_id", "grabbed_at"),
    )

    envelope_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("red_envelopes.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), primary_key=True
    )
    position: Mapped[int] = mapped_column(default=0)
    amount: Mapped[int] = mapped_column(default=0)
    grabbed_at: Mapped[datetime]
