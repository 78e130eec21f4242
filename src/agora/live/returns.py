"""Units of a flash-deal order that was never paid — the buyer cancelled it, or its time to pay
ran out — go back to the deal while it is open, so another viewer can buy them; once the deal
has closed they stay in the product's stock, where ordering's cancellation put them.

Runs from ordering's events (``live.handlers``), at least once per event: the relay's
handled-events row and the guarded UPDATEs here make a second delivery change nothing.
"""

from __future__ import annotations

import uuid

from sqlalchemy import Table, func, select, update

from agora import ordering
from agora.core.uow import UnitOfWork
from agora.live import domain, stock
from agora.live.flash import FLASH_GATE
from agora.live.models import FlashDeal, FlashDealBuyer

_deals: Table = FlashDeal.__table__  # type: ignore[assignment]
_buyers: Table = FlashDealBuyer.__table__  # type: ignore[assignment]


def return_to_deal(uow: UnitOfWork, order_id: uuid.UUID) -> bool:
    """Move a cancelled flash order's units from the SKU's stock back into its deal, if the deal
    is still open and the units are still in the stock. ``False`` when nothing moved."""
    with uow:
        session = uow.session
        order = session.execute(
            select(
                ordering.Order.deal_kind,
                ordering.Order.deal_id,
                ordering.Order.buyer_id,
                ordering.Order.status,
            ).where(ordering.Order.id == order_id)
        ).first()
        if order is None or order.deal_kind != domain.DEAL_KIND or order.deal_id is None:
            return False
        if order.status != "cancelled":
            return False
        quantity = int(
            session.scalar(
                select(func.coalesce(func.sum(ordering.OrderLine.quantity), 0)).where(
                    ordering.OrderLine.order_id == order_id
                )
            )
            or 0
        )
        if quantity <= 0:
            return False
        # The deal's row first, then the stock's (the package's lock order). The order's
        # ``sold`` units leave the buyer and the deal's tally together, exactly once: the
        # buyer's row only moves if it still counts them.
        moved = session.execute(
            update(_deals)
            .where(
                _deals.c.id == order.deal_id,
                _deals.c.status == domain.OPEN,
                _deals.c.sold >= quantity,
            )
            .values(remaining=_deals.c.remaining + quantity, sold=_deals.c.sold - quantity)
            .returning(_deals.c.sku_id)
        ).first()
        if moved is None:
            return False
        counted = session.execute(
            update(_buyers)
            .where(
                _buyers.c.deal_id == order.deal_id,
                _buyers.c.user_id == order.buyer_id,
                _buyers.c.quantity >= quantity,
            )
            .values(quantity=_buyers.c.quantity - quantity)
            .returning(_buyers.c.quantity)
        ).first()
        if counted is None or not stock.take(session, moved.sku_id, quantity):
            # Counted back already, or an ordinary checkout bought the units from the product
            # meanwhile: they stay where they are.
            session.execute(
                update(_deals)
                .where(_deals.c.id == order.deal_id)
                .values(remaining=_deals.c.remaining - quantity, sold=_deals.c.sold + quantity)
            )
            if counted is not None:
                session.execute(
                    update(_buyers)
                    .where(_buyers.c.deal_id == order.deal_id, _buyers.c.user_id == order.buyer_id)
                    .values(quantity=_buyers.c.quantity + quantity)
                )
            return False
        uow.open_gates(FLASH_GATE, [str(order.deal_id)])
        return True
