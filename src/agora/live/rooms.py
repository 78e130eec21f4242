"""A room's life, run by its store's staff: schedule it with the products it will sell, go live,
pin a product, end it.

Every status change is one guarded UPDATE from the status it must leave, so two hosts pressing
"go live" or "end" together change the room once; the loser is told where the room stands.

Lock order, the same in every use case of this package so that concurrent ones cannot deadlock
on PostgreSQL: the room row, then the flash deal row, then the SKU's stock row, then ordering's
own (the order row, stock, ledger accounts).
"""

from __future__ import annotations

import uuid

from sqlalchemy import Table, insert, select, update

from agora import catalog
from agora.core.clock import utcnow
from agora.core.errors import InvalidInput
from agora.core.i18n import gettext as _
from agora.core.ids import new_id
from agora.core.uow import UnitOfWork
from agora.identity import Principal
from agora.live import domain, flash
from agora.live.access import host_room
from agora.live.errors import N_, RoomNotLive, RoomStateConflict
from agora.live.models import FlashDeal, LiveRoom, LiveRoomProduct
from agora.live.queries import RoomView, room_view

_rooms: Table = LiveRoom.__table__  # type: ignore[assignment]
_room_products: Table = LiveRoomProduct.__table__  # type: ignore[assignment]


def schedule_room(
    uow: UnitOfWork, *, actor: Principal, store_id: uuid.UUID, draft: domain.RoomDraft
) -> RoomView:
    """Schedule a room of the store, with the products (of that store) it will sell.

    Raises:
        StoreNotFound (404): not a store the actor staffs.
        InvalidInput (422): a detail out of range, or a product that is not the store's.
    """
    with uow:
        session = uow.session
        store = catalog.access_store(session, actor, store_id)
        now = utcnow()
        draft = domain.check_draft(draft, now=now)
        theirs = set(
            session.scalars(
                select(catalog.Product.id).where(
                    catalog.Product.id.in_(draft.product_ids),
                    catalog.Product.store_id == store.id,
                )
            )
        )
        if len(theirs) != len(draft.product_ids):
            raise InvalidInput(
                N_("A room sells only its own store's products."),
                errors=[{"field": "product_ids", "message": _("not a product of this store")}],
            )
        room_id = new_id()
        session.execute(
            insert(_rooms).values(
                id=room_id,
                store_id=store.id,
                title=draft.title,
                cover_url=draft.cover_url,
                stream_url=draft.stream_url,
                starts_at=draft.starts_at,
                status=domain.SCHEDULED,
                created_by=actor.user_id,
                created_at=now,
                peak_viewers=0,
                likes=0,
                comments=0,
                orders=0,
                gmv=0,
            )
        )
        session.execute(
            insert(_room_products),
            [
                {"room_id": room_id, "product_id": product_id, "position": position}
                for position, product_id in enumerate(draft.product_ids, start=1)
            ],
        )
        return _view(uow, room_id)


def go_live(uow: UnitOfWork, *, actor: Principal, room_id: uuid.UUID) -> RoomView:
    """Put a scheduled room on air (early is fine) and tell the store's followers.

    Raises:
        RoomNotFound (404), RoomStateConflict (409): live or ended already.
    """
    with uow:
        session = uow.session
        room = host_room(session, actor, room_id)
        now = utcnow()
        moved = session.execute(
            update(_rooms)
            .where(_rooms.c.id == room.id, _rooms.c.status == domain.SCHEDULED)
            .values(status=domain.LIVE, started_at=now)
            .returning(_rooms.c.id)
        ).first()
        if moved is None:
            raise RoomStateConflict()
        uow.emit(
            "live.room_started",
            {"room_id": str(room.id), "store_id": str(room.store_id), "title": room.title},
            topics=[f"store:{room.store_id}", f"live:{room.id}"],
        )
        return _view(uow, room.id)


def end_room(uow: UnitOfWork, *, actor: Principal, room_id: uuid.UUID) -> RoomView:
    """Take a live room off air. A flash deal still running closes with it, its unsold units
    back in the product's stock. The room keeps its stream, pinned product and orders.

    Raises:
        RoomNotFound (404), RoomStateConflict (409): not live.
    """
    with uow:
        session = uow.session
        room = host_room(session, actor, room_id)
        moved = session.execute(
            update(_rooms)
            .where(_rooms.c.id == room.id, _rooms.c.status == domain.LIVE)
            .values(status=domain.ENDED, ended_at=utcnow())
            .returning(_rooms.c.id)
        ).first()
        if moved is None:
            raise RoomStateConflict()
        running = session.scalars(
            select(FlashDeal.id).where(
                FlashDeal.room_id == room.id, FlashDeal.status.in_(domain.RUNNING)
            )
        ).all()
        for deal_id in sorted(running):
            flash.close_deal(uow, deal_id)
        uow.emit("live.room_ended", {"room_id": str(room.id)}, topics=[f"live:{room.id}"])
        return _view(uow, room.id)


def pin_product(
    uow: UnitOfWork, *, actor: Principal, room_id: uuid.UUID, product_id: uuid.UUID
) -> RoomView:
    """Show one of the room's products above its chat, while the room is live.

    Raises:
        RoomNotFound (404), RoomNotLive (409), InvalidInput (422): not one of the room's products.
    """
    with uow:
        session = uow.session
        room = host_room(session, actor, room_id)
        if session.get(LiveRoomProduct, (room.id, product_id)) is None:
            raise InvalidInput(
                N_("Pin one of the room's own products."),
                errors=[{"field": "product_id", "message": _("not a product of this room")}],
            )
        moved = session.execute(
            update(_rooms)
            .where(_rooms.c.id == room.id, _rooms.c.status == domain.LIVE)
            .values(pinned_product_id=product_id)
            .returning(_rooms.c.id)
        ).first()
        if moved is None:
            raise RoomNotLive()
        uow.emit(
            "live.pinned",
            {"room_id": str(room.id), "product_id": str(product_id)},
            topics=[f"live:{room.id}"],
        )
        return _view(uow, room.id)


def _view(uow: UnitOfWork, room_id: uuid.UUID) -> RoomView:
    session = uow.session
    session.flush()
    session.expire_all()
    room = session.get(LiveRoom, room_id)
    assert room is not None
    return room_view(session, room)
