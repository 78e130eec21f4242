"""Orders of deals: what group teams and bargains need from ordering, and nothing of their rules.

A deal's own context (``agora.groupbuy``, ``agora.bargain``) decides the price and who may buy;
ordering places the order at that price (:func:`~agora.ordering.checkout.place_deal_order`), holds
a group order until its team fills (:func:`release_holds`) and refunds it when the team fails
(:func:`~agora.ordering.refunds.refund_held_order`).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import Table, select, update

from agora.core.uow import UnitOfWork
from agora.ordering import state
from agora.ordering.checkout import place_deal_order
from agora.ordering.models import Order
from agora.ordering.refunds import refund_held_order

__all__ = ["place_deal_order", "refund_held_order", "release_holds"]

_orders: Table = Order.__table__  # type: ignore[assignment]


def release_holds(uow: UnitOfWork, *, order_ids: Sequence[uuid.UUID]) -> None:
    """The team filled: its held orders become ordinary paid orders the store can ship.

    Guarded (``WHERE held``), so a second call changes nothing and writes no second timeline
    entry; orders in id order, as every use case locks them.
    """
    with uow:
        session = uow.session
        released = session.scalars(
            update(_orders)
            .where(_orders.c.id.in_(sorted(set(order_ids))), _orders.c.held.is_(True))
            .values(held=False)
            .returning(_orders.c.id)
        ).all()
        if not released:
            return
        for order in session.scalars(
            select(Order).where(Order.id.in_(released)).order_by(Order.id)
        ):
            state.record(uow, order, "team_complete", actor=None, role=state.SYSTEM)
