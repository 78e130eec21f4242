"""Reputation endpoint: a store's figures as the job last computed them."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel

from agora import reputation
from agora.http.deps import Uow
from agora.http.routing import Router

router = Router(prefix="/api/v1", tags=["reputation"])


class RatingFigureOut(BaseModel):
    average: float | None
    """Average stars (two decimals); null: no review in the window."""
    reviews: int


class OnTimeFigureOut(BaseModel):
    percent: str | None
    """Share shipped within the store's promise, e.g. ``"95.24"``; null: no order decided."""
    orders: int
    on_time: int


class ReturnFigureOut(BaseModel):
    percent: str | None
    """Share of delivered orders returned, e.g. ``"4.17"``; null: none delivered."""
    delivered: int
    returned: int


class CounterfeitFigureOut(BaseModel):
    complaints: int
    """"Not genuine" complaints an operator decided in the window."""
    upheld: int
    """Of them, upheld (refunded in full or in part)."""


class ReputationOut(BaseModel):
    store_id: uuid.UUID
    window_days: int
    computed_at: datetime | None
    """Null until the job has counted this store: every figure is then null too."""
    rating: RatingFigureOut | None
    on_time_shipping: OnTimeFigureOut | None
    returns: ReturnFigureOut | None
    counterfeit_complaints: CounterfeitFigureOut | None


def reputation_out(found: reputation.Reputation) -> ReputationOut:
    if not found.computed:
        return ReputationOut(
            store_id=found.store_id,
            window_days=found.window_days,
            computed_at=None,
            rating=None,
            on_time_shipping=None,
            returns=None,
            counterfeit_complaints=None,
        )
    return ReputationOut(
        store_id=found.store_id,
        window_days=found.window_days,
        computed_at=found.computed_at,
        rating=RatingFigureOut(
            average=None if found.rating is None else float(found.rating),
            reviews=found.reviews,
        ),
        on_time_shipping=OnTimeFigureOut(
            percent=None if found.on_time_percent is None else str(found.on_time_percent),
            orders=found.judged_orders,
            on_time=found.on_time_orders,
        ),
        returns=ReturnFigureOut(
            percent=None if found.return_percent is None else str(found.return_percent),
            delivered=found.delivered_orders,
            returned=found.returned_orders,
        ),
        counterfeit_complaints=CounterfeitFigureOut(
            complaints=found.counterfeit_complaints, upheld=found.counterfeit_upheld
        ),
    )


@router.get("/stores/{store_id}/reputation", response_model=ReputationOut)
def store_reputation(store_id: uuid.UUID, uow: Uow) -> ReputationOut:
    """The store's rating, on-time shipping, return rate and counterfeit complaints upheld over
    the last 90 days, with the counts behind each, as last computed (every 15 minutes); 404
    ``store_not_found``."""
    return reputation_out(reputation.store_reputation(uow, store_id))
