"""Buying in a flash deal: only while it is open, at the deal's price, paid from the wallet,
within the per-buyer limit, never past its units; each refusal changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from agora import ledger, live
from agora.core.clock import clock
from agora.core.errors import InvalidInput
from agora.core.models import OutboxEvent
from live.world import COUNTDOWN, DURATION, FLASH_PRICE, FUNDS, World


def test_a_purchase_is_a_paid_order_at_the_deal_price(world: World) -> None:
    deal = world.open_deal(units=5, limit=2)
    bought = world.buy("amy", deal.id, 2)
    assert bought.remaining == 3
    assert (bought.order.status, bought.order.total) == ("paid", 2 * FLASH_PRICE)
    [order] = world.orders_of(deal.id)
    assert (order.deal_kind, order.held, order.buyer_id) == (
        "flash",
        False,
        world.people["amy"].user_id,
    )
    assert world.wallet("amy") == FUNDS - 2 * FLASH_PRICE
    assert world.bought("amy", deal.id) == 2
    assert (world.deal(deal.id).remaining, world.deal(deal.id).sold) == (3, 2)
    assert world.stock() == (15, 2)
    room = world.room_row()
    assert (room.orders, room.gmv) == (1, 2 * FLASH_PRICE)
    assert ledger.check(world.uow).ok


def test_the_room_hears_of_the_order_with_the_buyer_masked(world: World) -> None:
    deal = world.open_deal()
    world.buy("bob", deal.id)
    with world.uow.read() as session:
        event = session.scalar(select(OutboxEvent).where(OutboxEvent.event_type == "live.order"))
    assert event is not None and event.topics == [f"live:{world.room.id}"]
    assert event.payload == {
        "room_id": str(world.room.id),
        "deal_id": str(deal.id),
        "buyer": "B*",
        "product_title": "Wool Coat",
        "product_title_zh": None,
        "quantity": 1,
        "remaining": 4,
    }


def test_buying_before_the_countdown_ends_is_refused(world: World) -> None:
    world.on_air()
    deal = world.start_deal()
    clock.travel(COUNTDOWN - timedelta(seconds=1))
    before = world.snapshot()
    with pytest.raises(live.FlashDealNotOpen):
        world.buy("amy", deal.id)
    assert world.snapshot() == before and world.wallet("amy") == FUNDS


def test_buying_after_the_close_is_refused_even_before_the_sweep(world: World) -> None:
    deal = world.open_deal()
    clock.travel(DURATION)
    before = world.snapshot()
    with pytest.raises(live.FlashDealClosed):
        world.buy("amy", deal.id)  # its time is up; the sweep has not closed it yet
    assert world.snapshot() == before
    world.sweep()
    before = world.snapshot()
    with pytest.raises(live.FlashDealClosed):
        world.buy("amy", deal.id)
    assert world.snapshot() == before


def test_the_per_buyer_limit_holds(world: World) -> None:
    deal = world.open_deal(units=5, limit=2)
    world.buy("amy", deal.id)
    before = world.snapshot()
    with pytest.raises(live.FlashLimitReached):
        world.buy("amy", deal.id, 2)
    with pytest.raises(InvalidInput):
        world.buy("bob", deal.id, 3)
    assert world.snapshot() == before
    world.buy("amy", deal.id)
    assert world.bought("amy", deal.id) == 2


def test_the_last_units_sell_then_sold_out_changes_nothing(world: World) -> None:
    deal = world.open_deal(units=3, limit=2)
    world.buy("amy", deal.id, 2)
    before = world.snapshot()
    with pytest.raises(live.FlashDealSoldOut):
        world.buy("bob", deal.id, 2)  # one left
    assert world.snapshot() == before
    assert world.buy("bob", deal.id).remaining == 0
    before = world.snapshot()
    with pytest.raises(live.FlashDealSoldOut):
        world.buy("cat", deal.id)  # from the gate, in memory
    with pytest.raises(live.FlashDealSoldOut):
        live.refuse_sold_out(world.uow, deal.id)
    assert world.snapshot() == before
    assert world.stock() == (17, 3)


def test_a_wallet_too_short_pays_for_nothing(world: World) -> None:
    deal = world.open_deal()
    before = world.snapshot()
    with pytest.raises(ledger.InsufficientFunds):
        world.buy("poor", deal.id)
    assert world.snapshot() == before


def test_a_deal_is_bought_only_where_it_is_seen(world: World) -> None:
    import uuid

    with pytest.raises(live.FlashDealNotFound):
        world.buy("amy", uuid.UUID(int=7))
