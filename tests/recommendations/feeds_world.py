"""The feeds tests' world: a store with coats, dresses and phones; shoppers who consent and one
who does not; their views and paid orders written as rows (the feeds read rows, not services)."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, update

import factories
from agora import catalog, inventory, ordering, privacy, sharing
from agora.core.clock import utcnow
from agora.core.uow import UnitOfWork
from agora.identity import Principal, User
from agora.recommendations.models import BehaviourEvent
from agora.recommendations.serving import STORE
from agora.recommendations.training import TrainReport, train
from agora.social import graph

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # the time the feeds tests freeze the clock at
_numbers = itertools.count(1)


@dataclass
class World:
    uow: UnitOfWork
    ops: Principal
    merchant: Principal
    store: catalog.Store
    categories: dict[str, catalog.Category]
    products: dict[str, catalog.ProductDetail] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)

    def product(self, key: str, category: str, price: int, *, stock: int = 20) -> uuid.UUID:
        detail = factories.make_product(
            self.uow,
            self.merchant,
            self.store,
            self.categories[category],
            title_en=key.replace("-", " ").title(),
            title_zh=None,
            skus=[("red", "M", price, stock)],
        )
        self.products[key] = detail
        return detail.product.id

    def id(self, key: str) -> uuid.UUID:
        return self.products[key].product.id

    def shopper(self, key: str, *, consent: bool = True) -> User:
        user = factories.make_user(self.uow, name=key.title(), address=False)
        if consent:
            privacy.set_consent(
                self.uow,
                actor=factories.principal(user),
                kind=privacy.PERSONALISED_RECOMMENDATIONS,
                granted=True,
            )
        self.users[key] = user
        return user

    def events(
        self, key: str, kind: str, *products: str, at: datetime | None = None, amount: int = 0
    ) -> None:
        when = at or utcnow()
        with self.uow.db.write_session() as session:
            session.execute(
                insert(BehaviourEvent),
                [
                    {
                        "id": uuid.uuid4(),
                        "user_id": self.users[key].id,
                        "kind": kind,
                        "product_id": self.id(p),
                        "amount": amount or None,
                        "occurred_at": when,
                    }
                    for p in products
                ],
            )
            session.commit()

    def paid_order(self, key: str, *products: str, at: datetime | None = None) -> uuid.UUID:
        """A paid order of one unit of each product, written as its rows."""
        when = at or utcnow()
        order_id = uuid.uuid4()
        lines = [self.products[p] for p in products]
        total = sum(d.skus[0].price for d in lines)
        with self.uow.db.write_session() as session:
            session.execute(
                insert(ordering.Order).values(
                    id=order_id,
                    number=f"T{next(_numbers):015d}",
                    checkout_id=uuid.uuid4(),
                    buyer_id=self.users[key].id,
                    store_id=self.store.id,
                    status="paid",
                    total=total,
                    paid_amount=total,
                    created_at=when,
                    pay_by=when + timedelta(minutes=15),
                    paid_at=when,
                )
            )
            session.execute(
                insert(ordering.OrderLine),
                [
                    {
                        "id": uuid.uuid4(),
                        "order_id": order_id,
                        "sku_id": d.skus[0].id,
                        "product_id": d.product.id,
                        "position": i,
                        "title_en": d.product.title_en,
                        "image_url": d.product.image_url,
                        "unit_price": d.skus[0].price,
                        "quantity": 1,
                    }
                    for i, d in enumerate(lines)
                ],
            )
            session.commit()
        return order_id

    def befriend(self, a: str, b: str) -> None:
        with self.uow.db.write_session() as session:
            graph.make_friends(session, self.users[a].id, self.users[b].id)
            session.commit()

    def share(self, key: str, product: str, channel: str = "chat_direct") -> None:
        sharing.create_share(
            self.uow,
            actor=factories.principal(self.users[key]),
            target_type=sharing.PRODUCT,
            target_id=self.id(product),
            channel=channel,
        )

    def sell_out(self, product: str) -> None:
        with self.uow.db.write_session() as session:
            for sku in self.products[product].skus:
                session.execute(
                    update(inventory.Stock)
                    .where(inventory.Stock.sku_id == sku.id)
                    .values(available=0)
                )
            session.commit()

    def delist(self, product: str) -> None:
        with self.uow.db.write_session() as session:
            session.execute(
                update(catalog.Product)
                .where(catalog.Product.id == self.id(product))
                .values(status="inactive")
            )
            session.commit()

    def train(self, path: Path) -> TrainReport:
        report = train(self.uow, path, top_n=50)
        STORE.open(path, reload_seconds=3600)
        return report


def build(uow: UnitOfWork) -> World:
    """Twelve coats (cheap to dear), six dresses, four phones; shoppers Ann, Ben, Cai, Dan, Eve
    (consenting) and Zed (not) with overlapping tastes, so item-kNN has neighbours to find."""
    ops = factories.make_operator(uow)
    owner = factories.make_user(uow, name="Merchant", address=False)
    store = factories.make_store(uow, ops, owner, name_en="North Wind")
    world = World(
        uow=uow,
        ops=ops,
        merchant=factories.principal(owner),
        store=store,
        categories=factories.make_categories(uow, ops),
    )
    for i in range(12):
        world.product(f"coat-{i}", "coats", 10_000 + i * 10_000)
    for i in range(6):
        world.product(f"dress-{i}", "dresses", 20_000 + i * 5_000)
    for i in range(4):
        world.product(f"phone-{i}", "phones", 200_000 + i * 50_000)
    for key in ("ann", "ben", "cai", "dan", "eve"):
        world.shopper(key)
    world.shopper("zed", consent=False)
    # Coat people and dress people; Ann looks at both.
    world.events("ben", "view", "coat-0", "coat-1", "coat-2", "coat-3", "dress-0")
    world.events("cai", "view", "coat-0", "coat-1", "coat-2", "coat-4")
    world.events("dan", "view", "coat-1", "coat-2", "coat-3", "coat-4", "coat-5")
    world.events("eve", "view", "dress-0", "dress-1", "dress-2", "dress-3")
    world.events("ann", "view", "coat-0", "coat-1", "dress-1")
    world.paid_order("ben", "coat-0", "dress-2")
    world.paid_order("cai", "coat-0", "dress-2")
    world.paid_order("zed", "phone-0", "phone-1")
    world.paid_order("zed", "phone-0")
    return world
