"""What ordering tells credit about a shopper: how many orders they completed and what those
orders came to after refunds (the score's "completed orders" and "spending" factors)."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from agora import credit
from agora.ordering.domain import COMPLETED
from agora.ordering.models import Order


def shopping_record(session: Session, user_id: uuid.UUID) -> credit.ShoppingRecord:
    """One aggregate over the buyer's completed orders (indexed by buyer)."""
    count, spent = session.execute(
        select(
            func.count(Order.id),
            func.coalesce(func.sum(Order.paid_amount - Order.refunded_amount), 0),
        ).where(Order.buyer_id == user_id, Order.status == COMPLETED)
    ).one()
    return credit.ShoppingRecord(completed_orders=int(count), spent=int(spent))


credit.register_shopping_record(shopping_record)
