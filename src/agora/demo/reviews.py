"""The demo's reviews: the demo shoppers review what was delivered to them, and the stores reply
to some — so product pages show ratings, stars, photos and replies on first run.

Each review is written once through ``agora.reviews`` as the buyer, recorded as a step under the
buyer's scope keyed by the order line (demo/steps.py); each reply likewise under the merchant's.
A line that can no longer be reviewed (refunded, or delivered too long ago) is skipped.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from agora import catalog, reviews
from agora.core.errors import AgoraError
from agora.core.uow import UnitOfWork
from agora.demo.steps import principal, run_once, store_owner
from agora.identity import User
from agora.ordering import Order, OrderLine
from agora.ordering.domain import COMPLETED, DELIVERED

STEP_PREFIX = "agora-demo:reviews:"

# What the demo shoppers wrote, by the order they are met in; every other one gets a reply.
WORDS: tuple[tuple[int, str, bool], ...] = (
    (5, "Exactly as pictured, and it arrived in two days. 包装很用心！", True),
    (4, "Good quality for the price. The colour is a little darker than on screen.", False),
    (5, "第二次回购了，质量一如既往地好。", True),
    (3, "Fine, but the size runs small: order one up.", False),
    (5, "My friend in the group recommended it — she was right.", True),
    (4, "做工不错，发货很快。", False),
)
REPLIES = (
    "Thank you for shopping with us! 谢谢亲的支持～",
    "Thanks for the kind words — see you again soon.",
)


def seed_reviews(
    uow: UnitOfWork,
    *,
    shoppers: Mapping[str, User],
    stores: Mapping[str, catalog.Store],
    password: str,
) -> dict[str, Any]:
    """Reviews of delivered lines by the demo shoppers, and some replies; how many were added."""
    by_id = {user.id: user for user in shoppers.values()}
    with uow.read() as session:
        lines = session.execute(
            select(OrderLine.id, OrderLine.image_url, Order.buyer_id, Order.store_id)
            .join(Order, Order.id == OrderLine.order_id)
            .where(
                Order.status.in_((DELIVERED, COMPLETED)),
                Order.buyer_id.in_(list(by_id)),
                OrderLine.refunded_quantity < OrderLine.quantity,
            )
            .order_by(Order.created_at, OrderLine.position)
        ).all()
    added = {"reviews": 0, "review_replies": 0}
    for n, (line_id, image_url, buyer_id, store_id) in enumerate(lines):
        stars, text, with_photo = WORDS[n % len(WORDS)]
        buyer = principal(by_id[buyer_id])

        def write(
            buyer: Any = buyer,
            line_id: Any = line_id,
            stars: int = stars,
            text: str = text,
            photos: list[str] = [image_url] if with_photo else [],
        ) -> dict[str, Any]:
            try:
                review = reviews.write_review(
                    uow,
                    actor=buyer,
                    order_line_id=line_id,
                    stars=stars,
                    text=text,
                    image_urls=photos,
                )
            except AgoraError as refused:  # refunded or out of its window since: nothing to do
                return {"skipped": refused.code}
            return {"review_id": str(review.id)}

        ran, outcome = run_once(uow, buyer, f"{STEP_PREFIX}{line_id}", write)
        if not ran or "review_id" not in outcome:
            continue
        added["reviews"] += 1
        if n % 2 == 0:
            merchant = store_owner(uow, store_id)
            review_id = outcome["review_id"]

            def reply(
                merchant: Any = merchant,
                review_id: str = review_id,
                text: str = REPLIES[n % 4 // 2],
            ) -> dict[str, str]:
                reviews.reply_to_review(
                    uow, actor=merchant, review_id=uuid.UUID(review_id), text=text
                )
                return {"review_id": review_id}

            if run_once(uow, merchant, f"{STEP_PREFIX}reply:{review_id}", reply)[0]:
                added["review_replies"] += 1
    return added
