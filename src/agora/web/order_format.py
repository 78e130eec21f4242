"""Template helpers of the ordering pages: colour names, the header's cart count. (Times are the
filters of ``web/times.py``, as on every page.)"""

from __future__ import annotations

from fastapi import Request
from sqlalchemy import func, select

from agora.catalog.images import COLOURS
from agora.core.i18n import lazy_pick
from agora.http.deps import get_uow, optional_actor
from agora.ordering.models import CartItem
from agora.web.render import env


def cart_count(request: Request) -> int:
    """Units in the signed-in shopper's cart, for the header badge: one COUNT-like query."""
    actor = optional_actor(request)
    if actor is None:
        return 0
    with get_uow(request).read() as session:
        total = session.scalar(
            select(func.coalesce(func.sum(CartItem.quantity), 0)).where(
                CartItem.user_id == actor.user_id
            )
        )
    return int(total or 0)


def colour_name(key: str) -> str:
    colour = COLOURS.get(key)
    return lazy_pick(colour.name_en, colour.name_zh) if colour else key


env.globals.update(cart_count=cart_count, colour_name=colour_name)
