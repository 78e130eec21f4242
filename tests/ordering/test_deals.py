"""Orders of deals: placed at the deal's price, held until the team fills, refunded by the system
when it fails — what ``agora.groupbuy`` and ``agora.bargain`` build on."""

from __future__ import annotations

import uuid

import pytest

from agora import ordering
from agora.core.errors import InvalidInput
from agora.ordering import SourceRequest
from ordering.world import World

GROUP_PRICE = 25000


def _held_order(world: World, *, quantity: int = 1) -> ordering.OrderView:
    team_id = uuid.uuid4()
    order = ordering.place_deal_order(
        world.uow,
        actor=world.buyer,
        sku_id=world.red_coat,
        quantity=quantity,
        unit_price=GROUP_PRICE,
        deal_kind="group",
        deal_id=team_id,
        hold=True,
    )
    ordering.pay_orders(
        world.uow, actor=world.buyer, order_ids=[order.id], sources=[SourceRequest("wallet")]
    )
    return order


def test_a_deal_order_is_priced_by_the_deal_and_held(world: World) -> None:
    world.fund(world.buyer_user, 100_000)
    order = _held_order(world, quantity=2)
    assert order.total == 2 * GROUP_PRICE
    assert order.lines[0].unit_price == GROUP_PRICE
    assert (order.deal_kind, order.held) == ("group", True)
    assert world.wallet(world.buyer.user_id) == 100_000 - 2 * GROUP_PRICE
    assert world.stock(world.red_coat) == (8, 2)


def test_a_held_order_is_neither_shipped_nor_refunded_by_its_buyer(world: World) -> None:
    world.fund(world.buyer_user, 100_000)
    order = _held_order(world)
    before = world.snapshot()
    with pytest.raises(ordering.OrderHeld):
        ordering.ship_order(
            world.uow, actor=world.merchant_a, order_id=order.id, tracking_number="SF1"
        )
    with pytest.raises(ordering.OrderHeld):
        ordering.request_refund(world.uow, actor=world.buyer, order_id=order.id)
    assert world.snapshot() == before


def test_released_orders_ship_and_a_second_release_changes_nothing(world: World) -> None:
    world.fund(world.buyer_user, 100_000)
    order = _held_order(world)
    ordering.release_holds(world.uow, order_ids=[order.id])
    after_first = world.snapshot()
    ordering.release_holds(world.uow, order_ids=[order.id])
    assert world.snapshot() == after_first
    shipped = ordering.ship_order(
        world.uow, actor=world.merchant_a, order_id=order.id, tracking_number="SF2"
    )
    assert (shipped.status, shipped.held) == ("shipped", False)
    timeline = ordering.order_detail(world.uow, actor=world.buyer, order_id=order.id).timeline
    assert [e.kind for e in timeline].count("team_complete") == 1


def test_the_system_refunds_a_held_order_once(world: World) -> None:
    world.fund(world.buyer_user, 100_000)
    order = _held_order(world)
    assert ordering.refund_held_order(world.uow, order_id=order.id, reason="team not filled")
    assert world.wallet(world.buyer.user_id) == 100_000
    assert world.stock(world.red_coat) == (10, 0)
    assert world.escrow() == 0
    assert world.status(order.id) == "refunded"
    after = world.snapshot()
    assert not ordering.refund_held_order(world.uow, order_id=order.id, reason="again")
    assert world.snapshot() == after


def test_an_ordinary_paid_order_is_not_refunded_as_held(world: World) -> None:
    world.fund(world.buyer_user, 100_000)
    [order] = ordering.place_orders(
        world.uow, actor=world.buyer, lines=[ordering.LineRequest(world.red_coat, 1)]
    )
    ordering.pay_orders(
        world.uow, actor=world.buyer, order_ids=[order.id], sources=[SourceRequest("wallet")]
    )
    before = world.snapshot()
    assert not ordering.refund_held_order(world.uow, order_id=order.id, reason="no")
    assert world.snapshot() == before


def test_a_deal_price_below_a_fen_is_refused(world: World) -> None:
    before = world.snapshot()
    with pytest.raises(InvalidInput):
        ordering.place_deal_order(
            world.uow,
            actor=world.buyer,
            sku_id=world.red_coat,
            quantity=1,
            unit_price=0,
            deal_kind="bargain",
            deal_id=uuid.uuid4(),
            hold=False,
        )
    assert world.snapshot() == before
