"""Buying in a flash deal, from the room: one tap, the order at the deal's price paid from the
wallet, in one transaction run as a command of the process's writer (core.writer).

The deal's units are taken by one guarded UPDATE (``remaining = remaining - q WHERE status =
'open' AND closes_at > now AND remaining >= q``), so it is never oversold; the buyer's units by a
guarded upsert that refuses past the deal's limit. The units then pass back through the SKU's
stock into an ordinary order (``ordering.place_deal_order`` holds them as any checkout does), so
paying, cancelling and refunding stay ordering's. Any refusal raises and the whole transaction
rolls back — room counters, deal, limit, stock, order and payment together.

Once the last unit is taken the deal's memory gate (core.gates) closes: the crowd that taps
"Buy" after it is answered from memory, without a transaction.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session

from agora import catalog, ordering
from agora.core.clock import utcnow
from agora.core.db import dialect_insert
from agora.core.prepared import Prepared
from agora.core.uow import UnitOfWork
from agora.identity import Principal
from agora.live import domain, stock
from agora.live.access import OPEN_STORE, is_staff
from agora.live.errors import (
    FlashDealClosed,
    FlashDealNotFound,
    FlashDealNotOpen,
    FlashDealSoldOut,
    FlashLimitReached,
)
from agora.live.flash import FLASH_GATE
from agora.live.models import FlashDeal, FlashDealBuyer, LiveRoom

_deals: Table = FlashDeal.__table__  # type: ignore[assignment]
_rooms: Table = LiveRoom.__table__  # type: ignore[assignment]
_buyers: Table = FlashDealBuyer.__table__  # type: ignore[assignment]
_products: Table = catalog.Product.__table__  # type: ignore[assignment]
_stores: Table = catalog.Store.__table__  # type: ignore[assignment]

_TARGET = select(
    _deals.c.room_id,
    _deals.c.product_id,
    _deals.c.sku_id,
    _deals.c.price,
    _deals.c.per_buyer_limit,
    _deals.c.status,
    _deals.c.closes_at,
    _rooms.c.store_id,
    _stores.c.status.label("store_status"),
    _products.c.title_en,
    _products.c.title_zh,
).select_from(
    _deals.join(_rooms, _rooms.c.id == _deals.c.room_id)
    .join(_stores, _stores.c.id == _rooms.c.store_id)
    .join(_products, _products.c.id == _deals.c.product_id)
)
# The purchase's statements, compiled once per dialect (core.prepared): a flash deal's winners
# all queue on the writer, and building each statement anew showed in its profile.
_TARGET_OF = Prepared(_TARGET.where(_deals.c.id == bindparam("deal_id")))
_now = bindparam("now", type_=_deals.c.closes_at.type)
_COUNT_ORDER = Prepared(
    update(_rooms)
    .where(_rooms.c.id == bindparam("room_id"))
    .values(orders=_rooms.c.orders + 1, gmv=_rooms.c.gmv + bindparam("amount"))
)
_TAKE_UNITS = Prepared(
    update(_deals)
    .where(
        _deals.c.id == bindparam("deal_id"),
        _deals.c.status == domain.OPEN,
        _deals.c.closes_at > _now,
        _deals.c.remaining >= bindparam("quantity"),
    )
    .values(
        remaining=_deals.c.remaining - bindparam("quantity"),
        sold=_deals.c.sold + bindparam("quantity"),
    )
    .returning(_deals.c.remaining)
)
_COUNT_UNITS = Prepared(
    lambda dialect: (
        dialect_insert(dialect, _buyers)
        .values(
            deal_id=bindparam("deal_id"),
            user_id=bindparam("user_id"),
            quantity=bindparam("quantity"),
        )
        .on_conflict_do_update(
            index_elements=["deal_id", "user_id"],
            set_={"quantity": _buyers.c.quantity + bindparam("quantity")},
            where=_buyers.c.quantity + bindparam("quantity") <= bindparam("limit"),
        )
        .returning(_buyers.c.quantity)
    )
)


@dataclass(frozen=True, slots=True)
class FlashPurchase:
    """The buyer's paid order, and the deal's units left after it."""

    deal_id: uuid.UUID
    room_id: uuid.UUID
    remaining: int
    order: ordering.OrderView


def refuse_sold_out(uow: UnitOfWork, deal_id: uuid.UUID) -> None:
    """Refuse from memory alone a purchase in a deal known to be sold out."""
    if uow.gates[FLASH_GATE].is_closed(str(deal_id)):
        raise FlashDealSoldOut()


def buy(
    uow: UnitOfWork,
    *,
    actor: Principal,
    deal_id: uuid.UUID,
    quantity: int = 1,
    address_id: uuid.UUID | None = None,
) -> FlashPurchase:
    """Buy ``quantity`` units of an open flash deal, paid from the wallet at the deal's price.

    Raises:
        FlashDealNotFound (404), FlashDealNotOpen (409): still counting down, FlashDealClosed,
        FlashDealSoldOut, FlashLimitReached (409), InvalidInput (422): a quantity past the limit,
        and ordering's refusals (AddressRequired, InsufficientFunds, ...) — nothing changed.
    """
    gate = uow.gates[FLASH_GATE]
    gate_key = str(deal_id)
    with uow:
        session = uow.session
        target = _target(session, actor, deal_id)
        if gate.is_closed(gate_key):
            raise FlashDealSoldOut()
        domain.check_quantity(quantity, target.per_buyer_limit)
        now = utcnow()
        if target.status == domain.COUNTING_DOWN:
            raise FlashDealNotOpen()
        if target.status != domain.OPEN or target.closes_at <= now:
            raise FlashDealClosed()
        # The room's row first (the package's lock order): its figures count this order.
        _COUNT_ORDER.execute(
            session, {"room_id": target.room_id, "amount": target.price * quantity}
        )
        observed_at = time.monotonic()
        left = _TAKE_UNITS.scalar(session, {"deal_id": deal_id, "now": now, "quantity": quantity})
        if left is None:
            raise _why_not(session, deal_id, now, gate_key, observed_at, uow)
        _count_units(session, deal_id, actor.user_id, quantity, target.per_buyer_limit)
        # The units leave the deal for the stock, and the order takes them from there at once.
        stock.give_back(uow, target.sku_id, quantity, reopen=False)
        placed = ordering.place_deal_order(
            uow,
            actor=actor,
            sku_id=target.sku_id,
            quantity=quantity,
            unit_price=target.price,
            deal_kind=domain.DEAL_KIND,
            deal_id=deal_id,
            hold=False,
            address_id=address_id,
        )
        paid = ordering.pay_orders(
            uow,
            actor=actor,
            order_ids=[placed.id],
            sources=[ordering.SourceRequest("wallet")],
            return_url=f"/live/{target.room_id}",
        )
        if left == 0:
            uow.after_commit(partial(gate.close, gate_key, observed_at=observed_at))
        uow.emit(
            "live.order",
            {
                "room_id": str(target.room_id),
                "deal_id": gate_key,
                "buyer": domain.masked_name(actor.display_name),
                "product_title": target.title_en,
                "product_title_zh": target.title_zh,
                "quantity": quantity,
                "remaining": int(left),
            },
            topics=[f"live:{target.room_id}"],
        )
        return FlashPurchase(deal_id, target.room_id, int(left), paid.orders[0])


@dataclass(frozen=True, slots=True)
class _Target:
    room_id: uuid.UUID
    product_id: uuid.UUID
    sku_id: uuid.UUID
    price: int
    per_buyer_limit: int
    status: str
    closes_at: datetime
    store_id: uuid.UUID
    title_en: str
    title_zh: str | None


def _target(session: Session, actor: Principal, deal_id: uuid.UUID) -> _Target:
    """The deal's figures a purchase needs, if the actor may see its room (one statement for a
    room of an open store, the common case)."""
    row = _TARGET_OF.first(session, {"deal_id": deal_id})
    if row is None:
        raise FlashDealNotFound()
    (
        room_id,
        product_id,
        sku_id,
        price,
        per_buyer_limit,
        status,
        closes_at,
        store_id,
        store_status,
        title_en,
        title_zh,
    ) = row
    if store_status != OPEN_STORE and not is_staff(session, actor, store_id):
        raise FlashDealNotFound()
    return _Target(
        room_id=room_id,
        product_id=product_id,
        sku_id=sku_id,
        price=int(price),
        per_buyer_limit=int(per_buyer_limit),
        status=status,
        closes_at=closes_at,
        store_id=store_id,
        title_en=title_en,
        title_zh=title_zh,
    )


def _why_not(
    session: Session,
    deal_id: uuid.UUID,
    now: datetime,
    gate_key: str,
    observed_at: float,
    uow: UnitOfWork,
) -> Exception:
    """The refusal after the guarded take found nothing: closed meanwhile, or sold out (then
    the gate closes here, from what this transaction saw)."""
    status, remaining, closes_at = session.execute(
        select(_deals.c.status, _deals.c.remaining, _deals.c.closes_at).where(
            _deals.c.id == deal_id
        )
    ).one()
    if status != domain.OPEN or closes_at <= now:
        return FlashDealClosed()
    if remaining == 0:
        uow.gates[FLASH_GATE].close(gate_key, observed_at=observed_at)
    return FlashDealSoldOut()


def _count_units(
    session: Session, deal_id: uuid.UUID, user_id: uuid.UUID, quantity: int, limit: int
) -> None:
    counted = _COUNT_UNITS.first(
        session, {"deal_id": deal_id, "user_id": user_id, "quantity": quantity, "limit": limit}
    )
    if counted is None:
        raise FlashLimitReached()
