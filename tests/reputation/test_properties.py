"""Property: whatever the history — orders paid at any time, shipped early, late or never,
refunded before shipping, delivered, reviewed, returned and accepted, rejected or left waiting —
the job's figures equal a recount from the raw rows by the definitions on the page."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agora import reputation
from ordering.world import World
from reputation.shop import (
    START,
    at,
    decide,
    deliver,
    paid_order,
    promise,
    recount,
    refund,
    review,
    ship,
)

H = timedelta(hours=1)


@dataclass(frozen=True)
class Plan:
    store: int
    paid_hour: int
    ship_after: int | None
    refund_after: int | None
    delivered: bool
    stars: int | None
    returned: str | None  # "accepted", "rejected", "waiting"


plans = st.builds(
    Plan,
    store=st.integers(0, 1),
    paid_hour=st.integers(0, 24 * 100),
    ship_after=st.none() | st.integers(0, 100),
    refund_after=st.none() | st.integers(0, 100),
    delivered=st.booleans(),
    stars=st.none() | st.integers(1, 5),
    returned=st.none() | st.sampled_from(["accepted", "rejected", "waiting"]),
)

Step = tuple[datetime, int, int, Callable[[], None]]


def steps_of(world: World, n: int, plan: Plan, base: datetime) -> list[Step]:
    """The order's history as dated steps, each after the one before."""
    sku = world.red_coat if plan.store == 0 else world.dress_sku
    paid = base + plan.paid_hour * H
    order: list = []
    chain: list[tuple[datetime, Callable[[], None]]] = [
        (paid, lambda: order.append(paid_order(world, paid, sku)))
    ]
    if plan.refund_after is not None and (
        plan.ship_after is None or plan.refund_after < plan.ship_after
    ):
        when = paid + plan.refund_after * H
        chain.append((when, lambda: refund(world, order[0], when)))
    elif plan.ship_after is not None:
        shipped = paid + plan.ship_after * H
        chain.append((shipped, lambda: ship(world, order[0], shipped)))
        if plan.delivered:
            arrived = shipped + 24 * H
            chain.append((arrived, lambda: deliver(world, order[0], arrived)))
            if plan.stars is not None:
                stars, when = plan.stars, arrived + H
                chain.append((when, lambda: review(world, order[0], stars, when)))
            if plan.returned is not None:
                asked_at, decided_at = arrived + 2 * H, arrived + 3 * H
                asked: list = []
                chain.append((asked_at, lambda: asked.append(refund(world, order[0], asked_at))))
                if plan.returned != "waiting":
                    accept = plan.returned == "accepted"
                    chain.append(
                        (
                            decided_at,
                            lambda: decide(world, order[0], asked[0], decided_at, accept=accept),
                        )
                    )
    return [(when, n, i, step) for i, (when, step) in enumerate(chain)]


examples = itertools.count()


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    history=st.lists(plans, max_size=8),
    now_hour=st.integers(24 * 95, 24 * 105),
    store_b_promise=st.sampled_from([12, 24, 48, 72]),
)
def test_the_figures_always_equal_a_recount(
    world: World, history: list[Plan], now_hour: int, store_b_promise: int
) -> None:
    # Each example lives after the one before, in the same database: the recount covers both.
    base = START + next(examples) * timedelta(days=400)
    at(base)
    promise(world, world.store_b, store_b_promise)
    world.fund(world.buyer_user, 400_000)
    now = base + now_hour * H
    steps = sorted(
        (s for n, plan in enumerate(history) for s in steps_of(world, n, plan, base)),
        key=lambda s: s[:3],
    )
    stopped: set[int] = set()
    for when, n, _, step in steps:
        if when > now or n in stopped:
            stopped.add(n)  # what comes after now has not happened yet
            continue
        step()
    at(now)

    reputation.recompute_reputation(world.uow)

    expected = recount(world, now)
    for store in (world.store_a, world.store_b):
        found = reputation.store_reputation(world.uow, store.id)
        want = expected[store.id]
        assert (
            found.reviews,
            found.judged_orders,
            found.on_time_orders,
            found.delivered_orders,
            found.returned_orders,
            found.rating,
            found.on_time_percent,
            found.return_percent,
        ) == (
            want.reviews,
            want.judged_orders,
            want.on_time_orders,
            want.delivered_orders,
            want.returned_orders,
            want.rating,
            want.on_time_percent,
            want.return_percent,
        )
