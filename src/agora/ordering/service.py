"""The ordering use cases in one place (they live in cart, checkout, payment, fulfilment and
refunds by concept). Pages and the API call these; every one takes the acting principal and
opens one transaction."""

from __future__ import annotations

from agora.ordering.cart import (
    CartLine,
    CartView,
    add_to_cart,
    clear_cart,
    remove_from_cart,
    set_cart_quantity,
    view_cart,
)
from agora.ordering.checkout import LineRequest, check_stock, place_orders, refuse_sold_out
from agora.ordering.fulfilment import auto_confirm, confirm_receipt, mark_delivered, ship_order
from agora.ordering.payment import (
    PaymentOutcome,
    SourceRequest,
    apply_captured_charge,
    cancel_order,
    expire_order,
    pay_orders,
)
from agora.ordering.queries import (
    EventView,
    LineView,
    OrderPage,
    OrderView,
    PaymentView,
    RefundView,
    SettlementPage,
    SettlementView,
    access_buyer_order,
    access_merchant_order,
    access_order,
    list_orders,
    order_detail,
    order_numbers,
    store_orders,
    store_returns,
    store_settlements,
)
from agora.ordering.refunds import (
    accept_return,
    accept_unanswered_return,
    reject_return,
    request_refund,
)

__all__ = [
    "CartLine",
    "CartView",
    "EventView",
    "LineRequest",
    "LineView",
    "OrderPage",
    "OrderView",
    "PaymentOutcome",
    "PaymentView",
    "RefundView",
    "SettlementPage",
    "SettlementView",
    "SourceRequest",
    "accept_return",
    "accept_unanswered_return",
    "access_buyer_order",
    "access_merchant_order",
    "access_order",
    "add_to_cart",
    "apply_captured_charge",
    "auto_confirm",
    "cancel_order",
    "check_stock",
    "clear_cart",
    "confirm_receipt",
    "expire_order",
    "list_orders",
    "mark_delivered",
    "order_detail",
    "order_numbers",
    "pay_orders",
    "place_orders",
    "refuse_sold_out",
    "reject_return",
    "remove_from_cart",
    "request_refund",
    "set_cart_quantity",
    "ship_order",
    "store_orders",
    "store_returns",
    "store_settlements",
    "view_cart",
]
