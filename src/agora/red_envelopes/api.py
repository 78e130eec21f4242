"""Red-envelope endpoints: send one into a conversation (``Idempotency-Key`` and ``client_id``:
it moves money), read one, grab one. Outsiders to the conversation get 404."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fastapi import Request, status
from fastapi.responses import Response
from pydantic import BaseModel

from agora import red_envelopes
from agora.core.uow import UnitOfWork
from agora.http.deps import Actor, Uow
from agora.http.idempotency import (
    IdempotencyKeyHeader,
    respond_idempotently,
    write_idempotently,
)
from agora.http.lean import lean
from agora.http.openapi import also
from agora.http.routing import Router
from agora.red_envelopes.schemas import EnvelopeIn

router = Router(prefix="/api/v1", tags=["red_envelopes"])


class MoneyOut(BaseModel):
    """Money as everywhere in the API: minor units (fen) and the currency. (Declared here, not
    taken from catalog: red envelopes do not depend on the catalog.)"""

    amount: int
    currency: str = "CNY"


class GrabOut(BaseModel):
    display_name: str
    position: int
    amount: MoneyOut
    grabbed_at: datetime
    luckiest: bool


class EnvelopeStateOut(BaseModel):
    """An envelope without the list of who got how much: what a grab answers with."""

    id: uuid.UUID
    url: str
    conversation_id: uuid.UUID
    message_id: uuid.UUID | None
    sender_name: str
    kind: str
    greeting: str
    total: MoneyOut
    shares: int
    shares_left: int
    grabbed: MoneyOut
    refunded: MoneyOut
    status: str
    created_at: datetime
    expires_at: datetime
    finished_at: datetime | None
    mine: MoneyOut | None
    """Your share, once you opened the envelope."""
    can_grab: bool
    luckiest: str | None
    """Who drew the largest share of a lucky envelope, once every share is taken."""


class EnvelopeOut(EnvelopeStateOut):
    grabs: list[GrabOut]
    """Who got how much, in the order they grabbed."""


class GrabResultOut(BaseModel):
    """Your share and the envelope after your grab; who got how much is
    ``GET /api/v1/red-envelopes/{id}`` (a storm's every grab would otherwise carry every grab
    before it)."""

    position: int
    amount: MoneyOut
    envelope: EnvelopeStateOut


def envelope_out(view: red_envelopes.EnvelopeView) -> EnvelopeOut:
    return EnvelopeOut.model_validate(envelope_fields(view))


def envelope_fields(view: red_envelopes.EnvelopeView, *, grabs: bool = True) -> dict[str, Any]:
    """:class:`EnvelopeOut` (or, without ``grabs``, :class:`EnvelopeStateOut`) as plain values,
    validated in one call: one nested validation costs far less than a model built per grab."""
    c = view.currency
    fields: dict[str, Any] = {
        "id": view.id,
        "url": f"/red-envelopes/{view.id}",
        "conversation_id": view.conversation_id,
        "message_id": view.message_id,
        "sender_name": view.sender_name,
        "kind": view.kind,
        "greeting": view.greeting,
        "total": {"amount": view.total, "currency": c},
        "shares": view.shares,
        "shares_left": view.shares_left,
        "grabbed": {"amount": view.grabbed_amount, "currency": c},
        "refunded": {"amount": view.refunded, "currency": c},
        "status": view.status,
        "created_at": view.created_at,
        "expires_at": view.expires_at,
        "finished_at": view.finished_at,
        "mine": {"amount": view.mine, "currency": c} if view.mine is not None else None,
        "can_grab": view.can_grab,
        "luckiest": next((g.display_name for g in view.grabs if g.luckiest), None),
    }
    if grabs:
        fields["grabs"] = [
            {
                "display_name": g.display_name,
                "position": g.position,
                "amount": {"amount": g.amount, "currency": c},
                "grabbed_at": g.grabbed_at,
                "luckiest": g.luckiest,
            }
            for g in view.grabs
        ]
    return fields


@router.post(
    "/conversations/{conversation_id}/red-envelopes",
    status_code=status.HTTP_201_CREATED,
    response_model=EnvelopeOut,
    responses=also(429),
)
def send_envelope(
    conversation_id: uuid.UUID,
    body: EnvelopeIn,
    actor: Actor,
    uow: Uow,
    request: Request,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    """Send a red envelope into a conversation you are in: the money leaves your wallet (or
    treasure) now and a card is posted in the chat. 422 ``red_envelope_invalid`` for numbers
    out of bounds, ``credit_orders_only`` for credit; 409 ``insufficient_funds``."""

    def action() -> tuple[int, EnvelopeOut]:
        view = red_envelopes.send(
            uow,
            actor=actor,
            conversation_id=conversation_id,
            kind=body.kind,
            shares=body.shares,
            total=body.total,
            per_share=body.per_share,
            greeting=body.greeting,
            source=body.source,
            client_id=body.client_id,
        )
        return status.HTTP_201_CREATED, envelope_out(view)

    return respond_idempotently(
        request, uow, actor=actor, key=idempotency_key, body=body, action=action
    )


@router.get("/red-envelopes/{envelope_id}", response_model=EnvelopeOut)
def envelope(envelope_id: uuid.UUID, actor: Actor, uow: Uow) -> EnvelopeOut:
    """One envelope: its shares taken, who got how much, your share."""
    return envelope_out(red_envelopes.envelope_view(uow, actor=actor, envelope_id=envelope_id))


@router.post("/red-envelopes/{envelope_id}/grab", response_model=GrabResultOut)
@lean
async def grab_envelope(
    envelope_id: uuid.UUID,
    actor: Actor,
    request: Request,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    """Open an envelope: the next share goes to your wallet. 409 ``red_envelope_already_grabbed``,
    ``red_envelope_empty``, ``red_envelope_expired``, ``red_envelope_own``: nothing moved."""

    def action(uow: UnitOfWork) -> tuple[int, GrabResultOut]:
        outcome = red_envelopes.grab(uow, actor=actor, envelope_id=envelope_id)
        return status.HTTP_200_OK, GrabResultOut.model_validate(
            {
                "position": outcome.position,
                "amount": {"amount": outcome.amount, "currency": outcome.envelope.currency},
                "envelope": envelope_fields(outcome.envelope, grabs=False),
            }
        )

    return await write_idempotently(
        request, actor=actor, key=idempotency_key, body=None, action=action
    )
