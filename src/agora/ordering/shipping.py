"""Shipping an order by a carrier's label, and what its parcel's scans do to the order.

The merchant sees what each carrier that is on asks for the parcel (by its weight and how far it
goes) and when it would arrive, and buys a label — the one rate shopping picks, or one they
choose. The label's price moves from the store's freight account to the carrier (a ledger
transfer; the freight is taken from the store's next settlement). The order is shipped with the
waybill as its tracking number. From then on the carrier reports: pushes to the webhook, or polls
by the job for a parcel that has gone quiet; its "delivered" scan delivers the order and starts
the ten days of auto-confirmation — a merchant no longer presses "delivered" for such a parcel.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from agora import ledger, payments
from agora.catalog import Product, Store
from agora.core.clock import utcnow
from agora.core.errors import N_, InvalidInput
from agora.core.events import Event, handlers
from agora.core.jobs import registry as jobs
from agora.core.uow import UnitOfWork
from agora.identity import Principal
from agora.logistics import carriers, shipments
from agora.logistics.shipments import Offer, Route, Shipment, TrackingEvent
from agora.ordering import domain, state
from agora.ordering.errors import NoDeliveryAddress, OrderHeld, OrderStateConflict
from agora.ordering.fulfilment import deliver, hand_over
from agora.ordering.models import Order, OrderLine, Refund, RefundLine
from agora.ordering.queries import (
    OrderView,
    access_merchant_order,
    access_order,
    order_views,
)

LABEL_PURCHASE = "shipping_label"
RETURN_KIND = "return"
POLL_QUIET = timedelta(hours=2)
"""A parcel nobody has heard of for this long is asked about (the poll job)."""


@dataclass(frozen=True, slots=True)
class ShippingOptions:
    """What the merchant chooses from: every offer, and which one each policy picks."""

    order_id: uuid.UUID
    weight_grams: int
    origin_region: str
    destination_region: str
    promised_by: datetime
    offers: list[Offer]
    picks: dict[str, str]


@dataclass(frozen=True, slots=True)
class ParcelTracking:
    shipment: Shipment
    events: list[TrackingEvent]


def _route(session: Any, order: Order, *, returned: uuid.UUID | None = None) -> tuple[Route, Store]:
    """Where the order's parcel goes and what it weighs: its units (less refunded ones) from
    the store to the order's address — or, for the return ``returned``, that return's units from
    the address back to the store."""
    store = session.get_one(Store, order.store_id)
    ship_to = order.ship_to
    if not ship_to:
        raise NoDeliveryAddress()
    weighed = (
        select(func.sum(OrderLine.quantity - OrderLine.refunded_quantity), Product.weight_grams)
        .join(Product, Product.id == OrderLine.product_id)
        .where(OrderLine.order_id == order.id)
        if returned is None
        else select(func.sum(RefundLine.quantity), Product.weight_grams)
        .join(OrderLine, OrderLine.id == RefundLine.line_id)
        .join(Product, Product.id == OrderLine.product_id)
        .where(RefundLine.refund_id == returned)
    )
    weight = sum(
        int(units or 0) * grams
        for units, grams in session.execute(weighed.group_by(Product.weight_grams))
    )
    address = str(ship_to.get("region") or "")
    if returned is None:
        origin, region, city = store.origin_region, address, str(ship_to.get("city") or "")
    else:
        origin, region, city = address, store.origin_region, store.origin_region
    route = Route(
        origin_region=origin,
        country=str(ship_to.get("country") or "CN"),
        region=region,
        city=city,
        weight_grams=max(weight, 1),
        self_operated_or_opted_in=store.self_operated or store.fleet_opt_in,
    )
    return route, store


def _promised_by(order: Order, store: Store) -> datetime:
    return (order.paid_at or utcnow()) + timedelta(days=store.deliver_within_days)


def shipping_options(uow: UnitOfWork, *, actor: Principal, order_id: uuid.UUID) -> ShippingOptions:
    """The labels the store's staff can buy for a paid order. Raises OrderNotFound unless the
    actor is staff of its store; NoDeliveryAddress for an order placed without one."""
    with uow.read() as session:
        order = access_merchant_order(session, actor, order_id)
        route, store = _route(session, order)
        promised_by = _promised_by(order, store)
        found = shipments.offers(session, route, promised_by=promised_by)
    picks = (
        {policy: shipments.choose(found, policy).quote.carrier for policy in shipments.POLICIES}
        if found
        else {}
    )
    return ShippingOptions(
        order.id, route.weight_grams, route.origin_region, route.region, promised_by, found, picks
    )


def ship_by_label(
    uow: UnitOfWork,
    *,
    actor: Principal,
    order_id: uuid.UUID,
    carrier: str | None = None,
    policy: str = shipments.ON_TIME,
) -> OrderView:
    """Buy a label for a paid order — from ``carrier``, or the one ``policy`` picks — and hand
    the parcel over. Raises OrderNotFound unless the actor is staff of the order's store;
    OrderStateConflict unless it is ``paid``; OrderHeld while a refund holds it; NoCarrier /
    CarrierUnavailable when no carrier that is on takes it."""
    with uow:
        session = uow.session
        order = access_merchant_order(session, actor, order_id)
        if order.status != domain.PAID:
            raise OrderStateConflict(order_status=order.status)
        if order.held:
            raise OrderHeld()
        route, store = _route(session, order)
        found = shipments.offers(session, route, promised_by=_promised_by(order, store))
        if carrier is None:
            offer = shipments.choose(found, policy)
        else:
            carriers.get_carrier(carrier)
            chosen = [o for o in found if o.quote.carrier == carrier]
            if not chosen:
                raise carriers.CarrierUnavailable()
            offer = chosen[0]
        shipment = shipments.create_shipment(
            uow,
            order_id=order.id,
            store_id=order.store_id,
            direction=shipments.OUTBOUND,
            offer=offer,
            route=route,
            currency=order.currency,
        )
        _bill_label(uow, order.store_id, order.id, shipment)
        hand_over(
            uow,
            order,
            actor=actor,
            tracking_number=shipment.waybill,
            data={
                "tracking_number": shipment.waybill,
                "carrier": shipment.carrier,
                "carrier_name": shipment.carrier_name,
                "price": shipment.price,
                "eta_at": shipment.eta_at.isoformat(),
            },
        )
        return order_views(session, [order.id])[0]


# --- what carriers report ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PushOutcome:
    new: int
    duplicates: int
    unknown: int
    delivered_orders: list[uuid.UUID]


def receive_push(uow: UnitOfWork, *, carrier: str, body: bytes, signature: str) -> PushOutcome:
    """A carrier's signed push of scans. Raises UnknownCarrier, BadCarrierSignature or
    MalformedTracking before anything is written."""
    scans = carriers.get_carrier(carrier).read_push(body, signature)
    with uow:
        recorded = shipments.record_scans(uow, carrier, scans)
        delivered = _after_scans(uow, recorded)
    return PushOutcome(recorded.new, recorded.duplicates, recorded.unknown, delivered)


def _after_scans(uow: UnitOfWork, recorded: shipments.Recorded) -> list[uuid.UUID]:
    """Tell the shoppers their parcels moved; deliver the orders whose parcels arrived."""
    session = uow.session
    delivered: list[uuid.UUID] = []
    for shipment in recorded.moved:
        order = session.get_one(Order, shipment.order_id)
        uow.publish(
            f"user:{order.buyer_id}",
            {
                "type": "logistics.parcel",
                "order_id": str(order.id),
                "status": shipment.status,
                "location": shipment.location,
            },
        )
    for shipment in recorded.delivered:
        if shipment.direction == shipments.RETURN:
            order = state.reload(session, shipment.order_id)
            state.record(
                uow,
                order,
                "return_received",
                actor=None,
                role=state.SYSTEM,
                data={"carrier": shipment.carrier_name, "tracking_number": shipment.waybill},
            )
        elif _deliver(uow, shipment):
            delivered.append(shipment.order_id)
    return delivered


def _deliver(uow: UnitOfWork, shipment: Shipment) -> bool:
    """The carrier delivered the parcel: the order is delivered, once — already delivered,
    confirmed or refunded, a late scan changes nothing."""
    return deliver(
        uow,
        state.reload(uow.session, shipment.order_id),
        delivered_at=shipment.delivered_at,
        actor=None,
        role=state.SYSTEM,
        data={"carrier": shipment.carrier_name, "tracking_number": shipment.waybill},
    )


@handlers.on("ordering.order_return_requested")
def issue_return_label(uow: UnitOfWork, event: Event) -> None:
    """A return was asked for: the shopper gets a label to send the goods back with — the
    cheapest carrier from their address to the store, paid by the store like its own labels."""
    order_id = uuid.UUID(str(event.payload["order_id"]))
    with uow:
        session = uow.session
        order = session.get_one(Order, order_id)
        asked = session.scalar(
            select(Refund.id)
            .where(Refund.order_id == order.id, Refund.kind == RETURN_KIND)
            .order_by(Refund.created_at.desc())
            .limit(1)
        )
        if asked is None or not order.ship_to:
            return  # nothing to send back, or nowhere it came from (a typed-number order)
        route, _store = _route(session, order, returned=asked)
        found = shipments.offers(session, route, promised_by=utcnow())
        if not found:
            return  # no carrier takes it: the store arranges the return itself
        shipment = shipments.create_shipment(
            uow,
            order_id=order.id,
            store_id=order.store_id,
            direction=shipments.RETURN,
            offer=shipments.choose(found, shipments.CHEAPEST),
            route=route,
            currency=order.currency,
        )
        _bill_label(uow, order.store_id, order.id, shipment)
        state.record(
            uow,
            order,
            "return_label",
            actor=None,
            role=state.SYSTEM,
            data={"carrier": shipment.carrier_name, "tracking_number": shipment.waybill},
        )


def _bill_label(
    uow: UnitOfWork, store_id: uuid.UUID, order_id: uuid.UUID, shipment: Shipment
) -> None:
    """The label's price, from the store's freight account to the carrier."""
    ledger.transfer(
        uow,
        key=f"shipment:{shipment.id}:label",
        kind=LABEL_PURCHASE,
        legs=[
            ledger.Leg(payments.store_freight_of(store_id), -shipment.price),
            ledger.Leg(payments.carrier_clearing_of(shipment.carrier), shipment.price),
        ],
        memo={"order_id": str(order_id), "waybill": shipment.waybill},
    )


@handlers.on(shipments.SANDBOX_PUSH_EVENT)
def sandbox_carrier_pushes(uow: UnitOfWork, event: Event) -> None:
    """The sandbox carrier's side: sign the scan now and push it, as its servers would."""
    carrier = carriers.get_carrier(str(event.payload["carrier"]))
    scan = event.payload["scan"]
    body = carrier.push_body([_scan_of(scan)])
    scans = carrier.read_push(body, carrier.sign(body))
    with uow:
        _after_scans(uow, shipments.record_scans(uow, carrier.name, scans))


