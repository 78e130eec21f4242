"""The sold-out fast path: a checkout for stock already gone is refused before any write."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from agora import inventory
from agora.core.models import IdempotencyKey
from agora.inventory import InsufficientStock
from agora.ordering import LineRequest, check_stock
from ordering.test_api import assert_problem, token
from ordering.world import World


def keys(world: World) -> int:
    with world.uow.read() as session:
        return int(session.scalar(select(func.count()).select_from(IdempotencyKey)) or 0)


def test_check_stock_reads_committed_figures(world: World) -> None:
    check_stock(world.uow, actor=world.buyer, lines=[LineRequest(world.dress_sku, 3)])
    with pytest.raises(InsufficientStock):
        check_stock(world.uow, actor=world.buyer, lines=[LineRequest(world.dress_sku, 4)])
    with pytest.raises(InsufficientStock):  # two lines of one SKU add up
        check_stock(
            world.uow,
            actor=world.buyer,
            lines=[LineRequest(world.dress_sku, 2), LineRequest(world.dress_sku, 2)],
        )


def test_a_sold_out_checkout_stores_no_key_and_can_be_retried(
    client: TestClient, world: World
) -> None:
    # Given the dress sold out
    inventory.set_stock(world.uow, actor=world.merchant_b, levels={world.dress_sku: 0})
    headers = {**token(world, world.buyer_user), "Idempotency-Key": "flash-1"}
    body = {"lines": [{"sku_id": str(world.dress_sku), "quantity": 1}]}

    # When the buyer checks out, the refusal is immediate and leaves nothing behind
    assert_problem(
        client.post("/api/v1/checkout", json=body, headers=headers), 409, "insufficient_stock"
    )
    assert keys(world) == 0
    assert world.stock(world.dress_sku) == (0, 0)

    # Then, once restocked, the same request with the same key goes through, and replays after
    inventory.set_stock(world.uow, actor=world.merchant_b, levels={world.dress_sku: 1})
    placed = client.post("/api/v1/checkout", json=body, headers=headers)
    assert placed.status_code == 201, placed.text
    assert world.stock(world.dress_sku) == (0, 1)
    again = client.post("/api/v1/checkout", json=body, headers=headers)
    assert (again.status_code, again.json()) == (201, placed.json())
