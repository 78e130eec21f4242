"""Live-selling endpoints: the store's rooms (schedule, go live, pin, end), the public list and
one room with its products and running flash deal, the host's flash deals, and buying in one
(``Idempotency-Key``: it creates an order and moves money). Thin: each endpoint calls one use
case and shapes its read model."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import Query, Request, status
from fastapi.responses import Response
from pydantic import BaseModel

from agora import live
from agora.catalog.schemas import MoneyOut
from agora.core.i18n import lazy_pick
from agora.core.uow import UnitOfWork
from agora.http.deps import Actor, MaybeActor, Uow
from agora.http.idempotency import IdempotencyKeyHeader, write_idempotently
from agora.http.lean import lean
from agora.http.routing import Router
from agora.live.schemas import FlashBuyIn, FlashDealIn, PinIn, RoomIn

router = Router(prefix="/api/v1", tags=["live"])


class ProductCardOut(BaseModel):
    id: uuid.UUID
    title: str
    title_en: str
    title_zh: str | None
    image_url: str
    price: MoneyOut
    """The product's lowest SKU price."""
    url: str


class FlashDealOut(BaseModel):
    id: uuid.UUID
    room_id: uuid.UUID
    product_id: uuid.UUID
    sku_id: uuid.UUID
    price: MoneyOut
    units: int
    """Units set aside (once open: what the stock held, if it held fewer than asked)."""
    remaining: int
    sold: int
    per_buyer_limit: int
    status: str
    opens_at: datetime
    closes_at: datetime
    closed_at: datetime | None
    seconds_to_open: int
    seconds_to_close: int


class RoomOut(BaseModel):
    id: uuid.UUID
    url: str
    store_id: uuid.UUID
    title: str
    cover_url: str
    stream_url: str
    starts_at: datetime
    status: str
    started_at: datetime | None
    ended_at: datetime | None
    created_at: datetime
    products: list[ProductCardOut]
    pinned: ProductCardOut | None
    deal: FlashDealOut | None
    """The flash deal counting down or open now."""
    peak_viewers: int
    likes: int
    comments: int
    orders: int
    gmv: MoneyOut


class FlashOrderOut(BaseModel):
    id: uuid.UUID
    number: str
    status: str
    total: MoneyOut


class FlashPurchaseOut(BaseModel):
    deal_id: uuid.UUID
    room_id: uuid.UUID
    remaining: int
    order: FlashOrderOut


def _card(card: live.ProductCard) -> ProductCardOut:
    return ProductCardOut(
        id=card.id,
        title=lazy_pick(card.title_en, card.title_zh),
        title_en=card.title_en,
        title_zh=card.title_zh,
        image_url=card.image_url,
        price=MoneyOut(amount=card.price, currency=card.currency),
        url=f"/products/{card.id}",
    )


def deal_out(deal: live.DealView) -> FlashDealOut:
    return FlashDealOut(
        id=deal.id,
        room_id=deal.room_id,
        product_id=deal.product_id,
        sku_id=deal.sku_id,
        price=MoneyOut(amount=deal.price, currency=deal.currency),
        units=deal.units,
        remaining=deal.remaining,
        sold=deal.sold,
        per_buyer_limit=deal.per_buyer_limit,
        status=deal.status,
        opens_at=deal.opens_at,
        closes_at=deal.closes_at,
        closed_at=deal.closed_at,
        seconds_to_open=deal.seconds_to_open,
        seconds_to_close=deal.seconds_to_close,
    )


def room_out(room: live.RoomView) -> RoomOut:
    return RoomOut(
        id=room.id,
        url=f"/live/{room.id}",
        store_id=room.store_id,
        title=room.title,
        cover_url=room.cover_url,
        stream_url=room.stream_url,
        starts_at=room.starts_at,
        status=room.status,
        started_at=room.started_at,
        ended_at=room.ended_at,
        created_at=room.created_at,
        products=[_card(c) for c in room.products],
        pinned=_card(room.pinned) if room.pinned else None,
        deal=deal_out(room.deal) if room.deal else None,
        peak_viewers=room.peak_viewers,
        likes=room.likes,
        comments=room.comments,
        orders=room.orders,
        gmv=MoneyOut(amount=room.gmv),
    )


@router.post(
    "/stores/{store_id}/live-rooms", status_code=status.HTTP_201_CREATED, response_model=RoomOut
)
def schedule_room(store_id: uuid.UUID, body: RoomIn, actor: Actor, uow: Uow) -> RoomOut:
    """Schedule a live room of your store with the products it will sell."""
    draft = live.RoomDraft(
        title=body.title,
        stream_url=body.stream_url,
        starts_at=body.starts_at,
        product_ids=body.product_ids,
        cover_url=body.cover_url,
    )
    return room_out(live.schedule_room(uow, actor=actor, store_id=store_id, draft=draft))


