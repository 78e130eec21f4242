"""Demo customer service: Lin Mei asks the store of her latest order on its way where it is, sends
the order's card, and the store answers (its owner, shown to her as the store). And Yunshang
Fashion — the store whose merchant the tour signs in as — has a question waiting in its inbox:
Zhao Yu's hoodie from her completed team is on its way (the store bought its label, so the label
is there to print again) and she asks when it arrives, with the order's card.

Idempotent: the conversation is one per shopper and store, every message has a fixed client id,
and the label is bought in a step run once (demo/steps.py), so a re-run sends and ships nothing
twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select, true

from agora import catalog, chat, customer_service, ordering
from agora.core.uow import UnitOfWork
from agora.demo.catalog_data import FASHION
from agora.demo.steps import principal, run_once, store_owner
from agora.identity import User
from agora.logistics import carriers
from agora.ordering import shipping

SHOPPER = "shopper@agora.demo"  # Lin Mei
ZHAO = "zhao.yu@agora.demo"  # her team's hoodie came from Yunshang Fashion (demo/groupbuy.py)
ON_ITS_WAY = ("shipped", "paid", "delivered")

ASK = "Hi! When will my order arrive? 请问我的订单什么时候到？"
ANSWER = "It left our warehouse yesterday — 1 to 2 days more. 已发货，预计 1–2 天送达。"
ASK_FASHION = "Hello, my hoodie has shipped — when will it arrive? 卫衣已发货，大概几号到？"


def _latest_order(
    uow: UnitOfWork, buyer: User, store: catalog.Store | None = None
) -> ordering.Order | None:
    """Their latest order on its way (else their latest order), at ``store`` if given."""
    with uow.read() as session:
        mine = (
            select(ordering.Order)
            .where(ordering.Order.buyer_id == buyer.id)
            .where(ordering.Order.store_id == store.id if store else true())
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
    sent = _lin_asks(uow, shoppers[SHOPPER])
    if ZHAO in shoppers and FASHION in stores:
        sent += _zhao_asks_fashion(uow, shoppers[ZHAO], stores[FASHION])
    return {"store_chat_messages": sent}


def _zhao_asks_fashion(uow: UnitOfWork, zhao: User, store: catalog.Store) -> int:
    """Yunshang Fashion ships Zhao Yu's order by label (once), and she asks about it."""
    order = _latest_order(uow, zhao, store)
    if order is None or order.status not in ON_ITS_WAY:
        return 0
    merchant = store_owner(uow, store.id)
    if order.status == "paid":

        def ship() -> dict[str, str]:
            shipping.ship_by_label(uow, actor=merchant, order_id=order.id)
            shipping.sandbox_advance(uow, order_id=order.id, until=carriers.IN_TRANSIT)
            return {"order_id": str(order.id)}

        run_once(uow, merchant, f"agora-demo:cs:ship:{order.id}", ship)
    _, before, last = _ask_about(uow, zhao, order, ASK_FASHION, key="cs-fashion")
    return max(0, last - before)


def _lin_asks(uow: UnitOfWork, lin: User) -> int:
    order = _latest_order(uow, lin)
    if order is None:
        return 0
    merchant = store_owner(uow, order.store_id)
    conversation_id, before, _ = _ask_about(uow, lin, order, ASK, key="cs")
    last = chat.send_message(
        uow,
        actor=merchant,
        conversation_id=conversation_id,
        kind="text",
        body={"text": ANSWER},
        client_id="demo:cs-answer",
    )
    return max(0, last.seq - before)


def _ask_about(
    uow: UnitOfWork, buyer: User, order: ordering.Order, text: str, *, key: str
) -> tuple[uuid.UUID, int, int]:
    """``buyer`` asks the order's store ``text`` and sends the order's card (client ids
    ``demo:{key}-ask`` and ``demo:{key}-card``, so a re-run sends neither twice): the
    conversation, its last message number before the question, and the card's number."""
    shopper = principal(buyer)
    conversation = customer_service.open_store_chat(uow, actor=shopper, store_id=order.store_id)
    chat.send_message(
        uow,
        actor=shopper,
        conversation_id=conversation.id,
        kind="text",
        body={"text": text},
        client_id=f"demo:{key}-ask",
    )
    card = customer_service.send_order_card(
        uow,
        actor=shopper,
        conversation_id=conversation.id,
        order_id=order.id,
        client_id=f"demo:{key}-card",
    )
    return conversation.id, conversation.last_seq, card.seq
