"""Tokens the cache misses: read many per statement, each waiter answered, revocations respected."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest

import factories
from agora.core.clock import utcnow
from agora.core.db import Database
from agora.core.security import token_digest
from agora.core.uow import UnitOfWork
from agora.identity import Client, Principal, register, sign_in, sign_out, token_reader
from agora.identity.service import authenticate_many
from agora.identity.token_cache import TokenCache
from agora.identity.token_reader import TokenReader

CLIENT = Client(ip="203.0.113.7", user_agent="pytest")


def signed_in(uow: UnitOfWork, n: int) -> list[tuple[Principal, str]]:
    people = []
    for i in range(n):
        user = register(
            uow,
            identifier=f"reader-{i}@example.com",
            password=factories.PASSWORD,
            display_name=f"Reader {i}",
            client=CLIENT,
        )
        signed = sign_in(
            uow, identifier=f"reader-{i}@example.com", password=factories.PASSWORD, client=CLIENT
        )
        people.append((Principal(user_id=user.id, display_name=user.display_name), signed.token))
    return people


def test_misses_arriving_together_are_read_in_one_statement_and_each_answered(
    uow: UnitOfWork, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    people = signed_in(uow, 6)
    cache = TokenCache()
    reader = TokenReader(db, cache)
    reads: list[list[str]] = []

    def read(db: Database, digests: list[str], **kwargs: Any) -> dict[str, Principal | None]:
        reads.append(list(digests))
        return authenticate_many(db, digests, **kwargs)

    monkeypatch.setattr(token_reader, "authenticate_many", read)
    digests = [token_digest(token) for _, token in people] + ["no-such-token"]

    async def everyone_at_once() -> list[Principal | None]:
        # the first miss starts a read; the rest arrive while it runs and share the next one
        return await asyncio.gather(*(reader.principal(d) for d in [*digests, digests[0]]))

    # A thread of its own: browser tests earlier in the run leave a loop running in this one.
    with ThreadPoolExecutor(1) as thread:
        found = thread.submit(asyncio.run, everyone_at_once()).result()

    assert [p.user_id if p else None for p in found] == [
        *(person.user_id for person, _ in people),
        None,
        people[0][0].user_id,
    ]
    # one read for the first, one for all that came while it ran; each digest read once
    assert 1 <= len(reads) <= 2
    assert sorted(d for batch in reads for d in batch) == sorted(digests)
    assert all(cache.get(d) is not None for d in digests[:-1])
    assert cache.get("no-such-token") is None


def test_a_batch_is_read_in_statements_of_a_few_fixed_sizes(uow: UnitOfWork, db: Database) -> None:
    people = signed_in(uow, 5)
    digests = [token_digest(token) for _, token in people]
    # more than the largest prepared size: read in chunks, every digest answered
    many = digests * 60 + ["no-such-token"]

    found = authenticate_many(db, many)

    assert set(found) == set(many)
    assert [found[d].user_id for d in digests] == [p.user_id for p, _ in people]  # type: ignore[union-attr]
    assert found["no-such-token"] is None


def test_a_row_read_before_a_sign_out_is_not_cached_after_it(uow: UnitOfWork, db: Database) -> None:
    [(person, token)] = signed_in(uow, 1)
    cache = TokenCache()
    epoch = cache.epoch
    cache.forget_user(person.user_id)  # a sign-out committed while the read was running

    cache.put(token_digest(token), person, utcnow() + timedelta(days=1), epoch=epoch)

    assert cache.get(token_digest(token)) is None


def test_a_signed_out_token_reads_as_none(uow: UnitOfWork, db: Database) -> None:
    [(_, token)] = signed_in(uow, 1)
    signed = sign_in(
        uow, identifier="reader-0@example.com", password=factories.PASSWORD, client=CLIENT
    )
    actor = authenticate_many(db, [token_digest(signed.token)])[token_digest(signed.token)]
    assert actor is not None
    sign_out(uow, actor=actor, client=CLIENT)

    found = authenticate_many(db, [token_digest(signed.token), token_digest(token)])

    assert found[token_digest(signed.token)] is None
    assert found[token_digest(token)] is not None


def test_a_waiter_giving_up_leaves_the_others_with_the_same_token_answered(
    uow: UnitOfWork, db: Database
) -> None:
    [(person, token)] = signed_in(uow, 1)
    reader = TokenReader(db, TokenCache())
    digest = token_digest(token)

    async def one_leaves() -> Principal | None:
        leaving = asyncio.ensure_future(reader.principal(digest))
        staying = asyncio.ensure_future(reader.principal(digest))
        await asyncio.sleep(0)  # both are waiting on the one read
        leaving.cancel()
        return await staying

    with ThreadPoolExecutor(1) as thread:
        found = thread.submit(asyncio.run, one_leaves()).result()

    assert found is not None and found.user_id == person.user_id
