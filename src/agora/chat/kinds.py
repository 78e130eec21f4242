"""The registry of message kinds: each kind validates a client's body and turns it into what is
stored (a snapshot, so a product card shows what was shared even if the product changes later).

Chat ships ``text`` and ``product_card``; other contexts register theirs at import
(``agora.sharing`` registers ``share_link``). ``system`` is written by the service only.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from agora import catalog
from agora.chat import domain
from agora.chat.errors import UnknownKind
from agora.core.errors import N_, InvalidInput
from agora.identity import Principal

KindNormalizer = Callable[[Session, Principal, dict[str, Any]], dict[str, Any]]

_KINDS: dict[str, KindNormalizer] = {}


def register_kind(kind: str, normalize: KindNormalizer) -> None:
    """Make ``kind`` sendable. ``normalize(session, actor, body)`` validates the client's body and
    returns the stored one; it raises InvalidInput for a body it refuses."""
    if not kind or len(kind) > 32 or kind == domain.SYSTEM:
        raise ValueError(f"invalid message kind {kind!r}")
    _KINDS[kind] = normalize


def registered_kinds() -> list[str]:
    return sorted(_KINDS)


def normalize(
    session: Session, actor: Principal, kind: str, body: dict[str, Any]
) -> dict[str, Any]:
    normalizer = _KINDS.get(kind)
    if normalizer is None:
        raise UnknownKind(errors=[{"field": "kind", "message": f"unknown kind {kind[:32]!r}"}])
    if not isinstance(body, dict):
        raise InvalidInput(N_("The message body must be an object."))
    return normalizer(session, actor, body)


def _text(session: Session, actor: Principal, body: dict[str, Any]) -> dict[str, Any]:
    raw = body.get("text")
    if not isinstance(raw, str):
        raise InvalidInput(N_("A text message needs its text."), errors=[{"field": "body.text"}])
    text = domain.clean_text(raw)
    if not text:
        raise InvalidInput(N_("The message is empty."), errors=[{"field": "body.text"}])
    if len(text) > domain.MAX_TEXT:
        raise InvalidInput(
            N_("A message can have at most 2,000 characters."), errors=[{"field": "body.text"}]
        )
    return {"text": text}


def _product_card(session: Session, actor: Principal, body: dict[str, Any]) -> dict[str, Any]:
    try:
        product_id = uuid.UUID(str(body.get("product_id", "")))
    except ValueError as exc:
        raise InvalidInput(
            N_("A product card needs a product."), errors=[{"field": "body.product_id"}]
        ) from exc
    product = session.get(catalog.Product, product_id)
    store = session.get(catalog.Store, product.store_id) if product is not None else None
    if product is None or store is None or product.status != "active" or store.status != "active":
        raise InvalidInput(
            N_("This product is not available."), errors=[{"field": "body.product_id"}]
        )
    return {
        "id": str(product.id),
        "product_id": str(product.id),
        "title_en": product.title_en,
        "title_zh": product.title_zh,
        "price": product.min_price,
        "currency": product.currency,
        "image_url": product.image_url,
    }


register_kind("text", _text)
register_kind("product_card", _product_card)
