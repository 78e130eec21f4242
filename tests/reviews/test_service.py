"""Reviews: one per delivered line within 30 days, the store's one reply, reports, and a rating
that is always a recount of the reviews."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from agora import ordering, reviews
from agora.core.clock import clock
from agora.core.errors import InvalidInput
from agora.ordering import OrderView
from ordering.world import World, buy, pay_wallet


def delivered(world: World, sku_id: uuid.UUID | None = None, quantity: int = 1) -> OrderView:
    """A paid order of the buyer's, shipped and delivered by its store."""
    world.fund(world.buyer_user, 100_000)
    order = buy(world, sku_id or world.red_coat, quantity)
    pay_wallet(world, order)
    staff = world.merchant_a if order.store_id == world.store_a.id else world.merchant_b
    ordering.ship_order(world.uow, actor=staff, order_id=order.id, tracking_number="SF1")
    return ordering.mark_delivered(world.uow, actor=staff, order_id=order.id)


def test_a_delivered_line_is_reviewed_once(world: World) -> None:
    order = delivered(world)
    line = order.lines[0]
    review = reviews.write_review(
        world.uow,
        actor=world.buyer,
        order_line_id=line.id,
        stars=5,
        text="  Warm and well made.  ",
        image_urls=["https://img.example.com/coat.jpg"],
    )
    assert (review.stars, review.text, review.variant) == (5, "Warm and well made.", "red · M")
    with pytest.raises(reviews.AlreadyReviewed):
        reviews.write_review(world.uow, actor=world.buyer, order_line_id=line.id, stars=1)
    rating = reviews.product_rating(world.uow, world.coat.product.id)
    assert (rating.count, rating.average, rating.by_stars[5], rating.with_images) == (1, 5.0, 1, 1)


def test_before_delivery_and_after_the_window_the_line_is_refused(world: World) -> None:
    world.fund(world.buyer_user, 100_000)
    order = buy(world, world.red_coat)
    pay_wallet(world, order)
    with pytest.raises(reviews.NotDeliveredYet):
        reviews.write_review(world.uow, actor=world.buyer, order_line_id=order.lines[0].id, stars=4)

    late = delivered(world, world.black_coat)
    clock.travel(reviews.WINDOW + timedelta(minutes=1))
    with pytest.raises(reviews.ReviewWindowClosed):
        reviews.write_review(world.uow, actor=world.buyer, order_line_id=late.lines[0].id, stars=4)
    assert reviews.product_rating(world.uow, world.coat.product.id).count == 0


def test_the_last_day_of_the_window_still_counts(world: World) -> None:
    order = delivered(world)
    clock.travel(reviews.WINDOW - timedelta(minutes=1))
    review = reviews.write_review(
        world.uow, actor=world.buyer, order_line_id=order.lines[0].id, stars=3
    )
    assert review.stars == 3


def test_someone_elses_line_is_not_found_and_bad_input_is_named(world: World) -> None:
    order = delivered(world)
    line_id = order.lines[0].id
    for actor in (world.other, world.merchant_a):
        with pytest.raises(reviews.LineNotFound):
            reviews.write_review(world.uow, actor=actor, order_line_id=line_id, stars=5)
    with pytest.raises(reviews.LineNotFound):
        reviews.write_review(world.uow, actor=world.buyer, order_line_id=uuid.uuid4(), stars=5)
    with pytest.raises(InvalidInput) as refused:
        reviews.write_review(
            world.uow,
            actor=world.buyer,
            order_line_id=line_id,
            stars=6,
            text="x" * 1001,
            image_urls=["javascript:alert(1)"],
        )
    fields = {e["field"] for e in refused.value.extra["errors"]}
    assert fields == {"stars", "text", "image_urls"}
    assert reviews.product_rating(world.uow, world.coat.product.id).count == 0


def test_the_store_replies_once_and_only_its_staff(world: World) -> None:
    order = delivered(world)
    review = reviews.write_review(
        world.uow, actor=world.buyer, order_line_id=order.lines[0].id, stars=4, text="Nice"
    )
    for outsider in (world.merchant_b, world.buyer, world.other):
        with pytest.raises(reviews.ReviewNotFound):
            reviews.reply_to_review(world.uow, actor=outsider, review_id=review.id, text="Hi")
    replied = reviews.reply_to_review(
        world.uow, actor=world.merchant_a, review_id=review.id, text="Thank you!"
    )
    assert replied.reply_text == "Thank you!" and replied.replied_at is not None
    with pytest.raises(reviews.AlreadyReplied):
        reviews.reply_to_review(world.uow, actor=world.merchant_a, review_id=review.id, text="2")
    [shown] = reviews.product_reviews(world.uow, world.coat.product.id)
    assert shown.reply_text == "Thank you!" and shown.author_name == "B***r"  # "Buyer", masked


def test_reports_count_once_per_shopper_and_never_ones_own(world: World) -> None:
    order = delivered(world)
    review = reviews.write_review(
        world.uow, actor=world.buyer, order_line_id=order.lines[0].id, stars=1, text="rude words"
    )
    with pytest.raises(reviews.OwnReview):
        reviews.report_review(world.uow, actor=world.buyer, review_id=review.id)
    assert reviews.report_review(world.uow, actor=world.other, review_id=review.id, reason="abuse")
    assert not reviews.report_review(world.uow, actor=world.other, review_id=review.id)
    with world.uow.read() as session:
        stored = session.get(reviews.Review, review.id)
        assert stored is not None and stored.reports == 1
        assert session.scalar(select(func.count()).select_from(reviews.ReviewReport)) == 1


def test_a_line_refunded_in_full_cannot_be_reviewed(world: World) -> None:
    order = delivered(world)
    refund = ordering.request_refund(world.uow, actor=world.buyer, order_id=order.id)
    ordering.accept_return(world.uow, actor=world.merchant_a, refund_id=refund.id)
    with pytest.raises(reviews.LineRefunded):
        reviews.write_review(world.uow, actor=world.buyer, order_line_id=order.lines[0].id, stars=2)


def test_filters_by_stars_and_images(world: World) -> None:
    stars = [5, 4, 5, 1]
    for n, count in enumerate(stars):
        order = delivered(world, world.red_coat if n % 2 else world.black_coat)
        reviews.write_review(
            world.uow,
            actor=world.buyer,
            order_line_id=order.lines[0].id,
            stars=count,
            image_urls=["https://img.example.com/a.jpg"] if count == 5 else [],
        )
    product = world.coat.product.id
    assert [r.stars for r in reviews.product_reviews(world.uow, product)] == [1, 5, 4, 5]
    assert [r.stars for r in reviews.product_reviews(world.uow, product, stars=5)] == [5, 5]
    assert len(reviews.product_reviews(world.uow, product, sort="images")) == 2
    rating = reviews.product_rating(world.uow, product)
    assert (rating.count, rating.average, rating.by_stars) == (
        4,
        3.8,
        {5: 2, 4: 1, 3: 0, 2: 0, 1: 1},
    )


def test_reviewers_are_named_by_their_first_and_last_letter_only() -> None:
    assert reviews.mask("Lin Mei") == "L***i"
    assert reviews.mask("王磊") == "王***磊"
    assert reviews.mask("X") == "*"
