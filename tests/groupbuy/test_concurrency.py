"""Races with real threads against the real database (SQLite and PostgreSQL): a team never
overfills, nobody joins one twice, and no money moves for a join that is refused.

Each thread runs its use case in its own unit of work (its own session), as concurrent requests
do. The pool is bounded and every wait has a timeout, so a deadlock fails the test instead of
hanging it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import func, select

import factories
from agora import catalog, groupbuy, ledger, ordering, payments
from agora.core.db import Database
from agora.core.errors import AgoraError
from agora.core.uow import UnitOfWork
from factories import race
from groupbuy.world import FUNDS, World, many_shoppers

TIMEOUT = 120
WORKERS = 16
JOINERS = 300
TEAM_PRICE = 5000


def _count(db: Database, model: Any, *where: Any) -> int:
    with UnitOfWork(db).read() as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def _entries_of(db: Database, people: list[Any]) -> dict[Any, int]:
    """Ledger entries per person, over every account they own (wallet, points, ...)."""
    ids = [p.user_id for p in people]
    with UnitOfWork(db).read() as session:
        rows = session.execute(
            select(ledger.Account.owner_id, func.count(ledger.Entry.id))
            .join(ledger.Entry, ledger.Entry.account_id == ledger.Account.id)
            .where(ledger.Account.owner_type == "user", ledger.Account.owner_id.in_(ids))
            .group_by(ledger.Account.owner_id)
        ).all()
    return {owner: int(n) for owner, n in rows}


def _team_of_ten(world: World) -> tuple[groupbuy.TeamView, catalog.ProductDetail]:
    """A team of 10 on a well-stocked jacket with six members already: four places left."""
    categories = {c.slug: c for c in catalog.load_categories(world.uow).by_id.values()}
    jacket = factories.make_product(
        world.uow,
        world.merchant,
        world.store,
        categories["coats"],
        title_en="Down Jacket",
        title_zh="羽绒服",
        skus=[("black", "L", 9900, 1000)],
    )
    deal = groupbuy.create_deal(
        world.uow,
        actor=world.merchant,
        product_id=jacket.product.id,
        terms=groupbuy.DealTerms(team_size=10, group_price=TEAM_PRICE, stock=1000, user_limit=1),
    )
    sku = jacket.skus[0].id
    team = groupbuy.start_team(
        world.uow, actor=world.people["leader"], deal_id=deal.id, sku_id=sku
    ).team
    for name in ("bob", "carol", "dave", "erin"):
        groupbuy.join_team(world.uow, actor=world.people[name], team_id=team.id, sku_id=sku)
    [sixth] = many_shoppers(world.uow.db, 1)
    groupbuy.join_team(world.uow, actor=sixth, team_id=team.id, sku_id=sku)
    return groupbuy.team_view(world.uow, actor=None, team_id=team.id), jacket


def test_300_joiners_race_for_4_places_and_exactly_4_join(world: World, db: Database) -> None:
    team, jacket = _team_of_ten(world)
    assert (team.joined, team.places_left) == (6, 4)
    sku = jacket.skus[0].id
    joiners = many_shoppers(db, JOINERS)
    entries_before = _entries_of(db, joiners)

    results = race(
        JOINERS,
        lambda i: groupbuy.join_team(UnitOfWork(db), actor=joiners[i], team_id=team.id, sku_id=sku),
    )

    joined = [r for r in results if isinstance(r, groupbuy.TeamOutcome)]
    refused = [r for r in results if isinstance(r, AgoraError)]
    assert len(joined) == 4 and len(refused) == JOINERS - 4
    assert Counter(type(r) for r in refused) == Counter({groupbuy.TeamFull: JOINERS - 4})
    after = groupbuy.team_view(world.uow, actor=None, team_id=team.id)
    assert (after.status, after.joined, len(after.members)) == ("complete", 10, 10)
    assert sorted(m.position for m in after.members) == list(range(1, 11))
    # the winners paid once each; nobody else was charged anything
    winners = {r.order.buyer_id for r in joined}
    for person in joiners:
        wallet = ledger.balance(world.uow, payments.wallet_of(person.user_id))
        assert wallet == (FUNDS - TEAM_PRICE if person.user_id in winners else FUNDS)
    # new ledger entries on the winners' accounts (their payment), none on anyone else's
    entries = _entries_of(db, joiners)
    assert {u for u, n in entries.items() if n > entries_before.get(u, 0)} == winners
    orders = _count(db, ordering.Order, ordering.Order.deal_id == team.id)
    assert orders == 10
    assert _count(db, ordering.Order, ordering.Order.held.is_(True)) == 0
    assert world.stock(sku) == (990, 10)
    with world.uow.read() as session:
        deal = session.scalar(
            select(groupbuy.GroupDeal).where(groupbuy.GroupDeal.product_id == jacket.product.id)
        )
        assert deal is not None and deal.sold == 10
    assert (
        _count(db, groupbuy.GroupDealBuyer, groupbuy.GroupDealBuyer.deal_id == team.deal_id) == 10
    )


def test_one_person_joining_one_team_twenty_times_at_once_joins_once(
    world: World, db: Database
) -> None:
    team = world.start("leader").team
    bob = world.people["bob"]

    results = race(
        20,
        lambda _: groupbuy.join_team(UnitOfWork(db), actor=bob, team_id=team.id, sku_id=world.red),
    )

    joined = [r for r in results if isinstance(r, groupbuy.TeamOutcome)]
    refused = [r for r in results if isinstance(r, AgoraError)]
    assert len(joined) == 1
    assert {type(r) for r in refused} == {groupbuy.AlreadyInTeam}
    assert world.team_row(team.id).joined == 2
    assert world.wallet("bob") == FUNDS - team.group_price
    assert world.units("bob") == 1
    assert len(world.orders_of(team.id)) == 2


def test_the_last_place_raced_by_joiners_and_the_deadline_goes_one_way(
    world: World, db: Database
) -> None:
    """Joins and the sweep at the very deadline: the team either fills or fails, never both,
    and the ledger balances either way."""
    from datetime import timedelta

    from agora.core.clock import clock
    from agora.core.jobs import Scheduler

    team = world.start("leader").team
    world.join("bob", team.id)
    clock.travel(timedelta(hours=24) - timedelta(milliseconds=50))

    def act(i: int) -> Any:
        if i == 0:
            clock.travel(timedelta(milliseconds=100))
            return Scheduler(db, owner="race").sweep_deadlines()
        name = ("carol", "dave", "erin")[i - 1]
        return groupbuy.join_team(
            UnitOfWork(db), actor=world.people[name], team_id=team.id, sku_id=world.red
        )

    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = [pool.submit(lambda i=i: _guard(act, i)) for i in range(4)]
        [f.result(timeout=TIMEOUT) for f in futures]

    row = world.team_row(team.id)
    orders = world.orders_of(team.id)
    assert len(orders) == row.joined  # every seat taken has its order, and no order lacks one
    if row.status == "complete":
        assert row.joined == 3 and [o.status for o in orders] == ["paid"] * 3
    else:
        assert row.status == "failed" and all(o.status == "refunded" for o in orders)
        assert world.escrow() == 0
    assert ledger.check(world.uow).ok


def _guard(fn: Callable[[int], Any], i: int) -> Any:
    try:
        return fn(i)
    except AgoraError as exc:
        return exc
