"""Customer service API input and output."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from agora.catalog.schemas import MoneyOut
from agora.chat.schemas import MessageOut


class OpenStoreChatIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    store_id: uuid.UUID


class OrderCardIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    order_id: uuid.UUID
    client_id: str = Field(min_length=1, max_length=64, description="Makes the send idempotent.")


class ShopperOut(BaseModel):
    user_id: uuid.UUID
    display_name: str


class InboxItemOut(BaseModel):
    conversation_id: uuid.UUID
    shopper: ShopperOut
    last_seq: int
    unread: int = Field(description="Messages the store has not read (any staff member's read).")
    last_message: MessageOut | None
    last_activity_at: datetime


class InboxOut(BaseModel):
    store_id: uuid.UUID
    unread_total: int
    items: list[InboxItemOut]
    next_cursor: str | None = Field(description="Pass as ``cursor`` for the next page.")


class OrderChoiceOut(BaseModel):
    order_id: uuid.UUID
    number: str
    short_id: str
    title_en: str
    title_zh: str | None
    image_url: str
    item_count: int
    total: MoneyOut
    status: str
    created_at: datetime
