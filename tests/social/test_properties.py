"""Property test: random sequences of friend requests, answers, removals and blocks among four
people, checked step by step against a small reference model.

The model predicts every outcome, refusals included (the exact error); after each step the
database's friendships (both directions), every request's status and the blocks agree with it.
So friendship stays symmetric, never survives a block, and a pair never has two pending requests.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from agora import social
from agora.core.db import Database
from agora.core.errors import AgoraError
from agora.core.uow import UnitOfWork
from agora.identity import Principal
from agora.social.models import Block, FriendRequest, Friendship
from factories import make_user, principal

N = 4
KINDS = ("send", "accept", "decline", "cancel", "remove", "block", "unblock")
steps = st.lists(
    st.tuples(
        st.sampled_from(KINDS),
        st.integers(0, N - 1),
        st.integers(0, N - 1),
        st.integers(0, 20),
    ),
    min_size=1,
    max_size=25,
)


@dataclass
class Model:
    friends: set[frozenset[int]] = field(default_factory=set)
    blocks: set[tuple[int, int]] = field(default_factory=set)
    requests: list[list[object]] = field(default_factory=list)  # [id, from, to, status]

    def pending(self, i: int, j: int) -> list[object] | None:
        for r in self.requests:
            if r[3] == "pending" and {r[1], r[2]} == {i, j}:
                return r
        return None

    def blocked(self, i: int, j: int) -> bool:
        return (i, j) in self.blocks or (j, i) in self.blocks


def apply(
    uow: UnitOfWork, model: Model, who: list[Principal], kind: str, i: int, j: int, r: int
) -> None:
    """Run one step in the services and the model; the outcomes must agree."""
    expected: type[AgoraError] | None = None
    me, other = who[i], who[j]
    if kind == "send":
        pending = model.pending(i, j)
        if i == j:
            expected = social.NotYourself
        elif model.blocked(i, j):
            expected = social.UserNotFound
        elif frozenset((i, j)) in model.friends:
            expected = social.AlreadyFriends
        with Expect(expected):
            view = social.send_request(uow, actor=me, to_user_id=other.user_id)
            if pending is None:
                model.requests.append([view.id, i, j, "pending"])
            else:
                assert view.id == pending[0]
                if pending[2] == i:  # they had asked me: accepted
                    pending[3] = "accepted"
                    model.friends.add(frozenset((i, j)))
            assert view.status == ("accepted" if pending and pending[2] == i else "pending")
        return
    if kind in ("accept", "decline", "cancel"):
        if not model.requests:
            target: list[object] = [uuid.uuid4(), -1, -1, "none"]
        else:
            target = model.requests[r % len(model.requests)]
        side = 1 if kind == "cancel" else 2
        final = {"accept": "accepted", "decline": "declined", "cancel": "cancelled"}[kind]
        if target[side] != i:
            expected = social.FriendRequestNotFound
        elif target[3] not in ("pending", final):
            expected = social.FriendRequestDecided
        call = {
            "accept": social.accept_request,
            "decline": social.decline_request,
            "cancel": social.cancel_request,
        }[kind]
        with Expect(expected):
            view = call(uow, actor=me, request_id=target[0])  # type: ignore[arg-type]
            assert view.status == final
            if target[3] == "pending" and kind == "accept":
                model.friends.add(frozenset((target[1], target[2])))  # type: ignore[arg-type]
            target[3] = final
        return
    if kind == "remove":
        social.remove_friend(uow, actor=me, friend_id=other.user_id)
        model.friends.discard(frozenset((i, j)))
        return
    if kind == "block":
        with Expect(social.NotYourself if i == j else None):
            social.block_user(uow, actor=me, user_id=other.user_id)
            model.blocks.add((i, j))
            model.friends.discard(frozenset((i, j)))
            pending = model.pending(i, j)
            if pending is not None:
                pending[3] = "cancelled"
        return
    social.unblock_user(uow, actor=me, user_id=other.user_id)
    model.blocks.discard((i, j))


class Expect:
    """``with Expect(Error)``: the block must raise exactly that error (or nothing if None)."""

    def __init__(self, error: type[AgoraError] | None) -> None:
        self.error = error

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: type[BaseException] | None, exc: object, tb: object) -> bool:
        if self.error is None:
            return False
        assert exc_type is self.error, f"expected {self.error.__name__}, got {exc_type}"
        return True


def check(uow: UnitOfWork, model: Model, who: list[Principal]) -> None:
    index = {p.user_id: n for n, p in enumerate(who)}
    ids = list(index)
    # Earlier examples' people stay in the database; look at this example's four only.
    with uow.read() as session:
        rows = session.execute(
            select(Friendship.user_id, Friendship.friend_id).where(Friendship.user_id.in_(ids))
        ).all()
        statuses = dict(
            session.execute(
                select(FriendRequest.id, FriendRequest.status).where(FriendRequest.from_id.in_(ids))
            ).all()
        )
        blocks = session.execute(
            select(Block.blocker_id, Block.blocked_id).where(Block.blocker_id.in_(ids))
        ).all()
    directed = {(index[a], index[b]) for a, b in rows}
    assert directed == {(x, y) for pair in model.friends for x in pair for y in pair if x != y}
    assert {(index[a], index[b]) for a, b in blocks} == model.blocks
    assert statuses == {r[0]: r[3] for r in model.requests}
    for pair in model.friends:
        i, j = tuple(pair)
        assert not model.blocked(i, j)


@pytest.mark.parametrize("seed_people", [N])
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(sequence=steps)
def test_the_graph_follows_the_model(db: Database, seed_people: int, sequence: list) -> None:  # type: ignore[type-arg]
    uow = UnitOfWork(db)
    who = [principal(make_user(uow, name=f"P{n}")) for n in range(seed_people)]
    model = Model()
    for kind, i, j, r in sequence:
        apply(uow, model, who, kind, i, j, r)
        check(uow, model, who)
