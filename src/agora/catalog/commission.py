"""A store's own commission rate. The operator sets it for one store — 0 to 50 %, to a
hundredth of a percent — or clears it, and the store pays the platform's default (setting
``commission_rate``). Settlement asks :func:`commission_rate_of` when an order completes.

The rate is kept as whole basis points (550 = 5.50 %): what the operator typed, exactly, with no
decimal type the two databases would store differently.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from agora.catalog.errors import StoreNotFound
from agora.catalog.models import Store
from agora.config import get_settings
from agora.core.errors import N_, InvalidInput
from agora.core.uow import UnitOfWork
from agora.identity import Principal, require_operator

BASIS_POINTS = Decimal(10_000)
MAX_PERCENT = Decimal(50)


def basis_points(percent: Decimal) -> int:
    """``percent`` (e.g. ``Decimal("5.5")``) in basis points. Raises InvalidInput outside
    0–50 % or with more than two decimals: a rate is never rounded behind the operator's back."""
    if not percent.is_finite() or not Decimal(0) <= percent <= MAX_PERCENT:
        raise InvalidInput(
            N_("The commission is between 0 and 50 %."),
            errors=[{"field": "commission_percent", "message": "between 0 and 50"}],
        )
    scaled = percent * 100
    if scaled != scaled.to_integral_value():
        raise InvalidInput(
            N_("The commission has at most two decimals, e.g. 5.25 %."),
            errors=[{"field": "commission_percent", "message": "at most two decimals"}],
        )
    return int(scaled)


@dataclass(frozen=True, slots=True)
class Commission:
    """A store's commission as percentages, for people: its own (None: it has none) and what its
    orders settle at now."""

    own: Decimal | None
    effective: Decimal


def store_commission(store: Store) -> Commission:
    own = None if store.commission_bps is None else _percent(Decimal(store.commission_bps) / 100)
    return Commission(
        own, own if own is not None else _percent(get_settings().commission_rate * 100)
    )


def _percent(value: Decimal) -> Decimal:
    """5.50 → 5.5, 10.00 → 10 (``normalize`` alone would write 1E+1)."""
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def commission_rate_of(session: Session, store_id: uuid.UUID) -> Decimal:
    """The commission rate (a fraction, 0.055 for 5.5 %) on the store's orders: its own, or the
    platform's default when the operator set none."""
    store = session.get(Store, store_id)
    bps = store.commission_bps if store is not None else None
    if bps is None:
        return get_settings().commission_rate
    return Decimal(bps) / BASIS_POINTS


def set_store_commission(
    uow: UnitOfWork, *, actor: Principal, store_id: uuid.UUID, percent: Decimal | None
) -> Store:
    """Operators only: the store's own commission rate, or ``None`` for the platform default.
    Orders completed from now on settle at it; settled orders keep the rate they settled at."""
    require_operator(actor)
    bps = None if percent is None else basis_points(percent)
    with uow:
        store = uow.session.get(Store, store_id)
        if store is None:
            raise StoreNotFound()
        store.commission_bps = bps
        return store
