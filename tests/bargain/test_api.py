"""The bargain API: the merchant's offers, a product's offer, starting, viewing, helping and
buying (with an Idempotency-Key), my campaigns; refusals as problem+json with nothing changed."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient

import factories
from agora import bargain, ordering
from agora.core.ids import new_id
from bargain.world import World, bearer
from factories import assert_problem


def _offer_body(world: World, **change: Any) -> dict[str, Any]:
    return {
        "sku_id": str(world.red),
        "start_price": 29900,
        "floor_price": 9900,
        "helpers_needed": 3,
        "allotment": 5,
        **change,
    }


def test_the_merchant_makes_lists_and_ends_an_offer(client: TestClient, world: World) -> None:
    staff = bearer(world, world.merchant_user)
    url = f"/api/v1/products/{world.coat.product.id}/bargain-offers"

    made = client.post(url, json=_offer_body(world, window_hours=6), headers=staff)

    assert made.status_code == 201, made.text
    body = made.json()
    assert (body["start_price"], body["floor_price"], body["price"]) == (
        {"amount": 29900, "currency": "CNY"},
        {"amount": 9900, "currency": "CNY"},
        {"amount": 29900, "currency": "CNY"},
    )
    assert (body["helpers_needed"], body["window_hours"], body["status"]) == (3, 6, "active")
    assert_problem(
        client.post(url, json=_offer_body(world), headers=staff), 409, "bargain_offer_exists"
    )

    listed = client.get(url, headers=staff).json()
    assert [(o["id"], o["campaigns"]) for o in listed] == [(body["id"], {})]

    ended = client.post(f"/api/v1/bargain-offers/{body['id']}/end", headers=staff)
    assert ended.status_code == 200 and ended.json()["status"] == "ended"


def test_offers_refuse_bad_numbers_and_strangers(client: TestClient, world: World) -> None:
    staff = bearer(world, world.merchant_user)
    stranger = bearer(world, world.shopper)
    url = f"/api/v1/products/{world.coat.product.id}/bargain-offers"

    bad = client.post(url, json=_offer_body(world, floor_price=29900), headers=staff)
    body = assert_problem(bad, 422, "invalid_input")
    assert [e["field"] for e in body["errors"]] == ["floor_price"]
    assert_problem(
        client.post(url, json=_offer_body(world, helpers_needed=0), headers=staff),
        422,
        "invalid_input",
    )
    assert_problem(
        client.post(url, json=_offer_body(world), headers=stranger), 404, "product_not_found"
    )
    assert_problem(client.get(url, headers=stranger), 404, "product_not_found")
    assert_problem(client.post(url, json=_offer_body(world)), 401, "unauthenticated")
    assert world.count(bargain.BargainOffer) == 0

    offer = world.offer()
    assert_problem(
        client.post(f"/api/v1/bargain-offers/{offer.id}/end", headers=stranger),
        404,
        "bargain_offer_not_found",
    )
    assert world.offer_row(offer.id).status == "active"


def test_a_shopper_starts_views_and_lists_a_campaign(client: TestClient, world: World) -> None:
    me = bearer(world, world.shopper)
    product_url = f"/api/v1/products/{world.coat.product.id}/bargain"
    assert_problem(client.get(product_url), 404, "bargain_offer_not_found")
    offer = world.offer(helpers=3)

    public = client.get(product_url).json()
    assert public["offer"]["id"] == str(offer.id) and public["my_bargain_id"] is None

    started = client.post(f"/api/v1/bargain-offers/{offer.id}/bargains", headers=me)
    assert started.status_code == 201, started.text
    campaign = started.json()
    assert (campaign["status"], campaign["helpers_done"], campaign["helpers_needed"]) == (
        "open",
        0,
        3,
    )
    assert campaign["price"] == {"amount": 29900, "currency": "CNY"}
    assert (campaign["is_owner"], campaign["can_help"], campaign["can_buy"]) == (True, False, False)

    again = client.post(f"/api/v1/bargain-offers/{offer.id}/bargains", headers=me)
    assert again.status_code == 200 and again.json()["id"] == campaign["id"]
    assert client.get(product_url, headers=me).json()["my_bargain_id"] == campaign["id"]

    mine = client.get("/api/v1/bargains/mine", headers=me).json()
    assert [c["id"] for c in mine] == [campaign["id"]]

    friend = bearer(world, world.people(1)[0])
    seen = client.get(f"/api/v1/bargains/{campaign['id']}", headers=friend).json()
    assert (seen["is_owner"], seen["can_help"], seen["can_buy"], seen["owner_name"]) == (
        False,
        True,
        False,
        "Lin",
    )
    assert client.get("/api/v1/bargains/mine", headers=friend).json() == []
    assert_problem(
        client.get(f"/api/v1/bargains/{new_id()}", headers=friend), 404, "bargain_not_found"
    )
    assert_problem(client.get(f"/api/v1/bargains/{campaign['id']}"), 401, "unauthenticated")


def test_helping_through_the_api(client: TestClient, world: World) -> None:
    campaign = world.start(world.offer(helpers=2))
    cuts = world.row(campaign.id).cuts
    a, b, c = (bearer(world, u) for u in world.people(3))
    url = f"/api/v1/bargains/{campaign.id}/help"

    first = client.post(url, headers=a)
    assert first.status_code == 200, first.text
    assert (first.json()["position"], first.json()["cut"]["amount"]) == (1, cuts[0])
    assert first.json()["bargain"]["can_help"] is False
    assert_problem(client.post(url, headers=a), 409, "bargain_already_helped")
    assert_problem(client.post(url, headers=bearer(world, world.shopper)), 422, "bargain_own")

    second = client.post(url, headers=b).json()
    assert second["bargain"]["status"] == "reached"
    assert second["bargain"]["price"]["amount"] == 9900
    assert [h["position"] for h in second["bargain"]["helps"]] == [1, 2]
    assert_problem(client.post(url, headers=c), 409, "bargain_complete")
    assert_problem(
        client.post(f"/api/v1/bargains/{new_id()}/help", headers=c), 404, "bargain_not_found"
    )
    assert world.count(bargain.BargainHelp) == 2


def test_buying_through_the_api_with_an_idempotency_key(client: TestClient, world: World) -> None:
    campaign = world.reach(world.start(world.offer(helpers=2)))
    me = bearer(world, world.shopper)
    url = f"/api/v1/bargains/{campaign.id}/buy"

    stranger = bearer(world, world.people(1, "Stranger")[0])
    assert_problem(client.post(url, headers=stranger), 404, "bargain_not_found")
    assert world.orders() == 0

    bought = client.post(url, headers={**me, "Idempotency-Key": "buy-1"})
    assert bought.status_code == 201, bought.text
    body = bought.json()
    assert body["order"]["status"] == "pending_payment"
    assert body["order"]["total"] == {"amount": 9900, "currency": "CNY"}
    assert body["bargain"]["status"] == "ordered"
    assert body["bargain"]["order_id"] == body["order"]["id"]
    assert body["pay_url"] == f"/pay?orders={body['order']['id']}"

    replay = client.post(url, headers={**me, "Idempotency-Key": "buy-1"})
    assert replay.status_code == 201 and replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json()["order"]["id"] == body["order"]["id"]
    assert_problem(
        client.post(url, headers={**me, "Idempotency-Key": "buy-2"}), 409, "bargain_ordered"
    )
    assert world.orders() == 1

    # The friend sees no order id; the owner pays through ordering's API.
    assert (
        client.get(f"/api/v1/bargains/{campaign.id}", headers=stranger).json()["order_id"] is None
    )
    factories.fund_wallet(world.uow, world.shopper, 9900)
    paid = client.post(
        f"/api/v1/orders/{body['order']['id']}/pay",
        json={"sources": [{"source": "wallet"}]},
        headers=me,
    )
    assert paid.status_code == 200, paid.text
    order = ordering.order_detail(
        world.uow, actor=world.me, order_id=uuid.UUID(body["order"]["id"])
    )
    assert (order.status, order.paid_amount) == ("paid", 9900)


def test_buying_before_the_floor_is_refused(client: TestClient, world: World) -> None:
    campaign = world.start(world.offer(helpers=2))

    refused = client.post(
        f"/api/v1/bargains/{campaign.id}/buy", headers=bearer(world, world.shopper)
    )

    assert_problem(refused, 409, "bargain_not_reached")
    assert world.orders() == 0 and world.row(campaign.id).status == "open"


def test_starting_on_an_unknown_offer_is_not_found(client: TestClient, world: World) -> None:
    me = bearer(world, world.shopper)
    assert_problem(
        client.post(f"/api/v1/bargain-offers/{new_id()}/bargains", headers=me),
        404,
        "bargain_offer_not_found",
    )
    assert world.count(bargain.Bargain) == 0
