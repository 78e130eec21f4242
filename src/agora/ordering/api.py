"""Ordering endpoints: cart, checkout, orders, payment, fulfilment, refunds, settlements.

Thin: each endpoint calls one use case and shapes its read model. Orders the actor may not see
answer 404 (the services raise it).
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query, Request, status
from fastapi.responses import Response

from agora import recommendations
from agora.catalog.schemas import MoneyOut
from agora.core.i18n import lazy_pick
from agora.core.uow import UnitOfWork
from agora.http.deps import Actor, Uow
from agora.http.idempotency import (
    IdempotencyKeyHeader,
    respond_idempotently,
    write_idempotently,
)
from agora.http.lean import lean
from agora.http.routing import Router
from agora.logistics.schemas import AddressFieldsOut
from agora.ordering import domain, service
from agora.ordering.schemas import (
    CartItemIn,
    CartLineOut,
    CartOut,
    CartQuantityIn,
    CheckoutIn,
    CheckoutOut,
    DecisionIn,
    OrderDetailOut,
    OrderEventOut,
    OrderLineOut,
    OrderOut,
    OrderPageOut,
    OrderPaymentOut,
    PayIn,
    PayOut,
    RefundIn,
    RefundOut,
    SettlementOut,
    SettlementPageOut,
    ShipIn,
)

router = Router(prefix="/api/v1", tags=["ordering"])

StatusFilter = Annotated[
    str | None, Query(pattern="^(" + "|".join(domain.STATUSES) + ")$", description="Filter.")
]
Cursor = Annotated[str | None, Query(max_length=100)]
Limit = Annotated[int, Query(ge=1, le=100)]
NumberFilter = Annotated[
    str | None,
    Query(
        pattern=r"^[0-9]{1,16}$",
        description="Only orders whose number is this or begins with it (1 to 16 digits).",
    ),
]


def _money(amount: int, currency: str = "CNY") -> MoneyOut:
    return MoneyOut(amount=amount, currency=currency)


def cart_out(cart: service.CartView) -> CartOut:
    return CartOut(
        lines=[
            CartLineOut(
                sku_id=line.sku_id,
                product_id=line.product_id,
                store_id=line.store_id,
                store_name=lazy_pick(line.store_name_en, line.store_name_zh),
                title=lazy_pick(line.title_en, line.title_zh),
                colour=line.colour,
                size=line.size,
                image_url=line.image_url,
                unit_price=_money(line.unit_price),
                quantity=line.quantity,
                line_total=_money(line.line_total),
                stock=line.stock,
                on_sale=line.on_sale,
                can_buy=line.can_buy,
            )
            for line in cart.lines
        ],
        count=cart.count,
        total=_money(cart.total),
    )


def refund_out(refund: service.RefundView) -> RefundOut:
    return RefundOut(
        id=refund.id,
        order_id=refund.order_id,
        kind=refund.kind,
        status=refund.status,
        amount=_money(refund.amount),
        reason=refund.reason,
        created_at=refund.created_at,
        decided_at=refund.decided_at,
        decision_note=refund.decision_note,
        lines=refund.lines,
    )


def order_out(order: service.OrderView) -> OrderOut:
    c = order.currency
    return OrderOut(
        id=order.id,
        number=order.number,
        checkout_id=order.checkout_id,
        store_id=order.store_id,
        store_name=lazy_pick(order.store_name_en, order.store_name_zh),
        status=order.status,
        total=_money(order.total, c),
        paid=_money(order.paid_amount, c),
        refunded=_money(order.refunded_amount, c),
        return_open=order.return_open,
        tracking_number=order.tracking_number,
        created_at=order.created_at,
        pay_by=order.pay_by,
        paid_at=order.paid_at,
        shipped_at=order.shipped_at,
        delivered_at=order.delivered_at,
        confirm_by=order.confirm_by,
        closed_at=order.closed_at,
        deal_kind=order.deal_kind,
        deal_id=order.deal_id,
        held=order.held,
        ship_to=AddressFieldsOut(**order.ship_to) if order.ship_to else None,
        lines=[
            OrderLineOut(
                id=line.id,
                sku_id=line.sku_id,
                product_id=line.product_id,
                title=lazy_pick(line.title_en, line.title_zh),
                title_en=line.title_en,
                title_zh=line.title_zh,
                colour=line.colour,
                size=line.size,
                image_url=line.image_url,
                unit_price=_money(line.unit_price, c),
                quantity=line.quantity,
                refunded_quantity=line.refunded_quantity,
                returning_quantity=line.returning_quantity,
                line_total=_money(line.line_total, c),
            )
            for line in order.lines
        ],
    )


def order_detail_out(order: service.OrderView) -> OrderDetailOut:
    return OrderDetailOut(
        **order_out(order).model_dump(),
        payments=[
            OrderPaymentOut(
                source=p.source,
                amount=_money(p.amount, order.currency),
                refunded=_money(p.refunded, order.currency),
                charge_id=p.charge_id,
            )
            for p in order.payments
        ],
        refunds=[refund_out(r) for r in order.refunds],
        timeline=[
            OrderEventOut(
                kind=e.kind,
                actor_role=e.actor_role,
                actor_id=e.actor_id,
                data=e.data,
                created_at=e.created_at,
            )
            for e in order.timeline
        ],
    )


def _page(page: service.OrderPage) -> OrderPageOut:
    return OrderPageOut(items=[order_out(o) for o in page.items], next_cursor=page.next_cursor)


# --- cart -------------------------------------------------------------------------------------


@router.get("/cart", response_model=CartOut)
def cart(actor: Actor, uow: Uow) -> CartOut:
    """Your cart, with today's prices and stock."""
    return cart_out(service.view_cart(uow, actor=actor))


