"""Sequence numbers under concurrency: many threads sending into one conversation at once get
1..N with no gap and no duplicate; racing retries of one client id store one message."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from agora import chat
from agora.chat.models import MessageRow
from agora.config import get_settings
from agora.core.db import Database
from agora.core.uow import UnitOfWork
from agora.identity import Principal
from chat.conftest import Trio

SENDERS = 3
PER_SENDER = 15


@pytest.fixture(autouse=True)
def _no_rate_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "chat_send_limit", 10_000)


def race(db: Database, jobs: list[tuple[Principal, uuid.UUID, str]]) -> list[int]:
    start = threading.Barrier(len(jobs))

    def send(job: tuple[Principal, uuid.UUID, str]) -> int:
        actor, conversation_id, client_id = job
        start.wait()
        return chat.send_message(
            UnitOfWork(db),
            actor=actor,
            conversation_id=conversation_id,
            kind="text",
            body={"text": client_id},
            client_id=client_id,
        ).seq

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(send, jobs))


def test_concurrent_senders_get_gapless_unique_seqs(
    db: Database, uow: UnitOfWork, trio: Trio
) -> None:
    group = chat.create_group(
        uow, actor=trio.alice, title="Rush", member_ids=[trio.bob.user_id, trio.carol.user_id]
    )
    people = [trio.alice, trio.bob, trio.carol]
    jobs = [(people[n % SENDERS], group.id, f"m{n}") for n in range(SENDERS * PER_SENDER)]

    seqs = race(db, jobs)

    # Seq 1 is the group's "created" message.
    assert sorted(seqs) == list(range(2, len(jobs) + 2))
    stored = chat.history(uow, actor=trio.bob, conversation_id=group.id, limit=100)
    assert [m.seq for m in stored] == list(range(1, len(jobs) + 2))
    assert (
        chat.get_conversation(uow, actor=trio.bob, conversation_id=group.id).last_seq
        == len(jobs) + 1
    )


def test_racing_retries_of_one_client_id_store_one_message(
    db: Database, uow: UnitOfWork, trio: Trio
) -> None:
    conv = chat.direct_conversation(uow, actor=trio.alice, other_user_id=trio.bob.user_id)

    seqs = race(db, [(trio.alice, conv.id, "same-id")] * 8)

    assert seqs == [1] * 8
    with uow.read() as session:
        assert session.scalar(select(func.count()).select_from(MessageRow)) == 1
    assert chat.get_conversation(uow, actor=trio.alice, conversation_id=conv.id).last_seq == 1
