"""Shipments: quoting and choosing a carrier, buying its label, and recording its scans.

What an order does when its parcel moves (delivered → the order is delivered) is ordering's: this
module knows parcels, carriers and the operator's switches, not orders' rules.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from agora.core.clock import utcnow
from agora.core.db import upsert_insert
from agora.core.errors import N_, Conflict, InvalidInput
from agora.core.ids import new_id
from agora.core.uow import UnitOfWork
from agora.identity import Principal
from agora.logistics import carriers
from agora.logistics.carriers import CARRIERS, Carrier, Parcel, Quote, Scan
from agora.logistics.models import CarrierSwitchRow, ShipmentRow, TrackingEventRow

OUTBOUND = "outbound"
RETURN = "return"

CHEAPEST = "cheapest"
ON_TIME = "on_time"
FASTEST = "fastest"
POLICIES = (CHEAPEST, ON_TIME, FASTEST)


class NoCarrier(Conflict):
    code = "no_carrier"
    title = N_("No carrier that is switched on takes this parcel.")


@dataclass(frozen=True, slots=True)
class Route:
    """Where a parcel goes and what it weighs; what every carrier prices."""

    origin_region: str
    country: str
    region: str
    city: str
    weight_grams: int
    self_operated_or_opted_in: bool

    @property
    def zone(self) -> int:
        return carriers.zone_of(self.origin_region, self.country, self.region)


@dataclass(frozen=True, slots=True)
class Offer:
    """A quote as the merchant sees it: does its ETA keep the store's promise?"""

    quote: Quote
    eta_at: datetime
    keeps_promise: bool


@dataclass(frozen=True, slots=True)
class Shipment:
    id: uuid.UUID
    order_id: uuid.UUID
    direction: str
    carrier: str
    carrier_name: str
    waybill: str
    price: int
    currency: str
    weight_grams: int
    origin_region: str
    destination_region: str
    eta_at: datetime
    status: str
    location: str
    last_event_at: datetime | None
    delivered_at: datetime | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class TrackingEvent:
    event_id: str
    status: str
    location: str
    description: str
    occurred_at: datetime


# --- the operator's switches ------------------------------------------------------------------


def switched_off(session: Session) -> set[str]:
    return set(session.scalars(select(CarrierSwitchRow.carrier).where(~CarrierSwitchRow.enabled)))


@dataclass(frozen=True, slots=True)
class CarrierSwitch:
    carrier: str
    name: str
    fleet: bool
    enabled: bool


def list_carrier_switches(uow: UnitOfWork) -> list[CarrierSwitch]:
    with uow.read() as session:
        off = switched_off(session)
    return [CarrierSwitch(c.name, c.display, c.fleet, c.name not in off) for c in CARRIERS.values()]


def set_carrier_switch(
    uow: UnitOfWork, *, actor: Principal, carrier: str, enabled: bool
) -> CarrierSwitch:
    """Switch a carrier on or off (operators; the caller checks). Labels already bought keep
    being tracked; new labels are not sold while it is off."""
    known = carriers.get_carrier(carrier)
    with uow:
        row = uow.session.get(CarrierSwitchRow, carrier)
        if row is None:
            uow.session.add(
                CarrierSwitchRow(
                    carrier=carrier, enabled=enabled, changed_by=actor.user_id, changed_at=utcnow()
                )
            )
        else:
            row.enabled, row.changed_by, row.changed_at = enabled, actor.user_id, utcnow()
    return CarrierSwitch(known.name, known.display, known.fleet, enabled)


# --- quoting and choosing ---------------------------------------------------------------------


def offers(
    session: Session, route: Route, *, promised_by: datetime, now: datetime | None = None
) -> list[Offer]:
    """What every carrier that is on and takes the parcel asks, cheapest first."""
    now = now or utcnow()
    off = switched_off(session)
    found: list[Offer] = []
    for carrier in CARRIERS.values():
        if carrier.name in off or (carrier.fleet and not route.self_operated_or_opted_in):
            continue
        quote = carrier.quote(route.zone, route.weight_grams)
        if quote is None:
            continue
        eta_at = now + timedelta(days=quote.eta_days)
        found.append(Offer(quote, eta_at, eta_at <= promised_by))
    return sorted(found, key=lambda o: (o.quote.price, o.quote.eta_days, o.quote.carrier))


