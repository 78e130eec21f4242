"""A shopper's bargain: start a campaign, friends help cut the price, buy at the floor.

Lock order, followed by every use case here so that concurrent ones cannot deadlock on
PostgreSQL: the campaign row (its guarded UPDATE comes first), then its help row, then the
offer row, then what ordering locks (order, stock, ledger accounts).

Helping is one guarded UPDATE on the campaign — ``helpers_done = helpers_done + 1 WHERE status =
'open' AND helpers_done < helpers_needed AND expires_at > now`` — whose RETURNING value k names
the helper's cut, ``cuts[k-1]``. The row lock orders concurrent helpers, so however many race,
exactly ``helpers_needed`` get a position, the price meets the floor at the last of them and
never passes it; the rest are refused and their transactions leave nothing behind.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Table, case, select, update
from sqlalchemy.orm import Session

from agora import catalog, ordering
from agora.bargain import domain
from agora.bargain.errors import (
    AlreadyBought,
    AlreadyHelped,
    AlreadyOrdered,
    BargainComplete,
    BargainExpired,
    BargainNotFound,
    NotReached,
    OfferEnded,
    OfferNotFound,
    OfferSoldOut,
    OwnBargain,
)
from agora.bargain.models import Bargain, BargainHelp, BargainOffer
from agora.bargain.views import BargainView, bargain_view, bargains_of, live_bargain_of
from agora.core.clock import utcnow
from agora.core.db import upsert_insert
from agora.core.ids import new_id
from agora.core.jobs import schedule_deadline
from agora.core.uow import UnitOfWork
from agora.identity import Principal

EXPIRY = "bargain.expiry"
MAX_MINE = 50

_bargains: Table = Bargain.__table__  # type: ignore[assignment]
_helps: Table = BargainHelp.__table__  # type: ignore[assignment]
_offers: Table = BargainOffer.__table__  # type: ignore[assignment]


@dataclass(frozen=True, slots=True)
class Started:
    bargain: BargainView
    created: bool
    """``False`` when the shopper already had this campaign running: it is returned instead."""


@dataclass(frozen=True, slots=True)
class Helped:
    bargain: BargainView
    position: int
    cut: int


@dataclass(frozen=True, slots=True)
class Bought:
    bargain: BargainView
    order: ordering.OrderView


def _view(session: Session, bargain_id: uuid.UUID) -> BargainView:
    view = bargain_view(session, bargain_id)
    if view is None:
        raise BargainNotFound()
    return view


def access_bargain(uow: UnitOfWork, *, actor: Principal, bargain_id: uuid.UUID) -> BargainView:
    """A campaign by its id, for anyone signed in: it is shared by link so friends and their
    friends can help. Only its owner may buy (``buy_bargain`` checks)."""
    with uow.read() as session:
        return _view(session, bargain_id)


def my_bargains(uow: UnitOfWork, *, actor: Principal) -> list[BargainView]:
    """The actor's own campaigns, newest first (the latest fifty)."""
    with uow.read() as session:
        return bargains_of(session, actor.user_id, limit=MAX_MINE)


def my_live_bargain(
    uow: UnitOfWork, *, actor: Principal, offer_id: uuid.UUID
) -> BargainView | None:
    """The actor's running, reached or bought campaign under the offer, if any."""
    with uow.read() as session:
        return live_bargain_of(session, actor.user_id, offer_id)


