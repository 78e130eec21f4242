"""Returns with a reachable decision and the operator's disputes, against the real database.

The store's silence past the answer window accepts a return; a rejected return (or a complaint
that an order was not as described / not genuine) goes to an operator, who refunds in full, in
part, or rejects. Every money-moving test ends with the ledger audit (the ``db`` fixture), and
asserts the exact balances.
"""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from agora import ledger, payments
from agora.core.clock import clock
from agora.core.db import Database
from agora.core.errors import AgoraError, Forbidden, InvalidInput
from agora.core.models import Deadline
from agora.core.uow import UnitOfWork
from agora.ordering import (
    Dispute,
    DisputeDecided,
    DisputeExists,
    DisputeNotAllowed,
    DisputeNotFound,
    EvidenceFull,
    Order,
    OrderEvent,
    OrderView,
    RefundNotFound,
    RefundTooLarge,
    ReturnPending,
    StoreFundsShort,
    accept_return,
    accept_unanswered_return,
    add_evidence,
    confirm_receipt,
    decide_dispute,
    dispute_detail,
    dispute_queue,
    escalate_return,
    mark_delivered,
    open_complaint,
    order_detail,
    reject_return,
    request_refund,
    ship_order,
    store_disputes,
)
from ordering.world import World, buy, pay_wallet

COAT = 29900  # red M
COMMISSION = 1495  # 5 % of ¥299.00, half up


def _delivered(world: World, quantity: int = 1) -> OrderView:
    world.fund(world.buyer_user, COAT * quantity)
    order = buy(world, world.red_coat, quantity)
    pay_wallet(world, order)
    ship_order(world.uow, actor=world.merchant_a, order_id=order.id, tracking_number="SF1")
    mark_delivered(world.uow, actor=world.merchant_a, order_id=order.id)
    return order


def _rejected(world: World, quantity: int = 1) -> tuple[OrderView, uuid.UUID]:
    order = _delivered(world, quantity)
    asked = request_refund(world.uow, actor=world.buyer, order_id=order.id, reason="torn seam")
    reject_return(world.uow, actor=world.merchant_a, refund_id=asked.id, note="worn already")
    return order, asked.id


def _escalated(world: World, quantity: int = 1) -> tuple[OrderView, uuid.UUID]:
    order, refund_id = _rejected(world, quantity)
    dispute = escalate_return(
        world.uow,
        actor=world.buyer,
        refund_id=refund_id,
        text="The seam was torn when it arrived.",
        image_urls=["https://img.example.com/seam.jpg"],
    )
    return order, dispute.id


def _timeline(world: World, order_id: uuid.UUID) -> list[tuple[str, str]]:
    detail = order_detail(world.uow, actor=world.buyer, order_id=order_id)
    return [(e.kind, e.actor_role) for e in detail.timeline]


def _order(world: World, order_id: uuid.UUID) -> Order:
    with world.uow.read() as session:
        order = session.get(Order, order_id)
        assert order is not None
        return order


# --- the store's silence ----------------------------------------------------------------------


def test_a_return_the_store_does_not_answer_is_accepted_after_48_hours(world: World) -> None:
    order = _delivered(world)
    asked = request_refund(world.uow, actor=world.buyer, order_id=order.id, reason="too big")

    clock.travel(timedelta(hours=47, minutes=59))
    world.sweep()
    assert order_detail(world.uow, actor=world.buyer, order_id=order.id).refunds[0].status == (
        "requested"
    )
    assert world.wallet(world.buyer.user_id) == 0

    clock.travel(timedelta(minutes=1, seconds=1))
    assert world.sweep() == 1

    detail = order_detail(world.uow, actor=world.buyer, order_id=order.id)
    assert [(r.id, r.status) for r in detail.refunds] == [(asked.id, "accepted")]
    assert world.wallet(world.buyer.user_id) == COAT
    assert world.escrow() == 0
    assert world.stock(world.red_coat) == (10, 0)
    assert world.status(order.id) == "refunded"
    assert ("return_auto_accepted", "system") in _timeline(world, order.id)
    # A late second firing, or the store answering now, changes nothing.
    before = world.snapshot()
    assert accept_unanswered_return(world.uow, asked.id) is False
    with pytest.raises(AgoraError):
        reject_return(world.uow, actor=world.merchant_a, refund_id=asked.id)
    assert world.snapshot() == before


