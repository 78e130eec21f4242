"""Store reputation: each figure as defined — the window, the promise, what is not counted —
and always equal to a recount from the raw rows."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, select

from agora import ordering, reputation
from agora.core.clock import clock, utcnow
from agora.core.jobs import Scheduler, registry
from agora.groupbuy.domain import DEAL_KIND
from agora.reputation.service import GROUP_DEAL
from ordering.world import World, pay_wallet
from reputation.shop import (
    START,
    at,
    complain_not_genuine,
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
D = timedelta(days=1)


def computed(world: World, store_id: uuid.UUID) -> reputation.Reputation:
    reputation.recompute_reputation(world.uow)
    return reputation.store_reputation(world.uow, store_id)


def test_a_store_never_counted_has_no_figures_not_zeros(world: World) -> None:
    found = reputation.store_reputation(world.uow, world.store_a.id)

    assert not found.computed
    assert (found.rating, found.on_time_percent, found.return_percent) == (None, None, None)
    assert found.window_days == 90


def test_a_store_without_orders_or_reviews_is_counted_with_nothing_to_show(world: World) -> None:
    found = computed(world, world.store_a.id)

    assert found.computed_at == START
    assert (found.rating, found.on_time_percent, found.return_percent) == (None, None, None)
    assert (found.reviews, found.judged_orders, found.delivered_orders) == (0, 0, 0)


def test_every_store_gets_one_row_per_run_however_often_it_runs(world: World) -> None:
    assert reputation.recompute_reputation(world.uow) == 2
    at(START + 15 * timedelta(minutes=1))
    assert reputation.recompute_reputation(world.uow) == 2

    with world.uow.read() as session:
        rows = session.scalars(select(reputation.StoreReputation)).all()
    assert sorted(r.store_id for r in rows) == sorted([world.store_a.id, world.store_b.id])
    assert {r.computed_at for r in rows} == {START + timedelta(minutes=15)}


def test_on_time_shipping_is_judged_against_the_stores_promise(world: World) -> None:
    world.fund(world.buyer_user, 1_000_000)
    t0 = START + D
    early = paid_order(world, t0)
    exactly = paid_order(world, t0)
    late = paid_order(world, t0)
    never = paid_order(world, t0)
    refunded_in_time = paid_order(world, t0)
    refunded_late = paid_order(world, t0)
    ship(world, early, t0 + 47 * H)
    ship(world, exactly, t0 + 48 * H)
    ship(world, late, t0 + 49 * H)
    refund(world, refunded_in_time, t0 + 5 * H)
    refund(world, refunded_late, t0 + 60 * H)
    at(t0 + 61 * H)
    not_due = paid_order(world, t0 + 61 * H)  # its promise is still running
    unpaid = ordering.place_orders(
        world.uow, actor=world.buyer, lines=[ordering.LineRequest(world.red_coat, 1)]
    )

    found = computed(world, world.store_a.id)

    # Judged: early, exactly, late, never (unshipped past its promise) and refunded_late.
    assert (found.judged_orders, found.on_time_orders) == (5, 2)
    assert found.on_time_percent == Decimal("40.00")
    assert never.id and not_due.id and unpaid  # counted or not, each is a real order

    # Shipping the order whose promise is still running, in time, adds one on time.
    ship(world, not_due, t0 + 62 * H)
    found = computed(world, world.store_a.id)
    assert (found.judged_orders, found.on_time_orders) == (6, 3)


def test_orders_not_yet_due_give_no_figure(world: World) -> None:
    world.fund(world.buyer_user, 100_000)
    paid_order(world, START + H)
    at(START + 47 * H)

    found = computed(world, world.store_a.id)

    assert (found.judged_orders, found.on_time_percent) == (0, None)
    at(START + 49 * H)
    assert computed(world, world.store_a.id).on_time_percent == Decimal("0.00")


def test_the_promise_is_the_stores_own(world: World) -> None:
    promise(world, world.store_b, 24)
    world.fund(world.buyer_user, 100_000)
    dress = paid_order(world, START + H, world.dress_sku)
    coat = paid_order(world, START + H)
    ship(world, dress, START + 30 * H)
    ship(world, coat, START + 30 * H)

    assert computed(world, world.store_b.id).on_time_percent == Decimal("0.00")
    assert computed(world, world.store_a.id).on_time_percent == Decimal("100.00")


def test_a_group_order_is_judged_from_when_its_team_filled(world: World) -> None:
    assert GROUP_DEAL == DEAL_KIND
    world.fund(world.buyer_user, 100_000)
    at(START + H)
    held = ordering.place_deal_order(
        world.uow,
        actor=world.buyer,
        sku_id=world.red_coat,
        quantity=1,
        unit_price=19_900,
        deal_kind=DEAL_KIND,
        deal_id=uuid.uuid4(),
        hold=True,
    )
    pay_wallet(world, held)
    at(START + 60 * H)
    assert computed(world, world.store_a.id).judged_orders == 0  # waiting for its team

    ordering.release_holds(world.uow, order_ids=[held.id])
    ship(world, held, START + 100 * H)  # 40 hours after the team filled

    found = computed(world, world.store_a.id)
    assert (found.judged_orders, found.on_time_orders) == (1, 1)


def test_the_return_rate_counts_accepted_returns_asked_after_delivery(world: World) -> None:
    world.fund(world.buyer_user, 1_000_000)
    t0 = START + D
    orders = [paid_order(world, t0) for _ in range(5)]
    for order in orders:
        ship(world, order, t0 + 2 * H)
    for order in orders[:4]:
        deliver(world, order, t0 + D)
    accepted, rejected, waiting, kept, in_transit = orders
    decide(world, accepted, refund(world, accepted, t0 + 2 * D), t0 + 3 * D, accept=True)
    decide(world, rejected, refund(world, rejected, t0 + 2 * D), t0 + 3 * D, accept=False)
    refund(world, waiting, t0 + 2 * D)
    decide(world, in_transit, refund(world, in_transit, t0 + 3 * D), t0 + 4 * D, accept=True)
    at(t0 + 5 * D)

    found = computed(world, world.store_a.id)

    # Delivered: four (the one returned in transit never was); returned: the accepted one.
    assert (found.delivered_orders, found.returned_orders) == (4, 1)
    assert found.return_percent == Decimal("25.00")
    assert kept.id


def test_the_rating_averages_the_reviews_of_the_window(world: World) -> None:
    world.fund(world.buyer_user, 1_000_000)
    stars = [5, 4, 4]
    for n, given in enumerate(stars):
        order = paid_order(world, START + n * D)
        ship(world, order, START + n * D + H)
        deliver(world, order, START + n * D + 2 * H)
        review(world, order, given, START + n * D + 3 * H)
    at(START + 2 * D + 4 * H)
    found = computed(world, world.store_a.id)
    assert (found.rating, found.reviews) == (Decimal("4.33"), 3)

    # 90 days after the first review it has left the window.
    at(START + 3 * H + 90 * D + timedelta(seconds=1))
    found = computed(world, world.store_a.id)
    assert (found.rating, found.reviews) == (Decimal("4.00"), 2)


def test_everything_leaves_the_window_after_90_days(world: World) -> None:
    world.fund(world.buyer_user, 100_000)
    order = paid_order(world, START + H)
    ship(world, order, START + 2 * H)
    deliver(world, order, START + 3 * H)
    at(START + H + reputation.WINDOW)  # judged by when it was paid: still in
    found = computed(world, world.store_a.id)
    assert (found.judged_orders, found.delivered_orders) == (1, 1)

    at(START + H + reputation.WINDOW + timedelta(microseconds=1))
    found = computed(world, world.store_a.id)
    assert (found.judged_orders, found.delivered_orders) == (0, 1)

    at(START + 3 * H + reputation.WINDOW + timedelta(microseconds=1))
    found = computed(world, world.store_a.id)
    assert (found.judged_orders, found.delivered_orders) == (0, 0)
    assert (found.on_time_percent, found.return_percent) == (None, None)


def test_the_figures_equal_a_recount_of_a_varied_history(world: World) -> None:
    promise(world, world.store_b, 24)
    world.fund(world.buyer_user, 3_000_000)
    t0 = START
    for n in range(8):
        sku = world.red_coat if n % 2 else world.dress_sku
        paid = t0 + n * 13 * H
        order = paid_order(world, paid, sku)
        if n % 4 == 3:
            refund(world, order, paid + (n + 1) * 9 * H)
            continue
        ship(world, order, paid + (n * 7 % 60) * H)
        if n % 3:
            deliver(world, order, paid + 3 * D)
            review(world, order, 1 + n % 5, paid + 4 * D)
            if n % 2:
                decide(
                    world,
                    order,
                    refund(world, order, paid + 5 * D),
                    paid + 6 * D,
                    accept=n % 5 != 0,
                )
    paid_order(world, t0 + 9 * D, world.dress_sku)  # unshipped
    # "not genuine" complaints, decided: upheld in full, in part, and rejected
    for n, outcome in enumerate(("refund_full", "refund_partial", "reject")):
        fake = paid_order(world, t0 + n * H, world.red_coat)
        ship(world, fake, t0 + (n + 1) * H)
        deliver(world, fake, t0 + 2 * D)
        complain_not_genuine(world, fake, t0 + 3 * D, t0 + 4 * D + n * H, outcome)
    at(t0 + 10 * D)

    reputation.recompute_reputation(world.uow)

    expected = recount(world, utcnow())
    for store in (world.store_a, world.store_b):
        found = reputation.store_reputation(world.uow, store.id)
        want = expected[store.id]
        assert (
            found.reviews,
            found.judged_orders,
            found.on_time_orders,
            found.delivered_orders,
            found.returned_orders,
            found.counterfeit_complaints,
            found.counterfeit_upheld,
        ) == (
            want.reviews,
            want.judged_orders,
            want.on_time_orders,
            want.delivered_orders,
            want.returned_orders,
            want.counterfeit_complaints,
            want.counterfeit_upheld,
        )
        assert (found.rating, found.on_time_percent, found.return_percent) == (
            want.rating,
            want.on_time_percent,
            want.return_percent,
        )
    assert sum(w.judged_orders for w in expected.values()) > 0
    assert (
        expected[world.store_a.id].counterfeit_complaints,
        expected[world.store_a.id].counterfeit_upheld,
    ) == (3, 2)


def test_the_job_recounts_every_quarter_of_an_hour(world: World) -> None:
    job = registry.periodic[reputation.RECOMPUTE]
    assert job.interval == reputation.EVERY == timedelta(minutes=15)

    Scheduler(world.uow.db, owner="tests").run_due()

    with world.uow.read() as session:
        assert session.scalar(select(func.count()).select_from(reputation.StoreReputation)) == 2
    assert clock.now() == START
