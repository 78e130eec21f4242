"""Closed-loop credit (PRODUCT.md H): buy now at Agora stores, pay later.

Ordering pays orders with :func:`charge_order` and hands refunds of the credit part to
:func:`order_refunded`; it tells credit about shoppers' orders through
:func:`register_shopping_record`. Credit never becomes cash: it pays orders only.
"""

from agora.credit import repay as _repay
from agora.credit.accounts import fees_of, owed_of
from agora.credit.billing import BILLING_JOB, BillingReport, run_billing
from agora.credit.domain import Evaluation, Factor, Instalment, Quote
from agora.credit.errors import (
    CreditFrozen,
    CreditLimitExceeded,
    CreditLineExists,
    CreditNotEligible,
    CreditNotOpen,
    InvalidMonths,
    NotConvertible,
    NothingToRepay,
    PurchaseNotFound,
    RepaymentTooLarge,
    StatementNotFound,
)
from agora.credit.lines import charge_order, open_line, preview
from agora.credit.models import (
    CreditInstalment,
    CreditLine,
    CreditPlan,
    CreditPurchase,
    CreditRepayment,
    CreditStatement,
)
from agora.credit.plans import convert, quote
from agora.credit.records import ShoppingRecord, register_shopping_record
from agora.credit.refunds import order_refunded
from agora.credit.repay import KINDS, amounts_due, repay
from agora.credit.service import (
    CreditAudit,
    CreditSummary,
    PlanView,
    StatementView,
    access_statement,
    audit,
    list_statements,
    summary,
)

__all__ = [
    "BILLING_JOB",
    "KINDS",
    "BillingReport",
    "CreditAudit",
    "CreditFrozen",
    "CreditInstalment",
    "CreditLimitExceeded",
    "CreditLine",
    "CreditLineExists",
    "CreditNotEligible",
    "CreditNotOpen",
    "CreditPlan",
    "CreditPurchase",
    "CreditRepayment",
    "CreditStatement",
    "CreditSummary",
    "Evaluation",
    "Factor",
    "Instalment",
    "InvalidMonths",
    "NotConvertible",
    "NothingToRepay",
    "PlanView",
    "PurchaseNotFound",
    "Quote",
    "RepaymentTooLarge",
    "ShoppingRecord",
    "StatementNotFound",
    "StatementView",
    "access_statement",
    "amounts_due",
    "audit",
    "charge_order",
    "convert",
    "fees_of",
    "list_statements",
    "open_line",
    "order_refunded",
    "owed_of",
    "preview",
    "quote",
    "register_shopping_record",
    "repay",
    "run_billing",
    "summary",
]

del _repay
