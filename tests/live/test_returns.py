"""A flash order never paid (cancelled, or its time to pay ran out) gives its units back to the
deal while it is open — someone else may buy them — and to the product once it has closed."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from agora import live, ordering
from agora.core.clock import clock
from agora.identity import Principal
from agora.live import stock
from live.world import COUNTDOWN, DURATION, FLASH_PRICE, World

PAY_WINDOW = timedelta(minutes=15)  # ordering's time to pay


def _unpaid_order(
    world: World, who: str, deal: live.DealView, quantity: int = 1
) -> ordering.OrderView:
    """A flash order placed but not paid, as a pay-later purchase would leave it: the units out
    of the deal (and counted for the buyer), held by the order."""
    buyer: Principal = world.people[who]
    with world.uow:
        session = world.uow.session
        session.execute(
            update(live.FlashDeal)
            .where(live.FlashDeal.id == deal.id)
            .values(
                remaining=live.FlashDeal.remaining - quantity, sold=live.FlashDeal.sold + quantity
            )
        )
        session.add(live.FlashDealBuyer(deal_id=deal.id, user_id=buyer.user_id, quantity=quantity))
        stock.give_back(world.uow, deal.sku_id, quantity, reopen=False)
        order = ordering.place_deal_order(
            world.uow,
            actor=buyer,
            sku_id=deal.sku_id,
            quantity=quantity,
            unit_price=deal.price,
            deal_kind="flash",
            deal_id=deal.id,
            hold=False,
        )
    return order


def test_a_cancelled_order_gives_its_units_back_to_the_open_deal(world: World) -> None:
    deal = world.open_deal(units=3)
    order = _unpaid_order(world, "amy", deal, 2)
    assert (world.deal(deal.id).remaining, world.stock()) == (1, (17, 2))

    ordering.cancel_order(world.uow, actor=world.people["amy"], order_id=order.id)
    assert world.stock() == (19, 0)  # ordering put them back on sale...
    world.deliver_events()
    after = world.deal(deal.id)
    assert (after.remaining, after.sold) == (3, 0)  # ...and the deal took them back
    assert world.stock() == (17, 0)
    assert world.bought("amy", deal.id) == 0
    # delivered again, the event changes nothing
    assert live.return_to_deal(world.uow, order.id) is False
    assert (world.deal(deal.id).remaining, world.stock()) == (3, (17, 0))
    # and another viewer buys them
    assert world.buy("bob", deal.id, 2).order.total == 2 * FLASH_PRICE


def test_after_the_close_the_units_stay_with_the_product(world: World) -> None:
    deal = world.open_deal(units=3)
    order = _unpaid_order(world, "amy", deal, 1)
    clock.travel(DURATION)
    world.sweep()
    assert world.stock() == (19, 1)  # the two unsold are back
    ordering.cancel_order(world.uow, actor=world.people["amy"], order_id=order.id)
    world.deliver_events()
    assert world.stock() == (20, 0)
    closed = world.deal(deal.id)
    assert (closed.status, closed.remaining, closed.sold) == ("closed", 0, 1)


def test_an_order_whose_time_to_pay_ran_out_gives_its_units_back_too(world: World) -> None:
    world.on_air()
    deal = world.start_deal(units=2, duration_seconds=1200)
    clock.travel(COUNTDOWN)
    world.sweep()
    _unpaid_order(world, "cat", world.deal(deal.id), 1)
    clock.travel(PAY_WINDOW)
    assert world.sweep() == 1  # the order's payment deadline; the deal's is 5 minutes later
    assert world.orders_of(deal.id)[0].status == "cancelled"
    world.deliver_events()
    after = world.deal(deal.id)
    assert (after.status, after.remaining, after.sold) == ("open", 2, 0)
    assert world.stock() == (18, 0)


def test_other_orders_are_not_a_flash_deals_business(world: World) -> None:
    [line] = [ordering.LineRequest(world.red, 1)]
    [order] = ordering.place_orders(world.uow, actor=world.people["dan"], lines=[line])
    ordering.cancel_order(world.uow, actor=world.people["dan"], order_id=order.id)
    assert live.return_to_deal(world.uow, order.id) is False
