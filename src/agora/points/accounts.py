"""The ledger accounts of points (currency ``PTS``, one point = one unit) and the platform's
CNY account that pays for the discounts points give.

Where points come from and go: ``points_issued`` (unbounded, it goes negative as points come
into being) → a user's ``points_pending`` → their ``points`` (active) → ``points_redeemed`` or
``points_expired``. Platform accounts are sharded (by order, or by user for expiries) so no row
is hot; every movement of one order stays on one shard.
"""

from __future__ import annotations

import uuid

from agora import ledger

PTS = "PTS"


def _platform(
    kind: str, shard_key: uuid.UUID, *, currency: str, bounded: bool
) -> ledger.AccountRef:
    return ledger.AccountRef(
        "platform",
        ledger.PLATFORM,
        kind,
        currency=currency,
        shard=ledger.shard_of(shard_key),
        lower_bound=0 if bounded else None,
    )


def active_of(user_id: uuid.UUID) -> ledger.AccountRef:
    """A user's active points: redeemable, never below zero."""
    return ledger.AccountRef("user", user_id, "points", currency=PTS)


def pending_of(user_id: uuid.UUID) -> ledger.AccountRef:
    """Points earned on orders that have not completed yet."""
    return ledger.AccountRef("user", user_id, "points_pending", currency=PTS)


def issued_of(shard_key: uuid.UUID) -> ledger.AccountRef:
    """Where points come into being (and go back to when an order's earning is reversed)."""
    return _platform("points_issued", shard_key, currency=PTS, bounded=False)


def redeemed_of(order_id: uuid.UUID) -> ledger.AccountRef:
    """Points spent on an order; a refund takes them back out of the same shard."""
    return _platform("points_redeemed", order_id, currency=PTS, bounded=True)


def expired_of(user_id: uuid.UUID) -> ledger.AccountRef:
    return _platform("points_expired", user_id, currency=PTS, bounded=True)


def funding_of(order_id: uuid.UUID) -> ledger.AccountRef:
    """The platform's CNY that stands behind redeemed points: it pays the order's escrow the
    discount (so the merchant is settled on the full total) and takes it back on refunds.
    Unbounded: its negative balance is what points have cost the platform."""
    return _platform("points_funding", order_id, currency="CNY", bounded=False)
