"""Chat use cases against the real database: direct chats, sends, history, read cursors, recall."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from agora import chat, social
from agora.chat.models import ConversationRow, MessageRow
from agora.core.clock import clock, utcnow
from agora.core.db import Database
from agora.core.errors import InvalidInput
from agora.core.uow import UnitOfWork
from chat.conftest import Trio
from chat.world import Recorder, product


def text(uow: UnitOfWork, actor, conversation_id, words: str, client_id: str | None = None):  # type: ignore[no-untyped-def]
    return chat.send_message(
        uow,
        actor=actor,
        conversation_id=conversation_id,
        kind="text",
        body={"text": words},
        client_id=client_id or uuid.uuid4().hex,
    )


def count_messages(uow: UnitOfWork) -> int:
    with uow.read() as session:
        return int(session.scalar(select(func.count()).select_from(MessageRow)) or 0)


def test_two_friends_share_one_direct_conversation(uow: UnitOfWork, trio: Trio) -> None:
    first = chat.direct_conversation(uow, actor=trio.alice, other_user_id=trio.bob.user_id)
    again = chat.direct_conversation(uow, actor=trio.bob, other_user_id=trio.alice.user_id)

    assert first.id == again.id
    assert first.kind == "direct"
    assert {m.user_id for m in first.members} == {trio.alice.user_id, trio.bob.user_id}
    assert first.name_for(trio.alice.user_id) == "Bob"
    with uow.read() as session:
        assert session.scalar(select(func.count()).select_from(ConversationRow)) == 1


def test_messages_get_consecutive_seqs_and_the_sender_reads_their_own(
    uow: UnitOfWork, trio: Trio
) -> None:
    conv = chat.direct_conversation(uow, actor=trio.alice, other_user_id=trio.bob.user_id)

    first = text(uow, trio.alice, conv.id, "  你好, Bob  ")
    second = text(uow, trio.bob, conv.id, "hi!")
    third = text(uow, trio.bob, conv.id, "<b>bold?</b>")

    assert [first.seq, second.seq, third.seq] == [1, 2, 3]
    assert first.body == {"text": "你好, Bob"}
    assert third.body == {"text": "<b>bold?</b>"}  # stored as written; escaped on display
    mine = {c.id: c for c in chat.list_conversations(uow, actor=trio.alice)}[conv.id]
    theirs = {c.id: c for c in chat.list_conversations(uow, actor=trio.bob)}[conv.id]
    assert (mine.unread, mine.read_seq, mine.last_seq) == (2, 1, 3)
    assert (theirs.unread, theirs.read_seq) == (0, 3)
    assert mine.last_message is not None and mine.last_message.seq == 3


def test_a_retried_client_id_returns_the_stored_message(uow: UnitOfWork, trio: Trio) -> None:
    conv = chat.direct_conversation(uow, actor=trio.alice, other_user_id=trio.bob.user_id)

    first = text(uow, trio.alice, conv.id, "once", client_id="c-1")
    retry = text(uow, trio.alice, conv.id, "once", client_id="c-1")
    # Another sender may use the same client id: ids are per sender.
    bobs = text(uow, trio.bob, conv.id, "also", client_id="c-1")

    assert retry == first
    assert bobs.seq == 2
    assert count_messages(uow) == 2
    assert chat.get_conversation(uow, actor=trio.alice, conversation_id=conv.id).last_seq == 2


def test_sending_publishes_the_message_after_commit(db: Database, trio: Trio) -> None:
    recorder = Recorder()
    uow = recorder.uow(db)
    conv = chat.direct_conversation(uow, actor=trio.alice, other_user_id=trio.bob.user_id)
    sent = text(uow, trio.alice, conv.id, "hello")

    assert recorder.events[:2] == [
        (
            f"user:{trio.alice.user_id}",
            {"type": "conversation_added", "conversation_id": str(conv.id)},
        ),
        (
            f"user:{trio.bob.user_id}",
            {"type": "conversation_added", "conversation_id": str(conv.id)},
        ),
    ]
    topic, event = recorder.events[2]
    assert topic == f"conv:{conv.id}"
    assert event == {
        "type": "message",
        "conversation_id": str(conv.id),
        "seq": 1,
        "message": sent.as_json(),
    }


def test_history_pages_by_seq(uow: UnitOfWork, trio: Trio) -> None:
    conv = chat.direct_conversation(uow, actor=trio.alice, other_user_id=trio.bob.user_id)
    for n in range(1, 8):
        text(uow, trio.alice if n % 2 else trio.bob, conv.id, f"m{n}")

    latest = chat.history(uow, actor=trio.bob, conversation_id=conv.id, limit=3)
    older = chat.history(uow, actor=trio.bob, conversation_id=conv.id, before=5, limit=3)
    newer = chat.history(uow, actor=trio.bob, conversation_id=conv.id, after=5, limit=100)

    assert [m.seq for m in latest] == [5, 6, 7]
    assert [m.seq for m in older] == [2, 3, 4]
    assert [m.body["text"] for m in newer] == ["m6", "m7"]


def test_read_cursor_moves_forward_only_and_never_past_the_end(db: Database, trio: Trio) -> None:
    recorder = Recorder()
    uow = recorder.uow(db)
    conv = chat.direct_conversation(uow, actor=trio.alice, other_user_id=trio.bob.user_id)
    for n in range(4):
        text(uow, trio.alice, conv.id, f"m{n}")

    assert chat.mark_read(uow, actor=trio.bob, conversation_id=conv.id, seq=3) == 3
    assert chat.mark_read(uow, actor=trio.bob, conversation_id=conv.id, seq=1) == 3
    assert chat.mark_read(uow, actor=trio.bob, conversation_id=conv.id, seq=99) == 4

    bob_view = chat.get_conversation(uow, actor=trio.bob, conversation_id=conv.id)
    assert (bob_view.read_seq, bob_view.unread) == (4, 0)
    reads = [e for t, e in recorder.events if e["type"] == "read"]
    assert [e["read_seq"] for e in reads] == [3, 4]


def test_product_card_is_a_snapshot_of_the_product(uow: UnitOfWork, trio: Trio) -> None:
    coat = product(uow)
    conv = chat.direct_conversation(uow, actor=trio.alice, other_user_id=trio.bob.user_id)

    card = chat.send_message(
        uow,
        actor=trio.alice,
        conversation_id=conv.id,
        kind="product_card",
        body={"product_id": str(coat.product.id)},
        client_id="card-1",
    )

    assert card.body == {
        "id": str(coat.product.id),
        "product_id": str(coat.product.id),
        "title_en": "Wool Coat",
        "title_zh": "羊毛外套",
        "price": coat.product.min_price,
        "currency": "CNY",
        "image_url": coat.product.image_url,
    }


@pytest.mark.parametrize(
    ("kind", "body"),
    [
        ("text", {"text": "   "}),
        ("text", {"text": "x" * 2001}),
        ("text", {}),
        ("product_card", {"product_id": str(uuid.UUID(int=7))}),
        ("voice", {"url": "x"}),
        ("system", {"event": "created"}),
    ],
)
def test_invalid_bodies_and_unknown_kinds_are_refused(
    uow: UnitOfWork, trio: Trio, kind: str, body: dict[str, str]
) -> None:
    conv = chat.direct_conversation(uow, actor=trio.alice, other_user_id=trio.bob.user_id)

    with pytest.raises(InvalidInput) as refused:
        chat.send_message(
            uow, actor=trio.alice, conversation_id=conv.id, kind=kind, body=body, client_id="x"
        )

    assert refused.value.status == 422
    assert count_messages(uow) == 0


def test_text_of_2000_characters_is_accepted(uow: UnitOfWork, trio: Trio) -> None:
    conv = chat.direct_conversation(uow, actor=trio.alice, other_user_id=trio.bob.user_id)
    assert len(text(uow, trio.alice, conv.id, "字" * 2000).body["text"]) == 2000


def test_recall_within_two_minutes_keeps_the_seq_and_removes_the_body(
    db: Database, trio: Trio
) -> None:
    recorder = Recorder()
    uow = recorder.uow(db)
    clock.freeze(utcnow())
    conv = chat.direct_conversation(uow, actor=trio.alice, other_user_id=trio.bob.user_id)
    sent = text(uow, trio.alice, conv.id, "oops")
    clock.travel(timedelta(seconds=119))

    recalled = chat.recall_message(uow, actor=trio.alice, conversation_id=conv.id, seq=sent.seq)

    assert (recalled.seq, recalled.recalled, recalled.body) == (1, True, {})
    [seen] = chat.history(uow, actor=trio.bob, conversation_id=conv.id)
    assert (seen.seq, seen.recalled, seen.body) == (1, True, {})
    assert recorder.events[-1] == (
        f"conv:{conv.id}",
        {"type": "recalled", "conversation_id": str(conv.id), "seq": 1, "message_id": str(sent.id)},
    )


def test_the_rate_limit_counts_recent_messages_across_conversations(
    uow: UnitOfWork, trio: Trio, monkeypatch: pytest.MonkeyPatch
) -> None:
    from agora.config import get_settings

    monkeypatch.setattr(get_settings(), "chat_send_limit", 3)
    monkeypatch.setattr(get_settings(), "chat_send_window_seconds", 10)
    clock.freeze(utcnow())
    with_bob = chat.direct_conversation(uow, actor=trio.alice, other_user_id=trio.bob.user_id)
    with_carol = chat.direct_conversation(uow, actor=trio.alice, other_user_id=trio.carol.user_id)
    text(uow, trio.alice, with_bob.id, "1")
    clock.travel(timedelta(seconds=4))
    text(uow, trio.alice, with_carol.id, "2")
    text(uow, trio.alice, with_bob.id, "3")

    with pytest.raises(chat.SendRateLimited) as limited:
        text(uow, trio.alice, with_carol.id, "4")

    assert limited.value.status == 429
    assert limited.value.extra["retry_after"] == 6
    assert count_messages(uow) == 3
    # Others are not limited by Alice's pace, and a retry of a stored message is not a send.
    text(uow, trio.bob, with_bob.id, "bob's")
    clock.travel(timedelta(seconds=6, milliseconds=1))
    assert text(uow, trio.alice, with_carol.id, "4").seq == 2


def test_friend_ids_and_blocks_come_from_social(uow: UnitOfWork, trio: Trio) -> None:
    with uow.read() as session:
        assert social.are_friends(session, trio.alice.user_id, trio.bob.user_id)
        assert not social.are_friends(session, trio.bob.user_id, trio.carol.user_id)
