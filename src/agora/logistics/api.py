"""Logistics endpoints: a shopper's own delivery addresses; carriers, labels, tracking, and the
carriers' signed pushes.

The API layer sits on top of the contexts: shipping an order is ordering's use case on
logistics' carriers."""

from __future__ import annotations

import uuid
from typing import Annotated

import anyio.to_thread
from fastapi import Header, Request, Response, status

from agora import catalog, logistics
from agora.http.deps import Actor, Uow
from agora.http.openapi import also
from agora.http.routing import Router
from agora.identity import require_operator
from agora.logistics import carriers, shipments
from agora.logistics.schemas import (
    AddressIn,
    AddressOut,
    AdvanceIn,
    CarrierOut,
    CarrierSwitchIn,
    LabelIn,
    OfferOut,
    ParcelOut,
    PromiseIn,
    PromiseOut,
    PushOut,
    ShippingOptionsOut,
    TrackingEventOut,
    TrackingOut,
)
from agora.ordering import shipping
from agora.ordering.api import order_out
from agora.ordering.schemas import OrderOut

router = Router(prefix="/api/v1", tags=["addresses"])


def address_out(address: logistics.Address) -> AddressOut:
    return AddressOut.model_validate(address, from_attributes=True)


@router.get("/addresses", response_model=list[AddressOut])
def addresses(actor: Actor, uow: Uow) -> list[AddressOut]:
    """Your addresses, the default first."""
    return [address_out(a) for a in logistics.list_addresses(uow, actor=actor)]


@router.post("/addresses", status_code=status.HTTP_201_CREATED, response_model=AddressOut)
def add_address(body: AddressIn, actor: Actor, uow: Uow) -> AddressOut:
    """Add an address; your first one becomes the default. 422 ``invalid_input`` names each
    wrong field; 409 ``address_book_full`` past 20."""
    values = body.model_dump(exclude={"make_default"})
    return address_out(
        logistics.add_address(uow, actor=actor, values=values, make_default=body.make_default)
    )


@router.get("/addresses/{address_id}", response_model=AddressOut)
def address(address_id: uuid.UUID, actor: Actor, uow: Uow) -> AddressOut:
    return address_out(logistics.get_address(uow, actor=actor, address_id=address_id))


@router.put("/addresses/{address_id}", response_model=AddressOut)
def replace_address(address_id: uuid.UUID, body: AddressIn, actor: Actor, uow: Uow) -> AddressOut:
    """Rewrite an address. Orders already placed keep the address they were placed with."""
    values = body.model_dump(exclude={"make_default"})
    return address_out(
        logistics.update_address(
            uow,
            actor=actor,
            address_id=address_id,
            values=values,
            make_default=body.make_default,
        )
    )


@router.post("/addresses/{address_id}/default", response_model=AddressOut)
def make_default(address_id: uuid.UUID, actor: Actor, uow: Uow) -> AddressOut:
    return address_out(logistics.set_default_address(uow, actor=actor, address_id=address_id))