def start_bargain(uow: UnitOfWork, *, actor: Principal, offer_id: uuid.UUID) -> Started:
    """Start a campaign at the offer's start price with a freshly drawn schedule of cuts, open
    for the offer's window. A shopper with this campaign already running gets it back.

    Raises OfferNotFound (no such offer, or its product off sale), OfferEnded, OfferSoldOut
    (409), AlreadyBought (409: a campaign under this offer became an order).
    """
    with uow:
        session = uow.session
        offer = session.get(BargainOffer, offer_id)
        if offer is None:
            raise OfferNotFound()
        product = session.get(catalog.Product, offer.product_id)
        store = session.get(catalog.Store, offer.store_id)
        sku = session.get(catalog.Sku, offer.sku_id)
        if not (product and store and sku):
            raise OfferNotFound()
        if product.status != "active" or store.status != "active" or not sku.active:
            raise OfferNotFound()
        if offer.status != domain.OFFER_ACTIVE:
            raise OfferEnded()
        if offer.sold >= offer.allotment:
            raise OfferSoldOut()
        now = utcnow()
        # A campaign whose time ran out before its deadline fired must not block a new one.
        session.execute(
            update(_bargains)
            .where(
                _bargains.c.offer_id == offer.id,
                _bargains.c.user_id == actor.user_id,
                _bargains.c.status.in_(domain.LIVE),
                _bargains.c.expires_at <= now,
            )
            .values(status=domain.EXPIRED)
        )
        bargain_id = new_id()
        expires_at = now + timedelta(hours=offer.window_hours)
        cuts = domain.draw_cuts(offer.start_price - offer.floor_price, offer.helpers_needed)
        # One campaign per shopper and offer (a partial unique index): a double click, or two
        # racing starts, insert one row; the loser finds the winner's below.
        inserted = session.execute(
            upsert_insert(session, _bargains)
            .values(
                id=bargain_id,
                offer_id=offer.id,
                user_id=actor.user_id,
                start_price=offer.start_price,
                floor_price=offer.floor_price,
                currency=offer.currency,
                helpers_needed=offer.helpers_needed,
                cuts=cuts,
                helpers_done=0,
                price=offer.start_price,
                status=domain.OPEN,
                created_at=now,
                expires_at=expires_at,
            )
            .on_conflict_do_nothing()
            .returning(_bargains.c.id)
        ).scalar()
        if inserted is None:
            existing = live_bargain_of(session, actor.user_id, offer.id)
            if existing is None:  # pragma: no cover - the index and this query agree
                raise RuntimeError("a live campaign blocked the start but cannot be found")
            if existing.status == domain.ORDERED:
                raise AlreadyBought(bargain_id=str(existing.id))
            return Started(existing, created=False)
        schedule_deadline(uow, kind=EXPIRY, ref_id=bargain_id, due_at=expires_at)
        uow.emit(
            "bargain.started",
            {
                "bargain_id": str(bargain_id),
                "offer_id": str(offer.id),
                "user_id": str(actor.user_id),
            },
            topics=[f"user:{actor.user_id}"],
        )
        return Started(_view(session, bargain_id), created=True)


def help_bargain(uow: UnitOfWork, *, actor: Principal, bargain_id: uuid.UUID) -> Helped:
    """Cut the price of someone else's campaign by the next amount of its schedule.

    Raises BargainNotFound, OwnBargain (422), AlreadyHelped (409), BargainExpired (409),
    BargainComplete (409: the floor is already reached). A refusal changes nothing.
    """
    with uow:
        session = uow.session
        bargain = session.get(Bargain, bargain_id)
        if bargain is None:
            raise BargainNotFound()
        if bargain.user_id == actor.user_id:
            raise OwnBargain()
        cuts = list(bargain.cuts)
        start_price = bargain.start_price
        now = utcnow()
        position = session.execute(
            update(_bargains)
            .where(
                _bargains.c.id == bargain_id,
                _bargains.c.user_id != actor.user_id,
                _bargains.c.status == domain.OPEN,
                _bargains.c.helpers_done < _bargains.c.helpers_needed,
                _bargains.c.expires_at > now,
            )
            .values(helpers_done=_bargains.c.helpers_done + 1)
            .returning(_bargains.c.helpers_done, _bargains.c.helpers_needed)
        ).first()
        if position is None:
            raise _refusal(session, bargain_id)
        k, needed = int(position[0]), int(position[1])
        cut = cuts[k - 1]
        # The help row after the position is known, so it is written once and whole; a second
        # help by the same friend hits the primary key and its whole transaction (the
        # increment above included) rolls back.
        helped = session.execute(
            upsert_insert(session, _helps)
            .values(
                bargain_id=bargain_id, helper_id=actor.user_id, position=k, cut=cut, created_at=now
            )
            .on_conflict_do_nothing()
            .returning(_helps.c.position)
        ).scalar()
        if helped is None:
            raise AlreadyHelped()
        price = domain.price_after(start_price, cuts, k)
        reached = k == needed
        session.execute(
            update(_bargains)
            .where(_bargains.c.id == bargain_id)
            .values(
                price=price,
                status=domain.REACHED if reached else domain.OPEN,
                reached_at=now if reached else None,
            )
        )
        view = _view(session, bargain_id)
        uow.publish(
            f"user:{view.owner_id}",
            {
                "type": "bargain.helped",
                "bargain_id": str(bargain_id),
                "helper_name": actor.display_name,
                "cut": cut,
                "price": price,
                "helpers_done": k,
                "helpers_needed": needed,
                "reached": reached,
            },
        )
        if reached:
            uow.emit(
                "bargain.reached",
                {"bargain_id": str(bargain_id), "user_id": str(view.owner_id), "price": price},
                topics=[f"user:{view.owner_id}"],
            )
        return Helped(view, position=k, cut=cut)


