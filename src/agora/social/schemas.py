"""Social request bodies (validated at the edge; the services check the rules again)."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, ConfigDict, Field

from agora.social import domain


class FriendRequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to_user_id: uuid.UUID
    message: str = Field(default="", max_length=domain.MAX_REQUEST_MESSAGE)


class MomentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(default="", max_length=domain.MAX_MOMENT_TEXT + 100)
    """Up to 1,000 characters once trimmed; may be empty when there are product cards."""
    product_ids: list[uuid.UUID] = Field(default_factory=list, max_length=domain.MAX_MOMENT_CARDS)
    # No share code here: a moment that leads through a share link is posted by sharing itself
    # (``POST /api/v1/shares`` with channel ``moments``), which made that share for these cards.


class CommentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=domain.MAX_COMMENT + 100)
