"""A store's shipping promise: where its parcels leave from, how soon it hands a paid order to
a carrier, how soon the order arrives — and whether it ships with the platform's own fleet. The
store's owner sets it; carriers price by its origin, rate shopping keeps its promise."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from agora.catalog.errors import StoreNotFound
from agora.catalog.models import Store, StoreStaff
from agora.core.errors import N_, Forbidden, InvalidInput
from agora.core.uow import UnitOfWork
from agora.identity import Principal

MAX_SHIP_HOURS = 168
MAX_DELIVERY_DAYS = 30


@dataclass(frozen=True, slots=True)
class Promise:
    origin_region: str
    ship_within_hours: int
    deliver_within_days: int
    fleet_opt_in: bool
    self_operated: bool


def promise_of(store: Store) -> Promise:
    return Promise(
        store.origin_region,
        store.ship_within_hours,
        store.deliver_within_days,
        store.fleet_opt_in,
        store.self_operated,
    )


def set_promise(
    uow: UnitOfWork,
    *,
    actor: Principal,
    store_id: uuid.UUID,
    origin_region: str,
    ship_within_hours: int,
    deliver_within_days: int,
    fleet_opt_in: bool,
) -> Promise:
    """Set the store's promise (its owner, or an operator; its other staff: Forbidden; anyone
    else: StoreNotFound).
    InvalidInput naming each field that is out of range; nothing changes then."""
    origin = origin_region.strip()
    errors = []
    if not 1 <= len(origin) <= 40:
        errors.append({"field": "origin_region", "message": "1 to 40 characters"})
    if not 1 <= ship_within_hours <= MAX_SHIP_HOURS:
        errors.append({"field": "ship_within_hours", "message": "1 to 168 hours"})
    if not 1 <= deliver_within_days <= MAX_DELIVERY_DAYS:
        errors.append({"field": "deliver_within_days", "message": "1 to 30 days"})
    elif ship_within_hours > deliver_within_days * 24:
        errors.append({"field": "deliver_within_days", "message": "after the hand-over"})
    with uow:
        session = uow.session
        store = session.get(Store, store_id)
        staff = session.get(StoreStaff, (store_id, actor.user_id))
        if store is None or not (actor.is_operator or staff):
            raise StoreNotFound()
        if not actor.is_operator and staff is not None and staff.role != "owner":
            raise Forbidden(N_("Only the store's owner can change its shipping promise."))
        if errors:
            raise InvalidInput(N_("Check the shipping promise."), errors=errors)
        store.origin_region = origin
        store.ship_within_hours = ship_within_hours
        store.deliver_within_days = deliver_within_days
        store.fleet_opt_in = fleet_opt_in
        return promise_of(store)
