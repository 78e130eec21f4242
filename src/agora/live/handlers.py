"""Reactions to ordering's events: a flash-deal order never paid gives its units back to the
deal while it is open (``live.returns``)."""

from __future__ import annotations

import uuid

from agora.core.events import Event, handlers
from agora.core.uow import UnitOfWork
from agora.live.returns import return_to_deal

ORDER_CANCELLED = "ordering.order_cancelled"
ORDER_EXPIRED = "ordering.order_expired"


@handlers.on(ORDER_CANCELLED)
@handlers.on(ORDER_EXPIRED)
def return_unpaid_units(uow: UnitOfWork, event: Event) -> None:
    return_to_deal(uow, uuid.UUID(str(event.payload["order_id"])))
