"""Points over HTTP: my points and their history (only ever my own), and paying with points
through the ordering API, refusals included (with nothing changed)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

import factories
from agora import points
from agora.core.clock import clock
from agora.identity import sign_in
from agora.ordering import confirm_receipt
from factories import assert_problem
from points.world import World

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


def _pay(client: TestClient, headers: Headers, order_id: Any, sources: list[Any]) -> Any:
    return client.post(f"/api/v1/orders/{order_id}/pay", json={"sources": sources}, headers=headers)


def test_my_points_show_active_pending_and_what_expires_soon(
    client: TestClient, world: World
) -> None:
    user = world.buyer.user_id
    clock.freeze(datetime(2025, 6, 1, 12, tzinfo=UTC))
    world.fund(world.buyer_user, 100_000)
    points.grant(world.uow, user_id=user, amount=800, key="early", reason="Welcome")
    clock.travel(timedelta(days=100))
    points.grant(world.uow, user_id=user, amount=300, key="later", reason="Referral")
    world.buy(world.dress_sku)  # 150 pending
    clock.freeze(datetime(2026, 5, 20, 12, tzinfo=UTC))  # the first lot expires in 12 days

    body = client.get("/api/v1/points", headers=token(world, world.buyer_user)).json()

    assert (body["active"], body["pending"], body["worth"]) == (
        1_100,
        150,
        {"amount": 1_100, "currency": "CNY"},
    )
    assert (body["expiring_amount"], body["expiring_at"]) == (800, "2026-06-01T12:00:00Z")
    assert [(lot["source"], lot["remaining"]) for lot in body["expiring_soon"]] == [("grant", 800)]
    assert body["max_redeem_share"] == "0.5"


def test_history_pages_through_both_balances_newest_first(client: TestClient, world: World) -> None:
    user = world.buyer.user_id
    world.fund(world.buyer_user, 100_000)
    points.grant(world.uow, user_id=user, amount=5_000, key="gift", reason="Welcome")
    order = world.buy(world.red_coat, discount=1_000)  # redeems 1000, earns 289
    world.deliver(order)
    confirm_receipt(world.uow, actor=world.buyer, order_id=order.id)  # 289 become active
    headers = token(world, world.buyer_user)

    first = client.get("/api/v1/points/history?limit=3", headers=headers).json()
    rest = client.get(
        f"/api/v1/points/history?limit=3&cursor={first['next_cursor']}", headers=headers
    ).json()

    lines = [(i["kind"], i["account"], i["amount"]) for i in first["items"] + rest["items"]]
    # The two legs of the activation come in the ledger's account order.
    assert sorted(lines[:2]) == [
        ("points_activated", "active", 289),
        ("points_activated", "pending", -289),
    ]
    assert lines[2:] == [
        ("points_earned", "pending", 289),
        ("points_redeemed", "active", -1_000),
        ("points_granted", "active", 5_000),
    ]
    assert rest["next_cursor"] is None
    assert first["items"][0]["order_id"] == str(order.id)
    assert rest["items"][-1]["reason"] == "Welcome"


def test_nobody_reads_another_users_points(client: TestClient, world: World) -> None:
    points.grant(world.uow, user_id=world.buyer.user_id, amount=700, key="g", reason="Welcome")
    other = token(world, world.other_user)

    mine = client.get(f"/api/v1/points?user_id={world.buyer.user_id}", headers=other).json()
    history = client.get("/api/v1/points/history", headers=other).json()

    assert (mine["active"], mine["pending"], mine["expiring_soon"]) == (0, 0, [])
    assert history == {"items": [], "next_cursor": None}
    assert_problem(client.get("/api/v1/points"), 401, "unauthenticated")
    assert_problem(client.get("/api/v1/points/history"), 401, "unauthenticated")
    assert client.get("/api/v1/points/history?cursor=abc", headers=other).status_code == 422


def test_paying_with_points_over_http(client: TestClient, world: World) -> None:
    user = world.buyer.user_id
    world.fund(world.buyer_user, 100_000)
    points.grant(world.uow, user_id=user, amount=20_000, key="g", reason="Welcome")
    [order] = world.place((world.red_coat, 1))
    headers = token(world, world.buyer_user)

    response = _pay(
        client,
        headers,
        order.id,
        [{"source": "points", "amount": 14_950}, {"source": "wallet"}],
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["status"], body["points_amount"]["amount"], body["wallet_amount"]["amount"]) == (
        "paid",
        14_950,
        14_950,
    )
    detail = client.get(f"/api/v1/orders/{order.id}", headers=headers).json()
    assert sorted((p["source"], p["amount"]["amount"]) for p in detail["payments"]) == [
        ("points", 14_950),
        ("wallet", 14_950),
    ]


def test_refused_point_payments_are_problems_and_change_nothing(
    client: TestClient, world: World
) -> None:
    world.fund(world.buyer_user, 100_000)
    points.grant(world.uow, user_id=world.buyer.user_id, amount=1_000, key="g", reason="r")
    [order] = world.place((world.red_coat, 1))
    [others] = world.place((world.dress_sku, 1), actor=world.other)
    headers = token(world, world.buyer_user)
    before = world.snapshot()

    too_much = [{"source": "points", "amount": 14_951}, {"source": "wallet"}]
    assert_problem(_pay(client, headers, order.id, too_much), 422, "points_over_limit")
    more_than_held = [{"source": "points", "amount": 1_001}, {"source": "wallet"}]
    assert_problem(_pay(client, headers, order.id, more_than_held), 409, "points_insufficient")
    open_ended = [{"source": "points"}, {"source": "wallet", "amount": 100}]
    assert_problem(_pay(client, headers, order.id, open_ended), 422, "invalid_input")
    mine_on_theirs = [{"source": "points", "amount": 500}, {"source": "wallet"}]
    assert_problem(_pay(client, headers, others.id, mine_on_theirs), 404, "order_not_found")

    assert world.snapshot() == before
