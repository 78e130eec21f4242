"""Who may see which dispute, what may be taken to Agora, and the read models of disputes.

A dispute is seen by the order's buyer, the staff of its store and operators; anyone else gets
the same not-found as for a dispute that does not exist. The rules of what may be disputed are
here, pure, so the pages offer exactly what the use cases accept.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from agora.catalog import Store, access_store
from agora.config import get_settings
from agora.core.clock import as_utc
from agora.core.uow import UnitOfWork
from agora.identity import Principal, User, require_operator
from agora.ordering import domain
from agora.ordering.errors import DisputeNotFound
from agora.ordering.models import Dispute, DisputeEvidence, Order
from agora.ordering.queries import OrderView, RefundView, access_order, is_staff

RETURN_REJECTED = "return_rejected"
NOT_AS_DESCRIBED = "not_as_described"
NOT_GENUINE = "not_genuine"
COMPLAINTS = (NOT_AS_DESCRIBED, NOT_GENUINE)
REASONS = (RETURN_REJECTED, *COMPLAINTS)

OPEN, DECIDED = "open", "decided"
REFUND_FULL, REFUND_PARTIAL, REJECT = "refund_full", "refund_partial", "reject"
OUTCOMES = (REFUND_FULL, REFUND_PARTIAL, REJECT)
UPHELD = frozenset({REFUND_FULL, REFUND_PARTIAL})

BUYER, MERCHANT, OPERATOR = "buyer", "merchant", "operator"
# Orders that can still be disputed: the goods left the store, and not all money went back.
DISPUTABLE = frozenset({domain.SHIPPED, domain.DELIVERED, domain.COMPLETED})
MAX_QUEUE = 100


def access_dispute(
    session: Session, actor: Principal, dispute_id: uuid.UUID
) -> tuple[Dispute, str]:
    """The dispute and the actor's side of it: ``buyer``, ``merchant`` (staff of the store) or
    ``operator``. Raises DisputeNotFound for anyone else."""
    dispute = session.get(Dispute, dispute_id, populate_existing=True)
    if dispute is None:
        raise DisputeNotFound()
    if dispute.buyer_id == actor.user_id:
        return dispute, BUYER
    if is_staff(session, actor, dispute.store_id):
        return dispute, MERCHANT
    if actor.is_operator:
        return dispute, OPERATOR
    raise DisputeNotFound()


@dataclass(frozen=True, slots=True)
class EvidenceView:
    id: uuid.UUID
    side: str
    author_id: uuid.UUID
    author_name: str
    text: str
    image_urls: list[str]
    created_at: datetime


@dataclass(frozen=True, slots=True)
class DisputeView:
    id: uuid.UUID
    order_id: uuid.UUID
    store_id: uuid.UUID
    buyer_id: uuid.UUID
    refund_id: uuid.UUID | None
    reason: str
    status: str
    claimed: int
    created_at: datetime
    outcome: str | None
    refunded: int
    from_store: int
    from_commission: int
    decided_at: datetime | None
    decision_note: str
    buyer_evidence: int
    merchant_evidence: int
    evidence: list[EvidenceView] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return self.status == OPEN

    @property
    def upheld(self) -> bool:
        return self.outcome in UPHELD


@dataclass(frozen=True, slots=True)
class QueueItem:
    """A line of the operator's queue: the dispute and who is on each side."""

    dispute: DisputeView
    store_name_en: str
    store_name_zh: str | None
    buyer_name: str
    order_total: int
    order_status: str
    order_number: str


@dataclass(frozen=True, slots=True)
class DisputeOptions:
    """What the buyer may take to Agora on an order now."""

    escalatable: frozenset[uuid.UUID]  # rejected returns that may be escalated
    can_complain: bool


def dispute_options(
    order: OrderView, disputes: Sequence[DisputeView], *, now: datetime
) -> DisputeOptions:
    """Pure: the rejected returns the buyer may still escalate (within
    ``dispute_escalation_days`` of the rejection, one dispute per return) and whether a
    complaint may be opened (delivered, within ``dispute_complaint_days`` of delivery, one per
    order). Neither while another dispute or a return is open, nor when nothing is left to
    refund."""
    settings = get_settings()
    if (
        order.status not in DISPUTABLE
        or order.return_open
        or order.paid_amount - order.refunded_amount <= 0
        or any(d.is_open for d in disputes)
    ):
        return DisputeOptions(frozenset(), False)
    escalated = {d.refund_id for d in disputes}
    window = timedelta(days=settings.dispute_escalation_days)
    escalatable = frozenset(
        r.id
        for r in order.refunds
        if may_escalate(r, now=now, window=window) and r.id not in escalated
    )
    complained = any(d.reason in COMPLAINTS for d in disputes)
    delivered = order.delivered_at
    can_complain = (
        not complained
        and delivered is not None
        and order.status in (domain.DELIVERED, domain.COMPLETED)
        and now <= as_utc(delivered) + timedelta(days=settings.dispute_complaint_days)
    )
    return DisputeOptions(escalatable, can_complain)


