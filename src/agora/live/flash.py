"""Flash deals, run by the host: start one on the pinned product (its countdown begins), and
end it early; the countdown's end opens it and the duration's end closes it (core.jobs
deadlines, see ``live.jobs``).

Opening sets the units aside from the SKU's stock by one guarded UPDATE; closing — by its
deadline, by the host, or with the room — gives what is left back to the stock in the
transaction that marks it closed. Both are guarded on the deal's status, so each happens exactly
once however many sweeps, hosts and room ends race for it.
"""

from __future__ import annotations

import time
import uuid
from datetime import timedelta
from functools import partial

from sqlalchemy import Table, text, update

from agora import catalog
from agora.core.clock import utcnow
from agora.core.db import upsert_insert
from agora.core.errors import InvalidInput
from agora.core.i18n import gettext as _
from agora.core.ids import new_id
from agora.core.jobs import cancel_deadline, schedule_deadline
from agora.core.uow import UnitOfWork
from agora.identity import Principal
from agora.live import domain, stock
from agora.live.access import host_deal, host_room
from agora.live.errors import N_, FlashDealRunning, RoomNotLive
from agora.live.models import RUNNING_SQL, FlashDeal, LiveRoom
from agora.live.queries import DealView, deal_view

FLASH_OPENS = "live.flash_opens"
FLASH_CLOSES = "live.flash_closes"
# The memory gate of sold-out flash deals (core.gates), keyed by the deal id as text.
FLASH_GATE = "flash_deal"

_deals: Table = FlashDeal.__table__  # type: ignore[assignment]
_rooms: Table = LiveRoom.__table__  # type: ignore[assignment]


def start_deal(
    uow: UnitOfWork, *, actor: Principal, room_id: uuid.UUID, terms: domain.FlashTerms
) -> DealView:
    """Start a flash deal on a SKU of the room's pinned product: its countdown begins now.

    Raises:
        RoomNotFound (404), RoomNotLive (409), FlashDealRunning (409): one runs already (also
            under a race: the partial unique index on running deals decides),
        InvalidInput (422): terms out of range, a SKU not of the pinned product.
    """
    with uow:
        session = uow.session
        room = host_room(session, actor, room_id)
        if room.status != domain.LIVE:
            raise RoomNotLive()
        sku = session.get(catalog.Sku, terms.sku_id)
        if (
            sku is None
            or room.pinned_product_id is None
            or sku.product_id != room.pinned_product_id
        ):
            raise InvalidInput(
                N_("A flash deal is on a colour and size of the pinned product."),
                errors=[{"field": "sku_id", "message": _("not a SKU of the pinned product")}],
            )
        domain.check_terms(terms, sku_price=sku.price)
        product = session.get(catalog.Product, sku.product_id)
        assert product is not None
        # The room's row first (the lock order): ending the room waits for this deal, then
        # closes it, and a room that ended meanwhile gets no deal.
        held = session.execute(
            update(_rooms)
            .where(_rooms.c.id == room.id, _rooms.c.status == domain.LIVE)
            .values(status=domain.LIVE)
            .returning(_rooms.c.id)
        ).first()
        if held is None:
            raise RoomNotLive()
        now = utcnow()
        deal_id = new_id()
        opens_at = now + timedelta(seconds=terms.countdown_seconds)
        inserted = session.execute(
            upsert_insert(session, _deals)
            .values(
                id=deal_id,
                room_id=room.id,
                product_id=product.id,
                sku_id=sku.id,
                price=terms.price,
                currency=product.currency,
                units=terms.units,
                per_buyer_limit=terms.per_buyer_limit,
                countdown_seconds=terms.countdown_seconds,
                duration_seconds=terms.duration_seconds,
                status=domain.COUNTING_DOWN,
                opens_at=opens_at,
                closes_at=opens_at + timedelta(seconds=terms.duration_seconds),
                remaining=0,
                sold=0,
                created_by=actor.user_id,
                created_at=now,
            )
            .on_conflict_do_nothing(index_elements=["room_id"], index_where=text(RUNNING_SQL))
            .returning(_deals.c.id)
        ).first()
        if inserted is None:
            raise FlashDealRunning()
        schedule_deadline(uow, kind=FLASH_OPENS, ref_id=deal_id, due_at=opens_at)
        deal = session.get(FlashDeal, deal_id)
        assert deal is not None
        uow.emit(
            "live.deal_started",
            {
                "room_id": str(room.id),
                "deal_id": str(deal_id),
                "product_id": str(product.id),
                "price": terms.price,
                "units": terms.units,
                "opens_at": opens_at.isoformat(),
            },
            topics=[f"live:{room.id}"],
        )
        return deal_view(deal, now)


