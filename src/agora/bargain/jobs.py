"""The campaign's deadline: when its window closes, an open or reached campaign expires.
Idempotent: the guarded UPDATE does nothing the second time, or to a bought campaign."""

from __future__ import annotations

import uuid

from agora.bargain.campaigns import EXPIRY, expire_bargain
from agora.core.jobs import registry
from agora.core.uow import UnitOfWork


@registry.on_deadline(EXPIRY)
def bargain_expiry(uow: UnitOfWork, bargain_id: uuid.UUID) -> None:
    expire_bargain(uow, bargain_id)
