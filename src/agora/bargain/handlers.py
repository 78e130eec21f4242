"""Reactions to ordering's events: a bargain's order that was never paid — the buyer cancelled
it or its 15 minutes ran out — gives the campaign back to its owner, reached again (while its
window lasts) with the offer's unit returned. Idempotent twice over: the relay's handled-events
row, and the guarded UPDATE that moves only a campaign still ``ordered`` with that order.
"""

from __future__ import annotations

import uuid

from agora.bargain.campaigns import release_order
from agora.core.events import Event, handlers
from agora.core.uow import UnitOfWork

ORDER_CANCELLED = "ordering.order_cancelled"
ORDER_EXPIRED = "ordering.order_expired"


@handlers.on(ORDER_CANCELLED)
@handlers.on(ORDER_EXPIRED)
def release_unpaid_order(uow: UnitOfWork, event: Event) -> None:
    release_order(uow, uuid.UUID(str(event.payload["order_id"])))
