"""Pure rules of the shopper profile: which events count how much, how they fade with age, and
where a shopper's purchases sit among a category's prices. No I/O: the service loads, these decide.
"""

from __future__ import annotations

import math
import uuid
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

VIEW = "view"
SEARCH = "search"
CART = "cart"
PURCHASE = "purchase"
SHARE = "share"
LIKE = "like"
DISMISS = "dismiss"
KINDS = (VIEW, SEARCH, CART, PURCHASE, SHARE, LIKE, DISMISS)

# How much one event says about a taste. A purchase is money spent, a cart line the intent to
# spend, a like or a share a choice made in public, a view a passing look; a dismissal ("not
# interested") says the opposite of a view, and more firmly. Searches carry text, not a product,
# so they do not weigh on categories or colours.
KIND_WEIGHTS: dict[str, float] = {
    PURCHASE: 5.0,
    CART: 3.0,
    LIKE: 2.0,
    SHARE: 2.0,
    VIEW: 1.0,
    DISMISS: -3.0,
}

K = TypeVar("K", uuid.UUID, str)

# A purchase price above this share of the category's prices is still "usually" bought: the
# margin turns "the median of what they paid" into "up to what they go", without letting one
# splurge make every dearer item fit.
TYPICAL_MARGIN = 0.15


@dataclass(frozen=True, slots=True)
class PriceLevel:
    """Where a shopper's purchases in one category sit among that category's prices.

    ``percentile`` 0..1: the share of the category's active SKU prices at or below the median
    price this shopper paid there. ``typical_max`` (fen): the price up to which they usually buy.
    ``basis``: how many purchases the level rests on. ``low``/``high``: the range they paid.
    """

    percentile: float
    typical_max: int
    basis: int
    low: int
    high: int


@dataclass(frozen=True, slots=True)
class ShopperProfile:
    """What the recorded behaviour says about a shopper, strongest first."""

    user_id: uuid.UUID
    categories: list[tuple[uuid.UUID, float]] = field(default_factory=list)
    colours: list[tuple[str, float]] = field(default_factory=list)
    price_levels: dict[uuid.UUID, PriceLevel] = field(default_factory=dict)
    overall_typical_max: int | None = None
    events: int = 0

    @property
    def empty(self) -> bool:
        return not self.categories and not self.colours and not self.price_levels


def decay(age_days: float, half_life_days: float) -> float:
    """The weight left to an event ``age_days`` old: halved every ``half_life_days``."""
    if age_days <= 0:
        return 1.0
    return math.pow(0.5, age_days / half_life_days)


@dataclass(frozen=True, slots=True)
class Signal:
    """One event as the profile sees it: its kind and age, and the product's category and
    colours (a product in several colours counts for each, shared equally)."""

    kind: str
    occurred_at: datetime
    category_id: uuid.UUID | None
    colours: tuple[str, ...] = ()


def affinities(
    signals: Iterable[Signal], *, now: datetime, half_life_days: float
) -> tuple[list[tuple[uuid.UUID, float]], list[tuple[str, float]]]:
    """Category and colour affinities: each event's kind weight, decayed by its age, summed.

    Only positive totals are kept (a category dismissed more than liked is no affinity), in
    decreasing order, ties by key so the order is stable.
    """
    by_category: dict[uuid.UUID, float] = {}
    by_colour: dict[str, float] = {}
    for signal in signals:
        base = KIND_WEIGHTS.get(signal.kind)
        if base is None:
            continue
        age = (now - signal.occurred_at).total_seconds() / 86400
        weight = base * decay(age, half_life_days)
        if signal.category_id is not None:
            by_category[signal.category_id] = by_category.get(signal.category_id, 0.0) + weight
        if signal.colours:
            share = weight / len(signal.colours)
            for colour in signal.colours:
                by_colour[colour] = by_colour.get(colour, 0.0) + share
    return _ranked(by_category), _ranked(by_colour)


def _ranked(totals: dict[K, float]) -> list[tuple[K, float]]:
    kept = [(key, round(value, 4)) for key, value in totals.items() if value > 1e-9]
    kept.sort(key=lambda item: (-item[1], str(item[0])))
    return kept


def median(values: Sequence[int]) -> int:
    """The median, the lower middle of an even count: a price someone actually paid."""
    ordered = sorted(values)
    return ordered[(len(ordered) - 1) // 2]


def percentile_of(value: int, ordered_prices: Sequence[int]) -> float:
    """The share of ``ordered_prices`` (ascending) at or below ``value``, 0..1."""
    if not ordered_prices:
        return 0.0
    return bisect_right(ordered_prices, value) / len(ordered_prices)


def price_at(ordered_prices: Sequence[int], share: float) -> int:
    """The category price at ``share`` (0..1) of its ascending distribution (nearest rank)."""
    index = max(0, min(len(ordered_prices) - 1, math.ceil(share * len(ordered_prices)) - 1))
    return ordered_prices[index]


def price_level(paid: Sequence[int], ordered_prices: Sequence[int]) -> PriceLevel | None:
    """Where the unit prices a shopper ``paid`` in a category sit among its ``ordered_prices``.

    ``typical_max`` is the category price at the percentile of their median plus
    ``TYPICAL_MARGIN``, and never below the most they have paid there. Why the category's
    distribution rather than "the most they paid times 1.2": a shopper's range is stated in the
    category's own terms (a ¥900 coat is modest, a ¥900 T-shirt is not), it moves with the
    catalog, and one outlier purchase cannot stretch it past what the category offers; the floor
    at their own highest price keeps an item like one they already bought inside the range.
    """
    if not paid:
        return None
    typical = median(paid)
    highest = max(paid)
    if not ordered_prices:
        return PriceLevel(1.0, highest, len(paid), min(paid), highest)
    share = percentile_of(typical, ordered_prices)
    ceiling = price_at(ordered_prices, min(1.0, share + TYPICAL_MARGIN))
    return PriceLevel(
        percentile=round(share, 4),
        typical_max=max(ceiling, highest),
        basis=len(paid),
        low=min(paid),
        high=highest,
    )


def overall_typical_max(levels: Iterable[PriceLevel]) -> int | None:
    """Across categories: the typical maximum of the level resting on the most purchases (the
    dearer on a tie). A cross-category figure is only a hint, so it follows the best evidence."""
    best: PriceLevel | None = None
    for level in levels:
        if best is None or (level.basis, level.typical_max) > (best.basis, best.typical_max):
            best = level
    return None if best is None else best.typical_max
