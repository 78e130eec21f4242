"""Stock use cases. Every change is one guarded statement on the stock row (no read-then-write)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping

from sqlalchemy import select, update

from agora.catalog import access_sku
from agora.core.clock import utcnow
from agora.core.db import upsert_insert
from agora.core.errors import N_, Conflict, InvalidInput
from agora.core.uow import UnitOfWork
from agora.identity import Principal
from agora.inventory.models import Stock

MAX_STOCK = 10_000_000
# The memory gate of sold-out SKUs (core.gates), keyed by the SKU id as text.
STOCK_GATE = "stock"


class InsufficientStock(Conflict):
    code = "insufficient_stock"
    title = N_("Not enough stock left.")


def stock_levels(uow: UnitOfWork, sku_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, int]:
    """Available units per SKU (0 for a SKU without a stock row), in one query."""
    ids = list(sku_ids)
    if not ids:
        return {}
    with uow.read() as session:
        rows = session.execute(select(Stock.sku_id, Stock.available).where(Stock.sku_id.in_(ids)))
        levels = {sku_id: available for sku_id, available in rows}
    return {sku_id: levels.get(sku_id, 0) for sku_id in ids}


def set_stock(uow: UnitOfWork, *, actor: Principal, levels: Mapping[uuid.UUID, int]) -> None:
    """Set absolute stock figures for SKUs of the actor's stores (the merchant's count)."""
    if any(not 0 <= qty <= MAX_STOCK for qty in levels.values()):
        raise InvalidInput(N_("Stock must be between 0 and 10,000,000."))
    with uow:
        session = uow.session
        for sku_id in sorted(levels):  # fixed order, so concurrent edits lock rows alike
            access_sku(session, actor, sku_id)
            values = {"sku_id": sku_id, "available": levels[sku_id], "updated_at": utcnow()}
            statement = upsert_insert(session, Stock).values(**values)
            session.execute(
                statement.on_conflict_do_update(
                    index_elements=[Stock.sku_id],
                    set_={"available": values["available"], "updated_at": values["updated_at"]},
                )
            )
        uow.open_gates(STOCK_GATE, [str(s) for s in sorted(levels) if levels[s] > 0])


def adjust_stock(uow: UnitOfWork, *, actor: Principal, sku_id: uuid.UUID, delta: int) -> int:
    """Add (or, with a negative delta, remove) units; never below zero. Returns the new level."""
    if not -MAX_STOCK <= delta <= MAX_STOCK or delta == 0:
        raise InvalidInput(N_("The adjustment must be a non-zero number of units."))
    with uow:
        session = uow.session
        access_sku(session, actor, sku_id)
        now = utcnow()
        if delta > 0:
            # A SKU never counted has no row yet (its level reads as 0): adding creates it. Still
            # one statement, and capped like set_stock.
            statement = upsert_insert(session, Stock).values(
                sku_id=sku_id, available=delta, updated_at=now
            )
            added = session.execute(
                statement.on_conflict_do_update(
                    index_elements=[Stock.sku_id],
                    set_={"available": Stock.available + delta, "updated_at": now},
                    where=Stock.available + delta <= MAX_STOCK,
                ).returning(Stock.available)
            ).first()
            if added is None:
                raise InvalidInput(N_("Stock must be between 0 and 10,000,000."))
            uow.open_gates(STOCK_GATE, [str(sku_id)])
            return int(added[0])
        result = session.execute(
            update(Stock)
            .where(Stock.sku_id == sku_id, Stock.available + delta >= 0)
            .values(available=Stock.available + delta, updated_at=now)
            .returning(Stock.available)
        ).first()
        if result is None:
            raise InsufficientStock()
        return int(result[0])
