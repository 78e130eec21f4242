"""Races with real threads against the real database (SQLite and PostgreSQL): a referee's
orders completing at once decide one reward; operators releasing at once pay it once. Every
wait has a timeout, so a deadlock fails the test instead of hanging it."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from agora import referrals
from agora.core.errors import AgoraError
from agora.core.uow import UnitOfWork
from referrals.world import World

TIMEOUT = 120
WORKERS = 8


def _race(fn: Any) -> list[Any]:
    start = threading.Barrier(WORKERS, timeout=TIMEOUT)

    def attempt(i: int) -> Any:
        start.wait()
        try:
            return fn(i)
        except AgoraError as exc:
            return exc

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        futures = [pool.submit(attempt, i) for i in range(WORKERS)]
        return [f.result(timeout=TIMEOUT) for f in futures]


def test_orders_completing_together_decide_one_reward(world: World) -> None:
    newcomer = world.referred("Dora")
    orders = [uuid.uuid4() for _ in range(WORKERS)]

    results = _race(
        lambda i: referrals.reward_first_order(
            UnitOfWork(world.uow.db), buyer_id=newcomer.id, order_id=orders[i]
        )
    )

    assert sorted(results) == [False] * (WORKERS - 1) + [True]
    [(referee, _referrer, order, points, status, _reasons)] = world.rewards()
    assert (referee, order, status) == (newcomer.id, orders[results.index(True)], "granted")
    assert world.points(world.alice) == points == 500


def test_operators_releasing_together_pay_once(world: World) -> None:
    farm = [world.referred(f"Farm {n}", ip="addr-dorm") for n in range(3)]
    world.buy(farm[0])
    reward_id = world.reward_id(farm[0])

    results = _race(
        lambda i: referrals.release_reward(
            UnitOfWork(world.uow.db), actor=world.ops, reward_id=reward_id
        )
    )

    released = [r for r in results if isinstance(r, referrals.RewardView)]
    refused = [r for r in results if isinstance(r, AgoraError)]
    assert len(released) == 1 and released[0].status == "released"
    assert {type(r) for r in refused} == {referrals.RewardNotWithheld}
    assert len(refused) == WORKERS - 1
    assert world.points(world.alice) == 500
