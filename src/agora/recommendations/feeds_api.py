"""Feed endpoints: the signed-in shopper's "Guess you like" and "Friends bought", a product's
similar and bought-together items. A shopper's feeds are always their own: no endpoint takes a
user id."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from fastapi import Query, Request, Response
from pydantic import BaseModel, TypeAdapter
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from agora import catalog
from agora.catalog.api import card_out
from agora.catalog.schemas import ProductCardOut
from agora.core.prepared import Prepared
from agora.http.deps import Actor, get_uow
from agora.http.lean import lean
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


# The feeds are the home and product pages' most frequent API reads: lean endpoints (http/lean.py)
# that cross into a thread once for their statements and send the feed serialised once, by the
# response model's own serializer, instead of validating it again on the way out.


@router.get("/recommendations/for-you", response_model=FeedOut)
@lean
async def for_you(actor: Actor, request: Request, limit: Limit = 20) -> Response:
    """Guess you like: picks from what I viewed and bought (with my personalised-
    recommendations consent), else what is popular; re-ranked by what I usually pay."""
    user_id = actor.user_id
    return await _answer(request, lambda s: feeds.guess_you_like(user_id, limit, session=s))


@router.get("/recommendations/friends", response_model=FeedOut)
@lean
async def friends(actor: Actor, request: Request, limit: Limit = 12) -> Response:
    """What my friends bought and chose to share in a chat or their moments."""
    user_id = actor.user_id
    return await _answer(request, lambda s: feeds.friends_bought(s, user_id, limit))


@router.get("/products/{product_id}/similar", response_model=FeedOut)
@lean
async def similar(product_id: uuid.UUID, request: Request, limit: Limit = 12) -> Response:
    """Products like this one, in stock; 404 for a product that does not exist."""

    def build(session: Session) -> list[feeds.Recommendation]:
        _exists(session, product_id)
        return feeds.similar_items(product_id, limit, session=session)

    return await _answer(request, build)


@router.get("/products/{product_id}/bought-together", response_model=FeedOut)
@lean
async def bought_together(product_id: uuid.UUID, request: Request, limit: Limit = 8) -> Response:
    """Products its buyers paid for with it (same order or within days), in stock."""

    def build(session: Session) -> list[feeds.Recommendation]:
        _exists(session, product_id)
        return feeds.bought_together(product_id, limit, session=session)

    return await _answer(request, build)


async def _answer(
    request: Request, build: Callable[[Session], list[feeds.Recommendation]]
) -> Response:
    uow = get_uow(request)

    def read() -> bytes:
        with uow.read() as session:
            return _FEED.dump_json(feed_out(build(session)))

    return Response(await run_in_threadpool(read), media_type="application/json")


_FEED = TypeAdapter(FeedOut)
_PRODUCT_EXISTS = Prepared(
    select(catalog.Product.id).where(catalog.Product.id == bindparam("product_id"))
)


def _exists(session: Session, product_id: uuid.UUID) -> None:
    """404 for a product that does not exist (a product the model knows did exist, and
    products are never deleted, only taken off sale: no statement for those)."""
    if product_id in STORE.current().item_row:
        return
    if _PRODUCT_EXISTS.scalar(session, {"product_id": product_id}) is None:
        raise catalog.ProductNotFound()
