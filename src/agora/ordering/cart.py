"""The shopper's cart: one per shopper, SKUs with quantities, shown with today's price and stock.

The cart holds no prices: what is shown is read from the catalog each time, and checkout snapshots
the price at that moment.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Table, bindparam, delete, func, select, update
from sqlalchemy.orm import Session

from agora.catalog import Product, Sku, Store
from agora.core.clock import utcnow
from agora.core.db import least, upsert_insert
from agora.core.errors import InvalidInput
from agora.core.prepared import Prepared
from agora.core.uow import UnitOfWork
from agora.identity import Principal
from agora.inventory import stock_levels
from agora.ordering.errors import N_, CartFull, SkuUnavailable
from agora.ordering.models import CartItem

MAX_QUANTITY = 99
MAX_CART_LINES = 50


@dataclass(frozen=True, slots=True)
class CartLine:
    sku_id: uuid.UUID
    product_id: uuid.UUID
    store_id: uuid.UUID
    store_name_en: str
    store_name_zh: str | None
    title_en: str
    title_zh: str | None
    colour: str
    size: str
    image_url: str
    unit_price: int
    quantity: int
    stock: int
    on_sale: bool

    @property
    def line_total(self) -> int:
        return self.unit_price * self.quantity

    @property
    def can_buy(self) -> bool:
        return self.on_sale and self.stock >= self.quantity


@dataclass(frozen=True, slots=True)
class CartView:
    lines: list[CartLine]

    @property
    def total(self) -> int:
        """What checkout would cost today, counting only lines that can be bought."""
        return sum(line.line_total for line in self.lines if line.can_buy)

    @property
    def count(self) -> int:
        return sum(line.quantity for line in self.lines)

    def by_store(self) -> list[tuple[uuid.UUID, list[CartLine]]]:
        """Lines grouped as checkout will split them: one group (one order) per store."""
        groups: dict[uuid.UUID, list[CartLine]] = {}
        for line in self.lines:
            groups.setdefault(line.store_id, []).append(line)
        return list(groups.items())


def _check_quantity(quantity: int) -> None:
    if not 1 <= quantity <= MAX_QUANTITY:
        raise InvalidInput(
            N_("The quantity must be between 1 and 99."),
            errors=[{"field": "quantity", "message": "between 1 and 99"}],
        )


@dataclass(frozen=True, slots=True)
class Sellable:
    """What an order line copies of a SKU on sale, with its product and store."""

    sku_id: uuid.UUID
    price: int
    colour: str
    size: str
    image_url: str
    product_id: uuid.UUID
    title_en: str
    title_zh: str | None
    currency: str
    store_id: uuid.UUID
    store_name_en: str
    store_name_zh: str | None


_skus: Table = Sku.__table__  # type: ignore[assignment]
_products: Table = Product.__table__  # type: ignore[assignment]
_stores: Table = Store.__table__  # type: ignore[assignment]

# Prepared (core.prepared): every checkout reads each of its SKUs this way.
_SELLABLE = Prepared(
    select(
        _skus.c.id,
        _skus.c.price,
        _skus.c.colour,
        _skus.c.size,
        func.coalesce(_skus.c.image_url, _products.c.image_url),
        _products.c.id,
        _products.c.title_en,
        _products.c.title_zh,
        _products.c.currency,
        _stores.c.id,
        _stores.c.name_en,
        _stores.c.name_zh,
    )
    .join(_products, _products.c.id == _skus.c.product_id)
    .join(_stores, _stores.c.id == _products.c.store_id)
    .where(
        _skus.c.id == bindparam("sku_id"),
        _skus.c.active.is_(True),
        _products.c.status == "active",
        _stores.c.status == "active",
    )
)


def sellable_sku(session: Session, sku_id: uuid.UUID) -> Sellable:
    """The SKU with its product and store, if all three are on sale; else SkuUnavailable."""
    row = _SELLABLE.first(session, {"sku_id": sku_id})
    if row is None:
        raise SkuUnavailable(errors=[{"field": "sku_id", "message": str(sku_id)}])
    return Sellable(*row)


def view_cart(uow: UnitOfWork, *, actor: Principal) -> CartView:
    """The actor's cart with today's prices and stock, oldest line first."""
    with uow.read() as session:
        rows = session.execute(
            select(CartItem, Sku, Product, Store)
            .join(Sku, Sku.id == CartItem.sku_id)
            .join(Product, Product.id == Sku.product_id)
            .join(Store, Store.id == Product.store_id)
            .where(CartItem.user_id == actor.user_id)
            .order_by(CartItem.added_at, CartItem.sku_id)
        ).all()
    levels = stock_levels(uow, [item.sku_id for item, *_ in rows])
    return CartView(
        [
            CartLine(
                sku_id=sku.id,
                product_id=product.id,
                store_id=store.id,
                store_name_en=store.name_en,
                store_name_zh=store.name_zh,
                title_en=product.title_en,
                title_zh=product.title_zh,
                colour=sku.colour,
                size=sku.size,
                image_url=sku.image_url or product.image_url,
                unit_price=sku.price,
                quantity=item.quantity,
                stock=levels[sku.id],
                on_sale=sku.active and product.status == "active" and store.status == "active",
            )
            for item, sku, product, store in rows
        ]
    )


def add_to_cart(uow: UnitOfWork, *, actor: Principal, sku_id: uuid.UUID, quantity: int = 1) -> int:
    """Add ``quantity`` of a SKU (on top of what the cart holds, capped at 99). Returns the new
    quantity of that line."""
    _check_quantity(quantity)
    with uow:
        session = uow.session
        sellable_sku(session, sku_id)
        _require_room(session, actor, sku_id)
        statement = upsert_insert(session, CartItem).values(
            user_id=actor.user_id, sku_id=sku_id, quantity=quantity, added_at=utcnow()
        )
        new_quantity = least(session, CartItem.quantity + quantity, MAX_QUANTITY)
        row = session.execute(
            statement.on_conflict_do_update(
                index_elements=[CartItem.user_id, CartItem.sku_id],
                set_={"quantity": new_quantity},
            ).returning(CartItem.quantity)
        ).one()
        return int(row[0])


def set_cart_quantity(
    uow: UnitOfWork, *, actor: Principal, sku_id: uuid.UUID, quantity: int
) -> None:
    """Set a line's quantity (adding the line if needed); 0 removes it."""
    if quantity == 0:
        remove_from_cart(uow, actor=actor, sku_id=sku_id)
        return
    _check_quantity(quantity)
    with uow:
        session = uow.session
        changed = session.execute(
            update(CartItem)
            .where(CartItem.user_id == actor.user_id, CartItem.sku_id == sku_id)
            .values(quantity=quantity)
        )
        if changed.rowcount == 1:  # type: ignore[attr-defined]
            return
        sellable_sku(session, sku_id)
        _require_room(session, actor, sku_id)
        session.add(
            CartItem(user_id=actor.user_id, sku_id=sku_id, quantity=quantity, added_at=utcnow())
        )


def remove_from_cart(uow: UnitOfWork, *, actor: Principal, sku_id: uuid.UUID) -> None:
    """Remove a line; removing a line that is not there is not an error (idempotent)."""
    with uow:
        uow.session.execute(
            delete(CartItem).where(CartItem.user_id == actor.user_id, CartItem.sku_id == sku_id)
        )


def clear_cart(uow: UnitOfWork, *, actor: Principal) -> None:
    with uow:
        uow.session.execute(delete(CartItem).where(CartItem.user_id == actor.user_id))


def take_from_cart(session: Session, actor: Principal, sku_ids: Sequence[uuid.UUID]) -> None:
    """Checkout removes the lines it bought, inside its own transaction."""
    session.execute(
        delete(CartItem).where(CartItem.user_id == actor.user_id, CartItem.sku_id.in_(sku_ids))
    )


def _require_room(session: Session, actor: Principal, sku_id: uuid.UUID) -> None:
    if session.get(CartItem, (actor.user_id, sku_id)) is not None:
        return
    lines = session.scalar(
        select(func.count()).select_from(CartItem).where(CartItem.user_id == actor.user_id)
    )
    if (lines or 0) >= MAX_CART_LINES:
        raise CartFull()
