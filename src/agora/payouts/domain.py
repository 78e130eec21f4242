"""Pure payout rules: what a payout account must look like, how its number is shown, and what a
payout's states are called. No I/O here."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from agora.core.errors import N_, InvalidInput
from agora.core.i18n import gettext as _

REQUESTED = "requested"
PAID = "paid"
FAILED = "failed"
# A payout is a withdrawal (agora.payments), whose states are named for the bank's answer; to a
# merchant it is requested, then paid or failed.
_STATUS_OF_WITHDRAWAL = {"pending": REQUESTED, "succeeded": PAID, "failed": FAILED}

MAX_NAME = 80
MIN_DIGITS, MAX_DIGITS = 8, 30
_SEPARATORS = re.compile(r"[\s-]+")


def payout_status(withdrawal_status: str) -> str:
    return _STATUS_OF_WITHDRAWAL.get(withdrawal_status, withdrawal_status)


@dataclass(frozen=True, slots=True)
class AccountFields:
    holder_name: str
    bank_name: str
    account_number: str
    """Digits only: spaces and dashes people type are dropped."""


def check_account(*, holder_name: str, bank_name: str, account_number: str) -> AccountFields:
    """The account as it will be stored. Raises InvalidInput listing every field that is wrong:
    names of 1 to 80 characters, a number of 8 to 30 digits (spaces and dashes allowed)."""
    holder = " ".join(holder_name.split())
    bank = " ".join(bank_name.split())
    digits = _SEPARATORS.sub("", account_number)
    errors: list[dict[str, Any]] = []
    for field, value in (("holder_name", holder), ("bank_name", bank)):
        if not 1 <= len(value) <= MAX_NAME:
            message = _("1 to %(n)s characters") % {"n": MAX_NAME}
            errors.append({"field": field, "message": message})
    if not (digits.isascii() and digits.isdigit() and MIN_DIGITS <= len(digits) <= MAX_DIGITS):
        message = _("%(min)s to %(max)s digits") % {"min": MIN_DIGITS, "max": MAX_DIGITS}
        errors.append({"field": "account_number", "message": message})
    if errors:
        raise InvalidInput(N_("Check the payout account's details."), errors=errors)
    return AccountFields(holder, bank, digits)


def mask(account_number: str) -> str:
    """Only the last four digits are ever shown: ``•••• 6789``."""
    return f"•••• {account_number[-4:]}"