def test_a_decision_before_the_deadline_cancels_it(world: World) -> None:
    order = _delivered(world)
    asked = request_refund(world.uow, actor=world.buyer, order_id=order.id)
    clock.travel(timedelta(hours=1))
    reject_return(world.uow, actor=world.merchant_a, refund_id=asked.id, note="used")

    with world.uow.read() as session:
        deadline = session.scalar(select(Deadline).where(Deadline.ref_id == asked.id))
        assert deadline is not None
        assert (deadline.kind, deadline.last_error) == ("return_answer_due", "cancelled")
    before_money = (world.wallet(world.buyer.user_id), world.escrow())
    clock.travel(timedelta(hours=48))
    world.sweep()
    # The late firing, had it come, finds the return decided and changes nothing.
    assert accept_unanswered_return(world.uow, asked.id) is False

    detail = order_detail(world.uow, actor=world.buyer, order_id=order.id)
    assert detail.refunds[0].status == "rejected"
    assert (world.wallet(world.buyer.user_id), world.escrow()) == before_money == (0, COAT)
    assert "return_auto_accepted" not in [kind for kind, _ in _timeline(world, order.id)]


def test_an_accepted_return_also_cancels_its_deadline(world: World) -> None:
    order = _delivered(world, 2)
    asked = request_refund(
        world.uow, actor=world.buyer, order_id=order.id, lines={order.lines[0].id: 1}
    )
    accept_return(world.uow, actor=world.merchant_a, refund_id=asked.id)
    clock.travel(timedelta(hours=49))
    world.sweep()

    assert world.wallet(world.buyer.user_id) == COAT
    assert world.escrow() == COAT


# --- escalating a rejected return ---------------------------------------------------------------


def test_an_escalated_return_holds_the_escrow_and_shows_both_sides(world: World) -> None:
    order, dispute_id = _escalated(world)

    answer = add_evidence(
        world.uow,
        actor=world.merchant_a,
        dispute_id=dispute_id,
        text="Photos at packing: no tear.",
        image_urls=["http://img.example.com/packing-1.jpg", "https://img.example.com/2.png"],
    )
    assert answer.status == "open"
    assert answer.reason == "return_rejected"
    assert answer.claimed == COAT
    assert [(e.side, e.text, e.image_urls) for e in answer.evidence] == [
        ("buyer", "The seam was torn when it arrived.", ["https://img.example.com/seam.jpg"]),
        (
            "merchant",
            "Photos at packing: no tear.",
            ["http://img.example.com/packing-1.jpg", "https://img.example.com/2.png"],
        ),
    ]
    assert _order(world, order.id).return_open is True
    # The escrow is held: neither the buyer nor time completes the order while it is open.
    with pytest.raises(ReturnPending):
        confirm_receipt(world.uow, actor=world.buyer, order_id=order.id)
    clock.travel(timedelta(days=11))
    world.sweep()
    assert world.status(order.id) == "delivered"
    assert world.escrow() == COAT
    [queued] = dispute_queue(world.uow, actor=world.ops)
    assert (queued.dispute.id, queued.buyer_name, queued.order_total) == (dispute_id, "Buyer", COAT)
    assert [
        d.id for d in store_disputes(world.uow, actor=world.merchant_a, store_id=world.store_a.id)
    ] == [dispute_id]


def test_a_full_refund_on_a_dispute_pays_the_return_back_through_the_ledger(world: World) -> None:
    order, dispute_id = _escalated(world)

    decided = decide_dispute(
        world.uow, actor=world.ops, dispute_id=dispute_id, outcome="refund_full", note="Torn."
    )

    assert (decided.status, decided.outcome, decided.refunded) == ("decided", "refund_full", COAT)
    assert decided.decision_note == "Torn."
    assert world.wallet(world.buyer.user_id) == COAT
    assert world.escrow() == 0
    assert world.settlement(world.store_a) == 0
    assert world.status(order.id) == "refunded"
    detail = order_detail(world.uow, actor=world.buyer, order_id=order.id)
    assert [(r.kind, r.status, r.amount) for r in detail.refunds][-1] == (
        "dispute",
        "refunded",
        COAT,
    )
    assert ("dispute_refunded", "operator") in _timeline(world, order.id)
    with world.uow.read() as session:
        transfers = session.scalars(
            select(ledger.Transfer.kind).where(
                ledger.Transfer.key.like(f"refund:{detail.refunds[-1].id}:%")
            )
        ).all()
    assert transfers == ["order_refund"]