def may_escalate(refund: RefundView, *, now: datetime, window: timedelta) -> bool:
    return (
        refund.kind == "return"
        and refund.status == "rejected"
        and refund.decided_at is not None
        and now <= as_utc(refund.decided_at) + window
    )


def dispute_views(session: Session, disputes: Iterable[Dispute]) -> list[DisputeView]:
    """Views of ``disputes`` with their evidence, oldest evidence first, in one query."""
    rows = list(disputes)
    evidence: dict[uuid.UUID, list[EvidenceView]] = {d.id: [] for d in rows}
    if rows:
        for item, name in session.execute(
            select(DisputeEvidence, User.display_name)
            .join(User, User.id == DisputeEvidence.author_id)
            .where(DisputeEvidence.dispute_id.in_(list(evidence)))
            .order_by(DisputeEvidence.created_at, DisputeEvidence.id)
        ):
            evidence[item.dispute_id].append(
                EvidenceView(
                    id=item.id,
                    side=item.side,
                    author_id=item.author_id,
                    author_name=name,
                    text=item.text,
                    image_urls=list(item.image_urls or []),
                    created_at=item.created_at,
                )
            )
    return [
        DisputeView(
            id=d.id,
            order_id=d.order_id,
            store_id=d.store_id,
            buyer_id=d.buyer_id,
            refund_id=d.refund_id,
            reason=d.reason,
            status=d.status,
            claimed=d.claimed,
            created_at=d.created_at,
            outcome=d.outcome,
            refunded=d.refunded,
            from_store=d.from_store,
            from_commission=d.from_commission,
            decided_at=d.decided_at,
            decision_note=d.decision_note,
            buyer_evidence=d.buyer_evidence,
            merchant_evidence=d.merchant_evidence,
            evidence=evidence[d.id],
        )
        for d in rows
    ]


def dispute_detail(uow: UnitOfWork, *, actor: Principal, dispute_id: uuid.UUID) -> DisputeView:
    """One dispute with both sides' evidence (its buyer, the store's staff, operators)."""
    with uow.read() as session:
        dispute, _side = access_dispute(session, actor, dispute_id)
        return dispute_views(session, [dispute])[0]


def order_disputes(uow: UnitOfWork, *, actor: Principal, order_id: uuid.UUID) -> list[DisputeView]:
    """The disputes of an order the actor may see (buyer, store staff, operator), oldest first."""
    with uow.read() as session:
        access_order(session, actor, order_id)
        return dispute_views(
            session,
            session.scalars(
                select(Dispute)
                .where(Dispute.order_id == order_id)
                .order_by(Dispute.created_at, Dispute.id)
            ),
        )


def store_disputes(
    uow: UnitOfWork, *, actor: Principal, store_id: uuid.UUID, status: str | None = OPEN
) -> list[DisputeView]:
    """The store's disputes for its staff, oldest first (``status`` None: all)."""
    with uow.read() as session:
        access_store(session, actor, store_id)
        query = select(Dispute).where(Dispute.store_id == store_id)
        if status is not None:
            query = query.where(Dispute.status == status)
        return dispute_views(
            session, session.scalars(query.order_by(Dispute.created_at, Dispute.id).limit(200))
        )


def dispute_queue(
    uow: UnitOfWork, *, actor: Principal, status: str = OPEN, limit: int = MAX_QUEUE
) -> list[QueueItem]:
    """The operator's queue: open disputes oldest first (decided ones newest first).

    Raises Forbidden unless the actor is an operator.
    """
    require_operator(actor)
    limit = max(1, min(limit, MAX_QUEUE))
    order_by = (
        (Dispute.created_at, Dispute.id)
        if status == OPEN
        else (Dispute.decided_at.desc(), Dispute.id.desc())
    )
    with uow.read() as session:
        rows = session.execute(
            select(
                Dispute,
                Store.name_en,
                Store.name_zh,
                User.display_name,
                Order.total,
                Order.status,
                Order.number,
            )
            .join(Order, Order.id == Dispute.order_id)
            .join(Store, Store.id == Dispute.store_id)
            .join(User, User.id == Dispute.buyer_id)
            .where(Dispute.status == status)
            .order_by(*order_by)
            .limit(limit)
        ).all()
        views = dispute_views(session, [row[0] for row in rows])
    return [
        QueueItem(view, row[1], row[2], row[3], row[4], row[5], row[6])
        for view, row in zip(views, rows, strict=True)
    ]
