"""A flash deal's two deadlines: the countdown's end opens it, the duration's end closes it.

Both handlers are idempotent (their guarded UPDATEs do nothing the second time), and the
scheduler fires each deadline in the transaction that marks it fired, so each runs once however
many workers sweep.
"""

from __future__ import annotations

import uuid

from agora.core.jobs import registry
from agora.core.uow import UnitOfWork
from agora.live.flash import FLASH_CLOSES, FLASH_OPENS, expire_deal, open_deal


@registry.on_deadline(FLASH_OPENS)
def flash_opens(uow: UnitOfWork, deal_id: uuid.UUID) -> None:
    open_deal(uow, deal_id)


@registry.on_deadline(FLASH_CLOSES)
def flash_closes(uow: UnitOfWork, deal_id: uuid.UUID) -> None:
    expire_deal(uow, deal_id)
