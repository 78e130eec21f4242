"""Feed endpoints: the signed-in shopper's "Guess you like" and "Friends bought", a product's
similar and bought-together items. A shopper's feeds are always their own: no endpoint takes a
user id."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import Query
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from agora import catalog
from agora.catalog.api import card_out
from agora.catalog.schemas import ProductCardOut
from agora.http.deps import Actor, Uow
from agora.http.routing import Router
from agora.recommendations import feeds
from agora.recommendations.serving import STORE

router = Router(prefix="/api/v1", tags=["recommendations"])
Limit = Annotated[int, Query(ge=1, le=50)]


class ReasonOut(BaseModel):
    code: str
    text: str
    args: dict[str, str]


class RecommendationOut(BaseModel):
    product: ProductCardOut
    score: float
    reason: ReasonOut


class FeedOut(BaseModel):
    items: list[RecommendationOut]
    model: str
    trained_at: datetime | None


def feed_out(recommendations: list[feeds.Recommendation]) -> FeedOut:
    snapshot = STORE.current()
    return FeedOut(
        items=[
            RecommendationOut(
                product=card_out(r.card),
                score=round(r.score, 6),
                reason=ReasonOut(
                    code=r.reason_code, text=feeds.reason_text(r), args=dict(r.reason_args)
                ),
            )
            for r in recommendations
            if r.card is not None
        ],
        model=snapshot.model,
        trained_at=snapshot.trained_at,
    )


@router.get("/recommendations/for-you", response_model=FeedOut)
def for_you(actor: Actor, uow: Uow, limit: Limit = 20) -> FeedOut:
    """Guess you like: picks from what I viewed and bought (with my personalised-
    recommendations consent), else what is popular; re-ranked by what I usually pay."""
    with uow.read() as session:
        return feed_out(feeds.guess_you_like(actor.user_id, limit, session=session))


@router.get("/recommendations/friends", response_model=FeedOut)
def friends(actor: Actor, uow: Uow, limit: Limit = 12) -> FeedOut:
    """What my friends bought and chose to share in a chat or their moments."""
    with uow.read() as session:
        return feed_out(feeds.friends_bought(session, actor.user_id, limit))


@router.get("/products/{product_id}/similar", response_model=FeedOut)
def similar(product_id: uuid.UUID, uow: Uow, limit: Limit = 12) -> FeedOut:
    """Products like this one, in stock; 404 for a product that does not exist."""
    with uow.read() as session:
        _exists(session, product_id)
        return feed_out(feeds.similar_items(product_id, limit, session=session))


@router.get("/products/{product_id}/bought-together", response_model=FeedOut)
def bought_together(product_id: uuid.UUID, uow: Uow, limit: Limit = 8) -> FeedOut:
    """Products its buyers paid for with it (same order or within days), in stock."""
    with uow.read() as session:
        _exists(session, product_id)
        return feed_out(feeds.bought_together(product_id, limit, session=session))


def _exists(session: Session, product_id: uuid.UUID) -> None:
    if session.scalar(select(catalog.Product.id).where(catalog.Product.id == product_id)) is None:
        raise catalog.ProductNotFound()
