"""Reactions to ordering's events: a paid order is credited to the share that brought it.

Sharing may not import ordering; the event's payload carries what attribution needs (buyer,
total, currency) and the event's time is when the order was paid. Idempotent twice over: the
relay's handled-events row, and one attribution per order.
"""

from __future__ import annotations

import logging
import uuid

from agora.core.events import Event, handlers
from agora.core.uow import UnitOfWork
from agora.sharing.attribution import attribute_order

log = logging.getLogger(__name__)
ORDER_PAID = "ordering.order_paid"


@handlers.on(ORDER_PAID)
def credit_paid_order(uow: UnitOfWork, event: Event) -> None:
    payload = event.payload
    if "buyer_id" not in payload or "total" not in payload:
        log.warning("order event %s has no buyer or total; not attributed", event.id)
        return
    attribute_order(
        uow,
        order_id=uuid.UUID(str(payload["order_id"])),
        buyer_id=uuid.UUID(str(payload["buyer_id"])),
        total=int(payload["total"]),
        currency=str(payload.get("currency") or "CNY"),
        paid_at=event.created_at,
    )
