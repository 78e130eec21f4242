"""Sharing somewhere: into a chat (a ``share_link`` message), onto moments, or as a bare link.

The share and what carries it are one transaction: a message refused by chat (a block, the rate
limit) leaves no share behind, and a share is never announced without existing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from agora import chat, social
from agora.core.errors import N_, InvalidInput
from agora.core.uow import UnitOfWork
from agora.identity import Principal
from agora.sharing import domain
from agora.sharing.chat_kind import SHARE_LINK
from agora.sharing.service import ShareView, create_share
from agora.sharing.targets import PRODUCT, card_of

_CONVERSATION_KIND = {domain.CHAT_DIRECT: "direct", domain.CHAT_GROUP: "group"}


@dataclass(frozen=True, slots=True)
class Shared:
    share: ShareView
    created: bool
    message: chat.MessageView | None = None
    """The ``share_link`` message, when shared into a conversation."""
    moment: social.MomentView | None = None
    """The moment posted, when shared to moments (not again for a repeated share)."""


def share_to(
    uow: UnitOfWork,
    *,
    actor: Principal,
    target_type: str,
    target_id: uuid.UUID,
    channel: str,
    conversation_id: uuid.UUID | None = None,
    text: str = "",
) -> Shared:
    """Share a target on a channel. Into a conversation (one of the actor's, of the channel's
    kind) a ``share_link`` message goes, followed by ``text`` if any; on ``moments`` a moment
    with ``text`` and the card is posted; ``external`` and ``partner`` just make the link.

    Raises InvalidInput (channel and conversation disagree), ConversationNotFound (not the
    actor's), TargetNotFound, and what chat or social refuse (blocks, rate limit, text length).
    """
    if channel in domain.CHAT_CHANNELS and conversation_id is None:
        raise InvalidInput(
            N_("Choose the conversation to share into."),
            errors=[{"field": "conversation_id", "message": "required for chat channels"}],
        )
    if conversation_id is not None and channel not in domain.CHAT_CHANNELS:
        raise InvalidInput(
            N_("Only a chat share goes into a conversation."),
            errors=[{"field": "channel", "message": "chat_direct or chat_group"}],
        )
    with uow:
        if conversation_id is not None:
            conversation = chat.get_conversation(uow, actor=actor, conversation_id=conversation_id)
            if conversation.kind != _CONVERSATION_KIND[channel]:
                raise InvalidInput(
                    N_("This conversation is not of the chosen kind."),
                    errors=[{"field": "channel", "message": f"not a {conversation.kind} chat"}],
                )
        new = create_share(
            uow,
            actor=actor,
            target_type=target_type,
            target_id=target_id,
            channel=channel,
            conversation_id=conversation_id,
        )
        code = new.share.code
        if conversation_id is not None:
            # Client ids derived from the code: a repeated share re-sends nothing.
            message = chat.send_message(
                uow,
                actor=actor,
                conversation_id=conversation_id,
                kind=SHARE_LINK,
                body={"code": code},
                client_id=f"share:{code}",
            )
            if text.strip():
                chat.send_message(
                    uow,
                    actor=actor,
                    conversation_id=conversation_id,
                    kind="text",
                    body={"text": text},
                    client_id=f"share:{code}:text",
                )
            return Shared(new.share, new.created, message=message)
        if channel == domain.MOMENTS and new.created:
            moment = social.post_moment(
                uow,
                actor=actor,
                text=text,
                product_ids=_card_products(uow, target_type, target_id),
                share_code=code,
            )
            return Shared(new.share, new.created, moment=moment)
        return Shared(new.share, new.created)


def share_with_friend(
    uow: UnitOfWork,
    *,
    actor: Principal,
    friend_id: uuid.UUID,
    target_type: str,
    target_id: uuid.UUID,
    text: str = "",
) -> Shared:
    """Share into the direct conversation with a friend, opening it if need be.
    Raises what ``chat.direct_conversation`` refuses (not friends, blocked)."""
    with uow:
        conversation = chat.direct_conversation(uow, actor=actor, other_user_id=friend_id)
        return share_to(
            uow,
            actor=actor,
            target_type=target_type,
            target_id=target_id,
            channel=domain.CHAT_DIRECT,
            conversation_id=conversation.id,
            text=text,
        )


def _card_products(uow: UnitOfWork, target_type: str, target_id: uuid.UUID) -> list[uuid.UUID]:
    """The product a moment shows as the card of what was shared (linked through the share)."""
    if target_type == PRODUCT:
        return [target_id]
    product_id = card_of(uow.session, target_type, target_id).product_id
    return [product_id] if product_id is not None else []
