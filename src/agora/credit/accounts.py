"""The ledger accounts credit names.

``credit_owed`` is a user's debt: unbounded below, its balance is minus what they owe (a
purchase moves ``credit_owed -a → escrow +a``; a repayment moves ``wallet → credit_owed``). The
line's ``used`` always equals minus this balance (:func:`agora.credit.audit` checks it).
``credit_fees`` is the platform's income from instalment fees and late fees, sharded by user.
"""

from __future__ import annotations

import uuid

from agora import ledger


def owed_of(user_id: uuid.UUID) -> ledger.AccountRef:
    """Minus what the user owes on credit (never above zero in practice: see the audit)."""
    return ledger.AccountRef("user", user_id, "credit_owed", lower_bound=None)


def fees_of(user_id: uuid.UUID) -> ledger.AccountRef:
    """Fee and late-fee income from ``user_id``'s line (bounded: it only ever receives)."""
    return ledger.platform_account("credit_fees", shard_key=user_id)
