"""The treasure pages: the shopper's page (figures, chart, forms that redirect with a flash or
re-render with the reason) and the operator's rates page."""

from __future__ import annotations

import re
from datetime import date, timedelta

from fastapi.testclient import TestClient
from httpx import Response

import factories
from agora import treasure
from agora.identity import User
from factories import HTML, csrf_of
from treasure.world import World, freeze_local

DAY = date(2025, 3, 10)


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


def _post(client: TestClient, path: str, **fields: str) -> Response:
    page = client.get("/treasure", headers=HTML).text
    key = re.search(r'name="form_key" value="([^"]+)"', page)
    data = {"csrf_token": csrf_of(client, "/treasure"), "form_key": key.group(1) if key else ""}
    return client.post(path, data={**data, **fields}, headers=HTML, follow_redirects=False)


def test_the_page_shows_income_chart_yield_and_what_earns(client: TestClient, world: World) -> None:
    freeze_local(DAY, 9)
    treasure.deposit(world.uow, actor=world.lin, amount=3_000_000)
    for i in range(1, 4):
        freeze_local(DAY + timedelta(days=i), 9)
        world.publish(DAY + timedelta(days=i), 4500 + i)
    freeze_local(DAY + timedelta(days=4), 16)
    treasure.accrue_due(world.uow)
    treasure.deposit(world.uow, actor=world.lin, amount=12_300)
    sign_in(client, world.lin_user)

    page = client.get("/treasure", headers=HTML).text

    assert 'href="/static/css/treasure.css"' in page
    assert _testid(page, "treasure-yesterday") == "+¥1.35"  # 3,000,270 × 4503 / 10^8
    assert _testid(page, "treasure-pending-total") == "¥123.00"
    assert 'data-earns-from="2025-03-16"' in page  # after the cut-off: the day after tomorrow
    assert page.count('class="ts-bar"') == 30
    assert 'data-testid="treasure-chart"' in page
    assert _testid(page, "treasure-yield").endswith("%")
    assert 'data-kind="treasure_income"' in page


def test_moving_in_and_out_redirects_with_a_flash(client: TestClient, world: World) -> None:
    freeze_local(DAY, 9)
    sign_in(client, world.lin_user)

    moved_in = _post(client, "/treasure/deposit", amount="500.00")
    assert moved_in.status_code == 303
    taken = _post(client, "/treasure/redeem", amount="120.50")
    assert taken.status_code == 303

    assert world.held(world.lin) == 50_000 - 12_050
    page = client.get("/treasure", headers=HTML).text
    assert "379.50" in page


def test_a_refused_redemption_re_renders_with_the_reason(client: TestClient, world: World) -> None:
    freeze_local(DAY, 9)
    treasure.deposit(world.uow, actor=world.lin, amount=2_000_000)
    sign_in(client, world.lin_user)
    before = world.snapshot()

    refused = _post(client, "/treasure/redeem", amount="10000.01")

    assert refused.status_code == 409
    assert "You can take out ¥10,000.00 more today." in refused.text
    bad = _post(client, "/treasure/deposit", amount="abc")
    assert bad.status_code == 422
    assert world.snapshot() == before


def test_the_operator_publishes_a_rate_and_sees_it_paid(client: TestClient, world: World) -> None:
    freeze_local(DAY, 9)
    treasure.deposit(world.uow, actor=world.lin, amount=1_000_000)
    freeze_local(DAY + timedelta(days=1), 9)
    sign_in(client, world.ops_user)
    csrf = csrf_of(client, "/operator/treasure")

    published = client.post(
        "/operator/treasure",
        data={"csrf_token": csrf, "day": "2025-03-11", "per_10k": "0.4560"},
        headers=HTML,
        follow_redirects=False,
    )
    assert published.status_code == 303
    future = client.post(
        "/operator/treasure",
        data={"csrf_token": csrf, "day": "2025-03-12", "per_10k": "0.4560"},
        headers=HTML,
    )
    assert future.status_code == 422
    assert 'data-testid="rate-error"' in future.text
    freeze_local(DAY + timedelta(days=2), 1)
    treasure.accrue_due(world.uow)

    page = client.get("/operator/treasure", headers=HTML).text
    assert 'data-day="2025-03-11" data-accrued="yes"' in page
    assert "¥0.4560" in page


def test_shoppers_cannot_open_the_operator_page(client: TestClient, world: World) -> None:
    sign_in(client, world.lin_user)

    assert client.get("/operator/treasure", headers=HTML).status_code == 403
