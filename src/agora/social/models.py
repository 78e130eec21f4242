"""Social tables: friendships (one row per direction), friend requests, blocks, store follows,
moments with their likes and comments."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from agora.core.db import Base
from agora.core.ids import new_id


class Friendship(Base):
    """``user_id`` counts ``friend_id`` as a friend. Always written in both directions at once, so
    "my friends" is one primary-key range and "are we friends" one primary-key lookup."""

    __tablename__ = "social_friendships"
    __table_args__ = (CheckConstraint("user_id <> friend_id", name="not_self"),)

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    friend_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime]


class FriendRequest(Base):
    """A request from one user to another. ``pair_lo``/``pair_hi`` are the two ids in order: the
    partial unique index on them allows one pending request per pair *in either direction*, so two
    people asking each other at the same instant cannot both leave a pending request."""

    __tablename__ = "social_friend_requests"
    __table_args__ = (
        CheckConstraint("from_id <> to_id", name="not_self"),
        Index(
            "uq_social_friend_requests_pending_pair",
            "pair_lo",
            "pair_hi",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
        Index("ix_social_friend_requests_to", "to_id", "status", "created_at"),
        Index("ix_social_friend_requests_from", "from_id", "status", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    from_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    to_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    pair_lo: Mapped[uuid.UUID]
    pair_hi: Mapped[uuid.UUID]
    message: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(16), default="pending")
    created_at: Mapped[datetime]
    decided_at: Mapped[datetime | None] = mapped_column(default=None)


class Block(Base):
    __tablename__ = "social_blocks"
    __table_args__ = (CheckConstraint("blocker_id <> blocked_id", name="not_self"),)

    blocker_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    blocked_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime]


class StoreFollow(Base):
    __tablename__ = "social_store_follows"
    __table_args__ = (Index("ix_social_store_follows_store", "store_id"),)

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    store_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("stores.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime]


class Moment(Base):
    """A post. ``cards`` are snapshots of products at post time (a later price change or a
    delisting does not rewrite what friends saw)."""

    __tablename__ = "social_moments"
    __table_args__ = (Index("ix_social_moments_author", "author_id", "created_at", "id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    author_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text, default="")
    cards: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    share_code: Mapped[str | None] = mapped_column(String(64), default=None)
    created_at: Mapped[datetime]


class MomentLike(Base):
    __tablename__ = "social_moment_likes"
    __table_args__ = (Index("ix_social_moment_likes_recent", "moment_id", "created_at"),)

    moment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("social_moments.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime]


class MomentComment(Base):
    __tablename__ = "social_moment_comments"
    __table_args__ = (Index("ix_social_moment_comments_moment", "moment_id", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    moment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("social_moments.id", ondelete="CASCADE")
    )
    author_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
