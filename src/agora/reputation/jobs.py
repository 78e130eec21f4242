"""The reputation job: every quarter of an hour, recount every store's figures.

A run is a handful of GROUP BY statements over the window's rows and one upsert, whatever the
number of stores; a missed run only leaves the figures a little older (``computed_at`` says so).
"""

from __future__ import annotations

from datetime import timedelta

from agora.core.jobs import registry
from agora.core.uow import UnitOfWork
from agora.reputation.service import recompute_reputation

RECOMPUTE = "store_reputation"
EVERY = timedelta(minutes=15)


@registry.every(RECOMPUTE, EVERY)
def store_reputation_job(uow: UnitOfWork) -> None:
    recompute_reputation(uow)
