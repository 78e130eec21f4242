"""Who may see or run which room.

A room is as public as its store: anyone may look at it while the store is open; once it is not,
only the store's staff and operators still see it. Running a room (scheduling, going live,
pinning, flash deals, ending) is the store's staff's and operators' alone; anyone else gets the
room's not-found, as for a room that does not exist, so ids reveal nothing (catalog's rule).
"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from agora import catalog
from agora.identity import Principal
from agora.live.errors import FlashDealNotFound, RoomNotFound
from agora.live.models import FlashDeal, LiveRoom

OPEN_STORE = "active"


def access_room(session: Session, actor: Principal | None, room_id: uuid.UUID) -> LiveRoom:
    """The room, if the actor may see it (see the module docstring)."""
    room = session.get(LiveRoom, room_id)
    if room is None:
        raise RoomNotFound()
    store = session.get(catalog.Store, room.store_id)
    if store is not None and store.status == OPEN_STORE:
        return room
    if actor is None or not is_staff(session, actor, room.store_id):
        raise RoomNotFound()
    return room


def host_room(session: Session, actor: Principal, room_id: uuid.UUID) -> LiveRoom:
    """The room, if the actor staffs its store (or is an operator)."""
    room = session.get(LiveRoom, room_id)
    if room is None or not is_staff(session, actor, room.store_id):
        raise RoomNotFound()
    return room


def host_deal(session: Session, actor: Principal, deal_id: uuid.UUID) -> FlashDeal:
    """The deal, if the actor staffs the store of its room (or is an operator)."""
    deal = session.get(FlashDeal, deal_id)
    if deal is None:
        raise FlashDealNotFound()
    room = session.get(LiveRoom, deal.room_id)
    if room is None or not is_staff(session, actor, room.store_id):
        raise FlashDealNotFound()
    return deal


def is_staff(session: Session, actor: Principal, store_id: uuid.UUID) -> bool:
    try:
        catalog.access_store(session, actor, store_id)
    except catalog.StoreNotFound:
        return False
    return True
