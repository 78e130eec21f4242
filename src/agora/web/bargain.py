"""Bargain pages: the product page's panel, a campaign's page (help, buy, share), my campaigns,
and the merchant's bargain form for a product.

The product page renders its panel from ``bargain_panel(request, product)`` (a template global
set here), so the shop's product route needs to know nothing of bargains. Every page calls the
same use cases as the API; sharing goes through web/sharing.py's route for any share target.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from agora import bargain, catalog
from agora.core.clock import utcnow
from agora.core.errors import AgoraError, InvalidInput
from agora.core.i18n import gettext as _
from agora.core.ids import parse_id
from agora.core.money import format_amount, parse_amount
from agora.http.deps import Actor, MaybeActor, Uow, get_uow, optional_actor
from agora.web.forms import run_once
from agora.web.merchant import _nav as merchant_nav
from agora.web.render import check_csrf, env, redirect, render

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form(max_length=200)]


@dataclass(frozen=True, slots=True)
class BargainPanel:
    offer: bargain.OfferView
    mine: bargain.BargainView | None
    """The signed-in shopper's campaign under it that has not expired."""


def bargain_panel(request: Request, product_id: uuid.UUID) -> BargainPanel | None:
    """The product's bargain offer for its page (``None`` when it has none)."""
    uow = get_uow(request)
    try:
        offer = bargain.product_offer(uow, product_id=product_id)
    except bargain.OfferNotFound:
        return None
    actor = optional_actor(request)
    mine = bargain.my_live_bargain(uow, actor=actor, offer_id=offer.id) if actor else None
    return BargainPanel(offer, mine)


def time_left(expires_at: datetime) -> str:
    """HH:MM:SS until ``expires_at`` (what the countdown shows before its script ticks)."""
    seconds = max(0, int((expires_at - utcnow()).total_seconds()))
    hours, rest = divmod(seconds, 3600)
    return f"{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"


env.globals.update(bargain_panel=bargain_panel, bargain_time_left=time_left)


def _signin(back: str) -> str:
    return f"/signin?{urlencode({'next': back})}"


def _message(error: AgoraError) -> str:
    return _(error.detail or error.title)


# --- shoppers ---------------------------------------------------------------------------------


@router.post("/bargain-offers/{offer_id}/start")
def start(
    offer_id: uuid.UUID,
    request: Request,
    actor: MaybeActor,
    uow: Uow,
    csrf_token: Text = "",
    product_id: Text = "",
) -> Response:
    """The product panel's "Start": open (or reopen) the shopper's campaign and go to it."""
    check_csrf(request, csrf_token)
    product = parse_id(product_id)
    back = f"/p/{product}" if product else "/"
    if actor is None:
        return redirect(request, _signin(back))
    try:
        started = bargain.start_bargain(uow, actor=actor, offer_id=offer_id)
    except bargain.AlreadyBought as error:
        return redirect(request, f"/bargains/{error.extra['bargain_id']}", flash=_message(error))
    except AgoraError as error:
        return redirect(request, back, flash=_message(error), kind="error")
    flash = (
        _("Your bargain is open. Share it: every friend who helps cuts the price.")
        if started.created
        else _("Here is your bargain, still running.")
    )
    return redirect(request, f"/bargains/{started.bargain.id}", flash=flash)


@router.get("/bargains")
def mine(request: Request, actor: Actor, uow: Uow) -> Response:
    return render(request, "bargain/mine.html", bargains=bargain.my_bargains(uow, actor=actor))


@router.get("/bargains/{bargain_id}")
def page(bargain_id: uuid.UUID, request: Request, actor: Actor, uow: Uow) -> Response:
    """A campaign: progress, price, helpers; "Help cut" for others, "Buy" and sharing for its
    owner. Anyone signed in with the link may see it — that is how friends get here."""
    view = bargain.access_bargain(uow, actor=actor, bargain_id=bargain_id)
    mine = view.owner_id == actor.user_id
    return render(
        request,
        "bargain/page.html",
        b=view,
        is_owner=mine,
        helped=view.helped_by(actor.user_id),
        can_help=not mine and view.status == "open" and not view.helped_by(actor.user_id),
        can_buy=mine and view.status == "reached",
    )


@router.post("/bargains/{bargain_id}/help")
def help_cut(
    bargain_id: uuid.UUID, request: Request, actor: Actor, uow: Uow, csrf_token: Text = ""
) -> Response:
    check_csrf(request, csrf_token)
    back = f"/bargains/{bargain_id}"
    try:
        helped = bargain.help_bargain(uow, actor=actor, bargain_id=bargain_id)
    except bargain.BargainNotFound:
        raise
    except AgoraError as error:
        return redirect(request, back, flash=_message(error), kind="error")
    text = _("You cut {cut} off {name}'s price.").format(
        cut=format_amount(helped.cut, helped.bargain.currency), name=helped.bargain.owner_name
    )
    return redirect(request, back, flash=text)


