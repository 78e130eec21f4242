"""Reviews through the pages: the buyer reviews a delivered line on the order page, the merchant
replies in the console, the product page shows the review, the reply and the rating."""

from __future__ import annotations

from fastapi.testclient import TestClient

import factories
from agora.identity import User
from factories import HTML
from ordering.world import World
from reviews.test_service import delivered


def sign_in(client: TestClient, user: User) -> str:
    return factories.browser_sign_in(client, user, "/orders")


def post(client: TestClient, path: str, **data: str) -> str:
    response = client.post(path, data=data, headers=HTML, follow_redirects=False)
    assert response.status_code == 303, response.text
    return client.get(response.headers["location"], headers=HTML).text


def test_review_then_reply_then_the_product_page(client: TestClient, world: World) -> None:
    order = delivered(world)
    line = order.lines[0]
    token = sign_in(client, world.buyer_user)
    page = client.get(f"/orders/{order.id}", headers=HTML).text
    assert 'data-testid="review-form"' in page

    refused = client.post(
        f"/orders/{order.id}/lines/{line.id}/review",
        data={"stars": "0", "text": "", "csrf_token": token},
        headers=HTML,
    )
    assert refused.status_code == 422

    page = post(
        client,
        f"/orders/{order.id}/lines/{line.id}/review",
        stars="4",
        text="Warm, a little long in the sleeves.",
        image_links="https://img.example.com/a.jpg",
        csrf_token=token,
    )
    assert "Thanks for your review!" in page and 'data-testid="review-form"' not in page

    with world.uow.read() as session:
        merchant = session.get(User, world.merchant_a.user_id)
    assert merchant is not None
    token = sign_in(client, merchant)
    console = client.get("/merchant/reviews", headers=HTML).text
    assert "a little long in the sleeves" in console
    [review_id] = [chunk.split('"')[0] for chunk in console.split('action="/merchant/reviews/')[1:]]
    review_id = review_id.removesuffix("/reply")
    page = post(
        client,
        f"/merchant/reviews/{review_id}/reply",
        text="Our sizes run long: try one down.",
        store=str(world.store_a.id),
        csrf_token=token,
    )
    assert "Your reply is published." in page

    product = client.get(f"/p/{world.coat.product.id}", headers=HTML).text
    assert 'data-testid="rating"' in product and "4.0" in product
    assert "a little long in the sleeves" in product and "try one down" in product
    assert "B***r" in product
    five = client.get(f"/p/{world.coat.product.id}?reviews=5", headers=HTML).text
    assert "a little long in the sleeves" not in five


def test_a_merchant_of_another_store_cannot_reply(client: TestClient, world: World) -> None:
    from agora import reviews

    order = delivered(world)
    review = reviews.write_review(
        world.uow, actor=world.buyer, order_line_id=order.lines[0].id, stars=3
    )
    with world.uow.read() as session:
        other_merchant = session.get(User, world.merchant_b.user_id)
    assert other_merchant is not None
    token = sign_in(client, other_merchant)
    refused = client.post(
        f"/merchant/reviews/{review.id}/reply",
        data={"text": "Not ours", "csrf_token": token},
        headers=HTML,
    )
    assert refused.status_code == 404
    assert reviews.product_reviews(world.uow, world.coat.product.id)[0].reply_text is None


def test_a_review_with_markup_is_shown_as_text(client: TestClient, world: World) -> None:
    from agora import reviews

    order = delivered(world)
    reviews.write_review(
        world.uow,
        actor=world.buyer,
        order_line_id=order.lines[0].id,
        stars=1,
        text='<script>alert("x")</script><b>bold</b>',
    )
    page = client.get(f"/p/{world.coat.product.id}", headers=HTML).text
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page
    assert "<b>bold</b>" not in page
