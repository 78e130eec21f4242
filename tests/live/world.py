"""The live-selling tests' world: a store with a room scheduled to sell a coat and a scarf,
another store, shoppers with money, and what the tests watch (stock, wallets, the deal, every
row a refusal must not add)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

import factories
from agora import catalog, inventory, ledger, live, ordering, payments
from agora.core.clock import utcnow
from agora.core.events import OutboxRelay
from agora.core.jobs import Scheduler
from agora.core.uow import UnitOfWork
from agora.identity import Principal
from groupbuy.world import fund

RED_PRICE = 29900
FLASH_PRICE = 9900
FUNDS = 100_000  # fen each shopper starts with: ten coats at the flash price
STREAM = "https://streams.example.com/north-wind/live.m3u8"
COUNTDOWN = timedelta(seconds=10)
DURATION = timedelta(seconds=60)


@dataclass
class World:
    uow: UnitOfWork
    ops: Principal
    merchant: Principal
    other_merchant: Principal
    store: catalog.Store
    other_store: catalog.Store
    coat: catalog.ProductDetail  # red M ¥299.00 ×20, black M ¥259.00 ×5
    scarf: catalog.ProductDetail  # the same store's, in the room too
    boots: catalog.ProductDetail  # the same store's, not in the room
    dress: catalog.ProductDetail  # the other store's
    room: live.RoomView  # scheduled, selling the coat and the scarf
    people: dict[str, Principal]  # amy, bob, cat, dan — funded; poor — ¥0
    emails: dict[str, str]
    merchant_email: str
    other_merchant_email: str

    @property
    def red(self) -> uuid.UUID:
        return self.coat.skus[0].id

    @property
    def black(self) -> uuid.UUID:
        return self.coat.skus[1].id

    def on_air(self) -> live.RoomView:
        """The room live, with the coat pinned."""
        live.go_live(self.uow, actor=self.merchant, room_id=self.room.id)
        return live.pin_product(
            self.uow, actor=self.merchant, room_id=self.room.id, product_id=self.coat.product.id
        )

    def start_deal(self, units: int = 5, limit: int = 2, **terms: Any) -> live.DealView:
        return live.start_deal(
            self.uow,
            actor=self.merchant,
            room_id=self.room.id,
            terms=live.FlashTerms(
                sku_id=terms.pop("sku_id", self.red),
                price=terms.pop("price", FLASH_PRICE),
                units=units,
                per_buyer_limit=limit,
                countdown_seconds=terms.pop("countdown_seconds", 10),
                duration_seconds=terms.pop("duration_seconds", 60),
            ),
        )

    def open_deal(self, units: int = 5, limit: int = 2) -> live.DealView:
        """The room on air and a deal past its countdown, opened by the sweep."""
        self.on_air()
        deal = self.start_deal(units, limit)
        from agora.core.clock import clock

        clock.travel(COUNTDOWN)
        assert self.sweep() == 1
        return self.deal(deal.id)

    def buy(self, who: str, deal_id: uuid.UUID, quantity: int = 1) -> live.FlashPurchase:
        return live.buy(self.uow, actor=self.people[who], deal_id=deal_id, quantity=quantity)

    def deal(self, deal_id: uuid.UUID) -> live.DealView:
        return live.flash_deal(self.uow, actor=None, deal_id=deal_id)

    def room_row(self) -> live.LiveRoom:
        with self.uow.read() as session:
            row = session.get(live.LiveRoom, self.room.id)
            assert row is not None
            return row

    def wallet(self, who: str | uuid.UUID) -> int:
        user_id = self.people[who].user_id if isinstance(who, str) else who
        return ledger.balance(self.uow, payments.wallet_of(user_id))

    def stock(self, sku_id: uuid.UUID | None = None) -> tuple[int, int]:
        """(available, reserved)."""
        with self.uow.read() as session:
            row = session.get(inventory.Stock, sku_id or self.red)
            assert row is not None
            return row.available, row.reserved

    def bought(self, who: str, deal_id: uuid.UUID) -> int:
        with self.uow.read() as session:
            row = session.get(live.FlashDealBuyer, (deal_id, self.people[who].user_id))
            return row.quantity if row else 0

    def orders_of(self, deal_id: uuid.UUID) -> list[ordering.Order]:
        with self.uow.read() as session:
            return list(
                session.scalars(
                    select(ordering.Order)
                    .where(ordering.Order.deal_id == deal_id)
                    .order_by(ordering.Order.created_at, ordering.Order.id)
                )
            )

    def sweep(self) -> int:
        return Scheduler(self.uow.db, owner="tests").sweep_deadlines()

    def deliver_events(self) -> int:
        return OutboxRelay(self.uow.db).run_sync_until_idle()

    def snapshot(self) -> dict[str, Any]:
        """Everything a refused action must leave as it was."""
        with self.uow.read() as session:
            counts = {
                model.__tablename__: session.scalar(select(func.count()).select_from(model))
                for model in (
                    ordering.Order,
                    ordering.OrderLine,
                    ordering.OrderPayment,
                    live.LiveRoom,
                    live.LiveRoomProduct,
                    live.FlashDeal,
                    live.FlashDealBuyer,
                    ledger.Entry,
                    ledger.Transfer,
                )
            }
            rooms = sorted(
                (str(r.id), r.status, str(r.pinned_product_id), r.orders, r.gmv)
                for r in session.scalars(select(live.LiveRoom))
            )
            deals = sorted(
                (str(d.id), d.status, d.units, d.remaining, d.sold)
                for d in session.scalars(select(live.FlashDeal))
            )
            buyers = sorted(
                (str(b.user_id), b.quantity) for b in session.scalars(select(live.FlashDealBuyer))
            )
            stock = sorted(
                (str(s.sku_id), s.available, s.reserved)
                for s in session.scalars(select(inventory.Stock))
            )
            balances = sorted(
                (str(a.id), a.balance) for a in session.scalars(select(ledger.Account))
            )
        return {
            "counts": counts,
            "rooms": rooms,
            "deals": deals,
            "buyers": buyers,
            "stock": stock,
            "balances": balances,
        }


def make_world(uow: UnitOfWork) -> World:
    ops = factories.make_operator(uow)
    merchant_user = factories.make_user(uow, name="Merchant")
    other_owner = factories.make_user(uow, name="Other merchant")
    store = factories.make_store(uow, ops, merchant_user, name_en="North Wind", name_zh="北风")
    other_store = factories.make_store(uow, ops, other_owner, name_en="East Lake")
    categories = factories.make_categories(uow, ops)
    merchant = factories.principal(merchant_user)
    other_merchant = factories.principal(other_owner)

    def product(owner: Principal, in_store: catalog.Store, title: str, skus: Any) -> Any:
        return factories.make_product(
            uow, owner, in_store, categories["coats"], title_en=title, title_zh=None, skus=skus
        )

    coat = product(
        merchant, store, "Wool Coat", [("red", "M", RED_PRICE, 20), ("black", "M", 25900, 5)]
    )
    scarf = product(merchant, store, "Silk Scarf", [("blue", "", 5900, 10)])
    boots = product(merchant, store, "Snow Boots", [("brown", "40", 39900, 10)])
    dress = product(other_merchant, other_store, "Silk Dress", [("blue", "S", 15000, 3)])
    room = live.schedule_room(
        uow,
        actor=merchant,
        store_id=store.id,
        draft=live.RoomDraft(
            title="Winter coats, live",
            stream_url=STREAM,
            starts_at=utcnow() + timedelta(hours=1),
            product_ids=[coat.product.id, scarf.product.id],
            cover_url="https://img.example.com/cover.jpg",
        ),
    )
    names = ["amy", "bob", "cat", "dan", "poor"]
    users = {name: factories.make_user(uow, name=name.title()) for name in names}
    people = {name: factories.principal(user) for name, user in users.items()}
    fund(uow, [p.user_id for name, p in people.items() if name != "poor"], FUNDS)
    return World(
        uow=uow,
        ops=ops,
        merchant=merchant,
        other_merchant=other_merchant,
        store=store,
        other_store=other_store,
        coat=coat,
        scarf=scarf,
        boots=boots,
        dress=dress,
        room=room,
        people=people,
        emails={name: user.email or "" for name, user in users.items()},
        merchant_email=merchant_user.email or "",
        other_merchant_email=other_owner.email or "",
    )
