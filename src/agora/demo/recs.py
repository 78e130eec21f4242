"""The demo's recommenders: trained once the demo's behaviour events and orders are in, so the
first run's home page and product pages show personal feeds for the demo shoppers.

Before training, two of Lin Mei's friends share something they bought on their moments (not into
a chat: the demo's conversations stay as the other tours expect them), so her "Friends bought"
row has what friends chose to share.

The model file follows the database (``Settings.recs_model_file``: beside the SQLite file), so
the demo, the tests and the benches never read one another's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from agora import ordering, sharing
from agora.core.uow import UnitOfWork
from agora.demo.steps import principal
from agora.identity import User
from agora.recommendations.training import train

LIN = "shopper@agora.demo"
# (friend, where they share what they last bought)
SHARERS = (("chen.jing@agora.demo", "moments"), ("wang.lei@agora.demo", "moments"))


def train_demo(uow: UnitOfWork, path: Path) -> dict[str, Any]:
    """Share the friends' purchases (once), train on what the demo recorded and write ``path``;
    what was chosen, for the summary."""
    shared = _share_purchases(uow)
    report = train(uow, path)
    return {
        "purchases_shared_with_friends": shared,
        "recommender": report.model,
        "recommender_validation_recall_at_20": report.validation,
        "recommender_shoppers": report.users,
        "recommender_items": report.items,
        "recommender_file": str(report.path),
    }


def _share_purchases(uow: UnitOfWork) -> int:
    with uow.read() as session:
        people = {
            user.email: user
            for user in session.scalars(
                select(User).where(User.email.in_([LIN, *(e for e, _ in SHARERS)]))
            )
        }
    lin = people.get(LIN)
    shared = 0
    for email, channel in SHARERS:
        friend = people.get(email)
        if lin is None or friend is None:
            continue
        with uow.read() as session:
            bought = session.scalar(
                select(ordering.OrderLine.product_id)
                .join(ordering.Order, ordering.Order.id == ordering.OrderLine.order_id)
                .where(ordering.Order.buyer_id == friend.id, ordering.Order.paid_at.is_not(None))
                .order_by(ordering.Order.paid_at.desc(), ordering.OrderLine.position)
                .limit(1)
            )
            done = bought is not None and session.scalar(
                select(sharing.Share.id).where(
                    sharing.Share.sharer_id == friend.id,
                    sharing.Share.target_id == bought,
                    sharing.Share.channel == channel,
                )
            )
        if bought is None or done:
            continue  # nothing bought yet, or shared on an earlier run
        sharing.share_to(
            uow,
            actor=principal(friend),
            target_type=sharing.PRODUCT,
            target_id=bought,
            channel=channel,
        )
        shared += 1
    return shared
