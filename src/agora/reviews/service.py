"""Reviews and ratings (PRODUCT.md R): a buyer reviews each delivered line once, within 30 days
of delivery; the store replies once; shoppers report abuse; a product's rating is a recount of
its reviews.

Who may do what is checked here, against the order: the buyer of the line reviews it, the staff
of the review's store reply. Anyone else's attempt is "not found". One review per line is the
unique line (a second submission inserts nothing and is refused); one reply per review is a
guarded UPDATE (``reply_text IS NULL``); one report per shopper and review is the report's key.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Integer, func, select, update
from sqlalchemy.orm import Session

from agora.catalog import StoreStaff
from agora.core.clock import utcnow
from agora.core.db import upsert_insert
from agora.core.errors import InvalidInput
from agora.core.i18n import gettext as _
from agora.core.ids import new_id
from agora.core.uow import UnitOfWork
from agora.identity import Principal, User
from agora.ordering import Order, OrderLine
from agora.ordering.domain import COMPLETED, DELIVERED
from agora.reviews.errors import (
    AlreadyReplied,
    AlreadyReviewed,
    LineNotFound,
    LineRefunded,
    NotDeliveredYet,
    OwnReview,
    ReviewNotFound,
    ReviewWindowClosed,
)
from agora.reviews.models import Review, ReviewReport

WINDOW = timedelta(days=30)
MAX_TEXT = 1000
MAX_IMAGES = 6
MAX_REPLY = 500
PAGE = 20
SORTS = ("newest", "images")


@dataclass(frozen=True, slots=True)
class ReviewView:
    id: uuid.UUID
    order_line_id: uuid.UUID
    product_id: uuid.UUID
    store_id: uuid.UUID
    author_name: str
    """Masked ("L***i") everywhere but to the author."""
    stars: int
    text: str
    image_urls: list[str]
    variant: str
    created_at: datetime
    reply_text: str | None
    replied_at: datetime | None


@dataclass(frozen=True, slots=True)
class Rating:
    """A product's rating, recounted from its reviews."""

    count: int
    average: float | None
    """One decimal, None without reviews."""
    by_stars: dict[int, int]
    with_images: int


def write_review(
    uow: UnitOfWork,
    *,
    actor: Principal,
    order_line_id: uuid.UUID,
    stars: int,
    text: str = "",
    image_urls: list[str] | None = None,
) -> ReviewView:
    """Review a line the actor bought, once it was delivered and for 30 days after.

    Raises:
        LineNotFound (404, not the actor's line); InvalidInput (stars, text, images);
        NotDeliveredYet, ReviewWindowClosed, LineRefunded, AlreadyReviewed (409).
    """
    text, images = _checked(stars, text, image_urls or [])
    with uow:
        session = uow.session
        found = session.execute(
            select(OrderLine, Order)
            .join(Order, Order.id == OrderLine.order_id)
            .where(OrderLine.id == order_line_id)
        ).first()
        if found is None or found[1].buyer_id != actor.user_id:
            raise LineNotFound()
        line, order = found
        now = utcnow()
        if line.refunded_quantity >= line.quantity:
            raise LineRefunded()
        if order.status not in (DELIVERED, COMPLETED) or order.delivered_at is None:
            raise NotDeliveredYet()
        if now > order.delivered_at + WINDOW:
            raise ReviewWindowClosed()
        review_id = new_id()
        inserted = session.execute(
            upsert_insert(session, Review)
            .values(
                id=review_id,
                order_line_id=line.id,
                order_id=order.id,
                product_id=line.product_id,
                store_id=order.store_id,
                author_id=actor.user_id,
                stars=stars,
                text=text,
                image_urls=images,
                has_images=bool(images),
                variant=" · ".join(part for part in (line.colour, line.size) if part),
                created_at=now,
                reports=0,
            )
            .on_conflict_do_nothing(index_elements=["order_line_id"])
            .returning(Review.id)
        ).first()
        if inserted is None:
            raise AlreadyReviewed()
        return _view(session.get_one(Review, review_id), actor.display_name)


def reply_to_review(
    uow: UnitOfWork, *, actor: Principal, review_id: uuid.UUID, text: str
) -> ReviewView:
    """The store's one reply (its staff only; anyone else: ReviewNotFound)."""
    text = text.strip()
    if not text or len(text) > MAX_REPLY:
        raise InvalidInput(
            errors=[{"field": "text", "message": _("Write a reply of up to 500 characters.")}]
        )
    with uow:
        session = uow.session
        review = session.get(Review, review_id)
        if review is None or not _is_staff(session, actor, review.store_id):
            raise ReviewNotFound()
        replied = session.execute(
            update(Review)
            .where(Review.id == review_id, Review.reply_text.is_(None))
            .values(reply_text=text, reply_by=actor.user_id, replied_at=utcnow())
            .returning(Review.id)
        ).first()
        if replied is None:
            raise AlreadyReplied()
        session.expire(review)
        return _view(review, _author_name(session, review.author_id))


def report_review(
    uow: UnitOfWork, *, actor: Principal, review_id: uuid.UUID, reason: str = ""
) -> bool:
    """Report an abusive review; ``False`` when this shopper had reported it already."""
    with uow:
        session = uow.session
        review = session.get(Review, review_id)
        if review is None:
            raise ReviewNotFound()
        if review.author_id == actor.user_id:
            raise OwnReview()
        added = session.execute(
            upsert_insert(session, ReviewReport)
            .values(
                review_id=review_id,
                reporter_id=actor.user_id,
                reason=reason.strip()[:200],
                created_at=utcnow(),
            )
            .on_conflict_do_nothing(index_elements=["review_id", "reporter_id"])
            .returning(ReviewReport.review_id)
        ).first()
        if added is None:
            return False
        session.execute(
            update(Review).where(Review.id == review_id).values(reports=Review.reports + 1)
        )
        return True


