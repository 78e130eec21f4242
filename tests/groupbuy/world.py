"""The group-deal tests' world: a store with a coat under a group deal, shoppers with money,
and what the tests watch (wallets, stock, the deal, the team, every row a refusal must not add).
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func, insert, select

import factories
from agora import catalog, groupbuy, inventory, ledger, ordering, payments
from agora.core.clock import utcnow
from agora.core.db import Database
from agora.core.events import OutboxRelay
from agora.core.ids import new_id
from agora.core.jobs import Scheduler
from agora.core.security import hash_password
from agora.core.uow import UnitOfWork
from agora.identity import Principal, User
from agora.logistics.models import AddressRow

SOLO_RED, SOLO_BLACK = 29900, 25900
GROUP_PRICE = 19900
FUNDS = 100_000  # fen each shopper starts with: five coats at the group price
PAST_DEADLINE = timedelta(hours=24, seconds=1)  # a team opened now is past its deadline then


@dataclass
class World:
    uow: UnitOfWork
    ops: Principal
    merchant: Principal
    store: catalog.Store
    other_store: catalog.Store
    coat: catalog.ProductDetail  # red M ¥299.00 ×10, black M ¥259.00 ×5
    dress: catalog.ProductDetail  # another store's product, no deal
    deal: groupbuy.DealView  # teams of 3 at ¥199.00, 8 units set aside, 2 per person
    people: dict[str, Principal]  # leader, bob, carol, dave, erin — funded; poor — ¥0
    emails: dict[str, str]  # the same people's sign-in names (password factories.PASSWORD)
    merchant_email: str

    @property
    def red(self) -> uuid.UUID:
        return self.coat.skus[0].id

    @property
    def black(self) -> uuid.UUID:
        return self.coat.skus[1].id

    def start(self, who: str = "leader", sku: uuid.UUID | None = None, quantity: int = 1) -> Any:
        return groupbuy.start_team(
            self.uow,
            actor=self.people[who],
            deal_id=self.deal.id,
            sku_id=sku or self.red,
            quantity=quantity,
        )

    def join(self, who: str, team_id: uuid.UUID, sku: uuid.UUID | None = None, q: int = 1) -> Any:
        return groupbuy.join_team(
            self.uow, actor=self.people[who], team_id=team_id, sku_id=sku or self.red, quantity=q
        )

    def wallet(self, who: str | uuid.UUID) -> int:
        user_id = self.people[who].user_id if isinstance(who, str) else who
        return ledger.balance(self.uow, payments.wallet_of(user_id))

    def stock(self, sku_id: uuid.UUID) -> tuple[int, int]:
        """(available, reserved)."""
        with self.uow.read() as session:
            row = session.get(inventory.Stock, sku_id)
            assert row is not None
            return row.available, row.reserved

    def escrow(self) -> int:
        return ledger.total_balance(self.uow, owner_type="platform", kind="escrow")

    def deal_row(self, deal_id: uuid.UUID | None = None) -> groupbuy.GroupDeal:
        with self.uow.read() as session:
            row = session.get(groupbuy.GroupDeal, deal_id or self.deal.id)
            assert row is not None
            return row

    def team_row(self, team_id: uuid.UUID) -> groupbuy.GroupTeam:
        with self.uow.read() as session:
            row = session.get(groupbuy.GroupTeam, team_id)
            assert row is not None
            return row

    def units(self, who: str) -> int:
        with self.uow.read() as session:
            row = session.get(groupbuy.GroupDealBuyer, (self.deal.id, self.people[who].user_id))
            return row.units if row else 0

    def order(self, order_id: uuid.UUID) -> ordering.Order:
        with self.uow.read() as session:
            row = session.get(ordering.Order, order_id)
            assert row is not None
            return row

    def orders_of(self, team_id: uuid.UUID) -> list[ordering.Order]:
        with self.uow.read() as session:
            return list(
                session.scalars(
                    select(ordering.Order)
                    .where(ordering.Order.deal_id == team_id)
                    .order_by(ordering.Order.created_at, ordering.Order.id)
                )
            )

    def sweep(self) -> int:
        return Scheduler(self.uow.db, owner="tests").sweep_deadlines()

    def deliver_events(self) -> int:
        return OutboxRelay(self.uow.db).run_sync_until_idle()

    def snapshot(self) -> dict[str, Any]:
        """Everything a refused start or join must leave as it was."""
        with self.uow.read() as session:
            counts = {
                model.__tablename__: session.scalar(select(func.count()).select_from(model))
                for model in (
                    ordering.Order,
                    ordering.OrderLine,
                    ordering.OrderPayment,
                    ordering.OrderEvent,
                    groupbuy.GroupTeam,
                    groupbuy.GroupTeamMember,
                    groupbuy.GroupDealBuyer,
                    ledger.Entry,
                    ledger.Transfer,
                )
            }
            teams = sorted(
                (str(t.id), t.status, t.joined) for t in session.scalars(select(groupbuy.GroupTeam))
            )
            deals = sorted(
                (str(d.id), d.status, d.sold) for d in session.scalars(select(groupbuy.GroupDeal))
            )
            buyers = sorted(
                (str(b.user_id), b.units) for b in session.scalars(select(groupbuy.GroupDealBuyer))
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
            "teams": teams,
            "deals": deals,
            "buyers": buyers,
            "stock": stock,
            "balances": balances,
        }


def fund(uow: UnitOfWork, user_ids: list[uuid.UUID], amount: int) -> None:
    """Money into wallets as a captured sandbox top-up would move it (ledger transfers from the
    gateway's clearing account), without a bank round trip per person."""
    for first in range(0, len(user_ids), 500):
        ledger.transfer_many(
            uow,
            [
                ledger.TransferSpec(
                    key=f"test-fund-{user_id}-{secrets.token_hex(4)}",
                    kind="charge_capture",
                    legs=[
                        ledger.Leg(payments.gateway_clearing_of("sandbox", user_id), -amount),
                        ledger.Leg(payments.wallet_of(user_id), amount),
                    ],
                )
                for user_id in user_ids[first : first + 500]
            ],
        )


def many_shoppers(db: Database, count: int, *, funds: int = FUNDS) -> list[Principal]:
    """``count`` shoppers written straight into the database (hashing a password per person
    would cost seconds and test nothing here), each with ``funds`` in the wallet."""
    now = utcnow()
    password = hash_password(secrets.token_urlsafe(8))
    people = [Principal(user_id=new_id(), display_name=f"Joiner {n}") for n in range(count)]
    with db.write_session() as session:
        session.execute(
            insert(User),
            [
                {
                    "id": p.user_id,
                    "email": f"joiner-{p.user_id.hex}@example.com",
                    "password_hash": password,
                    "display_name": p.display_name,
                    "created_at": now,
                }
                for p in people
            ],
        )
        # Every order is delivered somewhere: each gets the tests' default address.
        session.execute(
            insert(AddressRow),
            [
                {
                    "id": new_id(),
                    "user_id": p.user_id,
                    **factories.ADDRESS,
                    "is_default": True,
                    "created_at": now,
                    "updated_at": now,
                }
                for p in people
            ],
        )
        session.commit()
    if funds:
        fund(UnitOfWork(db), [p.user_id for p in people], funds)
    return people


def make_world(uow: UnitOfWork) -> World:
    ops = factories.make_operator(uow)
    merchant_user = factories.make_user(uow, name="Merchant")
    other_owner = factories.make_user(uow, name="Other merchant")
    store = factories.make_store(uow, ops, merchant_user, name_en="North Wind", name_zh="北风")
    other_store = factories.make_store(uow, ops, other_owner, name_en="East Lake")
    categories = factories.make_categories(uow, ops)
    merchant = factories.principal(merchant_user)
    coat = factories.make_product(
        uow,
        merchant,
        store,
        categories["coats"],
        title_en="Wool Coat",
        title_zh="羊毛外套",
        skus=[("red", "M", SOLO_RED, 10), ("black", "M", SOLO_BLACK, 5)],
    )
    dress = factories.make_product(
        uow,
        factories.principal(other_owner),
        other_store,
        categories["dresses"],
        title_en="Silk Dress",
        title_zh=None,
        skus=[("blue", "S", 15000, 3)],
    )
    deal = groupbuy.create_deal(
        uow,
        actor=merchant,
        product_id=coat.product.id,
        terms=groupbuy.DealTerms(team_size=3, group_price=GROUP_PRICE, stock=8, user_limit=2),
    )
    names = ["leader", "bob", "carol", "dave", "erin", "poor"]
    users = {name: factories.make_user(uow, name=name.title()) for name in names}
    people = {name: factories.principal(user) for name, user in users.items()}
    fund(uow, [p.user_id for name, p in people.items() if name != "poor"], FUNDS)
    return World(
        uow=uow,
        ops=ops,
        merchant=merchant,
        store=store,
        other_store=other_store,
        coat=coat,
        dress=dress,
        deal=deal,
        people=people,
        emails={name: user.email or "" for name, user in users.items()},
        merchant_email=merchant_user.email or "",
    )
