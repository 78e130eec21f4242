"""The team deadline: a team still open when ``expires_at`` passes fails and is refunded.

The handler is idempotent (its guarded UPDATE does nothing the second time), and the scheduler
fires each deadline in the transaction that marks it fired, so it runs once however many
workers sweep.
"""

from __future__ import annotations

import uuid

from agora.core.jobs import registry
from agora.core.uow import UnitOfWork
from agora.groupbuy.teams import TEAM_EXPIRY, expire_team


@registry.on_deadline(TEAM_EXPIRY)
def team_expiry(uow: UnitOfWork, team_id: uuid.UUID) -> None:
    expire_team(uow, team_id)
