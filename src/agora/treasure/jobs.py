"""The accrual job: every quarter of an hour, pay the published days that are over.

Running often costs nothing (no due day, one query) and pays a day soon after midnight, or soon
after a late rate is published.
"""

from __future__ import annotations

from datetime import timedelta

from agora.core.jobs import registry
from agora.core.uow import UnitOfWork
from agora.treasure.rates import accrue_due

ACCRUAL = "treasure_accrual"


@registry.every(ACCRUAL, timedelta(minutes=15))
def treasure_accrual(uow: UnitOfWork) -> None:
    accrue_due(uow)
