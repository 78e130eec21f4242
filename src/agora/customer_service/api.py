"""Customer service endpoints: open a conversation with a store, the store's inbox, order cards.

Reading and writing a store conversation is chat's API (``/api/v1/conversations/{id}/...``) and
the socket, for the shopper and for the store's staff alike.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query, status

from agora import chat, customer_service
from agora.catalog.schemas import MoneyOut
from agora.chat.schemas import ConversationOut, MessageOut, conversation_out, message_out
from agora.customer_service.schemas import (
    InboxItemOut,
    InboxOut,
    OpenStoreChatIn,
    OrderCardIn,
    OrderChoiceOut,
    ShopperOut,
)
from agora.http.deps import Actor, Uow
from agora.http.openapi import also
from agora.http.routing import Router

router = Router(prefix="/api/v1", tags=["customer service"])


@router.post("/store-chats", response_model=ConversationOut, responses=also(404, 422))
def open_store_chat(body: OpenStoreChatIn, actor: Actor, uow: Uow) -> ConversationOut:
    """My conversation with a store ("Contact store"): created on first use, the same after."""
    view = customer_service.open_store_chat(uow, actor=actor, store_id=body.store_id)
    return conversation_out(view, actor.user_id)


@router.get("/store-chats/{conversation_id}", response_model=ConversationOut, responses=also(404))
def store_chat(conversation_id: uuid.UUID, actor: Actor, uow: Uow) -> ConversationOut:
    """A store conversation, for its shopper or for staff of its store."""
    access = customer_service.store_chat_access(uow, actor=actor, conversation_id=conversation_id)
    if access.as_staff:
        view, _ = customer_service.staff_conversation(
            uow, actor=actor, conversation_id=conversation_id
        )
    else:
        view = chat.get_conversation(uow, actor=actor, conversation_id=conversation_id)
    return conversation_out(view, actor.user_id)


@router.get(
    "/store-chats/{conversation_id}/orders",
    response_model=list[OrderChoiceOut],
    responses=also(404),
)
def order_choices(conversation_id: uuid.UUID, actor: Actor, uow: Uow) -> list[OrderChoiceOut]:
    """The shopper's latest orders with the store (at most 20, newest first), for an order card."""
    cards = customer_service.order_choices(uow, actor=actor, conversation_id=conversation_id)
    return [
        OrderChoiceOut(
            order_id=c.order_id,
            number=c.number,
            short_id=c.short_id,
            title_en=c.title_en,
            title_zh=c.title_zh,
            image_url=c.image_url,
            item_count=c.item_count,
            total=MoneyOut(amount=c.total, currency=c.currency),
            status=c.status,
            created_at=c.created_at,
        )
        for c in cards
    ]


@router.post(
    "/store-chats/{conversation_id}/order-cards",
    status_code=status.HTTP_201_CREATED,
    response_model=MessageOut,
    responses=also(404, 422, 429),
)
def send_order_card(
    conversation_id: uuid.UUID, body: OrderCardIn, actor: Actor, uow: Uow
) -> MessageOut:
    """Send a card of one of the shopper's orders with the store (kind ``order_card``). An order
    that is not between them is 404 and nothing is sent."""
    view = customer_service.send_order_card(
        uow,
        actor=actor,
        conversation_id=conversation_id,
        order_id=body.order_id,
        client_id=body.client_id,
    )
    return message_out(view)


@router.get("/store-inbox/{store_id}", response_model=InboxOut, responses=also(404, 422))
def store_inbox(
    store_id: uuid.UUID,
    actor: Actor,
    uow: Uow,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> InboxOut:
    """The store's conversations (its staff only), newest activity first, with the store's
    unread count each and in all."""
    page = customer_service.store_inbox(
        uow, actor=actor, store_id=store_id, cursor=cursor, limit=limit
    )
    return InboxOut(
        store_id=page.store.id,
        unread_total=page.unread_total,
        items=[
            InboxItemOut(
                conversation_id=item.id,
                shopper=ShopperOut(user_id=item.shopper_id, display_name=item.shopper_name),
                last_seq=item.last_seq,
                unread=item.unread,
                last_message=message_out(item.last_message) if item.last_message else None,
                last_activity_at=item.last_activity_at,
            )
            for item in page.items
        ],
        next_cursor=page.next_cursor,
    )
