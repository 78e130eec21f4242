"""Who brought whom: first-touch sign-ups and last-touch orders, credited to shares.

- A new user's sign-up goes to the **earliest** visit of their browser (visitor id) within
  ``share_signup_window_days`` before signing up: the share that first brought them.
- A paid order goes to the buyer's **latest** visit within ``share_order_window_days`` before
  payment: the share that closed the sale. Visits to the buyer's own shares are not touches
  (a sharer buying through their own link earns nothing), so an earlier friend's share wins.

Each subject is credited once (a unique key on kind and subject), so a redelivered order event
or a repeated hook changes nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Table, Uuid, bindparam, select
from sqlalchemy.orm import Session

from agora.config import get_settings
from agora.core.clock import utcnow
from agora.core.db import upsert_insert
from agora.core.ids import new_id
from agora.core.prepared import Prepared
from agora.core.uow import UnitOfWork
from agora.sharing import domain
from agora.sharing.models import Attribution, Share, ShareVisit
from agora.sharing.service import link_visitor, visits_of

_attributions: Table = Attribution.__table__  # type: ignore[assignment]
_visits: Table = ShareVisit.__table__  # type: ignore[assignment]
_shares: Table = Share.__table__  # type: ignore[assignment]


@dataclass(frozen=True, slots=True)
class _Touch:
    """The visit to credit, with what the attribution copies from its share."""

    visit_id: uuid.UUID
    share_id: uuid.UUID
    channel: str
    sharer_id: uuid.UUID


_BUYER = bindparam("buyer_id", type_=Uuid())
# Prepared (core.prepared): every paid order asks, and most find no visit at all. The columns are
# _Touch's fields, in its order.
_LAST_TOUCH = Prepared(
    select(_visits.c.id, _shares.c.id, _shares.c.channel, _shares.c.sharer_id)
    .join_from(_visits, _shares, _shares.c.id == _visits.c.share_id)
    .where(
        visits_of(_BUYER),
        _visits.c.created_at >= bindparam("since"),
        _visits.c.created_at <= bindparam("paid_at"),
        _shares.c.sharer_id != _BUYER,
    )
    .order_by(_visits.c.created_at.desc(), _visits.c.id.desc())
    .limit(1)
)


def _credit(
    session: Session,
    *,
    kind: str,
    subject_id: uuid.UUID,
    touch: _Touch,
    user_id: uuid.UUID,
    occurred_at: datetime,
    amount: int = 0,
    currency: str | None = None,
) -> bool:
    inserted = session.execute(
        upsert_insert(session, _attributions)
        .values(
            id=new_id(),
            kind=kind,
            subject_id=subject_id,
            share_id=touch.share_id,
            visit_id=touch.visit_id,
            channel=touch.channel,
            sharer_id=touch.sharer_id,
            user_id=user_id,
            amount=amount,
            currency=currency or get_settings().default_currency,
            occurred_at=occurred_at,
            created_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["kind", "subject_id"])
        .returning(_attributions.c.id)
    ).first()
    return inserted is not None


def attribute_signup(uow: UnitOfWork, *, user_id: uuid.UUID, visitor_id: str | None) -> bool:
    """Called right after a user is created: link their browser, then credit the sign-up to the
    first share visit it made in the window. ``True`` if a share was credited."""
    if domain.clean_visitor_id(visitor_id) is None:
        return False
    with uow:
        session = uow.session
        link_visitor(uow, user_id=user_id, visitor_id=visitor_id)
        now = utcnow()
        since = now - timedelta(days=get_settings().share_signup_window_days)
        found = session.execute(
            select(ShareVisit.id, Share.id, Share.channel, Share.sharer_id)
            .join(Share, Share.id == ShareVisit.share_id)
            .where(
                ShareVisit.visitor_id == visitor_id,
                ShareVisit.created_at >= since,
                ShareVisit.created_at <= now,
                Share.sharer_id != user_id,
            )
            .order_by(ShareVisit.created_at, ShareVisit.id)
            .limit(1)
        ).first()
        if found is None:
            return False
        return _credit(
            session,
            kind=domain.SIGNUP,
            subject_id=user_id,
            touch=_Touch(*found),
            user_id=user_id,
            occurred_at=now,
        )


def attribute_order(
    uow: UnitOfWork,
    *,
    order_id: uuid.UUID,
    buyer_id: uuid.UUID,
    total: int,
    currency: str,
    paid_at: datetime,
) -> bool:
    """Credit a paid order to the buyer's last share visit in the window before ``paid_at``.
    ``True`` if a share was credited (``False`` also when it already was)."""
    with uow:
        session = uow.session
        since = paid_at - timedelta(days=get_settings().share_order_window_days)
        found = _LAST_TOUCH.first(
            session, {"buyer_id": buyer_id, "since": since, "paid_at": paid_at}
        )
        if found is None:
            return False
        return _credit(
            session,
            kind=domain.ORDER,
            subject_id=order_id,
            touch=_Touch(*found),
            user_id=buyer_id,
            occurred_at=paid_at,
            amount=total,
            currency=currency,
        )
