"""The expiry sweep: every quarter of an hour, lots past their date give up what is left.

Redemption already ignores expired lots, so the sweep only has to catch the ledger up; running
often keeps each run's batch small.
"""

from __future__ import annotations

from datetime import timedelta

from agora.core.jobs import registry
from agora.core.uow import UnitOfWork
from agora.points.lots import expire_due

EXPIRY_SWEEP = "points_expiry"


@registry.every(EXPIRY_SWEEP, timedelta(minutes=15))
def points_expiry(uow: UnitOfWork) -> None:
    expire_due(uow)
