"""Dispute pages: the buyer escalates a rejected return or complains, both sides add evidence on
their order pages, and the operator's queue and decision form (``/operator/disputes``).

Every handler calls one ordering use case; a refusal re-renders the page it came from with the
message and the error's status, as the order pages do.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response

from agora import identity, ordering
from agora.core.errors import AgoraError
from agora.core.i18n import gettext as _
from agora.core.money import format_amount
from agora.http.deps import Actor, Uow
from agora.identity import Principal
from agora.web import merchant_orders, orders
from agora.web.forms import run_once, yuan_amount
from agora.web.operator import _nav as operator_nav
from agora.web.render import check_csrf, redirect, render

router = APIRouter(include_in_schema=False)

Text = Annotated[str, Form(max_length=5000)]
Links = Annotated[str, Form(max_length=3100)]


def _links(raw: str) -> list[str]:
    return raw.split()


def _message(error: AgoraError) -> str:
    return _(error.detail or error.title)


# ── The buyer ────────────────────────────────────────────────────────────────────────────────
@router.post("/orders/{order_id}/refunds/{refund_id}/escalate")
def escalate(
    order_id: uuid.UUID,
    refund_id: uuid.UUID,
    request: Request,
    actor: Actor,
    uow: Uow,
    csrf_token: Text = "",
    text: Text = "",
    image_links: Links = "",
) -> Response:
    check_csrf(request, csrf_token)
    try:
        ordering.escalate_return(
            uow, actor=actor, refund_id=refund_id, text=text, image_urls=_links(image_links)
        )
    except AgoraError as error:
        return orders._order_page(request, uow, actor, order_id, _message(error), error.status)
    return redirect(
        request,
        f"/orders/{order_id}#disputes",
        flash=_("Sent to Agora. An operator will read both sides and decide."),
    )


@router.post("/orders/{order_id}/disputes")
def complain(
    order_id: uuid.UUID,
    request: Request,
    actor: Actor,
    uow: Uow,
    csrf_token: Text = "",
    reason: Annotated[str, Form(max_length=30)] = "",
    text: Text = "",
    image_links: Links = "",
) -> Response:
    check_csrf(request, csrf_token)
    try:
        ordering.open_complaint(
            uow,
            actor=actor,
            order_id=order_id,
            reason=reason,
            text=text,
            image_urls=_links(image_links),
        )
    except AgoraError as error:
        return orders._order_page(request, uow, actor, order_id, _message(error), error.status)
    return redirect(
        request,
        f"/orders/{order_id}#disputes",
        flash=_("Your complaint is with Agora. An operator will read both sides and decide."),
    )


@router.post("/orders/{order_id}/disputes/{dispute_id}/evidence")
def buyer_evidence(
    order_id: uuid.UUID,
    dispute_id: uuid.UUID,
    request: Request,
    actor: Actor,
    uow: Uow,
    csrf_token: Text = "",
    text: Text = "",
    image_links: Links = "",
) -> Response:
    check_csrf(request, csrf_token)
    try:
        ordering.add_evidence(
            uow, actor=actor, dispute_id=dispute_id, text=text, image_urls=_links(image_links)
        )
    except AgoraError as error:
        if error.status in (403, 404):
            raise
        return orders._order_page(request, uow, actor, order_id, _message(error), error.status)
    return redirect(request, f"/orders/{order_id}#disputes", flash=_("Evidence added."))


# ── The store ────────────────────────────────────────────────────────────────────────────────
@router.post("/merchant/orders/{order_id}/disputes/{dispute_id}/evidence")
def store_evidence(
    order_id: uuid.UUID,
    dispute_id: uuid.UUID,
    request: Request,
    actor: Actor,
    uow: Uow,
    csrf_token: Text = "",
    text: Text = "",
    image_links: Links = "",
) -> Response:
    check_csrf(request, csrf_token)
    try:
        ordering.add_evidence(
            uow, actor=actor, dispute_id=dispute_id, text=text, image_urls=_links(image_links)
        )
    except AgoraError as error:
        if error.status in (403, 404):
            raise
        return merchant_orders._order_page(
            request, uow, actor, order_id, _message(error), error.status
        )
    return redirect(
        request, f"/merchant/orders/{order_id}#disputes", flash=_("Your answer was added.")
    )


# ── The operator ─────────────────────────────────────────────────────────────────────────────
@router.get("/operator/disputes")
def queue(
    request: Request,
    actor: Actor,
    uow: Uow,
    status: Annotated[str, Query(max_length=10)] = "open",
) -> Response:
    status = status if status in ("open", "decided") else "open"
    items = ordering.dispute_queue(uow, actor=actor, status=status)
    return render(
        request,
        "operator/disputes.html",
        console_nav=operator_nav("disputes"),
        items=items,
        status=status,
    )


def _dispute_page(
    request: Request,
    uow: Any,
    actor: Principal,
    dispute_id: uuid.UUID,
    *,
    error: str | None = None,
    status_code: int = 200,
    values: dict[str, str] | None = None,
) -> Response:
    identity.require_operator(actor)
    dispute = ordering.dispute_detail(uow, actor=actor, dispute_id=dispute_id)
    order = ordering.order_detail(uow, actor=actor, order_id=dispute.order_id)
    buyer = identity.get_user(uow, dispute.buyer_id)
    return render(
        request,
        "operator/dispute.html",
        status_code=status_code,
        console_nav=operator_nav("disputes"),
        dispute=dispute,
        order=order,
        buyer_name=buyer.display_name if buyer is not None else "",
        refundable=order.paid_amount - order.refunded_amount,
        line_titles={line.id: line for line in order.lines},
        error=error,
        values=values or {},
    )


@router.get("/operator/disputes/{dispute_id}")
def dispute_page(dispute_id: uuid.UUID, request: Request, actor: Actor, uow: Uow) -> Response:
    return _dispute_page(request, uow, actor, dispute_id)


@router.post("/operator/disputes/{dispute_id}/decide")
def decide(
    dispute_id: uuid.UUID,
    request: Request,
    actor: Actor,
    uow: Uow,
    csrf_token: Text = "",
    outcome: Annotated[str, Form(max_length=20)] = "",
    amount: Annotated[str, Form(max_length=20)] = "",
    note: Annotated[str, Form(max_length=500)] = "",
    form_key: Text = "",
) -> Response:
    check_csrf(request, csrf_token)
    identity.require_operator(actor)
    values = {"outcome": outcome, "amount": amount, "note": note}

    def decide_now() -> dict[str, Any]:
        part = yuan_amount(amount) if outcome == "refund_partial" else None
        decided = ordering.decide_dispute(
            uow, actor=actor, dispute_id=dispute_id, outcome=outcome, amount=part, note=note
        )
        return {"outcome": decided.outcome, "refunded": decided.refunded}

    try:
        done = run_once(request, uow, actor, form_key, f"{outcome}:{amount}:{note}", decide_now)
    except AgoraError as error:
        if error.status == 404:
            raise
        return _dispute_page(
            request,
            uow,
            actor,
            dispute_id,
            error=_message(error),
            status_code=error.status,
            values=values,
        )
    flash = (
        _("Decided: no refund.")
        if done["outcome"] == "reject"
        else _("Decided: {amount} goes back to the buyer.").format(
            amount=format_amount(done["refunded"])
        )
    )
    return redirect(request, f"/operator/disputes/{dispute_id}", flash=flash)
