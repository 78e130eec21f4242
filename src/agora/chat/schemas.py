"""Chat API input and output."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from agora.chat.views import ConversationView, MessageView
from agora.core.fields import BIGINT_MAX, JsonInt


class CreateGroupIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(max_length=200)
    member_ids: list[uuid.UUID] = Field(min_length=1, max_length=500)


class DirectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_id: uuid.UUID


class RenameIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(max_length=200)


class InviteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_ids: list[uuid.UUID] = Field(min_length=1, max_length=500)


class RoleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Literal["admin", "member"]


class MuteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    muted: bool


class MessageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    client_id: str = Field(min_length=1, max_length=64, description="Makes the send idempotent.")
    kind: str = Field(max_length=32, description="text, product_card, share_link, ...")
    body: dict[str, Any] = Field(description='e.g. {"text": "hi"} or {"product_id": "..."}')


class ReadIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    seq: JsonInt = Field(ge=0, le=BIGINT_MAX)


class ReadOut(BaseModel):
    read_seq: int


class MessageOut(BaseModel):
    id: uuid.UUID
    conversation_id: uuid.UUID
    seq: int
    sender_id: uuid.UUID
    kind: str
    body: dict[str, Any]
    client_id: str
    created_at: datetime
    recalled: bool


class MemberOut(BaseModel):
    user_id: uuid.UUID
    display_name: str
    role: str


class ConversationOut(BaseModel):
    id: uuid.UUID
    kind: str
    title: str | None
    name: str = Field(description="The group's title, or the other person's name.")
    owner_id: uuid.UUID | None
    last_seq: int
    read_seq: int
    unread: int
    muted: bool
    my_role: str
    members: list[MemberOut]
    last_message: MessageOut | None
    last_activity_at: datetime


class HistoryOut(BaseModel):
    items: list[MessageOut]
    next_before: int | None = Field(description="Pass as ``before`` for older messages.")
    next_after: int | None = Field(description="Pass as ``after`` for newer messages.")


def message_out(view: MessageView) -> MessageOut:
    return MessageOut(
        id=view.id,
        conversation_id=view.conversation_id,
        seq=view.seq,
        sender_id=view.sender_id,
        kind=view.kind,
        body=view.body,
        client_id=view.client_id,
        created_at=view.created_at,
        recalled=view.recalled,
    )


def conversation_out(view: ConversationView, viewer: uuid.UUID) -> ConversationOut:
    return ConversationOut(
        id=view.id,
        kind=view.kind,
        title=view.title,
        name=view.name_for(viewer),
        owner_id=view.owner_id,
        last_seq=view.last_seq,
        read_seq=view.read_seq,
        unread=view.unread,
        muted=view.muted,
        my_role=view.my_role,
        members=[
            MemberOut(user_id=m.user_id, display_name=m.display_name, role=m.role)
            for m in view.members
        ],
        last_message=message_out(view.last_message) if view.last_message else None,
        last_activity_at=view.last_activity_at,
    )
