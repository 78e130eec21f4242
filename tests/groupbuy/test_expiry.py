"""A team whose deadline passes before it fills: the sweep fails it and refunds every member in
full — wallets, stock, the deal's allotment and each buyer's units back — once, however often it
runs; a team that filled is never failed by its (cancelled) deadline."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from agora import groupbuy, ledger, ordering
from agora.core.clock import clock
from agora.core.events import OutboxRelay
from agora.core.models import OutboxEvent
from groupbuy.world import FUNDS, GROUP_PRICE, PAST_DEADLINE, World


def test_the_deadline_refunds_every_member_and_gives_everything_back(world: World) -> None:
    team = world.start("leader", quantity=2).team
    world.join("bob", team.id, world.black)
    assert world.wallet("leader") == FUNDS - 2 * GROUP_PRICE
    assert world.stock(world.red) == (8, 2) and world.stock(world.black) == (4, 1)
    assert world.escrow() == 3 * GROUP_PRICE

    clock.travel(timedelta(hours=23, minutes=59))
    assert world.sweep() == 0  # not yet
    assert world.team_row(team.id).status == "open"

    clock.travel(timedelta(minutes=1, seconds=1))
    assert world.sweep() == 1

    failed = world.team_row(team.id)
    assert (failed.status, failed.joined) == ("failed", 2) and failed.failed_at is not None
    assert (world.wallet("leader"), world.wallet("bob")) == (FUNDS, FUNDS)
    assert world.escrow() == 0
    assert world.stock(world.red) == (10, 0) and world.stock(world.black) == (5, 0)
    assert world.deal_row().sold == 0
    assert (world.units("leader"), world.units("bob")) == (0, 0)
    orders = world.orders_of(team.id)
    assert [(o.status, o.held, o.refunded_amount) for o in orders] == [
        ("refunded", False, 2 * GROUP_PRICE),
        ("refunded", False, GROUP_PRICE),
    ]
    assert ledger.check(world.uow).ok

    # the refunded units count again: the leader may open a new team for two
    assert world.start("leader", quantity=2).team.status == "open"


def test_failing_a_team_twice_does_nothing_the_second_time(world: World) -> None:
    team = world.start("leader").team
    clock.travel(PAST_DEADLINE)
    assert groupbuy.expire_team(world.uow, team.id) is True
    before = world.snapshot()
    assert groupbuy.expire_team(world.uow, team.id) is False
    world.sweep()  # the deadline row fires now and finds nothing to do
    assert world.snapshot() == before


def test_expiring_an_open_team_before_its_deadline_does_nothing(world: World) -> None:
    team = world.start("leader").team
    before = world.snapshot()
    assert groupbuy.expire_team(world.uow, team.id) is False
    assert world.snapshot() == before


def test_a_complete_team_is_never_failed_and_its_orders_are_not_refunded(world: World) -> None:
    team = world.start("leader").team
    world.join("bob", team.id)
    world.join("carol", team.id)
    clock.travel(PAST_DEADLINE)
    assert world.sweep() == 0
    assert groupbuy.expire_team(world.uow, team.id) is False
    assert world.team_row(team.id).status == "complete"
    assert [o.status for o in world.orders_of(team.id)] == ["paid"] * 3
    assert world.escrow() == 3 * GROUP_PRICE


def test_members_hear_of_the_failure_and_their_timelines_say_so(world: World) -> None:
    team = world.start("leader").team
    world.join("bob", team.id)
    clock.travel(PAST_DEADLINE)
    world.sweep()
    with world.uow.read() as session:
        event = session.scalar(
            select(OutboxEvent).where(OutboxEvent.event_type == "groupbuy.team_failed")
        )
    assert event is not None
    assert event.payload == {"team_id": str(team.id), "deal_id": str(world.deal.id)}
    assert sorted(event.topics) == sorted(
        f"user:{world.people[n].user_id}" for n in ("leader", "bob")
    )
    OutboxRelay(world.uow.db).run_sync_until_idle()
    [order, _] = world.orders_of(team.id)
    detail = ordering.order_detail(world.uow, actor=world.people["leader"], order_id=order.id)
    refunded = [e for e in detail.timeline if e.kind == "refunded"]
    assert [(e.actor_role, e.data["reason"]) for e in refunded] == [("system", "team_failed")]
    assert detail.status == "refunded"
