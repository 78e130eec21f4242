"""Live selling over HTTP: the merchant schedules a room, goes live, pins, starts a flash deal;
viewers see the room and buy with an Idempotency-Key — and every refusal is problem+json with
nothing changed."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

import factories
from agora.core.clock import clock, utcnow
from agora.identity import sign_in
from factories import assert_problem
from live.world import COUNTDOWN, FLASH_PRICE, FUNDS, STREAM, World


def token(world: World, email: str) -> dict[str, str]:
    signed = sign_in(
        world.uow,
        identifier=email,
        password=factories.PASSWORD,
        client=factories.CLIENT,
        kind="api",
    )
    return {"Authorization": f"Bearer {signed.token}"}


def room_body(world: World, **changes: Any) -> dict[str, Any]:
    return {
        "title": "Spring sale",
        "stream_url": STREAM,
        "starts_at": (utcnow() + timedelta(minutes=30)).isoformat(),
        "product_ids": [str(world.coat.product.id), str(world.scarf.product.id)],
        **changes,
    }


def deal_body(world: World, **changes: Any) -> dict[str, Any]:
    return {
        "sku_id": str(world.red),
        "price": FLASH_PRICE,
        "units": 5,
        "per_buyer_limit": 2,
        "countdown_seconds": 10,
        "duration_seconds": 60,
        **changes,
    }


def test_the_merchant_runs_a_room_and_a_viewer_buys(client: TestClient, world: World) -> None:
    merchant = token(world, world.merchant_email)
    made = client.post(
        f"/api/v1/stores/{world.store.id}/live-rooms", json=room_body(world), headers=merchant
    )
    assert made.status_code == 201, made.text
    room = made.json()
    assert (room["status"], room["url"], room["stream_url"]) == (
        "scheduled",
        f"/live/{room['id']}",
        STREAM,
    )
    assert [p["title"] for p in room["products"]] == ["Wool Coat", "Silk Scarf"]
    url = f"/api/v1/live-rooms/{room['id']}"

    assert client.post(f"{url}/go-live", headers=merchant).json()["status"] == "live"
    pinned = client.post(
        f"{url}/pin", json={"product_id": str(world.coat.product.id)}, headers=merchant
    )
    assert pinned.status_code == 200 and pinned.json()["pinned"]["id"] == str(world.coat.product.id)
    started = client.post(f"{url}/flash-deals", json=deal_body(world), headers=merchant)
    assert started.status_code == 201, started.text
    deal = started.json()
    assert (deal["status"], deal["seconds_to_open"], deal["price"]) == (
        "counting_down",
        10,
        {"amount": FLASH_PRICE, "currency": "CNY"},
    )

    amy = token(world, world.emails["amy"])
    buy = f"/api/v1/flash-deals/{deal['id']}/buy"
    assert_problem(client.post(buy, json={}, headers=amy), 409, "flash_deal_not_open")

    clock.travel(COUNTDOWN)
    world.sweep()
    shown = client.get(url).json()  # anyone may look
    assert (shown["deal"]["status"], shown["deal"]["remaining"]) == ("open", 5)
    assert shown["deal"]["seconds_to_close"] == 60

    first = client.post(buy, json={"quantity": 2}, headers=amy | {"Idempotency-Key": "b-1"})
    again = client.post(buy, json={"quantity": 2}, headers=amy | {"Idempotency-Key": "b-1"})
    assert first.status_code == again.status_code == 201, first.text
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert first.json() == again.json()
    body = first.json()
    assert (body["remaining"], body["order"]["status"], body["order"]["total"]["amount"]) == (
        3,
        "paid",
        2 * FLASH_PRICE,
    )
    assert len(world.orders_of(uuid.UUID(deal["id"]))) == 1
    assert world.wallet("amy") == FUNDS - 2 * FLASH_PRICE
    assert_problem(client.post(buy, json={}, headers=amy), 409, "flash_limit_reached")

    ended = client.post(f"/api/v1/flash-deals/{deal['id']}/end", headers=merchant)
    assert (ended.json()["status"], ended.json()["remaining"]) == ("closed", 0)
    assert_problem(client.post(buy, json={}, headers=amy), 409, "flash_deal_closed")
    over = client.post(f"{url}/end", headers=merchant).json()
    assert (over["status"], over["orders"], over["gmv"]["amount"]) == (
        "ended",
        1,
        2 * FLASH_PRICE,
    )
    listed = client.get("/api/v1/live-rooms?status=ended").json()
    assert [r["id"] for r in listed] == [room["id"]]


def test_outsiders_are_refused_and_nothing_changes(client: TestClient, world: World) -> None:
    other = token(world, world.other_merchant_email)
    shopper = token(world, world.emails["bob"])
    url = f"/api/v1/live-rooms/{world.room.id}"
    before = world.snapshot()
    for headers in (other, shopper):
        assert_problem(
            client.post(
                f"/api/v1/stores/{world.store.id}/live-rooms",
                json=room_body(world),
                headers=headers,
            ),
            404,
            "store_not_found",
        )
        for action in ("go-live", "end"):
            assert_problem(
                client.post(f"{url}/{action}", headers=headers), 404, "live_room_not_found"
            )
        assert_problem(
            client.post(
                f"{url}/pin", json={"product_id": str(world.coat.product.id)}, headers=headers
            ),
            404,
            "live_room_not_found",
        )
        assert_problem(
            client.post(f"{url}/flash-deals", json=deal_body(world), headers=headers),
            404,
            "live_room_not_found",
        )
    assert client.post(f"{url}/go-live").status_code == 401
    assert world.snapshot() == before

    world.on_air()
    deal = world.start_deal()
    before = world.snapshot()
    for headers in (other, shopper):
        assert_problem(
            client.post(f"/api/v1/flash-deals/{deal.id}/end", headers=headers),
            404,
            "flash_deal_not_found",
        )
    assert world.snapshot() == before


def test_bad_input_is_a_422_naming_the_fields(client: TestClient, world: World) -> None:
    merchant = token(world, world.merchant_email)
    before = world.snapshot()
    bad = client.post(
        f"/api/v1/stores/{world.store.id}/live-rooms",
        json=room_body(
            world,
            stream_url="ftp://x.example.com/a.m3u8",
            product_ids=[str(world.dress.product.id)],
        ),
        headers=merchant,
    )
    problem = assert_problem(bad, 422, "invalid_input")
    assert {e["field"] for e in problem["errors"]} == {"stream_url"}
    foreign = client.post(
        f"/api/v1/stores/{world.store.id}/live-rooms",
        json=room_body(world, product_ids=[str(world.dress.product.id)]),
        headers=merchant,
    )
    assert assert_problem(foreign, 422, "invalid_input")["errors"][0]["field"] == "product_ids"
    naive = client.post(
        f"/api/v1/stores/{world.store.id}/live-rooms",
        json=room_body(world, starts_at="2026-12-07T18:00:00"),
        headers=merchant,
    )
    assert_problem(naive, 422, "invalid_input")
    assert world.snapshot() == before

    world.on_air()
    url = f"/api/v1/live-rooms/{world.room.id}"
    before = world.snapshot()
    not_in_room = client.post(
        f"{url}/pin", json={"product_id": str(world.boots.product.id)}, headers=merchant
    )
    assert assert_problem(not_in_room, 422, "invalid_input")["errors"][0]["field"] == "product_id"
    terms = client.post(
        f"{url}/flash-deals",
        json=deal_body(world, price=29900, countdown_seconds=301, duration_seconds=59),
        headers=merchant,
    )
    fields = {e["field"] for e in assert_problem(terms, 422, "invalid_input")["errors"]}
    assert fields == {"price", "countdown_seconds", "duration_seconds"}
    assert_problem(client.get("/api/v1/live-rooms?status=bogus"), 422, "invalid_input")
    assert world.snapshot() == before
