"""Pure bargain rules: the offer's numbers, the schedule of cuts, the price after k helpers.

No I/O here. The services apply the same rules again with guarded UPDATEs; what is decided here
is what a schedule may look like and what numbers an offer may have.
"""

from __future__ import annotations

import math
import random
import secrets
from typing import Any

from agora.core.i18n import gettext as _
from agora.core.money import split_largest_remainder

OPEN, REACHED, ORDERED, EXPIRED = "open", "reached", "ordered", "expired"
STATUSES = (OPEN, REACHED, ORDERED, EXPIRED)
LIVE = (OPEN, REACHED)
"""Campaigns the expiry deadline ends (an ordered one has its order; the order decides)."""

OFFER_ACTIVE, OFFER_ENDED = "active", "ended"

MIN_HELPERS, MAX_HELPERS = 1, 100
MAX_WINDOW_HOURS = 7 * 24
MAX_ALLOTMENT = 100_000

DEAL_KIND = "bargain"
"""The ``deal_kind`` of the orders a bargain places."""

# The first helper's weight is this share (at least 1, at most 1 + spread) of all the others'
# together: the first cut takes a half to three fifths of the way, the rest decay after it —
# the "big first cut" that makes a campaign feel close from the start.
FIRST_SHARE_SPREAD = 0.5
DECAY = 2.5
WEIGHT_SCALE = 1_000_000

_system_random = secrets.SystemRandom()


def draw_cuts(total: int, count: int, rng: random.Random | None = None) -> list[int]:
    """A schedule of ``count`` cuts, each at least one fen, summing exactly to ``total`` fen.

    Random, front-loaded: every cut gets one fen, and the rest is split by largest remainder in
    proportion to random weights that decay with the position, the first weight being as large
    as all the others together or up to half again more. So the first cut is at least
    ``total // count`` and the price reaches the floor exactly at the last helper.
    Draws from the operating system's randomness unless ``rng`` is given (tests).
    """
    if not MIN_HELPERS <= count <= MAX_HELPERS:
        raise ValueError(f"between {MIN_HELPERS} and {MAX_HELPERS} cuts")
    if total < count:
        raise ValueError("the total must allow at least one fen per cut")
    source = rng or _system_random
    rest = [
        max(1, int((0.5 + source.random()) * math.exp(-DECAY * i / count) * WEIGHT_SCALE))
        for i in range(1, count)
    ]
    others = sum(rest)
    first = others + int(others * FIRST_SHARE_SPREAD * source.random()) if rest else 1
    extra = split_largest_remainder(total - count, [first, *rest])
    cuts = [1 + part for part in extra]
    assert len(cuts) == count and sum(cuts) == total and min(cuts) >= 1
    return cuts


def price_after(start_price: int, cuts: list[int], helpers: int) -> int:
    """The price once ``helpers`` friends have helped: the start less their cuts."""
    return start_price - sum(cuts[:helpers])


def offer_errors(
    *,
    sku_price: int,
    start_price: int,
    floor_price: int,
    helpers_needed: int,
    window_hours: int,
    allotment: int,
) -> list[dict[str, Any]]:
    """What is wrong with an offer's numbers (empty when nothing), one entry per field."""
    errors: list[dict[str, Any]] = []

    def wrong(field: str, message: str) -> None:
        errors.append({"field": field, "message": message})

    if start_price < 1:
        wrong("start_price", _("must be positive"))
    elif start_price > sku_price:
        wrong("start_price", _("may not be above the SKU's price"))
    if floor_price < 1:
        wrong("floor_price", _("must be positive"))
    elif floor_price >= start_price:
        wrong("floor_price", _("must be below the start price"))
    if not MIN_HELPERS <= helpers_needed <= MAX_HELPERS:
        wrong(
            "helpers_needed",
            _("between %(min)s and %(max)s") % {"min": MIN_HELPERS, "max": MAX_HELPERS},
        )
    elif 1 <= floor_price < start_price and start_price - floor_price < helpers_needed:
        wrong("helpers_needed", _("each helper must cut at least one fen"))
    if not 1 <= window_hours <= MAX_WINDOW_HOURS:
        wrong("window_hours", _("between 1 and %(max)s") % {"max": MAX_WINDOW_HOURS})
    if not 1 <= allotment <= MAX_ALLOTMENT:
        wrong("allotment", _("between 1 and %(max)s") % {"max": MAX_ALLOTMENT})
    return errors
