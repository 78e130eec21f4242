"""Credit errors, each with a stable code."""

from __future__ import annotations

from agora.core.errors import N_, AgoraError, Conflict, NotFound


class CreditNotOpen(Conflict):
    code = "credit_not_open"
    title = N_("You have no credit line yet. Open one on the credit page first.")


class CreditFrozen(Conflict):
    code = "credit_frozen"
    title = N_("Your credit line is frozen until the overdue statement is repaid.")


class CreditLimitExceeded(Conflict):
    code = "credit_limit_exceeded"
    title = N_("This is more than the credit you have available.")


class CreditNotEligible(Conflict):
    code = "credit_not_eligible"
    title = N_("Your credit score is not high enough for a credit line yet.")


class CreditLineExists(Conflict):
    code = "credit_line_exists"
    title = N_("You already have a credit line.")


class RepaymentTooLarge(Conflict):
    code = "credit_repayment_too_large"
    title = N_("This is more than you owe.")


class NothingToRepay(Conflict):
    code = "credit_nothing_to_repay"
    title = N_("There is nothing to repay.")


class StatementNotFound(NotFound):
    code = "credit_statement_not_found"
    title = N_("This statement does not exist.")


class PurchaseNotFound(NotFound):
    code = "credit_purchase_not_found"
    title = N_("This credit purchase does not exist.")


class NotConvertible(Conflict):
    code = "credit_not_convertible"
    title = N_(
        "Only an unpaid statement before its due date, or a purchase not yet on a statement, "
        "can be split into instalments."
    )


class InvalidMonths(AgoraError):
    status = 422
    code = "credit_invalid_months"
    title = N_("Instalments run over 3, 6, 9 or 12 months.")
