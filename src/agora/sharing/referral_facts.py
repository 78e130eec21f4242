"""What referral rewards need to know from sharing's tables, read-only, inside the caller's session.

Referrals decide rewards and judge fraud signals; sharing owns the facts they rest on: who brought
a user (the first-touch sign-up attribution and the visit it credited), the browsers a user is
known by (linked visitor ids, and the visitor ids and address hashes of their own visits), and
how many credited sign-ups came from one browser or one address. Nothing here writes.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from agora.sharing import domain
from agora.sharing.models import Attribution, Share, ShareVisit, VisitorLink
from agora.sharing.service import visits_of


@dataclass(frozen=True, slots=True)
class SignupReferral:
    """A user's sign-up credited to someone's share (first touch), with the visit it came from."""

    attribution_id: uuid.UUID
    """Time-ordered: the cursor of :func:`referrals_by`."""
    user_id: uuid.UUID
    sharer_id: uuid.UUID
    share_id: uuid.UUID
    share_code: str
    channel: str
    visit_id: uuid.UUID | None
    """``None`` if the visit row is gone (the attribution outlives it)."""
    visitor_id: str | None
    ip_hash: str | None
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class KnownBrowsers:
    """How a user shows up in sharing's records: the browsers linked to them at sign-up or
    sign-in, the visitor ids their own visits came from, and those visits' address hashes."""

    visitor_ids: frozenset[str]
    ip_hashes: frozenset[str]


def _referrals() -> Select[Attribution, Share, ShareVisit]:
    return (
        select(Attribution, Share, ShareVisit)
        .join(Share, Share.id == Attribution.share_id)
        .outerjoin(ShareVisit, ShareVisit.id == Attribution.visit_id)
        .where(Attribution.kind == domain.SIGNUP)
    )


def _referral(row: Attribution, share: Share, visit: ShareVisit | None) -> SignupReferral:
    return SignupReferral(
        attribution_id=row.id,
        user_id=row.subject_id,
        sharer_id=row.sharer_id,
        share_id=row.share_id,
        share_code=share.code,
        channel=row.channel,
        visit_id=row.visit_id,
        visitor_id=visit.visitor_id if visit is not None else None,
        ip_hash=visit.ip_hash if visit is not None else None,
        occurred_at=row.occurred_at,
    )


def referral_of(session: Session, user_id: uuid.UUID) -> SignupReferral | None:
    """Who brought ``user_id``: their credited sign-up, or ``None`` if no share did."""
    found = session.execute(_referrals().where(Attribution.subject_id == user_id)).first()
    return _referral(*found) if found is not None else None


def referrals_by(
    session: Session, sharer_id: uuid.UUID, *, before: uuid.UUID | None = None, limit: int = 50
) -> list[SignupReferral]:
    """Sign-ups credited to ``sharer_id``'s shares, newest first; ``before`` is the
    ``attribution_id`` of the last one on the previous page."""
    query = _referrals().where(Attribution.sharer_id == sharer_id)
    if before is not None:
        query = query.where(Attribution.id < before)
    rows = session.execute(query.order_by(Attribution.id.desc()).limit(limit)).all()
    return [_referral(*row) for row in rows]


def referral_count(session: Session, sharer_id: uuid.UUID) -> int:
    """How many sign-ups are credited to ``sharer_id``'s shares in all."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(Attribution)
            .where(Attribution.kind == domain.SIGNUP, Attribution.sharer_id == sharer_id)
        )
        or 0
    )


def browsers_of(session: Session, user_id: uuid.UUID) -> KnownBrowsers:
    """The browsers and addresses ``user_id`` is known by (see :class:`KnownBrowsers`)."""
    linked = set(
        session.scalars(select(VisitorLink.visitor_id).where(VisitorLink.user_id == user_id))
    )
    visited = session.execute(
        select(ShareVisit.visitor_id, ShareVisit.ip_hash).where(visits_of(user_id)).distinct()
    ).all()
    return KnownBrowsers(
        visitor_ids=frozenset(linked | {visitor for visitor, _ in visited}),
        ip_hashes=frozenset(ip for _, ip in visited if ip),
    )


def _signups_from(
    session: Session, match: ColumnElement[bool], *, since: datetime, until: datetime
) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(Attribution)
            .join(ShareVisit, ShareVisit.id == Attribution.visit_id)
            .where(
                Attribution.kind == domain.SIGNUP,
                Attribution.occurred_at >= since,
                Attribution.occurred_at <= until,
                match,
            )
        )
        or 0
    )


def signups_from_browser(
    session: Session, visitor_id: str, *, since: datetime, until: datetime
) -> int:
    """Credited sign-ups between ``since`` and ``until`` whose visit came from ``visitor_id``."""
    return _signups_from(session, ShareVisit.visitor_id == visitor_id, since=since, until=until)


def signups_from_address(
    session: Session, ip_hash: str, *, since: datetime, until: datetime
) -> int:
    """Credited sign-ups between ``since`` and ``until`` whose visit came from the address
    with this keyed hash."""
    return _signups_from(session, ShareVisit.ip_hash == ip_hash, since=since, until=until)