def open_deal(uow: UnitOfWork, deal_id: uuid.UUID) -> bool:
    """The countdown ended: open the deal with its units set aside from the SKU's stock (what
    there is, if the stock is short). Idempotent: ``False`` when there is nothing to do (open
    or closed already, or its countdown not over)."""
    with uow:
        session = uow.session
        now = utcnow()
        opened = session.execute(
            update(_deals)
            .where(
                _deals.c.id == deal_id,
                _deals.c.status == domain.COUNTING_DOWN,
                _deals.c.opens_at <= now,
            )
            .values(status=domain.OPEN)
            .returning(_deals.c.room_id, _deals.c.sku_id, _deals.c.units, _deals.c.closes_at)
        ).first()
        if opened is None:
            return False
        room_id, sku_id, wanted, closes_at = opened
        observed_at = time.monotonic()
        units = stock.set_aside(session, sku_id, int(wanted))
        session.execute(
            update(_deals).where(_deals.c.id == deal_id).values(units=units, remaining=units)
        )
        schedule_deadline(uow, kind=FLASH_CLOSES, ref_id=deal_id, due_at=closes_at)
        if units == 0:
            uow.after_commit(
                partial(uow.gates[FLASH_GATE].close, str(deal_id), observed_at=observed_at)
            )
        uow.emit(
            "live.deal_opened",
            {
                "room_id": str(room_id),
                "deal_id": str(deal_id),
                "units": units,
                "remaining": units,
                "closes_at": closes_at.isoformat(),
            },
            topics=[f"live:{room_id}"],
        )
        return True


def expire_deal(uow: UnitOfWork, deal_id: uuid.UUID) -> bool:
    """The deal's time is up: close it (see :func:`close_deal`), if it is."""
    return close_deal(uow, deal_id, due_only=True)


def close_deal(uow: UnitOfWork, deal_id: uuid.UUID, *, due_only: bool = False) -> bool:
    """Close a running deal: what it has not sold goes back to the SKU's stock, in this
    transaction. ``due_only``: only if its ``closes_at`` has passed (the deadline's sweep).

    Idempotent: ``False`` when it was closed already (or is not due).
    """
    with uow:
        session = uow.session
        now = utcnow()
        statement = update(_deals).where(
            _deals.c.id == deal_id, _deals.c.status.in_(domain.RUNNING)
        )
        if due_only:
            statement = statement.where(_deals.c.closes_at <= now)
        # ``remaining`` is returned as it stands under this statement's row lock: a purchase
        # either took its units before (and they are not here) or finds the deal closed.
        closed = session.execute(
            statement.values(status=domain.CLOSED, closed_at=now).returning(
                _deals.c.room_id, _deals.c.sku_id, _deals.c.remaining, _deals.c.sold
            )
        ).first()
        if closed is None:
            return False
        room_id, sku_id, remaining, sold = closed
        if remaining:
            session.execute(update(_deals).where(_deals.c.id == deal_id).values(remaining=0))
            stock.give_back(uow, sku_id, int(remaining))
        cancel_deadline(uow, kind=FLASH_OPENS, ref_id=deal_id)
        cancel_deadline(uow, kind=FLASH_CLOSES, ref_id=deal_id)
        uow.emit(
            "live.deal_closed",
            {
                "room_id": str(room_id),
                "deal_id": str(deal_id),
                "sold": int(sold),
                "returned": int(remaining),
            },
            topics=[f"live:{room_id}"],
        )
        return True


def end_deal(uow: UnitOfWork, *, actor: Principal, deal_id: uuid.UUID) -> DealView:
    """The host ends the deal early (or calls off its countdown). Ending a closed deal
    changes nothing.

    Raises:
        FlashDealNotFound (404): not a deal of a room the actor hosts.
    """
    with uow:
        session = uow.session
        deal = host_deal(session, actor, deal_id)
        close_deal(uow, deal.id)
        session.flush()
        session.refresh(deal)
        return deal_view(deal)
