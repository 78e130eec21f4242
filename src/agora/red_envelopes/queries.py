"""Reading envelopes: the access check (members of the conversation only), the envelope page's
read model and the live state of the chat cards."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from agora import chat
from agora.core.clock import utcnow
from agora.core.uow import UnitOfWork
from agora.identity import Principal, User
from agora.red_envelopes import domain
from agora.red_envelopes.errors import EnvelopeNotFound
from agora.red_envelopes.models import RedEnvelope, RedEnvelopeGrab, RedEnvelopeShare


def access_envelope(
    session: Session, actor: Principal | None, envelope_id: uuid.UUID
) -> RedEnvelope:
    """The envelope, for a member of its conversation now; EnvelopeNotFound for anyone else."""
    envelope = session.get(RedEnvelope, envelope_id)
    if (
        envelope is None
        or actor is None
        or not chat.is_member(session, actor.user_id, envelope.conversation_id)
    ):
        raise EnvelopeNotFound()
    return envelope


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


def effective_status(envelope: RedEnvelope, now: datetime) -> str:
    if envelope.status == "open" and envelope.expires_at <= now:
        return "expired"
    return envelope.status


_GRABS = (
    select(
        RedEnvelopeGrab.user_id,
        RedEnvelopeGrab.position,
        RedEnvelopeGrab.amount,
        RedEnvelopeGrab.grabbed_at,
        User.display_name,
    )
    .join(User, User.id == RedEnvelopeGrab.user_id)
    .where(RedEnvelopeGrab.envelope_id == bindparam("envelope_id"), RedEnvelopeGrab.position > 0)
    .order_by(RedEnvelopeGrab.position)
)


def envelope_view_in(session: Session, actor: Principal, envelope_id: uuid.UUID) -> EnvelopeView:
    """The envelope as its page shows it to ``actor`` (read in the caller's session; the guarded
    Core updates bypassed the ORM, so the row is read afresh)."""
    session.flush()
    envelope = session.get(RedEnvelope, envelope_id, populate_existing=True)
    if envelope is None:
        raise EnvelopeNotFound()
    now = utcnow()
    # Bare rows: a grab's answer carries every grab so far, so this runs once per grab.
    rows = session.execute(_GRABS, {"envelope_id": envelope_id}).all()
    status = effective_status(envelope, now)
    luckiest_id = None
    if envelope.kind == domain.LUCKY and envelope.grabbed_count >= envelope.shares and rows:
        best = domain.luckiest([row.amount for row in rows])
        luckiest_id = rows[best].user_id if best is not None else None
    grabs = tuple(
        GrabView(
            user_id=row.user_id,
            display_name=row.display_name,
            position=row.position,
            amount=row.amount,
            grabbed_at=row.grabbed_at,
            luckiest=row.user_id == luckiest_id,
        )
        for row in rows
    )
    mine = next((g.amount for g in grabs if g.user_id == actor.user_id), None)
    is_sender = envelope.sender_id == actor.user_id
    sender_name = session.scalar(select(User.display_name).where(User.id == envelope.sender_id))
    return EnvelopeView(
        id=envelope.id,
        conversation_id=envelope.conversation_id,
        message_id=envelope.message_id,
        sender_id=envelope.sender_id,
        sender_name=sender_name or "—",
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
        grabs=grabs,
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
        access_envelope(session, actor, envelope_id)
        return envelope_view_in(session, actor, envelope_id)


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
        status = effective_status(e, now)
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
