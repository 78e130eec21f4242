"""What chat refuses, with nothing changed afterwards: outsiders, blocks, someone else's message,
a recall too late, a non-friend."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from agora import chat, social
from agora.chat.models import ConversationRow, MessageRow
from agora.core.clock import clock, utcnow
from agora.core.errors import NotFound
from agora.core.uow import UnitOfWork
from chat.conftest import Trio


def count(uow: UnitOfWork, table: type) -> int:  # type: ignore[type-arg]
    with uow.read() as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)


def say(uow: UnitOfWork, actor, conversation_id, words: str = "hi"):  # type: ignore[no-untyped-def]
    return chat.send_message(
        uow,
        actor=actor,
        conversation_id=conversation_id,
        kind="text",
        body={"text": words},
        client_id=uuid.uuid4().hex,
    )


def test_an_outsider_can_neither_read_nor_post_nor_touch_a_conversation(
    uow: UnitOfWork, trio: Trio
) -> None:
    conv = chat.direct_conversation(uow, actor=trio.alice, other_user_id=trio.bob.user_id)
    sent = say(uow, trio.alice, conv.id)

    attempts = [
        lambda: chat.get_conversation(uow, actor=trio.carol, conversation_id=conv.id),
        lambda: chat.history(uow, actor=trio.carol, conversation_id=conv.id),
        lambda: say(uow, trio.carol, conv.id),
        lambda: chat.mark_read(uow, actor=trio.carol, conversation_id=conv.id, seq=1),
        lambda: chat.recall_message(uow, actor=trio.carol, conversation_id=conv.id, seq=1),
        lambda: chat.set_muted(uow, actor=trio.carol, conversation_id=conv.id, muted=True),
        lambda: chat.leave(uow, actor=trio.carol, conversation_id=conv.id),
    ]
    for attempt in attempts:
        with pytest.raises(chat.ConversationNotFound) as refused:
            attempt()
        assert refused.value.status == 404

    assert [m.id for m in chat.history(uow, actor=trio.bob, conversation_id=conv.id)] == [sent.id]
    assert chat.list_conversations(uow, actor=trio.carol) == []


def test_messaging_someone_who_blocked_you_is_refused(uow: UnitOfWork, trio: Trio) -> None:
    conv = chat.direct_conversation(uow, actor=trio.alice, other_user_id=trio.bob.user_id)
    say(uow, trio.alice, conv.id)
    social.block_user(uow, actor=trio.bob, user_id=trio.alice.user_id)

    with pytest.raises(chat.ChatBlocked) as refused:
        say(uow, trio.alice, conv.id, "are you there?")
    with pytest.raises(chat.ChatBlocked):
        say(uow, trio.bob, conv.id, "nor me to you")

    assert refused.value.status == 403
    assert count(uow, MessageRow) == 1
    # The chat still opens (history stays readable); it only refuses new messages.
    reopened = chat.direct_conversation(uow, actor=trio.alice, other_user_id=trio.bob.user_id)
    assert (reopened.id, reopened.last_seq) == (conv.id, 1)


def test_starting_a_chat_with_a_non_friend_or_a_blocker_is_refused(
    uow: UnitOfWork, trio: Trio
) -> None:
    social.block_user(uow, actor=trio.carol, user_id=trio.alice.user_id)

    with pytest.raises(chat.NotFriends):
        chat.direct_conversation(uow, actor=trio.bob, other_user_id=trio.carol.user_id)
    with pytest.raises(chat.ChatBlocked):
        chat.direct_conversation(uow, actor=trio.alice, other_user_id=trio.carol.user_id)
    with pytest.raises(NotFound):  # no such person
        chat.direct_conversation(uow, actor=trio.alice, other_user_id=uuid.uuid4())

    assert count(uow, ConversationRow) == 0


def test_no_longer_friends_means_no_more_direct_messages(uow: UnitOfWork, trio: Trio) -> None:
    conv = chat.direct_conversation(uow, actor=trio.alice, other_user_id=trio.bob.user_id)
    social.remove_friend(uow, actor=trio.bob, friend_id=trio.alice.user_id)

    with pytest.raises(chat.NotFriends):
        say(uow, trio.alice, conv.id)

    assert count(uow, MessageRow) == 0


def test_recalling_someone_elses_message_is_refused(uow: UnitOfWork, trio: Trio) -> None:
    conv = chat.direct_conversation(uow, actor=trio.alice, other_user_id=trio.bob.user_id)
    sent = say(uow, trio.alice, conv.id, "mine")

    with pytest.raises(chat.NotYourMessage) as refused:
        chat.recall_message(uow, actor=trio.bob, conversation_id=conv.id, seq=sent.seq)
    with pytest.raises(chat.MessageNotFound):
        chat.recall_message(uow, actor=trio.alice, conversation_id=conv.id, seq=99)

    assert refused.value.status == 403
    [kept] = chat.history(uow, actor=trio.bob, conversation_id=conv.id)
    assert (kept.recalled, kept.body) == (False, {"text": "mine"})


def test_recall_after_two_minutes_is_refused(uow: UnitOfWork, trio: Trio) -> None:
    clock.freeze(utcnow())
    conv = chat.direct_conversation(uow, actor=trio.alice, other_user_id=trio.bob.user_id)
    sent = say(uow, trio.alice, conv.id, "too late")
    clock.travel(timedelta(minutes=2, seconds=1))

    with pytest.raises(chat.RecallWindowPassed) as refused:
        chat.recall_message(uow, actor=trio.alice, conversation_id=conv.id, seq=sent.seq)

    assert refused.value.status == 409
    [kept] = chat.history(uow, actor=trio.bob, conversation_id=conv.id)
    assert (kept.recalled, kept.body) == (False, {"text": "too late"})


def test_system_messages_cannot_be_recalled(uow: UnitOfWork, trio: Trio) -> None:
    group = chat.create_group(uow, actor=trio.alice, title="G", member_ids=[trio.bob.user_id])

    with pytest.raises(chat.NotYourMessage):
        chat.recall_message(uow, actor=trio.alice, conversation_id=group.id, seq=1)
