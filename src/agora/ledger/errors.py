"""Ledger errors."""

from __future__ import annotations

from agora.core.errors import Conflict


class InsufficientFunds(Conflict):
    code = "insufficient_funds"
    title = "There is not enough money in the account."
