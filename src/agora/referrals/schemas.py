"""Referral API responses."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field


class PersonOut(BaseModel):
    id: uuid.UUID
    display_name: str


class RewardOut(BaseModel):
    id: uuid.UUID
    referrer: PersonOut
    referee: PersonOut
    share_id: uuid.UUID
    order_id: uuid.UUID
    """The referee's first completed order, which decided the reward."""
    points: int
    status: str = Field(description="`granted`, `withheld` or `released`.")
    reasons: list[str] = Field(
        description="Fraud signals of a withheld reward: `self_referral`, `device_cluster`, "
        "`ip_cluster`."
    )
    created_at: datetime
    decided_at: datetime | None
    decided_by: PersonOut | None
    """The operator who released it (``null``: granted at once, or still withheld)."""


class RewardsOut(BaseModel):
    items: list[RewardOut]
    next_before: uuid.UUID | None
    """Pass as ``before`` for the next (older) page; ``null`` on the last page."""


class MyReferralOut(BaseModel):
    referee: PersonOut
    share_code: str
    channel: str
    signed_up_at: datetime
    status: str = Field(
        description="`waiting` (no completed order yet), `rewarded`, `under_review`."
    )
    points: int
    rewarded_at: datetime | None


class MyReferralsOut(BaseModel):
    items: list[MyReferralOut]
    next_before: uuid.UUID | None
    """Pass as ``before`` for the next (older) page; ``null`` on the last page."""
    friends: int
    rewarded: int
    under_review: int
    points: int
