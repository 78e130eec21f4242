"""The feed endpoints and the pages' recommendation rows, through the app."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import factories
from agora.config import Settings
from agora.core.clock import clock
from agora.core.db import Database
from agora.core.uow import UnitOfWork
from agora.recommendations import feeds
from agora.recommendations.serving import STORE
from agora.recommendations.training import train
from recommendations.feeds_world import NOW, World, build


@pytest.fixture
def settings(db: Database, tmp_path: Path) -> Settings:
    # The app reads the model this test trains, not one beside the shared test database.
    return Settings(
        database_url=db.url,
        embedded_workers=False,
        redis_url=None,
        serve_tuning=False,
        behaviour_flush_seconds=0,
        recs_model_path=tmp_path / "model.npz",
    )


@pytest.fixture
def world(uow: UnitOfWork, settings: Settings, client: TestClient) -> Iterator[World]:
    clock.freeze(NOW)
    world = build(uow)
    world.befriend("dan", "ben")
    world.share("ben", "coat-0")
    train(uow, settings.recs_model_file(), top_n=50)
    assert STORE.path == settings.recs_model_file()  # opened by the app at its start
    assert STORE.refresh(wait=True)
    yield world
    STORE.close()


def _names(world: World, body: dict[str, object]) -> list[str]:
    names = {str(world.id(k)): k for k in world.products}
    items = body["items"]
    assert isinstance(items, list)
    return [names[item["product"]["id"]] for item in items]


def test_signed_out_there_is_no_personal_feed(client: TestClient, world: World) -> None:
    factories.assert_problem(client.get("/api/v1/recommendations/for-you"), 401, "unauthenticated")
    factories.assert_problem(client.get("/api/v1/recommendations/friends"), 401, "unauthenticated")


def test_my_feed_is_mine_whatever_user_id_is_asked_for(client: TestClient, world: World) -> None:
    dan = factories.bearer(world.uow, world.users["dan"])
    eve = world.users["eve"].id
    # Viewed items stay in a feed, so on this small shop both may be shown the same list:
    # Eve turning down Dan's first pick makes hers differ from his.
    with world.uow.read() as session:
        feeds.dismiss(
            eve, feeds.guess_you_like(world.users["dan"].id, 1, session=session)[0].product_id
        )

    mine = client.get("/api/v1/recommendations/for-you", headers=dan)
    asked = client.get(f"/api/v1/recommendations/for-you?user_id={eve}&limit=20", headers=dan)

    assert mine.status_code == 200, mine.text
    assert asked.json()["items"] == mine.json()["items"]
    with world.uow.read() as session:
        eves = feeds.guess_you_like(eve, 20, session=session)
        dans = feeds.guess_you_like(world.users["dan"].id, 20, session=session)
    names = {world.id(k): k for k in world.products}
    assert _names(world, mine.json()) == [names[r.product_id] for r in dans]
    assert [r.product_id for r in eves] != [r.product_id for r in dans]
    first = mine.json()["items"][0]
    assert set(first) == {"product", "score", "reason"}
    assert set(first["reason"]) == {"code", "text", "args"}
    assert mine.json()["model"] in ("popularity", "item_knn", "ease")


def test_friends_feed_and_product_feeds(client: TestClient, world: World) -> None:
    dan = factories.bearer(world.uow, world.users["dan"])

    friends = client.get("/api/v1/recommendations/friends", headers=dan).json()
    together = client.get(f"/api/v1/products/{world.id('coat-0')}/bought-together").json()
    similar = client.get(f"/api/v1/products/{world.id('coat-1')}/similar?limit=3").json()

    assert _names(world, friends) == ["coat-0"]
    assert friends["items"][0]["reason"] == {
        "code": "friend_bought",
        "text": "Ben bought this",
        "args": {"user_id": str(world.users["ben"].id), "name": "Ben"},
    }
    assert _names(world, together) == ["dress-2"]
    assert together["items"][0]["reason"]["text"] == "Bought together with Coat 0"
    assert len(similar["items"]) == 3 and "coat-1" not in _names(world, similar)


def test_an_unknown_product_has_no_feeds(client: TestClient, world: World) -> None:
    missing = uuid.uuid4()
    factories.assert_problem(
        client.get(f"/api/v1/products/{missing}/similar"), 404, "product_not_found"
    )
    factories.assert_problem(
        client.get(f"/api/v1/products/{missing}/bought-together"), 404, "product_not_found"
    )


def _cards(page: str, row: str) -> list[str]:
    section = re.search(rf'data-testid="feed-{row}".*?</section>', page, re.S)
    if section is None:
        return []
    return re.findall(r'data-testid="feed-card" data-product-id="([^"]+)"', section.group(0))


def test_the_home_page_shows_my_rows_with_why_and_not_interested_removes_a_card(
    client: TestClient, world: World
) -> None:
    csrf = factories.browser_sign_in(client, world.users["dan"])
    page = client.get("/", headers=factories.HTML).text
    shown = _cards(page, "guess-you-like")
    assert shown and _cards(page, "friends-bought") == [str(world.id("coat-0"))]
    assert "Why?" in page and "Not interested" in page
    assert "Ben bought this" in page

    response = client.post(
        "/recommendations/dismiss",
        data={"csrf_token": csrf, "product_id": shown[0], "next": "/"},
        headers=factories.HTML,
        follow_redirects=False,
    )

    assert response.status_code == 303 and response.headers["location"] == "/"
    after = _cards(client.get("/", headers=factories.HTML).text, "guess-you-like")
    assert shown[0] not in after


def test_not_interested_needs_the_forms_token(client: TestClient, world: World) -> None:
    factories.browser_sign_in(client, world.users["dan"])
    page = client.get("/", headers=factories.HTML).text
    shown = _cards(page, "guess-you-like")

    response = client.post(
        "/recommendations/dismiss",
        data={"csrf_token": "forged", "product_id": shown[0]},
        headers=factories.HTML,
    )

    assert response.status_code == 403
    assert shown[0] in _cards(client.get("/", headers=factories.HTML).text, "guess-you-like")


def test_a_visitor_sees_no_personal_rows_and_a_product_page_shows_its_rows(
    client: TestClient, world: World
) -> None:
    home = client.get("/", headers=factories.HTML).text
    product = client.get(f"/p/{world.id('coat-0')}", headers=factories.HTML).text

    assert _cards(home, "guess-you-like") == [] and _cards(home, "friends-bought") == []
    assert _cards(product, "bought-together") == [str(world.id("dress-2"))]
    assert _cards(product, "similar-items")
    assert "Bought together with Coat 0" in product
