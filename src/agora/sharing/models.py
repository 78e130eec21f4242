"""Sharing tables: shares (short codes), visits to them, visitor-to-user links, attributions.

A share's ``conversation_id`` names a chat conversation without a foreign key: chat owns that
table and may archive conversations; a share only remembers where it was posted.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from agora.core.db import Base
from agora.core.ids import new_id


class Share(Base):
    """Someone shared a target (a product, later a team, bargain or live room) on a channel."""

    __tablename__ = "shares"
    __table_args__ = (
        Index("ix_shares_sharer", "sharer_id", "created_at"),
        Index("ix_shares_target", "target_type", "target_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    sharer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    target_type: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[uuid.UUID]
    channel: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("shares.id", ondelete="SET NULL"), default=None, index=True
    )
    conversation_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    created_at: Mapped[datetime]


class ShareVisit(Base):
    """One click on ``/s/{code}``: by a browser (``visitor_id``, our cookie), perhaps signed in.

    Only a keyed hash of the address is kept: enough to spot clusters, useless to locate anyone.
    """

    __tablename__ = "share_visits"
    __table_args__ = (
        Index("ix_share_visits_visitor", "visitor_id", "created_at"),
        Index("ix_share_visits_user", "user_id", "created_at"),
        Index("ix_share_visits_share", "share_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    share_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("shares.id", ondelete="CASCADE"))
    visitor_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    ip_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    created_at: Mapped[datetime]


class VisitorLink(Base):
    """A browser (visitor id) that a user signed up or signed in with."""

    __tablename__ = "share_visitor_links"
    __table_args__ = (Index("ix_share_visitor_links_user", "user_id"),)

    visitor_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    linked_at: Mapped[datetime]


class Attribution(Base):
    """A sign-up (first touch) or a paid order (last touch) credited to a share; once per
    subject (the unique key makes a redelivered event a no-op). ``channel`` and ``sharer_id``
    are copied from the share so the report groups one table."""

    __tablename__ = "share_attributions"
    __table_args__ = (
        UniqueConstraint("kind", "subject_id", name="uq_share_attributions_subject"),
        Index("ix_share_attributions_period", "kind", "occurred_at"),
        Index("ix_share_attributions_share", "share_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(10))
    subject_id: Mapped[uuid.UUID]
    share_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("shares.id", ondelete="CASCADE"))
    visit_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("share_visits.id", ondelete="SET NULL"), default=None
    )
    channel: Mapped[str] = mapped_column(String(20))
    sharer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    amount: Mapped[int] = mapped_column(default=0)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    occurred_at: Mapped[datetime]
    created_at: Mapped[datetime]
