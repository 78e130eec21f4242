"""The behaviour tests' world: a store with coats and phones at known prices, a shopper who
consents to personalised recommendations (Lin) and one who does not (Wang)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

import factories
from agora import catalog, ordering, privacy, recommendations
from agora.core.events import OutboxRelay
from agora.core.uow import UnitOfWork
from agora.identity import Principal, User

# Coats at ¥199 .. ¥899 (one SKU each, so the category has eight prices), phones dearer.
COAT_PRICES = [19900, 29900, 39900, 49900, 59900, 69900, 79900, 89900]
PHONE_PRICES = [199900, 399900]


@dataclass
class World:
    uow: UnitOfWork
    merchant: Principal
    categories: dict[str, catalog.Category]
    coats: list[catalog.ProductDetail]
    phones: list[catalog.ProductDetail]
    lin: User
    wang: User

    @property
    def lin_actor(self) -> Principal:
        return factories.principal(self.lin)

    def consent(self, user: User, granted: bool = True) -> None:
        privacy.set_consent(
            self.uow,
            actor=factories.principal(user),
            kind=privacy.PERSONALISED_RECOMMENDATIONS,
            granted=granted,
        )

    def deliver(self) -> int:
        return OutboxRelay(self.uow.db).run_sync_until_idle()

    def buy(self, user: User, product: catalog.ProductDetail, quantity: int = 1) -> None:
        price = product.skus[0].price * quantity
        factories.fund_wallet(self.uow, user, price)
        buyer = factories.principal(user)
        [order] = ordering.place_orders(
            self.uow, actor=buyer, lines=[ordering.LineRequest(product.skus[0].id, quantity)]
        )
        ordering.pay_orders(
            self.uow, actor=buyer, order_ids=[order.id], sources=[ordering.SourceRequest("wallet")]
        )
        self.deliver()

    def events(self, user: User) -> list[tuple[str, object, object, object]]:
        """(kind, product_id, query, amount) of ``user``'s stored events, oldest first."""
        event = recommendations.BehaviourEvent
        with self.uow.read() as session:
            rows = session.execute(
                select(event.kind, event.product_id, event.query, event.amount)
                .where(event.user_id == user.id)
                .order_by(event.occurred_at, event.kind)
            ).all()
        return [tuple(row) for row in rows]

    def count(self) -> int:
        with self.uow.read() as session:
            return int(
                session.scalar(select(func.count()).select_from(recommendations.BehaviourEvent))
                or 0
            )
