"""Points (PRODUCT.md E): a ledger asset earned on money paid, pending until the order completes,
then active for 12 months in lots; redeemed for a discount of at most half an order."""

from agora.points import jobs as _jobs
from agora.points.accounts import (
    PTS,
    active_of,
    expired_of,
    funding_of,
    issued_of,
    pending_of,
    redeemed_of,
)
from agora.points.errors import PointsAmountInvalid, PointsInsufficient, PointsOverLimit
from agora.points.lots import expire_due, grant
from agora.points.models import PointsLot, PointsOrder, PointsPlan
from agora.points.orders import (
    order_completed,
    order_paid,
    order_refunded,
    plan,
    planned,
    points_for,
    redeem,
    redeemable,
    split_discount,
)
from agora.points.service import (
    HistoryLine,
    LotView,
    PointsAudit,
    PointsSummary,
    audit,
    expiring_lots,
    history,
    my_summary,
    summary,
)

__all__ = [
    "PTS",
    "HistoryLine",
    "LotView",
    "PointsAmountInvalid",
    "PointsAudit",
    "PointsInsufficient",
    "PointsLot",
    "PointsOrder",
    "PointsOverLimit",
    "PointsPlan",
    "PointsSummary",
    "active_of",
    "audit",
    "expire_due",
    "expired_of",
    "expiring_lots",
    "funding_of",
    "grant",
    "history",
    "issued_of",
    "my_summary",
    "order_completed",
    "order_paid",
    "order_refunded",
    "pending_of",
    "plan",
    "planned",
    "points_for",
    "redeem",
    "redeemable",
    "redeemed_of",
    "split_discount",
    "summary",
]

del _jobs
