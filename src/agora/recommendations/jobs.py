"""The retention sweep: every hour, delete behaviour events older than
``behaviour_retention_days`` (one DELETE on the ``occurred_at`` index)."""

from __future__ import annotations

from datetime import timedelta

from agora.core.jobs import registry
from agora.core.uow import UnitOfWork
from agora.recommendations.service import sweep_expired

RETENTION_SWEEP = "behaviour_retention"
EVERY = timedelta(hours=1)


@registry.every(RETENTION_SWEEP, EVERY)
def behaviour_retention_job(uow: UnitOfWork) -> None:
    sweep_expired(uow)
