"""The ledger accounts that payments names (ordering uses the same helpers)."""

from __future__ import annotations

import uuid

from agora import ledger


def wallet_of(user_id: uuid.UUID) -> ledger.AccountRef:
    """A user's wallet; never below zero."""
    return ledger.AccountRef("user", user_id, "wallet")


def store_settlement_of(store_id: uuid.UUID) -> ledger.AccountRef:
    return ledger.AccountRef("store", store_id, "settlement")


def store_freight_of(store_id: uuid.UUID) -> ledger.AccountRef:
    """What the store owes for the carriers' labels it bought: below zero while it owes, and
    its settlements pay it off first (unbounded: a label is bought before the sale settles)."""
    return ledger.AccountRef("store", store_id, "freight", lower_bound=None)


def carrier_clearing_of(carrier: str) -> ledger.AccountRef:
    """Mirrors what the platform owes a carrier for the labels bought through it."""
    return ledger.platform_account(f"carrier:{carrier}", bounded=False)


def escrow_of(order_id: uuid.UUID) -> ledger.AccountRef:
    """Platform escrow, sharded by order so that no single row is hot."""
    return ledger.platform_account("escrow", shard_key=order_id)


def commission_of(order_id: uuid.UUID) -> ledger.AccountRef:
    return ledger.platform_account("commission", shard_key=order_id)


def gateway_clearing_of(gateway: str, ref: uuid.UUID) -> ledger.AccountRef:
    """Mirrors money at the bank: unbounded, it goes negative as money comes in from outside."""
    return ledger.platform_account(f"gateway:{gateway}", shard_key=ref, bounded=False)


def withdrawals_of(withdrawal_id: uuid.UUID) -> ledger.AccountRef:
    """Withdrawals in flight: left the wallet, not yet confirmed paid out by the bank."""
    return ledger.platform_account("withdrawals", shard_key=withdrawal_id)
