"""The merchant console's order pages: a store's orders, shipping and delivery, returns to
decide, and settlements. Staff-only: the use cases check the actor against the order's store."""

from __future__ import annotations

import contextlib
import uuid
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response

from agora import catalog, ordering, reviews
from agora.core.errors import AgoraError, Forbidden
from agora.core.i18n import gettext as _
from agora.http.deps import Actor, Uow
from agora.identity import Principal
from agora.ordering import shipping
from agora.web.dispute_parts import dispute_context
from agora.web.merchant import _nav
from agora.web.orders import STATUS_TABS, number_query
from agora.web.render import check_csrf, redirect, render

router = APIRouter(prefix="/merchant", include_in_schema=False)

Text = Annotated[str, Form(max_length=5000)]


def _console_nav(stores: list[catalog.Store], active: str) -> list[tuple[str, str, bool]]:
    return [(href, label, href == active) for href, label, _on in _nav(stores, None)]


def _store_choice(uow: Any, actor: Principal, raw: str) -> tuple[list[catalog.Store], Any]:
    stores = catalog.stores_of(uow, actor.user_id)
    if not stores:
        raise Forbidden(
            _("The merchant console is for store staff. Ask your store owner to add you.")
        )
    chosen = next((s for s in stores if str(s.id) == raw), stores[0])
    return stores, chosen


@router.get("/orders")
def store_orders(
    request: Request,
    actor: Actor,
    uow: Uow,
    store: Annotated[str, Query(max_length=40)] = "",
    status: Annotated[str, Query(max_length=30)] = "",
    q: Annotated[str, Query(max_length=40)] = "",
    cursor: Annotated[str | None, Query(max_length=100)] = None,
) -> Response:
    stores, current = _store_choice(uow, actor, store)
    if status not in STATUS_TABS:
        status = ""
    q, q_error = number_query(q)
    page = ordering.store_orders(
        uow,
        actor=actor,
        store_id=current.id,
        status=status or None,
        number=q or None,
        cursor=cursor,
    )
    returns = ordering.store_returns(uow, actor=actor, store_id=current.id)
    params = {
        "store": str(current.id),
        **({"status": status} if status else {}),
        **({"q": q} if q else {}),
    }
    next_url = (
        f"/merchant/orders?{urlencode({**params, 'cursor': page.next_cursor})}"
        if page.next_cursor
        else None
    )
    return render(
        request,
        "merchant/orders.html",
        console_nav=_console_nav(stores, "/merchant/orders"),
        stores=stores,
        store=current,
        page=page,
        status=status,
        q=q,
        q_error=q_error,
        tabs=STATUS_TABS,
        returns=returns,
        next_url=next_url,
    )


