"""Chat tables: conversations (with their sequence counter), members (with read cursors) and
messages numbered per conversation."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from agora.core.db import Base
from agora.core.ids import new_id


class ConversationRow(Base):
    """A 1:1, group or store conversation. ``last_seq`` is the sequence counter: each message
    takes the next value with one guarded ``UPDATE ... RETURNING`` (the row lock orders concurrent
    senders). ``direct_key`` ("<lower id>:<higher id>", or "store:<store id>:<shopper id>") is
    unique, so two people have one direct chat and a shopper one conversation with a store.
    ``store_id`` is set on a store conversation (customer service), whose staff are members with
    the role ``staff``."""

    __tablename__ = "chat_conversations"
    __table_args__ = (
        CheckConstraint("kind IN ('direct', 'group', 'store')", name="kind"),
        CheckConstraint("last_seq >= 0", name="seq_non_negative"),
        # The store's inbox: its conversations, newest activity first.
        Index("ix_chat_conversations_store", "store_id", "last_activity_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(8))
    title: Mapped[str | None] = mapped_column(String(60), default=None)
    owner_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    direct_key: Mapped[str | None] = mapped_column(String(80), unique=True, default=None)
    last_seq: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]
    last_activity_at: Mapped[datetime]
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    store_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("stores.id", ondelete="CASCADE"), default=None
    )


class MemberRow(Base):
    """A person in a conversation. A member sees messages after ``joined_seq``; ``read_seq`` only
    moves forward; leaving sets ``left_at`` (the row stays for history and re-invitation)."""

    __tablename__ = "chat_members"
    __table_args__ = (
        CheckConstraint("role IN ('owner', 'admin', 'member', 'staff')", name="role"),
        Index("ix_chat_members_user", "user_id", "left_at"),
    )

    conversation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("chat_conversations.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(8), default="member")
    joined_at: Mapped[datetime]
    left_at: Mapped[datetime | None] = mapped_column(default=None)
    joined_seq: Mapped[int] = mapped_column(default=0)
    read_seq: Mapped[int] = mapped_column(default=0)
    muted: Mapped[bool] = mapped_column(default=False)


class MessageRow(Base):
    """One message. ``(conversation_id, seq)`` is its place in the conversation;
    ``(conversation_id, sender_id, client_id)`` makes a retried send return the stored message.
    A recalled message keeps its row and seq, with the body emptied."""

    __tablename__ = "chat_messages"
    __table_args__ = (
        UniqueConstraint("conversation_id", "seq", name="uq_chat_messages_seq"),
        UniqueConstraint(
            "conversation_id", "sender_id", "client_id", name="uq_chat_messages_client_id"
        ),
        # The send rate limit counts a sender's recent messages.
        Index("ix_chat_messages_sender", "sender_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    conversation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("chat_conversations.id", ondelete="CASCADE")
    )
    seq: Mapped[int]
    sender_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    client_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    recalled_at: Mapped[datetime | None] = mapped_column(default=None)
