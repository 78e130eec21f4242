"""The demo's assistant: Lin Mei has it on, and her chat with Chen Jing about a coat opens with red
coats beside it; Chen sees nothing of it; a second seeding adds nothing."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from agora import chat
from agora.assistant import service
from agora.core import security
from agora.core.uow import UnitOfWork
from agora.demo.seed import seed
from agora.demo.steps import principal
from agora.identity import User
from assistant.coats import states
from factories import demo_with


@pytest.fixture(autouse=True)
def _quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        security, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )
    demo_with(monkeypatch, "seed_assistant")


def test_lin_mei_sees_red_coats_beside_her_chat_about_a_coat(uow: UnitOfWork) -> None:
    first = seed(uow)
    again = seed(uow)

    # The consent may come on with the privacy demo first; either way it is on once.
    assert (first["assistant_messages"], again["assistant_messages"]) == (4, 0)
    assert again["assistant_switched_on"] == 0
    assert states(uow.db) == 1
    with uow.read() as session:
        lin, chen = (
            session.scalar(select(User).where(User.email == email))
            for email in ("shopper@agora.demo", "chen.jing@agora.demo")
        )
    assert lin is not None and chen is not None
    conversation = chat.direct_conversation(uow, actor=principal(lin), other_user_id=chen.id)
    view = service.assistant_view(uow, actor=principal(lin), conversation_id=conversation.id)
    assert [chip.key for chip in view.parts] == ["category", "colour:red"]
    assert [chip.label_en for chip in view.parts] == ["Coats", "red"]
    assert view.cards and {card.colour for card in view.cards} == {"red"}
    friend = service.assistant_view(uow, actor=principal(chen), conversation_id=conversation.id)
    assert (friend.enabled, friend.parts, friend.cards) == (False, (), ())
