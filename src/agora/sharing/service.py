"""Share use cases: creating a share (with its parent), visits to ``/s/{code}``, visitor links,
and the sharer's own list with what each share brought in."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Table, and_, func, or_, select, update
from sqlalchemy.orm import Session

from agora.core.clock import utcnow
from agora.core.db import upsert_insert
from agora.core.errors import N_, InvalidInput
from agora.core.ids import new_id
from agora.core.uow import UnitOfWork
from agora.identity import Principal
from agora.sharing import domain
from agora.sharing.errors import ShareNotFound
from agora.sharing.models import Attribution, Share, ShareVisit, VisitorLink
from agora.sharing.targets import TargetCard, card_of, target_of

_shares: Table = Share.__table__  # type: ignore[assignment]
_links: Table = VisitorLink.__table__  # type: ignore[assignment]
CODE_ATTEMPTS = 5


@dataclass(frozen=True, slots=True)
class ShareView:
    id: uuid.UUID
    code: str
    sharer_id: uuid.UUID
    target_type: str
    target_id: uuid.UUID
    channel: str
    parent_id: uuid.UUID | None
    conversation_id: uuid.UUID | None
    created_at: datetime

    @property
    def url(self) -> str:
        return f"/s/{self.code}"


@dataclass(frozen=True, slots=True)
class NewShare:
    share: ShareView
    created: bool
    """``False`` when a repeat of the same share within a minute returned the first one."""


@dataclass(frozen=True, slots=True)
class MyShare:
    share: ShareView
    card: TargetCard | None
    """``None`` once the target is gone or hidden."""
    visits: int
    signups: int
    orders: int
    gmv: int


def share_view(row: Share) -> ShareView:
    return ShareView(
        id=row.id,
        code=row.code,
        sharer_id=row.sharer_id,
        target_type=row.target_type,
        target_id=row.target_id,
        channel=row.channel,
        parent_id=row.parent_id,
        conversation_id=row.conversation_id,
        created_at=row.created_at,
    )


def visits_of(user_id: uuid.UUID | ColumnElement[uuid.UUID]) -> ColumnElement[bool]:
    """Visits made by the user: signed in, or anonymous from a browser they signed in with.
    ``user_id`` may be a bind parameter, for a prepared statement (core.prepared)."""
    linked = select(VisitorLink.visitor_id).where(VisitorLink.user_id == user_id)
    return or_(
        ShareVisit.user_id == user_id,
        and_(ShareVisit.user_id.is_(None), ShareVisit.visitor_id.in_(linked)),
    )


def _parent_of(
    session: Session, actor: Principal, target_type: str, target_id: uuid.UUID
) -> uuid.UUID | None:
    """Someone else's share through which the actor last reached this target (a re-share)."""
    return session.scalar(
        select(Share.id)
        .join(ShareVisit, ShareVisit.share_id == Share.id)
        .where(
            visits_of(actor.user_id),
            Share.target_type == target_type,
            Share.target_id == target_id,
            Share.sharer_id != actor.user_id,
        )
        .order_by(ShareVisit.created_at.desc(), ShareVisit.id.desc())
        .limit(1)
    )


def create_share(
    uow: UnitOfWork,
    *,
    actor: Principal,
    target_type: str,
    target_id: uuid.UUID,
    channel: str,
    conversation_id: uuid.UUID | None = None,
) -> NewShare:
    """Create a share of a target anyone may see. The same share asked again within a minute
    (same target, channel and conversation) is returned instead of a second one.

    Raises InvalidInput (unknown channel or target type), TargetNotFound.
    """
    if channel not in domain.CHANNELS:
        raise InvalidInput(
            N_("Choose where to share: chat, a group, moments, a partner or a link."),
            errors=[{"field": "channel", "message": "unknown channel"}],
        )
    target_of(target_type)
    with uow:
        session = uow.session
        card_of(session, target_type, target_id)
        now = utcnow()
        same_conversation = (
            Share.conversation_id.is_(None)
            if conversation_id is None
            else Share.conversation_id == conversation_id
        )
        repeat = session.scalar(
            select(Share)
            .where(
                Share.sharer_id == actor.user_id,
                Share.target_type == target_type,
                Share.target_id == target_id,
                Share.channel == channel,
                same_conversation,
                Share.created_at >= now - timedelta(seconds=domain.REPEAT_SECONDS),
            )
            .order_by(Share.created_at.desc())
            .limit(1)
        )
        if repeat is not None:
            return NewShare(share_view(repeat), created=False)
        values: dict[str, Any] = {
            "sharer_id": actor.user_id,
            "target_type": target_type,
            "target_id": target_id,
            "channel": channel,
            "parent_id": _parent_of(session, actor, target_type, target_id),
            "conversation_id": conversation_id,
            "created_at": now,
        }
        for _attempt in range(CODE_ATTEMPTS):
            # ON CONFLICT DO NOTHING, not a caught IntegrityError: on PostgreSQL an error would
            # abort the whole transaction, and a chat message may already be part of it.
            share_id = new_id()
            inserted = session.execute(
                upsert_insert(session, _shares)
                .values(id=share_id, code=domain.new_code(), **values)
                .on_conflict_do_nothing(index_elements=["code"])
                .returning(_shares.c.id)
            ).first()
            if inserted is not None:
                row = session.get(Share, share_id)
                assert row is not None
                return NewShare(share_view(row), created=True)
        raise RuntimeError("no free share code after several attempts")


