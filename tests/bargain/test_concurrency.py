"""Bargains under concurrency, with real threads each in its own unit of work: fifty friends
racing to help a campaign that needs thirty get exactly thirty positions and the price stops at
the floor; one friend's racing repeats count once; racing starts make one campaign and racing
buys one order."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from sqlalchemy import select

import factories
from agora import bargain, ordering
from agora.core.db import Database
from agora.core.errors import AgoraError
from agora.core.uow import UnitOfWork
from agora.identity import Principal
from bargain.world import World

T = TypeVar("T")
NEEDED = 30
HELPERS = 50


def race(
    db: Database, actors: list[Principal], move: Callable[[UnitOfWork, Principal], T]
) -> list[T | str]:
    """Run ``move`` once per actor, all released at once; each result or the refusal's code."""
    start = threading.Barrier(len(actors))

    def run(actor: Principal) -> T | str:
        start.wait(timeout=30)
        try:
            return move(UnitOfWork(db), actor)
        except AgoraError as refused:
            return refused.code

    with ThreadPoolExecutor(max_workers=len(actors)) as pool:
        return list(pool.map(run, actors, timeout=120))


def test_fifty_friends_racing_get_exactly_the_needed_helps(db: Database, world: World) -> None:
    offer = world.offer(start=29900, floor=9900, helpers=NEEDED)
    campaign = world.start(offer)
    cuts = world.row(campaign.id).cuts
    friends = [factories.principal(u) for u in world.people(HELPERS)]

    results = race(
        db,
        friends,
        lambda uow, actor: bargain.help_bargain(uow, actor=actor, bargain_id=campaign.id),
    )

    helped = [r for r in results if isinstance(r, bargain.Helped)]
    refused = [r for r in results if isinstance(r, str)]
    assert len(helped) == NEEDED
    assert refused == ["bargain_complete"] * (HELPERS - NEEDED)
    assert sorted(h.position for h in helped) == list(range(1, NEEDED + 1))
    assert all(h.cut == cuts[h.position - 1] for h in helped)
    assert min(h.bargain.price for h in helped) == 9900

    final = world.view(campaign.id)
    assert (final.status, final.helpers_done, final.price) == ("reached", NEEDED, 9900)
    assert [h.position for h in final.helps] == list(range(1, NEEDED + 1))
    assert sum(h.cut for h in final.helps) == 29900 - 9900
    assert world.count(bargain.BargainHelp) == NEEDED


def test_one_friends_racing_repeats_count_once(db: Database, world: World) -> None:
    campaign = world.start(world.offer(helpers=5))
    friend = factories.principal(world.people(1)[0])

    results = race(
        db,
        [friend] * 8,
        lambda uow, actor: bargain.help_bargain(uow, actor=actor, bargain_id=campaign.id),
    )

    assert sorted(r if isinstance(r, str) else "helped" for r in results) == [
        *["bargain_already_helped"] * 7,
        "helped",
    ]
    row = world.row(campaign.id)
    assert (row.helpers_done, row.price) == (1, 29900 - row.cuts[0])
    assert world.count(bargain.BargainHelp) == 1


def test_racing_starts_make_one_campaign(db: Database, world: World) -> None:
    offer = world.offer()

    results = race(
        db,
        [world.me] * 8,
        lambda uow, actor: bargain.start_bargain(uow, actor=actor, offer_id=offer.id),
    )

    started = [r for r in results if isinstance(r, bargain.Started)]
    assert len(started) == 8 and sum(s.created for s in started) == 1
    assert len({s.bargain.id for s in started}) == 1
    assert world.count(bargain.Bargain) == 1


def test_racing_buys_place_one_order(db: Database, world: World) -> None:
    offer = world.offer(helpers=1, allotment=5)
    campaign = world.reach(world.start(offer))

    results = race(
        db,
        [world.me] * 6,
        lambda uow, actor: bargain.buy_bargain(uow, actor=actor, bargain_id=campaign.id),
    )

    bought = [r for r in results if isinstance(r, bargain.Bought)]
    assert len(bought) == 1
    assert sorted(r for r in results if isinstance(r, str)) == ["bargain_ordered"] * 5
    with world.uow.read() as session:
        orders = session.scalars(select(ordering.Order.id)).all()
    assert orders == [bought[0].order.id]
    assert world.offer_row(offer.id).sold == 1


def test_racing_shoppers_never_exceed_the_allotment(db: Database, world: World) -> None:
    offer = world.offer(helpers=1, allotment=3)
    shoppers = world.people(8, "Shopper")
    campaigns: dict[uuid.UUID, uuid.UUID] = {}
    for shopper in shoppers:
        campaigns[shopper.id] = world.reach(world.start(offer, shopper)).id

    results = race(
        db,
        [factories.principal(s) for s in shoppers],
        lambda uow, actor: bargain.buy_bargain(
            uow, actor=actor, bargain_id=campaigns[actor.user_id]
        ),
    )

    assert sum(isinstance(r, bargain.Bought) for r in results) == 3
    assert sorted(r for r in results if isinstance(r, str)) == ["bargain_sold_out"] * 5
    assert world.offer_row(offer.id).sold == 3
    assert world.orders() == 3
