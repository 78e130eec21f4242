"""Balance treasure (PRODUCT.md G): a money-market balance beside the wallet. Confirmed money
earns the operator's published daily rate and compounds; deposits confirm after a cut-off;
redemptions to the wallet are instant up to a daily cap; other contexts spend it through the
wallet in their own transaction (:func:`spend_to_wallet`)."""

from agora.treasure import jobs as _jobs
from agora.treasure.accounts import income_of, rounding_account, treasure_of
from agora.treasure.domain import annualised_yield, confirm_on, day_income, per_10k_text
from agora.treasure.errors import (
    TreasureAmountInvalid,
    TreasureDailyCapExceeded,
    TreasureInsufficient,
    TreasureRateAccrued,
    TreasureRateInvalid,
)
from agora.treasure.models import (
    TreasureDeposit,
    TreasureHolding,
    TreasureIncome,
    TreasureRate,
    TreasureRedemptionDay,
)
from agora.treasure.moves import (
    Deposit,
    Redemption,
    check_source,
    deposit,
    redeem,
    spend_to_wallet,
    treasure_balance,
)
from agora.treasure.rates import (
    RateView,
    accrue_day,
    accrue_due,
    due_days,
    list_rates,
    publish_rate,
    seven_day_yield,
)
from agora.treasure.service import (
    DailyIncome,
    PendingView,
    TreasureAudit,
    TreasureSummary,
    audit,
    incomes,
    movements,
    summary,
)

__all__ = [
    "DailyIncome",
    "Deposit",
    "PendingView",
    "RateView",
    "Redemption",
    "TreasureAmountInvalid",
    "TreasureAudit",
    "TreasureDailyCapExceeded",
    "TreasureDeposit",
    "TreasureHolding",
    "TreasureIncome",
    "TreasureInsufficient",
    "TreasureRate",
    "TreasureRateAccrued",
    "TreasureRateInvalid",
    "TreasureRedemptionDay",
    "TreasureSummary",
    "accrue_day",
    "accrue_due",
    "annualised_yield",
    "audit",
    "check_source",
    "confirm_on",
    "day_income",
    "deposit",
    "due_days",
    "income_of",
    "incomes",
    "list_rates",
    "movements",
    "per_10k_text",
    "publish_rate",
    "redeem",
    "rounding_account",
    "seven_day_yield",
    "spend_to_wallet",
    "summary",
    "treasure_balance",
    "treasure_of",
]

del _jobs