def _order_page(
    request: Request,
    uow: Any,
    actor: Principal,
    order_id: uuid.UUID,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    with uow.read() as session:
        ordering.access_merchant_order(session, actor, order_id)
    order = ordering.order_detail(uow, actor=actor, order_id=order_id)
    options = None
    if order.status == "paid" and not order.held:
        with contextlib.suppress(ordering.NoDeliveryAddress):  # typed tracking numbers only
            options = shipping.shipping_options(uow, actor=actor, order_id=order_id)
    parcels = shipping.parcels(uow, order_id)  # the staff were checked above
    return render(
        request,
        "merchant/order.html",
        status_code=status_code,
        console_nav=_console_nav(catalog.stores_of(uow, actor.user_id), "/merchant/orders"),
        order=order,
        error=error,
        line_titles={line.id: line for line in order.lines},
        options=options,
        parcels=parcels,
        **dispute_context(uow, actor, order, side="merchant"),
    )


@router.get("/orders/{order_id}")
def order_page(order_id: uuid.UUID, request: Request, actor: Actor, uow: Uow) -> Response:
    return _order_page(request, uow, actor, order_id)


@router.post("/orders/{order_id}/ship")
def ship(
    order_id: uuid.UUID,
    request: Request,
    actor: Actor,
    uow: Uow,
    csrf_token: Text = "",
    tracking_number: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    check_csrf(request, csrf_token)
    try:
        ordering.ship_order(uow, actor=actor, order_id=order_id, tracking_number=tracking_number)
    except AgoraError as error:
        return _order_page(
            request, uow, actor, order_id, _(error.detail or error.title), error.status
        )
    return redirect(request, f"/merchant/orders/{order_id}", flash=_("Marked as shipped."))


@router.post("/orders/{order_id}/deliver")
def deliver(
    order_id: uuid.UUID, request: Request, actor: Actor, uow: Uow, csrf_token: Text = ""
) -> Response:
    check_csrf(request, csrf_token)
    try:
        ordering.mark_delivered(uow, actor=actor, order_id=order_id)
    except AgoraError as error:
        return _order_page(
            request, uow, actor, order_id, _(error.detail or error.title), error.status
        )
    return redirect(request, f"/merchant/orders/{order_id}", flash=_("Marked as delivered."))


@router.post("/refunds/{refund_id}/{decision}")
def decide_return(
    refund_id: uuid.UUID,
    decision: str,
    request: Request,
    actor: Actor,
    uow: Uow,
    csrf_token: Text = "",
    order_id: Text = "",
    note: Text = "",
) -> Response:
    check_csrf(request, csrf_token)
    if decision not in ("accept", "reject"):
        raise ordering.RefundNotFound()
    decide = ordering.accept_return if decision == "accept" else ordering.reject_return
    try:
        result = decide(uow, actor=actor, refund_id=refund_id, note=note)
    except AgoraError as error:
        try:
            back = uuid.UUID(order_id)
        except ValueError:
            raise error from None
        return _order_page(request, uow, actor, back, _(error.detail or error.title), error.status)
    flash = (
        _("Return accepted: the money went back.")
        if decision == "accept"
        else _("Return rejected.")
    )
    return redirect(request, f"/merchant/orders/{result.order_id}", flash=flash)


@router.get("/settlements")
def settlements(
    request: Request,
    actor: Actor,
    uow: Uow,
    store: Annotated[str, Query(max_length=40)] = "",
    cursor: Annotated[str | None, Query(max_length=100)] = None,
) -> Response:
    stores, current = _store_choice(uow, actor, store)
    page = ordering.store_settlements(uow, actor=actor, store_id=current.id, cursor=cursor)
    next_url = (
        f"/merchant/settlements?{urlencode({'store': str(current.id), 'cursor': page.next_cursor})}"
        if page.next_cursor
        else None
    )
    return render(
        request,
        "merchant/settlements.html",
        console_nav=_console_nav(stores, "/merchant/settlements"),
        stores=stores,
        store=current,
        page=page,
        totals={
            "gross": sum(s.gross for s in page.items),
            "commission": sum(s.commission for s in page.items),
            "net": sum(s.net for s in page.items),
        },
        next_url=next_url,
    )


@router.get("/reviews")
def store_reviews(
    request: Request,
    actor: Actor,
    uow: Uow,
    store: Annotated[str, Query(max_length=40)] = "",
    waiting: Annotated[str, Query(max_length=1)] = "",
) -> Response:
    """The store's reviews, newest first (``waiting=1``: only those without a reply yet)."""
    stores, current = _store_choice(uow, actor, store)
    found = reviews.store_reviews(uow, actor=actor, store_id=current.id, unreplied=bool(waiting))
    return render(
        request,
        "merchant/reviews.html",
        console_nav=_console_nav(stores, "/merchant/reviews"),
        stores=stores,
        store=current,
        reviews=found,
        waiting=bool(waiting),
    )


@router.post("/reviews/{review_id}/reply")
def reply_to_review(
    review_id: uuid.UUID,
    request: Request,
    actor: Actor,
    uow: Uow,
    text: Annotated[str, Form(max_length=500)] = "",
    store: Annotated[str, Form(max_length=40)] = "",
    csrf_token: Text = "",
) -> Response:
    check_csrf(request, csrf_token)
    back = f"/merchant/reviews?{urlencode({'store': store})}" if store else "/merchant/reviews"
    try:
        reviews.reply_to_review(uow, actor=actor, review_id=review_id, text=text)
    except AgoraError as error:
        if error.status == 404:
            raise
        return redirect(request, back, flash=_(error.detail or error.title), kind="error")
    return redirect(request, back, flash=_("Your reply is published."))
