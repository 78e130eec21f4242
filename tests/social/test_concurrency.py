"""Races against the real database: two people asking each other at the same instant, and an
accept racing a cancel. On PostgreSQL the transactions really overlap (the pending-pair index
and the guarded update decide); on SQLite they queue on the write lock."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import select

from agora import social
from agora.core.db import Database
from agora.core.errors import AgoraError
from agora.core.uow import UnitOfWork
from agora.social.models import FriendRequest
from factories import make_user, principal

ROUNDS = 5


def race(db: Database, *actions: Callable[[UnitOfWork], Any]) -> list[Any]:
    """Run the actions at once, each with its own unit of work; their results or errors."""
    barrier = threading.Barrier(len(actions))

    def run(action: Callable[[UnitOfWork], Any]) -> Any:
        uow = UnitOfWork(db)
        barrier.wait()
        try:
            return action(uow)
        except AgoraError as error:
            return error

    with ThreadPoolExecutor(len(actions)) as pool:
        return list(pool.map(run, actions))


def test_asking_each_other_at_once_makes_friends_once(db: Database) -> None:
    uow = UnitOfWork(db)
    for _ in range(ROUNDS):
        a, b = principal(make_user(uow)), principal(make_user(uow))
        results = race(
            db,
            lambda u, a=a, b=b: social.send_request(u, actor=a, to_user_id=b.user_id),
            lambda u, a=a, b=b: social.send_request(u, actor=b, to_user_id=a.user_id),
        )
        assert not any(isinstance(r, BaseException) for r in results), results
        with uow.read() as session:
            assert social.are_friends(session, a.user_id, b.user_id)
            assert social.are_friends(session, b.user_id, a.user_id)
            rows = session.scalars(
                select(FriendRequest.status).where(
                    FriendRequest.from_id.in_([a.user_id, b.user_id])
                )
            ).all()
        # One request, accepted by the other's "send"; never two, never one left pending.
        assert list(rows) == ["accepted"]


def test_accept_racing_cancel_has_one_winner(db: Database) -> None:
    uow = UnitOfWork(db)
    for _ in range(ROUNDS):
        a, b = principal(make_user(uow)), principal(make_user(uow))
        sent = social.send_request(uow, actor=a, to_user_id=b.user_id)
        accepted, cancelled = race(
            db,
            lambda u, b=b, r=sent.id: social.accept_request(u, actor=b, request_id=r),
            lambda u, a=a, r=sent.id: social.cancel_request(u, actor=a, request_id=r),
        )
        with uow.read() as session:
            final = session.get(FriendRequest, sent.id)
            assert final is not None
            friends = social.are_friends(session, a.user_id, b.user_id)
        if final.status == "accepted":
            assert friends and isinstance(cancelled, social.FriendRequestDecided)
            assert not isinstance(accepted, BaseException)
        else:
            assert final.status == "cancelled" and not friends
            assert isinstance(accepted, social.FriendRequestDecided)
            assert not isinstance(cancelled, BaseException)
