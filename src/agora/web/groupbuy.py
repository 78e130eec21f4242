"""Group-deal pages: the product page's deal panel (through the ``group_deal_panel`` template
global, so the shop's product route knows nothing of teams), starting a team, the team page with
its join form and share panel (the shared one: it posts to ``/share/team/{id}``, web/sharing.py),
my teams, and the merchant's deal form.

Starting and joining create an order and move money: their forms carry a one-time key
(``form_key()``), so a double click joins once. A refusal shows the page again with the reason
and its 4xx status — for too little money, with the way to the wallet to top up.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from agora import catalog, groupbuy, inventory, ledger, payments
from agora.core.clock import utcnow
from agora.core.errors import AgoraError, InvalidInput
from agora.core.i18n import gettext as _
from agora.core.ids import parse_id
from agora.core.money import parse_amount
from agora.http.deps import Actor, MaybeActor, Uow, get_uow, optional_actor
from agora.identity import Principal
from agora.web import order_format as _order_format  # noqa: F401 - registers colour_name()
from agora.web.forms import run_once
from agora.web.merchant import _nav as merchant_nav
from agora.web.merchant import _stores as merchant_stores
from agora.web.render import check_csrf, env, redirect, render

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form(max_length=1000)]

# Refusals after which the shopper should top up rather than try again as is.
NO_MONEY = ledger.InsufficientFunds.code


@dataclass(frozen=True, slots=True)
class SkuChoice:
    id: uuid.UUID
    colour: str
    size: str
    stock: int


def group_deal_panel(request: Request, product_id: uuid.UUID) -> groupbuy.ProductDeal | None:
    """The product's running deal and its open teams, for the product page's panel."""
    return groupbuy.product_deal(
        get_uow(request), product_id=product_id, actor=optional_actor(request)
    )


env.globals.update(group_deal_panel=group_deal_panel, clock_text=groupbuy.clock_text)


def _sku_choices(uow: Any, actor: Principal | None, product_id: uuid.UUID) -> list[SkuChoice]:
    try:
        detail = catalog.product_detail(uow, product_id, actor=actor)
    except catalog.ProductNotFound:
        return []
    skus = [sku for sku in detail.skus if sku.active]
    levels = inventory.stock_levels(uow, [sku.id for sku in skus])
    return [SkuChoice(s.id, s.colour, s.size, levels.get(s.id, 0)) for s in skus]


def _line(sku_id: str, quantity: str) -> tuple[uuid.UUID, int]:
    sku = parse_id(sku_id.strip())
    if sku is None:
        raise InvalidInput(_("Choose a colour and size first."))
    try:
        return sku, int(quantity.strip() or "1")
    except ValueError as exc:
        raise InvalidInput(_("The quantity must be a whole number.")) from exc


def _error_text(error: AgoraError) -> str:
    return _(error.detail or error.title)


def _wallet(uow: Any, actor: Principal | None) -> int | None:
    return ledger.balance(uow, payments.wallet_of(actor.user_id)) if actor else None


# --- the shopper's pages ----------------------------------------------------------------------


def _team_page(
    request: Request,
    uow: Any,
    actor: Principal | None,
    team_id: uuid.UUID,
    *,
    error: AgoraError | None = None,
) -> Response:
    team = groupbuy.team_view(uow, actor=actor, team_id=team_id)
    can_join = team.joinable and team.mine is None
    return render(
        request,
        "groupbuy/team.html",
        status_code=error.status if error else 200,
        team=team,
        skus=_sku_choices(uow, actor, team.product_id) if can_join else [],
        can_join=can_join,
        wallet=_wallet(uow, actor),
        error=_error_text(error) if error else None,
        error_code=error.code if error else None,
        now=utcnow(),
    )


@router.get("/teams")
def my_teams(request: Request, actor: Actor, uow: Uow) -> Response:
    teams = groupbuy.my_teams(uow, actor=actor)
    return render(request, "groupbuy/mine.html", teams=teams, now=utcnow())


@router.get("/teams/{team_id}")
def team_page(team_id: uuid.UUID, request: Request, uow: Uow, actor: MaybeActor) -> Response:
    return _team_page(request, uow, actor, team_id)


@router.post("/group-deals/{deal_id}/teams")
def start_team(
    deal_id: uuid.UUID,
    request: Request,
    uow: Uow,
    actor: MaybeActor,
    csrf_token: Text = "",
    sku_id: Text = "",
    quantity: Text = "1",
    form_key: Text = "",
) -> Response:
    """The product panel's "Start a team": pay for one's own order, then share the team."""
    check_csrf(request, csrf_token)
    with uow.read() as session:
        product_id = groupbuy.access_deal(session, actor, deal_id).product_id
    if actor is None:
        return redirect(request, f"/signin?next=/p/{product_id}")
    try:
        sku, count = _line(sku_id, quantity)

        def start() -> dict[str, str]:
            outcome = groupbuy.start_team(
                uow, actor=actor, deal_id=deal_id, sku_id=sku, quantity=count
            )
            return {"next": f"/teams/{outcome.team.id}"}

        done = run_once(request, uow, actor, form_key, f"{deal_id}:{sku}:{count}", start)
    except AgoraError as error:
        return render(
            request,
            "groupbuy/refused.html",
            status_code=error.status,
            error=_error_text(error),
            error_code=error.code,
            back_url=f"/p/{product_id}",
            wallet=_wallet(uow, actor),
        )
    return redirect(
        request,
        done["next"],
        flash=_("Your team is open. Share it so that friends join before the time runs out."),
    )


@router.post("/teams/{team_id}/join")
def join_team(
    team_id: uuid.UUID,
    request: Request,
    uow: Uow,
    actor: MaybeActor,
    csrf_token: Text = "",
    sku_id: Text = "",
    quantity: Text = "1",
    form_key: Text = "",
) -> Response:
    check_csrf(request, csrf_token)
    if actor is None:
        return redirect(request, f"/signin?next=/teams/{team_id}")
    try:
        sku, count = _line(sku_id, quantity)

        def join() -> dict[str, str]:
            outcome = groupbuy.join_team(
                uow, actor=actor, team_id=team_id, sku_id=sku, quantity=count
            )
            return {"status": outcome.team.status}

        done = run_once(request, uow, actor, form_key, f"{team_id}:{sku}:{count}", join)
    except AgoraError as error:
        return _team_page(request, uow, actor, team_id, error=error)
    message = (
        _("You joined and the team is full: every order goes to the store now.")
        if done["status"] == groupbuy.COMPLETE
        else _("You joined the team. It ships once every place is taken.")
    )
    return redirect(request, f"/teams/{team_id}", flash=message)


# --- the merchant's deal form -----------------------------------------------------------------


def _deal_page(
    request: Request,
    uow: Any,
    actor: Principal,
    product_id: uuid.UUID,
    *,
    error: AgoraError | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    with uow.read() as session:
        product = catalog.access_product(session, actor, product_id)
    deals = groupbuy.merchant_deals(uow, actor=actor, product_id=product_id)
    field_errors = {
        e.get("field", ""): e.get("message", "")
        for e in (error.extra.get("errors", []) if error else [])
    }
    return render(
        request,
        "groupbuy/merchant_deal.html",
        status_code=error.status if error else 200,
        console_nav=merchant_nav(merchant_stores(uow, actor, product.store_id), product.store_id),
        product=product,
        deals=deals,
        error=_error_text(error) if error else None,
        field_errors=field_errors,
        values=values
        or {
            "team_size": "2",
            "group_price": "",
            "stock": "",
            "user_limit": "1",
            "window_hours": "",
        },
    )


@router.get("/merchant/products/{product_id}/group-deal")
def deal_form(product_id: uuid.UUID, request: Request, actor: Actor, uow: Uow) -> Response:
    return _deal_page(request, uow, actor, product_id)


def _whole(raw: str, field: str) -> int:
    try:
        return int(raw.strip())
    except ValueError as exc:
        raise InvalidInput(
            _("Enter whole numbers for the team size, units and hours."),
            errors=[{"field": field, "message": _("a whole number")}],
        ) from exc


@router.post("/merchant/products/{product_id}/group-deal")
def create_deal(
    product_id: uuid.UUID,
    request: Request,
    actor: Actor,
    uow: Uow,
    csrf_token: Text = "",
    team_size: Text = "",
    group_price: Text = "",
    stock: Text = "",
    user_limit: Text = "1",
    window_hours: Text = "",
) -> Response:
    check_csrf(request, csrf_token)
    values = {
        "team_size": team_size,
        "group_price": group_price,
        "stock": stock,
        "user_limit": user_limit,
        "window_hours": window_hours,
    }
    try:
        try:
            price = parse_amount(group_price)
        except (ValueError, ArithmeticError) as exc:
            raise InvalidInput(
                _("Enter prices such as 199 or 199.50."),
                errors=[{"field": "group_price", "message": _("a price in yuan")}],
            ) from exc
        terms = groupbuy.DealTerms(
            team_size=_whole(team_size, "team_size"),
            group_price=price,
            stock=_whole(stock, "stock"),
            user_limit=_whole(user_limit or "1", "user_limit"),
            window_hours=_whole(window_hours, "window_hours") if window_hours.strip() else None,
        )
        groupbuy.create_deal(uow, actor=actor, product_id=product_id, terms=terms)
    except AgoraError as error:
        return _deal_page(request, uow, actor, product_id, error=error, values=values)
    return redirect(
        request,
        f"/merchant/products/{product_id}/group-deal",
        flash=_("The group deal is on. Shoppers can start teams now."),
    )


@router.post("/merchant/group-deals/{deal_id}/end")
def end_deal(
    deal_id: uuid.UUID, request: Request, actor: Actor, uow: Uow, csrf_token: Text = ""
) -> Response:
    check_csrf(request, csrf_token)
    deal = groupbuy.end_deal(uow, actor=actor, deal_id=deal_id)
    return redirect(
        request,
        f"/merchant/products/{deal.product_id}/group-deal",
        flash=_("The deal has ended: no new teams. Open teams may still fill until their time."),
    )
