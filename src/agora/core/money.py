"""Money in integer minor units (fen). Decimal only for rates; splits by largest remainder."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal


@dataclass(frozen=True, slots=True)
class Money:
    amount: int
    currency: str = "CNY"

    def __post_init__(self) -> None:
        if not isinstance(self.amount, int) or isinstance(self.amount, bool):
            raise TypeError("money amounts are integers in minor units")

    def as_dict(self) -> dict[str, int | str]:
        return {"amount": self.amount, "currency": self.currency}


_SYMBOLS = {"CNY": "¥", "USD": "$", "EUR": "€"}


def format_amount(amount: int, currency: str = "CNY") -> str:
    """¥12.34 — two decimals, minus sign before the symbol."""
    sign = "-" if amount < 0 else ""
    whole, cents = divmod(abs(amount), 100)
    return f"{sign}{_SYMBOLS.get(currency, currency + ' ')}{whole:,}.{cents:02d}"


def parse_amount(text: str) -> int:
    """Parse a decimal string such as ``"12.3"`` into minor units; over two decimals is an error."""
    value = Decimal(text.strip())
    if value != value.quantize(Decimal("0.01"), rounding=ROUND_DOWN):
        raise ValueError("at most two decimals")
    return int(value * 100)


def split_largest_remainder(total: int, weights: list[int]) -> list[int]:
    """Split ``total`` in proportion to ``weights``: floors, then the largest remainders get 1.

    Ties go to the earlier weight, so the result is deterministic. Parts always sum to ``total``.
    """
    if total < 0:
        raise ValueError("total must not be negative")
    weight_sum = sum(weights)
    if weight_sum <= 0 or any(w < 0 for w in weights):
        raise ValueError("weights must be non-negative with a positive sum")
    floors = [total * w // weight_sum for w in weights]
    remainders = [total * w % weight_sum for w in weights]
    short = total - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
    for i in order[:short]:
        floors[i] += 1
    assert sum(floors) == total
    return floors