def test_a_part_refund_then_settles_the_rest_to_the_store(world: World) -> None:
    order, dispute_id = _escalated(world)

    decided = decide_dispute(
        world.uow,
        actor=world.ops,
        dispute_id=dispute_id,
        outcome="refund_partial",
        amount=10000,
        note="Minor flaw: ¥100 back.",
    )

    assert (decided.outcome, decided.refunded) == ("refund_partial", 10000)
    assert world.wallet(world.buyer.user_id) == 10000
    assert world.escrow() == COAT - 10000
    assert _order(world, order.id).return_open is False
    # The hold is gone: the order confirms itself (its 10 days had passed) and settles the rest.
    clock.travel(timedelta(days=10, seconds=1))
    world.sweep()
    assert world.status(order.id) == "completed"
    rest = COAT - 10000
    commission = 995  # 5 % of ¥199.00
    assert world.settlement(world.store_a) == rest - commission
    assert world.commission() == commission
    assert world.escrow() == 0


def test_a_rejected_dispute_moves_no_money_and_the_order_completes(world: World) -> None:
    order, dispute_id = _escalated(world)
    before = (world.wallet(world.buyer.user_id), world.escrow())

    decided = decide_dispute(
        world.uow, actor=world.ops, dispute_id=dispute_id, outcome="reject", note="Worn."
    )

    assert (decided.outcome, decided.refunded) == ("reject", 0)
    assert (world.wallet(world.buyer.user_id), world.escrow()) == before == (0, COAT)
    assert ("dispute_rejected", "operator") in _timeline(world, order.id)
    confirm_receipt(world.uow, actor=world.buyer, order_id=order.id)
    assert world.settlement(world.store_a) == COAT - COMMISSION


# --- complaints, and orders already settled ----------------------------------------------------


def test_a_counterfeit_complaint_on_a_settled_order_takes_the_money_back_from_the_store(
    world: World,
) -> None:
    order = _delivered(world)
    confirm_receipt(world.uow, actor=world.buyer, order_id=order.id)
    assert world.settlement(world.store_a) == COAT - COMMISSION

    opened = open_complaint(
        world.uow,
        actor=world.buyer,
        order_id=order.id,
        reason="not_genuine",
        text="The label is a fake.",
        image_urls=["https://img.example.com/label.jpg"],
    )
    assert (opened.reason, opened.claimed, opened.status) == ("not_genuine", COAT, "open")
    assert _order(world, order.id).return_open is False  # nothing left in escrow to hold
    decided = decide_dispute(
        world.uow, actor=world.ops, dispute_id=opened.id, outcome="refund_full"
    )

    assert (decided.refunded, decided.from_store, decided.from_commission) == (
        COAT,
        COAT - COMMISSION,
        COMMISSION,
    )
    assert world.wallet(world.buyer.user_id) == COAT
    assert world.settlement(world.store_a) == 0
    assert world.commission() == 0
    assert world.escrow() == 0
    assert world.status(order.id) == "completed"
    assert _order(world, order.id).refunded_amount == COAT
    # The reputation figure "counterfeit complaints upheld" is counted from the table.
    with world.uow.read() as session:
        upheld = session.scalar(
            select(func.count())
            .select_from(Dispute)
            .where(
                Dispute.store_id == world.store_a.id,
                Dispute.reason == "not_genuine",
                Dispute.outcome.in_(("refund_full", "refund_partial")),
            )
        )
    assert upheld == 1


def test_a_part_refund_of_a_settled_order_returns_the_commission_pro_rata(world: World) -> None:
    order = _delivered(world)
    confirm_receipt(world.uow, actor=world.buyer, order_id=order.id)
    opened = open_complaint(
        world.uow, actor=world.buyer, order_id=order.id, reason="not_as_described", text="Wrong."
    )

    decided = decide_dispute(
        world.uow, actor=world.ops, dispute_id=opened.id, outcome="refund_partial", amount=9999
    )

    from_commission = COMMISSION * 9999 // COAT  # 499, rounded down
    assert (decided.from_store, decided.from_commission) == (
        9999 - from_commission,
        from_commission,
    )
    assert world.settlement(world.store_a) == COAT - COMMISSION - (9999 - from_commission)
    assert world.commission() == COMMISSION - from_commission
    assert world.wallet(world.buyer.user_id) == 9999


