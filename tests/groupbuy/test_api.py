"""Group deals over HTTP: the merchant's deal, the product's deal with its open teams, starting
and joining with an Idempotency-Key, one team, my teams — and the refusals as problem+json with
nothing changed."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

import factories
from agora import catalog, groupbuy
from agora.identity import sign_in
from factories import assert_problem
from groupbuy.world import FUNDS, GROUP_PRICE, World


def token(world: World, email: str) -> dict[str, str]:
    signed = sign_in(
        world.uow,
        identifier=email,
        password=factories.PASSWORD,
        client=factories.CLIENT,
        kind="api",
    )
    return {"Authorization": f"Bearer {signed.token}"}


def auth(world: World, who: str) -> dict[str, str]:
    return token(world, world.emails[who])


def start(client: TestClient, world: World, who: str, key: str | None = None, **body: Any) -> Any:
    headers = auth(world, who) | ({"Idempotency-Key": key} if key else {})
    return client.post(
        f"/api/v1/group-deals/{world.deal.id}/teams",
        json={"sku_id": str(world.red), **body},
        headers=headers,
    )


def join(client: TestClient, world: World, who: str, team_id: str, **body: Any) -> Any:
    return client.post(
        f"/api/v1/teams/{team_id}/join",
        json={"sku_id": str(world.red), **body},
        headers=auth(world, who),
    )


def test_the_merchant_creates_and_ends_a_deal(client: TestClient, world: World) -> None:
    merchant = token(world, world.merchant_email)
    url = f"/api/v1/products/{world.coat.product.id}/group-deal"
    body = {"team_size": 2, "group_price": 15000, "stock": 5}

    assert_problem(client.post(url, json=body, headers=merchant), 409, "group_deal_exists")
    ended = client.post(f"/api/v1/group-deals/{world.deal.id}/end", headers=merchant)
    assert ended.status_code == 200 and ended.json()["status"] == "ended"

    bad = client.post(url, json={**body, "group_price": 30000, "team_size": 11}, headers=merchant)
    problem = assert_problem(bad, 422, "invalid_input")
    assert {e["field"] for e in problem["errors"]} == {"group_price", "team_size"}

    made = client.post(url, json=body, headers=merchant)
    assert made.status_code == 201, made.text
    deal = made.json()
    assert (deal["team_size"], deal["group_price"], deal["solo_price"]) == (
        2,
        {"amount": 15000, "currency": "CNY"},
        {"amount": 25900, "currency": "CNY"},
    )
    assert (deal["window_hours"], deal["user_limit"], deal["remaining"]) == (24, 1, 5)

    shown = client.get(url)
    assert shown.status_code == 200 and shown.json()["deal"]["id"] == deal["id"]
    assert shown.json()["teams"] == []


def test_only_staff_touch_a_deal(client: TestClient, world: World) -> None:
    bob = auth(world, "bob")
    url = f"/api/v1/products/{world.coat.product.id}/group-deal"
    body = {"team_size": 2, "group_price": 15000, "stock": 5}
    assert_problem(client.post(url, json=body, headers=bob), 404, "product_not_found")
    assert_problem(
        client.post(f"/api/v1/group-deals/{world.deal.id}/end", headers=bob),
        404,
        "group_deal_not_found",
    )
    assert_problem(client.post(url, json=body), 401, "unauthenticated")
    assert world.deal_row().status == "active"
    assert_problem(
        client.get(f"/api/v1/products/{world.dress.product.id}/group-deal"),
        404,
        "group_deal_not_found",
    )


def test_starting_a_team_is_idempotent_by_key(client: TestClient, world: World) -> None:
    first = start(client, world, "leader", key="team-1")
    again = start(client, world, "leader", key="team-1")
    other = start(client, world, "leader", key="team-1", quantity=2)

    assert first.status_code == again.status_code == 201, first.text
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert first.json() == again.json()
    assert_problem(other, 422, "idempotency_key_reused")
    body = first.json()
    team, order = body["team"], body["order"]
    assert (team["status"], team["size"], team["joined"], team["places_left"]) == (
        "open",
        3,
        1,
        2,
    )
    assert team["url"] == f"/teams/{team['id']}" and team["label"] == "Team of 3 · 2 places left"
    assert team["mine"]["order_id"] == order["id"] and team["joinable"] is True
    assert (order["status"], order["held"], order["total"]["amount"]) == ("paid", True, GROUP_PRICE)
    assert world.wallet("leader") == FUNDS - GROUP_PRICE
    assert len(groupbuy.my_teams(world.uow, actor=world.people["leader"])) == 1


def test_joining_until_full_and_the_refusals(client: TestClient, world: World) -> None:
    team_id = start(client, world, "leader").json()["team"]["id"]

    second = join(client, world, "bob", team_id, sku_id=str(world.black))
    assert second.status_code == 201, second.text
    assert second.json()["team"]["joined"] == 2 and second.json()["order"]["held"] is True
    assert_problem(join(client, world, "bob", team_id), 409, "already_in_team")

    before = world.snapshot()
    assert_problem(join(client, world, "poor", team_id), 409, "insufficient_funds")
    assert_problem(join(client, world, "carol", team_id, quantity=3), 422, "invalid_input")
    assert_problem(
        join(client, world, "carol", team_id, sku_id=str(world.dress.skus[0].id)),
        422,
        "sku_not_in_deal",
    )
    assert_problem(
        client.post(f"/api/v1/teams/{team_id}/join", json={"sku_id": str(world.red)}),
        401,
        "unauthenticated",
    )
    assert world.snapshot() == before

    third = join(client, world, "carol", team_id)
    assert third.status_code == 201
    done = third.json()
    assert (done["team"]["status"], done["team"]["places_left"], done["order"]["held"]) == (
        "complete",
        0,
        False,
    )
    assert_problem(join(client, world, "dave", team_id), 409, "team_full")
    assert_problem(
        client.post(
            f"/api/v1/teams/{team_id}/join",
            json={"sku_id": str(world.red)},
            headers=auth(world, "dave") | {"Idempotency-Key": "j-1"},
        ),
        409,
        "team_full",
    )


def test_a_team_is_public_but_what_a_member_bought_is_theirs(
    client: TestClient, world: World
) -> None:
    team_id = start(client, world, "leader").json()["team"]["id"]
    anonymous = client.get(f"/api/v1/teams/{team_id}")
    assert anonymous.status_code == 200
    assert anonymous.json()["mine"] is None
    assert [m["display_name"] for m in anonymous.json()["members"]] == ["Leader"]
    assert "user_id" not in anonymous.json()["members"][0]
    mine = client.get(f"/api/v1/teams/{team_id}", headers=auth(world, "leader"))
    assert mine.json()["mine"]["quantity"] == 1

    listed = client.get(f"/api/v1/products/{world.coat.product.id}/group-deal")
    assert [(t["id"], t["places_left"], t["mine"]) for t in listed.json()["teams"]] == [
        (team_id, 2, False)
    ]
    as_leader = client.get(
        f"/api/v1/products/{world.coat.product.id}/group-deal", headers=auth(world, "leader")
    )
    assert as_leader.json()["teams"][0]["mine"] is True

    with world.uow:
        product = world.uow.session.get(catalog.Product, world.coat.product.id)
        assert product is not None
        product.status = "hidden"
    assert_problem(client.get(f"/api/v1/teams/{team_id}"), 404, "team_not_found")
    assert_problem(
        client.get(f"/api/v1/teams/{team_id}", headers=auth(world, "bob")), 404, "team_not_found"
    )
    assert_problem(join(client, world, "bob", team_id), 404, "team_not_found")
    assert client.get(f"/api/v1/teams/{team_id}", headers=auth(world, "leader")).status_code == 200


def test_my_teams(client: TestClient, world: World) -> None:
    first = start(client, world, "leader").json()["team"]["id"]
    join(client, world, "bob", first)
    join(client, world, "carol", first)
    second = start(client, world, "bob").json()["team"]["id"]
    bob = auth(world, "bob")

    listed = client.get("/api/v1/teams/mine", headers=bob).json()
    assert [(t["id"], t["status"]) for t in listed] == [(second, "open"), (first, "complete")]
    complete = client.get("/api/v1/teams/mine?status=complete", headers=bob).json()
    assert [t["id"] for t in complete] == [first]
    assert_problem(client.get("/api/v1/teams/mine?status=bogus", headers=bob), 422, "invalid_input")
    assert client.get("/api/v1/teams/mine", headers=auth(world, "dave")).json() == []
    assert_problem(client.get("/api/v1/teams/mine"), 401, "unauthenticated")
    assert_problem(
        client.get("/api/v1/teams/00000000-0000-7000-8000-000000000000"), 404, "team_not_found"
    )
