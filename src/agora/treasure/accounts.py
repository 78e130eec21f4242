"""The ledger accounts of the treasure.

A user's ``treasure`` account holds everything they have in it (confirmed and pending alike).
Income comes out of ``treasure_income`` (unbounded: its negative balance is what the fund has
paid out; sharded by user so the daily batch has no hot row). Each day's payouts are rounded
down to the fen per user; what rounding leaves of the declared total goes to
``treasure_rounding``, so declared income = paid + residue, to the fen.
"""

from __future__ import annotations

import uuid

from agora import ledger


def treasure_of(user_id: uuid.UUID) -> ledger.AccountRef:
    """A user's treasure balance; never below zero."""
    return ledger.AccountRef("user", user_id, "treasure")


def income_of(user_id: uuid.UUID) -> ledger.AccountRef:
    """Where a user's daily income comes from (the fund's side, unbounded)."""
    return ledger.platform_account("treasure_income", shard_key=user_id, bounded=False)


def residue_source() -> ledger.AccountRef:
    """The ``treasure_income`` shard the daily rounding residue is taken from."""
    return ledger.platform_account("treasure_income", bounded=False)


def rounding_account() -> ledger.AccountRef:
    """Declared income that rounding each payout down to the fen left unpaid."""
    return ledger.platform_account("treasure_rounding")