@router.post("/cart/items", response_model=CartOut)
def add_item(body: CartItemIn, actor: Actor, uow: Uow) -> CartOut:
    """Add a quantity of a SKU on top of what the cart holds (capped at 99)."""
    service.add_to_cart(uow, actor=actor, sku_id=body.sku_id, quantity=body.quantity)
    view = service.view_cart(uow, actor=actor)
    for line in view.lines:
        if line.sku_id == body.sku_id:
            recommendations.record_event(
                actor.user_id, recommendations.CART, product_id=line.product_id
            )
    return cart_out(view)


@router.put("/cart/items/{sku_id}", response_model=CartOut)
def set_item(sku_id: uuid.UUID, body: CartQuantityIn, actor: Actor, uow: Uow) -> CartOut:
    """Set a line's quantity; 0 removes it."""
    service.set_cart_quantity(uow, actor=actor, sku_id=sku_id, quantity=body.quantity)
    return cart_out(service.view_cart(uow, actor=actor))


@router.delete("/cart/items/{sku_id}", response_model=CartOut)
def remove_item(sku_id: uuid.UUID, actor: Actor, uow: Uow) -> CartOut:
    service.remove_from_cart(uow, actor=actor, sku_id=sku_id)
    return cart_out(service.view_cart(uow, actor=actor))


# --- checkout and the buyer's orders ----------------------------------------------------------


