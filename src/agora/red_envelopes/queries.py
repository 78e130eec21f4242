"""Reading envelopes: the access check (members of the conversation only), the envelope page's
read model and the live state of the chat cards.

The envelope and its grabs are read with prepared statements (core.prepared): a grab answers with
the envelope's page, so these reads run once per grab in the writer. Every write to the
red-envelope tables is a Core statement too, so nothing waits in the session to be flushed and
no loaded object can be stale.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, Uuid, and_, bindparam, select
from sqlalchemy.orm import Session

from agora import chat
from agora.core.clock import utcnow
from agora.core.prepared import Prepared
from agora.core.uow import UnitOfWork
from agora.identity import Principal, User
from agora.red_envelopes import domain
from agora.red_envelopes.errors import EnvelopeNotFound
from agora.red_envelopes.models import RedEnvelope, RedEnvelopeGrab, RedEnvelopeShare

_envelopes: Table = RedEnvelope.__table__  # type: ignore[assignment]
_grabs: Table = RedEnvelopeGrab.__table__  # type: ignore[assignment]
_users: Table = User.__table__  # type: ignore[assignment]


@dataclass(frozen=True, slots=True)
class EnvelopeRecord:
    """An envelope's row as read, with its sender's display name."""

    id: uuid.UUID
    conversation_id: uuid.UUID
    message_id: uuid.UUID | None
    sender_id: uuid.UUID
    sender_name: str
    kind: str
    greeting: str
    total: int
    currency: str
    shares: int
    source: str
    status: str
    grabbed_count: int
    grabbed_amount: int
    refunded: int
    created_at: datetime
    expires_at: datetime
    finished_at: datetime | None


# The columns in EnvelopeRecord's order, so that a row is the record's arguments.
_ENVELOPE_COLUMNS = (
    _envelopes.c.id,
    _envelopes.c.conversation_id,
    _envelopes.c.message_id,
    _envelopes.c.sender_id,
    _users.c.display_name,
    _envelopes.c.kind,
    _envelopes.c.greeting,
    _envelopes.c.total,
    _envelopes.c.currency,
    _envelopes.c.shares,
    _envelopes.c.source,
    _envelopes.c.status,
    _envelopes.c.grabbed_count,
    _envelopes.c.grabbed_amount,
    _envelopes.c.refunded,
    _envelopes.c.created_at,
    _envelopes.c.expires_at,
    _envelopes.c.finished_at,
)
_ENVELOPE_ROW = (
    select(*_ENVELOPE_COLUMNS)
    .join_from(_envelopes, _users, _users.c.id == _envelopes.c.sender_id)
    .where(_envelopes.c.id == bindparam("envelope_id"))
)
_ENVELOPE = Prepared(_ENVELOPE_ROW)
# The same, and whether the reader is in the envelope's conversation now: the access check of
# every grab in one statement, not two.
_ENVELOPE_FOR = Prepared(
    _ENVELOPE_ROW.add_columns(
        chat.member_now(_envelopes.c.conversation_id, bindparam("user_id", type_=Uuid()))
    )
)
# Only what a refusal needs (a storm's closed gate): whether the reader is in the conversation
# now and whether it is their own 1:1 envelope — no row to build, no ids to parse.
_STANDING = Prepared(
    select(
        chat.member_now(_envelopes.c.conversation_id, bindparam("user_id", type_=Uuid())),
        and_(_envelopes.c.kind == "single", _envelopes.c.sender_id == bindparam("user_id")),
    ).where(_envelopes.c.id == bindparam("envelope_id"))
)

# Who got how much so far, in GrabView's order (bare rows: a grab's answer carries them all).
_GRABS = Prepared(
    select(
        _grabs.c.user_id,
        _users.c.display_name,
        _grabs.c.position,
        _grabs.c.amount,
        _grabs.c.grabbed_at,
    )
    .join_from(_grabs, _users, _users.c.id == _grabs.c.user_id)
    .where(_grabs.c.envelope_id == bindparam("envelope_id"), _grabs.c.position > 0)
    .order_by(_grabs.c.position)
)


def read_envelope(session: Session, envelope_id: uuid.UUID) -> EnvelopeRecord | None:
    """The envelope as it is now in ``session``'s transaction, for whoever asks."""
    row = _ENVELOPE.first(session, {"envelope_id": envelope_id})
    return EnvelopeRecord(*row) if row is not None else None


