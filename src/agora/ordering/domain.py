"""Pure ordering rules: the order state machine, commission, and how money is split.

No I/O here: the services enforce the same transitions again with guarded UPDATEs (``WHERE
status IN (...)``) built from :data:`TRANSITIONS`, so the table below is the one source.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from agora.core.money import split_largest_remainder

PENDING_PAYMENT = "pending_payment"
PAID = "paid"
SHIPPED = "shipped"
DELIVERED = "delivered"
COMPLETED = "completed"
CANCELLED = "cancelled"
REFUNDED = "refunded"

STATUSES = (PENDING_PAYMENT, PAID, SHIPPED, DELIVERED, COMPLETED, CANCELLED, REFUNDED)
CLOSED = frozenset({COMPLETED, CANCELLED, REFUNDED})

TRANSITIONS: Mapping[str, frozenset[str]] = {
    PENDING_PAYMENT: frozenset({PAID, CANCELLED}),
    PAID: frozenset({SHIPPED, REFUNDED}),
    SHIPPED: frozenset({DELIVERED, REFUNDED}),
    DELIVERED: frozenset({COMPLETED, REFUNDED}),
    COMPLETED: frozenset(),
    CANCELLED: frozenset(),
    REFUNDED: frozenset(),
}

# Where a refund may start, and which kind it is: before shipment the money goes back at once;
# once the goods left, the buyer asks for a return and the merchant decides.
REFUNDABLE = frozenset({PAID, SHIPPED, DELIVERED})
RETURN_STATUSES = frozenset({SHIPPED, DELIVERED})

PAY_WINDOW = timedelta(minutes=15)
AUTO_CONFIRM_AFTER = timedelta(days=10)

WALLET = "wallet"
POINTS = "points"
TREASURE = "treasure"
CREDIT = "credit"
GATEWAY_PREFIX = "gateway:"


class TransitionRefused(ValueError):
    pass


def sources_into(status: str) -> frozenset[str]:
    """The statuses from which an order may move to ``status`` (the guard of its UPDATE)."""
    return frozenset(src for src, targets in TRANSITIONS.items() if status in targets)


def can_transition(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


def require_transition(current: str, target: str) -> None:
    if not can_transition(current, target):
        raise TransitionRefused(f"an order cannot go from {current} to {target}")


def refund_kind(status: str) -> str:
    """``refund`` (instant, goods never left) or ``return`` (the merchant must accept)."""
    if status == PAID:
        return "refund"
    if status in RETURN_STATUSES:
        return "return"
    raise TransitionRefused(f"an order in {status} cannot be refunded")


def commission_for(gross: int, rate: Decimal) -> int:
    """The platform's commission on ``gross`` fen: ``gross × rate`` rounded half up to a fen.

    Half up (not banker's rounding) is the rule merchants are told; it is the one rounding of the
    settlement flow, and the store gets exactly ``gross - commission``.
    """
    if gross < 0:
        raise ValueError("gross must not be negative")
    if not Decimal(0) <= rate <= Decimal(1):
        raise ValueError("the commission rate is between 0 and 1")
    return int((Decimal(gross) * rate).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def split_over_orders(totals: Sequence[int], amount: int) -> list[int]:
    """Split what one source pays (the bank, credit, the treasure) across orders in proportion
    to their totals (largest remainder); never more than an order's total."""
    if not 0 <= amount <= sum(totals):
        raise ValueError("the part is between 0 and the total")
    if amount == 0:
        return [0] * len(totals)
    parts = split_largest_remainder(amount, list(totals))
    assert all(part <= total for part, total in zip(parts, totals, strict=True))
    return parts


@dataclass(frozen=True, slots=True)
class SourcePaid:
    """What one funding source paid of an order and how much of it was already refunded."""

    source: str
    amount: int
    refunded: int

    @property
    def refundable(self) -> int:
        return self.amount - self.refunded


def _refund_order(paid: SourcePaid) -> tuple[int, str]:
    """Credit first (a refund reduces what is owed before anything else), then banks, then the
    treasure's part and the wallet (both go back to the wallet)."""
    if paid.source == CREDIT:
        return (0, paid.source)
    if paid.source.startswith(GATEWAY_PREFIX):
        return (1, paid.source)
    return (2 if paid.source == TREASURE else 3, paid.source)


def refund_split(amount: int, paid: Sequence[SourcePaid]) -> dict[str, int]:
    """Split a refund across the sources that paid: points pro rata, then money **credit
    first**, then the gateway, then the treasure's part and the wallet.

    The points part follows the refund cumulatively: after it, the points source has given back
    ``points paid × refunded so far ÷ total`` (rounded down), so partial refunds never hand out
    more of the discount than their share and a full refund returns exactly all of it. The bank
    part goes back before the wallet because a card refund can only be made against its charge
    while the wallet can take money back at any time. The parts sum to ``amount`` and no source
    gets back more than it paid. Raises ValueError if ``amount`` exceeds what is refundable.
    """
    if amount <= 0:
        raise ValueError("a refund is a positive amount")
    if amount > sum(p.refundable for p in paid):
        raise ValueError("a refund cannot exceed what was paid and not yet refunded")
    total = sum(p.amount for p in paid)
    refunded_after = sum(p.refunded for p in paid) + amount
    parts: dict[str, int] = {}
    left = amount
    money = [p for p in paid if p.source != POINTS]
    for points in (p for p in paid if p.source == POINTS):
        due = points.amount * refunded_after // total - points.refunded
        # Never more than is left of it, never less than the money sources cannot take.
        take = max(min(due, points.refundable, left), left - sum(m.refundable for m in money), 0)
        if take > 0:
            parts[POINTS] = take
            left -= take
    for source in sorted(money, key=_refund_order):
        take = min(left, source.refundable)
        if take > 0:
            parts[source.source] = take
            left -= take
    assert left == 0 and sum(parts.values()) == amount
    return parts


def resolve_sources(total: int, requested: Sequence[tuple[str, int | None]]) -> dict[str, int]:
    """How much each funding source pays of ``total``: given amounts as asked, and the one source
    without an amount (at most one) takes the rest. Sources with nothing to pay are dropped.

    Raises ValueError unless the parts are non-negative and sum to ``total`` exactly.
    """
    if not requested:
        raise ValueError("choose how to pay")
    names = [name for name, _ in requested]
    if len(set(names)) != len(names):
        raise ValueError("each funding source at most once")
    open_ended = [name for name, amount in requested if amount is None]
    if len(open_ended) > 1:
        raise ValueError("at most one funding source may take the rest")
    fixed = {name: amount for name, amount in requested if amount is not None}
    if any(amount < 0 for amount in fixed.values()):
        raise ValueError("amounts are not negative")
    rest = total - sum(fixed.values())
    if open_ended:
        fixed[open_ended[0]] = rest
        rest = 0
    if rest != 0 or any(amount < 0 for amount in fixed.values()):
        raise ValueError("the amounts must add up to the total")
    return {name: amount for name, amount in fixed.items() if amount > 0}
