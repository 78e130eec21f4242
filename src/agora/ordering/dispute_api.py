"""Dispute endpoints: escalating a rejected return, complaints, both sides' evidence, the
operator's queue and decision. Thin: each calls one use case; disputes the actor may not see
answer 404 (the services raise it), an operator's action by anyone else 403."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query, Request, status
from fastapi.responses import Response

from agora.catalog.schemas import MoneyOut
from agora.core.i18n import lazy_pick
from agora.http.deps import Actor, Uow
from agora.http.idempotency import IdempotencyKeyHeader, respond_idempotently
from agora.http.routing import Router
from agora.ordering import dispute_queries as queries
from agora.ordering import disputes
from agora.ordering.dispute_schemas import (
    ComplaintIn,
    DisputeDecisionIn,
    DisputeOut,
    EvidenceIn,
    EvidenceOut,
    QueueItemOut,
)

router = Router(prefix="/api/v1", tags=["disputes"])

DisputeStatus = Annotated[str, Query(pattern="^(open|decided)$", description="Filter.")]


def dispute_out(dispute: queries.DisputeView) -> DisputeOut:
    return DisputeOut(
        id=dispute.id,
        order_id=dispute.order_id,
        store_id=dispute.store_id,
        refund_id=dispute.refund_id,
        reason=dispute.reason,
        status=dispute.status,
        claimed=MoneyOut(amount=dispute.claimed),
        outcome=dispute.outcome,
        refunded=MoneyOut(amount=dispute.refunded),
        taken_back_from_store=MoneyOut(amount=dispute.from_store),
        decision_note=dispute.decision_note,
        created_at=dispute.created_at,
        decided_at=dispute.decided_at,
        evidence=[
            EvidenceOut(
                id=e.id,
                side=e.side,
                author_name=e.author_name,
                text=e.text,
                image_urls=e.image_urls,
                created_at=e.created_at,
            )
            for e in dispute.evidence
        ],
    )


@router.post(
    "/refunds/{refund_id}/escalate",
    status_code=status.HTTP_201_CREATED,
    response_model=DisputeOut,
)
def escalate(refund_id: uuid.UUID, body: EvidenceIn, actor: Actor, uow: Uow) -> DisputeOut:
    """Take a return the store rejected to Agora (within 7 days of the rejection), with your
    evidence; the order's escrow is held until an operator decides."""
    return dispute_out(
        disputes.escalate_return(
            uow, actor=actor, refund_id=refund_id, text=body.text, image_urls=body.image_urls
        )
    )


@router.post(
    "/orders/{order_id}/disputes",
    status_code=status.HTTP_201_CREATED,
    response_model=DisputeOut,
)
def complain(order_id: uuid.UUID, body: ComplaintIn, actor: Actor, uow: Uow) -> DisputeOut:
    """Complain that a delivered order was not as described or not genuine (within 15 days of
    delivery, once per order); it claims what is still refundable."""
    return dispute_out(
        disputes.open_complaint(
            uow,
            actor=actor,
            order_id=order_id,
            reason=body.reason,
            text=body.text,
            image_urls=body.image_urls,
        )
    )


@router.get("/orders/{order_id}/disputes", response_model=list[DisputeOut])
def order_disputes(order_id: uuid.UUID, actor: Actor, uow: Uow) -> list[DisputeOut]:
    """The order's disputes with both sides' evidence (buyer, store staff, operators)."""
    return [dispute_out(d) for d in queries.order_disputes(uow, actor=actor, order_id=order_id)]


@router.get("/disputes/{dispute_id}", response_model=DisputeOut)
def dispute(dispute_id: uuid.UUID, actor: Actor, uow: Uow) -> DisputeOut:
    return dispute_out(queries.dispute_detail(uow, actor=actor, dispute_id=dispute_id))


@router.post(
    "/disputes/{dispute_id}/evidence",
    status_code=status.HTTP_201_CREATED,
    response_model=DisputeOut,
)
def evidence(dispute_id: uuid.UUID, body: EvidenceIn, actor: Actor, uow: Uow) -> DisputeOut:
    """Add evidence while the dispute is open: the buyer, or the store's staff (its answer)."""
    return dispute_out(
        disputes.add_evidence(
            uow, actor=actor, dispute_id=dispute_id, text=body.text, image_urls=body.image_urls
        )
    )


@router.get("/stores/{store_id}/disputes", response_model=list[DisputeOut])
def store_disputes(
    store_id: uuid.UUID,
    actor: Actor,
    uow: Uow,
    status_: Annotated[DisputeStatus | None, Query(alias="status")] = "open",
) -> list[DisputeOut]:
    """The store's disputes for its staff, oldest first."""
    found = queries.store_disputes(uow, actor=actor, store_id=store_id, status=status_)
    return [dispute_out(d) for d in found]


@router.get("/operator/disputes", response_model=list[QueueItemOut])
def queue(
    actor: Actor,
    uow: Uow,
    status_: Annotated[DisputeStatus, Query(alias="status")] = "open",
    limit: Annotated[int, Query(ge=1, le=100)] = 100,
) -> list[QueueItemOut]:
    """Operators: open disputes oldest first (``status=decided``: decided ones, newest first)."""
    return [
        QueueItemOut(
            dispute=dispute_out(item.dispute),
            store_name=lazy_pick(item.store_name_en, item.store_name_zh),
            buyer_name=item.buyer_name,
            order_total=MoneyOut(amount=item.order_total),
            order_status=item.order_status,
        )
        for item in queries.dispute_queue(uow, actor=actor, status=status_, limit=limit)
    ]


@router.post("/disputes/{dispute_id}/decision", response_model=DisputeOut)
def decide(
    dispute_id: uuid.UUID,
    body: DisputeDecisionIn,
    actor: Actor,
    uow: Uow,
    request: Request,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    """Operators decide once: refund in full, refund a part (``amount`` fen), or reject, with a
    note; a refund goes back through the ledger to the sources that paid (``Idempotency-Key``)."""

    def action() -> tuple[int, DisputeOut]:
        decided = disputes.decide_dispute(
            uow,
            actor=actor,
            dispute_id=dispute_id,
            outcome=body.outcome,
            amount=body.amount,
            note=body.note,
        )
        return status.HTTP_200_OK, dispute_out(decided)

    return respond_idempotently(
        request, uow, actor=actor, key=idempotency_key, body=body, action=action
    )
