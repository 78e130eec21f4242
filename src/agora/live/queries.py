"""Read models of live selling: a room with its products as cards, the pinned one and the flash
deal running now; the public list of rooms."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from agora import catalog
from agora.core.clock import utcnow
from agora.core.uow import UnitOfWork
from agora.identity import Principal
from agora.live import domain
from agora.live.access import OPEN_STORE, access_room
from agora.live.errors import FlashDealNotFound, RoomNotFound
from agora.live.models import FlashDeal, LiveRoom, LiveRoomProduct

MAX_LISTED = 50


@dataclass(frozen=True, slots=True)
class ProductCard:
    id: uuid.UUID
    title_en: str
    title_zh: str | None
    image_url: str
    price: int
    """The product's lowest SKU price."""
    currency: str
    position: int


@dataclass(frozen=True, slots=True)
class DealView:
    id: uuid.UUID
    room_id: uuid.UUID
    product_id: uuid.UUID
    sku_id: uuid.UUID
    price: int
    currency: str
    units: int
    remaining: int
    sold: int
    per_buyer_limit: int
    status: str
    opens_at: datetime
    closes_at: datetime
    closed_at: datetime | None
    seconds_to_open: int
    seconds_to_close: int
    created_at: datetime


@dataclass(frozen=True, slots=True)
class RoomView:
    id: uuid.UUID
    store_id: uuid.UUID
    title: str
    cover_url: str
    stream_url: str
    starts_at: datetime
    status: str
    started_at: datetime | None
    ended_at: datetime | None
    created_at: datetime
    products: list[ProductCard]
    pinned: ProductCard | None
    deal: DealView | None
    """The flash deal counting down or open now, if any."""
    peak_viewers: int
    likes: int
    comments: int
    orders: int
    gmv: int


def deal_view(deal: FlashDeal, now: datetime | None = None) -> DealView:
    now = now or utcnow()
    return DealView(
        id=deal.id,
        room_id=deal.room_id,
        product_id=deal.product_id,
        sku_id=deal.sku_id,
        price=deal.price,
        currency=deal.currency,
        units=deal.units,
        remaining=deal.remaining,
        sold=deal.sold,
        per_buyer_limit=deal.per_buyer_limit,
        status=deal.status,
        opens_at=deal.opens_at,
        closes_at=deal.closes_at,
        closed_at=deal.closed_at,
        seconds_to_open=domain.seconds_until(deal.opens_at, now),
        seconds_to_close=0
        if deal.status == domain.CLOSED
        else domain.seconds_until(deal.closes_at, now),
        created_at=deal.created_at,
    )


def room_views(session: Session, rooms: list[LiveRoom]) -> list[RoomView]:
    """Views of ``rooms``, with three queries whatever their number."""
    ids = [r.id for r in rooms]
    if not ids:
        return []
    cards: dict[uuid.UUID, list[ProductCard]] = {i: [] for i in ids}
    for room_id, position, product in session.execute(
        select(LiveRoomProduct.room_id, LiveRoomProduct.position, catalog.Product)
        .join(catalog.Product, catalog.Product.id == LiveRoomProduct.product_id)
        .where(LiveRoomProduct.room_id.in_(ids))
        .order_by(LiveRoomProduct.room_id, LiveRoomProduct.position)
    ):
        cards[room_id].append(
            ProductCard(
                id=product.id,
                title_en=product.title_en,
                title_zh=product.title_zh,
                image_url=product.image_url,
                price=product.min_price,
                currency=product.currency,
                position=position,
            )
        )
    running = {
        d.room_id: d
        for d in session.scalars(
            select(FlashDeal).where(
                FlashDeal.room_id.in_(ids), FlashDeal.status.in_(domain.RUNNING)
            )
        )
    }
    now = utcnow()
    views = []
    for room in rooms:
        products = cards[room.id]
        pinned = next((c for c in products if c.id == room.pinned_product_id), None)
        deal = running.get(room.id)
        views.append(
            RoomView(
                id=room.id,
                store_id=room.store_id,
                title=room.title,
                cover_url=room.cover_url,
                stream_url=room.stream_url,
                starts_at=room.starts_at,
                status=room.status,
                started_at=room.started_at,
                ended_at=room.ended_at,
                created_at=room.created_at,
                products=products,
                pinned=pinned,
                deal=deal_view(deal, now) if deal else None,
                peak_viewers=room.peak_viewers,
                likes=room.likes,
                comments=room.comments,
                orders=room.orders,
                gmv=room.gmv,
            )
        )
    return views


def room_view(session: Session, room: LiveRoom) -> RoomView:
    return room_views(session, [room])[0]


def room_detail(uow: UnitOfWork, *, actor: Principal | None, room_id: uuid.UUID) -> RoomView:
    with uow.read() as session:
        return room_view(session, access_room(session, actor, room_id))


def list_rooms(uow: UnitOfWork, *, status: str | None = None, limit: int = 20) -> list[RoomView]:
    """Rooms of open stores, the newest first (at most ``MAX_LISTED``)."""
    statement = (
        select(LiveRoom)
        .join(catalog.Store, catalog.Store.id == LiveRoom.store_id)
        .where(catalog.Store.status == OPEN_STORE)
        .order_by(LiveRoom.created_at.desc(), LiveRoom.id.desc())
        .limit(max(1, min(limit, MAX_LISTED)))
    )
    if status is not None:
        statement = statement.where(LiveRoom.status == status)
    with uow.read() as session:
        return room_views(session, list(session.scalars(statement)))


def flash_deal(uow: UnitOfWork, *, actor: Principal | None, deal_id: uuid.UUID) -> DealView:
    """One flash deal, as public as its room."""
    with uow.read() as session:
        deal = session.get(FlashDeal, deal_id)
        if deal is None:
            raise FlashDealNotFound()
        try:
            access_room(session, actor, deal.room_id)
        except RoomNotFound as exc:
            raise FlashDealNotFound() from exc
        return deal_view(deal)