@router.post(
    "/checkout",
    status_code=status.HTTP_201_CREATED,
    response_model=CheckoutOut,
    responses={201: {"description": "One order per store, each pending payment for 15 minutes."}},
)
@lean
async def checkout(
    body: CheckoutIn,
    actor: Actor,
    request: Request,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    """Check out the cart, or ``lines`` directly; stock is reserved (409 if short)."""
    lines = (
        None
        if body.lines is None
        else [service.LineRequest(line.sku_id, line.quantity) for line in body.lines]
    )

    def action(uow: UnitOfWork) -> tuple[int, CheckoutOut]:
        orders = service.place_orders(uow, actor=actor, lines=lines, address_id=body.address_id)
        return status.HTTP_201_CREATED, CheckoutOut(
            orders=[order_out(o) for o in orders], total=_money(sum(o.total for o in orders))
        )

    return await write_idempotently(
        request,
        actor=actor,
        key=idempotency_key,
        body=body,
        action=action,
        refuse=lambda uow: service.refuse_sold_out(uow, lines),
    )


@router.get("/orders", response_model=OrderPageOut)
def orders(
    actor: Actor,
    uow: Uow,
    status_: Annotated[StatusFilter, Query(alias="status")] = None,
    number: NumberFilter = None,
    cursor: Cursor = None,
    limit: Limit = 20,
) -> OrderPageOut:
    """Your orders, newest first; continue with ``next_cursor``."""
    return _page(
        service.list_orders(
            uow, actor=actor, status=status_, number=number, cursor=cursor, limit=limit
        )
    )


@router.get("/orders/{order_id}", response_model=OrderDetailOut)
def order(order_id: uuid.UUID, actor: Actor, uow: Uow) -> OrderDetailOut:
    """One order with payments, refunds and its timeline (buyer or the store's staff)."""
    return order_detail_out(service.order_detail(uow, actor=actor, order_id=order_id))


@router.post("/orders/{order_id}/pay", response_model=PayOut)
@lean
async def pay(
    order_id: uuid.UUID,
    body: PayIn,
    actor: Actor,
    request: Request,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    """Pay from the wallet, the bank gateway, or both, with points as a discount (amounts in
    fen; one source other than points may omit its amount to take the rest)."""
    sources = [service.SourceRequest(s.source, s.amount) for s in body.sources]

    def action(uow: UnitOfWork) -> tuple[int, PayOut]:
        outcome = service.pay_orders(
            uow,
            actor=actor,
            order_ids=[order_id],
            sources=sources,
            return_url=f"/orders/{order_id}",
        )
        return status.HTTP_200_OK, PayOut(
            status=outcome.status,
            orders=[order_out(o) for o in outcome.orders],
            wallet_amount=_money(outcome.wallet_amount),
            gateway_amount=_money(outcome.gateway_amount),
            points_amount=_money(outcome.points_amount),
            treasure_amount=_money(outcome.treasure_amount),
            credit_amount=_money(outcome.credit_amount),
            charge_id=outcome.charge_id,
            redirect_url=outcome.redirect_url,
        )

    return await write_idempotently(
        request, actor=actor, key=idempotency_key, body=body, action=action
    )


@router.post("/orders/{order_id}/cancel", response_model=OrderOut)
def cancel(order_id: uuid.UUID, actor: Actor, uow: Uow) -> OrderOut:
    """Cancel an unpaid order; its stock goes back on sale."""
    return order_out(service.cancel_order(uow, actor=actor, order_id=order_id))


@router.post("/orders/{order_id}/confirm", response_model=OrderOut)
def confirm(order_id: uuid.UUID, actor: Actor, uow: Uow) -> OrderOut:
    """Confirm receipt: the order completes and the store is paid."""
    return order_out(service.confirm_receipt(uow, actor=actor, order_id=order_id))


@router.post(
    "/orders/{order_id}/refunds", status_code=status.HTTP_201_CREATED, response_model=RefundOut
)
def refund(
    order_id: uuid.UUID,
    body: RefundIn,
    actor: Actor,
    uow: Uow,
    request: Request,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    """Refund the whole order or some units of its lines: at once before shipment, as a return
    request for the merchant after."""
    lines = None if body.lines is None else {line.line_id: line.quantity for line in body.lines}

    def action() -> tuple[int, RefundOut]:
        made = service.request_refund(
            uow, actor=actor, order_id=order_id, lines=lines, reason=body.reason
        )
        return status.HTTP_201_CREATED, refund_out(made)

    return respond_idempotently(
        request, uow, actor=actor, key=idempotency_key, body=body, action=action
    )


# --- the merchant's side ----------------------------------------------------------------------


@router.get("/stores/{store_id}/orders", response_model=OrderPageOut)
def store_orders(
    store_id: uuid.UUID,
    actor: Actor,
    uow: Uow,
    status_: Annotated[StatusFilter, Query(alias="status")] = None,
    number: NumberFilter = None,
    cursor: Cursor = None,
    limit: Limit = 20,
) -> OrderPageOut:
    """The store's orders for its staff, newest first."""
    return _page(
        service.store_orders(
            uow,
            actor=actor,
            store_id=store_id,
            status=status_,
            number=number,
            cursor=cursor,
            limit=limit,
        )
    )


@router.get("/stores/{store_id}/returns", response_model=list[RefundOut])
def store_returns(store_id: uuid.UUID, actor: Actor, uow: Uow) -> list[RefundOut]:
    """Returns waiting for the store's decision, oldest first."""
    return [refund_out(r) for r in service.store_returns(uow, actor=actor, store_id=store_id)]


@router.post("/orders/{order_id}/ship", response_model=OrderOut)
def ship(order_id: uuid.UUID, body: ShipIn, actor: Actor, uow: Uow) -> OrderOut:
    return order_out(
        service.ship_order(
            uow, actor=actor, order_id=order_id, tracking_number=body.tracking_number
        )
    )


@router.post("/orders/{order_id}/deliver", response_model=OrderOut)
def deliver(order_id: uuid.UUID, actor: Actor, uow: Uow) -> OrderOut:
    return order_out(service.mark_delivered(uow, actor=actor, order_id=order_id))


@router.post("/refunds/{refund_id}/accept", response_model=RefundOut)
def accept(
    refund_id: uuid.UUID, actor: Actor, uow: Uow, body: DecisionIn | None = None
) -> RefundOut:
    """Accept a return: the money goes back to its sources, the goods back on sale."""
    note = body.note if body else ""
    return refund_out(service.accept_return(uow, actor=actor, refund_id=refund_id, note=note))


@router.post("/refunds/{refund_id}/reject", response_model=RefundOut)
def reject(
    refund_id: uuid.UUID, actor: Actor, uow: Uow, body: DecisionIn | None = None
) -> RefundOut:
    note = body.note if body else ""
    return refund_out(service.reject_return(uow, actor=actor, refund_id=refund_id, note=note))


@router.get("/stores/{store_id}/settlements", response_model=SettlementPageOut)
def settlements(
    store_id: uuid.UUID, actor: Actor, uow: Uow, cursor: Cursor = None, limit: Limit = 20
) -> SettlementPageOut:
    """What completed orders paid the store: gross, the platform's commission, net."""
    page = service.store_settlements(
        uow, actor=actor, store_id=store_id, cursor=cursor, limit=limit
    )
    return SettlementPageOut(
        items=[
            SettlementOut(
                id=s.id,
                order_id=s.order_id,
                order_number=s.order_number,
                gross=_money(s.gross),
                commission=_money(s.commission),
                net=_money(s.net),
                freight=_money(s.freight),
                rate=s.rate,
                created_at=s.created_at,
            )
            for s in page.items
        ],
        next_cursor=page.next_cursor,
    )
