"""The send path as the writer runs it: several sends in one transaction, each in its own joined
unit of work (a savepoint), with prepared statements only."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, func, select

from agora import chat
from agora.chat.models import MessageRow
from agora.core import prepared
from agora.core.db import Database
from agora.core.uow import UnitOfWork
from agora.identity import Principal
from chat.conftest import Trio
from chat.world import Recorder


def send(uow: UnitOfWork, actor: Principal, conversation_id: uuid.UUID, client_id: str) -> Any:
    return chat.send_message(
        uow,
        actor=actor,
        conversation_id=conversation_id,
        kind="text",
        body={"text": f"hello {client_id}"},
        client_id=client_id,
    )


@contextmanager
def engine_statements(db: Database) -> Iterator[list[str]]:
    """The SQL that went through the engine (not through core.prepared) inside the block."""
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(args[2])

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def stored(uow: UnitOfWork, conversation_id: uuid.UUID) -> list[tuple[int, str]]:
    with uow.read() as session:
        rows = session.execute(
            select(MessageRow.seq, MessageRow.client_id)
            .where(MessageRow.conversation_id == conversation_id)
            .order_by(MessageRow.seq)
        )
        return [(row.seq, row.client_id) for row in rows]


def test_a_group_send_in_the_writer_runs_prepared_statements_only(db: Database, trio: Trio) -> None:
    # given a group of three
    uow = UnitOfWork(db)
    group = chat.create_group(
        uow, actor=trio.alice, title="G", member_ids=[trio.bob.user_id, trio.carol.user_id]
    )
    with db.write_session() as session:
        session.connection()
        before = prepared.STATEMENTS.count
        # when Bob sends as a command of the writer
        with engine_statements(db) as through_engine:
            view = send(UnitOfWork.joined(db, session), trio.bob, group.id, "b-1")
        session.commit()

    # then the send is one read, the seq, the insert and the read cursor (PostgreSQL first takes
    # the sender's advisory lock) inside the command's savepoint and its release, and nothing
    # but a savepoint, if that, goes through the engine
    assert prepared.STATEMENTS.count - before == 2 + (4 if db.is_sqlite else 5)
    assert [sql for sql in through_engine if "SAVEPOINT" not in sql] == []
    assert view.seq == 2  # after the group's "created" message
    assert stored(uow, group.id)[-1] == (2, "b-1")
    unread = {c.id: (c.read_seq, c.unread) for c in chat.list_conversations(uow, actor=trio.bob)}
    assert unread[group.id] == (2, 0)


def test_a_refused_send_in_a_batch_rolls_back_alone(db: Database, trio: Trio) -> None:
    # given a group of Alice and Bob, and Carol outside it
    uow = UnitOfWork(db)
    group = chat.create_group(uow, actor=trio.alice, title="G", member_ids=[trio.bob.user_id])
    recorder = Recorder()
    outcomes: list[Any] = []

    # when one writer batch carries Alice's send, Carol's, then Bob's
    with db.write_session() as session:
        session.connection()
        uows = []
        for actor, client_id in ((trio.alice, "a-1"), (trio.carol, "c-1"), (trio.bob, "b-1")):
            command = UnitOfWork.joined(db, session, publisher=recorder)
            uows.append(command)
            try:
                outcomes.append(send(command, actor, group.id, client_id).seq)
            except chat.ConversationNotFound as refused:
                outcomes.append(refused.status)
        session.commit()
    for command in uows:
        command.finish_joined()

    # then Carol is refused and the others get consecutive seqs, published after the commit
    assert outcomes == [2, 404, 3]
    assert stored(uow, group.id)[1:] == [(2, "a-1"), (3, "b-1")]  # after "created"
    assert [(topic, e["seq"]) for topic, e in recorder.events] == [
        (f"conv:{group.id}", 2),
        (f"conv:{group.id}", 3),
    ]
    assert chat.get_conversation(uow, actor=trio.alice, conversation_id=group.id).last_seq == 3


def test_someone_who_left_can_no_longer_send_and_nothing_changes(
    uow: UnitOfWork, trio: Trio
) -> None:
    # given Bob left the group after one message
    group = chat.create_group(uow, actor=trio.alice, title="G", member_ids=[trio.bob.user_id])
    send(uow, trio.bob, group.id, "b-1")
    chat.leave(uow, actor=trio.bob, conversation_id=group.id)
    before = stored(uow, group.id)

    # when he sends again, even as a retry of his stored message
    for client_id in ("b-2", "b-1"):
        with pytest.raises(chat.ConversationNotFound):
            send(uow, trio.bob, group.id, client_id)

    # then nothing was written
    assert stored(uow, group.id) == before
    last_seq = chat.get_conversation(uow, actor=trio.alice, conversation_id=group.id).last_seq
    assert last_seq == before[-1][0]


def test_a_retry_of_a_recalled_message_returns_it_recalled(uow: UnitOfWork, trio: Trio) -> None:
    # given Alice recalled a message
    conv = chat.direct_conversation(uow, actor=trio.alice, other_user_id=trio.bob.user_id)
    sent = send(uow, trio.alice, conv.id, "a-1")
    chat.recall_message(uow, actor=trio.alice, conversation_id=conv.id, seq=sent.seq)

    # when her client retries the send
    again = send(uow, trio.alice, conv.id, "a-1")

    # then it gets the stored message, recalled, and nothing new is stored
    assert (again.id, again.seq, again.recalled, again.body) == (sent.id, 1, True, {})
    assert again.created_at == sent.created_at
    with uow.read() as session:
        assert session.scalar(select(func.count()).select_from(MessageRow)) == 1
