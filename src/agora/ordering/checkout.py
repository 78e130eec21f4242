"""Checkout: from the cart (or "buy now" lines) to one order per store, with stock reserved.

Either every order is placed with all its stock held, or nothing is: the stock holds are guarded
UPDATEs in sku-id order inside the one transaction, and the first that finds too little stock
raises InsufficientStock, which rolls back the holds before it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from agora import logistics
from agora.core.clock import utcnow
from agora.core.errors import InvalidInput
from agora.core.ids import new_id
from agora.core.jobs import schedule_deadline
from agora.core.prepared import Prepared
from agora.core.uow import UnitOfWork
from agora.identity import Principal
from agora.inventory import STOCK_GATE, InsufficientStock, Stock
from agora.ordering import domain, state
from agora.ordering.cart import (
    MAX_CART_LINES,
    MAX_QUANTITY,
    Sellable,
    sellable_sku,
    take_from_cart,
)
from agora.ordering.errors import N_, AddressRequired, CartEmpty
from agora.ordering.models import CartItem, Order, OrderLine
from agora.ordering.numbers import take_numbers
from agora.ordering.queries import LineView, OrderView

PAYMENT_DUE = "order_payment_due"


@dataclass(frozen=True, slots=True)
class LineRequest:
    """One line of a "buy now" checkout."""

    sku_id: uuid.UUID
    quantity: int


def place_orders(
    uow: UnitOfWork,
    *,
    actor: Principal,
    lines: Sequence[LineRequest] | None = None,
    address_id: uuid.UUID | None = None,
) -> list[OrderView]:
    """Place one order per store, each ``pending_payment`` for 15 minutes, with stock reserved.

    ``lines=None`` checks out the whole cart (and empties those lines); otherwise the given lines
    are bought directly and the cart is left alone. Orders come back in store-id order. Each
    order gets a copy of the delivery address: ``address_id``, or the shopper's default.

    Raises:
        AddressRequired (409): no address named and no default; AddressNotFound (404): the
            named address is not the shopper's.
        CartEmpty / InvalidInput: nothing to buy, a bad quantity, too many lines.
        SkuUnavailable (422): a SKU, its product or its store is off sale.
        InsufficientStock (409): a SKU has too little stock; nothing was created.
    """
    with uow:
        ship_to = _ship_to(uow.session, actor, address_id)
        quantities = _merge(_requested(uow.session, actor, lines))
        orders = _place(uow, actor, quantities, ship_to)
        if lines is None:
            take_from_cart(uow.session, actor, list(quantities))
        return orders


@dataclass(frozen=True, slots=True)
class Deal:
    """The deal an order belongs to, which sets its price (see :mod:`agora.ordering.deals`)."""

    kind: str
    id: uuid.UUID
    unit_price: int
    hold: bool


_ORDER_COLUMNS = (
    "id",
    "number",
    "checkout_id",
    "buyer_id",
    "store_id",
    "status",
    "currency",
    "total",
    "paid_amount",
    "refunded_amount",
    "return_open",
    "created_at",
    "pay_by",
    "deal_kind",
    "deal_id",
    "held",
    "ship_to",
)
_LINE_VIEW_COLUMNS = (
    "id",
    "sku_id",
    "product_id",
    "title_en",
    "title_zh",
    "colour",
    "size",
    "image_url",
    "unit_price",
    "quantity",
    "refunded_quantity",
    "returning_quantity",
)
# Prepared (core.prepared): every purchase writes one order and its lines.
_INSERT_ORDER = Prepared.insert(Order.__table__, _ORDER_COLUMNS)  # type: ignore[arg-type]
_INSERT_LINE = Prepared.insert(
    OrderLine.__table__,  # type: ignore[arg-type]
    ("order_id", "position", *_LINE_VIEW_COLUMNS),
)


def _place(
    uow: UnitOfWork,
    actor: Principal,
    quantities: dict[uuid.UUID, int],
    ship_to: dict[str, str],
    deal: Deal | None = None,
) -> list[OrderView]:
    """Reserve the stock and write one order per store with its lines; the orders as written
    (nothing is read back: the views are built from the rows this inserted)."""
    session = uow.session
    snapshots = {sku_id: sellable_sku(session, sku_id) for sku_id in quantities}
    state.reserve_stock(uow, quantities)

    def price_of(sku: Sellable) -> int:
        return deal.unit_price if deal is not None else sku.price

    now = utcnow()
    checkout_id = new_id()
    by_store: dict[uuid.UUID, list[Sellable]] = {}
    for sku_id in quantities:  # the shopper's order within each store
        by_store.setdefault(snapshots[sku_id].store_id, []).append(snapshots[sku_id])
    orders: list[OrderView] = []
    numbers = take_numbers(session, at=now, count=len(by_store))
    for store_id, number in zip(sorted(by_store), numbers, strict=True):
        skus = by_store[store_id]
        order_id = new_id()
        lines = [
            LineView(
                id=new_id(),
                sku_id=sku.sku_id,
                product_id=sku.product_id,
                title_en=sku.title_en,
                title_zh=sku.title_zh,
                colour=sku.colour,
                size=sku.size,
                image_url=sku.image_url,
                unit_price=price_of(sku),
                quantity=quantities[sku.sku_id],
                refunded_quantity=0,
                returning_quantity=0,
            )
            for sku in skus
        ]
        orders.append(
            OrderView(
                id=order_id,
                number=number,
                checkout_id=checkout_id,
                buyer_id=actor.user_id,
                store_id=store_id,
                store_name_en=skus[0].store_name_en,
                store_name_zh=skus[0].store_name_zh,
                status=domain.PENDING_PAYMENT,
                currency=skus[0].currency,
                total=sum(line.line_total for line in lines),
                paid_amount=0,
                refunded_amount=0,
                return_open=False,
                tracking_number=None,
                created_at=now,
                pay_by=now + domain.PAY_WINDOW,
                paid_at=None,
                shipped_at=None,
                delivered_at=None,
                confirm_by=None,
                closed_at=None,
                lines=lines,
                deal_kind=deal.kind if deal else None,
                deal_id=deal.id if deal else None,
                held=deal.hold if deal else False,
                ship_to=ship_to,
            )
        )
    _INSERT_ORDER.execute_many(
        session,
        [{name: getattr(order, name) for name in _ORDER_COLUMNS} for order in orders],
    )
    _INSERT_LINE.execute_many(
        session,
        [
            {
                "order_id": order.id,
                "position": position,
                **{name: getattr(line, name) for name in _LINE_VIEW_COLUMNS},
            }
            for order in orders
            for position, line in enumerate(order.lines)
        ],
    )
    for order in orders:
        schedule_deadline(uow, kind=PAYMENT_DUE, ref_id=order.id, due_at=order.pay_by)
        state.record(
            uow,
            order,
            "placed",
            actor=actor,
            role="buyer",
            data={"total": order.total, "checkout_id": str(checkout_id)},
        )
    return orders


def place_deal_order(
    uow: UnitOfWork,
    *,
    actor: Principal,
    sku_id: uuid.UUID,
    quantity: int,
    unit_price: int,
    deal_kind: str,
    deal_id: uuid.UUID,
    hold: bool,
    address_id: uuid.UUID | None = None,
) -> OrderView:
    """Place one order of a deal (a group team, a bargain) at the deal's ``unit_price``.

    The caller — the deal's own context — has decided the price and who may buy at it; this
    holds the stock like any checkout and leaves the order ``pending_payment``. ``hold`` keeps
    a paid group order from being shipped or refunded by its buyer until :func:`release_holds`.

    Raises what :func:`place_orders` raises, and InvalidInput for a price below one fen.
    """
    if unit_price < 1:
        raise InvalidInput(N_("A deal price is at least one fen."))
    with uow:
        ship_to = _ship_to(uow.session, actor, address_id)
        quantities = _merge([LineRequest(sku_id, quantity)])
        deal = Deal(deal_kind, deal_id, unit_price, hold)
        (order,) = _place(uow, actor, quantities, ship_to, deal)
        return order


def _ship_to(session: Session, actor: Principal, address_id: uuid.UUID | None) -> dict[str, str]:
    """The address the orders go to, as copied onto them: the named one (the shopper's own, or
    AddressNotFound) or the default (AddressRequired when there is none)."""
    if address_id is not None:
        return logistics.address_snapshot(session, actor, address_id)
    default = logistics.default_snapshot(session, actor)
    if default is None:
        raise AddressRequired()
    return default


def check_stock(
    uow: UnitOfWork, *, actor: Principal, lines: Sequence[LineRequest] | None = None
) -> None:
    """Refuse at once, from committed figures and without writing, a checkout whose stock is
    already gone (InsufficientStock). Only a fast path for sold-out flash sales: stock that is
    there now may be gone a moment later, which :func:`place_orders`'s guarded update decides.
    """
    refuse_sold_out(uow, lines)
    with uow.read() as session:
        wanted = _totals(_requested(session, actor, lines))
        if not wanted:
            return
        available = dict(
            session.execute(
                select(Stock.sku_id, Stock.available).where(Stock.sku_id.in_(list(wanted)))
            ).all()
        )
    for sku_id in sorted(wanted):
        if available.get(sku_id, 0) < wanted[sku_id]:
            raise InsufficientStock(sku_id=str(sku_id))


def refuse_sold_out(uow: UnitOfWork, lines: Sequence[LineRequest] | None) -> None:
    """Refuse "buy now" lines of a SKU whose stock gate is closed, from memory alone."""
    if lines is None:
        return
    gate = uow.gates[STOCK_GATE]
    for line in lines:
        if gate.is_closed(str(line.sku_id)):
            raise InsufficientStock(sku_id=str(line.sku_id))


def _requested(
    session: Session, actor: Principal, lines: Sequence[LineRequest] | None
) -> list[LineRequest]:
    """The given "buy now" lines, or (``None``) the actor's cart in the order it was filled."""
    if lines is not None:
        return list(lines)
    return [
        LineRequest(sku_id, quantity)
        for sku_id, quantity in session.execute(
            select(CartItem.sku_id, CartItem.quantity)
            .where(CartItem.user_id == actor.user_id)
            .order_by(CartItem.added_at, CartItem.sku_id)
        )
    ]


def _totals(lines: Sequence[LineRequest]) -> dict[uuid.UUID, int]:
    """Units per SKU, in first-seen order (two lines of one SKU add up)."""
    merged: dict[uuid.UUID, int] = {}
    for line in lines:
        merged[line.sku_id] = merged.get(line.sku_id, 0) + line.quantity
    return merged


def _merge(lines: Sequence[LineRequest]) -> dict[uuid.UUID, int]:
    if not lines:
        raise CartEmpty()
    merged = _totals(lines)
    if len(merged) > MAX_CART_LINES:
        raise InvalidInput(N_("At most 50 different items per checkout."))
    if any(not 1 <= q <= MAX_QUANTITY for q in merged.values()):
        raise InvalidInput(
            N_("The quantity must be between 1 and 99."),
            errors=[{"field": "quantity", "message": "between 1 and 99"}],
        )
    return merged
