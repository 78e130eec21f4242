"""Shared moves of the ordering use cases: guarded status changes, stock moves, the timeline.

Lock order, followed by every use case so that concurrent ones cannot deadlock on PostgreSQL:
the refund row (if any), then the order row (its guarded UPDATE comes first), then its lines,
then stock rows in sku-id order, then ledger accounts (the ledger sorts those itself).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from functools import partial
from typing import Any, Protocol

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session

from agora.core.clock import utcnow
from agora.core.ids import new_id
from agora.core.prepared import Prepared
from agora.core.uow import UnitOfWork
from agora.identity import Principal
from agora.inventory import STOCK_GATE, InsufficientStock, Stock
from agora.ordering import domain
from agora.ordering.errors import OrderNotFound, OrderStateConflict, PaymentExpired
from agora.ordering.models import Order, OrderEvent

_orders: Table = Order.__table__  # type: ignore[assignment]
_stock: Table = Stock.__table__  # type: ignore[assignment]

# Prepared (core.prepared): every placed and paid order runs these.
_EVENT_INSERT = Prepared.insert(
    OrderEvent.__table__,  # type: ignore[arg-type]
    ["id", "order_id", "kind", "actor_id", "actor_role", "data", "created_at"],
)
_RESERVE = Prepared(
    update(_stock)
    .where(_stock.c.sku_id == bindparam("sku_id"), _stock.c.available >= bindparam("n"))
    .values(
        available=_stock.c.available - bindparam("n"),
        reserved=_stock.c.reserved + bindparam("n"),
        updated_at=bindparam("now"),
    )
    .returning(_stock.c.available)
)


class OrderFacts(Protocol):
    """What the timeline and its notice need of an order: a row, a model or a view."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def store_id(self) -> uuid.UUID: ...
    @property
    def buyer_id(self) -> uuid.UUID: ...
    @property
    def total(self) -> int: ...
    @property
    def currency(self) -> str: ...


SYSTEM = "system"


def role_of(order: Order | None, actor: Principal | None, *, merchant: bool = False) -> str:
    if actor is None:
        return SYSTEM
    if merchant:
        return "merchant"
    if order is not None and actor.user_id == order.buyer_id:
        return "buyer"
    return "operator" if actor.is_operator else "merchant"


def record(
    uow: UnitOfWork,
    order: OrderFacts,
    kind: str,
    *,
    actor: Principal | None,
    role: str,
    data: Mapping[str, Any] | None = None,
) -> None:
    """Add a timeline entry and tell the buyer (and the store) through the outbox."""
    _EVENT_INSERT.execute(
        uow.session,
        {
            "id": new_id(),
            "order_id": order.id,
            "kind": kind,
            "actor_id": actor.user_id if actor else None,
            "actor_role": role,
            "data": dict(data or {}),
            "created_at": utcnow(),
        },
    )
    uow.emit(
        f"ordering.order_{kind}",
        {
            "order_id": str(order.id),
            "store_id": str(order.store_id),
            "kind": kind,
            "buyer_id": str(order.buyer_id),
            "total": order.total,
            "currency": order.currency,
        },
        topics=[f"user:{order.buyer_id}", f"store:{order.store_id}"],
    )


def transition(
    uow: UnitOfWork,
    order_id: uuid.UUID,
    target: str,
    *,
    extra_where: tuple[Any, ...] = (),
    **values: Any,
) -> bool:
    """Move the order to ``target`` only from a status :data:`domain.TRANSITIONS` allows, in one
    guarded UPDATE. ``False`` if the row did not qualify (someone else acted first)."""
    allowed = domain.sources_into(target)
    result = uow.session.execute(
        update(_orders)
        .where(_orders.c.id == order_id, _orders.c.status.in_(sorted(allowed)), *extra_where)
        .values(status=target, **values)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def reload(session: Session, order_id: uuid.UUID) -> Order:
    """The order as the database has it now (after guarded updates bypassed the ORM)."""
    order = session.scalar(
        select(Order).where(Order.id == order_id).execution_options(populate_existing=True)
    )
    if order is None:
        raise OrderNotFound()
    return order


def refuse(session: Session, order_id: uuid.UUID, *, expected: str) -> Exception:
    """The error to raise after a guarded update found the order elsewhere than ``expected``."""
    order = reload(session, order_id)
    if order.status == domain.PENDING_PAYMENT and expected == domain.PENDING_PAYMENT:
        return PaymentExpired()
    return OrderStateConflict(order_status=order.status)


def reserve_stock(uow: UnitOfWork, quantities: Mapping[uuid.UUID, int]) -> None:
    """Hold units for a new order: one guarded UPDATE per SKU, in sku-id order.

    Raises InsufficientStock (the caller's transaction then rolls back every earlier hold). A SKU
    found empty, or emptied by this order once it commits, closes its stock gate
    (``core.gates``): the next buyer of it is refused from memory.
    """
    now = utcnow()
    gate = uow.gates[STOCK_GATE]
    for sku_id in sorted(quantities):
        n = quantities[sku_id]
        observed_at = time.monotonic()
        left = _RESERVE.scalar(uow.session, {"sku_id": sku_id, "n": n, "now": now})
        if left is None:
            if n == 1:  # nothing at all is left (or there is no stock row)
                gate.close(str(sku_id), observed_at=observed_at)
            raise InsufficientStock(sku_id=str(sku_id))
        if left == 0:
            uow.after_commit(partial(gate.close, str(sku_id), observed_at=observed_at))


def release_stock(uow: UnitOfWork, quantities: Mapping[uuid.UUID, int]) -> None:
    """Give held units back to sale (cancel, expiry, refund before shipment)."""
    _move(uow.session, quantities, available=+1, reserved=-1)
    uow.open_gates(STOCK_GATE, [str(sku_id) for sku_id in sorted(quantities)])


def ship_stock(session: Session, quantities: Mapping[uuid.UUID, int]) -> None:
    """Held units left the warehouse: they are no longer reserved."""
    _move(session, quantities, available=0, reserved=-1)


def restock(uow: UnitOfWork, quantities: Mapping[uuid.UUID, int]) -> None:
    """Returned goods are back on sale."""
    _move(uow.session, quantities, available=+1, reserved=0)
    uow.open_gates(STOCK_GATE, [str(sku_id) for sku_id in sorted(quantities)])


def _move(
    session: Session, quantities: Mapping[uuid.UUID, int], *, available: int, reserved: int
) -> None:
    now = utcnow()
    for sku_id in sorted(quantities):
        n = quantities[sku_id]
        if n <= 0:
            continue
        statement = update(_stock).where(_stock.c.sku_id == sku_id)
        if reserved < 0:
            statement = statement.where(_stock.c.reserved >= n)
        result = session.execute(
            statement.values(
                available=_stock.c.available + available * n,
                reserved=_stock.c.reserved + reserved * n,
                updated_at=now,
            )
        )
        # Every unit moved here was reserved by this order at placement; a miss is a bug.
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise RuntimeError(f"stock of sku {sku_id} does not hold the {n} units expected")
