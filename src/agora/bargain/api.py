"""Bargain endpoints: the merchant's offers, a product's offer, campaigns, helping, buying.

Thin: each endpoint calls one use case and shapes its read model. A campaign is visible to
anyone signed in who has its id (it travels by share link); only its owner sees the buy action
and the order, and buying someone else's campaign answers 404.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import Request, status
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from agora import bargain
from agora.bargain.schemas import OfferIn
from agora.catalog.schemas import MoneyOut
from agora.core.i18n import lazy_pick
from agora.http.deps import Actor, MaybeActor, Uow
from agora.http.idempotency import IdempotencyKeyHeader, respond_idempotently
from agora.http.routing import Router
from agora.identity import Principal
from agora.ordering.api import order_out
from agora.ordering.schemas import OrderOut

router = Router(prefix="/api/v1", tags=["bargain"])


class OfferOut(BaseModel):
    id: uuid.UUID
    product_id: uuid.UUID
    sku_id: uuid.UUID
    store_id: uuid.UUID
    title: str
    colour: str
    size: str
    image_url: str
    price: MoneyOut
    """The SKU's own price, for comparison."""
    start_price: MoneyOut
    floor_price: MoneyOut
    helpers_needed: int
    window_hours: int
    allotment: int
    sold: int
    status: str
    created_at: datetime
    ended_at: datetime | None


class ProductBargainOut(BaseModel):
    offer: OfferOut
    my_bargain_id: uuid.UUID | None = None
    """Your campaign under this offer that has not expired, if you are signed in and have one."""


class MerchantOfferOut(OfferOut):
    campaigns: dict[str, int]
    """Campaigns under the offer by status (``open``, ``reached``, ``ordered``, ``expired``)."""


class HelpOut(BaseModel):
    helper_name: str
    position: int
    cut: MoneyOut
    created_at: datetime


class BargainOut(BaseModel):
    id: uuid.UUID
    offer_id: uuid.UUID
    owner_name: str
    product_id: uuid.UUID
    sku_id: uuid.UUID
    title: str
    colour: str
    size: str
    image_url: str
    start_price: MoneyOut
    floor_price: MoneyOut
    price: MoneyOut
    """The price now: the start less every cut so far."""
    helpers_needed: int
    helpers_done: int
    status: str
    created_at: datetime
    expires_at: datetime
    reached_at: datetime | None
    helps: list[HelpOut]
    is_owner: bool
    can_help: bool
    """You may help now: not yours, not helped yet, still open."""
    can_buy: bool
    """Yours, at the floor, not bought, within the window."""
    order_id: uuid.UUID | None = None
    """The order it became (shown to its owner only)."""


class HelpedOut(BaseModel):
    position: int
    cut: MoneyOut
    bargain: BargainOut


class BoughtOut(BaseModel):
    bargain: BargainOut
    order: OrderOut
    pay_url: str
    """Where the shopper pays the order (the usual pay page)."""


def _money(amount: int, currency: str) -> MoneyOut:
    return MoneyOut(amount=amount, currency=currency)


def offer_out(offer: bargain.OfferView) -> OfferOut:
    c = offer.currency
    return OfferOut(
        id=offer.id,
        product_id=offer.product_id,
        sku_id=offer.sku_id,
        store_id=offer.store_id,
        title=lazy_pick(offer.title_en, offer.title_zh),
        colour=offer.colour,
        size=offer.size,
        image_url=offer.image_url,
        price=_money(offer.sku_price, c),
        start_price=_money(offer.start_price, c),
        floor_price=_money(offer.floor_price, c),
        helpers_needed=offer.helpers_needed,
        window_hours=offer.window_hours,
        allotment=offer.allotment,
        sold=offer.sold,
        status=offer.status,
        created_at=offer.created_at,
        ended_at=offer.ended_at,
    )


def bargain_out(view: bargain.BargainView, viewer: Principal) -> BargainOut:
    c = view.currency
    mine = view.owner_id == viewer.user_id
    return BargainOut(
        id=view.id,
        offer_id=view.offer_id,
        owner_name=view.owner_name,
        product_id=view.product_id,
        sku_id=view.sku_id,
        title=lazy_pick(view.title_en, view.title_zh),
        colour=view.colour,
        size=view.size,
        image_url=view.image_url,
        start_price=_money(view.start_price, c),
        floor_price=_money(view.floor_price, c),
        price=_money(view.price, c),
        helpers_needed=view.helpers_needed,
        helpers_done=view.helpers_done,
        status=view.status,
        created_at=view.created_at,
        expires_at=view.expires_at,
        reached_at=view.reached_at,
        helps=[
            HelpOut(
                helper_name=h.helper_name,
                position=h.position,
                cut=_money(h.cut, c),
                created_at=h.created_at,
            )
            for h in view.helps
        ],
        is_owner=mine,
        can_help=not mine and view.status == "open" and not view.helped_by(viewer.user_id),
        can_buy=mine and view.status == "reached",
        order_id=view.order_id if mine else None,
    )