def access_envelope(
    session: Session, actor: Principal | None, envelope_id: uuid.UUID
) -> EnvelopeRecord:
    """The envelope, for a member of its conversation now; EnvelopeNotFound for anyone else."""
    if actor is None:
        raise EnvelopeNotFound()
    row = _ENVELOPE_FOR.first(session, {"envelope_id": envelope_id, "user_id": actor.user_id})
    if row is None or not row[-1]:
        raise EnvelopeNotFound()
    return EnvelopeRecord(*row[:-1])


def standing(session: Session, actor: Principal | None, envelope_id: uuid.UUID) -> bool:
    """The access check alone: EnvelopeNotFound unless ``actor`` is in the envelope's
    conversation now; whether the envelope is their own 1:1 envelope."""
    if actor is None:
        raise EnvelopeNotFound()
    row = _STANDING.first(session, {"envelope_id": envelope_id, "user_id": actor.user_id})
    if row is None or not row[0]:
        raise EnvelopeNotFound()
    return bool(row[1])


@dataclass(frozen=True, slots=True)
class GrabView:
    user_id: uuid.UUID
    display_name: str
    position: int
    amount: int
    grabbed_at: datetime
    luckiest: bool


@dataclass(frozen=True, slots=True)
class EnvelopeView:
    id: uuid.UUID
    conversation_id: uuid.UUID
    message_id: uuid.UUID | None
    sender_id: uuid.UUID
    sender_name: str
    kind: str
    greeting: str
    total: int
    currency: str
    shares: int
    source: str
    grabbed_count: int
    grabbed_amount: int
    refunded: int
    status: str
    """open, finished or expired — expired as soon as the time is up, even before the refund."""
    created_at: datetime
    expires_at: datetime
    finished_at: datetime | None
    grabs: tuple[GrabView, ...]
    """Who got how much, in the order they grabbed."""
    mine: int | None
    """The actor's share, once they grabbed."""
    is_sender: bool
    can_grab: bool
    luckiest_id: uuid.UUID | None
    """Who drew the largest share of a lucky envelope — only once every share is taken."""

    @property
    def shares_left(self) -> int:
        return self.shares - self.grabbed_count


def effective_status(status: str, expires_at: datetime, now: datetime) -> str:
    if status == "open" and expires_at <= now:
        return "expired"
    return status


def envelope_view_in(session: Session, actor: Principal, envelope_id: uuid.UUID) -> EnvelopeView:
    """The envelope as its page shows it to ``actor``, read in the caller's session."""
    envelope = read_envelope(session, envelope_id)
    if envelope is None:
        raise EnvelopeNotFound()
    return view_of(envelope, grabs_of(session, envelope_id), actor, utcnow())


def grabs_of(session: Session, envelope_id: uuid.UUID) -> list[tuple[Any, ...]]:
    """The envelope's grabs as bare rows for :func:`view_of`, in the order they were taken."""
    return _GRABS.rows(session, {"envelope_id": envelope_id})


