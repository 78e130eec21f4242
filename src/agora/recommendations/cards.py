"""The product cards the feeds show: read in one statement, then kept a few seconds per process.

A feed names 20–40 products (its picks and the items their reasons name). Reading their cards —
the statement, and turning each row into ids, a date and a card — was most of what a feed cost
(docs/performance.md), and the same popular products come back in most shoppers' feeds. So each
process keeps the cards it read, each with whether it could be bought then, for
``FRESH_SECONDS`` on the process clock: a product that sells out, is taken off sale or changes
its price shows so in the feeds within that time. What a shopper bought or dismissed is not a
card's business and is always read fresh (``feeds``); the product page, the cart and checkout
read the truth, and checkout refuses what cannot be bought.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, and_, bindparam, exists, select
from sqlalchemy.orm import Session

from agora import catalog, inventory
from agora.core.clock import utcnow

FRESH_SECONDS = 10.0
SIZE = 50_000  # cards one process keeps; those read longest ago go first

Card = tuple[catalog.ProductCard, bool]
"""A product's card and whether it can be bought (active, of an active store, in stock)."""


def _statement() -> Select[Any]:
    """Cards of the products in ``ids`` with whether each can be bought now. Built once; a Core
    statement, so each call is a compiled-cache hit and no ORM loading."""
    product = catalog.Product.__table__
    store = catalog.Store.__table__
    sku = catalog.Sku.__table__
    stock = inventory.Stock.__table__
    in_stock = exists(
        select(sku.c.id)
        .join(stock, stock.c.sku_id == sku.c.id)
        .where(sku.c.product_id == product.c.id, sku.c.active.is_(True), stock.c.available > 0)
    )
    return (
        select(
            product.c.id,
            product.c.title_en,
            product.c.title_zh,
            product.c.image_url,
            product.c.min_price,
            product.c.list_price,
            product.c.currency,
            product.c.sales_count,
            product.c.created_at,
            product.c.store_id,
            store.c.name_en,
            store.c.name_zh,
            store.c.self_operated,
            and_(product.c.status == "active", store.c.status == "active", in_stock),
        )
        .join(store, store.c.id == product.c.store_id)
        .where(product.c.id.in_(bindparam("ids", expanding=True)))
    )


_STATEMENT = _statement()


def read_cards(session: Session, product_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Card]:
    """Each product's card as it is now, in one statement (a product that does not exist has
    none)."""
    ids = list(product_ids)
    if not ids:
        return {}
    rows = session.connection().execute(_STATEMENT, {"ids": ids})
    return {row[0]: (catalog.ProductCard(*row[:13]), bool(row[13])) for row in rows}


class CardCache:
    """Cards read lately, by product id; safe to share between threads."""

    def __init__(self, fresh_seconds: float = FRESH_SECONDS, size: int = SIZE) -> None:
        self.fresh_seconds = fresh_seconds
        self.size = size
        # product id → (read at, in clock seconds; the card, or None for no such product)
        self._entries: dict[uuid.UUID, tuple[float, Card | None]] = {}
        self._lock = threading.Lock()

    def of(self, session: Session, product_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Card]:
        """The cards of ``product_ids``: those read within ``fresh_seconds`` from memory, the
        rest in one statement."""
        now = utcnow().timestamp()
        oldest = now - self.fresh_seconds
        found: dict[uuid.UUID, Card] = {}
        missing: list[uuid.UUID] = []
        for product_id in product_ids:
            entry = self._entries.get(product_id)
            # A card "read" after now was read before the clock was set back (tests, the demo).
            if entry is None or not oldest <= entry[0] <= now:
                missing.append(product_id)
            elif entry[1] is not None:
                found[product_id] = entry[1]
        if missing:
            read = read_cards(session, missing)
            found.update(read)
            with self._lock:
                for product_id in missing:
                    self._entries.pop(product_id, None)  # to the back: read last
                    self._entries[product_id] = (now, read.get(product_id))
                while len(self._entries) > self.size:
                    del self._entries[next(iter(self._entries))]
        return found

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


CARDS = CardCache()
