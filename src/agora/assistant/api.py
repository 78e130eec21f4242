"""Assistant endpoints: my panel of a conversation (what was understood, and its cards), removing
one part, forgetting the conversation. The switch is the ``chat_assistant`` consent
(``PUT /api/v1/me/consents/chat_assistant``): withdrawing it deletes every inference.

No endpoint takes a user id: each answers for the signed-in shopper alone, and a conversation
they are not in is not found.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Path
from pydantic import BaseModel, Field

from agora.assistant import service
from agora.assistant.cards import Card
from agora.http.deps import Actor, Uow
from agora.http.openapi import also
from agora.http.routing import Router

router = Router(prefix="/api/v1", tags=["assistant"])
PartKey = Annotated[
    str,
    Path(
        max_length=40,
        pattern=r"^[a-z_]+(:[a-z_]+)?$",
        description="`category`, `colour:red`, `not:black`, `size`, `min_price` or `max_price`.",
    ),
]


class Localized(BaseModel):
    en: str
    zh: str


class PartOut(BaseModel):
    key: str = Field(description="What to DELETE to remove this part.")
    label: Localized


class CardOut(BaseModel):
    product_id: uuid.UUID
    title: Localized
    price: int = Field(description="Fen: the price of the variant shown.")
    image_url: str
    colour: str
    url: str


class AssistantOut(BaseModel):
    conversation_id: uuid.UUID
    enabled: bool = Field(description="Whether I have switched the chat assistant on.")
    parts: list[PartOut]
    cards: list[CardOut]
    usual_max: int | None = Field(
        description="Fen: the cards are capped at what I usually spend in the category."
    )


def _card(card: Card) -> CardOut:
    return CardOut(
        product_id=card.product_id,
        title=Localized(en=card.title_en, zh=card.title_zh or card.title_en),
        price=card.price,
        image_url=card.image_url,
        colour=card.colour,
        url=card.url,
    )


def assistant_out(view: service.AssistantView) -> AssistantOut:
    return AssistantOut(
        conversation_id=view.conversation_id,
        enabled=view.enabled,
        parts=[
            PartOut(key=p.key, label=Localized(en=p.label_en, zh=p.label_zh)) for p in view.parts
        ],
        cards=[_card(card) for card in view.cards],
        usual_max=view.usual_max,
    )


_PANEL = "/conversations/{conversation_id}/assistant"


@router.get(_PANEL, response_model=AssistantOut, responses=also(404))
def my_panel(conversation_id: uuid.UUID, actor: Actor, uow: Uow) -> AssistantOut:
    """What the assistant understood from what I wrote in this conversation, with its cards
    (only I see them); `enabled` false and nothing else while my assistant is off."""
    view = service.assistant_view(uow, actor=actor, conversation_id=conversation_id)
    return assistant_out(view)


@router.delete(_PANEL + "/parts/{part}", response_model=AssistantOut, responses=also(404, 422))
def remove_part(conversation_id: uuid.UUID, part: PartKey, actor: Actor, uow: Uow) -> AssistantOut:
    """Remove one thing the assistant understood; the cards are chosen again without it."""
    view = service.remove_part(uow, actor=actor, conversation_id=conversation_id, part=part)
    return assistant_out(view)


@router.delete(_PANEL, response_model=AssistantOut, responses=also(404))
def forget(conversation_id: uuid.UUID, actor: Actor, uow: Uow) -> AssistantOut:
    """Forget everything understood in this conversation."""
    view = service.forget_conversation(uow, actor=actor, conversation_id=conversation_id)
    return assistant_out(view)
