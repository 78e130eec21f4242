"""Deadlines: a bank charge with no answer expires (a late success is still captured)."""

from __future__ import annotations

import uuid

from agora.core.jobs import registry
from agora.core.uow import UnitOfWork
from agora.payments.service import CHARGE_DEADLINE, expire_charge


@registry.on_deadline(CHARGE_DEADLINE)
def charge_expired(uow: UnitOfWork, charge_id: uuid.UUID) -> None:
    expire_charge(uow, charge_id)
