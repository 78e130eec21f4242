"""Reviews over HTTP: write, read, rate, reply, report — and every refusal by id as
problem+json with nothing changed."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient

import factories
from agora import reviews
from agora.identity import User
from factories import assert_problem
from ordering.world import World
from reviews.test_service import delivered


def bearer(world: World, user: User) -> dict[str, str]:
    return factories.bearer(world.uow, user)


def merchant_user(world: World) -> User:
    with world.uow.read() as session:
        user = session.get(User, world.merchant_a.user_id)
        assert user is not None
        return user


def test_review_reply_and_rating_round_trip(client: TestClient, world: World) -> None:
    order = delivered(world)
    line_id = order.lines[0].id
    buyer, merchant = bearer(world, world.buyer_user), bearer(world, merchant_user(world))
    product = world.coat.product.id

    written = client.post(
        f"/api/v1/order-lines/{line_id}/review",
        json={"stars": 4, "text": "Good coat", "image_urls": ["https://img.example.com/1.jpg"]},
        headers=buyer,
    )
    assert written.status_code == 201, written.text
    review = written.json()
    assert review["stars"] == 4 and review["author_name"] == "Buyer"
    again = client.post(f"/api/v1/order-lines/{line_id}/review", json={"stars": 5}, headers=buyer)
    assert_problem(again, 409, "review_exists")

    replied = client.post(
        f"/api/v1/reviews/{review['id']}/reply", json={"text": "Thanks!"}, headers=merchant
    )
    assert replied.status_code == 200 and replied.json()["reply_text"] == "Thanks!"
    assert_problem(
        client.post(f"/api/v1/reviews/{review['id']}/reply", json={"text": "x"}, headers=merchant),
        409,
        "review_replied",
    )
    listed = client.get(f"/api/v1/products/{product}/reviews").json()
    assert [(r["stars"], r["author_name"], r["reply_text"]) for r in listed] == [
        (4, "B***r", "Thanks!")
    ]
    assert client.get(f"/api/v1/products/{product}/reviews", params={"stars": 5}).json() == []
    rating = client.get(f"/api/v1/products/{product}/rating").json()
    assert rating == {
        "count": 1,
        "average": 4.0,
        "by_stars": {"5": 0, "4": 1, "3": 0, "2": 0, "1": 0},
        "with_images": 1,
    }
    store = client.get(f"/api/v1/stores/{world.store_a.id}/reviews", headers=merchant)
    assert [r["id"] for r in store.json()] == [review["id"]]


def test_refusals_by_id_change_nothing(client: TestClient, world: World) -> None:
    order = delivered(world)
    line_id = order.lines[0].id
    buyer, other = bearer(world, world.buyer_user), bearer(world, world.other_user)
    merchant = bearer(world, merchant_user(world))

    # another shopper's line, a merchant's, a line that does not exist
    for who in (other, merchant):
        refused = client.post(
            f"/api/v1/order-lines/{line_id}/review", json={"stars": 5}, headers=who
        )
        assert_problem(refused, 404, "order_line_not_found")
    assert_problem(
        client.post(f"/api/v1/order-lines/{uuid.uuid4()}/review", json={"stars": 5}, headers=buyer),
        404,
        "order_line_not_found",
    )
    assert_problem(
        client.post(f"/api/v1/order-lines/{line_id}/review", json={"stars": 9}, headers=buyer),
        422,
        "invalid_input",
    )
    assert reviews.product_rating(world.uow, world.coat.product.id).count == 0

    review = client.post(
        f"/api/v1/order-lines/{line_id}/review", json={"stars": 2}, headers=buyer
    ).json()
    # a shopper, or another store's merchant, replying; another store's reviews
    merchant_b = world.merchant_b
    with world.uow.read() as session:
        b_user = session.get(User, merchant_b.user_id)
    assert b_user is not None
    other_store = bearer(world, b_user)
    for who in (buyer, other, other_store):
        refused = client.post(
            f"/api/v1/reviews/{review['id']}/reply", json={"text": "hi"}, headers=who
        )
        assert_problem(refused, 404, "review_not_found")
    assert_problem(
        client.get(f"/api/v1/stores/{world.store_a.id}/reviews", headers=other_store),
        404,
        "review_not_found",
    )
    assert_problem(
        client.post(f"/api/v1/reviews/{review['id']}/reports", json={}, headers=buyer),
        409,
        "review_own",
    )
    reported = client.post(
        f"/api/v1/reviews/{review['id']}/reports", json={"reason": "spam"}, headers=other
    )
    assert reported.status_code == 204
    [shown] = reviews.product_reviews(world.uow, world.coat.product.id)
    assert shown.reply_text is None