def _scan_of(fields: dict[str, Any]) -> carriers.Scan:
    return carriers.Scan(
        event_id=fields["id"],
        waybill=fields["waybill"],
        status=fields["status"],
        occurred_at=datetime.fromisoformat(fields["occurred_at"]),
        location=fields["location"],
        description=fields["description"],
    )


@jobs.every("poll_carriers", timedelta(minutes=15))
def poll_carriers(uow: UnitOfWork) -> None:
    """Ask the carriers about parcels nobody has heard of for a while (a push lost or late)."""
    with uow.read() as session:
        due = shipments.due_for_poll(session, quiet_for=POLL_QUIET, limit=200)
        cities = _cities(session, [row.order_id for row in due])
    for row in due:
        with uow:
            _after_scans(uow, shipments.poll(uow, row, cities.get(row.order_id, "")))


def _cities(session: Any, order_ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not order_ids:
        return {}
    rows = session.execute(select(Order.id, Order.ship_to).where(Order.id.in_(order_ids)))
    return {order_id: str((ship_to or {}).get("city") or "") for order_id, ship_to in rows}


# --- the shopper's view -----------------------------------------------------------------------


def order_tracking(
    uow: UnitOfWork, *, actor: Principal, order_id: uuid.UUID
) -> tuple[OrderView, list[ParcelTracking]]:
    """An order's parcels with their scans, newest first (its buyer, its store's staff, or an
    operator; anyone else: OrderNotFound)."""
    with uow.read() as session:
        order = access_order(session, actor, order_id)
        view = order_views(session, [order.id])[0]
    return view, parcels(uow, order.id)


def parcels(uow: UnitOfWork, order_id: uuid.UUID) -> list[ParcelTracking]:
    """The order's parcels with their scans; the caller has already checked who may see it."""
    with uow.read() as session:
        return [
            ParcelTracking(shipment, shipments.events_of(session, shipment.id))
            for shipment in shipments.shipments_of(session, [order_id])
        ]


def latest_parcels(
    uow: UnitOfWork, order_ids: list[uuid.UUID]
) -> dict[tuple[uuid.UUID, str], Shipment]:
    """Each order's latest parcel each way, by (order id, direction), as it stands — one read
    for a page of orders; the caller has already checked who may see the orders."""
    with uow.read() as session:
        found = shipments.shipments_of(session, order_ids)  # oldest first: the latest wins
    return {(s.order_id, s.direction): s for s in found}


def whereabouts(
    uow: UnitOfWork, order_ids: list[uuid.UUID], *, direction: str = shipments.OUTBOUND
) -> dict[uuid.UUID, Shipment]:
    """Each order's latest parcel going ``direction`` (see :func:`latest_parcels`)."""
    found = latest_parcels(uow, order_ids).items()
    return {order_id: s for (order_id, way), s in found if way == direction}


# --- the sandbox's console (operators, and the demo) ------------------------------------------


def sandbox_advance(uow: UnitOfWork, *, order_id: uuid.UUID, until: str) -> PushOutcome:
    """Play an order's parcel forward to ``until`` now: the sandbox carrier pushes the scans of
    its plan up to that stage at once, spread between the label and now (its later pushes, when
    they come, are duplicates). For trying the flow by hand and for the demo."""
    if until not in carriers.STAGE or until == carriers.LABEL_CREATED:
        raise InvalidInput(
            N_("Choose a stage of the parcel's way."),
            errors=[{"field": "until", "message": "unknown stage"}],
        )
    shipment = whereabouts(uow, [order_id]).get(order_id)
    if shipment is None:
        raise shipments.NoCarrier()
    with uow.read() as session:
        cities = _cities(session, [order_id])
    carrier = carriers.get_carrier(shipment.carrier)
    parcel = shipments.parcel_of(shipment, cities.get(order_id, ""))
    planned = [
        scan
        for scan in carrier.plan(parcel)
        if carriers.STAGE[scan.status] <= carriers.STAGE[until]
    ]
    now = utcnow()
    span = max(now - shipment.created_at, timedelta(minutes=len(planned)))
    step = span / (len(planned) + 1)
    scans = [
        replace(scan, occurred_at=min(shipment.created_at + step * (i + 1), now))
        for i, scan in enumerate(planned)
    ]
    body = carrier.push_body(scans)
    return receive_push(uow, carrier=carrier.name, body=body, signature=carrier.sign(body))
