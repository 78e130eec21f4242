"""Pure credit rules: the score and its explanation, limit bands, statement dates, minimums,
late fees, instalment schedules and their APR, and how a payment is spread over debts.

No I/O. Money is integer fen; rates are ``Decimal``; every rounding is named at its function.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal, localcontext

from agora.core.errors import N_

# --- score and limit ----------------------------------------------------------------------

SCORE_BASE = 420
SCORE_MIN = 350
SCORE_MAX = 950
AGE_FULL_DAYS = 365
AGE_POINTS = 150
ORDER_POINTS = 10
ORDERS_CAP = 150
SPEND_FEN_PER_POINT = 2_000
SPEND_CAP = 150
ON_TIME_POINTS = 20
ON_TIME_CAP = 100
LATE_POINTS = -60

LIMIT_BANDS: tuple[tuple[int, int], ...] = (
    (800, 2_000_000),
    (700, 1_000_000),
    (650, 500_000),
    (600, 200_000),
    (550, 100_000),
    (500, 50_000),
)
"""(lowest score, limit in fen), best first; below 500 there is no line."""


@dataclass(frozen=True, slots=True)
class Factor:
    name: str
    value: int
    points: int
    explanation: str
    """An English msgid with ``{value}``/``{points}`` placeholders, translated when shown."""


@dataclass(frozen=True, slots=True)
class Evaluation:
    score: int
    factors: tuple[Factor, ...]
    limit: int
    """Fen; 0 when not eligible."""

    @property
    def eligible(self) -> bool:
        return self.limit > 0


def limit_for(score: int) -> int:
    """The credit limit a score earns (fen): the first band whose floor the score reaches."""
    for floor, limit in LIMIT_BANDS:
        if score >= floor:
            return limit
    return 0


def evaluate(
    *, account_age_days: int, completed_orders: int, spent: int, on_time: int, late: int
) -> Evaluation:
    """The score (350–950) from what the shopper can see: a base of 420, plus up to 150 for the
    account's age (full at a year), 10 per completed order (up to 150), one per ¥20 spent on
    completed orders (up to 150), 20 per statement paid in full by its due date (up to 100),
    minus 60 per statement that went overdue. Each part is a factor with its explanation."""
    if min(account_age_days, completed_orders, spent, on_time, late) < 0:
        raise ValueError("counts are not negative")
    factors = (
        Factor(
            "base",
            0,
            SCORE_BASE,
            N_("Every Agora account starts from {points} points."),
        ),
        Factor(
            "account_age",
            account_age_days,
            min(account_age_days, AGE_FULL_DAYS) * AGE_POINTS // AGE_FULL_DAYS,
            N_("Your account is {value} days old: up to 150 points, full after a year."),
        ),
        Factor(
            "completed_orders",
            completed_orders,
            min(completed_orders * ORDER_POINTS, ORDERS_CAP),
            N_("Completed orders: {value}. 10 points each, up to 150."),
        ),
        Factor(
            "spending",
            spent,
            min(spent // SPEND_FEN_PER_POINT, SPEND_CAP),
            N_("Spent on completed orders: one point per ¥20, up to 150."),
        ),
        Factor(
            "on_time_repayments",
            on_time,
            min(on_time * ON_TIME_POINTS, ON_TIME_CAP),
            N_("Statements repaid in full by the due date: {value}. 20 points each, up to 100."),
        ),
        Factor(
            "late_repayments",
            late,
            late * LATE_POINTS,
            N_("Statements paid late: {value}. Minus 60 points each."),
        ),
    )
    score = max(SCORE_MIN, min(SCORE_MAX, sum(factor.points for factor in factors)))
    return Evaluation(score=score, factors=factors, limit=limit_for(score))


def new_limit(band_limit: int, used: int) -> int:
    """A re-evaluated limit never falls below what is already owed (the shopper is never
    suddenly over their limit; they just have nothing available until they repay)."""
    return max(band_limit, used)


# --- dates --------------------------------------------------------------------------------


def _on_day(year: int, month: int, day: int) -> date:
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def add_months(day: date, months: int) -> date:
    """The same day of the month ``months`` later (clamped to the month's last day)."""
    index = day.year * 12 + day.month - 1 + months
    return _on_day(index // 12, index % 12 + 1, day.day)


def latest_statement_day(today: date, statement_day: int) -> date:
    """The most recent statement day on or before ``today``."""
    this_month = _on_day(today.year, today.month, statement_day)
    return this_month if this_month <= today else add_months(this_month, -1)


def due_date(statement_day: date, due_day: int) -> date:
    """The first ``due_day`` of a month after the statement day."""
    candidate = _on_day(statement_day.year, statement_day.month, due_day)
    return candidate if candidate > statement_day else add_months(candidate, 1)


def period_of(statement_day: date) -> tuple[date, date]:
    """The days a statement covers: from the previous statement day up to the day before."""
    return add_months(statement_day, -1), statement_day - timedelta(days=1)


# --- amounts ------------------------------------------------------------------------------


def _round(value: Decimal, rounding: str) -> int:
    return int(value.to_integral_value(rounding=rounding))


def minimum_of(amount: int, share: Decimal) -> int:
    """The minimum repayment of a statement: ``amount × share`` rounded up to the fen."""
    if amount < 0:
        raise ValueError("amounts are not negative")
    return min(amount, _round(Decimal(amount) * share, ROUND_CEILING))


def late_fee(unpaid: int, rate: Decimal) -> int:
    """One day's late fee on ``unpaid`` fen: ``unpaid × rate`` rounded half up."""
    if unpaid < 0:
        raise ValueError("amounts are not negative")
    return _round(Decimal(unpaid) * rate, ROUND_HALF_UP)


def allocate(amount: int, capacities: Sequence[int]) -> tuple[list[int], int]:
    """Pour ``amount`` into debts in order, each up to its capacity. Returns what each took
    and what is left over (the first debt fills first: oldest statement, fees before
    principal, then newer debts)."""
    if amount < 0 or any(cap < 0 for cap in capacities):
        raise ValueError("amounts are not negative")
    taken = []
    left = amount
    for cap in capacities:
        part = min(cap, left)
        taken.append(part)
        left -= part
    return taken, left


# --- instalments --------------------------------------------------------------------------

PLAN_FEE_BP: dict[int, int] = {3: 250, 6: 450, 9: 650, 12: 880}
"""Months → fee on the principal in basis points (2.5 %, 4.5 %, 6.5 %, 8.8 %)."""


@dataclass(frozen=True, slots=True)
class Instalment:
    number: int
    principal: int
    fee: int

    @property
    def total(self) -> int:
        return self.principal + self.fee


def fee_total(principal: int, months: int) -> int:
    """The plan's whole fee: principal × rate, rounded half up to the fen."""
    if months not in PLAN_FEE_BP:
        raise ValueError("instalments run over 3, 6, 9 or 12 months")
    if principal <= 0:
        raise ValueError("the principal is positive")
    return _round(Decimal(principal) * PLAN_FEE_BP[months] / 10_000, ROUND_HALF_UP)


def _even(total: int, parts: int) -> list[int]:
    """``total`` in ``parts`` equal whole fen, the remainder on the first."""
    base, rest = divmod(total, parts)
    return [base + rest] + [base] * (parts - 1)


def schedule(principal: int, months: int) -> list[Instalment]:
    """The plan's instalments: principal and fee each split evenly, remainders on the first."""
    fee = fee_total(principal, months)
    return [
        Instalment(number, p, f)
        for number, (p, f) in enumerate(
            zip(_even(principal, months), _even(fee, months), strict=True), start=1
        )
    ]


def apr_of(principal: int, payments: Sequence[int]) -> Decimal:
    """The annual percentage rate of borrowing ``principal`` against monthly ``payments``:
    the monthly rate that discounts the payments back to the principal (found by bisection),
    times 12, as a percentage rounded half up to one decimal."""
    if principal <= 0 or not payments or sum(payments) < principal:
        raise ValueError("the payments repay at least the principal")
    with localcontext() as ctx:
        ctx.prec = 40

        def present_value(rate: Decimal) -> Decimal:
            factor = Decimal(1) + rate
            return sum(
                (Decimal(amount) / factor**k for k, amount in enumerate(payments, start=1)),
                Decimal(0),
            )

        low, high = Decimal(0), Decimal(1)
        target = Decimal(principal)
        for _ in range(90):
            mid = (low + high) / 2
            if present_value(mid) > target:
                low = mid
            else:
                high = mid
        monthly = (low + high) / 2
        return (monthly * 12 * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Quote:
    principal: int
    months: int
    fee_rate_bp: int
    fee: int
    apr: Decimal
    instalments: tuple[Instalment, ...]


def quote(principal: int, months: int) -> Quote:
    """What converting ``principal`` into ``months`` instalments costs, with its APR."""
    plan = schedule(principal, months)
    return Quote(
        principal=principal,
        months=months,
        fee_rate_bp=PLAN_FEE_BP[months],
        fee=sum(item.fee for item in plan),
        apr=apr_of(principal, [item.total for item in plan]),
        instalments=tuple(plan),
    )


def next_instalment(
    *, principal: int, months: int, billed_count: int, principal_billed: int, prepaid: int
) -> Instalment | None:
    """The instalment a plan bills next, or None when it is finished.

    Prepaid principal (an early repayment or a refund) shortens the tail: each instalment bills
    its scheduled principal while enough remains, and its fee only while principal remains, so
    a plan paid off early charges no further fees."""
    remaining = principal - principal_billed - prepaid
    if billed_count >= months or remaining <= 0:
        return None
    planned = schedule(principal, months)[billed_count]
    return Instalment(planned.number, min(planned.principal, remaining), planned.fee)
