"""Who may act in a store conversation: its shopper, and the staff of its store (as the store).

Staff are told by ``store_staff`` at every step, not by their chat membership alone; anyone else
gets the not-found a stranger gets for any conversation, so an id reveals nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from agora import catalog, chat
from agora.identity import Principal


@dataclass(frozen=True, slots=True)
class StoreChatAccess:
    conversation_id: uuid.UUID
    store_id: uuid.UUID
    shopper_id: uuid.UUID
    as_staff: bool


def is_staff(session: Session, store_id: uuid.UUID, user_id: uuid.UUID) -> bool:
    return session.get(catalog.StoreStaff, (store_id, user_id)) is not None


def staff_ids(session: Session, store_id: uuid.UUID) -> list[uuid.UUID]:
    return list(
        session.scalars(
            select(catalog.StoreStaff.user_id)
            .where(catalog.StoreStaff.store_id == store_id)
            .order_by(catalog.StoreStaff.created_at, catalog.StoreStaff.user_id)
        )
    )


def access_store_chat(
    session: Session, actor: Principal, conversation_id: uuid.UUID
) -> StoreChatAccess:
    """The store conversation if the actor is its shopper or staff of its store.

    Raises chat.ConversationNotFound otherwise (also for a conversation that is not a store's).
    """
    parties = chat.store_parties(session, conversation_id)
    if parties is None:
        raise chat.ConversationNotFound()
    if parties.shopper_id == actor.user_id:
        return StoreChatAccess(conversation_id, parties.store_id, parties.shopper_id, False)
    if is_staff(session, parties.store_id, actor.user_id):
        return StoreChatAccess(conversation_id, parties.store_id, parties.shopper_id, True)
    raise chat.ConversationNotFound()


def access_inbox(session: Session, actor: Principal, store_id: uuid.UUID) -> catalog.Store:
    """The store whose inbox the actor shares: its staff only. Operators are not let in —
    customers' conversations are the store's, not the platform's.

    Raises catalog.StoreNotFound.
    """
    store = session.get(catalog.Store, store_id)
    if store is None or not is_staff(session, store_id, actor.user_id):
        raise catalog.StoreNotFound()
    return store
