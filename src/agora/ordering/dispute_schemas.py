"""Dispute input and output shapes for the API. Money is ``MoneyOut`` in fen."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from agora.catalog.schemas import MoneyOut
from agora.core.fields import Amount


class EvidenceIn(BaseModel):
    """Text (up to 1,000 characters) and up to 6 image links, each http:// or https:// or a
    path on this site (``/static/...``, ``/media/...``)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    text: str = Field(default="", max_length=1000)
    image_urls: list[str] = Field(default_factory=list, max_length=6)


class ComplaintIn(EvidenceIn):
    reason: Literal["not_as_described", "not_genuine"]


class DisputeDecisionIn(BaseModel):
    """``refund_full``: what the dispute claims, up to what is still refundable;
    ``refund_partial``: ``amount`` fen, at most what is still refundable; ``reject``."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    outcome: Literal["refund_full", "refund_partial", "reject"]
    amount: Amount | None = None
    note: str = Field(default="", max_length=500)


class EvidenceOut(BaseModel):
    id: uuid.UUID
    side: str = Field(description="buyer or merchant")
    author_name: str
    text: str
    image_urls: list[str]
    created_at: datetime


class DisputeOut(BaseModel):
    id: uuid.UUID
    order_id: uuid.UUID
    store_id: uuid.UUID
    refund_id: uuid.UUID | None = Field(description="The rejected return escalated, if any.")
    reason: str = Field(description="return_rejected, not_as_described or not_genuine")
    status: str = Field(description="open or decided")
    claimed: MoneyOut
    outcome: str | None = Field(description="refund_full, refund_partial or reject")
    refunded: MoneyOut
    taken_back_from_store: MoneyOut = Field(
        description="Of the refund, what a settled order took back from the store's account."
    )
    decision_note: str
    created_at: datetime
    decided_at: datetime | None
    evidence: list[EvidenceOut]


class QueueItemOut(BaseModel):
    dispute: DisputeOut
    store_name: str
    buyer_name: str
    order_total: MoneyOut
    order_status: str