def access_share(uow: UnitOfWork, *, actor: Principal, code: str) -> ShareView:
    """One of the actor's own shares, by code; ShareNotFound for anyone else's."""
    with uow.read() as session:
        row = (
            session.scalar(select(Share).where(Share.code == code))
            if domain.is_code(code)
            else None
        )
        if row is None or row.sharer_id != actor.user_id:
            raise ShareNotFound()
        return share_view(row)


def record_visit(
    uow: UnitOfWork,
    *,
    code: str,
    visitor_id: str,
    user_id: uuid.UUID | None,
    ip_hash: str | None = None,
) -> str:
    """Count a visit to ``/s/{code}`` and return where it lands. Raises ShareNotFound."""
    visitor = domain.clean_visitor_id(visitor_id)
    if visitor is None:
        raise InvalidInput(N_("A visit needs a visitor id."))
    if not domain.is_code(code):
        raise ShareNotFound()
    with uow:
        session = uow.session
        share = session.scalar(select(Share).where(Share.code == code))
        if share is None:
            raise ShareNotFound()
        session.add(
            ShareVisit(
                id=new_id(),
                share_id=share.id,
                visitor_id=visitor,
                user_id=user_id,
                ip_hash=ip_hash,
                created_at=utcnow(),
            )
        )
        return target_of(share.target_type).page_url(share.target_id)


def landing_of(uow: UnitOfWork, *, code: str) -> str:
    """Where the share's link leads, without counting a visit. Raises ShareNotFound."""
    with uow.read() as session:
        share = (
            session.scalar(select(Share).where(Share.code == code))
            if domain.is_code(code)
            else None
        )
        if share is None:
            raise ShareNotFound()
        return target_of(share.target_type).page_url(share.target_id)


def link_visitor(uow: UnitOfWork, *, user_id: uuid.UUID, visitor_id: str | None) -> bool:
    """Tie a browser to the user who signed up or in with it: its anonymous visits become the
    user's (for re-share parents and order attribution). ``False`` for a missing visitor id."""
    visitor = domain.clean_visitor_id(visitor_id)
    if visitor is None:
        return False
    with uow:
        session = uow.session
        session.execute(
            upsert_insert(session, _links)
            .values(visitor_id=visitor, user_id=user_id, linked_at=utcnow())
            .on_conflict_do_nothing(index_elements=["visitor_id", "user_id"])
        )
        session.execute(
            update(ShareVisit)
            .where(ShareVisit.visitor_id == visitor, ShareVisit.user_id.is_(None))
            .values(user_id=user_id)
            .execution_options(synchronize_session=False)
        )
        return True


def list_my_shares(
    uow: UnitOfWork, *, actor: Principal, before: uuid.UUID | None = None, limit: int = 20
) -> list[MyShare]:
    """The actor's shares, newest first, each with its visits, sign-ups, orders and GMV.
    ``before`` is the id of the last share of the previous page (ids are time-ordered)."""
    limit = max(1, min(limit, 100))
    with uow.read() as session:
        query = select(Share).where(Share.sharer_id == actor.user_id)
        if before is not None:
            query = query.where(Share.id < before)
        rows = list(session.scalars(query.order_by(Share.id.desc()).limit(limit)))
        ids = [row.id for row in rows]
        visits = dict(
            session.execute(
                select(ShareVisit.share_id, func.count())
                .where(ShareVisit.share_id.in_(ids))
                .group_by(ShareVisit.share_id)
            ).all()
        )
        credited: dict[tuple[uuid.UUID, str], tuple[int, int]] = {
            (share_id, kind): (int(n), int(amount or 0))
            for share_id, kind, n, amount in session.execute(
                select(
                    Attribution.share_id,
                    Attribution.kind,
                    func.count(),
                    func.sum(Attribution.amount),
                )
                .where(Attribution.share_id.in_(ids))
                .group_by(Attribution.share_id, Attribution.kind)
            ).all()
        }
        cards: dict[tuple[str, uuid.UUID], TargetCard] = {}
        for target_type in {row.target_type for row in rows}:
            wanted = [row.target_id for row in rows if row.target_type == target_type]
            for target_id, card in target_of(target_type).cards(session, wanted).items():
                cards[(target_type, target_id)] = card
        return [
            MyShare(
                share=share_view(row),
                card=cards.get((row.target_type, row.target_id)),
                visits=int(visits.get(row.id, 0)),
                signups=credited.get((row.id, domain.SIGNUP), (0, 0))[0],
                orders=credited.get((row.id, domain.ORDER), (0, 0))[0],
                gmv=credited.get((row.id, domain.ORDER), (0, 0))[1],
            )
            for row in rows
        ]
