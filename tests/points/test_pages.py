"""Points on the pages: the wallet shows them, the pay page lets the buyer use them."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

import factories
from agora import points
from agora.core.clock import clock
from agora.identity import User
from factories import HTML, csrf_of
from points.world import World


def sign_in(client: TestClient, user: User) -> None:
    client.cookies.clear()
    response = client.post(
        "/signin",
        data={
            "identifier": user.email,
            "password": factories.PASSWORD,
            "csrf_token": csrf_of(client, "/signin"),
            "next": "/",
        },
        headers=HTML,
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def _testid(page: str, name: str) -> str:
    match = re.search(rf'data-testid="{name}">([^<]*)<', page)
    assert match, name
    return match.group(1).strip()


def _form_key(page: str) -> str:
    match = re.search(r'name="form_key" value="([^"]+)"', page)
    assert match
    return match.group(1)


def test_the_wallet_page_shows_points_and_what_expires_next(
    client: TestClient, world: World
) -> None:
    clock.freeze(datetime(2025, 4, 2, 9, 0, tzinfo=UTC))
    world.fund(world.buyer_user, 100_000)
    points.grant(world.uow, user_id=world.buyer.user_id, amount=1_234, key="g", reason="Welcome")
    clock.travel(timedelta(days=1))
    world.buy(world.red_coat)  # 299 pending
    sign_in(client, world.buyer_user)

    page = client.get("/wallet", headers=HTML).text

    assert _testid(page, "points-active") == "1,234"
    assert _testid(page, "points-pending") == "299"
    assert _testid(page, "points-expiring") == "1,234"
    # Points granted 2025-04-02 09:00 UTC expire a year later, shown in the platform's zone.
    assert "2026-04-02 17:00 UTC+8" in page
    assert "Worth ¥12.34 off your orders" in page
    assert 'data-kind="points_earned"' in page and 'data-kind="points_granted"' in page

    sign_in(client, world.other_user)
    theirs = client.get("/wallet", headers=HTML).text
    assert _testid(theirs, "points-active") == "0"
    assert 'data-testid="points-empty"' in theirs


def test_the_pay_page_offers_points_capped_at_half_and_pays_with_them_once(
    client: TestClient, world: World
) -> None:
    user = world.buyer.user_id
    world.fund(world.buyer_user, 100_000)
    points.grant(world.uow, user_id=user, amount=20_000, key="g", reason="Welcome")
    [order] = world.place((world.red_coat, 1))
    sign_in(client, world.buyer_user)

    page = client.get(f"/pay?orders={order.id}", headers=HTML).text

    assert "Use 14,950 points to save ¥149.50" in page
    data = {
        "csrf_token": csrf_of(client, f"/pay?orders={order.id}"),
        "orders": str(order.id),
        "method": "wallet",
        "form_key": _form_key(page),
        "use_points": "1",
        "points_amount": "14950",
    }
    sent = client.post("/pay", data=data, headers=HTML, follow_redirects=False)
    again = client.post("/pay", data=data, headers=HTML, follow_redirects=False)

    assert sent.status_code == again.status_code == 303
    assert sent.headers["location"] == again.headers["location"] == f"/orders/{order.id}"
    assert world.paid_with(order.id) == {"points": (14_950, 0), "wallet": (14_950, 0)}
    assert world.active(user) == 5_050
    assert world.wallet(user) == 100_000 - 14_950


def test_the_pay_page_offers_only_the_points_held(client: TestClient, world: World) -> None:
    points.grant(world.uow, user_id=world.buyer.user_id, amount=1_234, key="g", reason="r")
    [order] = world.place((world.red_coat, 1))
    sign_in(client, world.buyer_user)

    page = client.get(f"/pay?orders={order.id}", headers=HTML).text

    assert "Use 1,234 points to save ¥12.34" in page


def test_a_tampered_points_amount_is_refused_on_the_page_and_changes_nothing(
    client: TestClient, world: World
) -> None:
    world.fund(world.buyer_user, 100_000)
    points.grant(world.uow, user_id=world.buyer.user_id, amount=20_000, key="g", reason="r")
    [order] = world.place((world.red_coat, 1))
    sign_in(client, world.buyer_user)
    page = client.get(f"/pay?orders={order.id}", headers=HTML).text
    before = world.snapshot()

    refused = client.post(
        "/pay",
        data={
            "csrf_token": csrf_of(client, f"/pay?orders={order.id}"),
            "orders": str(order.id),
            "method": "wallet",
            "form_key": _form_key(page),
            "use_points": "1",
            "points_amount": "20000",
        },
        headers=HTML,
        follow_redirects=False,
    )

    assert refused.status_code == 422
    assert "Points can pay only part of each order" in refused.text
    assert world.snapshot() == before


def test_without_points_the_pay_page_offers_none(client: TestClient, world: World) -> None:
    [order] = world.place((world.red_coat, 1))
    sign_in(client, world.buyer_user)

    page = client.get(f"/pay?orders={order.id}", headers=HTML).text

    assert 'data-testid="pay-points"' not in page
