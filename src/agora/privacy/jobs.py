"""Scheduled work of privacy: building a requested export, freeing expired archives."""

from __future__ import annotations

import uuid
from datetime import timedelta

from agora.core.jobs import registry
from agora.core.uow import UnitOfWork
from agora.privacy.exports import EXPORT_DUE, build_export, drop_expired_archives

EXPIRY_SWEEP = "privacy.expire_exports"


@registry.on_deadline(EXPORT_DUE)
def build_requested_export(uow: UnitOfWork, export_id: uuid.UUID) -> None:
    build_export(uow, export_id)


@registry.every(EXPIRY_SWEEP, timedelta(hours=1))
def expire_exports(uow: UnitOfWork) -> None:
    drop_expired_archives(uow)
