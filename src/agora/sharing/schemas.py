"""Sharing API input. (Responses, which embed catalog's MoneyOut, live in api.py.)"""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Channel = Literal["chat_direct", "chat_group", "moments", "partner", "external"]


class ShareIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    target_type: str = Field(min_length=1, max_length=20, description="`product` for now.")
    target_id: uuid.UUID
    channel: Channel
    conversation_id: uuid.UUID | None = Field(
        default=None, description="Required for chat channels: one of your conversations."
    )
    text: str = Field(
        default="", max_length=1000, description="A message after the card, or the moment's text."
    )