@router.post("/bargains/{bargain_id}/buy")
def buy(
    bargain_id: uuid.UUID,
    request: Request,
    actor: Actor,
    uow: Uow,
    csrf_token: Text = "",
    form_key: Text = "",
) -> Response:
    """ "Buy at ¥…": the order at the reached price, then the usual pay page. A double click
    (same form key) lands on the same pay page without a second order."""
    check_csrf(request, csrf_token)

    def place() -> dict[str, Any]:
        bought = bargain.buy_bargain(uow, actor=actor, bargain_id=bargain_id)
        return {"next": f"/pay?{urlencode({'orders': str(bought.order.id)})}"}

    try:
        done = run_once(request, uow, actor, form_key, str(bargain_id), place)
    except bargain.BargainNotFound:
        raise
    except AgoraError as error:
        return redirect(request, f"/bargains/{bargain_id}", flash=_message(error), kind="error")
    return redirect(request, done["next"])


# --- the merchant's form ----------------------------------------------------------------------


def _yuan(raw: str, field: str) -> int:
    try:
        amount = parse_amount(raw)
    except (ValueError, ArithmeticError) as exc:
        raise InvalidInput(
            _("Enter prices such as 199 or 199.50."),
            errors=[{"field": field, "message": _("not an amount")}],
        ) from exc
    return amount


def _whole(raw: str, field: str) -> int:
    try:
        return int(raw.strip())
    except ValueError as exc:
        raise InvalidInput(
            _("Enter whole numbers for helpers, hours and units."),
            errors=[{"field": field, "message": _("not a whole number")}],
        ) from exc


def _merchant_page(
    request: Request,
    uow: Any,
    actor: Any,
    product_id: uuid.UUID,
    *,
    values: dict[str, str] | None = None,
    error: str | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    with uow.read() as session:
        product = catalog.access_product(session, actor, product_id)
    detail = catalog.product_detail(uow, product.id, actor=actor)
    offers = bargain.product_offers(uow, actor=actor, product_id=product_id)
    active = next((row for row in offers if row.offer.active), None)
    return render(
        request,
        "bargain/merchant.html",
        status_code=status_code,
        console_nav=merchant_nav(catalog.stores_of(uow, actor.user_id), product.store_id),
        product=product,
        skus=[s for s in detail.skus if s.active],
        active=active,
        history=[row for row in offers if not row.offer.active],
        values=values or {},
        error=error,
        errors=errors or {},
        yuan=lambda amount: format_amount(amount)[1:].replace(",", ""),
    )


@router.get("/merchant/products/{product_id}/bargain")
def merchant_form(product_id: uuid.UUID, request: Request, actor: Actor, uow: Uow) -> Response:
    return _merchant_page(request, uow, actor, product_id)


@router.post("/merchant/products/{product_id}/bargain")
def merchant_create(
    product_id: uuid.UUID,
    request: Request,
    actor: Actor,
    uow: Uow,
    csrf_token: Text = "",
    sku_id: Text = "",
    start_price: Text = "",
    floor_price: Text = "",
    helpers_needed: Text = "",
    window_hours: Text = "",
    allotment: Text = "",
) -> Response:
    check_csrf(request, csrf_token)
    values = {
        "sku_id": sku_id,
        "start_price": start_price,
        "floor_price": floor_price,
        "helpers_needed": helpers_needed,
        "window_hours": window_hours,
        "allotment": allotment,
    }
    try:
        chosen_sku = parse_id(sku_id)
        if chosen_sku is None:
            raise InvalidInput(
                _("Choose the SKU sold at the bargain price."),
                errors=[{"field": "sku_id", "message": _("required")}],
            )
        bargain.create_offer(
            uow,
            actor=actor,
            product_id=product_id,
            sku_id=chosen_sku,
            start_price=_yuan(start_price, "start_price"),
            floor_price=_yuan(floor_price, "floor_price"),
            helpers_needed=_whole(helpers_needed, "helpers_needed"),
            window_hours=_whole(window_hours, "window_hours") if window_hours.strip() else None,
            allotment=_whole(allotment, "allotment"),
        )
    except catalog.ProductNotFound:
        raise
    except AgoraError as error:
        fields = {
            str(e.get("field")): str(e.get("message", ""))
            for e in error.extra.get("errors", [])
            if e.get("field")
        }
        return _merchant_page(
            request,
            uow,
            actor,
            product_id,
            values=values,
            error=_message(error),
            errors=fields,
            status_code=error.status,
        )
    return redirect(
        request,
        f"/merchant/products/{product_id}/bargain",
        flash=_("The bargain is on: shoppers see it on the product page."),
    )


@router.post("/merchant/products/{product_id}/bargain/end")
def merchant_end(
    product_id: uuid.UUID,
    request: Request,
    actor: Actor,
    uow: Uow,
    csrf_token: Text = "",
    offer_id: Text = "",
) -> Response:
    check_csrf(request, csrf_token)
    offers = bargain.product_offers(uow, actor=actor, product_id=product_id)
    chosen = next((row.offer.id for row in offers if str(row.offer.id) == offer_id), None)
    if chosen is None:
        raise bargain.OfferNotFound()
    bargain.end_offer(uow, actor=actor, offer_id=chosen)
    return redirect(
        request,
        f"/merchant/products/{product_id}/bargain",
        flash=_("The bargain has ended. Campaigns already running keep their time."),
    )
