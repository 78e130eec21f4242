"""The social graph: who is whose friend, who blocked whom, finding people.

``are_friends``, ``friend_ids`` and ``blocked_between`` take a session so that chat and sharing can
ask inside their own transactions.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, delete, func, literal, or_, select, update
from sqlalchemy.orm import Session

from agora.core.clock import utcnow
from agora.core.uow import UnitOfWork
from agora.identity import Principal, User
from agora.social.domain import pair
from agora.social.errors import NotYourself, UserNotFound
from agora.social.models import Block, FriendRequest, Friendship

MAX_SEARCH_RESULTS = 20


# --- the contract other contexts use ----------------------------------------------------------


# Bare prebuilt statements: chat asks both questions on every direct message it sends.
_FRIENDS = select(literal(1)).where(
    Friendship.user_id == bindparam("a"), Friendship.friend_id == bindparam("b")
)
_BLOCKED = (
    select(literal(1))
    .where(
        or_(
            (Block.blocker_id == bindparam("a")) & (Block.blocked_id == bindparam("b")),
            (Block.blocker_id == bindparam("b")) & (Block.blocked_id == bindparam("a")),
        )
    )
    .limit(1)
)


def are_friends(session: Session, a: uuid.UUID, b: uuid.UUID) -> bool:
    if a == b:
        return False
    return session.execute(_FRIENDS, {"a": a, "b": b}).first() is not None


def friend_ids(session: Session, user_id: uuid.UUID) -> list[uuid.UUID]:
    return list(
        session.scalars(
            select(Friendship.friend_id)
            .where(Friendship.user_id == user_id)
            .order_by(Friendship.friend_id)
        )
    )


def blocked_between(session: Session, a: uuid.UUID, b: uuid.UUID) -> bool:
    """Whether either of the two has blocked the other."""
    return session.execute(_BLOCKED, {"a": a, "b": b}).first() is not None


# --- helpers for the other social modules -----------------------------------------------------


def reachable_user(session: Session, actor: Principal, user_id: uuid.UUID) -> User:
    """Another active user the actor may address; not found when either blocked the other, so a
    blocked person learns nothing from the answer."""
    if user_id == actor.user_id:
        raise NotYourself()
    user = session.get(User, user_id)
    if user is None or user.status != "active" or blocked_between(session, actor.user_id, user_id):
        raise UserNotFound()
    return user


def make_friends(session: Session, a: uuid.UUID, b: uuid.UUID) -> None:
    """Both directions at once; a no-op when they already are friends."""
    now = utcnow()
    for user_id, friend_id in ((a, b), (b, a)):
        if session.get(Friendship, (user_id, friend_id)) is None:
            session.add(Friendship(user_id=user_id, friend_id=friend_id, created_at=now))
    session.flush()


def _unfriend(session: Session, a: uuid.UUID, b: uuid.UUID) -> int:
    result = session.execute(
        delete(Friendship).where(
            or_(
                (Friendship.user_id == a) & (Friendship.friend_id == b),
                (Friendship.user_id == b) & (Friendship.friend_id == a),
            )
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


# --- friends ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PersonView:
    user_id: uuid.UUID
    display_name: str
    since: datetime | None = None
    relation: str = "none"
    """For search results: ``friend``, ``outgoing`` (you asked), ``incoming`` (they asked),
    ``blocked`` (you blocked them) or ``none``."""


def list_friends(uow: UnitOfWork, *, actor: Principal) -> list[PersonView]:
    with uow.read() as session:
        rows = session.execute(
            select(User.id, User.display_name, Friendship.created_at)
            .join(Friendship, Friendship.friend_id == User.id)
            .where(Friendship.user_id == actor.user_id)
            .order_by(func.lower(User.display_name), User.id)
        ).all()
    return [PersonView(r.id, r.display_name, r.created_at, "friend") for r in rows]


def remove_friend(uow: UnitOfWork, *, actor: Principal, friend_id: uuid.UUID) -> bool:
    """Idempotent: removing someone who is not (or no longer) a friend changes nothing."""
    with uow:
        removed = _unfriend(uow.session, actor.user_id, friend_id) > 0
        if removed:
            uow.emit(
                "social.friend_removed",
                {"user_id": str(actor.user_id), "friend_id": str(friend_id)},
            )
        return removed


# --- blocks -----------------------------------------------------------------------------------


def block_user(uow: UnitOfWork, *, actor: Principal, user_id: uuid.UUID) -> None:
    """Block someone: the friendship and any pending request between the two end. Idempotent."""
    with uow:
        session = uow.session
        if user_id == actor.user_id:
            raise NotYourself()
        user = session.get(User, user_id)
        if user is None:
            raise UserNotFound()
        if session.get(Block, (actor.user_id, user_id)) is not None:
            return
        now = utcnow()
        session.add(Block(blocker_id=actor.user_id, blocked_id=user_id, created_at=now))
        _unfriend(session, actor.user_id, user_id)
        lo, hi = pair(actor.user_id, user_id)
        session.execute(
            update(FriendRequest)
            .where(
                FriendRequest.pair_lo == lo,
                FriendRequest.pair_hi == hi,
                FriendRequest.status == "pending",
            )
            .values(status="cancelled", decided_at=now)
        )
        session.flush()
        uow.emit("social.user_blocked", {"user_id": str(actor.user_id), "blocked": str(user_id)})


def unblock_user(uow: UnitOfWork, *, actor: Principal, user_id: uuid.UUID) -> None:
    """Idempotent. Unblocking does not restore the friendship: they would ask again."""
    with uow:
        uow.session.execute(
            delete(Block).where(Block.blocker_id == actor.user_id, Block.blocked_id == user_id)
        )


def list_blocks(uow: UnitOfWork, *, actor: Principal) -> list[PersonView]:
    with uow.read() as session:
        rows = session.execute(
            select(User.id, User.display_name, Block.created_at)
            .join(Block, Block.blocked_id == User.id)
            .where(Block.blocker_id == actor.user_id)
            .order_by(Block.created_at.desc())
        ).all()
    return [PersonView(r.id, r.display_name, r.created_at, "blocked") for r in rows]


# --- finding people ---------------------------------------------------------------------------


def find_people(uow: UnitOfWork, *, actor: Principal, query: str) -> list[PersonView]:
    """People by exact email (any case) or exact display name (any case); never a listing of
    everybody. Leaves out the actor and whoever has blocked the actor."""
    text = " ".join(query.split())
    if not text or len(text) > 254:
        return []
    with uow.read() as session:
        if "@" in text:
            condition = User.email == text.lower()
        else:
            condition = func.lower(User.display_name) == text.lower()
        blocked_me = select(Block.blocker_id).where(Block.blocked_id == actor.user_id)
        rows = session.execute(
            select(User.id, User.display_name)
            .where(
                condition,
                User.status == "active",
                User.id != actor.user_id,
                User.id.not_in(blocked_me),
            )
            .order_by(User.created_at, User.id)
            .limit(MAX_SEARCH_RESULTS)
        ).all()
        ids = [r.id for r in rows]
        relations = _relations(session, actor.user_id, ids)
    return [PersonView(r.id, r.display_name, None, relations.get(r.id, "none")) for r in rows]


def _relations(session: Session, me: uuid.UUID, ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    found: dict[uuid.UUID, str] = {}
    for friend in session.scalars(
        select(Friendship.friend_id).where(Friendship.user_id == me, Friendship.friend_id.in_(ids))
    ):
        found[friend] = "friend"
    for from_id, to_id in session.execute(
        select(FriendRequest.from_id, FriendRequest.to_id).where(
            FriendRequest.status == "pending",
            or_(
                (FriendRequest.from_id == me) & FriendRequest.to_id.in_(ids),
                (FriendRequest.to_id == me) & FriendRequest.from_id.in_(ids),
            ),
        )
    ):
        if from_id == me:
            found.setdefault(to_id, "outgoing")
        else:
            found.setdefault(from_id, "incoming")
    for blocked in session.scalars(
        select(Block.blocked_id).where(Block.blocker_id == me, Block.blocked_id.in_(ids))
    ):
        found[blocked] = "blocked"
    return found
