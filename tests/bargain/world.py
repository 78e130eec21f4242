"""The bargain tests' world and the moves they make: offer, start, help, buy, pay, deliver."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

import factories
from agora import bargain, catalog, identity, inventory, ledger, ordering, payments
from agora.bargain.views import offer_view
from agora.core.events import OutboxRelay
from agora.core.jobs import Scheduler
from agora.core.uow import UnitOfWork
from agora.identity import Principal, User

RED_PRICE = 29900


@dataclass
class World:
    uow: UnitOfWork
    ops: Principal
    merchant: Principal
    merchant_user: User
    store: catalog.Store
    category: catalog.Category
    coat: catalog.ProductDetail  # red M ¥299.00 ×50, black M ¥289.00 ×5

    shopper: User

    @property
    def me(self) -> Principal:
        return factories.principal(self.shopper)

    @property
    def red(self) -> uuid.UUID:
        return self.coat.skus[0].id

    def offer(
        self,
        *,
        start: int = RED_PRICE,
        floor: int = 9900,
        helpers: int = 5,
        allotment: int = 10,
        hours: int | None = None,
        product_id: uuid.UUID | None = None,
        sku_id: uuid.UUID | None = None,
    ) -> bargain.OfferView:
        return bargain.create_offer(
            self.uow,
            actor=self.merchant,
            product_id=product_id or self.coat.product.id,
            sku_id=sku_id or self.red,
            start_price=start,
            floor_price=floor,
            helpers_needed=helpers,
            allotment=allotment,
            window_hours=hours,
        )

    def start(self, offer: bargain.OfferView, user: User | None = None) -> bargain.BargainView:
        actor = factories.principal(user) if user else self.me
        return bargain.start_bargain(self.uow, actor=actor, offer_id=offer.id).bargain

    def people(self, n: int, prefix: str = "Friend") -> list[User]:
        return [factories.make_user(self.uow, name=f"{prefix} {i + 1}") for i in range(n)]

    def help(self, campaign: bargain.BargainView, user: User) -> bargain.Helped:
        return bargain.help_bargain(
            self.uow, actor=factories.principal(user), bargain_id=campaign.id
        )

    def reach(self, campaign: bargain.BargainView) -> bargain.BargainView:
        """Enough friends help for the campaign to reach its floor."""
        helped = None
        for friend in self.people(campaign.helpers_needed - campaign.helpers_done):
            helped = self.help(campaign, friend)
        assert helped is not None and helped.bargain.status == "reached"
        return helped.bargain

    def offer_view(self, offer_id: uuid.UUID) -> bargain.OfferView:
        with self.uow.read() as session:
            return offer_view(session, offer_id)

    def view(self, campaign_id: uuid.UUID) -> bargain.BargainView:
        return bargain.access_bargain(self.uow, actor=self.me, bargain_id=campaign_id)

    def pay(self, order_id: uuid.UUID, amount: int, user: User | None = None) -> None:
        buyer = user or self.shopper
        factories.fund_wallet(self.uow, buyer, amount)
        ordering.pay_orders(
            self.uow,
            actor=factories.principal(buyer),
            order_ids=[order_id],
            sources=[ordering.SourceRequest(payments.WALLET)],
        )

    def deliver(self) -> int:
        return OutboxRelay(self.uow.db).run_sync_until_idle()

    def sweep(self) -> int:
        return Scheduler(self.uow.db, owner="tests").sweep_deadlines()

    def stock(self, sku_id: uuid.UUID | None = None) -> tuple[int, int]:
        """(available, reserved) of a SKU (the red one by default)."""
        with self.uow.read() as session:
            row = session.get(inventory.Stock, sku_id or self.red)
            assert row is not None
            return row.available, row.reserved

    def offer_row(self, offer_id: uuid.UUID) -> bargain.BargainOffer:
        with self.uow.read() as session:
            row = session.get(bargain.BargainOffer, offer_id)
            assert row is not None
            return row

    def row(self, campaign_id: uuid.UUID) -> bargain.Bargain:
        with self.uow.read() as session:
            row = session.get(bargain.Bargain, campaign_id)
            assert row is not None
            return row

    def count(self, model: Any, *where: Any) -> int:
        with self.uow.read() as session:
            return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)

    def orders(self) -> int:
        return self.count(ordering.Order)

    def transfers(self) -> int:
        return self.count(ledger.Transfer)


def bearer(world: World, user: User) -> dict[str, str]:
    """An API token's header for ``user``."""
    signed = identity.sign_in(
        world.uow,
        identifier=user.email or "",
        password=factories.PASSWORD,
        client=factories.CLIENT,
        kind="api",
    )
    return {"Authorization": f"Bearer {signed.token}"}
