"""The demo's disputes: one waiting in the operator's queue, one decided.

Chen Jing's coat was delivered torn; the store rejected her return, she took it to Agora with a
photo, and the store answered with its own — it waits for the operator. Zhao Yu complained that
a gadget he had already confirmed (so the store was paid) was not genuine; the store answered,
and the operator refunded half, taken back from the store's settled balance.

Every step goes through the ordering use cases as the people involved, once (demo/steps.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from agora import catalog, ordering, payments, reviews
from agora.core.uow import UnitOfWork
from agora.demo import trading
from agora.demo.steps import principal, relay, run_once, store_owner, top_up
from agora.identity import Principal, User

STEP_PREFIX = "agora-demo:disputes:"
OPERATOR = "operator@agora.demo"
TOP_UP = 60_000  # fen: each buyer's purchase here costs under ¥600

WAITING = (trading.CHEN, "yunshang-fashion")
DECIDED = (trading.ZHAO, "lumen-digital")
# Drawn for the demo and served by Agora itself: a page never asks another host for them.
PHOTO = "/static/img/demo/{seed}.svg"


def seed_disputes(
    uow: UnitOfWork,
    *,
    shoppers: Mapping[str, User],
    stores: Mapping[str, catalog.Store],
    password: str,
) -> dict[str, Any]:
    """A dispute waiting for the operator (with both sides' evidence) and one decided; how many
    of the demo's dispute steps ran now."""
    ops_user = shoppers[OPERATOR]
    ops = Principal(user_id=ops_user.id, display_name=ops_user.display_name, is_operator=True)
    world = trading.World(uow, {}, stores, {})
    ran = 0
    for email, _store in (WAITING, DECIDED):
        buyer = principal(shoppers[email])
        ran += run_once(uow, buyer, f"{STEP_PREFIX}top-up", partial(top_up, uow, buyer, TOP_UP))[0]
    relay(uow)

    chen = principal(shoppers[WAITING[0]])
    ran += run_once(uow, chen, f"{STEP_PREFIX}waiting", lambda: _waiting(world, chen, WAITING[1]))[
        0
    ]
    zhao = principal(shoppers[DECIDED[0]])
    ran += run_once(
        uow, zhao, f"{STEP_PREFIX}decided", lambda: _decided(world, zhao, ops, DECIDED[1])
    )[0]
    relay(uow)  # the orders' events, as a running server's relay would deliver them
    return {"disputes_steps_run": ran}


def _review(
    uow: UnitOfWork, buyer: Principal, order: ordering.OrderView, stars: int, text: str
) -> None:
    """The buyer's own review of the line, written before the demo's generic reviews come by."""
    reviews.write_review(
        uow, actor=buyer, order_line_id=order.lines[0].id, stars=stars, text=text, image_urls=[]
    )


def _delivered(world: trading.World, buyer: Principal, store_key: str) -> ordering.OrderView:
    uow = world.uow
    line = ordering.LineRequest(world.sku(store_key, 0), 1)
    [order] = ordering.place_orders(uow, actor=buyer, lines=[line])
    ordering.pay_orders(
        uow, actor=buyer, order_ids=[order.id], sources=[ordering.SourceRequest(payments.WALLET)]
    )
    merchant = store_owner(uow, order.store_id)
    ordering.ship_order(uow, actor=merchant, order_id=order.id, tracking_number="SF7730021946")
    ordering.mark_delivered(uow, actor=merchant, order_id=order.id)
    return order


def _waiting(world: trading.World, buyer: Principal, store_key: str) -> dict[str, str]:
    uow = world.uow
    order = _delivered(world, buyer, store_key)
    merchant = store_owner(uow, order.store_id)
    asked = ordering.request_refund(
        uow, actor=buyer, order_id=order.id, reason="Torn seam on arrival / 到货时开线了"
    )
    ordering.reject_return(
        uow, actor=merchant, refund_id=asked.id, note="Worn and washed / 已穿着洗涤，不支持退货"
    )
    dispute = ordering.escalate_return(
        uow,
        actor=buyer,
        refund_id=asked.id,
        text="The left seam was open when I unpacked it; never worn. 拆开包装时左侧缝线已开。",
        image_urls=[PHOTO.format(seed="torn-seam")],
    )
    ordering.add_evidence(
        uow,
        actor=merchant,
        dispute_id=dispute.id,
        text="Every coat is checked before packing; ours left whole. 每件出库前均已质检。",
        image_urls=[PHOTO.format(seed="packing-check")],
    )
    _review(uow, buyer, order, 1, "Arrived with a torn seam; the store would not take it back.")
    return {"order_id": str(order.id), "dispute_id": str(dispute.id)}


def _decided(
    world: trading.World, buyer: Principal, ops: Principal, store_key: str
) -> dict[str, str]:
    uow = world.uow
    order = _delivered(world, buyer, store_key)
    ordering.confirm_receipt(uow, actor=buyer, order_id=order.id)
    merchant = store_owner(uow, order.store_id)
    dispute = ordering.open_complaint(
        uow,
        actor=buyer,
        order_id=order.id,
        reason="not_genuine",
        text="The serial number is not on the maker's site. 序列号在官网查不到。",
        image_urls=[PHOTO.format(seed="serial-number")],
    )
    ordering.add_evidence(
        uow,
        actor=merchant,
        dispute_id=dispute.id,
        text="Bought from the brand's distributor; invoice attached. 附经销商发票。",
        image_urls=[PHOTO.format(seed="invoice")],
    )
    ordering.decide_dispute(
        uow,
        actor=ops,
        dispute_id=dispute.id,
        outcome="refund_partial",
        amount=order.total // 2,
        note="The serial is from another market: half refunded. 序列号属其他地区，退一半。",
    )
    _review(uow, buyer, order, 2, "序列号查不到，平台介入后退了一半。")
    return {"order_id": str(order.id), "dispute_id": str(dispute.id)}
