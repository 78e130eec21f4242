"""Social over HTTP: friends, requests, blocks, people, follows, moments, and every refusal as
problem+json with nothing changed."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient

import factories
from agora import sharing
from agora.core.uow import UnitOfWork
from agora.identity import User, sign_in
from factories import assert_problem
from social.people import People, Shop, befriend

Headers = dict[str, str]


def token(uow: UnitOfWork, user: User) -> Headers:
    signed = sign_in(
        uow,
        identifier=user.email or "",
        password=factories.PASSWORD,
        client=factories.CLIENT,
        kind="api",
    )
    return {"Authorization": f"Bearer {signed.token}"}


@pytest.fixture
def h(uow: UnitOfWork, people: People) -> dict[str, Headers]:
    return {
        "alice": token(uow, people.alice),
        "bob": token(uow, people.bob),
        "carol": token(uow, people.carol),
    }


def test_the_friend_request_round_trip(
    client: TestClient, h: dict[str, Headers], people: People
) -> None:
    assert_problem(client.get("/api/v1/friends"), 401, "unauthenticated")
    sent = client.post(
        "/api/v1/friend-requests",
        json={"to_user_id": str(people.bob.id), "message": "hi"},
        headers=h["alice"],
    )
    assert sent.status_code == 201, sent.text
    body = sent.json()
    assert (body["status"], body["from_name"], body["to_name"]) == ("pending", "Alice", "Bob")
    incoming = client.get("/api/v1/friend-requests", headers=h["bob"]).json()
    outgoing = client.get(
        "/api/v1/friend-requests", params={"direction": "outgoing"}, headers=h["alice"]
    ).json()
    assert [r["id"] for r in incoming] == [r["id"] for r in outgoing] == [body["id"]]

    accepted = client.post(f"/api/v1/friend-requests/{body['id']}/accept", headers=h["bob"])
    assert accepted.json()["status"] == "accepted"
    friends = client.get("/api/v1/friends", headers=h["alice"]).json()
    assert [(f["user_id"], f["relation"]) for f in friends] == [(str(people.bob.id), "friend")]

    removed = client.delete(f"/api/v1/friends/{people.alice.id}", headers=h["bob"])
    assert removed.status_code == 204
    assert client.get("/api/v1/friends", headers=h["alice"]).json() == []


def test_request_refusals_change_nothing(
    client: TestClient, h: dict[str, Headers], people: People
) -> None:
    sent = client.post(
        "/api/v1/friend-requests", json={"to_user_id": str(people.bob.id)}, headers=h["alice"]
    ).json()
    # Carol cannot accept a request addressed to Bob; Bob cannot cancel Alice's.
    assert_problem(
        client.post(f"/api/v1/friend-requests/{sent['id']}/accept", headers=h["carol"]),
        404,
        "friend_request_not_found",
    )
    assert_problem(
        client.post(f"/api/v1/friend-requests/{sent['id']}/cancel", headers=h["bob"]),
        404,
        "friend_request_not_found",
    )
    assert [r["status"] for r in client.get("/api/v1/friend-requests", headers=h["bob"]).json()]
    assert client.get("/api/v1/friends", headers=h["carol"]).json() == []
    # Yourself: 422.
    assert_problem(
        client.post(
            "/api/v1/friend-requests", json={"to_user_id": str(people.alice.id)}, headers=h["alice"]
        ),
        422,
        "not_yourself",
    )


def test_requesting_someone_who_blocked_you_reveals_nothing(
    client: TestClient, h: dict[str, Headers], people: People
) -> None:
    assert client.put(f"/api/v1/blocks/{people.alice.id}", headers=h["carol"]).status_code == 204
    blocked = assert_problem(
        client.post(
            "/api/v1/friend-requests", json={"to_user_id": str(people.carol.id)}, headers=h["alice"]
        ),
        404,
        "user_not_found",
    )
    missing = assert_problem(
        client.post(
            "/api/v1/friend-requests", json={"to_user_id": str(uuid.uuid4())}, headers=h["alice"]
        ),
        404,
        "user_not_found",
    )
    assert blocked == missing
    assert client.get("/api/v1/friend-requests", headers=h["carol"]).json() == []
    assert client.get("/api/v1/people", params={"q": "carol"}, headers=h["alice"]).json() == []
    [mine] = client.get("/api/v1/blocks", headers=h["carol"]).json()
    assert mine["user_id"] == str(people.alice.id)
    assert client.delete(f"/api/v1/blocks/{people.alice.id}", headers=h["carol"]).status_code == 204
    assert client.get("/api/v1/blocks", headers=h["carol"]).json() == []


def test_people_search(client: TestClient, h: dict[str, Headers], people: People) -> None:
    found = client.get(
        "/api/v1/people", params={"q": people.bob.email.upper()}, headers=h["alice"]
    ).json()
    assert [p["display_name"] for p in found] == ["Bob"]
    assert client.get("/api/v1/people", params={"q": "B"}, headers=h["alice"]).json() == []
    assert client.get("/api/v1/people", params={"q": ""}, headers=h["alice"]).status_code == 422


def test_store_follows(client: TestClient, h: dict[str, Headers], shop: Shop) -> None:
    store = shop.store.id
    assert client.put(f"/api/v1/store-follows/{store}", headers=h["alice"]).status_code == 204
    assert client.put(f"/api/v1/store-follows/{store}", headers=h["alice"]).status_code == 204
    [followed] = client.get("/api/v1/store-follows", headers=h["alice"]).json()
    assert (followed["store_id"], followed["name_en"]) == (str(store), "Cloud Coats")
    counts = client.get(f"/api/v1/stores/{store}/followers", headers=h["bob"]).json()
    assert (counts["followers"], counts["following"]) == (1, False)
    assert client.delete(f"/api/v1/store-follows/{store}", headers=h["alice"]).status_code == 204
    assert client.get("/api/v1/store-follows", headers=h["alice"]).json() == []
    assert_problem(
        client.put(f"/api/v1/store-follows/{uuid.uuid4()}", headers=h["alice"]),
        404,
        "store_not_found",
    )


def test_moments_over_http(
    client: TestClient, uow: UnitOfWork, h: dict[str, Headers], people: People, shop: Shop
) -> None:
    befriend(uow, people.a, people.b)
    product = shop.products[1].product
    posted = client.post(
        "/api/v1/moments",
        json={"text": "New coat!", "product_ids": [str(product.id)]},
        headers=h["alice"],
    )
    assert posted.status_code == 201, posted.text
    moment = posted.json()
    [card] = moment["cards"]
    assert card["price"] == {"amount": product.min_price, "currency": "CNY"}
    assert card["url"] == f"/p/{product.id}" and card["title_en"] == "Coat 1"
    mid = moment["id"]

    liked = client.put(f"/api/v1/moments/{mid}/like", headers=h["bob"]).json()
    assert (liked["like_count"], liked["liked_by_me"], liked["last_likers"]) == (1, True, ["Bob"])
    comment = client.post(
        f"/api/v1/moments/{mid}/comments", json={"text": "Lovely"}, headers=h["bob"]
    )
    assert comment.status_code == 201
    feed = client.get("/api/v1/moments", headers=h["bob"]).json()
    assert [m["id"] for m in feed["items"]] == [mid] and feed["next_cursor"] is None
    assert [c["text"] for c in feed["items"][0]["comments"]] == ["Lovely"]
    assert client.get(f"/api/v1/moments/{mid}", headers=h["alice"]).json()["like_count"] == 1
    unliked = client.delete(f"/api/v1/moments/{mid}/like", headers=h["bob"]).json()
    assert unliked["like_count"] == 0

    deleted = client.delete(
        f"/api/v1/moments/{mid}/comments/{comment.json()['id']}", headers=h["alice"]
    )
    assert deleted.status_code == 204
    assert client.delete(f"/api/v1/moments/{mid}", headers=h["alice"]).status_code == 204
    assert_problem(
        client.get(f"/api/v1/moments/{mid}", headers=h["alice"]), 404, "moment_not_found"
    )


def test_a_moment_cannot_carry_someone_elses_share(
    client: TestClient, uow: UnitOfWork, h: dict[str, Headers], people: People, shop: Shop
) -> None:
    # Given Bob's share link for one product.
    coat, scarf = shop.products[0].product, shop.products[1].product
    bobs = sharing.create_share(
        uow, actor=people.b, target_type="product", target_id=scarf.id, channel="external"
    ).share

    # When Alice posts a moment of another product with Bob's share code.
    response = client.post(
        "/api/v1/moments",
        json={"text": "Mine", "product_ids": [str(coat.id)], "share_code": bobs.code},
        headers=h["alice"],
    )

    # Then it is refused (shares reach moments only through sharing) and nothing is posted.
    body = assert_problem(response, 422, "invalid_input")
    assert [e["field"] for e in body["errors"]] == ["share_code"]
    assert client.get("/api/v1/moments", headers=h["alice"]).json()["items"] == []


def test_moment_refusals_change_nothing(
    client: TestClient, uow: UnitOfWork, h: dict[str, Headers], people: People
) -> None:
    befriend(uow, people.a, people.b)
    mid = client.post("/api/v1/moments", json={"text": "hi"}, headers=h["alice"]).json()["id"]
    bobs = client.post(
        f"/api/v1/moments/{mid}/comments", json={"text": "Bob's"}, headers=h["bob"]
    ).json()
    before = client.get(f"/api/v1/moments/{mid}", headers=h["alice"]).json()
    # Carol is not Alice's friend: the moment does not exist for her.
    for response in (
        client.get(f"/api/v1/moments/{mid}", headers=h["carol"]),
        client.put(f"/api/v1/moments/{mid}/like", headers=h["carol"]),
        client.post(f"/api/v1/moments/{mid}/comments", json={"text": "x"}, headers=h["carol"]),
        client.delete(f"/api/v1/moments/{mid}", headers=h["carol"]),
        client.delete(f"/api/v1/moments/{mid}", headers=h["bob"]),  # a friend, not the author
    ):
        assert_problem(response, 404, "moment_not_found")
    assert client.get("/api/v1/moments", headers=h["carol"]).json()["items"] == []
    assert_problem(
        client.delete(f"/api/v1/moments/{mid}/comments/{bobs['id']}", headers=h["carol"]),
        404,
        "comment_not_found",
    )
    assert_problem(
        client.post("/api/v1/moments", json={"text": "x" * 1001}, headers=h["alice"]),
        422,
        "invalid_input",
    )
    assert_problem(
        client.get("/api/v1/moments", params={"cursor": "bogus"}, headers=h["alice"]),
        422,
        "invalid_input",
    )
    assert client.get(f"/api/v1/moments/{mid}", headers=h["alice"]).json() == before
