"""Orders of deals: what group teams and bargains need from ordering, and nothing of their rules.

A deal's own context (``agora.groupbuy``, ``agora.bargain``) decides the price and who may buy;
ordering places the order at that price (:func:`~agora.ordering.checkout.place_deal_order`), holds
a group order until its team fills (:func:`release_holds`) and refunds it when the team fails
(:func:`~agora.ordering.refunds.refund_held_order`).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import NamedTuple

from sqlalchemy import Table, bindparam, update

from agora.core.prepared import Prepared
from agora.core.uow import UnitOfWork
from agora.ordering import state
from agora.ordering.checkout import place_deal_order
from agora.ordering.models import Order
from agora.ordering.refunds import refund_held_order

__all__ = ["place_deal_order", "refund_held_order", "release_holds"]

_orders: Table = Order.__table__  # type: ignore[assignment]


class _Released(NamedTuple):
    id: uuid.UUID
    store_id: uuid.UUID
    buyer_id: uuid.UUID
    total: int
    currency: str


# Prepared (core.prepared): the join that fills a team releases every order of it.
_RELEASE = Prepared(
    update(_orders)
    .where(_orders.c.id == bindparam("order_id"), _orders.c.held.is_(True))
    .values(held=False)
    .returning(*(_orders.c[name] for name in _Released._fields))
)


def release_holds(uow: UnitOfWork, *, order_ids: Sequence[uuid.UUID]) -> None:
    """The team filled: its held orders become ordinary paid orders the store can ship.

    Guarded (``WHERE held``), so a second call changes nothing and writes no second timeline
    entry; orders in id order, as every use case locks them.
    """
    with uow:
        for order_id in sorted(set(order_ids)):
            released = _RELEASE.first(uow.session, {"order_id": order_id})
            if released is not None:
                order = _Released(*released)
                state.record(uow, order, "team_complete", actor=None, role=state.SYSTEM)