def _refusal(session: Session, bargain_id: uuid.UUID) -> Exception:
    """Why the guarded help update did not apply (the row as it is now)."""
    current = _view(session, bargain_id)
    if current.status == domain.EXPIRED:
        return BargainExpired()
    return BargainComplete()


def buy_bargain(uow: UnitOfWork, *, actor: Principal, bargain_id: uuid.UUID) -> Bought:
    """The owner buys one unit at the reached price, within the campaign's window: an order
    ``pending_payment`` like any other, paid on the usual pay page; the campaign is ``ordered``.

    Raises BargainNotFound (not the actor's campaign), NotReached, AlreadyOrdered,
    BargainExpired, OfferSoldOut (409), and what ordering refuses (SkuUnavailable 422,
    InsufficientStock 409). A refusal changes nothing.
    """
    with uow:
        session = uow.session
        bargain = session.get(Bargain, bargain_id)
        if bargain is None or bargain.user_id != actor.user_id:
            raise BargainNotFound()
        now = utcnow()
        taken = session.execute(
            update(_bargains)
            .where(
                _bargains.c.id == bargain_id,
                _bargains.c.user_id == actor.user_id,
                _bargains.c.status == domain.REACHED,
                _bargains.c.expires_at > now,
            )
            .values(status=domain.ORDERED)
            .returning(_bargains.c.offer_id, _bargains.c.price)
        ).first()
        if taken is None:
            current = _view(session, bargain_id)
            if current.status == domain.OPEN:
                raise NotReached()
            if current.status == domain.ORDERED:
                raise AlreadyOrdered(order_id=str(current.order_id) if current.order_id else None)
            raise BargainExpired()
        offer_id, price = taken[0], int(taken[1])
        sold = session.execute(
            update(_offers)
            .where(_offers.c.id == offer_id, _offers.c.sold < _offers.c.allotment)
            .values(sold=_offers.c.sold + 1)
        )
        if sold.rowcount != 1:  # type: ignore[attr-defined]
            raise OfferSoldOut()
        sku_id = session.scalar(select(BargainOffer.sku_id).where(BargainOffer.id == offer_id))
        assert sku_id is not None
        order = ordering.place_deal_order(
            uow,
            actor=actor,
            sku_id=sku_id,
            quantity=1,
            unit_price=price,
            deal_kind=domain.DEAL_KIND,
            deal_id=bargain_id,
            hold=False,
        )
        session.execute(
            update(_bargains).where(_bargains.c.id == bargain_id).values(order_id=order.id)
        )
        return Bought(_view(session, bargain_id), order)


def expire_bargain(uow: UnitOfWork, bargain_id: uuid.UUID) -> bool:
    """The campaign's time is up: open or reached (not bought) becomes expired. Idempotent."""
    with uow:
        result = uow.session.execute(
            update(_bargains)
            .where(
                _bargains.c.id == bargain_id,
                _bargains.c.status.in_(domain.LIVE),
                _bargains.c.expires_at <= utcnow(),
            )
            .values(status=domain.EXPIRED)
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def release_order(uow: UnitOfWork, order_id: uuid.UUID) -> bool:
    """A campaign's order was cancelled or expired unpaid: the campaign is reached again (or
    expired, if its window closed meanwhile) and the offer's unit is back. Idempotent: only the
    campaign still ``ordered`` with this order moves."""
    with uow:
        session = uow.session
        now = utcnow()
        released = session.execute(
            update(_bargains)
            .where(_bargains.c.order_id == order_id, _bargains.c.status == domain.ORDERED)
            .values(
                status=case((_bargains.c.expires_at > now, domain.REACHED), else_=domain.EXPIRED),
                order_id=None,
            )
            .returning(_bargains.c.offer_id)
        ).first()
        if released is None:
            return False
        session.execute(
            update(_offers)
            .where(_offers.c.id == released[0], _offers.c.sold > 0)
            .values(sold=_offers.c.sold - 1)
        )
        return True
