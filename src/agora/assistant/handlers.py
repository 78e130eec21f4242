"""Reactions to privacy's events: a withdrawn chat-assistant consent deletes what it allowed.

Switching off through the assistant's own switch deletes at once (``service.set_enabled``); this
covers every other way the consent is withdrawn (the privacy page, the API), so no inference
outlives the consent whichever page the shopper used. Idempotent: a second run finds nothing.
"""

from __future__ import annotations

import uuid

from agora import privacy
from agora.assistant.service import forget_everything
from agora.core.events import Event, handlers
from agora.core.uow import UnitOfWork


@handlers.on(privacy.CONSENT_CHANGED)
def forget_when_withdrawn(uow: UnitOfWork, event: Event) -> None:
    payload = event.payload
    if payload.get("kind") != privacy.CHAT_ASSISTANT or payload.get("granted") is not False:
        return
    forget_everything(uow, uuid.UUID(str(payload["user_id"])))
