"""A flash deal's clock: started on a SKU of the pinned product, it counts down, the sweep opens
it (its units set aside from the SKU's stock by one guarded update) and closes it at its end
(what is left goes back to the stock) — each exactly once; the host may end it early, and ending
the room ends it too."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from agora import inventory, ledger, live
from agora.core.clock import clock
from agora.core.errors import InvalidInput
from live.world import COUNTDOWN, DURATION, RED_PRICE, World


def test_the_countdown_then_the_duration_open_and_close_the_deal(world: World) -> None:
    world.on_air()
    deal = world.start_deal(units=5)
    assert (deal.status, deal.units, deal.remaining, deal.seconds_to_open) == (
        "counting_down",
        5,
        0,
        10,
    )
    assert world.stock() == (20, 0)  # nothing set aside before it opens
    shown = live.room_detail(world.uow, actor=None, room_id=world.room.id)
    assert shown.deal is not None and shown.deal.id == deal.id

    clock.travel(COUNTDOWN - timedelta(seconds=1))
    assert world.sweep() == 0
    clock.travel(timedelta(seconds=1))
    assert world.sweep() == 1
    opened = world.deal(deal.id)
    assert (opened.status, opened.units, opened.remaining, opened.seconds_to_close) == (
        "open",
        5,
        5,
        60,
    )
    assert world.stock() == (15, 0)  # exactly the units, set aside

    world.buy("amy", deal.id, 2)
    assert world.stock() == (15, 2)  # the order holds its units like any checkout

    clock.travel(DURATION - timedelta(seconds=1))
    assert world.sweep() == 0
    clock.travel(timedelta(seconds=1))
    assert world.sweep() == 1
    closed = world.deal(deal.id)
    assert (closed.status, closed.remaining, closed.sold) == ("closed", 0, 2)
    assert world.stock() == (18, 2)  # the 3 unsold are back: 20 - 2 sold
    assert live.room_detail(world.uow, actor=None, room_id=world.room.id).deal is None
    # the sweep again, and closing again, change nothing
    before = world.snapshot()
    assert world.sweep() == 0
    assert live.close_deal(world.uow, deal.id) is False
    assert live.open_deal(world.uow, deal.id) is False
    assert world.snapshot() == before
    assert ledger.check(world.uow).ok


def test_the_host_ends_a_deal_early_and_the_unsold_units_return(world: World) -> None:
    deal = world.open_deal(units=5)
    world.buy("bob", deal.id)
    ended = live.end_deal(world.uow, actor=world.merchant, deal_id=deal.id)
    assert (ended.status, ended.remaining, ended.sold) == ("closed", 0, 1)
    assert world.stock() == (19, 1)
    clock.travel(DURATION)
    assert world.sweep() == 0  # its close deadline was called off
    assert live.end_deal(world.uow, actor=world.merchant, deal_id=deal.id).status == "closed"
    assert world.stock() == (19, 1)


def test_a_deal_ended_during_its_countdown_never_takes_stock(world: World) -> None:
    world.on_air()
    deal = world.start_deal(units=5)
    live.end_deal(world.uow, actor=world.merchant, deal_id=deal.id)
    clock.travel(COUNTDOWN)
    assert world.sweep() == 0
    assert world.deal(deal.id).status == "closed" and world.stock() == (20, 0)


def test_ending_the_room_closes_its_running_deal(world: World) -> None:
    deal = world.open_deal(units=4)
    world.buy("cat", deal.id)
    live.end_room(world.uow, actor=world.merchant, room_id=world.room.id)
    closed = world.deal(deal.id)
    assert (closed.status, closed.remaining, closed.sold) == ("closed", 0, 1)
    assert world.stock() == (19, 1)
    room = world.room_row()
    assert (room.status, room.orders, room.gmv, room.pinned_product_id) == (
        "ended",
        1,
        9900,
        world.coat.product.id,
    )


def test_short_stock_sets_aside_what_there_is(world: World) -> None:
    world.on_air()
    deal = world.start_deal(units=8, sku_id=world.black)  # the black coat has 5
    clock.travel(COUNTDOWN)
    world.sweep()
    opened = world.deal(deal.id)
    assert (opened.units, opened.remaining) == (5, 5)
    assert world.stock(world.black) == (0, 0)
    live.end_deal(world.uow, actor=world.merchant, deal_id=deal.id)
    assert world.stock(world.black) == (5, 0)


def test_no_stock_at_all_opens_the_deal_sold_out(world: World) -> None:
    world.on_air()
    deal = world.start_deal(units=3, sku_id=world.black)
    with world.uow.db.write_session() as session:
        session.execute(
            update(inventory.Stock).where(inventory.Stock.sku_id == world.black).values(available=0)
        )
        session.commit()
    clock.travel(COUNTDOWN)
    world.sweep()
    assert (world.deal(deal.id).units, world.deal(deal.id).remaining) == (0, 0)
    with pytest.raises(live.FlashDealSoldOut):
        world.buy("amy", deal.id)


def test_one_running_deal_per_room(world: World) -> None:
    world.on_air()
    world.start_deal()
    before = world.snapshot()
    with pytest.raises(live.FlashDealRunning):
        world.start_deal()
    assert world.snapshot() == before


def test_a_deal_needs_a_live_room_and_a_sku_of_the_pinned_product(world: World) -> None:
    with pytest.raises(live.RoomNotLive):
        world.start_deal()
    live.go_live(world.uow, actor=world.merchant, room_id=world.room.id)
    with pytest.raises(InvalidInput):  # nothing pinned yet
        world.start_deal()
    live.pin_product(
        world.uow, actor=world.merchant, room_id=world.room.id, product_id=world.scarf.product.id
    )
    before = world.snapshot()
    with pytest.raises(InvalidInput) as refused:
        world.start_deal(sku_id=world.red)  # a coat SKU, but the scarf is pinned
    assert refused.value.extra["errors"] == [
        {"field": "sku_id", "message": "not a SKU of the pinned product"}
    ]
    assert world.snapshot() == before


def test_terms_out_of_range_are_refused_each_named(world: World) -> None:
    world.on_air()
    before = world.snapshot()
    with pytest.raises(InvalidInput) as refused:
        world.start_deal(
            units=0, limit=0, price=RED_PRICE, countdown_seconds=9, duration_seconds=1201
        )
    assert {e["field"] for e in refused.value.extra["errors"]} == {
        "price",
        "units",
        "per_buyer_limit",
        "countdown_seconds",
        "duration_seconds",
    }
    assert world.snapshot() == before


def test_only_the_stores_staff_start_or_end_a_deal(world: World) -> None:
    world.on_air()
    deal = world.start_deal()
    before = world.snapshot()
    for outsider in (world.other_merchant, world.people["amy"]):
        with pytest.raises(live.RoomNotFound):
            live.start_deal(
                world.uow,
                actor=outsider,
                room_id=world.room.id,
                terms=live.FlashTerms(sku_id=world.red, price=100, units=1),
            )
        with pytest.raises(live.FlashDealNotFound):
            live.end_deal(world.uow, actor=outsider, deal_id=deal.id)
    assert world.snapshot() == before
