"""Pure rules of store reputation: the window, and how counts become figures.

Each figure is rounded once, half up, from the integer counts it summarizes; the counts are kept
beside it, so a reader can always recount what a figure says.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

WINDOW_DAYS = 90
WINDOW = timedelta(days=WINDOW_DAYS)
"""Every figure looks back this far from the moment it is computed."""

BP_WHOLE = 10_000  # basis points in one whole (100 %)


def share_bp(part: int, whole: int) -> int | None:
    """``part / whole`` in basis points, rounded half up; ``None`` when ``whole`` is zero (a
    share of nothing is not 0 %: there is not enough data yet)."""
    if part < 0 or whole < 0 or part > whole:
        raise ValueError("a share is a part of a whole, both counts")
    if whole == 0:
        return None
    return (2 * part * BP_WHOLE + whole) // (2 * whole)


def rating_hundredths(stars_total: int, reviews: int) -> int | None:
    """The average of ``reviews`` ratings summing to ``stars_total``, in hundredths of a star,
    rounded half up; ``None`` without reviews."""
    if reviews < 0 or not reviews <= stars_total <= 5 * reviews:
        raise ValueError("each review gives 1 to 5 stars")
    if reviews == 0:
        return None
    return (2 * stars_total * 100 + reviews) // (2 * reviews)


def percent(bp: int) -> Decimal:
    """Basis points as a percentage with two decimals (9524 → 95.24)."""
    return (Decimal(bp) / 100).quantize(Decimal("0.01"))


def stars(hundredths: int) -> Decimal:
    """Hundredths of a star as stars with two decimals (475 → 4.75)."""
    return (Decimal(hundredths) / 100).quantize(Decimal("0.01"))


def one_decimal(value: Decimal) -> Decimal:
    """A figure as the pages show it: one decimal, rounded half up (4.75 → 4.8)."""
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
