"""Tokens the cache misses: read many per statement, each waiter answered, revocations respected."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import event

import factories
from agora.core.clock import utcnow
from agora.core.db import Database
from agora.core.security import token_digest
from agora.core.uow import UnitOfWork
from agora.identity import Client, Principal, register, sign_in, sign_out
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
    uow: UnitOfWork, db: Database
) -> None:
    people = signed_in(uow, 6)
    cache = TokenCache()
    reader = TokenReader(db, cache)
    statements: list[str] = []

    def seen(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(db.engine, "before_cursor_execute", seen)
    digests = [token_digest(token) for _, token in people] + ["no-such-token"]

    async def everyone_at_once() -> list[Principal | None]:
        # the first miss starts a read; the rest arrive while it runs and share the next one
        return await asyncio.gather(*(reader.principal(d) for d in [*digests, digests[0]]))

    # A thread of its own: browser tests earlier in the run leave a loop running in this one.
    with ThreadPoolExecutor(1) as thread:
        found = thread.submit(asyncio.run, everyone_at_once()).result()
    event.remove(db.engine, "before_cursor_execute", seen)

    assert [p.user_id if p else None for p in found] == [
        *(person.user_id for person, _ in people),
        None,
        people[0][0].user_id,
    ]
    session_reads = [s for s in statements if "auth_sessions" in s]
    assert 1 <= len(session_reads) <= 2
    assert all(cache.get(d) is not None for d in digests[:-1])
    assert cache.get("no-such-token") is None


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