def test_a_store_that_no_longer_holds_the_money_is_refused_and_nothing_changes(
    world: World,
) -> None:
    order = _delivered(world)
    confirm_receipt(world.uow, actor=world.buyer, order_id=order.id)
    opened = open_complaint(
        world.uow, actor=world.buyer, order_id=order.id, reason="not_genuine", text="Fake."
    )
    # The store has paid its balance out (as a payout to its bank would).
    ledger.transfer(
        world.uow,
        key="test:store-paid-out",
        kind="test_payout",
        legs=[
            ledger.Leg(payments.store_settlement_of(world.store_a.id), -(COAT - COMMISSION)),
            ledger.Leg(payments.wallet_of(world.merchant_a.user_id), COAT - COMMISSION),
        ],
    )
    before = world.snapshot()

    with pytest.raises(StoreFundsShort):
        decide_dispute(world.uow, actor=world.ops, dispute_id=opened.id, outcome="refund_full")

    assert world.snapshot() == before
    assert dispute_detail(world.uow, actor=world.ops, dispute_id=opened.id).status == "open"


def test_a_complaint_is_refused_outside_its_window_and_once_per_order(world: World) -> None:
    order = _delivered(world)
    first = open_complaint(
        world.uow, actor=world.buyer, order_id=order.id, reason="not_as_described", text="Odd."
    )
    decide_dispute(world.uow, actor=world.ops, dispute_id=first.id, outcome="reject")
    with pytest.raises(DisputeExists):
        open_complaint(
            world.uow, actor=world.buyer, order_id=order.id, reason="not_genuine", text="Fake."
        )
    late = _delivered(world)
    clock.travel(timedelta(days=15, seconds=1))
    with pytest.raises(DisputeNotAllowed):
        open_complaint(
            world.uow, actor=world.buyer, order_id=late.id, reason="not_genuine", text="Fake."
        )
    with pytest.raises(InvalidInput):
        open_complaint(world.uow, actor=world.buyer, order_id=late.id, reason="ugly", text="x")


# --- refusals ---------------------------------------------------------------------------------


def test_another_shoppers_dispute_is_not_found_and_nothing_changes(world: World) -> None:
    _order_view, dispute_id = _escalated(world)
    before = world.snapshot()

    with pytest.raises(DisputeNotFound):
        dispute_detail(world.uow, actor=world.other, dispute_id=dispute_id)
    with pytest.raises(DisputeNotFound):
        add_evidence(world.uow, actor=world.other, dispute_id=dispute_id, text="me too")
    with pytest.raises(DisputeNotFound):
        add_evidence(world.uow, actor=world.merchant_b, dispute_id=dispute_id, text="not ours")

    assert world.snapshot() == before
    assert len(dispute_detail(world.uow, actor=world.buyer, dispute_id=dispute_id).evidence) == 1


def test_only_an_operator_decides(world: World) -> None:
    _order_view, dispute_id = _escalated(world)
    before = world.snapshot()

    for actor in (world.buyer, world.merchant_a, world.other):
        with pytest.raises(Forbidden):
            decide_dispute(world.uow, actor=actor, dispute_id=dispute_id, outcome="refund_full")
    with pytest.raises(Forbidden):
        add_evidence(world.uow, actor=world.ops, dispute_id=dispute_id, text="operator note")
    with pytest.raises(Forbidden):
        dispute_queue(world.uow, actor=world.merchant_a)

    assert world.snapshot() == before


def test_a_part_above_what_is_refundable_is_refused_and_nothing_changes(world: World) -> None:
    _order_view, dispute_id = _escalated(world)
    before = world.snapshot()

    with pytest.raises(RefundTooLarge):
        decide_dispute(
            world.uow,
            actor=world.ops,
            dispute_id=dispute_id,
            outcome="refund_partial",
            amount=COAT + 1,
        )
    with pytest.raises(InvalidInput):
        decide_dispute(world.uow, actor=world.ops, dispute_id=dispute_id, outcome="refund_partial")

    assert world.snapshot() == before
    assert dispute_detail(world.uow, actor=world.ops, dispute_id=dispute_id).status == "open"


def test_a_dispute_is_decided_once(world: World) -> None:
    _order_view, dispute_id = _escalated(world)
    decide_dispute(world.uow, actor=world.ops, dispute_id=dispute_id, outcome="refund_full")
    before = world.snapshot()

    with pytest.raises(DisputeDecided):
        decide_dispute(world.uow, actor=world.ops, dispute_id=dispute_id, outcome="refund_full")
    with pytest.raises(DisputeDecided):
        add_evidence(world.uow, actor=world.buyer, dispute_id=dispute_id, text="one more")

    assert world.snapshot() == before
    assert world.wallet(world.buyer.user_id) == COAT


