"""The demo's customer service: Lin Mei's conversation with a store holds her question, her
order's card and the store's answer; Yunshang Fashion's inbox holds Zhao Yu's question about her
team order, which the store shipped by label — and a second seeding adds nothing."""

from __future__ import annotations

import uuid

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from agora import catalog, chat, ordering
from agora.chat.models import ConversationRow, MemberRow, MessageRow
from agora.core import security
from agora.core.uow import UnitOfWork
from agora.demo.catalog_data import FASHION
from agora.demo.seed import seed
from agora.demo.steps import principal
from agora.identity import User
from agora.logistics.models import ShipmentRow
from agora.ordering import shipping
from factories import demo_with


@pytest.fixture(autouse=True)
def _quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        security, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )
    # The group deals: Zhao Yu's team order at Yunshang Fashion is what she asks about.
    demo_with(monkeypatch, "seed_customer_service", "seed_groupbuy")


def _counts(uow: UnitOfWork) -> dict[str, int]:
    with uow.read() as session:
        return {
            model.__tablename__: int(session.scalar(select(func.count()).select_from(model)) or 0)
            for model in (ConversationRow, MemberRow, MessageRow)
        }


def test_lin_mei_has_a_store_conversation_with_an_order_card_and_an_answer(
    uow: UnitOfWork,
) -> None:
    first = seed(uow)
    counts = _counts(uow)
    again = seed(uow)

    assert first["store_chat_messages"] == 3 + 2 and again["store_chat_messages"] == 0
    assert _counts(uow) == counts
    with uow.read() as session:
        lin = session.scalar(select(User).where(User.email == "shopper@agora.demo"))
    assert lin is not None
    [store_chat] = [c for c in chat.list_conversations(uow, actor=principal(lin)) if c.store_id]
    messages = chat.history(uow, actor=principal(lin), conversation_id=store_chat.id)
    assert [m.kind for m in messages] == ["text", "order_card", "text"]
    assert messages[2].sender_id != lin.id  # the store answered
    assert store_chat.unread == 1


def test_yunshang_fashion_has_a_question_waiting_about_an_order_it_shipped_by_label(
    uow: UnitOfWork,
) -> None:
    seed(uow)
    shipped = _shipments(uow)
    seed(uow)

    assert _shipments(uow) == shipped  # the label is bought once
    with uow.read() as session:
        zhao = session.scalar(select(User).where(User.email == "zhao.yu@agora.demo"))
        store = session.scalar(select(catalog.Store).where(catalog.Store.slug == FASHION))
    assert zhao is not None and store is not None
    [store_chat] = [
        c for c in chat.list_conversations(uow, actor=principal(zhao)) if c.store_id == store.id
    ]
    messages = chat.history(uow, actor=principal(zhao), conversation_id=store_chat.id)
    assert [m.kind for m in messages] == ["text", "order_card"]
    order_id = uuid.UUID(str(messages[1].body["order_id"]))
    with uow.read() as session:
        order = session.get(ordering.Order, order_id)
    assert order is not None
    assert (order.store_id, order.buyer_id, order.status) == (store.id, zhao.id, "shipped")
    assert order_id in shipping.whereabouts(uow, [order_id])  # its label can be printed


def _shipments(uow: UnitOfWork) -> int:
    with uow.read() as session:
        return int(session.scalar(select(func.count()).select_from(ShipmentRow)) or 0)
