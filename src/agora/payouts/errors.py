"""Payouts errors, each with a stable code."""

from __future__ import annotations

from agora.core.errors import N_, Conflict, Forbidden, NotFound


class OwnerOnly(Forbidden):
    """Staff who are not the owner see the store but not its money."""

    code = "store_owner_only"
    title = N_("Only the store's owner manages its payouts.")


class PayoutAccountMissing(Conflict):
    code = "payout_account_missing"
    title = N_("Add the bank account for payouts first.")


class PayoutExceedsBalance(Conflict):
    code = "payout_exceeds_balance"
    title = N_("The payout is more than the store's settled balance.")


class PayoutNotFound(NotFound):
    code = "payout_not_found"
    title = N_("This payout does not exist.")
