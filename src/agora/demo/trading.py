"""The demo's trading: wallets with a history, orders in every state, settlements, a return.

Everything happens through the public use cases of ordering and payments, acting as the demo
shoppers and the stores' demo merchants, on the real clock — so the rows, ledger transfers and
order timelines are exactly what using the shop leaves behind. Money enters a wallet the real
way: a top-up charge at the sandbox bank, "Pay" on its page, and the bank's signed notification
delivered by the outbox relay.

Each step runs once. Like an API request with an ``Idempotency-Key``, it is recorded under the
acting user's scope with a stable key (``agora-demo:<step>``) in the step's own transaction, so a
re-run — or a run after a crash — replays the finished steps and does only what is missing.
Lin Mei's order left to pay expires 15 minutes after seeding, like any order; a re-run does not
place another.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache, partial
from typing import Any

from sqlalchemy import select

from agora import catalog, ordering, payments
from agora.core.uow import UnitOfWork
from agora.demo.catalog_data import DemoProduct, DemoSku, demo_products
from agora.demo.steps import principal, relay, run_once, top_up
from agora.identity import Principal, User
from agora.logistics import carriers
from agora.ordering import shipping

SHOPPER = "shopper@agora.demo"  # Lin Mei, the account `make run` prints
WANG, CHEN, ZHAO = "wang.lei@agora.demo", "chen.jing@agora.demo", "zhao.yu@agora.demo"

PENDING_PAYMENT, PAID, SHIPPED = "pending_payment", "paid", "shipped"
DELIVERED, COMPLETED, CANCELLED = "delivered", "completed", "cancelled"
PATH = (PENDING_PAYMENT, PAID, SHIPPED, DELIVERED, COMPLETED)

STEP_PREFIX = "agora-demo:"
MAX_PICK_PRICE = 60_000  # fen: every demo purchase costs under ¥600, so the wallets cover them
MIN_PICK_STOCK = 30

# Each shopper's top-ups at the sandbox bank, then one withdrawal back to the bank (fen). A
# withdrawal ending in .13 would be refused by the sandbox; these are paid out.
WALLETS: Mapping[str, tuple[tuple[int, ...], int]] = {
    SHOPPER: ((300_000, 200_000), 30_000),
    WANG: ((100_000, 50_000), 10_000),
    CHEN: ((100_000, 50_000), 10_000),
    ZHAO: ((100_000, 50_000), 10_000),
}

Item = tuple[str, int, int]  # (store key, which of the store's picks, quantity)


@dataclass(frozen=True, slots=True)
class Scene:
    """One checkout of a demo shopper (one order per store), taken as far as ``until``."""

    key: str
    buyer: str
    items: tuple[Item, ...]
    until: str  # a status of PATH, or CANCELLED (the buyer cancels before paying)
    refund: int = 0
    """Units of each order's last line refunded while paid: an instant partial refund."""
    wallet_part: int = 0
    """If set, pay this much from the wallet and the rest at the sandbox bank; the orders are
    paid only when the relay delivers the bank's notification, so ``until`` must be PAID."""
    return_reason: str = ""
    """If set, the buyer asks to return one unit of the first line once it is delivered."""


REFUND_REASON = "No longer needed / 不想要了"
RETURN_REASON = "Runs a size small, I'd like to return it / 尺码偏小，申请退货"

