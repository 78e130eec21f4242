"""Demo customer service: Lin Mei asks the store of her latest order on its way where it is, sends
the order's card, and the store answers (its owner, shown to her as the store). Idempotent: the
conversation is one per shopper and store, and every message has a fixed client id, so a re-run
sends nothing twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from agora import catalog, chat, customer_service, ordering
from agora.core.uow import UnitOfWork
from agora.demo.steps import principal, store_owner
from agora.identity import User

SHOPPER = "shopper@agora.demo"  # Lin Mei
ON_ITS_WAY = ("shipped", "paid", "delivered")

ASK = "Hi! When will my order arrive? 请问我的订单什么时候到？"
ANSWER = "It left our warehouse yesterday — 1 to 2 days more. 已发货，预计 1–2 天送达。"


def _latest_order(uow: UnitOfWork, buyer: User) -> ordering.Order | None:
    """Her latest order on its way (else her latest order)."""
    with uow.read() as session:
        mine = (
            select(ordering.Order)
            .where(ordering.Order.buyer_id == buyer.id)
            .order_by(ordering.Order.created_at.desc(), ordering.Order.id.desc())
            .limit(1)
        )
        return session.scalar(mine.where(ordering.Order.status.in_(ON_ITS_WAY))) or session.scalar(
            mine
        )


def seed_customer_service(
    uow: UnitOfWork,
    *,
    shoppers: Mapping[str, User],
    stores: Mapping[str, catalog.Store],
    password: str,
) -> dict[str, Any]:
    """How many store messages this run sent (0 on a re-run)."""
    lin = shoppers[SHOPPER]
    order = _latest_order(uow, lin)
    if order is None:
        return {"store_chat_messages": 0}
    shopper = principal(lin)
    merchant = store_owner(uow, order.store_id)
    conversation = customer_service.open_store_chat(uow, actor=shopper, store_id=order.store_id)
    before = conversation.last_seq
    chat.send_message(
        uow,
        actor=shopper,
        conversation_id=conversation.id,
        kind="text",
        body={"text": ASK},
        client_id="demo:cs-ask",
    )
    customer_service.send_order_card(
        uow,
        actor=shopper,
        conversation_id=conversation.id,
        order_id=order.id,
        client_id="demo:cs-card",
    )
    last = chat.send_message(
        uow,
        actor=merchant,
        conversation_id=conversation.id,
        kind="text",
        body={"text": ANSWER},
        client_id="demo:cs-answer",
    )
    return {"store_chat_messages": max(0, last.seq - before)}
