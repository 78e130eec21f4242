"""Shipping pages: the merchant buys a carrier's label and prints it; the shopper tracks the
parcel live; the operator switches carriers on and off and plays the sandbox carriers forward.

Every page calls the logistics and ordering use cases; nothing here decides a business rule.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from agora import catalog, ordering
from agora.core.errors import N_, AgoraError, InvalidInput
from agora.core.i18n import gettext as _
from agora.core.ids import parse_id
from agora.http.deps import Actor, Uow
from agora.identity import Principal, require_operator
from agora.logistics import carriers, shipments
from agora.ordering import shipping
from agora.web.merchant import _nav as merchant_nav
from agora.web.merchant_orders import _order_page as merchant_order_page
from agora.web.operator import _nav as operator_nav
from agora.web.render import check_csrf, redirect, render

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form(max_length=200)]


@router.post("/merchant/orders/{order_id}/label")
def buy_label(
    order_id: uuid.UUID,
    request: Request,
    actor: Actor,
    uow: Uow,
    csrf_token: Text = "",
    carrier: Text = "",
) -> Response:
    check_csrf(request, csrf_token)
    try:
        order = shipping.ship_by_label(
            uow, actor=actor, order_id=order_id, carrier=carrier.strip() or None
        )
    except AgoraError as error:
        return merchant_order_page(
            request, uow, actor, order_id, _(error.detail or error.title), error.status
        )
    return redirect(
        request,
        f"/merchant/orders/{order_id}",
        flash=_("Label bought: the parcel's waybill is %(waybill)s.")
        % {"waybill": order.tracking_number},
    )


@router.get("/merchant/orders/{order_id}/label")
def print_label(order_id: uuid.UUID, request: Request, actor: Actor, uow: Uow) -> Response:
    """The label to print and stick on the parcel (the store's staff)."""
    with uow.read() as session:
        order = ordering.access_merchant_order(session, actor, order_id)
        store = session.get_one(catalog.Store, order.store_id)
    shipment = shipping.whereabouts(uow, [order_id]).get(order_id)
    if shipment is None:
        raise shipments.NoCarrier()
    return render(request, "orders/label.html", order=order, store=store, shipment=shipment)


def _promise_page(
    request: Request,
    uow: Any,
    actor: Principal,
    store_id: uuid.UUID,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    with uow.read() as session:
        store = catalog.access_store(session, actor, store_id)
        promise = catalog.promise_of(store)
    stores = catalog.stores_of(uow, actor.user_id)
    return render(
        request,
        "merchant/shipping.html",
        status_code,
        console_nav=merchant_nav(stores, store_id),
        store=store,
        values=values or asdict(promise),
        errors=errors or {},
        switches=shipments.list_carrier_switches(uow),
    )


@router.get("/merchant/stores/{store_id}/shipping")
def promise_page(store_id: uuid.UUID, request: Request, actor: Actor, uow: Uow) -> Response:
    """The store's shipping promise: origin, hand-over and delivery times, the fleet."""
    return _promise_page(request, uow, actor, store_id)


@router.post("/merchant/stores/{store_id}/shipping")
def set_promise(
    store_id: uuid.UUID,
    request: Request,
    actor: Actor,
    uow: Uow,
    csrf_token: Text = "",
    origin_region: Text = "",
    ship_within_hours: Text = "",
    deliver_within_days: Text = "",
    fleet_opt_in: Text = "",
) -> Response:
    check_csrf(request, csrf_token)
    values = {
        "origin_region": origin_region,
        "ship_within_hours": ship_within_hours,
        "deliver_within_days": deliver_within_days,
        "fleet_opt_in": fleet_opt_in == "1",
    }
    try:
        catalog.set_promise(
            uow,
            actor=actor,
            store_id=store_id,
            origin_region=origin_region,
            ship_within_hours=_whole(ship_within_hours, "ship_within_hours"),
            deliver_within_days=_whole(deliver_within_days, "deliver_within_days"),
            fleet_opt_in=fleet_opt_in == "1",
        )
    except InvalidInput as error:
        problems = {e["field"]: _(_PROMISE_ERRORS[e["field"]]) for e in error.extra["errors"]}
        return _promise_page(
            request, uow, actor, store_id, values=values, errors=problems, status_code=422
        )
    return redirect(
        request, f"/merchant/stores/{store_id}/shipping", flash=_("The shipping promise is saved.")
    )


_PROMISE_ERRORS = {
    "origin_region": N_("Required, up to 40 characters: a province, e.g. Zhejiang."),
    "ship_within_hours": N_("A whole number of hours from 1 to 168."),
    "deliver_within_days": N_("A whole number of days from 1 to 30, after the hand-over."),
}


def _whole(raw: str, field: str) -> int:
    try:
        return int(raw.strip())
    except ValueError as exc:
        raise InvalidInput(errors=[{"field": field, "message": "a whole number"}]) from exc


@router.get("/orders/{order_id}/tracking")
def tracking_page(order_id: uuid.UUID, request: Request, actor: Actor, uow: Uow) -> Response:
    """Where the shopper's parcel is: its way in steps and its scans, updated live."""
    order, parcels = shipping.order_tracking(uow, actor=actor, order_id=order_id)
    if order.buyer_id != actor.user_id:  # staff see the parcel on the merchant's order page
        raise ordering.OrderNotFound()
    return render(request, "orders/tracking.html", order=order, parcels=parcels)


# --- the operator's carriers and the sandbox console ------------------------------------------


@router.get("/operator/carriers")
def carriers_page(request: Request, actor: Actor, uow: Uow) -> Response:
    require_operator(actor)
    parcels = shipments.in_flight(uow, limit=30)
    return render(
        request,
        "operator/carriers.html",
        console_nav=operator_nav("carriers"),
        switches=shipments.list_carrier_switches(uow),
        parcels=parcels,
        order_numbers=ordering.order_numbers(
            uow, actor=actor, order_ids=[p.order_id for p in parcels]
        ),
        stages=carriers.STAGES[1:],
    )


@router.post("/operator/carriers")
def switch_carrier(
    request: Request,
    actor: Actor,
    uow: Uow,
    csrf_token: Text = "",
    carrier: Text = "",
    enabled: Text = "",
) -> Response:
    check_csrf(request, csrf_token)
    require_operator(actor)
    switch = shipments.set_carrier_switch(uow, actor=actor, carrier=carrier, enabled=enabled == "1")
    flash = (
        _("%(carrier)s is on.") if switch.enabled else _("%(carrier)s is off: no new labels.")
    ) % {"carrier": switch.name}
    return redirect(request, "/operator/carriers", flash=flash)


@router.post("/operator/carriers/advance")
def advance_parcel(
    request: Request,
    actor: Actor,
    uow: Uow,
    csrf_token: Text = "",
    order_id: Text = "",
    until: Text = "",
) -> Response:
    """The sandbox carriers' console: play a parcel forward now, as their pushes would."""
    check_csrf(request, csrf_token)
    require_operator(actor)
    parsed = parse_id(order_id.strip())
    if parsed is None:
        raise ordering.OrderNotFound()
    outcome = shipping.sandbox_advance(uow, order_id=parsed, until=until)
    return redirect(
        request,
        "/operator/carriers",
        flash=_("The carrier pushed %(num)d new scans.") % {"num": outcome.new},
    )
