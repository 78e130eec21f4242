"""Disputes: a shopper takes a rejected return, or a complaint that an order was not as described
or not genuine, to Agora; both sides put evidence forward; an operator decides once — refund in
full, refund a part, or reject.

Money moves only through the refunds' own path (``dispute_money.py``: escrow back to the
sources that paid, credit first) and the order row's guard (refunded never above paid).

Escrow. An order still in escrow (shipped or delivered) is *held* while its dispute is open: the
dispute sets the order's ``return_open``, the flag that already keeps confirmation and
auto-confirmation from settling an order with a return waiting, so the money the decision may
give back is still there; the decision releases it. A dispute about an order already completed
(complaints come after confirmation too, or the order confirmed itself after a rejection) takes
the refund back from the store's settled balance first, as platforms do with a settled trade.

Lock order: the order row first (``FOR UPDATE`` on PostgreSQL; SQLite's write lock serializes),
then the dispute row (its guarded UPDATE decides exactly once), then what the refund path locks
(the payments rows, ledger accounts in id order).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta
from urllib.parse import urlsplit

from sqlalchemy import Table, select, update

from agora.config import get_settings
from agora.core.clock import utcnow
from agora.core.db import for_update
from agora.core.errors import Forbidden, InvalidInput
from agora.core.i18n import gettext as _
from agora.core.ids import new_id
from agora.core.uow import UnitOfWork
from agora.identity import Principal, require_operator
from agora.ordering import domain, state
from agora.ordering.dispute_money import refund_on_decision
from agora.ordering.dispute_queries import (
    BUYER,
    COMPLAINTS,
    DISPUTABLE,
    MERCHANT,
    OPEN,
    OUTCOMES,
    REFUND_FULL,
    REFUND_PARTIAL,
    REJECT,
    RETURN_REJECTED,
    DisputeView,
    access_dispute,
    dispute_views,
)
from agora.ordering.errors import (
    N_,
    DisputeDecided,
    DisputeExists,
    DisputeNotAllowed,
    DisputeNotFound,
    EvidenceFull,
    OrderNotFound,
    RefundNotFound,
    RefundTooLarge,
    ReturnPending,
)
from agora.ordering.fulfilment import reschedule_auto_confirm
from agora.ordering.models import Dispute, DisputeEvidence, Order, Refund
from agora.ordering.queries import access_buyer_order

_orders: Table = Order.__table__  # type: ignore[assignment]
_disputes: Table = Dispute.__table__  # type: ignore[assignment]

MAX_EVIDENCE_TEXT = 1000
MAX_EVIDENCE_IMAGES = 6
MAX_EVIDENCE_PER_SIDE = 10
MAX_URL = 500
MAX_NOTE = 500


def escalate_return(
    uow: UnitOfWork,
    *,
    actor: Principal,
    refund_id: uuid.UUID,
    text: str,
    image_urls: Sequence[str] = (),
) -> DisputeView:
    """The buyer takes a return the store rejected to Agora, with their evidence, within
    ``dispute_escalation_days`` of the rejection. It claims the return's amount.

    Raises:
        RefundNotFound: not a return of the actor's order.
        DisputeExists (409): this return was already escalated, or another dispute is open.
        DisputeNotAllowed (409): the return was not rejected, the window closed, or the order
            was refunded meanwhile.
        ReturnPending (409): another return waits for the store.
    """
    text, images = _checked_evidence(text, image_urls, required=True)
    with uow:
        session = uow.session
        refund = session.get(Refund, refund_id)
        if refund is None:
            raise RefundNotFound()
        try:
            access_buyer_order(session, actor, refund.order_id)
        except OrderNotFound:
            raise RefundNotFound() from None
        order = _lock_order(uow, refund.order_id)
        session.refresh(refund)
        if session.scalar(select(Dispute.id).where(Dispute.refund_id == refund.id)):
            raise DisputeExists()
        window = get_settings().dispute_escalation_days
        if (
            refund.kind != "return"
            or refund.status != "rejected"
            or refund.decided_at is None
            or utcnow() > refund.decided_at + timedelta(days=window)
        ):
            raise DisputeNotAllowed()
        claimed = min(refund.amount, order.paid_amount - order.refunded_amount)
        return _open(uow, actor, order, RETURN_REJECTED, claimed, refund.id, text, images)


def open_complaint(
    uow: UnitOfWork,
    *,
    actor: Principal,
    order_id: uuid.UUID,
    reason: str,
    text: str,
    image_urls: Sequence[str] = (),
) -> DisputeView:
    """The buyer complains that a delivered (or completed) order was not as described or not
    genuine, within ``dispute_complaint_days`` of delivery; once per order. It claims whatever
    is still refundable on the order.

    Raises OrderNotFound (not theirs), InvalidInput (reason), DisputeExists, DisputeNotAllowed,
    ReturnPending as :func:`escalate_return`.
    """
    if reason not in COMPLAINTS:
        raise InvalidInput(
            N_("Choose what is wrong: not as described, or not genuine."),
            errors=[{"field": "reason", "message": "not_as_described or not_genuine"}],
        )
    text, images = _checked_evidence(text, image_urls, required=True)
    with uow:
        session = uow.session
        access_buyer_order(session, actor, order_id)
        order = _lock_order(uow, order_id)
        if session.scalar(
            select(Dispute.id).where(Dispute.order_id == order.id, Dispute.reason.in_(COMPLAINTS))
        ):
            raise DisputeExists()
        window = get_settings().dispute_complaint_days
        if (
            order.status not in (domain.DELIVERED, domain.COMPLETED)
            or order.delivered_at is None
            or utcnow() > order.delivered_at + timedelta(days=window)
        ):
            raise DisputeNotAllowed()
        claimed = order.paid_amount - order.refunded_amount
        return _open(uow, actor, order, reason, claimed, None, text, images)


def add_evidence(
    uow: UnitOfWork,
    *,
    actor: Principal,
    dispute_id: uuid.UUID,
    text: str,
    image_urls: Sequence[str] = (),
) -> DisputeView:
    """The buyer, or the store's staff (the store's answer), add evidence while the dispute is
    open: text up to 1,000 characters and up to 6 image links, at most 10 times a side.

    Raises DisputeNotFound (not a party), Forbidden (an operator, who decides, adds none),
    DisputeDecided (409), EvidenceFull (409).
    """
    text, images = _checked_evidence(text, image_urls, required=False)
    with uow:
        session = uow.session
        dispute, side = access_dispute(session, actor, dispute_id)
        if side not in (BUYER, MERCHANT):
            raise Forbidden(N_("Only the buyer and the store put evidence forward."))
        counter = _disputes.c.buyer_evidence if side == BUYER else _disputes.c.merchant_evidence
        added = session.execute(
            update(_disputes)
            .where(
                _disputes.c.id == dispute.id,
                _disputes.c.status == OPEN,
                counter < MAX_EVIDENCE_PER_SIDE,
            )
            .values({counter.key: counter + 1})
        )
        if added.rowcount != 1:  # type: ignore[attr-defined]
            session.refresh(dispute)
            raise DisputeDecided() if dispute.status != OPEN else EvidenceFull()
        _add_evidence(uow, dispute, actor, side, text, images)
        uow.emit(
            "ordering.dispute_evidence",
            {"dispute_id": str(dispute.id), "order_id": str(dispute.order_id), "side": side},
            topics=[f"user:{dispute.buyer_id}", f"store:{dispute.store_id}"],
        )
        return _view(uow, dispute.id)


def decide_dispute(
    uow: UnitOfWork,
    *,
    actor: Principal,
    dispute_id: uuid.UUID,
    outcome: str,
    amount: int | None = None,
    note: str = "",
) -> DisputeView:
    """An operator decides, once: ``refund_full`` (what the dispute claims, up to what is still
    refundable), ``refund_partial`` (``amount`` fen, at most what is still refundable on the
    order) or ``reject``, with a note for both sides. A refund goes back through the ledger to
    the sources that paid; the order's timeline and the dispute record it.

    Raises:
        Forbidden (403): not an operator.
        DisputeNotFound (404).
        InvalidInput (422): an unknown outcome; a part without an amount of at least 1 fen.
        DisputeDecided (409): decided already (of two racing decisions exactly one wins).
        RefundTooLarge (409): more than is still refundable; nothing changed.
        StoreFundsShort (409): a settled order whose store no longer holds the refund.
    """
    require_operator(actor)
    if outcome not in OUTCOMES:
        raise InvalidInput(
            N_("Choose refund in full, refund a part, or reject."),
            errors=[{"field": "outcome", "message": " | ".join(OUTCOMES)}],
        )
    if outcome == REFUND_PARTIAL and (amount is None or amount < 1):
        raise InvalidInput(
            N_("Enter the amount to refund."),
            errors=[{"field": "amount", "message": "at least 1 fen"}],
        )
    note = note.strip()[:MAX_NOTE]
    with uow:
        session = uow.session
        dispute = session.get(Dispute, dispute_id)
        if dispute is None:
            raise DisputeNotFound()
        order = _lock_order(uow, dispute.order_id)
        now = utcnow()
        decided = session.execute(
            update(_disputes)
            .where(_disputes.c.id == dispute.id, _disputes.c.status == OPEN)
            .values(
                status="decided",
                outcome=outcome,
                decided_at=now,
                decided_by=actor.user_id,
                decision_note=note,
            )
        )
        if decided.rowcount != 1:  # type: ignore[attr-defined]
            raise DisputeDecided()
        session.refresh(dispute)
        if outcome == REJECT:
            _release_hold(uow, dispute)
            state.record(
                uow,
                order,
                "dispute_rejected",
                actor=actor,
                role="operator",
                data={"dispute_id": str(dispute.id), "note": note},
            )
            reschedule_auto_confirm(uow, state.reload(session, order.id))
            return _view(uow, dispute.id)
        refundable = order.paid_amount - order.refunded_amount
        give = min(dispute.claimed, refundable) if outcome == REFUND_FULL else int(amount or 0)
        if give < 1 or give > refundable:
            raise RefundTooLarge(refundable=refundable)
        refund_on_decision(uow, actor, order, dispute, give, note)
        return _view(uow, dispute.id)


def _open(
    uow: UnitOfWork,
    actor: Principal,
    order: Order,
    reason: str,
    claimed: int,
    refund_id: uuid.UUID | None,
    text: str,
    images: list[str],
) -> DisputeView:
    """Open a dispute on ``order`` (locked by the caller): one open per order; an order still
    in escrow is held until the decision."""
    session = uow.session
    if order.status not in DISPUTABLE or claimed <= 0:
        raise DisputeNotAllowed()
    if session.scalar(
        select(Dispute.id).where(Dispute.order_id == order.id, Dispute.status == OPEN)
    ):
        raise DisputeExists()
    held = order.status in domain.RETURN_STATUSES
    if held:
        holding = session.execute(
            update(_orders)
            .where(
                _orders.c.id == order.id,
                _orders.c.status.in_(sorted(domain.RETURN_STATUSES)),
                _orders.c.return_open.is_(False),
            )
            .values(return_open=True)
        )
        if holding.rowcount != 1:  # type: ignore[attr-defined]
            raise ReturnPending()  # a return waits for the store (the order row is locked)
    dispute = Dispute(
        id=new_id(),
        order_id=order.id,
        store_id=order.store_id,
        buyer_id=order.buyer_id,
        refund_id=refund_id,
        reason=reason,
        status=OPEN,
        claimed=claimed,
        held=held,
        buyer_evidence=1,
        merchant_evidence=0,
        created_at=utcnow(),
    )
    session.add(dispute)
    session.flush()
    _add_evidence(uow, dispute, actor, BUYER, text, images)
    state.record(
        uow,
        order,
        "dispute_opened",
        actor=actor,
        role="buyer",
        data={"dispute_id": str(dispute.id), "reason": reason, "amount": claimed},
    )
    return _view(uow, dispute.id)


def _lock_order(uow: UnitOfWork, order_id: uuid.UUID) -> Order:
    order: Order | None = uow.session.scalar(
        for_update(
            uow.session,
            select(Order).where(Order.id == order_id).execution_options(populate_existing=True),
        )
    )
    if order is None:
        raise OrderNotFound()
    return order


def _release_hold(uow: UnitOfWork, dispute: Dispute) -> None:
    if not dispute.held:
        return
    released = uow.session.execute(
        update(_orders)
        .where(_orders.c.id == dispute.order_id, _orders.c.return_open.is_(True))
        .values(return_open=False)
    )
    if released.rowcount != 1:  # type: ignore[attr-defined]
        raise RuntimeError(f"order {dispute.order_id} is not held by its dispute")


def _add_evidence(
    uow: UnitOfWork, dispute: Dispute, actor: Principal, side: str, text: str, images: list[str]
) -> None:
    uow.session.add(
        DisputeEvidence(
            id=new_id(),
            dispute_id=dispute.id,
            author_id=actor.user_id,
            side=side,
            text=text,
            image_urls=images,
            created_at=utcnow(),
        )
    )
    uow.session.flush()


def _checked_evidence(
    text: str, image_urls: Sequence[str], *, required: bool
) -> tuple[str, list[str]]:
    """Trimmed text (up to 1,000 characters; required when opening) and up to 6 image links,
    each an http or https URL or a path on this site; 422 naming the wrong fields otherwise."""
    errors: list[dict[str, str]] = []
    text = (text or "").strip()
    images = [url.strip() for url in image_urls if url and url.strip()]
    if len(text) > MAX_EVIDENCE_TEXT:
        errors.append({"field": "text", "message": _("Up to 1,000 characters.")})
    elif required and not text:
        errors.append({"field": "text", "message": _("Say what is wrong.")})
    elif not text and not images:
        errors.append({"field": "text", "message": _("Write something or add an image link.")})
    if len(images) > MAX_EVIDENCE_IMAGES or not all(_is_web_url(url) for url in images):
        errors.append(
            {"field": "image_urls", "message": _("Up to 6 image links, each http:// or https://.")}
        )
    if errors:
        raise InvalidInput(errors=errors)
    return text, images


def _is_web_url(url: str) -> bool:
    """http(s) anywhere, or a path on this site (an Agora picture) but not one a browser reads
    as another host: "//host", or a backslash after the slash."""
    if len(url) > MAX_URL or any(c.isspace() for c in url):
        return False
    if url.startswith("/"):
        return url[1:2] not in ("/", "\\")
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _view(uow: UnitOfWork, dispute_id: uuid.UUID) -> DisputeView:
    dispute = uow.session.get(Dispute, dispute_id, populate_existing=True)
    assert dispute is not None
    return dispute_views(uow.session, [dispute])[0]
