"""The ``share_link`` chat message: a card of a shared target that leads through ``/s/{code}``.

Registered with chat when ``agora.sharing`` is imported. The body names only the code; what is
stored is a snapshot of the target as it was when sent, so the card keeps its look if the
product changes later. Only the share's own sharer may send it (a visit through someone else's
link would otherwise be credited to a share its sharer never sent there).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from agora import chat
from agora.core.errors import N_, InvalidInput
from agora.identity import Principal
from agora.sharing import domain
from agora.sharing.models import Share
from agora.sharing.targets import target_of

SHARE_LINK = "share_link"


def normalize_share_link(
    session: Session, actor: Principal, body: dict[str, Any]
) -> dict[str, Any]:
    code = body.get("code")
    if not isinstance(code, str) or not domain.is_code(code):
        raise InvalidInput(N_("A share link needs its code."), errors=[{"field": "body.code"}])
    share = session.scalar(select(Share).where(Share.code == code))
    if share is None or share.sharer_id != actor.user_id:
        raise InvalidInput(
            N_("You can only send your own share links."), errors=[{"field": "body.code"}]
        )
    card = target_of(share.target_type).cards(session, [share.target_id]).get(share.target_id)
    if card is None:
        raise InvalidInput(N_("What was shared is not available."), errors=[{"field": "body.code"}])
    snapshot: dict[str, Any] = {
        "code": share.code,
        "target_type": share.target_type,
        "target_id": str(share.target_id),
        "title_en": card.title_en,
        "title_zh": card.title_zh,
        "price": card.price,
        "currency": card.currency,
        "image_url": card.image_url,
        "url": f"/s/{share.code}",
    }
    if card.label_en:  # teams and bargains say what they are; a product card needs no label
        snapshot["label_en"] = card.label_en
        snapshot["label_zh"] = card.label_zh
    return snapshot


chat.register_kind(SHARE_LINK, normalize_share_link)
