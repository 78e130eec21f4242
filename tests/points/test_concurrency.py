"""Races with real threads against the real database: two orders redeeming the same points, and
the expiry sweep running while points are being redeemed.

Each thread runs its use case in its own unit of work, as concurrent requests do; every wait has
a timeout, so a deadlock fails the test instead of hanging it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

from agora import points
from agora.core.clock import clock
from agora.core.db import Database
from agora.core.errors import AgoraError
from agora.core.uow import UnitOfWork
from agora.ordering import SourceRequest, pay_orders
from points.world import POINTS, WALLET, World

TIMEOUT = 60


def _race(n: int, fn: Callable[[int], Any]) -> list[Any]:
    start = threading.Barrier(n, timeout=TIMEOUT)

    def run(i: int) -> Any:
        start.wait()
        try:
            return fn(i)
        except AgoraError as exc:
            return exc

    with ThreadPoolExecutor(max_workers=n) as pool:
        futures = [pool.submit(run, i) for i in range(n)]
        return [f.result(timeout=TIMEOUT) for f in futures]


def test_two_orders_racing_for_the_same_points_only_one_wins(world: World, db: Database) -> None:
    user = world.buyer.user_id
    world.fund(world.buyer_user, 100_000)
    points.grant(world.uow, user_id=user, amount=10_000, key="gift", reason="Gift")
    first, second = world.place((world.red_coat, 1)), world.place((world.black_coat, 1))
    orders = [first[0], second[0]]

    def pay(i: int) -> Any:
        return pay_orders(
            UnitOfWork(db),
            actor=world.buyer,
            order_ids=[orders[i].id],
            sources=[SourceRequest(POINTS, 9_000), SourceRequest(WALLET)],
        )

    results = _race(2, pay)

    won = [r for r in results if not isinstance(r, AgoraError)]
    lost = [r for r in results if isinstance(r, AgoraError)]
    assert len(won) == 1 and len(lost) == 1
    assert isinstance(lost[0], points.PointsInsufficient)
    statuses = sorted(world.status(o.id) for o in orders)
    assert statuses == ["paid", "pending_payment"]
    paid = next(o for o in orders if world.status(o.id) == "paid")
    assert world.active(user) == 1_000
    assert world.lots(user) == [("grant", 10_000, 1_000, 0)]
    assert world.wallet(user) == 100_000 - (paid.total - 9_000)
    assert world.platform("points_redeemed") == 9_000


def test_the_expiry_sweep_and_redemptions_do_not_block_each_other(
    world: World, db: Database
) -> None:
    user = world.buyer.user_id
    world.fund(world.buyer_user, 100_000)
    clock.freeze(datetime(2025, 1, 1, tzinfo=UTC))
    for n in range(6):  # six lots that expire, one a day apart
        points.grant(world.uow, user_id=user, amount=100, key=f"old-{n}", reason="r")
        clock.travel(timedelta(days=1))
    points.grant(world.uow, user_id=user, amount=5_000, key="fresh", reason="r")
    clock.freeze(datetime(2026, 1, 6, 12, tzinfo=UTC))  # the six are past, the fresh lot is not
    orders = [world.place((world.dress_sku, 1))[0] for _ in range(3)]

    def act(i: int) -> Any:
        if i == 3:
            return points.expire_due(UnitOfWork(db))
        return pay_orders(
            UnitOfWork(db),
            actor=world.buyer,
            order_ids=[orders[i].id],
            sources=[SourceRequest(POINTS, 1_000), SourceRequest(WALLET)],
        )

    results = _race(4, act)

    assert not [r for r in results if isinstance(r, AgoraError)]
    points.expire_due(world.uow)  # a lot the sweep skipped while a payment held it goes now
    assert world.active(user) == 2_000
    assert world.platform("points_expired") == 600
    assert [lot[2] for lot in world.lots(user)] == [0, 0, 0, 0, 0, 0, 2_000]