SCENES = (
    # Other shoppers: a completed order in every store, so every merchant has orders and money.
    Scene("wang-1", WANG, (("agora-self", 0, 1),), COMPLETED),
    Scene("wang-2", WANG, (("yunshang-fashion", 0, 2),), COMPLETED, refund=1),
    Scene("chen-1", CHEN, (("stride-sneakers", 0, 1),), COMPLETED),
    Scene("chen-2", CHEN, (("lumen-digital", 0, 2),), COMPLETED, refund=1),
    Scene("zhao-1", ZHAO, (("warm-home", 0, 2),), COMPLETED, refund=1),
    Scene("zhao-2", ZHAO, (("peach-beauty", 0, 1),), COMPLETED),
    # Lin Mei, oldest first: her newest order, at the top of her list, is the one still to pay.
    Scene("completed", SHOPPER, (("warm-home", 1, 2),), COMPLETED),
    Scene("return", SHOPPER, (("yunshang-fashion", 1, 1),), DELIVERED, return_reason=RETURN_REASON),
    Scene("delivered", SHOPPER, (("lumen-digital", 1, 1),), DELIVERED),
    Scene("shipped", SHOPPER, (("stride-sneakers", 1, 1),), SHIPPED),
    Scene(
        "partial-refund",
        SHOPPER,
        (("peach-beauty", 1, 2), ("peach-beauty", 2, 1)),
        SHIPPED,
        refund=1,
    ),
    Scene("paid", SHOPPER, (("agora-self", 1, 1),), PAID),
    Scene(
        "two-stores", SHOPPER, (("agora-self", 2, 1), ("warm-home", 2, 2)), PAID, wallet_part=10_000
    ),
    Scene("cancelled", SHOPPER, (("yunshang-fashion", 2, 1),), CANCELLED),
    Scene("pending", SHOPPER, (("lumen-digital", 2, 1),), PENDING_PAYMENT),
)
CART: tuple[Item, ...] = (("stride-sneakers", 2, 1), ("peach-beauty", 3, 1))  # Lin Mei's cart


@dataclass(frozen=True, slots=True)
class World:
    uow: UnitOfWork
    shoppers: Mapping[str, Principal]  # by email
    stores: Mapping[str, catalog.Store]  # by demo key
    merchants: Mapping[uuid.UUID, Principal]  # by store id

    def sku(self, store_key: str, pick: int) -> uuid.UUID:
        product, sku = picks(store_key)[pick]
        with self.uow.read() as session:
            found = session.scalar(
                select(catalog.Sku.id)
                .join(catalog.Product, catalog.Product.id == catalog.Sku.product_id)
                .where(
                    catalog.Product.store_id == self.stores[store_key].id,
                    catalog.Product.title_en == product.title_en,
                    catalog.Sku.colour == sku.colour,
                    catalog.Sku.size == (sku.size or ""),
                )
            )
        if found is None:
            raise RuntimeError(f"the demo SKU {product.key}/{sku.colour} is not in the database")
        return found


@cache
def picks(store_key: str) -> tuple[tuple[DemoProduct, DemoSku], ...]:
    """What the demo buys in a store, in catalog order: one well-stocked, affordable SKU per
    product. Chosen from the fixed demo data (not today's stock), so every run picks the same."""
    chosen = []
    for product in demo_products():
        if product.store_key != store_key:
            continue
        sku = next(
            (s for s in product.skus if s.stock >= MIN_PICK_STOCK and s.price <= MAX_PICK_PRICE),
            None,
        )
        if sku is not None:
            chosen.append((product, sku))
    return tuple(chosen)


def seed_trading(
    uow: UnitOfWork,
    *,
    shoppers: Mapping[str, User],
    stores: Mapping[str, catalog.Store],
    merchants: Mapping[str, User],
) -> dict[str, int]:
    """Play the demo's trading once (see the module docstring); returns how many steps there
    are and how many ran now (0 on a database that already has them all)."""
    world = World(
        uow,
        {email: principal(shoppers[email]) for email in WALLETS},
        stores,
        {stores[key].id: principal(user) for key, user in merchants.items()},
    )
    ran: list[bool] = []
    for email, (top_ups, _) in WALLETS.items():
        buyer = world.shoppers[email]
        for n, amount in enumerate(top_ups, start=1):
            ran.append(_ran(uow, buyer, f"top-up-{n}", partial(top_up, uow, buyer, amount)))
    relay(uow)
    for scene in SCENES:
        buyer = world.shoppers[scene.buyer]
        ran.append(_ran(uow, buyer, f"order-{scene.key}", partial(_play, world, scene)))
    relay(uow)  # the bank's notification pays the orders paid partly at the bank
    for email, (_, amount) in WALLETS.items():
        buyer = world.shoppers[email]
        ran.append(_ran(uow, buyer, "withdrawal", partial(_withdraw, uow, buyer, amount)))
    shopper = world.shoppers[SHOPPER]
    ran.append(_ran(uow, shopper, "cart", partial(_fill_cart, world, shopper)))
    relay(uow)  # the sandbox bank pays the withdrawals out
    return {"trading_steps": len(ran), "trading_steps_run": sum(ran)}


