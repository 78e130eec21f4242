"""Reactions to privacy's own events.

An erased account's events still waiting at the moment of erasure (a chat message sent a moment
before, with its text) are relayed after it; once ``privacy.account_erased`` itself is relayed,
those before it have been too, and the relayed events naming the user are deleted again.
"""

from __future__ import annotations

from agora.core.events import Event, handlers
from agora.core.uow import UnitOfWork
from agora.privacy.erasure import ACCOUNT_ERASED, forget_relayed_events


@handlers.on(ACCOUNT_ERASED)
def forget_events_relayed_since(uow: UnitOfWork, event: Event) -> None:
    forget_relayed_events(uow, str(event.payload["user_id"]), keep=event.id)
