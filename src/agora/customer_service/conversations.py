"""Store conversations: a shopper contacts a store; the store's staff share its inbox.

The conversation itself is chat's (``chat.open_store_conversation``): same seq numbers, sending,
history, resume and recall as any chat. This context decides who is who — the store's staff from
``store_staff`` — and puts the store's staff in each conversation.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from agora import catalog, chat
from agora.core.errors import N_, InvalidInput
from agora.core.uow import UnitOfWork
from agora.customer_service.access import (
    StoreChatAccess,
    access_inbox,
    access_store_chat,
    is_staff,
    staff_ids,
)
from agora.customer_service.errors import OwnStore
from agora.identity import Principal


@dataclass(frozen=True, slots=True)
class InboxPage:
    store: catalog.Store
    items: list[chat.StoreConversationView]
    next_cursor: str | None
    unread_total: int


def open_store_chat(
    uow: UnitOfWork, *, actor: Principal, store_id: uuid.UUID
) -> chat.ConversationView:
    """The actor's conversation with an active store, created on first use and the same one
    every time after ("Contact store").

    Raises catalog.StoreNotFound (no such store, or not open), OwnStore (the actor is its staff).
    """
    with uow:
        session = uow.session
        store = session.get(catalog.Store, store_id)
        if store is None or store.status != "active":
            raise catalog.StoreNotFound()
        if is_staff(session, store_id, actor.user_id):
            raise OwnStore()
        return chat.open_store_conversation(
            uow, shopper=actor, store_id=store_id, staff_ids=staff_ids(session, store_id)
        )


def store_inbox(
    uow: UnitOfWork,
    *,
    actor: Principal,
    store_id: uuid.UUID,
    cursor: str | None = None,
    limit: int = 50,
) -> InboxPage:
    """The store's conversations for its staff, newest activity first, with the store's unread
    count each and in all. The store has read a conversation as far as any of its staff has.

    Raises catalog.StoreNotFound (not staff of the store), InvalidInput (a malformed cursor).
    """
    before = _decode(cursor) if cursor else None
    with uow.read() as session:
        store = access_inbox(session, actor, store_id)
    # Staff who joined the store after a conversation began join it now (writes only then).
    chat.join_store_staff(uow, store_id=store_id, user_id=actor.user_id)
    with uow.snapshot():
        items = chat.store_inbox(uow, store_id=store_id, before=before, limit=limit + 1)
        total = chat.store_unread_total(uow, store_ids=[store_id])
    more = len(items) > limit
    items = items[:limit]
    next_cursor = _encode(items[-1].last_activity_at, items[-1].id) if more and items else None
    return InboxPage(store=store, items=items, next_cursor=next_cursor, unread_total=total)


def staff_conversation(
    uow: UnitOfWork, *, actor: Principal, conversation_id: uuid.UUID
) -> tuple[chat.ConversationView, StoreChatAccess]:
    """A store conversation as the store's staff member sees it (they join it first if they
    came to the store after it began).

    Raises chat.ConversationNotFound (not staff of its store, or not a store conversation).
    """
    with uow.read() as session:
        access = access_store_chat(session, actor, conversation_id)
    if not access.as_staff:
        raise chat.ConversationNotFound()
    chat.join_store_staff(uow, store_id=access.store_id, user_id=actor.user_id)
    return chat.get_conversation(uow, actor=actor, conversation_id=conversation_id), access


def store_chat_access(
    uow: UnitOfWork, *, actor: Principal, conversation_id: uuid.UUID
) -> StoreChatAccess:
    """Who the actor is in a store conversation (shopper or staff).

    Raises chat.ConversationNotFound.
    """
    with uow.read() as session:
        return access_store_chat(session, actor, conversation_id)


def inbox_unread(uow: UnitOfWork, *, actor: Principal) -> int:
    """What the actor's stores have not read in all their conversations (the inbox badge)."""
    with uow.read() as session:
        stores = list(
            session.scalars(
                select(catalog.StoreStaff.store_id).where(
                    catalog.StoreStaff.user_id == actor.user_id
                )
            )
        )
    return chat.store_unread_total(uow, store_ids=stores)


def _encode(at: datetime, conversation_id: uuid.UUID) -> str:
    raw = f"{at.isoformat()}|{conversation_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        at, conversation_id = raw.split("|")
        parsed = datetime.fromisoformat(at)
        if parsed.tzinfo is None:
            raise ValueError("naive")
        return parsed, uuid.UUID(conversation_id)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise InvalidInput(
            N_("This page link is not valid."), errors=[{"field": "cursor"}]
        ) from exc