@router.delete("/addresses/{address_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove_address(address_id: uuid.UUID, actor: Actor, uow: Uow) -> Response:
    """Remove an address; if it was the default, your newest remaining one becomes it."""
    logistics.remove_address(uow, actor=actor, address_id=address_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- carriers, labels and tracking ------------------------------------------------------------


def _carrier_out(switch: shipments.CarrierSwitch) -> CarrierOut:
    return CarrierOut(
        carrier=switch.carrier, name=switch.name, fleet=switch.fleet, enabled=switch.enabled
    )


@router.get("/carriers", response_model=list[CarrierOut], tags=["shipping"])
def carrier_list(actor: Actor, uow: Uow) -> list[CarrierOut]:
    """The carriers Agora ships with, and whether each is switched on."""
    return [_carrier_out(s) for s in shipments.list_carrier_switches(uow)]


@router.put("/operator/carriers/{carrier}", response_model=CarrierOut, tags=["shipping"])
def switch_carrier(carrier: str, body: CarrierSwitchIn, actor: Actor, uow: Uow) -> CarrierOut:
    """Switch a carrier on or off (operators). Parcels already with it keep being tracked."""
    require_operator(actor)
    return _carrier_out(
        shipments.set_carrier_switch(uow, actor=actor, carrier=carrier, enabled=body.enabled)
    )


@router.put("/stores/{store_id}/shipping", response_model=PromiseOut, tags=["shipping"])
def set_promise(store_id: uuid.UUID, body: PromiseIn, actor: Actor, uow: Uow) -> PromiseOut:
    """The store's shipping promise (its owner): origin, hand-over and delivery times, and
    whether it also ships with Agora Fleet."""
    promise = catalog.set_promise(
        uow,
        actor=actor,
        store_id=store_id,
        origin_region=body.origin_region,
        ship_within_hours=body.ship_within_hours,
        deliver_within_days=body.deliver_within_days,
        fleet_opt_in=body.fleet_opt_in,
    )
    return PromiseOut.model_validate(promise, from_attributes=True)


@router.get(
    "/orders/{order_id}/shipping-options", response_model=ShippingOptionsOut, tags=["shipping"]
)
def shipping_options(order_id: uuid.UUID, actor: Actor, uow: Uow) -> ShippingOptionsOut:
    """What each carrier that is on asks for the order's parcel and when it would arrive (the
    store's staff)."""
    options = shipping.shipping_options(uow, actor=actor, order_id=order_id)
    return ShippingOptionsOut(
        order_id=options.order_id,
        weight_grams=options.weight_grams,
        origin_region=options.origin_region,
        destination_region=options.destination_region,
        promised_by=options.promised_by,
        offers=[
            OfferOut(
                carrier=o.quote.carrier,
                name=o.quote.name,
                price=o.quote.price,
                eta_days=o.quote.eta_days,
                eta_at=o.eta_at,
                keeps_promise=o.keeps_promise,
            )
            for o in options.offers
        ],
        picks=options.picks,
    )


@router.post("/orders/{order_id}/labels", response_model=OrderOut, tags=["shipping"])
def buy_label(order_id: uuid.UUID, body: LabelIn, actor: Actor, uow: Uow) -> OrderOut:
    """Buy a carrier's label for a paid order and hand the parcel over: the order is shipped with
    the waybill as its tracking number; the label's price is the store's freight."""
    return order_out(
        shipping.ship_by_label(
            uow, actor=actor, order_id=order_id, carrier=body.carrier, policy=body.policy
        )
    )


@router.get("/orders/{order_id}/tracking", response_model=TrackingOut, tags=["shipping"])
def tracking(order_id: uuid.UUID, actor: Actor, uow: Uow) -> TrackingOut:
    """The order's parcels and their scans, newest first (its buyer or its store's staff)."""
    order, parcels = shipping.order_tracking(uow, actor=actor, order_id=order_id)
    return TrackingOut(
        order_id=order.id,
        order_status=order.status,
        parcels=[
            ParcelOut(
                direction=p.shipment.direction,
                carrier=p.shipment.carrier,
                carrier_name=p.shipment.carrier_name,
                waybill=p.shipment.waybill,
                status=p.shipment.status,
                location=p.shipment.location,
                eta_at=p.shipment.eta_at,
                delivered_at=p.shipment.delivered_at,
                events=[
                    TrackingEventOut(
                        event_id=e.event_id,
                        status=e.status,
                        location=e.location,
                        description=e.description,
                        occurred_at=e.occurred_at,
                    )
                    for e in p.events
                ],
            )
            for p in parcels
        ],
    )


@router.post(
    "/carriers/{carrier}/webhook",
    response_model=PushOut,
    responses=also(403, 404, 422),
    tags=["shipping"],
)
async def carrier_webhook(
    carrier: str,
    request: Request,
    uow: Uow,
    signature: Annotated[str, Header(alias=carriers.SIGNATURE_HEADER, max_length=200)] = "",
) -> PushOut:
    """A carrier's signed push of scans (``X-Carrier-Signature: t=<unix seconds>,v1=<hex
    HMAC-SHA256 of "<t>." + body>``). Duplicated, late and out-of-order scans are answered 200
    and change a parcel once and never backwards; a bad signature is refused (403), nothing
    changed."""
    body = await request.body()
    outcome = await anyio.to_thread.run_sync(
        lambda: shipping.receive_push(uow, carrier=carrier, body=body, signature=signature)
    )
    return PushOut(new=outcome.new, duplicates=outcome.duplicates, unknown=outcome.unknown)


@router.post(
    "/sandbox/carriers/orders/{order_id}/advance", response_model=PushOut, tags=["shipping"]
)
def sandbox_advance(order_id: uuid.UUID, body: AdvanceIn, actor: Actor, uow: Uow) -> PushOut:
    """The sandbox carriers' console (operators): play an order's parcel forward to a stage now,
    as the carrier's pushes would over the coming days."""
    require_operator(actor)
    outcome = shipping.sandbox_advance(uow, order_id=order_id, until=body.until)
    return PushOut(new=outcome.new, duplicates=outcome.duplicates, unknown=outcome.unknown)
