"""Review endpoints: write one per delivered line, read a product's reviews and rating, the
store's reply, shoppers' reports."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from fastapi import Query, Response, status
from pydantic import BaseModel, Field, StrictInt

from agora import reviews
from agora.http.deps import Actor, Uow
from agora.http.routing import Router

router = Router(prefix="/api/v1", tags=["reviews"])


class ReviewIn(BaseModel):
    stars: StrictInt = Field(ge=1, le=5)
    text: str = Field(default="", max_length=1000)
    image_urls: list[Annotated[str, Field(max_length=500)]] = Field(default=[], max_length=6)


class ReplyIn(BaseModel):
    text: str = Field(min_length=1, max_length=500)


class ReportIn(BaseModel):
    reason: str = Field(default="", max_length=200)


class ReviewOut(BaseModel):
    id: uuid.UUID
    order_line_id: uuid.UUID
    product_id: uuid.UUID
    store_id: uuid.UUID
    author_name: str
    stars: int
    text: str
    image_urls: list[str]
    variant: str
    created_at: datetime
    reply_text: str | None
    replied_at: datetime | None


class RatingOut(BaseModel):
    count: int
    average: float | None
    by_stars: dict[int, int]
    with_images: int


def review_out(view: reviews.ReviewView) -> ReviewOut:
    return ReviewOut.model_validate(view, from_attributes=True)


@router.post(
    "/order-lines/{line_id}/review", status_code=status.HTTP_201_CREATED, response_model=ReviewOut
)
def write_review(line_id: uuid.UUID, body: ReviewIn, actor: Actor, uow: Uow) -> ReviewOut:
    """Review a line you bought, once it was delivered and for 30 days after: 409
    ``review_too_early``, ``review_window_closed``, ``review_exists``, ``review_line_refunded``;
    404 ``order_line_not_found`` for a line that is not yours."""
    return review_out(
        reviews.write_review(
            uow,
            actor=actor,
            order_line_id=line_id,
            stars=body.stars,
            text=body.text,
            image_urls=body.image_urls,
        )
    )


@router.get("/products/{product_id}/reviews", response_model=list[ReviewOut])
def product_reviews(
    product_id: uuid.UUID,
    uow: Uow,
    sort: Literal["newest", "images"] = "newest",
    stars: Annotated[int | None, Query(ge=1, le=5)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
) -> list[ReviewOut]:
    """A product's reviews, newest first; ``sort=images`` only those with images; ``stars``."""
    found = reviews.product_reviews(
        uow, product_id, sort=sort, stars=stars, limit=limit, offset=offset
    )
    return [review_out(r) for r in found]


@router.get("/products/{product_id}/rating", response_model=RatingOut)
def product_rating(product_id: uuid.UUID, uow: Uow) -> RatingOut:
    """The rating recounted from the product's reviews: count, average, count by stars."""
    rating = reviews.product_rating(uow, product_id)
    return RatingOut(
        count=rating.count,
        average=rating.average,
        by_stars=rating.by_stars,
        with_images=rating.with_images,
    )


@router.post("/reviews/{review_id}/reply", response_model=ReviewOut)
def reply(review_id: uuid.UUID, body: ReplyIn, actor: Actor, uow: Uow) -> ReviewOut:
    """The store's one reply (its staff): 409 ``review_replied`` the second time."""
    return review_out(
        reviews.reply_to_review(uow, actor=actor, review_id=review_id, text=body.text)
    )


@router.post("/reviews/{review_id}/reports", status_code=status.HTTP_204_NO_CONTENT)
def report(review_id: uuid.UUID, body: ReportIn, actor: Actor, uow: Uow) -> Response:
    """Report an abusive review (once per shopper; 409 ``review_own`` for your own)."""
    reviews.report_review(uow, actor=actor, review_id=review_id, reason=body.reason)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/stores/{store_id}/reviews", response_model=list[ReviewOut])
def store_reviews(
    store_id: uuid.UUID, actor: Actor, uow: Uow, unreplied: bool = False
) -> list[ReviewOut]:
    """The store's reviews for its staff (``unreplied=true``: waiting for a reply)."""
    found = reviews.store_reviews(uow, actor=actor, store_id=store_id, unreplied=unreplied)
    return [review_out(r) for r in found]
