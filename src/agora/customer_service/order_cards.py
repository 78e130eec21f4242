"""Order cards: a chat message that shows one of the shopper's orders with the store.

The card is a snapshot of the order when it was sent (short id, first item's title and image,
item count, total, status); the page links it to the order for whoever reads it. It is sent only
by :func:`send_order_card`, for an order between that conversation's shopper and store: chat's
kind normalizer knows nothing of the conversation, so it accepts a body only while
``send_order_card`` is posting that very order (marked on the session, as red envelopes do), and
a card forged through the chat API or a socket frame is refused.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from agora import chat, ordering
from agora.core.uow import UnitOfWork
from agora.customer_service.access import access_store_chat
from agora.customer_service.errors import OrderCardRefused
from agora.identity import Principal

ORDER_CARD = "order_card"
CHOICES = 20
_POSTING = "agora.customer_service.posting_order"


@dataclass(frozen=True, slots=True)
class OrderCard:
    """An order as its card shows it."""

    order_id: uuid.UUID
    number: str
    short_id: str
    title_en: str
    title_zh: str | None
    image_url: str
    item_count: int
    total: int
    currency: str
    status: str
    created_at: datetime

    def as_body(self, store_id: uuid.UUID) -> dict[str, Any]:
        return {
            "order_id": str(self.order_id),
            "number": self.number,
            "short_id": self.short_id,
            "store_id": str(store_id),
            "title_en": self.title_en,
            "title_zh": self.title_zh,
            "image_url": self.image_url,
            "item_count": self.item_count,
            "total": self.total,
            "currency": self.currency,
            "status": self.status,
        }


def short_id(order_id: uuid.UUID) -> str:
    """The id's last 8 hex digits (its random part), which cards showed before orders had
    numbers; kept in the body so cards already sent still read as they did."""
    return order_id.hex[-8:].upper()


def _cards(session: Session, orders: list[ordering.Order]) -> list[OrderCard]:
    if not orders:
        return []
    firsts: dict[uuid.UUID, ordering.OrderLine] = {}
    counts: dict[uuid.UUID, int] = {}
    for line in session.scalars(
        select(ordering.OrderLine)
        .where(ordering.OrderLine.order_id.in_([o.id for o in orders]))
        .order_by(ordering.OrderLine.order_id, ordering.OrderLine.position)
    ):
        firsts.setdefault(line.order_id, line)
        counts[line.order_id] = counts.get(line.order_id, 0) + line.quantity
    cards = []
    for order in orders:
        first = firsts.get(order.id)
        cards.append(
            OrderCard(
                order_id=order.id,
                number=order.number,
                short_id=short_id(order.id),
                title_en=first.title_en if first else "",
                title_zh=first.title_zh if first else None,
                image_url=first.image_url if first else "",
                item_count=counts.get(order.id, 0),
                total=order.total,
                currency=order.currency,
                status=order.status,
                created_at=order.created_at,
            )
        )
    return cards


def _between(
    session: Session, shopper_id: uuid.UUID, store_id: uuid.UUID, order_id: uuid.UUID
) -> ordering.Order:
    order = session.get(ordering.Order, order_id)
    if order is None or order.buyer_id != shopper_id or order.store_id != store_id:
        raise ordering.OrderNotFound()
    return order


def order_choices(
    uow: UnitOfWork, *, actor: Principal, conversation_id: uuid.UUID
) -> list[OrderCard]:
    """The picker: the conversation's shopper's latest orders with its store, newest first.

    Raises chat.ConversationNotFound (not its shopper or its store's staff).
    """
    with uow.read() as session:
        access = access_store_chat(session, actor, conversation_id)
        orders = list(
            session.scalars(
                select(ordering.Order)
                .where(
                    ordering.Order.buyer_id == access.shopper_id,
                    ordering.Order.store_id == access.store_id,
                )
                .order_by(ordering.Order.created_at.desc(), ordering.Order.id.desc())
                .limit(CHOICES)
            )
        )
        return _cards(session, orders)


def send_order_card(
    uow: UnitOfWork,
    *,
    actor: Principal,
    conversation_id: uuid.UUID,
    order_id: uuid.UUID,
    client_id: str,
) -> chat.MessageView:
    """Post a card of an order between the conversation's shopper and store, by either side
    (staff post it as the store). A retry with the same ``client_id`` returns the first card.

    Raises chat.ConversationNotFound (not the shopper or the store's staff), ordering.
    OrderNotFound (no such order between them: nothing is sent), and what sending raises.
    """
    with uow.read() as session:
        access = access_store_chat(session, actor, conversation_id)
    if access.as_staff:
        chat.join_store_staff(uow, store_id=access.store_id, user_id=actor.user_id)
    with uow:
        session = uow.session
        _between(session, access.shopper_id, access.store_id, order_id)
        with _posting(session, order_id):
            return chat.send_message(
                uow,
                actor=actor,
                conversation_id=conversation_id,
                kind=ORDER_CARD,
                body={"order_id": str(order_id)},
                client_id=client_id,
            )


@contextmanager
def _posting(session: Session, order_id: uuid.UUID) -> Iterator[None]:
    session.info[_POSTING] = order_id
    try:
        yield
    finally:
        session.info.pop(_POSTING, None)


def normalize_order_card(
    session: Session, actor: Principal, body: dict[str, Any]
) -> dict[str, Any]:
    try:
        order_id = uuid.UUID(str(body.get("order_id", "")))
    except ValueError as exc:
        raise OrderCardRefused(errors=[{"field": "body.order_id"}]) from exc
    if session.info.get(_POSTING) != order_id:
        raise OrderCardRefused(errors=[{"field": "body.order_id"}])
    order = session.get(ordering.Order, order_id)
    if order is None:
        raise OrderCardRefused(errors=[{"field": "body.order_id"}])
    return _cards(session, [order])[0].as_body(order.store_id)


chat.register_kind(ORDER_CARD, normalize_order_card)
