"""Store reputation (PRODUCT.md R): each store's rating, on-time shipping rate and return rate
over the last 90 days, recounted by a periodic job from the orders and reviews and read from
one row per store."""

from agora.reputation import jobs as _jobs
from agora.reputation.domain import WINDOW, WINDOW_DAYS
from agora.reputation.jobs import EVERY, RECOMPUTE
from agora.reputation.models import StoreReputation
from agora.reputation.service import Reputation, recompute_reputation, store_reputation

__all__ = [
    "EVERY",
    "RECOMPUTE",
    "WINDOW",
    "WINDOW_DAYS",
    "Reputation",
    "StoreReputation",
    "recompute_reputation",
    "store_reputation",
]

del _jobs
