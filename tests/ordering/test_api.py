"""Ordering over HTTP: cart, checkout, payment, fulfilment, refunds, and every refusal."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response

import factories
from agora.identity import User, sign_in
from factories import assert_problem
from ordering.world import World

Headers = dict[str, str]


def token(world: World, user: Any) -> Headers:
    signed = sign_in(
        world.uow,
        identifier=user.email,
        password=factories.PASSWORD,
        client=factories.CLIENT,
        kind="api",
    )
    return {"Authorization": f"Bearer {signed.token}"}


def _user(world: World, principal_id: Any) -> User:
    from agora.identity import get_user

    return get_user(world.uow, principal_id)


@pytest.fixture
def h(world: World) -> dict[str, Headers]:
    return {
        "buyer": token(world, world.buyer_user),
        "other": token(world, world.other_user),
        "merchant_a": token(world, _user(world, world.merchant_a.user_id)),
        "merchant_b": token(world, _user(world, world.merchant_b.user_id)),
    }


def _checkout(client: TestClient, headers: Headers, lines: list[tuple[Any, int]]) -> Any:
    response = client.post(
        "/api/v1/checkout",
        json={"lines": [{"sku_id": str(s), "quantity": q} for s, q in lines]},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    return response.json()


def _pay(client: TestClient, headers: Headers, order_id: str, **extra: Any) -> Response:
    return client.post(
        f"/api/v1/orders/{order_id}/pay",
        json={"sources": [{"source": "wallet"}]},
        headers={**headers, **extra},
    )


def test_the_cart_over_http(client: TestClient, world: World, h: dict[str, Headers]) -> None:
    added = client.post(
        "/api/v1/cart/items",
        json={"sku_id": str(world.red_coat), "quantity": 2},
        headers=h["buyer"],
    )
    assert added.status_code == 200, added.text
    client.put(f"/api/v1/cart/items/{world.dress_sku}", json={"quantity": 1}, headers=h["buyer"])

    cart = client.get("/api/v1/cart", headers=h["buyer"]).json()

    assert [(line["title"], line["quantity"], line["stock"]) for line in cart["lines"]] == [
        ("Wool Coat", 2, 10),
        ("Silk Dress", 1, 3),
    ]
    assert cart["lines"][0]["unit_price"] == {"amount": 29900, "currency": "CNY"}
    assert cart["total"] == {"amount": 2 * 29900 + 15000, "currency": "CNY"}
    zh = client.get("/api/v1/cart?lang=zh", headers=h["buyer"]).json()
    assert zh["lines"][0]["title"] == "羊毛外套"

    removed = client.delete(f"/api/v1/cart/items/{world.red_coat}", headers=h["buyer"]).json()
    assert [line["sku_id"] for line in removed["lines"]] == [str(world.dress_sku)]
    assert client.get("/api/v1/cart").status_code == 401
    bad = client.put(
        f"/api/v1/cart/items/{world.dress_sku}", json={"quantity": 100}, headers=h["buyer"]
    )
    assert_problem(bad, 422, "invalid_input")


def test_checkout_of_the_cart_is_idempotent(
    client: TestClient, world: World, h: dict[str, Headers]
) -> None:
    for sku in (world.red_coat, world.dress_sku):
        client.post("/api/v1/cart/items", json={"sku_id": str(sku)}, headers=h["buyer"])
    headers = {**h["buyer"], "Idempotency-Key": "checkout-42"}

    first = client.post("/api/v1/checkout", json={}, headers=headers)
    again = client.post("/api/v1/checkout", json={}, headers=headers)
    other_body = client.post(
        "/api/v1/checkout",
        json={"lines": [{"sku_id": str(world.red_coat), "quantity": 1}]},
        headers=headers,
    )

    assert first.status_code == 201, first.text
    # One order per store, in store order (North Wind opened first).
    assert [o["store_name"] for o in first.json()["orders"]] == ["North Wind", "East Lake"]
    assert first.json()["total"] == {"amount": 29900 + 15000, "currency": "CNY"}
    assert (again.status_code, again.json()) == (201, first.json())
    assert again.headers["Idempotent-Replayed"] == "true"
    assert_problem(other_body, 422, "idempotency_key_reused")
    assert len(client.get("/api/v1/orders", headers=h["buyer"]).json()["items"]) == 2
    assert world.stock(world.red_coat) == (9, 1)


def test_checkout_short_of_stock_is_409_and_creates_nothing(
    client: TestClient, world: World, h: dict[str, Headers]
) -> None:
    before = world.snapshot()

    response = client.post(
        "/api/v1/checkout",
        json={"lines": [{"sku_id": str(world.dress_sku), "quantity": 4}]},
        headers=h["buyer"],
    )

    assert_problem(response, 409, "insufficient_stock")
    assert world.snapshot() == before


def test_pay_then_ship_deliver_confirm_and_see_the_settlement(
    client: TestClient, world: World, h: dict[str, Headers]
) -> None:
    world.fund(world.buyer_user, 40000)
    [order] = _checkout(client, h["buyer"], [(world.red_coat, 1)])["orders"]

    paid = _pay(client, h["buyer"], order["id"], **{"Idempotency-Key": "pay-1"})
    replay = _pay(client, h["buyer"], order["id"], **{"Idempotency-Key": "pay-1"})

    assert paid.status_code == 200, paid.text
    assert paid.json()["status"] == "paid"
    assert paid.json()["orders"][0]["status"] == "paid"
    assert replay.json() == paid.json()
    assert world.wallet(world.buyer.user_id) == 40000 - 29900

    listed = client.get(f"/api/v1/stores/{world.store_a.id}/orders", headers=h["merchant_a"])
    assert [o["id"] for o in listed.json()["items"]] == [order["id"]]
    shipped = client.post(
        f"/api/v1/orders/{order['id']}/ship",
        json={"tracking_number": "SF1234"},
        headers=h["merchant_a"],
    )
    assert (shipped.status_code, shipped.json()["status"]) == (200, "shipped")
    delivered = client.post(f"/api/v1/orders/{order['id']}/deliver", headers=h["merchant_a"])
    assert delivered.json()["status"] == "delivered"
    confirmed = client.post(f"/api/v1/orders/{order['id']}/confirm", headers=h["buyer"])
    assert confirmed.json()["status"] == "completed"

    detail = client.get(f"/api/v1/orders/{order['id']}", headers=h["buyer"]).json()
    assert [(e["kind"], e["actor_role"]) for e in detail["timeline"]] == [
        ("placed", "buyer"),
        ("paid", "buyer"),
        ("shipped", "merchant"),
        ("delivered", "merchant"),
        ("confirmed", "buyer"),
        ("settled", "system"),
    ]
    assert detail["payments"] == [
        {
            "source": "wallet",
            "amount": {"amount": 29900, "currency": "CNY"},
            "refunded": {"amount": 0, "currency": "CNY"},
            "charge_id": None,
        }
    ]
    settlements = client.get(
        f"/api/v1/stores/{world.store_a.id}/settlements", headers=h["merchant_a"]
    ).json()
    assert [
        (s["gross"]["amount"], s["commission"]["amount"], s["net"]["amount"])
        for s in settlements["items"]
    ] == [(29900, 1495, 28405)]
    assert world.settlement(world.store_a) == 28405


def test_paying_another_users_order_is_404_and_changes_nothing(
    client: TestClient, world: World, h: dict[str, Headers]
) -> None:
    world.fund(world.other_user, 50000)
    [order] = _checkout(client, h["buyer"], [(world.red_coat, 1)])["orders"]
    before = world.snapshot()

    assert_problem(_pay(client, h["other"], order["id"]), 404, "order_not_found")
    assert_problem(
        client.get(f"/api/v1/orders/{order['id']}", headers=h["other"]), 404, "order_not_found"
    )
    assert_problem(
        client.post(f"/api/v1/orders/{order['id']}/cancel", headers=h["other"]),
        404,
        "order_not_found",
    )

    assert world.snapshot() == before


def test_paying_with_too_little_in_the_wallet_is_409_and_changes_nothing(
    client: TestClient, world: World, h: dict[str, Headers]
) -> None:
    world.fund(world.buyer_user, 100)
    [order] = _checkout(client, h["buyer"], [(world.red_coat, 1)])["orders"]
    before = world.snapshot()

    assert_problem(_pay(client, h["buyer"], order["id"]), 409, "insufficient_funds")

    assert world.snapshot() == before
    assert world.wallet(world.buyer.user_id) == 100


def test_shipping_another_stores_order_is_404_and_changes_nothing(
    client: TestClient, world: World, h: dict[str, Headers]
) -> None:
    world.fund(world.buyer_user, 40000)
    [order] = _checkout(client, h["buyer"], [(world.red_coat, 1)])["orders"]
    _pay(client, h["buyer"], order["id"])
    before = world.snapshot()

    for who in ("merchant_b", "buyer"):
        response = client.post(
            f"/api/v1/orders/{order['id']}/ship",
            json={"tracking_number": "X"},
            headers=h[who],
        )
        assert_problem(response, 404, "order_not_found")
    assert_problem(
        client.get(f"/api/v1/stores/{world.store_a.id}/orders", headers=h["merchant_b"]),
        404,
        "store_not_found",
    )
    assert_problem(
        client.get(f"/api/v1/orders/{order['id']}", headers=h["merchant_b"]),
        404,
        "order_not_found",
    )

    assert world.snapshot() == before
    assert world.status(order["id"]) == "paid"


def test_refunding_more_than_paid_is_refused_and_changes_nothing(
    client: TestClient, world: World, h: dict[str, Headers]
) -> None:
    world.fund(world.buyer_user, 60000)
    [order] = _checkout(client, h["buyer"], [(world.red_coat, 2)])["orders"]
    _pay(client, h["buyer"], order["id"])
    line_id = order["lines"][0]["id"]
    before = world.snapshot()

    too_many = client.post(
        f"/api/v1/orders/{order['id']}/refunds",
        json={"lines": [{"line_id": line_id, "quantity": 3}]},
        headers=h["buyer"],
    )
    both = client.post(
        f"/api/v1/orders/{order['id']}/refunds",
        json={"whole": True, "lines": [{"line_id": line_id, "quantity": 1}]},
        headers=h["buyer"],
    )

    assert_problem(too_many, 409, "refund_too_large")
    assert_problem(both, 422, "invalid_input")
    assert world.snapshot() == before

    refunded = client.post(
        f"/api/v1/orders/{order['id']}/refunds",
        json={"whole": True, "reason": "changed my mind"},
        headers={**h["buyer"], "Idempotency-Key": "refund-1"},
    )
    assert refunded.status_code == 201, refunded.text
    assert (refunded.json()["kind"], refunded.json()["status"]) == ("refund", "refunded")
    assert refunded.json()["amount"] == {"amount": 59800, "currency": "CNY"}
    assert world.status(order["id"]) == "refunded"
    after = world.snapshot()
    again = client.post(
        f"/api/v1/orders/{order['id']}/refunds",
        json={"whole": True},
        headers=h["buyer"],
    )
    assert_problem(again, 409, "order_state_conflict")
    assert world.snapshot() == after
    assert world.wallet(world.buyer.user_id) == 60000


def test_a_return_is_decided_by_the_merchant(
    client: TestClient, world: World, h: dict[str, Headers]
) -> None:
    world.fund(world.buyer_user, 60000)
    [order] = _checkout(client, h["buyer"], [(world.red_coat, 2)])["orders"]
    _pay(client, h["buyer"], order["id"])
    client.post(
        f"/api/v1/orders/{order['id']}/ship", json={"tracking_number": "T"}, headers=h["merchant_a"]
    )
    line_id = order["lines"][0]["id"]

    asked = client.post(
        f"/api/v1/orders/{order['id']}/refunds",
        json={"lines": [{"line_id": line_id, "quantity": 1}], "reason": "wrong size"},
        headers=h["buyer"],
    ).json()
    assert (asked["kind"], asked["status"]) == ("return", "requested")
    waiting = client.get(f"/api/v1/stores/{world.store_a.id}/returns", headers=h["merchant_a"])
    assert [r["id"] for r in waiting.json()] == [asked["id"]]
    assert_problem(
        client.post(f"/api/v1/refunds/{asked['id']}/accept", headers=h["merchant_b"]),
        404,
        "refund_not_found",
    )

    accepted = client.post(
        f"/api/v1/refunds/{asked['id']}/accept", json={"note": "ok"}, headers=h["merchant_a"]
    )

    assert (accepted.status_code, accepted.json()["status"]) == (200, "accepted")
    assert world.wallet(world.buyer.user_id) == 60000 - 59800 + 29900
    assert world.stock(world.red_coat) == (9, 0)
    assert_problem(
        client.post(f"/api/v1/refunds/{asked['id']}/reject", headers=h["merchant_a"]),
        409,
        "refund_decided",
    )


def test_cancel_and_list_with_a_status_filter_and_cursor(
    client: TestClient, world: World, h: dict[str, Headers]
) -> None:
    first = _checkout(client, h["buyer"], [(world.red_coat, 1)])["orders"][0]
    second = _checkout(client, h["buyer"], [(world.black_coat, 1)])["orders"][0]

    cancelled = client.post(f"/api/v1/orders/{first['id']}/cancel", headers=h["buyer"])

    assert cancelled.json()["status"] == "cancelled"
    assert world.stock(world.red_coat) == (10, 0)
    only_cancelled = client.get("/api/v1/orders?status=cancelled", headers=h["buyer"]).json()
    assert [o["id"] for o in only_cancelled["items"]] == [first["id"]]
    page = client.get("/api/v1/orders?limit=1", headers=h["buyer"]).json()
    assert [o["id"] for o in page["items"]] == [second["id"]]
    rest = client.get(f"/api/v1/orders?limit=1&cursor={page['next_cursor']}", headers=h["buyer"])
    assert [o["id"] for o in rest.json()["items"]] == [first["id"]]
    assert rest.json()["next_cursor"] is None
    assert_problem(
        client.get("/api/v1/orders?cursor=nonsense", headers=h["buyer"]), 422, "invalid_input"
    )
    assert_problem(
        client.get("/api/v1/orders?status=lost", headers=h["buyer"]), 422, "invalid_input"
    )


def test_checkout_and_pay_take_the_lean_path(
    client: TestClient, world: World, h: dict[str, Headers], monkeypatch: pytest.MonkeyPatch
) -> None:
    # agora.http.lean: a plain checkout and payment never reach FastAPI's dependency solver.
    import fastapi.routing

    async def refuse(**_: Any) -> Any:
        raise AssertionError("FastAPI's solver ran")

    world.fund(world.buyer_user, 40000)
    monkeypatch.setattr(fastapi.routing, "solve_dependencies", refuse)
    key = {**h["buyer"], "Idempotency-Key": "lean-1"}

    placed = client.post(
        "/api/v1/checkout",
        json={"lines": [{"sku_id": str(world.red_coat), "quantity": 1}]},
        headers=key,
    )
    order_id = placed.json()["orders"][0]["id"]
    paid = _pay(client, h["buyer"], order_id, **{"Idempotency-Key": "lean-2"})

    assert placed.status_code == 201, placed.text
    assert paid.status_code == 200, paid.text
    assert paid.json()["orders"][0]["status"] == "paid"
    assert placed.headers["content-type"] == "application/json"
    with pytest.raises(AssertionError, match="solver"):
        client.get("/api/v1/orders", headers=h["buyer"])
