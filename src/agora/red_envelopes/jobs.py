"""The envelope deadline: an envelope still open when ``expires_at`` passes gives what is left
back to its sender. Idempotent (a guarded UPDATE), and the scheduler fires each deadline once."""

from __future__ import annotations

import uuid

from agora.core.jobs import registry
from agora.core.uow import UnitOfWork
from agora.red_envelopes.envelopes import EXPIRY, expire_envelope


@registry.on_deadline(EXPIRY)
def envelope_expiry(uow: UnitOfWork, envelope_id: uuid.UUID) -> None:
    expire_envelope(uow, envelope_id)
