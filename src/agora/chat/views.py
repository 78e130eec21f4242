"""What chat hands out: messages, members and conversations as plain frozen dataclasses, and the
JSON shape of a message (the same on the REST API and on the WebSocket)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row

from agora.chat.models import MessageRow


@dataclass(frozen=True, slots=True)
class MessageView:
    id: uuid.UUID
    conversation_id: uuid.UUID
    seq: int
    sender_id: uuid.UUID
    kind: str
    body: dict[str, Any]
    client_id: str
    created_at: datetime
    recalled: bool

    def as_json(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "conversation_id": str(self.conversation_id),
            "seq": self.seq,
            "sender_id": str(self.sender_id),
            "kind": self.kind,
            "body": self.body,
            "client_id": self.client_id,
            "created_at": self.created_at.isoformat().replace("+00:00", "Z"),
            "recalled": self.recalled,
        }


@dataclass(frozen=True, slots=True)
class MemberView:
    user_id: uuid.UUID
    display_name: str
    role: str
    joined_at: datetime


@dataclass(frozen=True, slots=True)
class ConversationView:
    id: uuid.UUID
    kind: str
    title: str | None
    owner_id: uuid.UUID | None
    last_seq: int
    read_seq: int
    joined_seq: int
    unread: int
    muted: bool
    my_role: str
    members: tuple[MemberView, ...]
    last_message: MessageView | None
    last_activity_at: datetime
    # A store conversation's store (its name as the catalog has it now).
    store_id: uuid.UUID | None = None
    store_name_en: str | None = None
    store_name_zh: str | None = None

    def name_for(self, viewer: uuid.UUID) -> str:
        """A group's title; for a direct chat, the other person's name; for a store conversation,
        the store's name to the shopper and the shopper's name to the store's staff."""
        if self.store_id is not None and self.my_role != "staff":
            return self.store_name_en or "—"
        if self.store_id is not None:
            return next((m.display_name for m in self.members if m.role != "staff"), "—")
        if self.title:
            return self.title
        others = [m.display_name for m in self.members if m.user_id != viewer]
        return ", ".join(others) or "—"

    def peer_id(self, viewer: uuid.UUID) -> uuid.UUID | None:
        if self.kind != "direct":
            return None
        return next((m.user_id for m in self.members if m.user_id != viewer), None)


def message_view(row: MessageRow | Row[Any]) -> MessageView:
    """From an ORM row or a Core row of the messages table."""
    return MessageView(
        id=row.id,
        conversation_id=row.conversation_id,
        seq=row.seq,
        sender_id=row.sender_id,
        kind=row.kind,
        body={} if row.recalled_at is not None else dict(row.body),
        client_id=row.client_id,
        created_at=row.created_at,
        recalled=row.recalled_at is not None,
    )


def message_event(view: MessageView) -> dict[str, Any]:
    """The hub event (and WebSocket frame) for a stored message; ``seq`` on top so a gateway reads
    it without looking inside."""
    return {
        "type": "message",
        "conversation_id": str(view.conversation_id),
        "seq": view.seq,
        "message": view.as_json(),
    }
