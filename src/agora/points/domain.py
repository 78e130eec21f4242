"""Pure points rules: how many points money earns, what points are worth, how a discount is
split across orders, pro-rata reversals, and calendar-month expiry. No I/O here."""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import datetime
from decimal import ROUND_FLOOR, Decimal
from math import gcd


def earned_for(money_paid: int, per_cny: int) -> int:
    """Points earned on ``money_paid`` fen: ``per_cny`` for every whole yuan (fen are dropped)."""
    if money_paid < 0 or per_cny < 0:
        raise ValueError("amounts are not negative")
    return money_paid // 100 * per_cny


def fen_unit(rate: int) -> int:
    """The smallest discount in fen that is worth a whole number of points, when ``rate``
    points redeem for one yuan (1 at the default 100: one point is one fen)."""
    if rate < 1:
        raise ValueError("the redemption rate is at least one point per yuan")
    return 100 // gcd(100, rate)


def points_for(discount: int, rate: int) -> int:
    """The points a discount of ``discount`` fen costs. Raises ValueError unless exact."""
    if discount < 0 or discount % fen_unit(rate):
        raise ValueError("the discount must be worth a whole number of points")
    return discount * rate // 100


def discount_for(points: int, rate: int) -> int:
    """The largest discount in fen that ``points`` pay for (whole points only)."""
    if points < 0:
        raise ValueError("points are not negative")
    unit = fen_unit(rate)
    return points * 100 // rate // unit * unit


def cap_of(total: int, share: Decimal) -> int:
    """The most fen points may pay of an order of ``total`` fen: ``total × share``, rounded
    down (the one rounding of the cap: never a fen over the share)."""
    if total < 0 or not Decimal(0) <= share <= Decimal(1):
        raise ValueError("a total is not negative and the share is between 0 and 1")
    return int((Decimal(total) * share).to_integral_value(rounding=ROUND_FLOOR))


def max_discount(totals: Sequence[int], share: Decimal, rate: int) -> int:
    """The most that points may pay of these orders together, in whole-point units."""
    unit = fen_unit(rate)
    return sum(cap_of(total, share) // unit * unit for total in totals)


def split_discount(discount: int, totals: Sequence[int], share: Decimal, rate: int) -> list[int]:
    """Split a points discount over orders in proportion to their totals, in whole-point units,
    never above any order's cap: floors of the proportional parts first, then one unit at a time
    to the largest remainders among the orders with room left (ties to the earlier order).

    Raises ValueError if the discount is not whole points or exceeds :func:`max_discount`.
    """
    if not totals or any(total <= 0 for total in totals):
        raise ValueError("orders have positive totals")
    unit = fen_unit(rate)
    if discount < 0 or discount % unit:
        raise ValueError("the discount must be worth a whole number of points")
    if discount > max_discount(totals, share, rate):
        raise ValueError("points pay at most the allowed share of each order")
    units = discount // unit
    caps = [cap_of(total, share) // unit for total in totals]
    whole = sum(totals)
    parts = [min(units * total // whole, cap) for total, cap in zip(totals, caps, strict=True)]
    short = units - sum(parts)
    order = sorted(range(len(totals)), key=lambda i: (-(units * totals[i] % whole), i))
    while short:
        for i in order:
            if short and parts[i] < caps[i]:
                parts[i] += 1
                short -= 1
    result = [part * unit for part in parts]
    assert sum(result) == discount
    return result


def pro_rata(whole: int, done: int, of: int) -> int:
    """The part of ``whole`` that ``done`` out of ``of`` stands for, rounded down.

    Used cumulatively (the total so far, not each step), so the parts of successive refunds sum
    to exactly ``whole`` once ``done`` reaches ``of``, whatever the steps were.
    """
    if of <= 0:
        return 0
    if not 0 <= done <= of:
        raise ValueError("done is between 0 and of")
    return whole * done // of


def add_months(moment: datetime, months: int) -> datetime:
    """``moment`` plus calendar months; the day is clamped to the month's last (Jan 31 + 1 month
    is Feb 28 or 29), the time of day kept."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)
