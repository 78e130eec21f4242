"""The store reputation panel of the store page and the product page, through the
``store_reputation_panel`` template global (so the shop's routes know nothing of reputation),
with the formatting of its figures."""

from __future__ import annotations

import uuid
from decimal import Decimal

from fastapi import Request

from agora import catalog, reputation
from agora.http.deps import get_uow
from agora.reputation.domain import one_decimal
from agora.web.render import env

EVERY_MINUTES = int(reputation.EVERY.total_seconds() // 60)


def store_reputation_panel(request: Request, store_id: uuid.UUID) -> reputation.Reputation | None:
    """The store's figures as last computed; ``None`` for a store shoppers cannot see (its
    staff may still open its products' pages), which then shows no panel."""
    try:
        return reputation.store_reputation(get_uow(request), store_id)
    except catalog.StoreNotFound:
        return None


def figure_text(value: Decimal) -> str:
    """A figure with one decimal, a whole number without it: 95.24 → "95.2", 100.00 → "100"."""
    shown = one_decimal(value)
    return str(shown.to_integral_value()) if shown == shown.to_integral_value() else str(shown)


env.globals.update(
    store_reputation_panel=store_reputation_panel,
    reputation_figure=figure_text,
    reputation_every_minutes=EVERY_MINUTES,
)
