"""Ledger errors."""

from __future__ import annotations

from agora.core.errors import N_, Conflict


class InsufficientFunds(Conflict):
    code = "insufficient_funds"
    title = N_("There is not enough money in the account.")
