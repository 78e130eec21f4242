"""Referrals over HTTP: my referrals, the operators' list and release, and the refusals (with
nothing changed)."""

from __future__ import annotations

from fastapi.testclient import TestClient

import factories
from agora.identity import User, sign_in
from factories import assert_problem
from referrals.world import World

REWARD = 500


def token(world: World, user: User) -> dict[str, str]:
    signed = sign_in(
        world.uow,
        identifier=user.email or "",
        password=factories.PASSWORD,
        client=factories.CLIENT,
        kind="api",
    )
    return {"Authorization": f"Bearer {signed.token}"}


def operator_user(world: World) -> User:
    with world.uow.read() as session:
        user = session.get(User, world.ops.user_id)
        assert user is not None
        return user


def _farm(world: World) -> list[User]:
    """Three sign-ups through Alice's links from one address; the first completes an order."""
    accounts = [world.referred(f"Farm {n}", ip="addr-dorm") for n in range(3)]
    world.buy(accounts[0])
    return accounts


def test_my_referrals_list_the_friends_i_brought(client: TestClient, world: World) -> None:
    dora = world.referred("Dora")
    world.buy(dora)
    eve = world.referred("Eve")

    mine = client.get("/api/v1/referrals/mine", headers=token(world, world.alice))
    page = client.get("/api/v1/referrals/mine?limit=1", headers=token(world, world.alice))

    assert mine.status_code == 200
    body = mine.json()
    assert [(i["referee"]["display_name"], i["status"], i["points"]) for i in body["items"]] == [
        ("Eve", "waiting", 0),
        ("Dora", "rewarded", REWARD),
    ]
    assert body["items"][0]["referee"]["id"] == str(eve.id)
    assert body["items"][1]["rewarded_at"] is not None
    assert "order_id" not in body["items"][1]  # the friend's orders are their own
    assert (body["friends"], body["rewarded"], body["under_review"], body["points"]) == (
        2,
        1,
        0,
        REWARD,
    )
    assert body["next_before"] is None
    first = page.json()
    assert [i["referee"]["display_name"] for i in first["items"]] == ["Eve"]
    rest = client.get(
        f"/api/v1/referrals/mine?limit=1&before={first['next_before']}",
        headers=token(world, world.alice),
    ).json()
    assert [i["referee"]["display_name"] for i in rest["items"]] == ["Dora"]

    bobs = client.get("/api/v1/referrals/mine", headers=token(world, world.bob)).json()
    assert (bobs["items"], bobs["friends"], bobs["points"]) == ([], 0, 0)
    assert_problem(client.get("/api/v1/referrals/mine"), 401, "unauthenticated")
    assert_problem(
        client.get("/api/v1/referrals/mine?before=nope", headers=token(world, world.alice)),
        422,
        "invalid_input",
    )


def test_operators_list_rewards_with_their_signals(client: TestClient, world: World) -> None:
    farm = _farm(world)
    ops = token(world, operator_user(world))

    withheld = client.get("/api/v1/operator/referrals?status=withheld", headers=ops)
    granted = client.get("/api/v1/operator/referrals?status=granted", headers=ops)

    assert withheld.status_code == 200
    [item] = withheld.json()["items"]
    assert (item["referrer"]["display_name"], item["referee"]["id"]) == ("Alice", str(farm[0].id))
    assert (item["status"], item["reasons"], item["points"]) == ("withheld", ["ip_cluster"], 500)
    assert (item["decided_at"], item["decided_by"]) == (None, None)
    assert granted.json() == {"items": [], "next_before": None}
    assert_problem(
        client.get("/api/v1/operator/referrals?status=paid", headers=ops), 422, "invalid_input"
    )
    assert_problem(
        client.get("/api/v1/operator/referrals", headers=token(world, world.alice)),
        403,
        "forbidden",
    )
    assert_problem(client.get("/api/v1/operator/referrals"), 401, "unauthenticated")


def test_an_operator_releases_once_and_a_shopper_cannot(client: TestClient, world: World) -> None:
    farm = _farm(world)
    reward_id = world.reward_id(farm[0])
    url = f"/api/v1/operator/referrals/{reward_id}/release"

    # a shopper (even the referrer) is refused, and nothing changes
    for shopper in (world.alice, world.bob):
        assert_problem(client.post(url, headers=token(world, shopper)), 403, "forbidden")
    assert world.points(world.alice) == 0
    assert [r[4] for r in world.rewards()] == ["withheld"]

    ops = {**token(world, operator_user(world)), "Idempotency-Key": "release-1"}
    first = client.post(url, headers=ops)
    replayed = client.post(url, headers=ops)
    again = client.post(url, headers={**ops, "Idempotency-Key": "release-2"})

    assert first.status_code == 200
    body = first.json()
    assert (body["status"], body["decided_by"]["id"]) == ("released", str(world.ops.user_id))
    assert body["decided_at"] is not None
    assert (replayed.status_code, replayed.json()) == (200, body)
    assert replayed.headers["Idempotent-Replayed"] == "true"
    assert_problem(again, 409, "referral_reward_not_withheld")
    assert world.points(world.alice) == REWARD

    unknown = f"/api/v1/operator/referrals/{world.alice.id}/release"
    assert_problem(
        client.post(unknown, headers=token(world, operator_user(world))),
        404,
        "referral_reward_not_found",
    )
    assert_problem(
        client.post("/api/v1/operator/referrals/nope/release", headers=ops), 422, "invalid_input"
    )
    assert_problem(client.post(url), 401, "unauthenticated")
