"""What an order page shows of disputes, for the buyer's page and the store's: the order's
disputes with both sides' evidence and, for the buyer, what may be taken to Agora now."""

from __future__ import annotations

from typing import Any

from agora import ordering
from agora.core.clock import utcnow
from agora.core.uow import UnitOfWork
from agora.identity import Principal


def dispute_context(
    uow: UnitOfWork, actor: Principal, order: ordering.OrderView, *, side: str
) -> dict[str, Any]:
    """Template values of ``orders/_disputes.html``: ``side`` is ``buyer`` or ``merchant``."""
    found = ordering.order_disputes(uow, actor=actor, order_id=order.id)
    return {
        "disputes": found,
        "dispute_options": (
            ordering.dispute_options(order, found, now=utcnow()) if side == "buyer" else None
        ),
        "dispute_side": side,
        "dispute_base": f"/orders/{order.id}"
        if side == "buyer"
        else f"/merchant/orders/{order.id}",
        "open_dispute": next((d for d in found if d.is_open), None),
    }