def _ran(
    uow: UnitOfWork, actor: Principal, step: str, action: Callable[[], dict[str, Any]]
) -> bool:
    """Run one trading step once (see :func:`steps.run_once`); ``True`` if it ran now."""
    return run_once(uow, actor, f"{STEP_PREFIX}{step}", action)[0]


def _withdraw(uow: UnitOfWork, buyer: Principal, amount: int) -> dict[str, Any]:
    withdrawal = payments.request_withdrawal(uow, actor=buyer, amount=amount)
    return {"withdrawal_id": str(withdrawal.id)}


def _fill_cart(world: World, buyer: Principal) -> dict[str, Any]:
    for store_key, pick, quantity in CART:
        sku_id = world.sku(store_key, pick)
        ordering.set_cart_quantity(world.uow, actor=buyer, sku_id=sku_id, quantity=quantity)
    return {"lines": len(CART)}


def _play(world: World, scene: Scene) -> dict[str, Any]:
    uow, buyer = world.uow, world.shoppers[scene.buyer]
    lines = [ordering.LineRequest(world.sku(key, pick), qty) for key, pick, qty in scene.items]
    orders = ordering.place_orders(uow, actor=buyer, lines=lines)
    ids = [order.id for order in orders]
    if scene.until == CANCELLED:
        for order_id in ids:
            ordering.cancel_order(uow, actor=buyer, order_id=order_id)
    elif scene.until != PENDING_PAYMENT:
        if scene.wallet_part:
            if scene.until != PAID:
                raise ValueError(f"scene {scene.key}: a bank payment lands later; stop at paid")
            outcome = ordering.pay_orders(
                uow,
                actor=buyer,
                order_ids=ids,
                sources=[
                    ordering.SourceRequest(payments.WALLET, scene.wallet_part),
                    ordering.SourceRequest(payments.GATEWAY_SANDBOX),
                ],
            )
            assert outcome.charge_id is not None
            payments.submit_sandbox_payment(
                uow, actor=buyer, charge_id=outcome.charge_id, approve=True
            )
        else:
            ordering.pay_orders(
                uow, actor=buyer, order_ids=ids, sources=[ordering.SourceRequest(payments.WALLET)]
            )
        for order in orders:
            _fulfil(world, scene, buyer, order)
    return {"order_ids": [str(order_id) for order_id in ids]}


def _fulfil(world: World, scene: Scene, buyer: Principal, order: ordering.OrderView) -> None:
    """Take a paid order along PATH up to the scene's status, acting as buyer and merchant."""
    uow, merchant, reach = world.uow, world.merchants[order.store_id], PATH.index(scene.until)
    if scene.refund:
        ordering.request_refund(
            uow,
            actor=buyer,
            order_id=order.id,
            lines={order.lines[-1].id: scene.refund},
            reason=REFUND_REASON,
        )
    if reach >= PATH.index(SHIPPED):
        # A label from the carrier rate shopping picks; the sandbox carrier then plays the
        # parcel forward (its later pushes, over the coming days, arrive as duplicates).
        shipping.ship_by_label(uow, actor=merchant, order_id=order.id)
        until = carriers.DELIVERED if reach >= PATH.index(DELIVERED) else carriers.IN_TRANSIT
        shipping.sandbox_advance(uow, order_id=order.id, until=until)
    if reach >= PATH.index(DELIVERED) and scene.return_reason:
        ordering.request_refund(
            uow,
            actor=buyer,
            order_id=order.id,
            lines={order.lines[0].id: 1},
            reason=scene.return_reason,
        )
    if reach >= PATH.index(COMPLETED):
        ordering.confirm_receipt(uow, actor=buyer, order_id=order.id)
