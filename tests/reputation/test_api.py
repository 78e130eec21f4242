"""Reputation over HTTP: the figures with the counts behind them; a store not counted yet has
none (not zeros); an unknown store is a problem+json 404."""

from __future__ import annotations

import uuid
from datetime import timedelta

from fastapi.testclient import TestClient

from agora import reputation
from factories import assert_problem
from ordering.world import World
from reputation.shop import START, at, deliver, paid_order, refund, review, ship

H = timedelta(hours=1)


def test_the_figures_and_their_counts(client: TestClient, world: World) -> None:
    world.fund(world.buyer_user, 100_000)
    kept = paid_order(world, START + H)
    ship(world, kept, START + 2 * H)
    deliver(world, kept, START + 26 * H)
    review(world, kept, 4, START + 27 * H)
    late = paid_order(world, START + H)
    refund(world, paid_order(world, START + 2 * H), START + 3 * H)  # not counted
    at(START + 60 * H)
    reputation.recompute_reputation(world.uow)

    response = client.get(f"/api/v1/stores/{world.store_a.id}/reputation")

    assert response.status_code == 200, response.text
    assert response.json() == {
        "store_id": str(world.store_a.id),
        "window_days": 90,
        "computed_at": (START + 60 * H).isoformat().replace("+00:00", "Z"),
        "rating": {"average": 4.0, "reviews": 1},
        "on_time_shipping": {"percent": "50.00", "orders": 2, "on_time": 1},
        "returns": {"percent": "0.00", "delivered": 1, "returned": 0},
        "counterfeit_complaints": {"complaints": 0, "upheld": 0},
    }
    assert late.id


def test_a_store_not_counted_yet_has_no_figures(client: TestClient, world: World) -> None:
    response = client.get(f"/api/v1/stores/{world.store_b.id}/reputation")

    assert response.status_code == 200
    assert response.json() == {
        "store_id": str(world.store_b.id),
        "window_days": 90,
        "computed_at": None,
        "rating": None,
        "on_time_shipping": None,
        "returns": None,
        "counterfeit_complaints": None,
    }


def test_a_counted_store_with_nothing_to_count_has_null_figures(
    client: TestClient, world: World
) -> None:
    reputation.recompute_reputation(world.uow)

    body = client.get(f"/api/v1/stores/{world.store_b.id}/reputation").json()

    assert body["rating"] == {"average": None, "reviews": 0}
    assert body["on_time_shipping"] == {"percent": None, "orders": 0, "on_time": 0}
    assert body["returns"] == {"percent": None, "delivered": 0, "returned": 0}


def test_an_unknown_store_is_not_found(client: TestClient, world: World) -> None:
    assert_problem(client.get(f"/api/v1/stores/{uuid.uuid4()}/reputation"), 404, "store_not_found")
    assert client.get("/api/v1/stores/not-an-id/reputation").status_code == 422
