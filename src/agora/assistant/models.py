"""The assistant's table: what it understood of one shopper in one conversation.

One row per (shopper, conversation), written only while the shopper has the chat-assistant
consent; both foreign keys cascade, so leaving Agora or a conversation's removal takes the
inferences with it.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from agora.core.db import Base


class AssistantState(Base):
    """The preferences inferred so far (``Preferences`` as JSON) and the prices of the cards last
    shown for them, which "too expensive" is measured against."""

    __tablename__ = "assistant_states"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    conversation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("chat_conversations.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    preferences: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    shown_prices: Mapped[list[int]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime]
