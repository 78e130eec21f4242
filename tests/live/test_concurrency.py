"""Races with real threads against the real database (SQLite and PostgreSQL): a flash deal is
never oversold, a buyer never passes the limit, and nobody refused is charged.

Each thread buys in its own unit of work (its own session), as concurrent requests do.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from agora import ledger, live, ordering, payments
from agora.core.db import Database
from agora.core.errors import AgoraError
from agora.core.uow import UnitOfWork
from factories import race
from groupbuy.world import FUNDS, many_shoppers
from live.world import FLASH_PRICE, World

BUYERS = 24


def test_24_buyers_race_for_5_units_and_exactly_5_buy(world: World, db: Database) -> None:
    deal = world.open_deal(units=5, limit=1)
    buyers = many_shoppers(db, BUYERS)

    results = race(BUYERS, lambda i: live.buy(UnitOfWork(db), actor=buyers[i], deal_id=deal.id))

    bought = [r for r in results if isinstance(r, live.FlashPurchase)]
    refused = [r for r in results if isinstance(r, AgoraError)]
    assert len(bought) == 5 and len(refused) == BUYERS - 5
    assert Counter(type(r) for r in refused) == Counter({live.FlashDealSoldOut: BUYERS - 5})
    assert sorted(r.remaining for r in bought) == [0, 1, 2, 3, 4]
    winners = {r.order.buyer_id for r in bought}
    for person in buyers:
        wallet = ledger.balance(world.uow, payments.wallet_of(person.user_id))
        assert wallet == (FUNDS - FLASH_PRICE if person.user_id in winners else FUNDS)
    orders = world.orders_of(deal.id)
    assert len(orders) == 5 and {o.status for o in orders} == {"paid"}
    assert {o.buyer_id for o in orders} == winners
    after = world.deal(deal.id)
    assert (after.remaining, after.sold) == (0, 5)
    assert world.stock() == (15, 5)  # 20 on sale before: 5 sold, none lost
    room = world.room_row()
    assert (room.orders, room.gmv) == (5, 5 * FLASH_PRICE)
    assert ledger.check(world.uow).ok
    # closing a sold-out deal gives nothing back
    live.end_deal(world.uow, actor=world.merchant, deal_id=deal.id)
    assert world.stock() == (15, 5)


def test_one_buyer_tapping_ten_times_at_once_stays_within_the_limit(
    world: World, db: Database
) -> None:
    deal = world.open_deal(units=5, limit=2)
    amy = world.people["amy"]

    results = race(10, lambda _: live.buy(UnitOfWork(db), actor=amy, deal_id=deal.id))

    bought = [r for r in results if isinstance(r, live.FlashPurchase)]
    refused = [r for r in results if isinstance(r, AgoraError)]
    assert len(bought) == 2
    assert {type(r) for r in refused} == {live.FlashLimitReached}
    assert world.bought("amy", deal.id) == 2
    assert world.wallet("amy") == FUNDS - 2 * FLASH_PRICE
    assert world.deal(deal.id).remaining == 3
    with UnitOfWork(db).read() as session:
        count = session.scalar(
            select(func.count())
            .select_from(ordering.Order)
            .where(ordering.Order.deal_id == deal.id)
        )
    assert count == 2
    assert ledger.check(world.uow).ok
