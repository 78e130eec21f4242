"""Pure treasure rules: when a deposit starts earning, what a day's rate pays, the 7-day yield."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, localcontext

RATE_SCALE = 10**8
"""``per_10k`` is in units of ¥0.0001 per ¥10,000 a day: income = balance × per_10k / 10^8."""

MAX_PER_10K = 50_000
"""¥5.0000 per ¥10,000 a day (about 18% a year): anything above is a typing mistake."""

MAX_AMOUNT = 10**12
"""No deposit or redemption is above ¥10 billion (keeps every product well inside 64 bits)."""


def confirm_on(at_local: datetime, *, cutoff_hour: int) -> date:
    """The first day a deposit made at ``at_local`` (business-zone time) earns income.

    Money in before the cut-off is confirmed the next day; at or after it, the day after. Weekends
    and holidays are not special.
    """
    days = 1 if at_local.hour < cutoff_hour else 2
    return at_local.date() + timedelta(days=days)


def income(confirmed: int, per_10k: int) -> int:
    """One user's income for a day in fen, rounded down (exact integer arithmetic)."""
    return confirmed * per_10k // RATE_SCALE


@dataclass(frozen=True, slots=True)
class DayIncome:
    declared: int
    """floor(Σ confirmed × per_10k / 10^8): what the fund declares for the day."""
    paid: dict[uuid.UUID, int]
    """Income per holder (only those with a non-zero income)."""
    residue: int
    """declared − Σ paid: never negative, less than one fen per holder."""


def day_income(confirmed: Iterable[tuple[uuid.UUID, int]], per_10k: int) -> DayIncome:
    """Split a day's income among holders: each rounded down, the residue kept apart."""
    total = 0
    paid: dict[uuid.UUID, int] = {}
    for holder, amount in confirmed:
        total += amount
        share = income(amount, per_10k)
        if share:
            paid[holder] = share
    declared = income(total, per_10k)
    return DayIncome(declared=declared, paid=paid, residue=declared - sum(paid.values()))


def annualised_yield(rates: Sequence[int]) -> str | None:
    """The annualised yield of the given daily rates, compounded:
    (Π (1 + per_10k / 10^8)) ^ (365 / n) − 1, as a percentage with two decimals ("1.68")."""
    if not rates:
        return None
    with localcontext() as ctx:
        ctx.prec = 40
        growth = Decimal(1)
        for rate in rates:
            growth *= 1 + Decimal(rate) / RATE_SCALE
        annual = growth ** (Decimal(365) / len(rates)) - 1
        percent = (annual * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{percent:.2f}"


def per_10k_text(per_10k: int) -> str:
    """``4560`` → ``"0.4560"`` (yuan per ¥10,000 a day)."""
    return f"{Decimal(per_10k) / 10_000:.4f}"
