"""A shopper's side of customer service: "Contact store" on the product, store and order pages,
and order cards in the conversation; and what a store conversation's page shows differently
(the store's name on its staff's messages, the order picker, where a card leads).

The conversation page itself is chat's (``web/chat.py``); the store's staff answer in the merchant
console (``web/store_inbox.py``).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from agora import catalog, chat, customer_service
from agora.core.errors import AgoraError
from agora.core.i18n import gettext as _
from agora.core.i18n import lazy_pick
from agora.core.ids import parse_id
from agora.core.uow import UnitOfWork
from agora.http.deps import Actor, Uow, get_uow, optional_actor
from agora.identity import Principal
from agora.web.render import check_csrf, env, redirect

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form(max_length=200)]


@dataclass(frozen=True, slots=True)
class StoreChatParts:
    """What a store conversation's page adds for its reader."""

    names: dict[str, str]  # sender id -> the name the reader sees
    default_name: str  # for senders of live messages not named yet
    orders: list[customer_service.OrderCard]  # the order picker
    order_base: str  # where an order card leads this reader
    action_base: str  # where the page's forms post


def order_texts() -> dict[str, str]:
    """The strings chat.js shows on an order card, in the page's language."""
    return {
        "order": _("Order"),
        "number": _("Order No. %(number)s"),
        "items": _("%(n)s items"),
        "pending_payment": _("Awaiting payment"),
        "paid": _("Paid · to ship"),
        "shipped": _("Shipped"),
        "delivered": _("Delivered"),
        "completed": _("Completed"),
        "cancelled": _("Cancelled"),
        "refunded": _("Refunded"),
    }


def store_chat_parts(
    uow: UnitOfWork,
    actor: Principal,
    view: chat.ConversationView,
    messages: list[chat.MessageView],
) -> StoreChatParts:
    """For the shopper, every message not theirs is the store's; for staff, the shopper by name
    and each colleague as "Store · name" (the store's own view records who answered)."""
    store_name = str(lazy_pick(view.store_name_en or "", view.store_name_zh))
    orders = customer_service.order_choices(uow, actor=actor, conversation_id=view.id)
    senders = {str(m.sender_id) for m in messages}
    if view.my_role != "staff":
        return StoreChatParts(
            names={sender: store_name for sender in senders if sender != str(actor.user_id)},
            default_name=store_name,
            orders=orders,
            order_base="/orders/",
            action_base=f"/chat/{view.id}",
        )
    names = {
        str(m.user_id): m.display_name if m.role != "staff" else f"{store_name} · {m.display_name}"
        for m in view.members
    }
    return StoreChatParts(
        names=names,
        default_name=store_name,
        orders=orders,
        order_base="/merchant/orders/",
        action_base=f"/merchant/inbox/{view.id}",
    )


def inbox_unread(request: Request) -> int:
    """The merchant nav's badge: what the signed-in staff member's stores have not read."""
    actor = optional_actor(request)
    if actor is None:
        return 0
    return customer_service.inbox_unread(get_uow(request), actor=actor)


def order_texts_json() -> str:
    return json.dumps(order_texts(), ensure_ascii=False)


env.globals.update(store_inbox_unread=inbox_unread, order_card_texts=order_texts_json)


@router.post("/stores/{store_id}/contact")
def contact_store(
    request: Request,
    store_id: str,
    actor: Actor,
    uow: Uow,
    csrf_token: Text = "",
    order_id: Text = "",
) -> Response:
    """Open (or reopen) the conversation with the store ("Contact store"); from an order page,
    with that order chosen in the card picker."""
    check_csrf(request, csrf_token)
    parsed = parse_id(store_id)
    if parsed is None:
        raise catalog.StoreNotFound()
    view = customer_service.open_store_chat(uow, actor=actor, store_id=parsed)
    order = parse_id(order_id) if order_id else None
    suffix = f"?order={order}#order-card" if order else "#composer"
    return redirect(request, f"/chat/{view.id}{suffix}")


@router.post("/chat/{conversation_id}/order-cards")
def send_order_card(
    request: Request,
    conversation_id: str,
    actor: Actor,
    uow: Uow,
    csrf_token: Text = "",
    order_id: Text = "",
    client_id: Text = "",
) -> Response:
    check_csrf(request, csrf_token)
    return post_order_card(
        request, uow, actor, conversation_id, order_id, client_id, back="/chat/{id}"
    )


def post_order_card(
    request: Request,
    uow: UnitOfWork,
    actor: Principal,
    conversation_id: str,
    order_id: str,
    client_id: str,
    *,
    back: str,
) -> Response:
    """Send the card and go back to the conversation; a refusal goes back with its message."""
    cid = parse_id(conversation_id)
    if cid is None:
        raise chat.ConversationNotFound()
    url = back.format(id=cid)
    order = parse_id(order_id)
    try:
        if order is None:
            raise customer_service.OrderCardRefused(_("Choose one of the orders."))
        customer_service.send_order_card(
            uow,
            actor=actor,
            conversation_id=cid,
            order_id=order,
            client_id=client_id[:64] or uuid.uuid4().hex,
        )
    except AgoraError as error:
        if isinstance(error, chat.ConversationNotFound):
            raise
        return redirect(
            request, f"{url}#order-card", flash=_(error.detail or error.title), kind="error"
        )
    return redirect(request, f"{url}#composer", flash=_("Order card sent."))