@router.get("/live-rooms", response_model=list[RoomOut])
def list_rooms(
    uow: Uow,
    status_: Annotated[
        str | None, Query(alias="status", pattern="^(" + "|".join(live.ROOM_STATUSES) + ")$")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
) -> list[RoomOut]:
    """Rooms of open stores, the newest first (at most 50)."""
    return [room_out(r) for r in live.list_rooms(uow, status=status_, limit=limit)]


@router.get("/live-rooms/{room_id}", response_model=RoomOut)
def room(room_id: uuid.UUID, uow: Uow, actor: MaybeActor) -> RoomOut:
    """One room: its products, the pinned one, and the flash deal running now."""
    return room_out(live.room_detail(uow, actor=actor, room_id=room_id))


@router.post("/live-rooms/{room_id}/go-live", response_model=RoomOut)
def go_live(room_id: uuid.UUID, actor: Actor, uow: Uow) -> RoomOut:
    """Put your scheduled room on air (409 if it is live or ended already)."""
    return room_out(live.go_live(uow, actor=actor, room_id=room_id))


@router.post("/live-rooms/{room_id}/end", response_model=RoomOut)
def end_room(room_id: uuid.UUID, actor: Actor, uow: Uow) -> RoomOut:
    """Take your live room off air; a running flash deal closes with it."""
    return room_out(live.end_room(uow, actor=actor, room_id=room_id))


@router.post("/live-rooms/{room_id}/pin", response_model=RoomOut)
def pin(room_id: uuid.UUID, body: PinIn, actor: Actor, uow: Uow) -> RoomOut:
    """Pin one of the room's products while it is live."""
    return room_out(live.pin_product(uow, actor=actor, room_id=room_id, product_id=body.product_id))


@router.post(
    "/live-rooms/{room_id}/flash-deals",
    status_code=status.HTTP_201_CREATED,
    response_model=FlashDealOut,
)
def start_deal(room_id: uuid.UUID, body: FlashDealIn, actor: Actor, uow: Uow) -> FlashDealOut:
    """Start a flash deal on a SKU of the pinned product: the countdown begins now."""
    terms = live.FlashTerms(
        sku_id=body.sku_id,
        price=body.price,
        units=body.units,
        per_buyer_limit=body.per_buyer_limit,
        countdown_seconds=body.countdown_seconds,
        duration_seconds=body.duration_seconds,
    )
    return deal_out(live.start_deal(uow, actor=actor, room_id=room_id, terms=terms))


@router.get("/flash-deals/{deal_id}", response_model=FlashDealOut)
def flash_deal(deal_id: uuid.UUID, uow: Uow, actor: MaybeActor) -> FlashDealOut:
    return deal_out(live.flash_deal(uow, actor=actor, deal_id=deal_id))


@router.post("/flash-deals/{deal_id}/end", response_model=FlashDealOut)
def end_deal(deal_id: uuid.UUID, actor: Actor, uow: Uow) -> FlashDealOut:
    """End your flash deal early: its unsold units go back to the product's stock."""
    return deal_out(live.end_deal(uow, actor=actor, deal_id=deal_id))


@router.post(
    "/flash-deals/{deal_id}/buy",
    status_code=status.HTTP_201_CREATED,
    response_model=FlashPurchaseOut,
)
@lean
async def buy(
    deal_id: uuid.UUID,
    body: FlashBuyIn,
    actor: Actor,
    request: Request,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    """Buy in an open flash deal: your order at the deal's price is paid from your wallet.
    409 ``flash_deal_not_open``, ``flash_deal_closed``, ``flash_deal_sold_out``,
    ``flash_limit_reached``, ``insufficient_funds``, ...: nothing was charged."""

    def action(uow: UnitOfWork) -> tuple[int, FlashPurchaseOut]:
        bought = live.buy(
            uow,
            actor=actor,
            deal_id=deal_id,
            quantity=body.quantity,
            address_id=body.address_id,
        )
        order = bought.order
        return status.HTTP_201_CREATED, FlashPurchaseOut(
            deal_id=bought.deal_id,
            room_id=bought.room_id,
            remaining=bought.remaining,
            order=FlashOrderOut(
                id=order.id,
                number=order.number,
                status=order.status,
                total=MoneyOut(amount=order.total, currency=order.currency),
            ),
        )

    return await write_idempotently(
        request,
        actor=actor,
        key=idempotency_key,
        body=body,
        action=action,
        refuse=lambda uow: live.refuse_sold_out(uow, deal_id),
    )
