"""The demo's customer service: Lin Mei's conversation with a store holds her question, her
order's card and the store's answer — and a second seeding adds nothing."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from agora import chat
from agora.chat.models import ConversationRow, MemberRow, MessageRow
from agora.core import security
from agora.core.uow import UnitOfWork
from agora.demo.seed import seed
from agora.demo.steps import principal
from agora.identity import User
from factories import demo_with


@pytest.fixture(autouse=True)
def _quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        security, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )
    demo_with(monkeypatch, "seed_customer_service")


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

    assert first["store_chat_messages"] == 3 and again["store_chat_messages"] == 0
    assert _counts(uow) == counts
    with uow.read() as session:
        lin = session.scalar(select(User).where(User.email == "shopper@agora.demo"))
    assert lin is not None
    [store_chat] = [c for c in chat.list_conversations(uow, actor=principal(lin)) if c.store_id]
    messages = chat.history(uow, actor=principal(lin), conversation_id=store_chat.id)
    assert [m.kind for m in messages] == ["text", "order_card", "text"]
    assert messages[2].sender_id != lin.id  # the store answered
    assert store_chat.unread == 1