def choose(found: list[Offer], policy: str) -> Offer:
    """Rate shopping: the cheapest; the cheapest that keeps the promise (else the fastest); or the
    fastest (the cheaper of equally fast). Raises NoCarrier when nothing was offered."""
    if not found:
        raise NoCarrier()
    if policy not in POLICIES:
        raise InvalidInput(
            N_("Choose cheapest, on time or fastest."),
            errors=[{"field": "policy", "message": "unknown policy"}],
        )
    fastest = min(found, key=lambda o: (o.quote.eta_days, o.quote.price, o.quote.carrier))
    if policy == CHEAPEST:
        return found[0]
    if policy == FASTEST:
        return fastest
    keeping = [offer for offer in found if offer.keeps_promise]
    return keeping[0] if keeping else fastest


# --- labels -----------------------------------------------------------------------------------


def create_shipment(
    uow: UnitOfWork,
    *,
    order_id: uuid.UUID,
    store_id: uuid.UUID,
    direction: str,
    offer: Offer,
    route: Route,
    currency: str,
) -> Shipment:
    """Buy the label: the carrier issues its waybill and starts carrying (the sandbox schedules
    its pushes in this transaction). Inside the caller's ``with uow:``."""
    carrier = carriers.get_carrier(offer.quote.carrier)
    now = utcnow()
    shipment_id = uuid.uuid4()
    row = ShipmentRow(
        id=shipment_id,
        order_id=order_id,
        store_id=store_id,
        direction=direction,
        carrier=carrier.name,
        waybill=carrier.waybill_for(shipment_id),
        price=offer.quote.price,
        currency=currency,
        weight_grams=route.weight_grams,
        zone=offer.quote.zone,
        origin_region=route.origin_region,
        destination_region=route.region,
        eta_at=offer.eta_at,
        stage=carriers.STAGE[carriers.LABEL_CREATED],
        status=carriers.LABEL_CREATED,
        location=route.origin_region,
        polled_at=now,
        created_at=now,
    )
    uow.session.add(row)
    uow.session.flush()
    _schedule_pushes(uow, carrier, parcel_of(row, route.city))
    return _shipment(row)


SANDBOX_PUSH_EVENT = "logistics.sandbox.push"


def _schedule_pushes(uow: UnitOfWork, carrier: Carrier, parcel: Parcel) -> None:
    """The sandbox carrier's pushes, each delivered by the relay when its time comes (signed
    then, by the handler that plays the carrier's side)."""
    now = utcnow()
    for at, scan in carrier.pushes(parcel):
        uow.emit(
            SANDBOX_PUSH_EVENT,
            {"carrier": carrier.name, "city": parcel.destination_city, "scan": scan.as_dict()},
            delay=max(at - now, timedelta(0)),
        )


def parcel_of(shipment: ShipmentRow | Shipment, city: str) -> Parcel:
    """What the carrier knows of the shipment's parcel (its plan of scans starts from it)."""
    return Parcel(
        shipment.waybill,
        shipment.created_at,
        shipment.eta_at,
        shipment.origin_region,
        shipment.destination_region,
        city,
    )


# --- scans ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Recorded:
    """What a push or poll changed: new scans, duplicates, unknown waybills, and the shipments
    that reached ``delivered`` with it (each once)."""

    new: int
    duplicates: int
    unknown: int
    delivered: list[Shipment]
    moved: list[Shipment]


def record_scans(uow: UnitOfWork, carrier: str, scans: Iterable[Scan]) -> Recorded:
    """Record a carrier's scans (inside the caller's ``with uow:``): each event once, whatever
    order and however often they come (two pushes of one event at once included: the insert
    skips what is there); a shipment's stage only ever grows."""
    session = uow.session
    scans = list(scans)
    rows = {
        row.waybill: row
        for row in session.scalars(
            select(ShipmentRow).where(
                ShipmentRow.carrier == carrier,
                ShipmentRow.waybill.in_({scan.waybill for scan in scans}),
            )
        )
    }
    new = duplicates = unknown = 0
    touched: dict[uuid.UUID, ShipmentRow] = {}
    now = utcnow()
    for scan in scans:
        row = rows.get(scan.waybill)
        if row is None:
            unknown += 1
            continue
        inserted = session.execute(
            upsert_insert(session, TrackingEventRow)
            .values(
                id=new_id(),
                shipment_id=row.id,
                event_id=scan.event_id,
                status=scan.status,
                location=scan.location,
                description=scan.description,
                occurred_at=scan.occurred_at,
                received_at=now,
            )
            .on_conflict_do_nothing(index_elements=["shipment_id", "event_id"])
            .returning(TrackingEventRow.id)
        ).first()
        if inserted is None:
            duplicates += 1
            continue
        new += 1
        touched[row.id] = row
    delivered: list[Shipment] = []
    moved: list[Shipment] = []
    for row in touched.values():
        if _advance(session, row):
            moved.append(_shipment(row))
            if row.status == carriers.DELIVERED:
                delivered.append(_shipment(row))
    return Recorded(new, duplicates, unknown, delivered, moved)


