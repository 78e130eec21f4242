"""Reactions to ordering's events: a completed order may decide its buyer's referral reward.

Referrals may not import ordering; ``ordering.order_settled`` is emitted for every completed
order (confirmed by the buyer or automatically) and its payload names the buyer. Idempotent
twice over: the relay's handled-events row, and one reward per referee.
"""

from __future__ import annotations

import logging
import uuid

from agora.core.events import Event, handlers
from agora.core.uow import UnitOfWork
from agora.referrals.service import reward_first_order

log = logging.getLogger(__name__)
ORDER_SETTLED = "ordering.order_settled"


@handlers.on(ORDER_SETTLED)
def reward_referrer(uow: UnitOfWork, event: Event) -> None:
    payload = event.payload
    if "buyer_id" not in payload or "order_id" not in payload:
        log.warning("order event %s has no buyer; no referral reward considered", event.id)
        return
    reward_first_order(
        uow,
        buyer_id=uuid.UUID(str(payload["buyer_id"])),
        order_id=uuid.UUID(str(payload["order_id"])),
    )
