"""Shopper pages for buying: the cart, checkout, paying, and the buyer's orders.

Every page calls the ordering and payments use cases; nothing here decides a business rule. A
refused form (an AgoraError from a use case) re-renders its page with the message and the error's
4xx status, so the shopper sees what went wrong where they were.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response

from agora import credit, logistics, ordering, payments, points, recommendations, reviews, treasure
from agora.config import get_settings
from agora.core.errors import AgoraError, InvalidInput
from agora.core.i18n import gettext as _
from agora.core.i18n import ngettext
from agora.core.ids import parse_id
from agora.core.money import format_amount
from agora.http.deps import Actor, MaybeActor, Uow
from agora.identity import Principal
from agora.web import order_format as _order_format  # noqa: F401 - registers template globals
from agora.web.dispute_parts import dispute_context
from agora.web.forms import run_once
from agora.web.render import check_csrf, redirect, render, safe_next

router = APIRouter(include_in_schema=False)

Text = Annotated[str, Form(max_length=5000)]
Texts = Annotated[list[str], Form()]
STATUS_TABS = (
    "pending_payment",
    "paid",
    "shipped",
    "delivered",
    "completed",
    "refunded",
    "cancelled",
)
MAX_PAY_ORDERS = 50
POINTS = "points"


def _error_text(error: AgoraError) -> str:
    return _(error.detail or error.title)


def _id(raw: str) -> uuid.UUID:
    parsed = parse_id(raw.strip())
    if parsed is None:
        raise InvalidInput(_("This item is not on sale."))
    return parsed


def _quantity(raw: str) -> int:
    try:
        return int(raw.strip() or "1")
    except ValueError as exc:
        raise InvalidInput(_("The quantity must be between 1 and 99.")) from exc


# ── Cart ─────────────────────────────────────────────────────────────────────────────────────
def _cart_page(
    request: Request, uow: Any, actor: Principal, error: str | None = None, status_code: int = 200
) -> Response:
    cart = ordering.view_cart(uow, actor=actor)
    return render(
        request,
        "cart/cart.html",
        status_code=status_code,
        cart=cart,
        groups=cart.by_store(),
        addresses=logistics.list_addresses(uow, actor=actor),
        error=error,
        max_quantity=99,
    )


@router.get("/cart")
def cart_page(request: Request, actor: Actor, uow: Uow) -> Response:
    return _cart_page(request, uow, actor)


def _first_sku(sku_id: list[str]) -> str:
    # The picker's hidden input and (without JavaScript) the radio buttons share the name.
    return next((raw for raw in sku_id if raw.strip()), "")


def _signin_back(request: Request, product_id: str) -> Response:
    parsed = parse_id(product_id)
    back = f"/p/{parsed}" if parsed else "/cart"
    return redirect(request, f"/signin?{urlencode({'next': safe_next(back)})}")


@router.post("/cart/add")
def add_to_cart(
    request: Request,
    actor: MaybeActor,
    uow: Uow,
    csrf_token: Text = "",
    sku_id: Texts = [],  # noqa: B006 - FastAPI copies defaults per request
    quantity: Text = "1",
    product_id: Text = "",
) -> Response:
    check_csrf(request, csrf_token)
    if actor is None:
        return _signin_back(request, product_id)
    try:
        raw = _first_sku(sku_id)
        if not raw:
            raise InvalidInput(_("Choose a colour and size first."))
        sku = _id(raw)
        ordering.add_to_cart(uow, actor=actor, sku_id=sku, quantity=_quantity(quantity))
    except AgoraError as error:
        return _back_to_product(request, uow, actor, product_id, error)
    product = parse_id(product_id)
    if product is not None:
        recommendations.record_event(actor.user_id, recommendations.CART, product_id=product)
    return redirect(request, "/cart", flash=_("Added to your cart."))


def _back_to_product(
    request: Request, uow: Any, actor: Principal, product_id: str, error: AgoraError
) -> Response:
    """A refused "Add to cart" or "Buy now": back to the product the shopper was looking at,
    with why (a quantity out of range, a SKU sold out or off sale); the cart page with it when
    the form named no product."""
    parsed = parse_id(product_id)
    if parsed is None:
        return _cart_page(request, uow, actor, _error_text(error), error.status)
    return redirect(request, f"/p/{parsed}", flash=_error_text(error), kind="error")


@router.post("/checkout/now")
def buy_now(
    request: Request,
    actor: MaybeActor,
    uow: Uow,
    csrf_token: Text = "",
    sku_id: Texts = [],  # noqa: B006
    quantity: Text = "1",
    product_id: Text = "",
    form_key: Text = "",
) -> Response:
    """ "Buy now": an order for just this SKU, straight to paying; the cart is left alone."""
    check_csrf(request, csrf_token)
    if actor is None:
        return _signin_back(request, product_id)
    try:
        raw = _first_sku(sku_id)
        if not raw:
            raise InvalidInput(_("Choose a colour and size first."))
        line = ordering.LineRequest(_id(raw), _quantity(quantity))

        def place() -> dict[str, str]:
            return {"next": _pay_url(ordering.place_orders(uow, actor=actor, lines=[line]))}

        done = run_once(request, uow, actor, form_key, f"{line.sku_id}:{line.quantity}", place)
    except ordering.AddressRequired as error:
        back = safe_next(f"/p/{product_id}") if parse_id(product_id) else "/cart"
        target = f"/addresses?{urlencode({'next': back})}#add"
        return redirect(request, target, flash=_error_text(error), kind="error")
    except AgoraError as error:
        return _back_to_product(request, uow, actor, product_id, error)
    return redirect(request, done["next"])


@router.post("/cart/update")
def update_cart(
    request: Request,
    actor: Actor,
    uow: Uow,
    csrf_token: Text = "",
    sku_id: Text = "",
    quantity: Text = "",
) -> Response:
    check_csrf(request, csrf_token)
    try:
        ordering.set_cart_quantity(
            uow, actor=actor, sku_id=_id(sku_id), quantity=_quantity(quantity)
        )
    except AgoraError as error:
        return _cart_page(request, uow, actor, _error_text(error), error.status)
    return redirect(request, "/cart", flash=_("Cart updated."))


@router.post("/cart/remove")
def remove_from_cart(
    request: Request, actor: Actor, uow: Uow, csrf_token: Text = "", sku_id: Text = ""
) -> Response:
    check_csrf(request, csrf_token)
    try:
        ordering.remove_from_cart(uow, actor=actor, sku_id=_id(sku_id))
    except AgoraError as error:
        return _cart_page(request, uow, actor, _error_text(error), error.status)
    return redirect(request, "/cart", flash=_("Removed from your cart."))


@router.post("/checkout")
def checkout(
    request: Request,
    actor: Actor,
    uow: Uow,
    csrf_token: Text = "",
    form_key: Text = "",
    address_id: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """Place the whole cart: one order per store, then pay for them together."""
    check_csrf(request, csrf_token)
    chosen = parse_id(address_id) if address_id else None

    def place() -> dict[str, str]:
        return {"next": _pay_url(ordering.place_orders(uow, actor=actor, address_id=chosen))}

    try:
        done = run_once(request, uow, actor, form_key, f"cart:{chosen}", place)
    except AgoraError as error:
        return _cart_page(request, uow, actor, _error_text(error), error.status)
    return redirect(request, done["next"])


# ── Paying ───────────────────────────────────────────────────────────────────────────────────
def _pay_url(orders: list[ordering.OrderView]) -> str:
    return "/pay?" + urlencode({"orders": ",".join(str(o.id) for o in orders)})


def _order_ids(raw: str) -> list[uuid.UUID]:
    ids = [parse_id(part.strip()) for part in raw.split(",") if part.strip()]
    if not ids or None in ids or len(ids) > MAX_PAY_ORDERS:
        raise ordering.OrderNotFound()
    return list(dict.fromkeys(i for i in ids if i is not None))


def _pay_page(
    request: Request,
    uow: Any,
    actor: Principal,
    raw_ids: str,
    error: str | None = None,
    status_code: int = 200,
    method: str = "",
    use_points: bool = False,
) -> Response:
    orders = [ordering.order_detail(uow, actor=actor, order_id=oid) for oid in _order_ids(raw_ids)]
    for order in orders:
        if order.buyer_id != actor.user_id:  # staff may read an order; only its buyer pays
            raise ordering.OrderNotFound()
    payable = [o for o in orders if o.status == "pending_payment"]
    total = sum(o.total for o in payable)
    balance = payments.wallet_balance(uow, actor=actor)
    sources = (
        payments.enabled_sources(uow, store_ids={o.store_id for o in payable}) if payable else []
    )
    # What points can take off: capped by the share of each order and by the points held.
    discount = (
        points.redeemable(uow, user_id=actor.user_id, totals=[o.total for o in payable])
        if POINTS in sources
        else 0
    )
    due = total - discount if use_points else total
    wallet_on = payments.WALLET in sources
    bank_on = payments.GATEWAY_SANDBOX in sources
    saved = treasure.treasure_balance(uow, actor.user_id)
    line = _credit_line(uow, actor)
    available = line.credit_limit - line.used if line and line.status == "active" else 0
    choices = {
        # With points on offer, the wallet only has to cover what they leave.
        "wallet": wallet_on and balance >= total - discount,
        "treasure": payments.TREASURE in sources and saved >= total - discount,
        "credit": payments.CREDIT in sources and available >= total - discount,
        "bank": bank_on,
        "mixed": wallet_on and bank_on and 0 < balance < due,
    }
    chosen = method if choices.get(method) else next((k for k, ok in choices.items() if ok), "")
    return render(
        request,
        "orders/pay.html",
        status_code=status_code,
        orders=orders,
        payable=payable,
        total=total,
        balance=balance,
        treasure_balance=saved,
        credit_line=line,
        credit_available=available,
        choices=choices,
        chosen=chosen,
        discount=discount,
        discount_points=points.points_for(discount) if discount else 0,
        use_points=use_points and discount > 0,
        points_share=f"{(get_settings().points_max_redeem_share * 100).normalize():f}",
        order_ids=",".join(str(o.id) for o in orders),
        pay_by=min((o.pay_by for o in payable), default=None),
        error=error,
    )


def _credit_line(uow: Any, actor: Principal) -> credit.CreditLine | None:
    with uow.read() as session:
        line: credit.CreditLine | None = session.get(credit.CreditLine, actor.user_id)
        return line


@router.get("/pay")
def pay_page(
    request: Request,
    actor: Actor,
    uow: Uow,
    orders: Annotated[str, Query(max_length=2000)] = "",
) -> Response:
    return _pay_page(request, uow, actor, orders)


def _discount(use_points: str, points_amount: str) -> int:
    """The points discount the form asked for (fen), 0 without the box ticked."""
    if use_points != "1":
        return 0
    try:
        discount = int(points_amount.strip())
    except ValueError as exc:
        raise points.PointsAmountInvalid() from exc
    if discount < 1:
        raise points.PointsAmountInvalid()
    return discount


@router.post("/pay")
def pay(
    request: Request,
    actor: Actor,
    uow: Uow,
    csrf_token: Text = "",
    orders: Text = "",
    method: Text = "",
    form_key: Text = "",
    use_points: Text = "",
    points_amount: Text = "",
) -> Response:
    check_csrf(request, csrf_token)
    ids = _order_ids(orders)
    back = f"/orders/{ids[0]}" if len(ids) == 1 else "/orders"

    def pay_now() -> dict[str, str]:
        discount = _discount(use_points, points_amount)
        with_points = [ordering.SourceRequest(POINTS, discount)] if discount else []
        if method in ("wallet", "treasure", "credit"):
            source = {"wallet": payments.WALLET, "treasure": payments.TREASURE}
            sources = [*with_points, ordering.SourceRequest(source.get(method, payments.CREDIT))]
        elif method == "bank":
            sources = [*with_points, ordering.SourceRequest(payments.GATEWAY_SANDBOX)]
        elif method == "mixed":
            # "Wallet, then the bank for the rest": the wallet part is what the wallet holds now
            # (the use case checks it again, and the ledger guards the debit).
            balance = payments.wallet_balance(uow, actor=actor)
            if discount:
                # Points may leave less to pay than the wallet holds: the bank still takes a part.
                total = sum(ordering.order_detail(uow, actor=actor, order_id=i).total for i in ids)
                balance = min(balance, total - discount - 1)
            sources = [
                *with_points,
                ordering.SourceRequest(payments.WALLET, balance),
                ordering.SourceRequest(payments.GATEWAY_SANDBOX),
            ]
        else:
            raise InvalidInput(_("Choose how to pay."))
        outcome = ordering.pay_orders(
            uow, actor=actor, order_ids=ids, sources=sources, return_url=back
        )
        if outcome.status == "awaiting_gateway" and outcome.redirect_url:
            return {"bank": outcome.redirect_url}
        money = (
            outcome.wallet_amount
            + outcome.treasure_amount
            + outcome.credit_amount
            + outcome.gateway_amount
        )
        return {"paid": back, "amount": str(money), "count": str(len(outcome.orders))}

    fields = f"{orders}:{method}:{use_points == '1'}:{points_amount.strip()}"
    try:
        done = run_once(request, uow, actor, form_key, fields, pay_now)
    except AgoraError as error:
        return _pay_page(
            request,
            uow,
            actor,
            orders,
            _error_text(error),
            error.status,
            method=method,
            use_points=use_points == "1",
        )
    if "bank" in done:
        return redirect(request, done["bank"])
    return redirect(request, done["paid"], flash=_paid_message(done))


def _paid_message(done: dict[str, str]) -> str:
    """ "Paid ¥123.00 for 3 orders": what left the shopper's money (points not counted) and for
    how many orders, from the answer run_once keeps (a resubmitted form reads the same)."""
    count = int(done.get("count", "1"))
    text = ngettext(
        "Paid %(amount)s for %(num)d order. The store will ship it soon.",
        "Paid %(amount)s for %(num)d orders. Each store will ship its order soon.",
        count,
    )
    return text % {"amount": format_amount(int(done.get("amount", "0"))), "num": count}


# ── Orders ───────────────────────────────────────────────────────────────────────────────────
@router.get("/orders")
def orders_page(
    request: Request,
    actor: Actor,
    uow: Uow,
    status: Annotated[str, Query(max_length=30)] = "",
    q: Annotated[str, Query(max_length=40)] = "",
    cursor: Annotated[str | None, Query(max_length=100)] = None,
) -> Response:
    if status not in STATUS_TABS:
        status = ""
    q, q_error = number_query(q)
    page = ordering.list_orders(
        uow, actor=actor, status=status or None, number=q or None, cursor=cursor
    )
    params = {**({"status": status} if status else {}), **({"q": q} if q else {})}
    next_url = (
        f"/orders?{urlencode({**params, 'cursor': page.next_cursor})}" if page.next_cursor else None
    )
    return render(
        request,
        "orders/list.html",
        page=page,
        parcels=ordering.shipping.whereabouts(uow, [order.id for order in page.items]),
        status=status,
        q=q,
        q_error=q_error,
        tabs=STATUS_TABS,
        next_url=next_url,
    )


def number_query(raw: str) -> tuple[str, str | None]:
    """The order-number search as typed (spaces dropped), and the message to show beside the box
    when it cannot be (the start of) an order number."""
    q = "".join(raw.split())
    if q and ordering.number_bounds(q) is None:
        return q, _("An order number is up to 16 digits, such as 2026120700000042.")
    return q, None


def _order_page(
    request: Request,
    uow: Any,
    actor: Principal,
    order_id: uuid.UUID,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    order = ordering.order_detail(uow, actor=actor, order_id=order_id)
    if order.buyer_id != actor.user_id:  # staff use the merchant console's page
        raise ordering.OrderNotFound()
    latest = ordering.shipping.latest_parcels(uow, [order.id])
    return render(
        request,
        "orders/detail.html",
        status_code=status_code,
        order=order,
        error=error,
        awaiting_bank=bool(request.query_params.get("charge"))
        and order.status == "pending_payment",
        line_titles={line.id: line for line in order.lines},
        line_reviews=reviews.reviews_of_order(uow, actor=actor, order_id=order.id),
        parcel=latest.get((order.id, logistics.shipments.OUTBOUND)),
        return_parcel=latest.get((order.id, logistics.shipments.RETURN)),
        review_open=reviews.can_review(order),
        **dispute_context(uow, actor, order, side="buyer"),
    )


@router.get("/orders/{order_id}")
def order_page(order_id: uuid.UUID, request: Request, actor: Actor, uow: Uow) -> Response:
    return _order_page(request, uow, actor, order_id)


@router.post("/orders/{order_id}/lines/{line_id}/review")
def review_line(
    order_id: uuid.UUID,
    line_id: uuid.UUID,
    request: Request,
    actor: Actor,
    uow: Uow,
    stars: Annotated[str, Form(max_length=2)] = "",
    text: Annotated[str, Form(max_length=1000)] = "",
    image_links: Annotated[str, Form(max_length=3100)] = "",
    csrf_token: Text = "",
) -> Response:
    check_csrf(request, csrf_token)
    try:
        reviews.write_review(
            uow,
            actor=actor,
            order_line_id=line_id,
            stars=int(stars) if stars.isdigit() else 0,
            text=text,
            image_urls=image_links.split(),
        )
    except AgoraError as error:
        return _order_page(request, uow, actor, order_id, _error_text(error), error.status)
    return redirect(request, f"/orders/{order_id}#review", flash=_("Thanks for your review!"))


@router.post("/orders/{order_id}/cancel")
def cancel(
    order_id: uuid.UUID, request: Request, actor: Actor, uow: Uow, csrf_token: Text = ""
) -> Response:
    check_csrf(request, csrf_token)
    try:
        ordering.cancel_order(uow, actor=actor, order_id=order_id)
    except AgoraError as error:
        return _order_page(request, uow, actor, order_id, _error_text(error), error.status)
    return redirect(request, f"/orders/{order_id}", flash=_("Order cancelled."))


@router.post("/orders/{order_id}/confirm")
def confirm(
    order_id: uuid.UUID, request: Request, actor: Actor, uow: Uow, csrf_token: Text = ""
) -> Response:
    check_csrf(request, csrf_token)
    try:
        ordering.confirm_receipt(uow, actor=actor, order_id=order_id)
    except AgoraError as error:
        return _order_page(request, uow, actor, order_id, _error_text(error), error.status)
    return redirect(request, f"/orders/{order_id}", flash=_("Thanks! You confirmed receipt."))


@router.post("/orders/{order_id}/refund")
def refund(
    order_id: uuid.UUID,
    request: Request,
    actor: Actor,
    uow: Uow,
    csrf_token: Text = "",
    scope: Text = "all",
    reason: Text = "",
    line_id: Texts = [],  # noqa: B006
    line_qty: Texts = [],  # noqa: B006
    form_key: Text = "",
) -> Response:
    """A refund (paid, not shipped) or a return request (shipped or delivered): the whole order
    or some units of some lines."""
    check_csrf(request, csrf_token)
    try:
        lines: dict[uuid.UUID, int] | None = None
        if scope == "lines":
            lines = {}
            for raw_id, raw_qty in zip(line_id, line_qty, strict=True):
                quantity = int(raw_qty or 0)
                if quantity:
                    lines[_id(raw_id)] = quantity
            if not lines:
                raise InvalidInput(_("Choose at least one item to refund."))
        asked = lines

        def ask() -> dict[str, str]:
            result = ordering.request_refund(
                uow, actor=actor, order_id=order_id, lines=asked, reason=reason
            )
            return {"status": result.status}

        fields = f"{scope}:{sorted((str(k), v) for k, v in (lines or {}).items())}:{reason}"
        done = run_once(request, uow, actor, form_key, fields, ask)
    except ValueError:
        return _order_page(
            request, uow, actor, order_id, _("Quantities must be whole numbers."), 422
        )
    except AgoraError as error:
        return _order_page(request, uow, actor, order_id, _error_text(error), error.status)
    message = (
        _("Refunded. The money is on its way back to where you paid from.")
        if done["status"] == "refunded"
        else _("Return requested. The store will answer soon.")
    )
    return redirect(request, f"/orders/{order_id}", flash=message)
