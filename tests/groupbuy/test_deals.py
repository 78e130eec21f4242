"""The merchant's deal: set on a product of their store, at most one running, ended at will."""

from __future__ import annotations

import pytest

from agora import catalog, groupbuy
from agora.core.errors import InvalidInput
from groupbuy.world import GROUP_PRICE, SOLO_BLACK, World


def terms(**changes: int) -> groupbuy.DealTerms:
    values = {"team_size": 2, "group_price": 9900, "stock": 4, "user_limit": 1} | changes
    return groupbuy.DealTerms(**values)


def test_the_deal_of_the_world_is_running_with_the_default_window(world: World) -> None:
    deal = world.deal
    assert (deal.team_size, deal.group_price, deal.stock, deal.sold, deal.user_limit) == (
        3,
        GROUP_PRICE,
        8,
        0,
        2,
    )
    assert (deal.status, deal.window_hours, deal.solo_price, deal.remaining) == (
        "active",
        24,
        SOLO_BLACK,
        8,
    )
    assert deal.store_id == world.store.id and deal.ended_at is None


def test_a_second_running_deal_on_the_product_is_refused(world: World) -> None:
    with pytest.raises(groupbuy.GroupDealExists):
        groupbuy.create_deal(
            world.uow, actor=world.merchant, product_id=world.coat.product.id, terms=terms()
        )


def test_after_ending_the_deal_a_new_one_may_start(world: World) -> None:
    ended = groupbuy.end_deal(world.uow, actor=world.merchant, deal_id=world.deal.id)
    assert ended.status == "ended" and ended.ended_at is not None
    again = groupbuy.end_deal(world.uow, actor=world.merchant, deal_id=world.deal.id)
    assert again.ended_at == ended.ended_at  # ending twice changes nothing

    new = groupbuy.create_deal(
        world.uow,
        actor=world.merchant,
        product_id=world.coat.product.id,
        terms=terms(window_hours=6),
    )
    assert (new.status, new.window_hours, new.team_size) == ("active", 6, 2)
    listed = groupbuy.merchant_deals(
        world.uow, actor=world.merchant, product_id=world.coat.product.id
    )
    assert listed.current is not None and listed.current.deal.id == new.id
    assert [s.deal.id for s in listed.past] == [world.deal.id]


def test_the_group_price_must_be_below_buying_alone(world: World) -> None:
    groupbuy.end_deal(world.uow, actor=world.merchant, deal_id=world.deal.id)
    with pytest.raises(InvalidInput) as refused:
        groupbuy.create_deal(
            world.uow,
            actor=world.merchant,
            product_id=world.coat.product.id,
            terms=terms(group_price=SOLO_BLACK),
        )
    assert refused.value.extra["errors"][0]["field"] == "group_price"
    assert (
        groupbuy.merchant_deals(
            world.uow, actor=world.merchant, product_id=world.coat.product.id
        ).current
        is None
    )


def test_only_the_store_s_staff_set_or_end_a_deal(world: World) -> None:
    stranger = world.people["bob"]
    with pytest.raises(catalog.ProductNotFound):
        groupbuy.create_deal(
            world.uow, actor=stranger, product_id=world.dress.product.id, terms=terms()
        )
    with pytest.raises(groupbuy.GroupDealNotFound):
        groupbuy.end_deal(world.uow, actor=stranger, deal_id=world.deal.id)
    with pytest.raises(catalog.ProductNotFound):
        groupbuy.merchant_deals(world.uow, actor=stranger, product_id=world.coat.product.id)
    assert world.deal_row().status == "active"
    # an operator may
    assert groupbuy.end_deal(world.uow, actor=world.ops, deal_id=world.deal.id).status == "ended"


def test_merchant_figures_count_teams_by_status(world: World) -> None:
    first = world.start("leader").team
    world.join("bob", first.id)
    world.join("carol", first.id)
    world.start("dave")
    stats = groupbuy.merchant_deals(
        world.uow, actor=world.merchant, product_id=world.coat.product.id
    ).current
    assert stats is not None
    assert (stats.open_teams, stats.complete_teams, stats.failed_teams) == (1, 1, 0)
    assert (stats.deal.sold, stats.deal.remaining) == (4, 4)
