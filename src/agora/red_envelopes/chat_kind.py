"""The ``red_envelope`` chat message: the card of an envelope, posted only by :func:`send`.

The normalizer accepts a body only while :func:`send` is posting that very envelope — its sender,
no card yet, and the envelope marked on the session for the length of the call — so nobody can
fake an envelope card through the chat API or a WebSocket frame. What is stored is a snapshot
(envelope id, greeting, kind, shares); the card's live state comes from the envelope.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.orm import Session

from agora import chat
from agora.core.errors import InvalidInput
from agora.identity import Principal
from agora.red_envelopes.models import RedEnvelope

RED_ENVELOPE = "red_envelope"
_POSTING = "agora.red_envelopes.posting"


@contextmanager
def posting(session: Session, envelope_id: uuid.UUID) -> Iterator[None]:
    session.info[_POSTING] = envelope_id
    try:
        yield
    finally:
        session.info.pop(_POSTING, None)


def normalize_red_envelope(
    session: Session, actor: Principal, body: dict[str, Any]
) -> dict[str, Any]:
    refused = InvalidInput(
        "Red envelopes are sent with the red envelope form.",
        errors=[{"field": "body.envelope_id"}],
    )
    try:
        envelope_id = uuid.UUID(str(body.get("envelope_id", "")))
    except ValueError as exc:
        raise refused from exc
    if session.info.get(_POSTING) != envelope_id:
        raise refused
    envelope = session.get(RedEnvelope, envelope_id)
    if envelope is None or envelope.sender_id != actor.user_id or envelope.message_id is not None:
        raise refused
    return {
        "envelope_id": str(envelope.id),
        "greeting": envelope.greeting,
        "kind": envelope.kind,
        "shares": envelope.shares,
        "url": f"/red-envelopes/{envelope.id}",
    }


chat.register_kind(RED_ENVELOPE, normalize_red_envelope)