def _advance(session: Session, row: ShipmentRow) -> bool:
    """Move the shipment to its furthest scan if that is further than it is; ``True`` if this
    call moved it. Guarded (``stage <`` the new stage): of two pushes at once, one moves it."""
    events = session.execute(
        select(
            TrackingEventRow.status, TrackingEventRow.occurred_at, TrackingEventRow.location
        ).where(TrackingEventRow.shipment_id == row.id)
    ).all()
    furthest = max(events, key=lambda event: (carriers.STAGE[event.status], event.occurred_at))
    stage = carriers.STAGE[furthest.status]
    last = max(event.occurred_at for event in events)
    session.execute(
        update(ShipmentRow)
        .where(ShipmentRow.id == row.id)
        .values(last_event_at=last)
        .execution_options(synchronize_session=False)
    )
    moved = session.execute(
        update(ShipmentRow)
        .where(ShipmentRow.id == row.id, ShipmentRow.stage < stage)
        .values(
            stage=stage,
            status=furthest.status,
            location=furthest.location,
            delivered_at=furthest.occurred_at if furthest.status == carriers.DELIVERED else None,
        )
        .execution_options(synchronize_session=False)
    )
    session.refresh(row)
    return bool(moved.rowcount == 1)  # type: ignore[attr-defined]


def due_for_poll(session: Session, *, quiet_for: timedelta, limit: int) -> list[ShipmentRow]:
    """Parcels on their way that nobody has heard of for ``quiet_for``: ask their carriers."""
    since = utcnow() - quiet_for
    return list(
        session.scalars(
            select(ShipmentRow)
            .where(
                ShipmentRow.stage < carriers.STAGE[carriers.DELIVERED],
                ShipmentRow.polled_at <= since,
            )
            .order_by(ShipmentRow.polled_at)
            .limit(limit)
        )
    )


def poll(uow: UnitOfWork, row: ShipmentRow, city: str) -> Recorded:
    """Ask the shipment's carrier for its scans and record them (inside ``with uow:``)."""
    carrier = carriers.get_carrier(row.carrier)
    scans = carrier.track(parcel_of(row, city), utcnow())
    uow.session.execute(
        update(ShipmentRow).where(ShipmentRow.id == row.id).values(polled_at=utcnow())
    )
    return record_scans(uow, carrier.name, scans)


# --- reading ----------------------------------------------------------------------------------


def shipments_of(session: Session, order_ids: Collection[uuid.UUID]) -> list[Shipment]:
    """The orders' shipments, oldest first (the outbound parcel, then any return)."""
    if not order_ids:
        return []
    rows = session.scalars(
        select(ShipmentRow)
        .where(ShipmentRow.order_id.in_(order_ids))
        .order_by(ShipmentRow.created_at, ShipmentRow.id)
    )
    return [_shipment(row) for row in rows]


def in_flight(uow: UnitOfWork, *, limit: int) -> list[Shipment]:
    """Parcels on their way, newest first (the sandbox console)."""
    with uow.read() as session:
        rows = session.scalars(
            select(ShipmentRow)
            .where(ShipmentRow.stage < carriers.STAGE[carriers.DELIVERED])
            .order_by(ShipmentRow.created_at.desc())
            .limit(limit)
        )
        return [_shipment(row) for row in rows]


def events_of(session: Session, shipment_id: uuid.UUID) -> list[TrackingEvent]:
    """A parcel's scans, newest first, as a timeline shows them."""
    rows = session.execute(
        select(
            TrackingEventRow.event_id,
            TrackingEventRow.status,
            TrackingEventRow.location,
            TrackingEventRow.description,
            TrackingEventRow.occurred_at,
        )
        .where(TrackingEventRow.shipment_id == shipment_id)
        .order_by(TrackingEventRow.occurred_at.desc(), TrackingEventRow.event_id.desc())
    )
    return [TrackingEvent(*row) for row in rows]


def _shipment(row: ShipmentRow) -> Shipment:
    return Shipment(
        id=row.id,
        order_id=row.order_id,
        direction=row.direction,
        carrier=row.carrier,
        carrier_name=carriers.get_carrier(row.carrier).display,
        waybill=row.waybill,
        price=row.price,
        currency=row.currency,
        weight_grams=row.weight_grams,
        origin_region=row.origin_region,
        destination_region=row.destination_region,
        eta_at=row.eta_at,
        status=row.status,
        location=row.location,
        last_event_at=row.last_event_at,
        delivered_at=row.delivered_at,
        created_at=row.created_at,
    )