def product_reviews(
    uow: UnitOfWork,
    product_id: uuid.UUID,
    *,
    sort: str = "newest",
    stars: int | None = None,
    limit: int = PAGE,
    offset: int = 0,
) -> list[ReviewView]:
    """A product's reviews: newest first, or those with images; or of one star count."""
    query = (
        select(Review, User.display_name)
        .join(User, User.id == Review.author_id)
        .where(Review.product_id == product_id)
    )
    if sort == "images":
        query = query.where(Review.has_images.is_(True))
    if stars is not None:
        query = query.where(Review.stars == stars)
    query = query.order_by(Review.created_at.desc(), Review.id.desc()).limit(limit).offset(offset)
    with uow.read() as session:
        return [_view(review, mask(name)) for review, name in session.execute(query).all()]


def product_rating(uow: UnitOfWork, product_id: uuid.UUID) -> Rating:
    with uow.read() as session:
        rows = session.execute(
            select(Review.stars, func.count(), func.sum(func.cast(Review.has_images, Integer)))
            .where(Review.product_id == product_id)
            .group_by(Review.stars)
        ).all()
    by_stars = {n: 0 for n in range(5, 0, -1)}
    with_images = 0
    for stars, count, images in rows:
        by_stars[int(stars)] = int(count)
        with_images += int(images or 0)
    count = sum(by_stars.values())
    total = sum(stars * n for stars, n in by_stars.items())
    average = round(total / count, 1) if count else None
    return Rating(count=count, average=average, by_stars=by_stars, with_images=with_images)


def store_reviews(
    uow: UnitOfWork,
    *,
    actor: Principal,
    store_id: uuid.UUID,
    unreplied: bool = False,
    limit: int = 50,
) -> list[ReviewView]:
    """A store's reviews for its staff, newest first (or only those waiting for a reply)."""
    with uow.read() as session:
        if not _is_staff(session, actor, store_id):
            raise ReviewNotFound()
        query = (
            select(Review, User.display_name)
            .join(User, User.id == Review.author_id)
            .where(Review.store_id == store_id)
        )
        if unreplied:
            query = query.where(Review.reply_text.is_(None))
        query = query.order_by(Review.created_at.desc(), Review.id.desc()).limit(limit)
        return [_view(review, mask(name)) for review, name in session.execute(query).all()]


def reviews_of_order(
    uow: UnitOfWork, *, actor: Principal, order_id: uuid.UUID
) -> dict[uuid.UUID, ReviewView]:
    """The buyer's reviews of an order's lines, by line."""
    with uow.read() as session:
        rows = session.scalars(
            select(Review).where(Review.order_id == order_id, Review.author_id == actor.user_id)
        ).all()
        return {review.order_line_id: _view(review, actor.display_name) for review in rows}


def can_review(order: Any, now: datetime | None = None) -> bool:
    """Whether an order (a row or a view with ``status`` and ``delivered_at``) takes reviews."""
    if order.status not in (DELIVERED, COMPLETED) or order.delivered_at is None:
        return False
    delivered: datetime = order.delivered_at
    return (now or utcnow()) <= delivered + WINDOW


def mask(name: str) -> str:
    """A reviewer's name as other shoppers see it: "Lin Mei" → "L***i"."""
    name = name.strip()
    if len(name) <= 1:
        return "*"
    return f"{name[0]}***{name[-1]}"


def _checked(stars: int, text: str, image_urls: list[str]) -> tuple[str, list[str]]:
    errors: list[dict[str, str]] = []
    if not isinstance(stars, int) or isinstance(stars, bool) or not 1 <= stars <= 5:
        errors.append({"field": "stars", "message": _("Give 1 to 5 stars.")})
    text = (text or "").strip()
    if len(text) > MAX_TEXT:
        errors.append({"field": "text", "message": _("Up to 1,000 characters.")})
    images = [url.strip() for url in image_urls if url and url.strip()]
    if len(images) > MAX_IMAGES or not all(_is_web_url(url) for url in images):
        errors.append(
            {"field": "image_urls", "message": _("Up to 6 image links, each http:// or https://.")}
        )
    if errors:
        raise InvalidInput(errors=errors)
    return text, images


def _is_web_url(url: str) -> bool:
    """An image link: http(s) anywhere, or a path on this site (a product's own picture)."""
    if len(url) > 500:
        return False
    if url.startswith("/") and not url.startswith("//"):
        return True
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _is_staff(session: Session, actor: Principal, store_id: uuid.UUID) -> bool:
    return session.get(StoreStaff, (store_id, actor.user_id)) is not None


def _author_name(session: Session, author_id: uuid.UUID) -> str:
    return mask(session.scalar(select(User.display_name).where(User.id == author_id)) or "")


def _view(review: Review, author_name: str) -> ReviewView:
    return ReviewView(
        id=review.id,
        order_line_id=review.order_line_id,
        product_id=review.product_id,
        store_id=review.store_id,
        author_name=author_name,
        stars=review.stars,
        text=review.text,
        image_urls=list(review.image_urls or []),
        variant=review.variant,
        created_at=review.created_at,
        reply_text=review.reply_text,
        replied_at=review.replied_at,
    )
