"""Merchant payouts (PRODUCT.md part D): a store's payout account, and payouts of its settled
balance to it through the bank gateway (withdrawals owned by the store, agora.payments)."""

from agora.payouts.domain import FAILED, PAID, REQUESTED
from agora.payouts.errors import (
    OwnerOnly,
    PayoutAccountMissing,
    PayoutExceedsBalance,
    PayoutNotFound,
)
from agora.payouts.models import PayoutAccount
from agora.payouts.service import (
    Account,
    Payout,
    PayoutPage,
    access_owned_store,
    access_payout,
    payout_account,
    request_payout,
    set_payout_account,
    store_payouts,
)

__all__ = [
    "FAILED",
    "PAID",
    "REQUESTED",
    "Account",
    "OwnerOnly",
    "Payout",
    "PayoutAccount",
    "PayoutAccountMissing",
    "PayoutExceedsBalance",
    "PayoutNotFound",
    "PayoutPage",
    "access_owned_store",
    "access_payout",
    "payout_account",
    "request_payout",
    "set_payout_account",
    "store_payouts",
]
