"""Campaigns: starting, friends helping down to the floor exactly, the refusals (and that they
change nothing), buying at the reached price and paying through ordering, the expiry deadline,
and an unpaid order giving the campaign back."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

import factories
from agora import bargain, catalog, inventory, ordering
from agora.core.clock import clock
from agora.core.ids import new_id
from bargain.world import World


def test_starting_draws_a_schedule_and_opens_the_window(world: World) -> None:
    offer = world.offer(start=29900, floor=9900, helpers=5, hours=12)

    started = bargain.start_bargain(world.uow, actor=world.me, offer_id=offer.id)

    campaign = started.bargain
    assert started.created
    assert (campaign.owner_id, campaign.owner_name, campaign.offer_id) == (
        world.shopper.id,
        "Lin",
        offer.id,
    )
    assert (campaign.start_price, campaign.floor_price, campaign.price) == (29900, 9900, 29900)
    assert (campaign.helpers_needed, campaign.helpers_done, campaign.status) == (5, 0, "open")
    assert campaign.expires_at - campaign.created_at == timedelta(hours=12)
    cuts = world.row(campaign.id).cuts
    assert len(cuts) == 5 and sum(cuts) == 20000 and min(cuts) >= 1


def test_starting_again_returns_the_running_campaign(world: World) -> None:
    offer = world.offer()
    first = world.start(offer)

    again = bargain.start_bargain(world.uow, actor=world.me, offer_id=offer.id)

    assert not again.created and again.bargain.id == first.id
    assert world.count(bargain.Bargain) == 1


def test_no_campaign_starts_on_an_ended_sold_out_or_hidden_offer(world: World) -> None:
    offer = world.offer(allotment=1)
    with world.uow:
        world.uow.session.execute(
            update(bargain.BargainOffer).where(bargain.BargainOffer.id == offer.id).values(sold=1)
        )
    with pytest.raises(bargain.OfferSoldOut):
        world.start(offer)

    bargain.end_offer(world.uow, actor=world.merchant, offer_id=offer.id)
    with pytest.raises(bargain.OfferEnded):
        world.start(offer)

    live = world.offer()
    with world.uow:
        world.uow.session.execute(
            update(catalog.Product)
            .where(catalog.Product.id == world.coat.product.id)
            .values(status="hidden")
        )
    with pytest.raises(bargain.OfferNotFound):
        world.start(live)
    assert world.count(bargain.Bargain) == 0


def test_friends_cut_the_price_down_the_schedule_to_the_floor(world: World) -> None:
    offer = world.offer(start=29900, floor=9900, helpers=4)
    campaign = world.start(offer)
    cuts = world.row(campaign.id).cuts
    friends = world.people(4)

    prices = []
    for k, friend in enumerate(friends, start=1):
        helped = world.help(campaign, friend)
        assert (helped.position, helped.cut) == (k, cuts[k - 1])
        prices.append(helped.bargain.price)

    assert prices == [29900 - sum(cuts[:k]) for k in range(1, 5)]
    assert prices[-1] == 9900
    final = world.view(campaign.id)
    assert (final.status, final.helpers_done, final.price) == ("reached", 4, 9900)
    assert final.reached_at is not None
    assert [(h.helper_name, h.position, h.cut) for h in final.helps] == [
        (f"Friend {k}", k, cuts[k - 1]) for k in range(1, 5)
    ]


def _unchanged(world: World, campaign: bargain.BargainView) -> tuple[object, ...]:
    row = world.row(campaign.id)
    return (row.helpers_done, row.price, row.status, world.count(bargain.BargainHelp))


def test_the_owner_cannot_help_their_own_campaign(world: World) -> None:
    campaign = world.start(world.offer())
    before = _unchanged(world, campaign)

    with pytest.raises(bargain.OwnBargain):
        world.help(campaign, world.shopper)

    assert _unchanged(world, campaign) == before


def test_a_friend_helps_once(world: World) -> None:
    campaign = world.start(world.offer(helpers=5))
    [friend] = world.people(1)
    world.help(campaign, friend)
    before = _unchanged(world, campaign)

    with pytest.raises(bargain.AlreadyHelped):
        world.help(campaign, friend)

    assert _unchanged(world, campaign) == before == (1, before[1], "open", 1)


def test_no_help_after_the_floor_is_reached(world: World) -> None:
    campaign = world.reach(world.start(world.offer(helpers=2)))
    before = _unchanged(world, campaign)

    with pytest.raises(bargain.BargainComplete):
        world.help(campaign, world.people(1, "Late")[0])

    assert _unchanged(world, campaign) == before
    assert world.row(campaign.id).price == 9900


def test_no_help_after_the_window_closes(world: World) -> None:
    campaign = world.start(world.offer(helpers=3, hours=2))
    world.help(campaign, world.people(1)[0])
    before = _unchanged(world, campaign)

    clock.travel(timedelta(hours=2))
    with pytest.raises(bargain.BargainExpired):
        world.help(campaign, world.people(1, "Late")[0])

    assert _unchanged(world, campaign) == before
    # Expired as soon as the time is up, before its deadline fires.
    assert world.view(campaign.id).status == "expired"


def test_helping_an_unknown_campaign_is_not_found(world: World) -> None:
    with pytest.raises(bargain.BargainNotFound):
        bargain.help_bargain(world.uow, actor=world.me, bargain_id=new_id())


def test_anyone_signed_in_may_look_at_a_campaign_by_its_id(world: World) -> None:
    campaign = world.start(world.offer())
    stranger = factories.principal(world.people(1, "Stranger")[0])

    seen = bargain.access_bargain(world.uow, actor=stranger, bargain_id=campaign.id)

    assert seen.id == campaign.id and seen.owner_name == "Lin"


def test_the_owner_buys_at_the_floor_and_pays_through_ordering(world: World) -> None:
    offer = world.offer(start=29900, floor=9900, helpers=3, allotment=2)
    campaign = world.reach(world.start(offer))
    stock_before = world.stock()

    bought = bargain.buy_bargain(world.uow, actor=world.me, bargain_id=campaign.id)

    order = bought.order
    assert (order.status, order.total, order.deal_kind, order.deal_id, order.held) == (
        "pending_payment",
        9900,
        "bargain",
        campaign.id,
        False,
    )
    assert [(line.sku_id, line.unit_price, line.quantity) for line in order.lines] == [
        (world.red, 9900, 1)
    ]
    assert (bought.bargain.status, bought.bargain.order_id) == ("ordered", order.id)
    assert world.offer_row(offer.id).sold == 1
    assert world.stock() == (stock_before[0] - 1, stock_before[1] + 1)

    world.pay(order.id, 9900)

    paid = ordering.order_detail(world.uow, actor=world.me, order_id=order.id)
    assert (paid.status, paid.paid_amount) == ("paid", 9900)
    assert world.view(campaign.id).status == "ordered"


def test_buying_is_refused_to_others_before_the_floor_twice_and_after_the_window(
    world: World,
) -> None:
    offer = world.offer(helpers=2, hours=3)
    campaign = world.start(offer)
    friend, other = world.people(2)
    world.help(campaign, friend)

    def nothing_changed() -> None:
        assert world.orders() == 0
        assert world.offer_row(offer.id).sold == 0

    with pytest.raises(bargain.NotReached):
        bargain.buy_bargain(world.uow, actor=world.me, bargain_id=campaign.id)
    nothing_changed()

    world.help(campaign, other)
    with pytest.raises(bargain.BargainNotFound):
        bargain.buy_bargain(world.uow, actor=factories.principal(friend), bargain_id=campaign.id)
    nothing_changed()
    assert world.row(campaign.id).status == "reached"

    clock.travel(timedelta(hours=3))
    with pytest.raises(bargain.BargainExpired):
        bargain.buy_bargain(world.uow, actor=world.me, bargain_id=campaign.id)
    nothing_changed()


def test_a_campaign_is_bought_once(world: World) -> None:
    campaign = world.reach(world.start(world.offer(helpers=1)))
    first = bargain.buy_bargain(world.uow, actor=world.me, bargain_id=campaign.id)

    with pytest.raises(bargain.AlreadyOrdered) as refused:
        bargain.buy_bargain(world.uow, actor=world.me, bargain_id=campaign.id)

    assert refused.value.extra["order_id"] == str(first.order.id)
    assert world.orders() == 1
    with pytest.raises(bargain.AlreadyBought):
        world.start(world.offer_view(campaign.offer_id))


def test_the_allotment_bounds_purchases(world: World) -> None:
    offer = world.offer(helpers=1, allotment=1)
    a, b = world.people(2, "Shopper")
    first = world.reach(world.start(offer, a))
    second = world.reach(world.start(offer, b))
    bargain.buy_bargain(world.uow, actor=factories.principal(a), bargain_id=first.id)

    with pytest.raises(bargain.OfferSoldOut):
        bargain.buy_bargain(world.uow, actor=factories.principal(b), bargain_id=second.id)

    assert world.row(second.id).status == "reached"
    assert world.orders() == 1 and world.offer_row(offer.id).sold == 1


def test_no_stock_no_purchase_and_nothing_changes(world: World) -> None:
    offer = world.offer(helpers=1)
    campaign = world.reach(world.start(offer))
    inventory.set_stock(world.uow, actor=world.merchant, levels={world.red: 0})

    with pytest.raises(inventory.InsufficientStock):
        bargain.buy_bargain(world.uow, actor=world.me, bargain_id=campaign.id)

    assert world.row(campaign.id).status == "reached"
    assert world.offer_row(offer.id).sold == 0 and world.orders() == 0


def test_the_deadline_expires_open_and_reached_campaigns_once(world: World) -> None:
    offer = world.offer(helpers=1, hours=1)
    a, b, c = world.people(3, "Shopper")
    still_open = world.start(offer, a)
    reached = world.reach(world.start(offer, b))
    bought = world.reach(world.start(offer, c))
    order = bargain.buy_bargain(world.uow, actor=factories.principal(c), bargain_id=bought.id)
    world.pay(order.order.id, order.order.total, c)

    assert world.sweep() == 0
    clock.travel(timedelta(hours=1, seconds=1))
    assert world.sweep() == 3
    assert world.sweep() == 0

    assert [world.row(x.id).status for x in (still_open, reached, bought)] == [
        "expired",
        "expired",
        "ordered",
    ]
    assert bargain.expire_bargain(world.uow, still_open.id) is False
    # An expired campaign may be tried again.
    again = world.start(offer, a)
    assert again.id != still_open.id and again.status == "open"


def test_an_unpaid_order_gives_the_campaign_back(world: World) -> None:
    offer = world.offer(helpers=1, allotment=1)
    campaign = world.reach(world.start(offer))
    first = bargain.buy_bargain(world.uow, actor=world.me, bargain_id=campaign.id).order

    clock.travel(timedelta(minutes=16))
    world.sweep()  # the order's 15 minutes to pay are over
    world.deliver()

    row = world.row(campaign.id)
    assert (row.status, row.order_id) == ("reached", None)
    assert world.offer_row(offer.id).sold == 0
    assert bargain.release_order(world.uow, first.id) is False

    second = bargain.buy_bargain(world.uow, actor=world.me, bargain_id=campaign.id).order
    assert second.id != first.id and second.total == 9900
    assert world.offer_row(offer.id).sold == 1


def test_a_cancelled_order_after_the_window_leaves_the_campaign_expired(world: World) -> None:
    offer = world.offer(helpers=1, hours=1)
    campaign = world.reach(world.start(offer))
    order = bargain.buy_bargain(world.uow, actor=world.me, bargain_id=campaign.id).order

    clock.travel(timedelta(minutes=59, seconds=50))
    ordering.cancel_order(world.uow, actor=world.me, order_id=order.id)
    clock.travel(timedelta(seconds=20))
    world.deliver()

    assert world.row(campaign.id).status == "expired"
    assert world.offer_row(offer.id).sold == 0


def test_running_campaigns_outlive_the_end_of_their_offer(world: World) -> None:
    offer = world.offer(helpers=1)
    campaign = world.start(offer)
    bargain.end_offer(world.uow, actor=world.merchant, offer_id=offer.id)

    world.reach(campaign)
    bought = bargain.buy_bargain(world.uow, actor=world.me, bargain_id=campaign.id)

    assert bought.order.total == 9900
