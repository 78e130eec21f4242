"""The moves of a flash deal's units between the SKU's stock (``inventory``) and the deal.

Each is one guarded statement on the stock row: ``available`` never goes below zero, and units
leave the stock only if they are there. Checkouts of the product (ordering) run the same kind of
statement on the same row, so a deal and ordinary buyers never both take one unit.
"""

from __future__ import annotations

import uuid

from sqlalchemy import Table, select, update
from sqlalchemy.orm import Session

from agora import inventory
from agora.core.clock import utcnow
from agora.core.uow import UnitOfWork

_stock: Table = inventory.Stock.__table__  # type: ignore[assignment]
# How often a set-aside retries when ordinary checkouts keep taking the stock it just read.
ATTEMPTS = 5


def set_aside(session: Session, sku_id: uuid.UUID, units: int) -> int:
    """Take up to ``units`` out of the SKU's available stock for a deal; how many were taken.

    The stock may be short when the deal opens (it sold meanwhile): the deal then gets what
    there is rather than nothing, and says so in its ``units``. The common case is one guarded
    UPDATE; when the stock is short, the figure read is taken by the same guarded UPDATE, again
    if a checkout took some in between.
    """
    wanted = units
    for _attempt in range(ATTEMPTS):
        if wanted <= 0:
            return 0
        if take(session, sku_id, wanted):
            return wanted
        available = session.scalar(select(_stock.c.available).where(_stock.c.sku_id == sku_id))
        wanted = min(units, int(available or 0))
    return 0


def take(session: Session, sku_id: uuid.UUID, n: int) -> bool:
    """``n`` units out of available stock, or nothing (``False``) if fewer are there."""
    moved = session.execute(
        update(_stock)
        .where(_stock.c.sku_id == sku_id, _stock.c.available >= n)
        .values(available=_stock.c.available - n, updated_at=utcnow())
        .returning(_stock.c.sku_id)
    ).first()
    return moved is not None


def give_back(uow: UnitOfWork, sku_id: uuid.UUID, n: int, *, reopen: bool = True) -> None:
    """``n`` units back into available stock; ``reopen`` opens the SKU's sold-out gate once
    this commits (not when the same transaction places an order that takes them again)."""
    if n <= 0:
        return
    uow.session.execute(
        update(_stock)
        .where(_stock.c.sku_id == sku_id)
        .values(available=_stock.c.available + n, updated_at=utcnow())
    )
    if reopen:
        uow.open_gates(inventory.STOCK_GATE, [str(sku_id)])
