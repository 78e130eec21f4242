"""Ordering use cases against the real database: cart, checkout, payment, fulfilment, refunds."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from agora import inventory, ledger, payments
from agora.core.clock import clock
from agora.core.errors import InvalidInput
from agora.ordering import (
    CartEmpty,
    LineRequest,
    OrderNotFound,
    OrderPayment,
    OrderStateConflict,
    OrderView,
    PaymentExpired,
    RefundDecided,
    RefundNotFound,
    RefundTooLarge,
    ReturnPending,
    SkuUnavailable,
    SourceRequest,
    accept_return,
    add_to_cart,
    cancel_order,
    confirm_receipt,
    list_orders,
    mark_delivered,
    order_detail,
    pay_orders,
    place_orders,
    reject_return,
    remove_from_cart,
    request_refund,
    set_cart_quantity,
    ship_order,
    store_orders,
    store_settlements,
    view_cart,
)
from ordering.world import WALLET, World, buy, pay_by_gateway, pay_wallet

# --- cart -------------------------------------------------------------------------------------


def test_the_cart_shows_lines_with_todays_price_and_stock(world: World) -> None:
    uow, buyer = world.uow, world.buyer

    assert add_to_cart(uow, actor=buyer, sku_id=world.red_coat, quantity=2) == 2
    assert add_to_cart(uow, actor=buyer, sku_id=world.red_coat, quantity=1) == 3
    add_to_cart(uow, actor=buyer, sku_id=world.dress_sku)
    cart = view_cart(uow, actor=buyer)

    assert [(line.title_en, line.colour, line.size) for line in cart.lines] == [
        ("Wool Coat", "red", "M"),
        ("Silk Dress", "blue", "S"),
    ]
    assert [(line.unit_price, line.quantity, line.stock) for line in cart.lines] == [
        (29900, 3, 10),
        (15000, 1, 3),
    ]
    assert cart.total == 3 * 29900 + 15000
    assert cart.count == 4
    assert [store_id for store_id, _ in cart.by_store()] == [world.store_a.id, world.store_b.id]


def test_cart_quantities_can_be_changed_and_removed(world: World) -> None:
    uow, buyer = world.uow, world.buyer
    add_to_cart(uow, actor=buyer, sku_id=world.red_coat, quantity=98)
    assert add_to_cart(uow, actor=buyer, sku_id=world.red_coat, quantity=5) == 99

    set_cart_quantity(uow, actor=buyer, sku_id=world.red_coat, quantity=4)
    set_cart_quantity(uow, actor=buyer, sku_id=world.black_coat, quantity=2)
    assert [(line.sku_id, line.quantity) for line in view_cart(uow, actor=buyer).lines] == [
        (world.red_coat, 4),
        (world.black_coat, 2),
    ]

    remove_from_cart(uow, actor=buyer, sku_id=world.red_coat)
    set_cart_quantity(uow, actor=buyer, sku_id=world.black_coat, quantity=0)
    remove_from_cart(uow, actor=buyer, sku_id=world.red_coat)  # twice is fine

    assert view_cart(uow, actor=buyer).lines == []
    # Another shopper's cart is their own.
    assert view_cart(uow, actor=world.other).lines == []


def test_the_cart_refuses_unknown_skus_and_bad_quantities(world: World) -> None:
    with pytest.raises(SkuUnavailable):
        add_to_cart(world.uow, actor=world.buyer, sku_id=uuid.uuid4())
    with pytest.raises(InvalidInput):
        add_to_cart(world.uow, actor=world.buyer, sku_id=world.red_coat, quantity=0)
    with pytest.raises(InvalidInput):
        set_cart_quantity(world.uow, actor=world.buyer, sku_id=world.red_coat, quantity=100)

    assert view_cart(world.uow, actor=world.buyer).lines == []


# --- checkout ---------------------------------------------------------------------------------


def test_checkout_splits_the_cart_into_one_order_per_store(world: World) -> None:
    uow, buyer = world.uow, world.buyer
    add_to_cart(uow, actor=buyer, sku_id=world.dress_sku, quantity=1)
    add_to_cart(uow, actor=buyer, sku_id=world.red_coat, quantity=2)
    add_to_cart(uow, actor=buyer, sku_id=world.black_coat, quantity=1)

    orders = place_orders(uow, actor=buyer)

    by_store = {o.store_id: o for o in orders}
    coat_order, dress_order = by_store[world.store_a.id], by_store[world.store_b.id]
    assert coat_order.status == dress_order.status == "pending_payment"
    assert coat_order.checkout_id == dress_order.checkout_id
    assert [
        (ln.title_en, ln.colour, ln.size, ln.unit_price, ln.quantity) for ln in coat_order.lines
    ] == [
        ("Wool Coat", "red", "M", 29900, 2),
        ("Wool Coat", "black", "M", 19950, 1),
    ]
    assert coat_order.total == 2 * 29900 + 19950
    assert dress_order.total == 15000
    assert coat_order.pay_by - coat_order.created_at == timedelta(minutes=15)
    assert world.stock(world.red_coat) == (8, 2)
    assert world.stock(world.black_coat) == (4, 1)
    assert world.stock(world.dress_sku) == (2, 1)
    assert view_cart(uow, actor=buyer).lines == []


def test_buy_now_leaves_the_cart_alone(world: World) -> None:
    add_to_cart(world.uow, actor=world.buyer, sku_id=world.dress_sku)

    [order] = place_orders(world.uow, actor=world.buyer, lines=[LineRequest(world.red_coat, 1)])

    assert order.total == 29900
    assert [line.sku_id for line in view_cart(world.uow, actor=world.buyer).lines] == [
        world.dress_sku
    ]


def test_checkout_with_too_little_stock_creates_nothing(world: World) -> None:
    add_to_cart(world.uow, actor=world.buyer, sku_id=world.red_coat, quantity=2)
    add_to_cart(world.uow, actor=world.buyer, sku_id=world.dress_sku, quantity=4)  # only 3
    before = world.snapshot()

    with pytest.raises(inventory.InsufficientStock):
        place_orders(world.uow, actor=world.buyer)

    assert world.snapshot() == before
    assert len(view_cart(world.uow, actor=world.buyer).lines) == 2


def test_an_empty_cart_cannot_be_checked_out(world: World) -> None:
    with pytest.raises(CartEmpty):
        place_orders(world.uow, actor=world.buyer)


def test_later_price_changes_do_not_touch_placed_orders(world: World) -> None:
    from agora.catalog import update_sku
    from agora.catalog.schemas import SkuPatch

    order = buy(world, world.red_coat, 1)
    update_sku(world.uow, actor=world.merchant_a, sku_id=world.red_coat, patch=SkuPatch(price=100))

    detail = order_detail(world.uow, actor=world.buyer, order_id=order.id)
    assert (detail.total, detail.lines[0].unit_price) == (29900, 29900)


# --- payment from the wallet ------------------------------------------------------------------


def test_paying_from_the_wallet_moves_the_total_into_escrow(world: World) -> None:
    world.fund(world.buyer_user, 50000)
    order = buy(world, world.red_coat, 1)

    outcome = pay_wallet(world, order)

    assert outcome.status == "paid"
    assert world.status(order.id) == "paid"
    assert world.wallet(world.buyer.user_id) == 50000 - 29900
    assert ledger.balance(world.uow, payments.escrow_of(order.id)) == 29900
    assert ledger.transfers_with(world.uow, key_prefix=f"order:{order.id}:") == [
        (f"order:{order.id}:pay", "order_payment")
    ]
    detail = order_detail(world.uow, actor=world.buyer, order_id=order.id)
    assert [(p.source, p.amount, p.charge_id) for p in detail.payments] == [("wallet", 29900, None)]
    assert [(e.kind, e.actor_role) for e in detail.timeline] == [
        ("placed", "buyer"),
        ("paid", "buyer"),
    ]
    assert world.stock(world.red_coat) == (9, 1)


def test_one_payment_can_cover_every_order_of_a_checkout(world: World) -> None:
    world.fund(world.buyer_user, 50000)
    add_to_cart(world.uow, actor=world.buyer, sku_id=world.red_coat)
    add_to_cart(world.uow, actor=world.buyer, sku_id=world.dress_sku)
    orders = place_orders(world.uow, actor=world.buyer)

    outcome = pay_orders(
        world.uow,
        actor=world.buyer,
        order_ids=[o.id for o in orders],
        sources=[SourceRequest(WALLET)],
    )

    assert {o.status for o in outcome.orders} == {"paid"}
    assert world.wallet(world.buyer.user_id) == 50000 - 29900 - 15000
    assert world.escrow() == 29900 + 15000


def test_paying_with_too_little_in_the_wallet_changes_nothing(world: World) -> None:
    world.fund(world.buyer_user, 29899)
    order = buy(world, world.red_coat, 1)
    before = world.snapshot()

    with pytest.raises(ledger.InsufficientFunds):
        pay_wallet(world, order)

    assert world.snapshot() == before
    assert world.status(order.id) == "pending_payment"


def test_paying_another_users_order_is_not_found(world: World) -> None:
    world.fund(world.other_user, 50000)
    order = buy(world, world.red_coat, 1)
    before = world.snapshot()

    with pytest.raises(OrderNotFound):
        pay_orders(
            world.uow, actor=world.other, order_ids=[order.id], sources=[SourceRequest(WALLET)]
        )

    assert world.snapshot() == before


def test_amounts_that_do_not_add_up_are_refused(world: World) -> None:
    world.fund(world.buyer_user, 50000)
    order = buy(world, world.red_coat, 1)
    before = world.snapshot()

    with pytest.raises(InvalidInput):
        pay_orders(
            world.uow,
            actor=world.buyer,
            order_ids=[order.id],
            sources=[SourceRequest(WALLET, 100)],
        )
    with pytest.raises(InvalidInput):
        pay_orders(
            world.uow, actor=world.buyer, order_ids=[order.id], sources=[SourceRequest("cash")]
        )

    assert world.snapshot() == before


def test_a_disabled_source_is_refused_for_the_store(world: World) -> None:
    world.fund(world.buyer_user, 50000)
    order = buy(world, world.red_coat, 1)
    payments.set_switch(
        world.uow, actor=world.ops, source=WALLET, enabled=False, store_id=world.store_a.id
    )
    before = world.snapshot()

    with pytest.raises(payments.FundingSourceDisabled):
        pay_wallet(world, order)

    assert world.snapshot() == before


def test_cancelling_releases_stock_and_a_cancelled_order_cannot_be_paid(world: World) -> None:
    world.fund(world.buyer_user, 50000)
    order = buy(world, world.red_coat, 3)

    cancelled = cancel_order(world.uow, actor=world.buyer, order_id=order.id)

    assert cancelled.status == "cancelled"
    assert world.stock(world.red_coat) == (10, 0)
    with pytest.raises(OrderStateConflict):
        pay_wallet(world, order)
    with pytest.raises(OrderStateConflict):
        cancel_order(world.uow, actor=world.buyer, order_id=order.id)
    assert world.wallet(world.buyer.user_id) == 50000


def test_an_unpaid_order_expires_after_15_minutes(world: World) -> None:
    world.fund(world.buyer_user, 50000)
    order = buy(world, world.red_coat, 2)

    clock.travel(timedelta(minutes=14))
    assert world.sweep() == 0
    clock.travel(timedelta(minutes=1, seconds=1))
    with pytest.raises(PaymentExpired):  # due, but the sweep has not run yet
        pay_wallet(world, order)
    assert world.sweep() == 1

    detail = order_detail(world.uow, actor=world.buyer, order_id=order.id)
    assert detail.status == "cancelled"
    assert detail.timeline[-1].kind == "expired"
    assert detail.timeline[-1].actor_role == "system"
    assert world.stock(world.red_coat) == (10, 0)
    assert world.wallet(world.buyer.user_id) == 50000


def test_a_paid_order_does_not_expire(world: World) -> None:
    world.fund(world.buyer_user, 50000)
    order = buy(world, world.red_coat, 1)
    pay_wallet(world, order)

    clock.travel(timedelta(hours=1))
    world.sweep()

    assert world.status(order.id) == "paid"
    assert world.stock(world.red_coat) == (9, 1)


# --- payment through the bank gateway ---------------------------------------------------------


def test_a_mixed_payment_takes_the_wallet_part_and_the_bank_part(world: World) -> None:
    world.fund(world.buyer_user, 10000)
    order = buy(world, world.red_coat, 1)

    outcome = pay_by_gateway(world, order, wallet_part=10000)

    assert outcome.status == "awaiting_gateway"
    assert (outcome.wallet_amount, outcome.gateway_amount) == (10000, 19900)
    assert world.status(order.id) == "paid"
    assert world.wallet(world.buyer.user_id) == 0
    assert ledger.balance(world.uow, payments.escrow_of(order.id)) == 29900
    detail = order_detail(world.uow, actor=world.buyer, order_id=order.id)
    assert [(p.source, p.amount, p.charge_id) for p in detail.payments] == [
        ("gateway:sandbox", 19900, outcome.charge_id),
        ("wallet", 10000, None),
    ]
    assert [e.kind for e in detail.timeline] == ["placed", "payment_started", "paid"]


def test_a_bank_payment_for_a_cancelled_order_stays_in_the_wallet(world: World) -> None:
    order = buy(world, world.red_coat, 1)
    outcome = pay_orders(
        world.uow,
        actor=world.buyer,
        order_ids=[order.id],
        sources=[SourceRequest("gateway:sandbox")],
    )
    cancel_order(world.uow, actor=world.buyer, order_id=order.id)
    assert outcome.charge_id is not None

    payments.submit_sandbox_payment(
        world.uow, actor=world.buyer, charge_id=outcome.charge_id, approve=True
    )
    world.deliver_events()

    assert world.status(order.id) == "cancelled"
    assert world.wallet(world.buyer.user_id) == 29900
    assert world.escrow() == 0
    detail = order_detail(world.uow, actor=world.buyer, order_id=order.id)
    assert detail.timeline[-1].kind == "payment_not_applied"


def test_a_mixed_payment_needs_the_wallet_part_up_front(world: World) -> None:
    world.fund(world.buyer_user, 999)
    order = buy(world, world.red_coat, 1)
    before = world.snapshot()

    with pytest.raises(ledger.InsufficientFunds):
        pay_orders(
            world.uow,
            actor=world.buyer,
            order_ids=[order.id],
            sources=[SourceRequest(WALLET, 1000), SourceRequest("gateway:sandbox")],
        )

    assert world.snapshot() == before


# --- fulfilment and settlement ----------------------------------------------------------------


def _paid(world: World, sku_id: uuid.UUID, quantity: int = 1) -> OrderView:
    world.fund(world.buyer_user, 29900 * quantity)
    order = buy(world, sku_id, quantity)
    pay_wallet(world, order)
    return order


def test_ship_deliver_confirm_settles_escrow_minus_commission(world: World) -> None:
    order = _paid(world, world.red_coat, 2)  # ¥598.00

    shipped = ship_order(
        world.uow, actor=world.merchant_a, order_id=order.id, tracking_number=" SF123 "
    )
    assert (shipped.status, shipped.tracking_number) == ("shipped", "SF123")
    assert world.stock(world.red_coat) == (8, 0)
    delivered = mark_delivered(world.uow, actor=world.merchant_a, order_id=order.id)
    assert delivered.confirm_by is not None and delivered.delivered_at is not None
    assert delivered.confirm_by - delivered.delivered_at == timedelta(days=10)

    done = confirm_receipt(world.uow, actor=world.buyer, order_id=order.id)

    assert done.status == "completed"
    assert world.settlement(world.store_a) == 59800 - 2990
    assert world.commission() == 2990
    assert world.escrow() == 0
    page = store_settlements(world.uow, actor=world.merchant_a, store_id=world.store_a.id)
    assert [(s.order_id, s.gross, s.commission, s.net, s.rate) for s in page.items] == [
        (order.id, 59800, 2990, 56810, "0.05")
    ]
    detail = order_detail(world.uow, actor=world.merchant_a, order_id=order.id)
    assert [(e.kind, e.actor_role) for e in detail.timeline] == [
        ("placed", "buyer"),
        ("paid", "buyer"),
        ("shipped", "merchant"),
        ("delivered", "merchant"),
        ("confirmed", "buyer"),
        ("settled", "system"),
    ]


def test_a_delivered_order_confirms_itself_after_10_days(world: World) -> None:
    order = _paid(world, world.black_coat, 1)  # ¥199.50, commission 997.5 -> 998
    ship_order(world.uow, actor=world.merchant_a, order_id=order.id, tracking_number="YT1")
    mark_delivered(world.uow, actor=world.merchant_a, order_id=order.id)

    clock.travel(timedelta(days=9, hours=23))
    world.sweep()
    assert world.status(order.id) == "delivered"
    clock.travel(timedelta(hours=1, seconds=1))
    world.sweep()

    assert world.status(order.id) == "completed"
    assert world.settlement(world.store_a) == 19950 - 998
    assert world.commission() == 998


def test_the_wrong_steps_are_refused(world: World) -> None:
    order = _paid(world, world.red_coat, 1)

    with pytest.raises(OrderStateConflict):
        mark_delivered(world.uow, actor=world.merchant_a, order_id=order.id)
    with pytest.raises(OrderStateConflict):
        confirm_receipt(world.uow, actor=world.buyer, order_id=order.id)
    ship_order(world.uow, actor=world.merchant_a, order_id=order.id, tracking_number="A1")
    with pytest.raises(OrderStateConflict):
        ship_order(world.uow, actor=world.merchant_a, order_id=order.id, tracking_number="A2")
    with pytest.raises(InvalidInput):
        ship_order(world.uow, actor=world.merchant_a, order_id=order.id, tracking_number="  ")


def test_shipping_another_stores_order_is_not_found(world: World) -> None:
    order = _paid(world, world.red_coat, 1)
    before = world.snapshot()

    with pytest.raises(OrderNotFound):
        ship_order(world.uow, actor=world.merchant_b, order_id=order.id, tracking_number="X")
    with pytest.raises(OrderNotFound):
        ship_order(world.uow, actor=world.buyer, order_id=order.id, tracking_number="X")
    with pytest.raises(OrderNotFound):
        order_detail(world.uow, actor=world.merchant_b, order_id=order.id)

    assert world.snapshot() == before


def test_order_lists_show_each_viewer_their_own(world: World) -> None:
    first = buy(world, world.red_coat, 1)
    second = buy(world, world.dress_sku, 1)
    third = buy(world, world.black_coat, 1)

    page = list_orders(world.uow, actor=world.buyer, limit=2)
    assert [o.id for o in page.items] == [third.id, second.id]
    assert page.next_cursor is not None
    rest = list_orders(world.uow, actor=world.buyer, cursor=page.next_cursor, limit=2)
    assert [o.id for o in rest.items] == [first.id]
    assert rest.next_cursor is None
    assert list_orders(world.uow, actor=world.other).items == []
    assert [
        o.id
        for o in store_orders(world.uow, actor=world.merchant_a, store_id=world.store_a.id).items
    ] == [third.id, first.id]
    with pytest.raises(Exception) as refused:
        store_orders(world.uow, actor=world.merchant_b, store_id=world.store_a.id)
    assert getattr(refused.value, "status", None) == 404


# --- refunds and returns ----------------------------------------------------------------------


def test_a_whole_refund_before_shipment_is_instant(world: World) -> None:
    order = _paid(world, world.red_coat, 2)

    refund = request_refund(world.uow, actor=world.buyer, order_id=order.id, reason="changed mind")

    assert (refund.kind, refund.status, refund.amount) == ("refund", "refunded", 59800)
    assert world.status(order.id) == "refunded"
    assert world.wallet(world.buyer.user_id) == 59800
    assert world.escrow() == 0
    assert world.stock(world.red_coat) == (10, 0)


def test_a_partial_refund_before_shipment_keeps_the_rest_of_the_order(world: World) -> None:
    order = _paid(world, world.red_coat, 3)  # ¥897.00
    line = order.lines[0]

    refund = request_refund(world.uow, actor=world.buyer, order_id=order.id, lines={line.id: 1})

    assert refund.amount == 29900
    assert world.status(order.id) == "paid"
    assert world.stock(world.red_coat) == (8, 2)
    ship_order(world.uow, actor=world.merchant_a, order_id=order.id, tracking_number="SF9")
    assert world.stock(world.red_coat) == (8, 0)
    mark_delivered(world.uow, actor=world.merchant_a, order_id=order.id)
    confirm_receipt(world.uow, actor=world.buyer, order_id=order.id)
    # Settles what is left in escrow: 59800, commission 2990.
    assert world.settlement(world.store_a) == 56810
    assert world.wallet(world.buyer.user_id) == 29900


def test_refunding_more_than_paid_changes_nothing(world: World) -> None:
    order = _paid(world, world.red_coat, 2)
    line = order.lines[0]
    request_refund(world.uow, actor=world.buyer, order_id=order.id, lines={line.id: 1})
    before = world.snapshot()

    with pytest.raises(RefundTooLarge):
        request_refund(world.uow, actor=world.buyer, order_id=order.id, lines={line.id: 2})
    with pytest.raises(InvalidInput):
        request_refund(world.uow, actor=world.buyer, order_id=order.id, lines={uuid.uuid4(): 1})

    assert world.snapshot() == before


def test_an_unpaid_order_cannot_be_refunded(world: World) -> None:
    order = buy(world, world.red_coat, 1)
    before = world.snapshot()

    with pytest.raises(OrderStateConflict):
        request_refund(world.uow, actor=world.buyer, order_id=order.id)
    with pytest.raises(OrderNotFound):
        request_refund(world.uow, actor=world.other, order_id=order.id)

    assert world.snapshot() == before


def test_a_mixed_payment_is_refunded_to_the_bank_first(world: World) -> None:
    world.fund(world.buyer_user, 10000)
    order = buy(world, world.red_coat, 2)  # 59800 = wallet 10000 + bank 49800
    pay_by_gateway(world, order, wallet_part=10000)
    line = order.lines[0]

    request_refund(world.uow, actor=world.buyer, order_id=order.id, lines={line.id: 1})
    assert world.wallet(world.buyer.user_id) == 0  # 29900 went back to the bank
    request_refund(world.uow, actor=world.buyer, order_id=order.id, lines={line.id: 1})

    assert world.wallet(world.buyer.user_id) == 10000
    with world.uow.read() as session:
        rows = {
            p.source: (p.amount, p.refunded)
            for p in session.scalars(select(OrderPayment).where(OrderPayment.order_id == order.id))
        }
    assert rows == {"gateway:sandbox": (49800, 49800), "wallet": (10000, 10000)}
    assert world.status(order.id) == "refunded"
    assert world.escrow() == 0


def _delivered(world: World, quantity: int = 2) -> OrderView:
    order = _paid(world, world.red_coat, quantity)
    ship_order(world.uow, actor=world.merchant_a, order_id=order.id, tracking_number="SF1")
    mark_delivered(world.uow, actor=world.merchant_a, order_id=order.id)
    return order


def test_an_accepted_return_gives_money_and_stock_back(world: World) -> None:
    order = _delivered(world, 2)
    line = order.lines[0]

    requested = request_refund(
        world.uow, actor=world.buyer, order_id=order.id, lines={line.id: 1}, reason="too big"
    )
    assert (requested.kind, requested.status) == ("return", "requested")
    assert world.wallet(world.buyer.user_id) == 0
    accepted = accept_return(world.uow, actor=world.merchant_a, refund_id=requested.id)

    assert accepted.status == "accepted"
    assert world.wallet(world.buyer.user_id) == 29900
    assert world.stock(world.red_coat) == (9, 0)
    assert world.status(order.id) == "delivered"
    with pytest.raises(RefundDecided):
        reject_return(world.uow, actor=world.merchant_a, refund_id=requested.id)


def test_a_return_of_everything_ends_refunded(world: World) -> None:
    order = _delivered(world, 2)

    requested = request_refund(world.uow, actor=world.buyer, order_id=order.id)
    accept_return(world.uow, actor=world.merchant_a, refund_id=requested.id)

    assert world.status(order.id) == "refunded"
    assert world.wallet(world.buyer.user_id) == 59800
    assert world.stock(world.red_coat) == (10, 0)
    clock.travel(timedelta(days=11))
    world.sweep()
    assert world.status(order.id) == "refunded"
    assert world.settlement(world.store_a) == 0


def test_a_pending_return_blocks_confirmation_until_rejected(world: World) -> None:
    order = _delivered(world, 1)
    clock.travel(timedelta(days=9))  # asked late: the store's 48 hours outlast the 10 days
    requested = request_refund(world.uow, actor=world.buyer, order_id=order.id)

    with pytest.raises(ReturnPending):
        confirm_receipt(world.uow, actor=world.buyer, order_id=order.id)
    with pytest.raises(ReturnPending):
        request_refund(world.uow, actor=world.buyer, order_id=order.id)
    clock.travel(timedelta(days=1, seconds=1))
    world.sweep()
    assert world.status(order.id) == "delivered"  # auto-confirm waited

    with pytest.raises(RefundNotFound):
        reject_return(world.uow, actor=world.merchant_b, refund_id=requested.id)
    rejected = reject_return(world.uow, actor=world.merchant_a, refund_id=requested.id, note="used")
    assert (rejected.status, rejected.decision_note) == ("rejected", "used")
    world.sweep()

    assert world.status(order.id) == "completed"
    assert world.settlement(world.store_a) == 29900 - 1495
    assert world.wallet(world.buyer.user_id) == 0


def test_a_completed_order_is_not_refundable(world: World) -> None:
    order = _delivered(world, 1)
    confirm_receipt(world.uow, actor=world.buyer, order_id=order.id)
    before = world.snapshot()

    with pytest.raises(OrderStateConflict):
        request_refund(world.uow, actor=world.buyer, order_id=order.id)

    assert world.snapshot() == before


def test_every_transition_is_in_the_outbox_for_the_buyer_and_the_store(world: World) -> None:
    from agora.core.models import OutboxEvent

    order = _paid(world, world.red_coat, 1)

    with world.uow.read() as session:
        events = [
            (e.event_type, e.payload["order_id"], sorted(e.topics))
            for e in session.scalars(
                select(OutboxEvent)
                .where(OutboxEvent.event_type.startswith("ordering."))
                .order_by(OutboxEvent.created_at, OutboxEvent.id)
            )
        ]
    topics = sorted([f"user:{world.buyer.user_id}", f"store:{world.store_a.id}"])
    assert events == [
        ("ordering.order_placed", str(order.id), topics),
        ("ordering.order_paid", str(order.id), topics),
    ]
