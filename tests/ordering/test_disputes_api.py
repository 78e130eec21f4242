"""Disputes over HTTP: escalate, complain, evidence from both sides, the operator's queue and
decision, and every refusal as problem+json with nothing changed."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

import factories
from agora.identity import get_user
from agora.ordering import (
    OrderView,
    confirm_receipt,
    mark_delivered,
    reject_return,
    request_refund,
    ship_order,
)
from factories import assert_problem
from ordering.world import World, buy, pay_wallet

COAT = 29900
Headers = dict[str, str]


@pytest.fixture
def h(world: World) -> dict[str, Headers]:
    def of(user_id: uuid.UUID) -> Headers:
        return factories.bearer(world.uow, get_user(world.uow, user_id))

    return {
        "buyer": of(world.buyer.user_id),
        "other": of(world.other.user_id),
        "merchant_a": of(world.merchant_a.user_id),
        "merchant_b": of(world.merchant_b.user_id),
        "ops": of(world.ops.user_id),
    }


def _delivered(world: World) -> OrderView:
    world.fund(world.buyer_user, COAT)
    order = buy(world, world.red_coat)
    pay_wallet(world, order)
    ship_order(world.uow, actor=world.merchant_a, order_id=order.id, tracking_number="SF1")
    mark_delivered(world.uow, actor=world.merchant_a, order_id=order.id)
    return order


def _rejected(world: World) -> tuple[OrderView, uuid.UUID]:
    order = _delivered(world)
    asked = request_refund(world.uow, actor=world.buyer, order_id=order.id)
    reject_return(world.uow, actor=world.merchant_a, refund_id=asked.id, note="used")
    return order, asked.id


def _escalate(client: TestClient, h: dict[str, Headers], refund_id: uuid.UUID) -> dict[str, Any]:
    response = client.post(
        f"/api/v1/refunds/{refund_id}/escalate",
        json={"text": "Torn on arrival.", "image_urls": ["https://img.example.com/a.jpg"]},
        headers=h["buyer"],
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def test_a_rejected_return_is_escalated_answered_and_refunded_in_part(
    client: TestClient, world: World, h: dict[str, Headers]
) -> None:
    order, refund_id = _rejected(world)

    opened = _escalate(client, h, refund_id)
    assert (opened["reason"], opened["status"], opened["claimed"]) == (
        "return_rejected",
        "open",
        {"amount": COAT, "currency": "CNY"},
    )
    answered = client.post(
        f"/api/v1/disputes/{opened['id']}/evidence",
        json={"text": "It left us whole.", "image_urls": ["http://img.example.com/b.png"]},
        headers=h["merchant_a"],
    )
    assert answered.status_code == 201, answered.text
    assert [(e["side"], e["text"]) for e in answered.json()["evidence"]] == [
        ("buyer", "Torn on arrival."),
        ("merchant", "It left us whole."),
    ]
    store_list = client.get(
        f"/api/v1/stores/{world.store_a.id}/disputes", headers=h["merchant_a"]
    ).json()
    assert [d["id"] for d in store_list] == [opened["id"]]
    queue = client.get("/api/v1/operator/disputes", headers=h["ops"]).json()
    assert [(q["dispute"]["id"], q["buyer_name"], q["store_name"]) for q in queue] == [
        (opened["id"], "Buyer", "North Wind")
    ]

    decided = client.post(
        f"/api/v1/disputes/{opened['id']}/decision",
        json={"outcome": "refund_partial", "amount": 12000, "note": "Half-ish."},
        headers={**h["ops"], "Idempotency-Key": "decide-1"},
    )
    assert decided.status_code == 200, decided.text
    assert (decided.json()["outcome"], decided.json()["refunded"]["amount"]) == (
        "refund_partial",
        12000,
    )
    replay = client.post(
        f"/api/v1/disputes/{opened['id']}/decision",
        json={"outcome": "refund_partial", "amount": 12000, "note": "Half-ish."},
        headers={**h["ops"], "Idempotency-Key": "decide-1"},
    )
    assert replay.json() == decided.json()
    assert world.wallet(world.buyer.user_id) == 12000
    assert client.get("/api/v1/operator/disputes", headers=h["ops"]).json() == []
    listed = client.get(f"/api/v1/orders/{order.id}/disputes", headers=h["buyer"]).json()
    assert [d["status"] for d in listed] == ["decided"]


def test_a_complaint_over_http(client: TestClient, world: World, h: dict[str, Headers]) -> None:
    order = _delivered(world)
    confirm_receipt(world.uow, actor=world.buyer, order_id=order.id)

    opened = client.post(
        f"/api/v1/orders/{order.id}/disputes",
        json={"reason": "not_genuine", "text": "Fake logo."},
        headers=h["buyer"],
    )
    assert opened.status_code == 201, opened.text
    decided = client.post(
        f"/api/v1/disputes/{opened.json()['id']}/decision",
        json={"outcome": "refund_full"},
        headers=h["ops"],
    )

    assert decided.status_code == 200, decided.text
    assert decided.json()["taken_back_from_store"]["amount"] == COAT - 1495
    assert world.wallet(world.buyer.user_id) == COAT
    bad = client.post(
        f"/api/v1/orders/{order.id}/disputes",
        json={"reason": "ugly", "text": "x"},
        headers=h["buyer"],
    )
    assert_problem(bad, 422, "invalid_input")


def test_refusals_over_http_change_nothing(
    client: TestClient, world: World, h: dict[str, Headers]
) -> None:
    _order, refund_id = _rejected(world)
    opened = _escalate(client, h, refund_id)
    dispute = f"/api/v1/disputes/{opened['id']}"
    before = world.snapshot()

    assert_problem(client.get(dispute, headers=h["other"]), 404, "dispute_not_found")
    assert_problem(
        client.post(f"{dispute}/evidence", json={"text": "hi"}, headers=h["merchant_b"]),
        404,
        "dispute_not_found",
    )
    for who in ("buyer", "merchant_a", "other"):
        assert_problem(
            client.post(f"{dispute}/decision", json={"outcome": "refund_full"}, headers=h[who]),
            403,
            "forbidden",
        )
    assert_problem(
        client.get("/api/v1/operator/disputes", headers=h["merchant_a"]), 403, "forbidden"
    )
    assert_problem(
        client.post(
            f"{dispute}/decision",
            json={"outcome": "refund_partial", "amount": COAT + 1},
            headers=h["ops"],
        ),
        409,
        "refund_too_large",
    )
    assert_problem(
        client.post(
            f"/api/v1/refunds/{refund_id}/escalate", json={"text": "again"}, headers=h["buyer"]
        ),
        409,
        "dispute_exists",
    )
    assert_problem(
        client.post(
            f"{dispute}/evidence",
            json={"text": "x", "image_urls": ["ftp://img.example.com/a.jpg"]},
            headers=h["buyer"],
        ),
        422,
        "invalid_input",
    )
    assert world.snapshot() == before

    ok = client.post(f"{dispute}/decision", json={"outcome": "reject"}, headers=h["ops"])
    assert ok.status_code == 200, ok.text
    assert_problem(
        client.post(f"{dispute}/decision", json={"outcome": "reject"}, headers=h["ops"]),
        409,
        "dispute_decided",
    )


def test_escalating_a_return_that_was_not_rejected_is_refused(
    client: TestClient, world: World, h: dict[str, Headers]
) -> None:
    order = _delivered(world)
    asked = request_refund(world.uow, actor=world.buyer, order_id=order.id)
    before = world.snapshot()

    response = client.post(
        f"/api/v1/refunds/{asked.id}/escalate", json={"text": "No answer."}, headers=h["buyer"]
    )

    assert_problem(response, 409, "dispute_not_allowed")
    assert world.snapshot() == before
