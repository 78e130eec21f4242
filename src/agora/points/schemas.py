"""Points API shapes. Points are counts (integers), money is ``{"amount", "currency"}``."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel

from agora.catalog.schemas import MoneyOut


class LotOut(BaseModel):
    id: uuid.UUID
    source: str
    """``order`` (earned), ``grant`` (a reward) or ``refund`` (points given back)."""
    amount: int
    remaining: int
    expires_at: datetime
    created_at: datetime


class PointsOut(BaseModel):
    active: int
    """Redeemable now."""
    pending: int
    """Earned on orders that have not completed yet."""
    worth: MoneyOut
    """What the active points take off an order (100 points = ¥1 by default)."""
    expiring_amount: int
    expiring_at: datetime | None
    """When the next lot expires, and how many points it still holds."""
    expiring_soon: list[LotOut]
    """Lots that expire within 30 days, soonest first."""
    max_redeem_share: str
    """The largest share of an order points may pay, e.g. ``"0.5"``."""


class HistoryLineOut(BaseModel):
    entry_id: int
    kind: str
    """points_earned, points_activated, points_redeemed, points_restored, points_reversed,
    points_expired or points_granted."""
    account: str
    """``active`` or ``pending``."""
    amount: int
    balance_after: int
    order_id: uuid.UUID | None
    reason: str
    created_at: datetime


class HistoryOut(BaseModel):
    items: list[HistoryLineOut]
    next_cursor: int | None
    """Pass as ``cursor`` for the next (older) page; ``null`` on the last page."""
