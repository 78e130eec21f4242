"""The double-entry ledger (PRODUCT.md part D): every movement of money is a transfer here."""

from agora.ledger.domain import PLATFORM, SHARDS, AccountRef, Leg, platform_account, shard_of
from agora.ledger.errors import InsufficientFunds
from agora.ledger.models import Account, Entry, Transfer
from agora.ledger.service import (
    LedgerReport,
    StatementLine,
    TransferResult,
    TransferSpec,
    balance,
    balance_for_update,
    balances,
    check,
    statement,
    total_balance,
    transfer,
    transfer_many,
    transfers_with,
)

__all__ = [
    "PLATFORM",
    "SHARDS",
    "Account",
    "AccountRef",
    "Entry",
    "InsufficientFunds",
    "LedgerReport",
    "Leg",
    "StatementLine",
    "Transfer",
    "TransferResult",
    "TransferSpec",
    "balance",
    "balance_for_update",
    "balances",
    "check",
    "platform_account",
    "shard_of",
    "statement",
    "total_balance",
    "transfer",
    "transfer_many",
    "transfers_with",
]
