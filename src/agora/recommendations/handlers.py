"""Reactions to other contexts' events: a withdrawn consent erases the shopper's events, and a
paid order becomes purchase events (one per product, with the unit price paid).

Purchases are written here, in the handler's own transaction, rather than through the in-process
buffer: the relay already runs off every request's path, and a purchase is worth more than a view
(it sets the price level), so it is not left in a buffer a crash could lose. Idempotent through
the relay's handled-events row.
"""

from __future__ import annotations

import logging
import uuid

from sqlalchemy import select

from agora import privacy
from agora.core.events import Event, handlers
from agora.core.uow import UnitOfWork
from agora.ordering import OrderLine
from agora.recommendations.domain import PURCHASE
from agora.recommendations.events import Pending, store_events
from agora.recommendations.service import forget_user

log = logging.getLogger(__name__)
ORDER_PAID = "ordering.order_paid"


@handlers.on(privacy.CONSENT_CHANGED)
def forget_on_withdrawal(uow: UnitOfWork, event: Event) -> None:
    payload = event.payload
    if payload.get("kind") != privacy.PERSONALISED_RECOMMENDATIONS or payload.get("granted"):
        return
    forget_user(uow, user_id=uuid.UUID(str(payload["user_id"])))


@handlers.on(ORDER_PAID)
def record_purchases(uow: UnitOfWork, event: Event) -> None:
    payload = event.payload
    if "buyer_id" not in payload or "order_id" not in payload:
        log.warning("order event %s has no buyer; no purchase recorded", event.id)
        return
    buyer_id = uuid.UUID(str(payload["buyer_id"]))
    order_id = uuid.UUID(str(payload["order_id"]))
    with uow:
        lines = uow.session.execute(
            select(OrderLine.product_id, OrderLine.unit_price, OrderLine.quantity)
            .where(OrderLine.order_id == order_id)
            .order_by(OrderLine.position)
        ).all()
        # Several SKUs of one product in one order are one purchase of it, at the average
        # price per unit paid (rounded down: a fen either way says nothing about a taste).
        spent: dict[uuid.UUID, tuple[int, int]] = {}
        for product_id, unit_price, quantity in lines:
            total, units = spent.get(product_id, (0, 0))
            spent[product_id] = (total + unit_price * quantity, units + quantity)
        events: list[Pending] = [
            (buyer_id, PURCHASE, product_id, None, total // units, event.created_at)
            for product_id, (total, units) in spent.items()
            if units > 0
        ]
        store_events(uow.session, events)
