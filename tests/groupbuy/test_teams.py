"""Starting and joining teams: the leader's held order, joins, the full team's release, and every
refusal with nothing changed — no order, no money moved, no seat, no stock, no units counted."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from agora import catalog, groupbuy, inventory, ledger, ordering
from agora.core.clock import clock
from agora.core.errors import InvalidInput
from agora.core.models import Deadline
from groupbuy.world import FUNDS, GROUP_PRICE, World


def test_the_leader_opens_a_team_by_paying_and_the_order_is_held(world: World) -> None:
    outcome = world.start("leader", quantity=2)
    team = outcome.team

    assert (team.status, team.size, team.joined, team.places_left) == ("open", 3, 1, 2)
    assert team.leader_name == "Leader" and team.joinable
    assert team.group_price == GROUP_PRICE and team.title_en == "Wool Coat"
    assert team.expires_at - team.created_at == timedelta(hours=24)
    assert [(m.display_name, m.position, m.is_leader) for m in team.members] == [
        ("Leader", 1, True)
    ]
    order = outcome.order
    assert (order.status, order.held, order.deal_kind, order.deal_id) == (
        "paid",
        True,
        "group",
        team.id,
    )
    assert order.total == 2 * GROUP_PRICE and order.lines[0].unit_price == GROUP_PRICE
    assert team.mine is not None and team.mine.order_id == order.id and team.mine.quantity == 2
    assert world.wallet("leader") == FUNDS - 2 * GROUP_PRICE
    assert world.escrow() == 2 * GROUP_PRICE
    assert world.stock(world.red) == (8, 2)
    assert (world.deal_row().sold, world.units("leader")) == (2, 2)
    with world.uow.read() as session:
        deadline = session.query(Deadline).filter_by(kind=groupbuy.TEAM_EXPIRY).one()
    assert (deadline.ref_id, deadline.due_at) == (team.id, team.expires_at)


def test_the_last_place_completes_the_team_and_every_order_goes_to_fulfilment(
    world: World,
) -> None:
    team = world.start("leader").team
    second = world.join("bob", team.id, world.black)
    assert (second.team.joined, second.team.status, second.order.held) == (2, "open", True)
    assert [m.position for m in second.team.members] == [1, 2]

    third = world.join("carol", team.id)

    assert (third.team.status, third.team.joined, third.team.places_left) == ("complete", 3, 0)
    assert third.team.completed_at is not None and not third.team.joinable
    orders = world.orders_of(team.id)
    assert [(o.status, o.held) for o in orders] == [("paid", False)] * 3
    assert third.order.held is False
    # the merchant may ship them now; the team's deadline will not fire
    shipped = ordering.ship_order(
        world.uow, actor=world.merchant, order_id=orders[0].id, tracking_number="SF1"
    )
    assert shipped.status == "shipped"
    with world.uow.read() as session:
        deadline = session.query(Deadline).filter_by(ref_id=team.id).one()
    assert deadline.fired_at is not None and deadline.last_error == "cancelled"
    assert [m.display_name for m in third.team.members] == ["Leader", "Bob", "Carol"]


def test_a_join_answers_with_the_team_and_order_as_they_read_back(world: World) -> None:
    team = world.start("leader").team
    for who, status in (("bob", "open"), ("carol", "complete")):
        outcome = world.join(who, team.id, world.black)
        read = groupbuy.team_view(world.uow, actor=world.people[who], team_id=team.id)
        # the join builds its answer from what it holds; a reader measures time from its own now
        assert outcome.team.status == status
        assert replace(outcome.team, now=read.now) == read
        order = world.order(outcome.order.id)
        assert (outcome.order.status, outcome.order.held, outcome.order.total) == (
            order.status,
            order.held,
            order.total,
        )


def test_a_held_order_is_not_shipped_nor_refunded_by_its_buyer(world: World) -> None:
    outcome = world.start("leader")
    with pytest.raises(ordering.OrderHeld):
        ordering.ship_order(
            world.uow, actor=world.merchant, order_id=outcome.order.id, tracking_number="SF2"
        )
    with pytest.raises(ordering.OrderHeld):
        ordering.request_refund(
            world.uow, actor=world.people["leader"], order_id=outcome.order.id, reason="no"
        )
    assert world.order(outcome.order.id).status == "paid"


def refused(world: World, error: type[Exception], action: object) -> None:
    before = world.snapshot()
    with pytest.raises(error):
        action()  # type: ignore[operator]
    assert world.snapshot() == before


def test_a_full_team_refuses_another_member_and_nothing_changes(world: World) -> None:
    team = world.start("leader").team
    world.join("bob", team.id)
    world.join("carol", team.id)
    refused(world, groupbuy.TeamFull, lambda: world.join("dave", team.id))
    with pytest.raises(groupbuy.TeamFull):
        groupbuy.check_join(
            world.uow, actor=world.people["dave"], team_id=team.id, sku_id=world.red, quantity=1
        )


def test_nobody_joins_a_team_twice_the_leader_included(world: World) -> None:
    team = world.start("leader").team
    world.join("bob", team.id)
    refused(world, groupbuy.AlreadyInTeam, lambda: world.join("bob", team.id))
    refused(world, groupbuy.AlreadyInTeam, lambda: world.join("leader", team.id))
    with pytest.raises(groupbuy.AlreadyInTeam):
        groupbuy.check_join(
            world.uow, actor=world.people["bob"], team_id=team.id, sku_id=world.red, quantity=1
        )


def test_an_expired_team_refuses_joins_before_the_sweep_fails_it(world: World) -> None:
    team = world.start("leader").team
    clock.travel(timedelta(hours=24))  # exactly the deadline: closed
    refused(world, groupbuy.TeamClosed, lambda: world.join("bob", team.id))
    with pytest.raises(groupbuy.TeamClosed):
        groupbuy.check_join(
            world.uow, actor=world.people["bob"], team_id=team.id, sku_id=world.red, quantity=1
        )


def test_a_failed_team_refuses_joins(world: World) -> None:
    team = world.start("leader").team
    clock.travel(timedelta(hours=25))
    assert world.sweep() == 1
    refused(world, groupbuy.TeamClosed, lambda: world.join("bob", team.id))


def test_the_per_person_limit_counts_across_teams(world: World) -> None:
    first = world.start("leader", quantity=2).team  # the limit is 2 per person
    refused(world, groupbuy.GroupLimitReached, lambda: world.start("leader"))
    other = world.start("bob").team
    refused(world, groupbuy.GroupLimitReached, lambda: world.join("leader", other.id))
    world.join("carol", first.id, q=2)
    refused(world, groupbuy.GroupLimitReached, lambda: world.join("carol", other.id))
    with pytest.raises(groupbuy.GroupLimitReached):
        groupbuy.check_start(
            world.uow,
            actor=world.people["carol"],
            deal_id=world.deal.id,
            sku_id=world.red,
            quantity=1,
        )
    # above the limit in one go is bad input
    refused(world, InvalidInput, lambda: world.join("dave", other.id, q=3))


def test_the_deal_s_allotment_is_never_exceeded(world: World) -> None:
    first = world.start("leader", quantity=2).team
    world.join("bob", first.id, q=2)
    second = world.start("carol", quantity=2).team
    world.join("dave", second.id, q=1)
    assert world.deal_row().sold == 7
    refused(world, groupbuy.GroupDealSoldOut, lambda: world.join("erin", second.id, q=2))
    refused(world, groupbuy.GroupDealSoldOut, lambda: world.start("erin", quantity=2))
    with pytest.raises(groupbuy.GroupDealSoldOut):
        groupbuy.check_join(
            world.uow, actor=world.people["erin"], team_id=second.id, sku_id=world.red, quantity=2
        )
    world.join("erin", first.id)  # the last unit
    assert world.deal_row().sold == 8


def test_no_stock_refuses_the_join_and_nothing_changes(world: World) -> None:
    team = world.start("leader").team
    inventory.set_stock(world.uow, actor=world.merchant, levels={world.black: 0})
    refused(world, inventory.InsufficientStock, lambda: world.join("bob", team.id, world.black))
    with pytest.raises(inventory.InsufficientStock):
        groupbuy.check_join(
            world.uow, actor=world.people["bob"], team_id=team.id, sku_id=world.black, quantity=1
        )


def test_too_little_money_refuses_the_join_and_nothing_changes(world: World) -> None:
    team = world.start("leader").team
    refused(world, ledger.InsufficientFunds, lambda: world.join("poor", team.id))
    refused(world, ledger.InsufficientFunds, lambda: world.start("poor"))
    with pytest.raises(ledger.InsufficientFunds):
        groupbuy.check_join(
            world.uow, actor=world.people["poor"], team_id=team.id, sku_id=world.red, quantity=1
        )
    assert world.wallet("poor") == 0


def test_a_sku_of_another_product_is_refused(world: World) -> None:
    team = world.start("leader").team
    dress = world.dress.skus[0].id
    refused(world, groupbuy.SkuNotInDeal, lambda: world.join("bob", team.id, dress))
    refused(world, groupbuy.SkuNotInDeal, lambda: world.start("bob", dress))


def test_an_ended_deal_takes_no_new_teams_but_open_ones_still_fill(world: World) -> None:
    team = world.start("leader").team
    groupbuy.end_deal(world.uow, actor=world.merchant, deal_id=world.deal.id)
    refused(world, groupbuy.GroupDealEnded, lambda: world.start("bob"))
    world.join("bob", team.id)
    assert world.join("carol", team.id).team.status == "complete"


def test_a_team_of_a_product_taken_off_sale_is_hidden_from_strangers(world: World) -> None:
    team = world.start("leader").team
    with world.uow:
        product = world.uow.session.get(catalog.Product, world.coat.product.id)
        assert product is not None
        product.status = "hidden"
    with pytest.raises(groupbuy.TeamNotFound):
        groupbuy.team_view(world.uow, actor=world.people["bob"], team_id=team.id)
    with pytest.raises(groupbuy.TeamNotFound):
        groupbuy.team_view(world.uow, actor=None, team_id=team.id)
    refused(world, groupbuy.TeamNotFound, lambda: world.join("bob", team.id))
    # its members and the store's staff still see it (and are told why they cannot join)
    refused(world, groupbuy.AlreadyInTeam, lambda: world.join("leader", team.id))
    refused(
        world,
        ordering.SkuUnavailable,
        lambda: groupbuy.join_team(
            world.uow, actor=world.merchant, team_id=team.id, sku_id=world.red
        ),
    )
    mine = groupbuy.team_view(world.uow, actor=world.people["leader"], team_id=team.id)
    assert mine.mine is not None
    assert groupbuy.team_view(world.uow, actor=world.merchant, team_id=team.id).mine is None
    assert groupbuy.product_deal(world.uow, product_id=world.coat.product.id) is None


def test_what_a_member_bought_is_shown_to_that_member_alone(world: World) -> None:
    team = world.start("leader").team
    world.join("bob", team.id, world.black)
    as_bob = groupbuy.team_view(world.uow, actor=world.people["bob"], team_id=team.id)
    as_carol = groupbuy.team_view(world.uow, actor=world.people["carol"], team_id=team.id)
    anonymous = groupbuy.team_view(world.uow, actor=None, team_id=team.id)
    assert as_bob.mine is not None and as_bob.mine.sku_id == world.black
    assert as_carol.mine is None and anonymous.mine is None
    assert [m.display_name for m in anonymous.members] == ["Leader", "Bob"]


def test_the_product_lists_open_teams_fewest_places_left_first(world: World) -> None:
    a = world.start("leader").team
    b = world.start("bob").team
    world.join("carol", b.id)
    full = world.start("dave").team
    world.join("erin", full.id)
    world.join("leader", full.id)

    listed = groupbuy.product_deal(
        world.uow, product_id=world.coat.product.id, actor=world.people["leader"]
    )
    assert listed is not None
    assert [(t.id, t.places_left, t.mine) for t in listed.teams] == [
        (b.id, 1, False),
        (a.id, 2, True),
    ]
    assert listed.teams[0].leader_name == "Bob"
    assert listed.deal.sold == 6

    clock.travel(timedelta(hours=24))  # past their deadline, even before the sweep: not listed
    later = groupbuy.product_deal(world.uow, product_id=world.coat.product.id)
    assert later is not None and later.teams == []


def test_my_teams_lists_what_i_lead_and_joined_latest_first(world: World) -> None:
    mine = world.start("leader").team
    other = world.start("bob").team
    world.join("leader", other.id)
    listed = groupbuy.my_teams(world.uow, actor=world.people["leader"])
    assert [t.id for t in listed] == [other.id, mine.id]
    assert all(t.mine is not None for t in listed)
    assert groupbuy.my_teams(world.uow, actor=world.people["carol"]) == []
    assert [t.id for t in groupbuy.my_teams(world.uow, actor=world.people["bob"])] == [other.id]