def test_escalating_twice_or_a_return_not_rejected_is_refused(world: World) -> None:
    _order_view, refund_id = _rejected(world)
    escalate_return(world.uow, actor=world.buyer, refund_id=refund_id, text="Torn.")
    before = world.snapshot()

    with pytest.raises(DisputeExists):
        escalate_return(world.uow, actor=world.buyer, refund_id=refund_id, text="Again.")
    with pytest.raises(RefundNotFound):
        escalate_return(world.uow, actor=world.other, refund_id=refund_id, text="Mine?")
    assert world.snapshot() == before

    pending = _delivered(world)
    asked = request_refund(world.uow, actor=world.buyer, order_id=pending.id)
    with pytest.raises(DisputeNotAllowed):
        escalate_return(world.uow, actor=world.buyer, refund_id=asked.id, text="Too slow.")
    accepted = _delivered(world)
    taken = request_refund(world.uow, actor=world.buyer, order_id=accepted.id)
    accept_return(world.uow, actor=world.merchant_a, refund_id=taken.id)
    with pytest.raises(DisputeNotAllowed):
        escalate_return(world.uow, actor=world.buyer, refund_id=taken.id, text="Accepted.")


def test_a_rejected_return_can_be_escalated_for_7_days(world: World) -> None:
    _order_view, refund_id = _rejected(world)
    clock.travel(timedelta(days=7, seconds=1))

    with pytest.raises(DisputeNotAllowed):
        escalate_return(world.uow, actor=world.buyer, refund_id=refund_id, text="Late.")


def test_evidence_is_checked_and_limited(world: World) -> None:
    _order_view, dispute_id = _escalated(world)
    for bad in (
        ["javascript:alert(1)"],
        ["//elsewhere.example/a.jpg"],
        ["/\\elsewhere.example/a.jpg"],
        ["/static/img/demo/torn seam.svg"],
        ["http://[::1/a.jpg"],
        ["https://x.example/a.jpg"] * 7,
    ):
        with pytest.raises(InvalidInput):
            add_evidence(
                world.uow, actor=world.buyer, dispute_id=dispute_id, text="x", image_urls=bad
            )
    with pytest.raises(InvalidInput):
        add_evidence(world.uow, actor=world.buyer, dispute_id=dispute_id, text="x" * 1001)
    with pytest.raises(InvalidInput):
        add_evidence(world.uow, actor=world.buyer, dispute_id=dispute_id, text="  ")
    # A picture Agora serves itself is a path on this site.
    kept = add_evidence(
        world.uow,
        actor=world.buyer,
        dispute_id=dispute_id,
        text="x",
        image_urls=[" /static/img/demo/torn-seam.svg "],
    )
    assert kept.evidence[-1].image_urls == ["/static/img/demo/torn-seam.svg"]
    for n in range(8):  # the opening statement and the site picture were the first of ten
        add_evidence(world.uow, actor=world.buyer, dispute_id=dispute_id, text=f"more {n}")
    with pytest.raises(EvidenceFull):
        add_evidence(world.uow, actor=world.buyer, dispute_id=dispute_id, text="eleventh")
    add_evidence(world.uow, actor=world.merchant_a, dispute_id=dispute_id, text="the store's")


# --- concurrency --------------------------------------------------------------------------------


def test_concurrent_decisions_give_one_refund(world: World, db: Database) -> None:
    order, dispute_id = _escalated(world)
    start = threading.Barrier(8, timeout=60)

    def decide(i: int) -> Any:
        start.wait()
        try:
            return decide_dispute(
                UnitOfWork(db),
                actor=world.ops,
                dispute_id=dispute_id,
                outcome="refund_full" if i % 2 else "refund_partial",
                amount=100 + i,
            )
        except AgoraError as exc:
            return exc

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = [f.result(timeout=120) for f in [pool.submit(decide, i) for i in range(8)]]

    won = [r for r in results if not isinstance(r, AgoraError)]
    assert len(won) == 1
    assert {type(r) for r in results if isinstance(r, AgoraError)} == {DisputeDecided}
    assert world.wallet(world.buyer.user_id) == won[0].refunded
    assert world.escrow() == COAT - won[0].refunded
    with world.uow.read() as session:
        refunds = session.scalar(
            select(func.count())
            .select_from(OrderEvent)
            .where(OrderEvent.order_id == order.id, OrderEvent.kind == "dispute_refunded")
        )
    assert refunds == 1
