"""Friend requests: send, accept, decline, cancel; the incoming and outgoing lists.

A pair of people has at most one pending request, whichever way it points (a partial unique
index): asking again returns the pending request, and asking someone who already asked you
accepts theirs.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from agora.core.clock import utcnow
from agora.core.errors import InvalidInput
from agora.core.uow import UnitOfWork
from agora.identity import Principal, User
from agora.social import domain
from agora.social.errors import AlreadyFriends, FriendRequestDecided, FriendRequestNotFound
from agora.social.graph import are_friends, make_friends, reachable_user
from agora.social.models import FriendRequest


@dataclass(frozen=True, slots=True)
class FriendRequestView:
    id: uuid.UUID
    from_id: uuid.UUID
    from_name: str
    to_id: uuid.UUID
    to_name: str
    message: str
    status: str
    created_at: datetime
    decided_at: datetime | None


def _view(session: Session, row: FriendRequest) -> FriendRequestView:
    names = dict(
        session.execute(
            select(User.id, User.display_name).where(User.id.in_([row.from_id, row.to_id]))
        ).all()
    )
    return FriendRequestView(
        row.id,
        row.from_id,
        names.get(row.from_id, ""),
        row.to_id,
        names.get(row.to_id, ""),
        row.message,
        row.status,
        row.created_at,
        row.decided_at,
    )


def _pending_between(session: Session, a: uuid.UUID, b: uuid.UUID) -> FriendRequest | None:
    lo, hi = domain.pair(a, b)
    return session.scalar(
        select(FriendRequest).where(
            FriendRequest.pair_lo == lo,
            FriendRequest.pair_hi == hi,
            FriendRequest.status == "pending",
        )
    )


def _decide(session: Session, row: FriendRequest, status: str) -> bool:
    """Move a pending request to ``status`` with a guarded update: of two people acting at once
    (accept and cancel) exactly one wins; the loser sees the winner's outcome."""
    result = session.execute(
        update(FriendRequest)
        .where(FriendRequest.id == row.id, FriendRequest.status == "pending")
        .values(status=status, decided_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    session.refresh(row)
    return int(getattr(result, "rowcount", 0) or 0) == 1


def _accept(uow: UnitOfWork, row: FriendRequest) -> None:
    if _decide(uow.session, row, "accepted"):
        make_friends(uow.session, row.from_id, row.to_id)
        uow.emit("social.friend_added", {"user_id": str(row.from_id), "friend_id": str(row.to_id)})
        uow.publish(
            f"user:{row.from_id}",
            {"type": "social.friend_accepted", "request_id": str(row.id), "by": str(row.to_id)},
        )


def send_request(
    uow: UnitOfWork, *, actor: Principal, to_user_id: uuid.UUID, message: str = ""
) -> FriendRequestView:
    """Ask someone to be friends. Not yourself; not someone who blocked you or whom you blocked
    (answered as not found); idempotent while pending; accepts their request if they asked you."""
    text = domain.clean_text(message)
    problem = domain.text_problem(text, limit=domain.MAX_REQUEST_MESSAGE, required=False)
    if problem:
        raise InvalidInput(errors=[{"field": "message", "message": problem}])
    with uow:
        session = uow.session
        reachable_user(session, actor, to_user_id)
        if are_friends(session, actor.user_id, to_user_id):
            raise AlreadyFriends()
        pending = _pending_between(session, actor.user_id, to_user_id)
        if pending is None:
            lo, hi = domain.pair(actor.user_id, to_user_id)
            row = FriendRequest(
                from_id=actor.user_id,
                to_id=to_user_id,
                pair_lo=lo,
                pair_hi=hi,
                message=text,
                status="pending",
                created_at=utcnow(),
            )
            try:
                # A savepoint: if the other person's request landed first (PostgreSQL), the
                # unique index refuses ours and we continue with theirs.
                with session.begin_nested():
                    session.add(row)
                    session.flush()
            except IntegrityError:
                pending = _pending_between(session, actor.user_id, to_user_id)
                if pending is None:
                    raise
            else:
                uow.publish(
                    f"user:{to_user_id}",
                    {
                        "type": "social.friend_request",
                        "request_id": str(row.id),
                        "from_id": str(actor.user_id),
                        "from_name": actor.display_name,
                        "message": text,
                    },
                )
                return _view(session, row)
        if pending.to_id == actor.user_id:
            _accept(uow, pending)
        return _view(session, pending)


def _access(session: Session, actor: Principal, request_id: uuid.UUID, side: str) -> FriendRequest:
    """The request if the actor is on ``side`` of it (``to`` answers, ``from`` cancels)."""
    row = session.get(FriendRequest, request_id)
    if row is None:
        raise FriendRequestNotFound()
    owner = row.to_id if side == "to" else row.from_id
    if owner != actor.user_id:
        raise FriendRequestNotFound()
    return row


def accept_request(
    uow: UnitOfWork, *, actor: Principal, request_id: uuid.UUID
) -> FriendRequestView:
    """Only the person asked may accept. Accepting an accepted request is a no-op."""
    with uow:
        session = uow.session
        row = _access(session, actor, request_id, "to")
        if row.status == "pending":
            _accept(uow, row)
        if row.status != "accepted":
            raise FriendRequestDecided()
        return _view(session, row)


def decline_request(
    uow: UnitOfWork, *, actor: Principal, request_id: uuid.UUID
) -> FriendRequestView:
    """Only the person asked may decline. No notice goes to the sender: the request simply
    leaves their outgoing list."""
    return _close(uow, actor, request_id, side="to", status="declined")


def cancel_request(
    uow: UnitOfWork, *, actor: Principal, request_id: uuid.UUID
) -> FriendRequestView:
    """Only the sender may cancel their request."""
    return _close(uow, actor, request_id, side="from", status="cancelled")


def _close(
    uow: UnitOfWork, actor: Principal, request_id: uuid.UUID, *, side: str, status: str
) -> FriendRequestView:
    with uow:
        session = uow.session
        row = _access(session, actor, request_id, side)
        if row.status == "pending":
            _decide(session, row, status)
        if row.status != status:
            raise FriendRequestDecided()
        return _view(session, row)


def list_requests(
    uow: UnitOfWork, *, actor: Principal, direction: str = "incoming"
) -> list[FriendRequestView]:
    """Pending requests to me (``incoming``) or from me (``outgoing``), newest first."""
    sender, receiver = aliased(User), aliased(User)
    mine = FriendRequest.to_id if direction == "incoming" else FriendRequest.from_id
    stmt = (
        select(FriendRequest, sender.display_name, receiver.display_name)
        .join(sender, sender.id == FriendRequest.from_id)
        .join(receiver, receiver.id == FriendRequest.to_id)
        .where(mine == actor.user_id, FriendRequest.status == "pending")
        .order_by(FriendRequest.created_at.desc(), FriendRequest.id.desc())
        .limit(200)
    )
    with uow.read() as session:
        rows = session.execute(stmt).all()
    return [
        FriendRequestView(
            r.id,
            r.from_id,
            from_name,
            r.to_id,
            to_name,
            r.message,
            r.status,
            r.created_at,
            r.decided_at,
        )
        for r, from_name, to_name in rows
    ]