# --- the merchant's offers --------------------------------------------------------------------


@router.post(
    "/products/{product_id}/bargain-offers",
    status_code=status.HTTP_201_CREATED,
    response_model=OfferOut,
)
def create_offer(product_id: uuid.UUID, body: OfferIn, actor: Actor, uow: Uow) -> OfferOut:
    """Offer "help me cut the price" on one SKU of your store's product (one active offer per
    product; 409 ``bargain_offer_exists`` otherwise)."""
    offer = bargain.create_offer(
        uow,
        actor=actor,
        product_id=product_id,
        sku_id=body.sku_id,
        start_price=body.start_price,
        floor_price=body.floor_price,
        helpers_needed=body.helpers_needed,
        allotment=body.allotment,
        window_hours=body.window_hours,
    )
    return offer_out(offer)


@router.get("/products/{product_id}/bargain-offers", response_model=list[MerchantOfferOut])
def product_offers(product_id: uuid.UUID, actor: Actor, uow: Uow) -> list[MerchantOfferOut]:
    """Every offer your store's product has had, newest first, with its campaigns counted."""
    return [
        MerchantOfferOut(**offer_out(row.offer).model_dump(), campaigns=row.campaigns)
        for row in bargain.product_offers(uow, actor=actor, product_id=product_id)
    ]


@router.post("/bargain-offers/{offer_id}/end", response_model=OfferOut)
def end_offer(offer_id: uuid.UUID, actor: Actor, uow: Uow) -> OfferOut:
    """End the offer: no new campaigns; those running keep their window."""
    return offer_out(bargain.end_offer(uow, actor=actor, offer_id=offer_id))


# --- shoppers ---------------------------------------------------------------------------------


@router.get("/products/{product_id}/bargain", response_model=ProductBargainOut)
def product_bargain(product_id: uuid.UUID, actor: MaybeActor, uow: Uow) -> ProductBargainOut:
    """The product's active bargain offer (404 ``bargain_offer_not_found`` if none)."""
    offer = bargain.product_offer(uow, product_id=product_id)
    mine = bargain.my_live_bargain(uow, actor=actor, offer_id=offer.id) if actor else None
    return ProductBargainOut(offer=offer_out(offer), my_bargain_id=mine.id if mine else None)


@router.post("/bargain-offers/{offer_id}/bargains", response_model=BargainOut)
def start_bargain(offer_id: uuid.UUID, actor: Actor, uow: Uow) -> JSONResponse:
    """Start your campaign under the offer: 201; your campaign already running: 200 with it."""
    started = bargain.start_bargain(uow, actor=actor, offer_id=offer_id)
    return JSONResponse(
        bargain_out(started.bargain, actor).model_dump(mode="json"),
        status_code=status.HTTP_201_CREATED if started.created else status.HTTP_200_OK,
    )


@router.get("/bargains/mine", response_model=list[BargainOut])
def my_bargains(actor: Actor, uow: Uow) -> list[BargainOut]:
    """Your campaigns, newest first (the latest fifty; helpers listed on each campaign's own)."""
    return [bargain_out(view, actor) for view in bargain.my_bargains(uow, actor=actor)]


@router.get("/bargains/{bargain_id}", response_model=BargainOut)
def get_bargain(bargain_id: uuid.UUID, actor: Actor, uow: Uow) -> BargainOut:
    """A campaign with its helpers (anyone signed in with its id: it is shared by link)."""
    return bargain_out(bargain.access_bargain(uow, actor=actor, bargain_id=bargain_id), actor)


@router.post("/bargains/{bargain_id}/help", response_model=HelpedOut)
def help_bargain(bargain_id: uuid.UUID, actor: Actor, uow: Uow) -> HelpedOut:
    """Help a friend: cut their price by the next amount (once per campaign; not your own)."""
    helped = bargain.help_bargain(uow, actor=actor, bargain_id=bargain_id)
    return HelpedOut(
        position=helped.position,
        cut=_money(helped.cut, helped.bargain.currency),
        bargain=bargain_out(helped.bargain, actor),
    )


@router.post(
    "/bargains/{bargain_id}/buy", status_code=status.HTTP_201_CREATED, response_model=BoughtOut
)
def buy_bargain(
    bargain_id: uuid.UUID,
    actor: Actor,
    uow: Uow,
    request: Request,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    """Buy your campaign's item at the reached price: an order pending payment (pay it with
    ``POST /api/v1/orders/{id}/pay``). Repeat with the same ``Idempotency-Key`` to replay."""

    def action() -> tuple[int, BoughtOut]:
        bought = bargain.buy_bargain(uow, actor=actor, bargain_id=bargain_id)
        return status.HTTP_201_CREATED, BoughtOut(
            bargain=bargain_out(bought.bargain, actor),
            order=order_out(bought.order),
            pay_url=f"/pay?orders={bought.order.id}",
        )

    return respond_idempotently(
        request, uow, actor=actor, key=idempotency_key, body=None, action=action
    )