def view_of(
    envelope: EnvelopeRecord, grabs: Sequence[tuple[Any, ...]], actor: Principal, now: datetime
) -> EnvelopeView:
    """The page of ``envelope`` for ``actor``, from its row and its grabs (:func:`grabs_of`)."""
    status = effective_status(envelope.status, envelope.expires_at, now)
    luckiest_id = None
    if envelope.kind == domain.LUCKY and envelope.grabbed_count >= envelope.shares and grabs:
        best = domain.luckiest([row[3] for row in grabs])
        luckiest_id = grabs[best][0] if best is not None else None
    views = tuple(
        GrabView(user_id, name, position, amount, grabbed_at, user_id == luckiest_id)
        for user_id, name, position, amount, grabbed_at in grabs
    )
    mine = next((g.amount for g in views if g.user_id == actor.user_id), None)
    is_sender = envelope.sender_id == actor.user_id
    return EnvelopeView(
        id=envelope.id,
        conversation_id=envelope.conversation_id,
        message_id=envelope.message_id,
        sender_id=envelope.sender_id,
        sender_name=envelope.sender_name or "—",
        kind=envelope.kind,
        greeting=envelope.greeting,
        total=envelope.total,
        currency=envelope.currency,
        shares=envelope.shares,
        source=envelope.source,
        grabbed_count=envelope.grabbed_count,
        grabbed_amount=envelope.grabbed_amount,
        refunded=envelope.refunded,
        status=status,
        created_at=envelope.created_at,
        expires_at=envelope.expires_at,
        finished_at=envelope.finished_at,
        grabs=views,
        mine=mine,
        is_sender=is_sender,
        can_grab=status == "open"
        and mine is None
        and not (envelope.kind == "single" and is_sender),
        luckiest_id=luckiest_id,
    )


def envelope_view(uow: UnitOfWork, *, actor: Principal, envelope_id: uuid.UUID) -> EnvelopeView:
    """One envelope for a member of its conversation (404 for anyone else)."""
    with uow.read() as session:
        envelope = access_envelope(session, actor, envelope_id)
        return view_of(envelope, grabs_of(session, envelope_id), actor, utcnow())


@dataclass(frozen=True, slots=True)
class CardState:
    """What a chat card shows of an envelope for one viewer."""

    status: str
    """open, finished, expired"""
    mine: int | None
    grabbed_count: int
    shares: int
    can_grab: bool


def card_states(
    uow: UnitOfWork, *, actor: Principal, envelope_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, CardState]:
    """The state of each envelope for the actor's chat cards, in three queries for one chat's
    page. Envelopes of conversations the actor is not in are left out."""
    ids = list(dict.fromkeys(envelope_ids))
    if not ids:
        return {}
    now = utcnow()
    with uow.read() as session:
        envelopes = session.scalars(select(RedEnvelope).where(RedEnvelope.id.in_(ids))).all()
        conversations = {e.conversation_id for e in envelopes}
        # The cards of one chat page are all in that one conversation: one lookup.
        inside = {c for c in conversations if chat.is_member(session, actor.user_id, c)}
        mine = dict(
            session.execute(
                select(RedEnvelopeGrab.envelope_id, RedEnvelopeGrab.amount).where(
                    RedEnvelopeGrab.user_id == actor.user_id,
                    RedEnvelopeGrab.envelope_id.in_(ids),
                    RedEnvelopeGrab.position > 0,
                )
            ).all()
        )
    states = {}
    for e in envelopes:
        if e.conversation_id not in inside:
            continue
        status = effective_status(e.status, e.expires_at, now)
        own_single = e.kind == "single" and e.sender_id == actor.user_id
        got = mine.get(e.id)
        states[e.id] = CardState(
            status=status,
            mine=int(got) if got is not None else None,
            grabbed_count=e.grabbed_count,
            shares=e.shares,
            can_grab=status == "open" and got is None and not own_single,
        )
    return states


def share_amounts(uow: UnitOfWork, envelope_id: uuid.UUID) -> list[int]:
    """The shares drawn for an envelope, in grab order (for audits and tests)."""
    with uow.read() as session:
        return [
            int(a)
            for a in session.scalars(
                select(RedEnvelopeShare.amount)
                .where(RedEnvelopeShare.envelope_id == envelope_id)
                .order_by(RedEnvelopeShare.position)
            )
        ]
